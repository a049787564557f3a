//! The family timeline's entries, and the two rules that keep them safe: an entry shared in
//! confidence by one family member never reaches another family member's printout, export
//! or information pack; and a staff-only entry (an abuse disclosure, safeguarding detail)
//! never reaches any family-facing output at all, the discloser's own included.

use crate::{Invalid, PersonId, Problems};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A family member, as the subject of an entry or the one who shared it: the mother (who is
/// not a `Person` row) or a person around the baby.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Member {
    Mother,
    Person(PersonId),
}

impl Member {
    /// "mother" or a person's id, as forms and the API write it.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "mother" => Some(Member::Mother),
            other => PersonId::parse(other).map(Member::Person),
        }
    }
    pub fn code(self) -> String {
        match self {
            Member::Mother => "mother".to_string(),
            Member::Person(id) => id.to_string(),
        }
    }
}

crate::network::choices!(
    /// What kind of timeline entry it is. The kind, not the wording, decides whether it may
    /// ever leave the clinic.
    EntryKind {
        Note => ("note", "Note"),
        AbuseEnquiry => ("abuse_enquiry", "Routine enquiry about domestic abuse"),
        Safeguarding => ("safeguarding", "Safeguarding"),
        ChildProtection => ("child_protection", "Child protection"),
    }
);

impl EntryKind {
    /// Staff-only kinds never reach a family-facing output: a printout, pack, summary or
    /// export may be read at home by the person who harms.
    pub fn is_staff_only(self) -> bool {
        match self {
            EntryKind::Note => false,
            EntryKind::AbuseEnquiry | EntryKind::Safeguarding | EntryKind::ChildProtection => true,
        }
    }
}

/// Entries written before kinds existed are notes.
fn note() -> EntryKind {
    EntryKind::Note
}

/// One entry on the family timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Entry {
    pub id: Uuid,
    #[serde(default = "note")]
    pub kind: EntryKind,
    /// Who the entry is about; `None` for the family as a whole.
    pub about: Option<Member>,
    /// Who shared it in confidence, if anyone.
    pub confided_by: Option<Member>,
    pub text: String,
    pub written_at_millis: i64,
    pub written_by: String,
}

impl Entry {
    /// Whether this entry may go into material given to `recipient` (a printout, an export,
    /// an information pack). A staff-only entry goes to no one; an entry shared in confidence
    /// goes only to the person who shared it; other entries go to the person they are about,
    /// and family-wide entries to everyone.
    pub fn may_reach(&self, recipient: Member) -> bool {
        if self.kind.is_staff_only() {
            return false;
        }
        match self.confided_by {
            Some(confider) => confider == recipient,
            None => self.about.is_none_or(|about| about == recipient),
        }
    }
}

/// Whether something may go into material given to several family members at once (a
/// summary used in a session with them together): only if it may reach each of them. No one
/// named means no one to give it to, so nothing reaches an empty group.
pub fn reaches_everyone(recipients: &[Member], reaches: impl Fn(Member) -> bool) -> bool {
    !recipients.is_empty() && recipients.iter().all(|recipient| reaches(*recipient))
}

/// The entries that may go into material for everyone in `recipients` together, in timeline
/// order. For one recipient, what [`Entry::may_reach`] allows; for several, only entries
/// about the whole family shared in confidence by no one (an entry about one member, or
/// shared in confidence by one, reaches that member alone).
pub fn for_recipients<'a>(entries: &'a [Entry], recipients: &[Member]) -> Vec<&'a Entry> {
    entries
        .iter()
        .filter(|e| reaches_everyone(recipients, |recipient| e.may_reach(recipient)))
        .collect()
}

/// A new entry as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EntryInput {
    /// "", "mother" or a person's id.
    pub about: String,
    pub text: String,
    /// "yes" when the person it is about shared it in confidence.
    pub in_confidence: String,
    /// "yes" for safeguarding or other detail that must never be printed for the family.
    pub staff_only: String,
}

impl EntryInput {
    /// The kind chosen: a safeguarding entry when marked staff only, otherwise a note.
    pub fn kind(&self) -> EntryKind {
        if self.staff_only == "yes" {
            EntryKind::Safeguarding
        } else {
            EntryKind::Note
        }
    }

    /// Checks the entry. Whether `about` names a member of this family is checked by the caller.
    pub fn parse(&self) -> Result<(Option<Member>, Option<Member>, String), Problems> {
        let mut problems = Problems::default();
        let about = if self.about.trim().is_empty() {
            Some(None)
        } else {
            problems.take(
                Member::parse(&self.about)
                    .map(Some)
                    .ok_or_else(|| Invalid::new("about", "Select who the entry is about")),
            )
        };
        let text = self.text.trim();
        if text.is_empty() {
            problems.push(Invalid::new("text", "Enter what you want to record"));
        } else if text.chars().count() > 10_000 {
            problems.push(Invalid::new(
                "text",
                "Entry must be 10,000 characters or fewer",
            ));
        }
        crate::yes_or_no(
            &self.staff_only,
            "staff_only",
            "Say whether the entry is for staff only: yes or no",
            &mut problems,
        );
        let confidential = crate::yes_or_no(
            &self.in_confidence,
            "in_confidence",
            "Say whether this was shared in confidence: yes or no",
            &mut problems,
        );
        let confided_by = match (confidential, about) {
            (true, Some(Some(member))) => Some(Some(member)),
            (true, _) => {
                problems.push(Invalid::new(
                    "in_confidence",
                    "Select who the entry is about: only the person who shared something in confidence can be named",
                ));
                None
            }
            (false, _) => Some(None),
        };
        match (about, confided_by) {
            (Some(about), Some(confided_by)) if problems.is_empty() => {
                Ok((about, confided_by, text.to_string()))
            }
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entry(about: Option<Member>, confided_by: Option<Member>) -> Entry {
        Entry {
            id: Uuid::now_v7(),
            kind: EntryKind::Note,
            about,
            confided_by,
            text: "text".into(),
            written_at_millis: 0,
            written_by: "Priya Shah".into(),
        }
    }

    #[test]
    fn a_confidence_reaches_only_the_person_who_shared_it() {
        let dad = Member::Person(PersonId::new());
        let gran = Member::Person(PersonId::new());
        let secret = entry(Some(dad), Some(dad));
        assert!(secret.may_reach(dad));
        assert!(!secret.may_reach(gran));
        assert!(!secret.may_reach(Member::Mother));
        let about_dad = entry(Some(dad), None);
        assert!(about_dad.may_reach(dad) && !about_dad.may_reach(gran));
        let family = entry(None, None);
        assert!(family.may_reach(gran) && family.may_reach(Member::Mother));
    }

    #[test]
    fn an_entry_in_confidence_must_say_whose_confidence_it_is() {
        let input = EntryInput {
            about: String::new(),
            text: "Said he is struggling".into(),
            in_confidence: "yes".into(),
            staff_only: String::new(),
        };
        assert!(input
            .parse()
            .unwrap_err()
            .message_for("in_confidence")
            .is_some());
        let empty = EntryInput::default().parse().unwrap_err();
        assert_eq!(
            empty.message_for("text"),
            Some("Enter what you want to record")
        );
    }

    #[test]
    fn a_staff_only_mark_other_than_yes_or_no_is_refused_not_read_as_no() {
        for given in ["Yes", "true", "on", " yes"] {
            let input = EntryInput {
                about: String::new(),
                text: "Disclosed abuse by her partner".into(),
                in_confidence: String::new(),
                staff_only: given.into(),
            };
            let problems = input.parse().unwrap_err();
            assert!(
                problems.message_for("staff_only").is_some(),
                "{given:?} is refused"
            );
        }
        let marked = EntryInput {
            about: String::new(),
            text: "Disclosed abuse by her partner".into(),
            in_confidence: "no".into(),
            staff_only: "yes".into(),
        };
        assert!(marked.parse().is_ok());
        assert_eq!(marked.kind(), EntryKind::Safeguarding);
    }

    /// A family of the mother and `size` people, and its entries from `shapes`: (whom it is
    /// about, by index, wrapping round; whether it is about anyone; whether shared in
    /// confidence by them). Answers the member at an index, and the entries.
    fn random_family(
        size: usize,
        shapes: &[(usize, bool, bool)],
    ) -> (impl Fn(usize) -> Member, Vec<Entry>) {
        let people: Vec<PersonId> = (0..size).map(|_| PersonId::new()).collect();
        let pick = move |i: usize| -> Member {
            match people.get(i % (size + 1)) {
                Some(id) => Member::Person(*id),
                None => Member::Mother,
            }
        };
        let entries = shapes
            .iter()
            .map(|(about, has_about, confidential)| {
                let about = has_about.then(|| pick(*about));
                entry(about, if *confidential { about } else { None })
            })
            .collect();
        (pick, entries)
    }

    proptest! {
        /// For any family shape and any entries, nothing shared in confidence by one member
        /// reaches material for another.
        #[test]
        fn no_confidence_ever_reaches_another_member(
            size in 0usize..8,
            shapes in proptest::collection::vec((0usize..10, 0usize..10, any::<bool>(), any::<bool>()), 0..40),
            recipient_index in 0usize..10,
        ) {
            let shapes: Vec<(usize, bool, bool)> = shapes
                .iter()
                .map(|(about, _, has_about, confidential)| (*about, *has_about, *confidential))
                .collect();
            let (pick, entries) = random_family(size, &shapes);
            let recipient = pick(recipient_index);
            for shown in for_recipients(&entries, &[recipient]) {
                if let Some(confider) = shown.confided_by {
                    prop_assert_eq!(confider, recipient);
                }
                if let Some(about) = shown.about {
                    prop_assert_eq!(about, recipient);
                }
            }
            // And nothing the recipient is entitled to is withheld.
            let expected = entries.iter().filter(|e| match e.confided_by {
                Some(c) => c == recipient,
                None => e.about.is_none() || e.about == Some(recipient),
            }).count();
            prop_assert_eq!(for_recipients(&entries, &[recipient]).len(), expected);
        }

        /// For any family shape and any group of its members seen together, the group's
        /// material holds exactly the entries each of them may be given alone: nothing shared
        /// in confidence or about one member when anyone else is present, and nothing at all
        /// for a group of no one.
        #[test]
        fn a_group_is_given_only_what_each_member_may_be_given(
            size in 0usize..8,
            shapes in proptest::collection::vec((0usize..10, any::<bool>(), any::<bool>()), 0..40),
            group in proptest::collection::vec(0usize..10, 0..5),
        ) {
            let (pick, entries) = random_family(size, &shapes);
            let group: Vec<Member> = group.iter().map(|i| pick(*i)).collect();
            let shown = for_recipients(&entries, &group);
            for entry in &entries {
                let each_alone = !group.is_empty()
                    && group.iter().all(|member| for_recipients(&entries, &[*member]).contains(&entry));
                prop_assert_eq!(shown.contains(&entry), each_alone);
            }
            let distinct: std::collections::HashSet<Member> = group.iter().copied().collect();
            if distinct.len() > 1 {
                for entry in &shown {
                    prop_assert!(entry.confided_by.is_none() && entry.about.is_none());
                }
            }
        }
    }
}
