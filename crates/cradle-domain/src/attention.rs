//! What needs a clinician's attention across their teams' families: nothing urgent may hide
//! on one family's page. Each item says what it is, about whom, since when, and where it is
//! settled; the list is ordered most urgent first.

use crate::{FamilyId, PersonId};
use time::Date;
use uuid::Uuid;

/// What needs attention, most urgent first (the order of the variants is the order shown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AttentionKind {
    /// A questionnaire answer that raised a safety alert (such as thoughts of self-harm),
    /// with no action recorded yet.
    SafetyAlert,
    /// A coping concern ("at the end of their tether") not yet closed.
    CopingConcern,
    /// Steps after an abuse disclosure (risk assessment, safety plan, referral, telling the
    /// safeguarding lead, deciding on a mark) not yet settled.
    DisclosureActions,
    /// A do not contact / do not involve decision past its review date.
    RestrictionReviewOverdue,
    /// More sessions attended since the last care plan review than the team reviews after.
    CarePlanReviewOverdue,
}

impl AttentionKind {
    pub fn label(self) -> &'static str {
        match self {
            AttentionKind::SafetyAlert => "Safety alert",
            AttentionKind::CopingConcern => "Coping concern",
            AttentionKind::DisclosureActions => "After a disclosure",
            AttentionKind::RestrictionReviewOverdue => "Restriction review overdue",
            AttentionKind::CarePlanReviewOverdue => "Care plan review overdue",
        }
    }
}

/// The record an item is settled on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settle {
    /// A questionnaire response's alert: record the action taken.
    AlertAction(Uuid),
    /// A concern: record the action taken, then close it.
    ConcernAction(Uuid),
    /// The steps after a disclosure, on the family page.
    DisclosureActions,
    /// A safety decision: renew or lift it.
    RestrictionReview(Uuid),
    /// The family's care plans: hold the review.
    CarePlans,
}

/// One thing needing attention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttentionItem {
    pub kind: AttentionKind,
    pub family_id: FamilyId,
    /// The family as screens name it, after the baby ("Ada", "Baby of Amara Okafor").
    pub family: String,
    /// The person it is about, when it is about one ("Tunde Okafor").
    pub about: Option<String>,
    /// The person's id, when it is about someone other than the mother.
    pub person_id: Option<PersonId>,
    /// What it says, in a few words ("PHQ-9 completed 3 December 2026").
    pub detail: String,
    /// When it arose: what "oldest first" within a kind is ordered by.
    pub since: Date,
    pub settle: Settle,
}

impl AttentionItem {
    /// Where the item is settled.
    pub fn href(&self) -> String {
        let family = self.family_id;
        match self.settle {
            Settle::AlertAction(response) => {
                format!("/families/{family}/questionnaires/{response}/alert-action")
            }
            Settle::ConcernAction(concern) => {
                format!("/families/{family}/concerns/{concern}/actions")
            }
            Settle::RestrictionReview(restriction) => {
                format!("/families/{family}/restrictions/{restriction}/renew")
            }
            Settle::DisclosureActions => format!("/families/{family}#after-disclosure"),
            Settle::CarePlans => format!("/families/{family}#care"),
        }
    }
}

/// Most urgent kind first; within a kind, the oldest first.
pub fn most_urgent_first(items: &mut [AttentionItem]) {
    items.sort_by(|a, b| {
        (a.kind, a.since, a.family.as_str()).cmp(&(b.kind, b.since, b.family.as_str()))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn item(kind: AttentionKind, since: Date) -> AttentionItem {
        AttentionItem {
            kind,
            family_id: FamilyId::new(),
            family: "Ada".into(),
            about: None,
            person_id: None,
            detail: String::new(),
            since,
            settle: Settle::CarePlans,
        }
    }

    #[test]
    fn a_safety_alert_comes_before_everything_and_the_oldest_first_within_a_kind() {
        let mut items = vec![
            item(AttentionKind::CarePlanReviewOverdue, date!(2026 - 1 - 1)),
            item(
                AttentionKind::RestrictionReviewOverdue,
                date!(2026 - 11 - 1),
            ),
            item(AttentionKind::SafetyAlert, date!(2026 - 12 - 5)),
            item(AttentionKind::CopingConcern, date!(2026 - 12 - 1)),
            item(AttentionKind::SafetyAlert, date!(2026 - 12 - 1)),
        ];
        most_urgent_first(&mut items);
        let order: Vec<(AttentionKind, Date)> = items.iter().map(|i| (i.kind, i.since)).collect();
        assert_eq!(
            order,
            [
                (AttentionKind::SafetyAlert, date!(2026 - 12 - 1)),
                (AttentionKind::SafetyAlert, date!(2026 - 12 - 5)),
                (AttentionKind::CopingConcern, date!(2026 - 12 - 1)),
                (
                    AttentionKind::RestrictionReviewOverdue,
                    date!(2026 - 11 - 1)
                ),
                (AttentionKind::CarePlanReviewOverdue, date!(2026 - 1 - 1)),
            ]
        );
    }
}
