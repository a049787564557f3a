//! The partner pathway: a partner (or another family member the team chooses) is identified,
//! offered an assessment of their own mental health and needs, accepts or declines, is
//! assessed, and followed up. Each step is dated and attributed; the rules here decide which
//! step may come next, so every door (page, API, import) keeps the same order.
//!
//! Declining is respected: the offer is not made again until the date the clinician set when
//! recording the decline. A person marked "do not contact" or "do not involve" is never put
//! on the pathway or offered anything.

use crate::dates::parse_date_parts;
use crate::network::{choices, Involvement, RelationshipKind};
use crate::{Invalid, PersonId, Problems, StaffId};
use serde::{Deserialize, Serialize};
use time::Date;

choices!(
    /// How the person came to the team's attention as someone to offer an assessment.
    IdentifiedHow {
        AtReferral => ("at_referral", "Named at the mother's referral"),
        AtAssessment => ("at_assessment", "At the mother's assessment"),
        Later => ("later", "Later in the team's work with the family"),
        SelfReferred => ("self_referred", "Asked for support themselves"),
    }
);

choices!(
    /// How an assessment was offered.
    OfferMethod {
        InPerson => ("in_person", "In person"),
        Phone => ("phone", "By phone"),
        VideoCall => ("video_call", "By video call"),
        Letter => ("letter", "By letter or message"),
    }
);

choices!(
    /// What the assessment led to.
    AssessmentOutcome {
        NoFurtherAction => ("no_further_action", "No further action"),
        Signposted => ("signposted", "Signposted to other support"),
        SupportOffered => ("support_offered", "Offered support by the team"),
        ReferredOn => ("referred_on", "Referred on"),
    }
);

/// One step on the pathway, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum PathwayStep {
    Identified {
        #[serde(with = "crate::family::iso_date")]
        #[schema(value_type = String, format = Date)]
        on: Date,
        how: IdentifiedHow,
    },
    Offered {
        #[serde(with = "crate::family::iso_date")]
        #[schema(value_type = String, format = Date)]
        on: Date,
        method: OfferMethod,
    },
    Accepted {
        #[serde(with = "crate::family::iso_date")]
        #[schema(value_type = String, format = Date)]
        on: Date,
    },
    Declined {
        #[serde(with = "crate::family::iso_date")]
        #[schema(value_type = String, format = Date)]
        on: Date,
        reason: String,
        /// The offer is not made again before this date.
        #[serde(with = "crate::family::iso_date")]
        #[schema(value_type = String, format = Date)]
        ask_again_from: Date,
    },
    Assessed {
        #[serde(with = "crate::family::iso_date")]
        #[schema(value_type = String, format = Date)]
        on: Date,
        outcome: AssessmentOutcome,
        /// Where they were signposted or referred, or what support was offered.
        detail: String,
    },
    FollowedUp {
        #[serde(with = "crate::family::iso_date")]
        #[schema(value_type = String, format = Date)]
        on: Date,
        note: String,
    },
}

impl PathwayStep {
    pub fn on(&self) -> Date {
        match self {
            PathwayStep::Identified { on, .. }
            | PathwayStep::Offered { on, .. }
            | PathwayStep::Accepted { on }
            | PathwayStep::Declined { on, .. }
            | PathwayStep::Assessed { on, .. }
            | PathwayStep::FollowedUp { on, .. } => *on,
        }
    }

    /// The step's code, as stored and counted in the service figures.
    pub fn code(&self) -> &'static str {
        match self {
            PathwayStep::Identified { .. } => "identified",
            PathwayStep::Offered { .. } => "offered",
            PathwayStep::Accepted { .. } => "accepted",
            PathwayStep::Declined { .. } => "declined",
            PathwayStep::Assessed { .. } => "assessed",
            PathwayStep::FollowedUp { .. } => "followed_up",
        }
    }

    /// Whether the step was a contact with the person (so, for someone who needs an
    /// interpreter, it says whether one was used): everything but being identified, and an
    /// offer made by letter.
    pub fn is_contact(&self) -> bool {
        !matches!(
            self,
            PathwayStep::Identified { .. }
                | PathwayStep::Offered {
                    method: OfferMethod::Letter,
                    ..
                }
        )
    }

    /// The step's name as a clinician says it.
    pub fn label(&self) -> &'static str {
        match self {
            PathwayStep::Identified { .. } => "Identified",
            PathwayStep::Offered { .. } => "Offered an assessment",
            PathwayStep::Accepted { .. } => "Accepted the offer",
            PathwayStep::Declined { .. } => "Declined the offer",
            PathwayStep::Assessed { .. } => "Assessed",
            PathwayStep::FollowedUp { .. } => "Followed up",
        }
    }
}

choices!(
    /// Information a family member can be given on the pathway, whatever step they are at.
    InformationTopic {
        PartnersMentalHealth => ("partners_mental_health", "How becoming a parent can affect partners' and fathers' mental health"),
        TeamOffer => ("team_offer", "What the team offers partners and family members"),
        GettingToKnowBaby => ("getting_to_know_baby", "Getting to know the baby and how babies communicate"),
        LookingAfterYourself => ("looking_after_yourself", "Sleep, work and looking after yourself"),
        PeerSupport => ("peer_support", "Peer support for partners and fathers"),
        UrgentHelp => ("urgent_help", "Where to get urgent help, day and night"),
    }
);

/// The information and local services given with a step: what the person was given to take
/// away, whichever step they are at (someone who declines an assessment may still take the
/// information).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct InformationGiven {
    pub topics: Vec<InformationTopic>,
    /// Local services given, one each: name and how to reach them, as the clinician wrote it.
    pub services: Vec<String>,
}

impl InformationGiven {
    pub fn is_empty(&self) -> bool {
        self.topics.is_empty() && self.services.is_empty()
    }

    /// What was given, in a sentence ("" when nothing was).
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = self.topics.iter().map(|t| t.label().to_string()).collect();
        parts.extend(self.services.iter().cloned());
        parts.join("; ")
    }
}

/// A step with who recorded it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RecordedStep {
    pub step: PathwayStep,
    pub recorded_by: StaffId,
    pub recorded_by_name: String,
    pub recorded_at_millis: i64,
    /// Information and local services given at this step.
    #[serde(default)]
    pub given: InformationGiven,
    /// Why the step is dated before the family's referral, when it is (for example, the
    /// health visitor named the partner before the referral reached the team).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub before_referral_reason: String,
    /// Whether an interpreter was used at the contact, when the person needs one or it was
    /// recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interpreter: Option<crate::interpreters::InterpreterUse>,
}

/// An offer of an assessment and, when the person answered there and then, their answer: the
/// steps to record together. Only an acceptance or a decline can answer an offer.
pub fn offer_with_answer(
    offer: PathwayStep,
    answer: Option<PathwayStep>,
) -> Result<Vec<PathwayStep>, Invalid> {
    match (&offer, answer) {
        (_, None) => Ok(vec![offer]),
        (
            PathwayStep::Offered { on, .. },
            Some(answer @ (PathwayStep::Accepted { .. } | PathwayStep::Declined { .. })),
        ) => {
            if answer.on() < *on {
                return Err(Invalid::new(
                    "answer",
                    "Their answer cannot be dated before the offer",
                ));
            }
            Ok(vec![offer, answer])
        }
        (PathwayStep::Offered { .. }, Some(_)) => Err(Invalid::new(
            "answer",
            "An answer to an offer is either accepted or declined",
        )),
        (_, Some(_)) => Err(Invalid::new(
            "answer",
            "Only an offer of an assessment can be recorded with its answer",
        )),
    }
}

/// Checks a step's date against the family's referral: a step dated before it needs a reason
/// (most often the date was mistyped), kept with the step. `reason` is `None` where the form
/// has no box for one (the full assessment): there the date itself is refused.
pub fn check_against_referral(
    on: Date,
    referral: Option<Date>,
    reason: Option<&str>,
) -> Result<(), Invalid> {
    let Some(referral) = referral else {
        return Ok(());
    };
    if on >= referral {
        return Ok(());
    }
    let Some(reason) = reason else {
        return Err(Invalid::new(
            "on",
            format!(
                "The date is before the family's referral on {}: check the date",
                crate::dates::long_date(referral)
            ),
        ));
    };
    if reason.trim().is_empty() {
        return Err(Invalid::new(
            "before_referral_reason",
            format!(
                "The date is before the family's referral on {}. Check the date, or say why this step came before the referral",
                crate::dates::long_date(referral)
            ),
        ));
    }
    if reason.chars().count() > 500 {
        return Err(Invalid::new(
            "before_referral_reason",
            "Why the step came before the referral must be 500 characters or fewer",
        ));
    }
    Ok(())
}

/// Partners, fathers and co-parents are always offered the pathway.
pub const PARTNER_KINDS: [RelationshipKind; 3] = [
    RelationshipKind::Father,
    RelationshipKind::Partner,
    RelationshipKind::CoParent,
];

/// Whether someone with these relationships to the baby or mother may be put on the pathway:
/// partners, fathers and co-parents always; other family members where the team has chosen to
/// offer it to people in that relationship (`team_roles`).
pub fn offered_to(
    kinds: impl IntoIterator<Item = RelationshipKind>,
    team_roles: &[RelationshipKind],
) -> bool {
    kinds
        .into_iter()
        .any(|kind| PARTNER_KINDS.contains(&kind) || team_roles.contains(&kind))
}

/// The team's choice of other family members, as stored: codes separated by spaces. Partner
/// kinds are left out (they are always offered), unknown codes are dropped.
pub fn roles_text(roles: &[RelationshipKind]) -> String {
    RelationshipKind::ALL
        .iter()
        .filter(|kind| roles.contains(kind) && !PARTNER_KINDS.contains(kind))
        .map(|kind| kind.code())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The team's choice read back from [`roles_text`].
pub fn roles_from_text(text: &str) -> Vec<RelationshipKind> {
    text.split_whitespace()
        .filter_map(RelationshipKind::from_code)
        .filter(|kind| !PARTNER_KINDS.contains(kind))
        .collect()
}

/// One family member's pathway, as the family record carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PersonPathway {
    pub person_id: PersonId,
    pub pathway: Pathway,
}

/// What the team should do next for the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextOnPathway {
    /// Not on the pathway yet.
    Identify,
    OfferAssessment,
    /// Declined: not to be asked again before the date.
    RespectDecline {
        until: Date,
    },
    AwaitAnswer,
    Assess,
    FollowUp,
    /// Followed up: nothing more is due.
    Done,
    /// Marked do not contact or do not involve: nothing is offered.
    NotOffered,
}

/// A person's steps, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Pathway {
    pub steps: Vec<RecordedStep>,
}

impl Pathway {
    pub fn current(&self) -> Option<&PathwayStep> {
        self.steps.last().map(|s| &s.step)
    }

    /// What is due next, on `today`, for a person Cradle may or may not involve.
    pub fn next(&self, involvement: Involvement, today: Date) -> NextOnPathway {
        if !involvement.may_contact {
            return NextOnPathway::NotOffered;
        }
        match self.current() {
            None => NextOnPathway::Identify,
            Some(PathwayStep::Identified { .. }) => NextOnPathway::OfferAssessment,
            Some(PathwayStep::Offered { .. }) => NextOnPathway::AwaitAnswer,
            Some(PathwayStep::Declined { ask_again_from, .. }) if today < *ask_again_from => {
                NextOnPathway::RespectDecline {
                    until: *ask_again_from,
                }
            }
            Some(PathwayStep::Declined { .. }) => NextOnPathway::OfferAssessment,
            Some(PathwayStep::Accepted { .. }) => NextOnPathway::Assess,
            Some(PathwayStep::Assessed { .. }) => NextOnPathway::FollowUp,
            Some(PathwayStep::FollowedUp { .. }) => NextOnPathway::Done,
        }
    }

    /// Where the person is on the pathway and what comes next, in a sentence.
    pub fn summary(&self, involvement: Involvement, today: Date) -> String {
        let next = match self.next(involvement, today) {
            NextOnPathway::NotOffered => {
                return "Not offered: marked do not contact or do not involve".to_string()
            }
            NextOnPathway::Identify => return "Not on the pathway".to_string(),
            NextOnPathway::OfferAssessment => "next: offer an assessment".to_string(),
            NextOnPathway::RespectDecline { until } => format!(
                "not to be offered again before {}",
                crate::dates::long_date(until)
            ),
            NextOnPathway::AwaitAnswer => "next: record their answer".to_string(),
            NextOnPathway::Assess => "next: the assessment".to_string(),
            NextOnPathway::FollowUp => "next: follow up".to_string(),
            NextOnPathway::Done => "followed up".to_string(),
        };
        match self.current() {
            Some(step) => format!(
                "{} {}; {next}",
                step.label(),
                crate::dates::long_date(step.on())
            ),
            None => next,
        }
    }

    /// The steps that may be recorded next (none while a decline is respected or for
    /// someone not offered anything).
    pub fn allowed_next(&self, involvement: Involvement, today: Date) -> &'static [&'static str] {
        match self.next(involvement, today) {
            NextOnPathway::Identify => &["identified"],
            NextOnPathway::OfferAssessment => &["offered"],
            NextOnPathway::AwaitAnswer => &["accepted", "declined"],
            NextOnPathway::Assess => &["assessed"],
            NextOnPathway::FollowUp | NextOnPathway::Done => &["followed_up"],
            NextOnPathway::RespectDecline { .. } | NextOnPathway::NotOffered => &[],
        }
    }

    /// Checks that `step` may be recorded next, on `today`, for a person Cradle may or may
    /// not involve. The message says what would have to happen first.
    pub fn check(
        &self,
        step: &PathwayStep,
        involvement: Involvement,
        today: Date,
    ) -> Result<(), Invalid> {
        if !involvement.may_contact {
            return Err(Invalid::new(
                "step",
                "This person is marked do not contact or do not involve, so they are not put on the pathway or offered an assessment",
            ));
        }
        if step.on() > today {
            return Err(Invalid::new("on", "The date must be today or in the past"));
        }
        if let Some(last) = self.steps.last() {
            if step.on() < last.step.on() {
                return Err(Invalid::new(
                    "on",
                    format!(
                        "The date must be on or after the last step ({}: {})",
                        last.step.label(),
                        crate::dates::long_date(last.step.on())
                    ),
                ));
            }
        }
        if self.allowed_next(involvement, today).contains(&step.code()) {
            return self.check_details(step);
        }
        let why = match self.next(involvement, today) {
            NextOnPathway::Identify => "Record how the person was identified first".to_string(),
            NextOnPathway::OfferAssessment => "Record the offer of an assessment first".to_string(),
            NextOnPathway::RespectDecline { until } => format!(
                "They declined, and asked not to be offered again before {}",
                crate::dates::long_date(until)
            ),
            NextOnPathway::AwaitAnswer => {
                "Record whether they accepted or declined the offer first".to_string()
            }
            NextOnPathway::Assess => "Record the assessment first".to_string(),
            NextOnPathway::FollowUp | NextOnPathway::Done => {
                "The assessment is recorded: record a follow-up".to_string()
            }
            NextOnPathway::NotOffered => "This person is not offered an assessment".to_string(),
        };
        Err(Invalid::new("step", why))
    }

    fn check_details(&self, step: &PathwayStep) -> Result<(), Invalid> {
        match step {
            PathwayStep::Declined {
                on,
                reason,
                ask_again_from,
            } => {
                if reason.trim().is_empty() {
                    return Err(Invalid::new(
                        "reason",
                        "Enter why they declined, in their words if they gave them",
                    ));
                }
                if ask_again_from <= on {
                    return Err(Invalid::new(
                        "ask_again_from",
                        "The date to offer again from must be after the date they declined",
                    ));
                }
                Ok(())
            }
            PathwayStep::Assessed {
                outcome, detail, ..
            } => {
                let needs_detail = *outcome != AssessmentOutcome::NoFurtherAction;
                if needs_detail && detail.trim().is_empty() {
                    return Err(Invalid::new(
                        "detail",
                        match outcome {
                            AssessmentOutcome::Signposted => "Enter where they were signposted",
                            AssessmentOutcome::ReferredOn => "Enter where they were referred",
                            _ => "Enter what support was offered",
                        },
                    ));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// A pathway step as the form sends it: every box as typed, kept to show again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct PathwayInput {
    pub step: String,
    pub on_day: String,
    pub on_month: String,
    pub on_year: String,
    pub how: String,
    pub method: String,
    pub reason: String,
    pub again_day: String,
    pub again_month: String,
    pub again_year: String,
    pub outcome: String,
    pub detail: String,
    pub note: String,
    /// With an offer: "not_yet", "accepted" or "declined" (answered there and then).
    pub answer: String,
    /// Why the step is dated before the family's referral, when it is.
    #[serde(rename = "before_referral_reason")]
    pub before_referral: String,
    /// Whether an interpreter was used, for a contact with someone who needs one.
    #[serde(flatten)]
    pub interpreter: crate::interpreters::InterpreterInput,
    /// Information topic codes ticked.
    pub topics: Vec<String>,
    /// Local services given, one a line.
    pub services: String,
}

impl PathwayInput {
    /// The information and local services ticked and written, or the problem with them.
    pub fn given(&self) -> Result<InformationGiven, Invalid> {
        let mut topics = Vec::new();
        for code in &self.topics {
            let Some(topic) = InformationTopic::from_code(code) else {
                return Err(Invalid::new(
                    "topics",
                    "Select only information topics from the list",
                ));
            };
            if !topics.contains(&topic) {
                topics.push(topic);
            }
        }
        let services: Vec<String> = self
            .services
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_string)
            .collect();
        if services.len() > 20 || services.iter().any(|s| s.chars().count() > 300) {
            return Err(Invalid::new(
                "services",
                "Enter up to 20 local services, one a line, each under 300 characters",
            ));
        }
        Ok(InformationGiven { topics, services })
    }

    /// The steps as typed (an offer with the answer given there and then is two) with the
    /// information given, or every problem with what was typed. Whether they may come next is
    /// [`Pathway::check`]'s question.
    pub fn parse(&self) -> Result<(Vec<PathwayStep>, InformationGiven), Problems> {
        let mut problems = Problems::default();
        let given = problems.take(self.given());
        let on = problems.take(parse_date_parts(
            "on",
            "Date of this step",
            &self.on_day,
            &self.on_month,
            &self.on_year,
        ));
        let mut choose = |field: &'static str, found: bool, message: &str| {
            if !found {
                problems.push(Invalid::new(field, message));
            }
        };
        let step = match self.step.as_str() {
            "identified" => {
                let how = IdentifiedHow::from_code(&self.how);
                choose("how", how.is_some(), "Select how they were identified");
                how.zip(on)
                    .map(|(how, on)| PathwayStep::Identified { on, how })
            }
            "offered" => {
                let method = OfferMethod::from_code(&self.method);
                choose(
                    "method",
                    method.is_some(),
                    "Select how the assessment was offered",
                );
                method
                    .zip(on)
                    .map(|(method, on)| PathwayStep::Offered { on, method })
            }
            "accepted" => on.map(|on| PathwayStep::Accepted { on }),
            "declined" => self.declined(on, &mut problems),
            "assessed" => {
                let outcome = AssessmentOutcome::from_code(&self.outcome);
                choose(
                    "outcome",
                    outcome.is_some(),
                    "Select what the assessment led to",
                );
                outcome.zip(on).map(|(outcome, on)| PathwayStep::Assessed {
                    on,
                    outcome,
                    detail: self.detail.trim().to_string(),
                })
            }
            "followed_up" => on.map(|on| PathwayStep::FollowedUp {
                on,
                note: self.note.trim().to_string(),
            }),
            _ => {
                problems.push(Invalid::new("step", "Select what happened"));
                None
            }
        };
        let answer = match (self.step.as_str(), self.answer.as_str()) {
            ("offered", "accepted") => on.map(|on| Some(PathwayStep::Accepted { on })),
            ("offered", "declined") => self.declined(on, &mut problems).map(Some),
            (_, "" | "not_yet") => Some(None),
            _ => {
                problems.push(Invalid::new(
                    "answer",
                    "Select whether they accepted, declined or have not answered yet",
                ));
                None
            }
        };
        let steps = match (step, answer) {
            (Some(step), Some(answer)) => problems.take(offer_with_answer(step, answer)),
            _ => None,
        };
        match (steps, given) {
            (Some(steps), Some(given)) if problems.is_empty() => Ok((steps, given)),
            _ => Err(problems),
        }
    }

    /// A decline on `on` (when that date was read) with its reason and the date to offer again
    /// from, or the problem with that date in `problems`.
    fn declined(&self, on: Option<Date>, problems: &mut Problems) -> Option<PathwayStep> {
        let again = problems.take(parse_date_parts(
            "ask_again_from",
            "Date to offer again from",
            &self.again_day,
            &self.again_month,
            &self.again_year,
        ));
        on.zip(again)
            .map(|(on, ask_again_from)| PathwayStep::Declined {
                on,
                reason: self.reason.trim().to_string(),
                ask_again_from,
            })
    }
}

/// The partner pathway figures for one team and month (the NHS Long Term Plan commitment:
/// partners identified, offered an assessment, assessed, signposted or supported). Each
/// counts people, not steps: someone offered twice in a month counts once. The counting rules
/// are written in `docs/reporting.md`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MonthFigures {
    pub team_id: crate::TeamId,
    /// "2026-11".
    pub month: String,
    #[serde(flatten)]
    pub counts: StepCounts,
}

/// The people at each step in one row of the figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StepCounts {
    pub identified: u32,
    pub offered: u32,
    pub accepted: u32,
    pub declined: u32,
    pub assessed: u32,
    pub signposted: u32,
    pub supported: u32,
    pub referred_on: u32,
}

impl StepCounts {
    /// In the figures' column order.
    pub fn in_order(&self) -> [u32; 8] {
        [
            self.identified,
            self.offered,
            self.accepted,
            self.declined,
            self.assessed,
            self.signposted,
            self.supported,
            self.referred_on,
        ]
    }
}

/// Counts steps into rows keyed by `key` (team and month, team and ethnicity…): each person
/// once per row for each step and outcome, however many times they took it.
fn count_people<K: Ord + Clone>(
    steps: impl Iterator<Item = (K, PersonId, PathwayStep)>,
) -> std::collections::BTreeMap<K, StepCounts> {
    use std::collections::{BTreeMap, BTreeSet};
    let mut counted: BTreeSet<(K, &'static str, PersonId)> = BTreeSet::new();
    for (key, person, step) in steps {
        counted.insert((key.clone(), step.code(), person));
        if let PathwayStep::Assessed { outcome, .. } = step {
            let what = match outcome {
                AssessmentOutcome::Signposted => "signposted",
                AssessmentOutcome::SupportOffered => "supported",
                AssessmentOutcome::ReferredOn => "referred_on",
                AssessmentOutcome::NoFurtherAction => continue,
            };
            counted.insert((key, what, person));
        }
    }
    let mut rows: BTreeMap<K, StepCounts> = BTreeMap::new();
    for (key, what, _) in counted {
        let row = rows.entry(key).or_default();
        let slot = match what {
            "identified" => &mut row.identified,
            "offered" => &mut row.offered,
            "accepted" => &mut row.accepted,
            "declined" => &mut row.declined,
            "assessed" => &mut row.assessed,
            "signposted" => &mut row.signposted,
            "supported" => &mut row.supported,
            "referred_on" => &mut row.referred_on,
            _ => continue,
        };
        *slot += 1;
    }
    rows
}

/// Counts recorded steps — (team, person, step) — into figures by team and month, newest
/// month first.
pub fn month_figures(steps: &[(crate::TeamId, PersonId, PathwayStep)]) -> Vec<MonthFigures> {
    let keyed = steps.iter().map(|(team, person, step)| {
        let month = format!("{:04}-{:02}", step.on().year(), u8::from(step.on().month()));
        ((*team, month), *person, step.clone())
    });
    let mut rows: Vec<MonthFigures> = count_people(keyed)
        .into_iter()
        .map(|((team_id, month), counts)| MonthFigures {
            team_id,
            month,
            counts,
        })
        .collect();
    rows.sort_by(|a, b| b.month.cmp(&a.month).then(a.team_id.0.cmp(&b.team_id.0)));
    rows
}

/// The pathway figures of one team over the whole period, for one ethnic group: what the
/// equity goal asks (are partners of every background identified, offered and assessed
/// alike?). People whose ethnicity is not recorded are a row of their own, never dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EthnicityFigures {
    pub team_id: crate::TeamId,
    /// The NHS ethnic category, or `None` when it is not recorded.
    pub ethnicity: Option<crate::person::EthnicCategory>,
    #[serde(flatten)]
    pub counts: StepCounts,
}

impl EthnicityFigures {
    /// The group as the report names it.
    pub fn group(&self) -> &'static str {
        self.ethnicity.map(|e| e.label()).unwrap_or("Not recorded")
    }
}

/// Counts recorded steps — (team, person, step), with each person's ethnicity as recorded —
/// into figures by team and ethnic group over the whole period, in the NHS category order
/// with "not recorded" last.
pub fn ethnicity_figures(
    steps: &[(crate::TeamId, PersonId, PathwayStep)],
    ethnicity_of: impl Fn(PersonId) -> Option<crate::person::EthnicCategory>,
) -> Vec<EthnicityFigures> {
    let order = |e: Option<crate::person::EthnicCategory>| {
        e.and_then(|e| {
            crate::person::EthnicCategory::ALL
                .iter()
                .position(|c| *c == e)
        })
        .unwrap_or(crate::person::EthnicCategory::ALL.len())
    };
    let keyed = steps.iter().map(|(team, person, step)| {
        let ethnicity = ethnicity_of(*person);
        ((*team, order(ethnicity)), *person, step.clone())
    });
    count_people(keyed)
        .into_iter()
        .map(|((team_id, position), counts)| EthnicityFigures {
            team_id,
            ethnicity: crate::person::EthnicCategory::ALL.get(position).copied(),
            counts,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const MAY: Involvement = Involvement {
        may_contact: true,
        may_involve: true,
    };
    const TODAY: Date = date!(2026 - 11 - 26);

    fn with(steps: &[PathwayStep]) -> Pathway {
        Pathway {
            steps: steps
                .iter()
                .map(|step| RecordedStep {
                    step: step.clone(),
                    recorded_by: StaffId::new(),
                    recorded_by_name: "Priya Shah".to_string(),
                    recorded_at_millis: 0,
                    given: InformationGiven::default(),
                    before_referral_reason: String::new(),
                    interpreter: None,
                })
                .collect(),
        }
    }

    fn identified() -> PathwayStep {
        PathwayStep::Identified {
            on: date!(2026 - 10 - 01),
            how: IdentifiedHow::AtReferral,
        }
    }

    fn offered(on: Date) -> PathwayStep {
        PathwayStep::Offered {
            on,
            method: OfferMethod::InPerson,
        }
    }

    #[test]
    fn the_steps_come_in_order_and_the_next_one_is_shown() {
        let mut pathway = with(&[]);
        let steps = [
            identified(),
            offered(date!(2026 - 10 - 02)),
            PathwayStep::Accepted {
                on: date!(2026 - 10 - 03),
            },
            PathwayStep::Assessed {
                on: date!(2026 - 10 - 10),
                outcome: AssessmentOutcome::SupportOffered,
                detail: "Video feedback (VIPP) with the baby".to_string(),
            },
        ];
        let expected_next = [
            NextOnPathway::OfferAssessment,
            NextOnPathway::AwaitAnswer,
            NextOnPathway::Assess,
            NextOnPathway::FollowUp,
        ];
        for (step, next) in steps.iter().zip(expected_next) {
            pathway.check(step, MAY, TODAY).unwrap();
            pathway = with(
                &pathway
                    .steps
                    .iter()
                    .map(|s| s.step.clone())
                    .chain([step.clone()])
                    .collect::<Vec<_>>(),
            );
            assert_eq!(pathway.next(MAY, TODAY), next);
        }
    }

    #[test]
    fn a_step_out_of_order_is_refused_saying_what_comes_first() {
        let pathway = with(&[identified()]);
        let problem = pathway
            .check(
                &PathwayStep::Accepted {
                    on: date!(2026 - 10 - 03),
                },
                MAY,
                TODAY,
            )
            .unwrap_err();
        assert_eq!(problem.message, "Record the offer of an assessment first");
    }

    #[test]
    fn a_decline_is_respected_until_the_date_set() {
        let pathway = with(&[
            identified(),
            offered(date!(2026 - 10 - 02)),
            PathwayStep::Declined {
                on: date!(2026 - 10 - 03),
                reason: "Wants to focus on the baby for now".to_string(),
                ask_again_from: date!(2027 - 01 - 03),
            },
        ]);
        assert_eq!(
            pathway.next(MAY, TODAY),
            NextOnPathway::RespectDecline {
                until: date!(2027 - 01 - 03)
            }
        );
        let problem = pathway.check(&offered(TODAY), MAY, TODAY).unwrap_err();
        assert!(
            problem.message.contains("3 January 2027"),
            "{}",
            problem.message
        );
        let later = date!(2027 - 01 - 04);
        pathway.check(&offered(later), MAY, later).unwrap();
    }

    #[test]
    fn nobody_marked_do_not_contact_is_put_on_the_pathway() {
        let restricted = Involvement {
            may_contact: false,
            may_involve: true,
        };
        let pathway = with(&[]);
        assert_eq!(pathway.next(restricted, TODAY), NextOnPathway::NotOffered);
        assert!(pathway.check(&identified(), restricted, TODAY).is_err());
    }

    #[test]
    fn a_decline_needs_a_reason_and_an_outcome_needs_its_detail() {
        let offered_pathway = with(&[identified(), offered(date!(2026 - 10 - 02))]);
        let problem = offered_pathway
            .check(
                &PathwayStep::Declined {
                    on: date!(2026 - 10 - 03),
                    reason: " ".to_string(),
                    ask_again_from: date!(2027 - 01 - 03),
                },
                MAY,
                TODAY,
            )
            .unwrap_err();
        assert_eq!(problem.field, "reason");
        let accepted = with(&[
            identified(),
            offered(date!(2026 - 10 - 02)),
            PathwayStep::Accepted {
                on: date!(2026 - 10 - 03),
            },
        ]);
        let problem = accepted
            .check(
                &PathwayStep::Assessed {
                    on: date!(2026 - 10 - 10),
                    outcome: AssessmentOutcome::Signposted,
                    detail: String::new(),
                },
                MAY,
                TODAY,
            )
            .unwrap_err();
        assert_eq!(problem.message, "Enter where they were signposted");
    }

    #[test]
    fn a_typed_step_names_each_missing_part() {
        let typed = PathwayInput {
            step: "declined".to_string(),
            on_day: "3".to_string(),
            on_month: "10".to_string(),
            on_year: "2026".to_string(),
            ..PathwayInput::default()
        };
        let problems = typed.parse().unwrap_err();
        assert_eq!(
            problems.message_for("ask_again_from"),
            Some("Enter date to offer again from")
        );
        let offered = PathwayInput {
            step: "offered".to_string(),
            ..PathwayInput::default()
        };
        let problems = offered.parse().unwrap_err();
        assert_eq!(problems.message_for("on"), Some("Enter date of this step"));
        assert_eq!(
            problems.message_for("method"),
            Some("Select how the assessment was offered")
        );
    }

    #[test]
    fn an_offer_answered_there_and_then_is_two_steps_from_one_form() {
        let typed = |answer: &str| PathwayInput {
            step: "offered".to_string(),
            on_day: "3".to_string(),
            on_month: "10".to_string(),
            on_year: "2026".to_string(),
            method: "in_person".to_string(),
            answer: answer.to_string(),
            reason: "Wants to wait until he is back at work".to_string(),
            again_day: "1".to_string(),
            again_month: "1".to_string(),
            again_year: "2027".to_string(),
            ..PathwayInput::default()
        };
        let codes = |answer: &str| -> Vec<&'static str> {
            let (steps, _) = typed(answer).parse().unwrap();
            steps.iter().map(PathwayStep::code).collect()
        };
        assert_eq!(codes("not_yet"), ["offered"]);
        assert_eq!(codes(""), ["offered"]);
        assert_eq!(codes("accepted"), ["offered", "accepted"]);
        assert_eq!(codes("declined"), ["offered", "declined"]);
        let (steps, _) = typed("declined").parse().unwrap();
        assert_eq!(steps[1].on(), date!(2026 - 10 - 03));
        // Both steps pass the pathway's order, one after the other.
        let mut pathway = with(&[identified()]);
        for step in steps {
            pathway.check(&step, MAY, TODAY).unwrap();
            pathway = with(
                &pathway
                    .steps
                    .iter()
                    .map(|s| s.step.clone())
                    .chain([step])
                    .collect::<Vec<_>>(),
            );
        }
        assert_eq!(pathway.current().map(PathwayStep::code), Some("declined"));
        // Only an offer carries an answer, and only an acceptance or a decline answers it.
        let wrong = offer_with_answer(identified(), Some(PathwayStep::Accepted { on: TODAY }));
        assert_eq!(wrong.unwrap_err().field, "answer");
        let wrong = offer_with_answer(
            offered(TODAY),
            Some(PathwayStep::FollowedUp {
                on: TODAY,
                note: String::new(),
            }),
        );
        assert_eq!(wrong.unwrap_err().field, "answer");
        let mut odd = typed("maybe");
        assert!(odd.parse().unwrap_err().message_for("answer").is_some());
        odd.answer = "declined".to_string();
        odd.again_year = String::new();
        assert!(odd
            .parse()
            .unwrap_err()
            .message_for("ask_again_from")
            .is_some());
    }

    #[test]
    fn a_step_before_the_referral_needs_a_reason() {
        let referral = Some(date!(2026 - 03 - 12));
        assert!(check_against_referral(date!(2026 - 03 - 12), referral, Some("")).is_ok());
        assert!(check_against_referral(date!(2025 - 03 - 12), None, Some("")).is_ok());
        // Where no reason can be given (the full assessment), the date itself is refused.
        let no_box = check_against_referral(date!(2026 - 03 - 11), referral, None).unwrap_err();
        assert_eq!(no_box.field, "on");
        let refused =
            check_against_referral(date!(2026 - 03 - 11), referral, Some(" ")).unwrap_err();
        assert_eq!(refused.field, "before_referral_reason");
        assert!(
            refused.message.contains("12 March 2026"),
            "{}",
            refused.message
        );
        assert!(check_against_referral(
            date!(2026 - 03 - 11),
            referral,
            Some("Named by the health visitor before the referral")
        )
        .is_ok());
        assert!(
            check_against_referral(date!(2026 - 03 - 11), referral, Some(&"x".repeat(501)))
                .is_err()
        );
    }

    #[test]
    fn partners_are_always_offered_the_pathway_and_others_where_the_team_chooses() {
        use RelationshipKind::*;
        assert!(offered_to([Father], &[]));
        assert!(offered_to([CoParent], &[]));
        assert!(!offered_to([Grandparent], &[]));
        assert!(offered_to([Grandparent], &[Grandparent]));
        assert!(!offered_to([Friend], &[Grandparent]));
        assert!(!offered_to([], &[Grandparent]));
        // Stored without the partner kinds; unknown codes are dropped on reading.
        assert_eq!(
            roles_text(&[Father, Grandparent, Sibling]),
            "grandparent sibling"
        );
        assert_eq!(
            roles_from_text("grandparent uncle partner sibling"),
            vec![Grandparent, Sibling]
        );
    }

    #[test]
    fn information_given_is_read_from_the_boxes_ticked_and_one_service_a_line() {
        let typed = PathwayInput {
            topics: vec![
                "urgent_help".into(),
                "peer_support".into(),
                "urgent_help".into(),
            ],
            services: "Dads Matter, Tuesdays\n\n  Local Mind: 0113 000 0000  \n".into(),
            ..PathwayInput::default()
        };
        let given = typed.given().unwrap();
        assert_eq!(
            given.topics,
            vec![InformationTopic::UrgentHelp, InformationTopic::PeerSupport]
        );
        assert_eq!(
            given.services,
            vec!["Dads Matter, Tuesdays", "Local Mind: 0113 000 0000"]
        );
        assert!(given.summary().starts_with("Where to get urgent help"));
        let unknown = PathwayInput {
            topics: vec!["leaflet".into()],
            ..PathwayInput::default()
        };
        assert_eq!(unknown.given().unwrap_err().field, "topics");
    }

    #[test]
    fn dates_cannot_go_backwards_or_into_the_future() {
        let pathway = with(&[identified()]);
        assert_eq!(
            pathway
                .check(&offered(date!(2026 - 09 - 30)), MAY, TODAY)
                .unwrap_err()
                .field,
            "on"
        );
        assert_eq!(
            pathway
                .check(&offered(date!(2026 - 11 - 27)), MAY, TODAY)
                .unwrap_err()
                .message,
            "The date must be today or in the past"
        );
    }

    #[test]
    fn people_are_counted_once_a_month_for_each_step_and_outcome() {
        let team = crate::TeamId::new();
        let (tunde, sam) = (PersonId::new(), PersonId::new());
        let offered = |on| PathwayStep::Offered {
            on,
            method: OfferMethod::Phone,
        };
        let steps = vec![
            (team, tunde, offered(date!(2026 - 11 - 02))),
            (team, tunde, offered(date!(2026 - 11 - 20))),
            (team, sam, offered(date!(2026 - 10 - 30))),
            (
                team,
                tunde,
                PathwayStep::Assessed {
                    on: date!(2026 - 11 - 25),
                    outcome: AssessmentOutcome::SupportOffered,
                    detail: "VIPP".to_string(),
                },
            ),
        ];
        let figures = month_figures(&steps);
        assert_eq!(figures.len(), 2);
        assert_eq!(figures[0].month, "2026-11");
        assert_eq!(
            (
                figures[0].counts.offered,
                figures[0].counts.assessed,
                figures[0].counts.supported,
                figures[0].counts.signposted
            ),
            (1, 1, 1, 0),
            "offered twice in a month counts once"
        );
        assert_eq!(
            (figures[1].month.as_str(), figures[1].counts.offered),
            ("2026-10", 1)
        );
    }

    #[test]
    fn the_figures_by_ethnicity_count_each_person_once_and_keep_those_not_recorded() {
        use crate::person::EthnicCategory;
        let team = crate::TeamId::new();
        let (tunde, sam, kofi) = (PersonId::new(), PersonId::new(), PersonId::new());
        let offered = |on| PathwayStep::Offered {
            on,
            method: OfferMethod::Phone,
        };
        let steps = vec![
            (team, tunde, identified()),
            (team, tunde, offered(date!(2026 - 10 - 02))),
            // Offered again in another month: still one person offered.
            (team, tunde, offered(date!(2026 - 11 - 20))),
            (team, kofi, identified()),
            (team, sam, identified()),
            (team, sam, offered(date!(2026 - 10 - 30))),
        ];
        let figures = ethnicity_figures(&steps, |person| {
            if person == tunde || person == kofi {
                Some(EthnicCategory::BlackAfrican)
            } else {
                None
            }
        });
        let rows: Vec<(&str, u32, u32)> = figures
            .iter()
            .map(|f| (f.group(), f.counts.identified, f.counts.offered))
            .collect();
        assert_eq!(
            rows,
            [
                ("Black or Black British: African", 2, 1),
                ("Not recorded", 1, 1)
            ]
        );
    }
}
