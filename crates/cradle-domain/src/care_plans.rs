//! Family-focused care plans: goals agreed with the family at assessment, rated on the
//! Goal-Based Outcomes scale (0 to 10) at the start and at every review; sessions with
//! whoever attended; and the review that falls due after a team-set number of attended
//! sessions (six unless the team says otherwise). A nursery nursing plan is a care plan with
//! its own assessment, a planned number of sessions and a closing summary.
//!
//! Cradle records the family's ratings exactly as they give them: it adds nothing up.

use crate::conversations::Seen;
use crate::dates::parse_date_parts;
use crate::entries::Member;
use crate::network::{choices, FamilyRecord};
use crate::text::{optional_text, required_text};
use crate::{Invalid, Problems};
use serde::{Deserialize, Serialize};
use time::{Date, Duration};
use uuid::Uuid;

/// Attended sessions between reviews unless the team sets another number.
pub const DEFAULT_SESSIONS_BEFORE_REVIEW: u32 = 6;

pub fn default_sessions_before_review() -> u32 {
    DEFAULT_SESSIONS_BEFORE_REVIEW
}

/// The most text a goal's words, a session's notes or a summary may hold.
const WORDS_LIMIT: usize = 1_000;
const NOTES_LIMIT: usize = 10_000;

choices!(
    /// What sort of plan it is.
    PlanKind {
        Family => ("family", "Family care plan"),
        NurseryNursing => ("nursery_nursing", "Nursery nursing plan"),
    }
);

choices!(
    /// Whether the work prepares for the baby or follows the birth.
    Focus {
        Antenatal => ("antenatal", "Antenatal"),
        Postnatal => ("postnatal", "Postnatal"),
    }
);

choices!(
    /// What a goal is about.
    GoalArea {
        PreparingPractically => ("preparing_practically", "Getting ready for the baby: practical things"),
        PreparingEmotionally => ("preparing_emotionally", "Getting ready for the baby: feelings and expectations"),
        Bonding => ("bonding", "Getting to know and bond with the baby"),
        Confidence => ("confidence", "Confidence in caring for the baby"),
        SharingCare => ("sharing_care", "Sharing the baby's care"),
        Other => ("other", "Something else"),
    }
);

choices!(
    /// Where a session took place.
    Place {
        Home => ("home", "At home"),
        Clinic => ("clinic", "In clinic"),
        Ward => ("ward", "On the ward"),
        Video => ("video", "On a video call"),
    }
);

choices!(
    /// Whether a session happened. Only attended sessions count towards a review.
    Attendance {
        Attended => ("attended", "Attended"),
        DidNotAttend => ("did_not_attend", "Did not attend"),
        CancelledByFamily => ("cancelled_by_family", "Cancelled by the family"),
        CancelledByTeam => ("cancelled_by_team", "Cancelled by the team"),
    }
);

choices!(
    /// What a review decided.
    ReviewDecision {
        Continue => ("continue", "Carry on with the plan"),
        NewGoals => ("new_goals", "Agree new goals"),
        StepDown => ("step_down", "Step down to less frequent support"),
        Discharge => ("discharge", "Discharge"),
    }
);

/// One Goal-Based Outcomes rating: 0 (no progress towards the goal) to 10 (goal reached),
/// given by a family member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Rating {
    pub score: u8,
    pub rated_by: Member,
    #[serde(with = "crate::family::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub rated_on: Date,
}

/// A goal in the family's own words, for one person, a couple or the whole family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Goal {
    pub id: Uuid,
    /// Whose goal it is; empty for the whole family.
    pub who: Vec<Member>,
    pub words: String,
    pub area: GoalArea,
    /// Who agreed it, as the clinician records it ("Amara and Tunde").
    pub agreed_by: String,
    #[serde(with = "crate::family::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub agreed_on: Date,
    /// The rating when the goal was agreed.
    pub baseline: Rating,
    /// Starting ratings from the goal's other people, when more than one rated it (each
    /// partner may rate a couple's goal).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more_baselines: Vec<Rating>,
    pub recorded_by: String,
    pub recorded_at_millis: i64,
}

impl Goal {
    /// Every starting rating: the first given, then the others.
    pub fn baselines(&self) -> impl Iterator<Item = &Rating> {
        std::iter::once(&self.baseline).chain(&self.more_baselines)
    }

    /// Who may rate the goal: the people it belongs to, or for a whole-family goal the mother
    /// and every adult the record lets the team involve.
    pub fn raters(&self, record: &FamilyRecord, today: Date) -> Vec<Member> {
        if !self.who.is_empty() {
            return self.who.clone();
        }
        std::iter::once(Member::Mother)
            .chain(
                record
                    .people
                    .iter()
                    .filter(|p| record.involvement(p.id).may_involve)
                    .filter(|p| !record.is_child(p.id, today))
                    .map(|p| Member::Person(p.id)),
            )
            .collect()
    }

    /// Whether the goal is this member's: one of the people it names, or anyone's for a
    /// whole-family goal. Only they may rate it.
    pub fn belongs_to(&self, member: Member) -> bool {
        self.who.is_empty() || self.who.contains(&member)
    }

    /// Whether the goal may go into material for everyone in `recipients` together: a goal
    /// for one person or a couple is theirs, so it reaches a group only if it belongs to
    /// every member of the group; a whole-family goal reaches any group.
    pub fn reaches(&self, recipients: &[Member]) -> bool {
        crate::entries::reaches_everyone(recipients, |member| self.belongs_to(member))
    }
}

/// A session, attended or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CareSession {
    pub id: Uuid,
    #[serde(with = "crate::family::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub held_on: Date,
    /// Where it was (or was planned, for one that did not take place, when given).
    #[serde(default)]
    pub place: Option<Place>,
    pub attendance: Attendance,
    /// Who came (empty when it did not happen).
    pub attendees: Vec<Member>,
    pub seen: Seen,
    /// The goals it worked on.
    pub goals: Vec<Uuid>,
    /// The family members' interventions it worked on.
    #[serde(default)]
    pub interventions: Vec<Uuid>,
    pub focus: Focus,
    pub notes: String,
    #[serde(with = "crate::family::optional_iso_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub next_contact: Option<Date>,
    /// Whether an interpreter was used, when anyone there needed one or it was recorded.
    #[serde(default)]
    pub interpreter: Option<crate::interpreters::InterpreterUse>,
    pub recorded_by: String,
    pub recorded_at_millis: i64,
}

/// A review of the plan, rating every goal that was active.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Review {
    pub id: Uuid,
    #[serde(with = "crate::family::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub reviewed_on: Date,
    /// (goal, its rating at this review), one for each goal active at the time.
    pub ratings: Vec<(Uuid, Rating)>,
    pub what_changed: String,
    pub decision: ReviewDecision,
    /// Attended sessions since the review before (or the start).
    pub sessions_counted: u32,
    pub recorded_by: String,
    pub recorded_at_millis: i64,
}

/// How a plan ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanClosure {
    #[serde(with = "crate::family::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub closed_on: Date,
    pub summary: String,
    pub closed_by: String,
}

/// A care plan and everything recorded against it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CarePlan {
    pub id: Uuid,
    pub kind: PlanKind,
    pub focus: Focus,
    /// When the plan was agreed at assessment.
    #[serde(with = "crate::family::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub agreed_on: Date,
    /// Nursery nursing: the assessment, the number of sessions planned, and whether the
    /// work is support after a Mother and Baby Unit stay.
    pub assessment: Option<String>,
    pub planned_sessions: Option<u32>,
    pub after_mbu: bool,
    pub goals: Vec<Goal>,
    /// Oldest first.
    pub sessions: Vec<CareSession>,
    /// Oldest first.
    pub reviews: Vec<Review>,
    pub closure: Option<PlanClosure>,
    pub created_by: String,
    pub created_at_millis: i64,
}

/// Whether a plan's review is due, as the caseload and the family page say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewStatus {
    /// Fewer attended sessions than the team's number since the last review.
    NotYet { attended: u32, of: u32 },
    /// The team's number of attended sessions reached: review at the next contact.
    Due { attended: u32 },
    /// More attended sessions than the team's number without a review.
    Overdue { attended: u32, of: u32 },
}

impl ReviewStatus {
    pub fn from_count(attended: u32, of: u32) -> Self {
        let of = of.max(1);
        if attended > of {
            ReviewStatus::Overdue { attended, of }
        } else if attended == of {
            ReviewStatus::Due { attended }
        } else {
            ReviewStatus::NotYet { attended, of }
        }
    }

    pub fn is_due(self) -> bool {
        !matches!(self, ReviewStatus::NotYet { .. })
    }
}

impl CarePlan {
    pub fn is_open(&self) -> bool {
        self.closure.is_none()
    }

    pub fn goal(&self, id: Uuid) -> Option<&Goal> {
        self.goals.iter().find(|g| g.id == id)
    }

    /// The goals to rate at the next review. (Every goal stays active while the plan is open;
    /// a review that agrees new goals adds to them.)
    pub fn active_goals(&self) -> impl Iterator<Item = &Goal> {
        self.goals.iter()
    }

    /// The day of the latest review, if any: sessions held after it count towards the next.
    pub fn last_reviewed_on(&self) -> Option<Date> {
        self.reviews.iter().map(|r| r.reviewed_on).max()
    }

    /// Attended sessions held after the last review (or since the plan began). Did-not-attend
    /// and cancelled sessions never count. The database keeps the same count for the
    /// caseload (`care_plans.attended_since_review`), by the same rule.
    pub fn attended_since_review(&self) -> u32 {
        let after = self.last_reviewed_on();
        let count = self
            .sessions
            .iter()
            .filter(|s| s.attendance == Attendance::Attended)
            .filter(|s| after.is_none_or(|day| s.held_on > day))
            .count();
        u32::try_from(count).unwrap_or(u32::MAX)
    }

    pub fn attended_in_all(&self) -> u32 {
        let count = self
            .sessions
            .iter()
            .filter(|s| s.attendance == Attendance::Attended)
            .count();
        u32::try_from(count).unwrap_or(u32::MAX)
    }

    pub fn review_status(&self, sessions_before_review: u32) -> ReviewStatus {
        ReviewStatus::from_count(self.attended_since_review(), sessions_before_review)
    }

    /// The next planned contact: the one written on the most recent session.
    pub fn next_contact(&self) -> Option<Date> {
        self.sessions
            .iter()
            .max_by_key(|s| (s.held_on, s.recorded_at_millis))
            .and_then(|s| s.next_contact)
    }

    /// The ratings the newest review to rate a goal gave it, one from each person who rated it
    /// there; `None` when no review has rated it yet.
    pub fn newest_review_ratings_of(&self, goal: Uuid) -> Option<Vec<Rating>> {
        let of_goal = |review: &&Review| review.ratings.iter().any(|(g, _)| *g == goal);
        let newest = self
            .reviews
            .iter()
            .filter(of_goal)
            .max_by_key(|r| (r.reviewed_on, r.recorded_at_millis))?;
        Some(
            newest
                .ratings
                .iter()
                .filter(|(g, _)| *g == goal)
                .map(|(_, rating)| *rating)
                .collect(),
        )
    }

    /// Each goal's ratings in order: the starting ones, then those of each review that rated
    /// it (one from each person who rated it there).
    pub fn ratings_of(&self, goal: Uuid) -> Vec<Rating> {
        let mut ratings: Vec<Rating> = self
            .goal(goal)
            .map(|g| g.baselines().copied().collect())
            .unwrap_or_default();
        let mut reviews: Vec<&Review> = self.reviews.iter().collect();
        reviews.sort_by_key(|r| (r.reviewed_on, r.recorded_at_millis));
        for review in reviews {
            ratings.extend(
                review
                    .ratings
                    .iter()
                    .filter(|(g, _)| *g == goal)
                    .map(|(_, rating)| *rating),
            );
        }
        ratings
    }
}

/// What the caseload shows as the next thing due for a family's care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextDue {
    ReviewOverdue,
    ReviewDue,
    /// The next planned contact; `passed` when its day has gone with nothing recorded since.
    Contact {
        on: Date,
        passed: bool,
    },
    /// An open plan with no contact planned.
    NothingPlanned,
    /// No open care plan; `ended` is when the last one ended, if the family has had one.
    NoPlan {
        ended: Option<Date>,
    },
}

impl NextDue {
    /// From what the caseload keeps for a family: the most attended sessions since review
    /// across its open plans, the earliest next contact, how many plans are open, and when
    /// the last plan to end ended.
    pub fn from_counts(
        attended_since_review: u32,
        sessions_before_review: u32,
        next_contact: Option<Date>,
        open_plans: u32,
        last_ended: Option<Date>,
        today: Date,
    ) -> Self {
        if open_plans == 0 {
            return NextDue::NoPlan { ended: last_ended };
        }
        match ReviewStatus::from_count(attended_since_review, sessions_before_review) {
            ReviewStatus::Overdue { .. } => NextDue::ReviewOverdue,
            ReviewStatus::Due { .. } => NextDue::ReviewDue,
            ReviewStatus::NotYet { .. } => match next_contact {
                Some(on) => NextDue::Contact {
                    on,
                    passed: on < today,
                },
                None => NextDue::NothingPlanned,
            },
        }
    }

    /// The same, from the family's whole record (the family page).
    pub fn for_record(record: &FamilyRecord, today: Date) -> Self {
        let open: Vec<&CarePlan> = record.plans.iter().filter(|p| p.is_open()).collect();
        let attended = open
            .iter()
            .map(|p| p.attended_since_review())
            .max()
            .unwrap_or(0);
        let next_contact = open.iter().filter_map(|p| p.next_contact()).min();
        let last_ended = record
            .plans
            .iter()
            .filter_map(|p| p.closure.as_ref().map(|c| c.closed_on))
            .max();
        NextDue::from_counts(
            attended,
            record.sessions_before_review,
            next_contact,
            u32::try_from(open.len()).unwrap_or(u32::MAX),
            last_ended,
            today,
        )
    }

    pub fn label(self) -> String {
        match self {
            NextDue::ReviewOverdue => "Review overdue".to_string(),
            NextDue::ReviewDue => "Review due".to_string(),
            NextDue::Contact { on, passed: false } => {
                format!("Next contact {}", crate::dates::long_date(on))
            }
            NextDue::Contact { on, passed: true } => format!(
                "Planned contact on {} has passed",
                crate::dates::long_date(on)
            ),
            NextDue::NothingPlanned => "No contact planned".to_string(),
            NextDue::NoPlan { ended: None } => "No care plan yet".to_string(),
            NextDue::NoPlan { ended: Some(on) } => {
                format!("Care plan ended {}", crate::dates::long_date(on))
            }
        }
    }

    /// Whether it needs someone's attention (shown as a warning).
    pub fn is_warning(self) -> bool {
        matches!(
            self,
            NextDue::ReviewOverdue | NextDue::ReviewDue | NextDue::Contact { passed: true, .. }
        )
    }
}

fn date(
    field: &'static str,
    label: &str,
    parts: [&str; 3],
    record: &FamilyRecord,
    today: Date,
) -> Result<Date, Invalid> {
    let day = parse_date_parts(field, label, parts[0], parts[1], parts[2])?;
    if day > today {
        return Err(Invalid::new(
            field,
            format!("{label} must be today or in the past"),
        ));
    }
    if let Some(referral) = record.family.referral_date {
        if day < referral {
            return Err(Invalid::new(
                field,
                format!(
                    "{label} must be on or after the referral date, {}",
                    crate::dates::long_date(referral)
                ),
            ));
        }
    }
    Ok(day)
}

/// A Goal-Based Outcomes score as typed: a whole number from 0 to 10.
pub fn parse_score(field: &'static str, what: &str, typed: &str) -> Result<u8, Invalid> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(Invalid::new(
            field,
            format!("Enter a rating from 0 to 10 for {what}"),
        ));
    }
    match typed.parse::<u8>() {
        Ok(score) if score <= 10 => Ok(score),
        _ => Err(Invalid::new(
            field,
            format!("The rating for {what} must be a whole number from 0 to 10"),
        )),
    }
}

/// A family member named in a form, who must be in this family and may be involved.
fn family_member(
    field: &'static str,
    typed: &str,
    record: &FamilyRecord,
) -> Result<Member, Invalid> {
    let member = Member::parse(typed)
        .filter(|m| record.has_member(*m))
        .ok_or_else(|| Invalid::new(field, "Select someone in this family"))?;
    if let Member::Person(person) = member {
        if !record.involvement(person).may_involve {
            return Err(Invalid::new(
                field,
                format!(
                    "{} is marked “do not involve”: they cannot be part of the plan",
                    record.member_name(member)
                ),
            ));
        }
    }
    Ok(member)
}

/// A plan as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanInput {
    pub kind: String,
    pub focus: String,
    pub agreed_day: String,
    pub agreed_month: String,
    pub agreed_year: String,
    pub assessment: String,
    pub planned_sessions: String,
    /// "yes" when a nursery nursing plan is support after a Mother and Baby Unit stay.
    pub after_mbu: String,
}

/// A plan that has passed every check (it has no goals, sessions or reviews yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedPlan {
    pub kind: PlanKind,
    pub focus: Focus,
    pub agreed_on: Date,
    pub assessment: Option<String>,
    pub planned_sessions: Option<u32>,
    pub after_mbu: bool,
}

impl PlanInput {
    pub fn parse(&self, record: &FamilyRecord, today: Date) -> Result<ParsedPlan, Problems> {
        let mut problems = Problems::default();
        let kind = problems.take(
            PlanKind::from_code(&self.kind)
                .ok_or_else(|| Invalid::new("kind", "Select the kind of plan")),
        );
        let focus = problems.take(Focus::from_code(&self.focus).ok_or_else(|| {
            Invalid::new("focus", "Select whether the work is antenatal or postnatal")
        }));
        let agreed_on = problems.take(date(
            "agreed",
            "Date the plan was agreed",
            [&self.agreed_day, &self.agreed_month, &self.agreed_year],
            record,
            today,
        ));
        let nursery = kind == Some(PlanKind::NurseryNursing);
        let assessment = if nursery {
            problems
                .take(required_text(
                    "assessment",
                    "The nursery nursing assessment",
                    &self.assessment,
                    NOTES_LIMIT,
                ))
                .map(Some)
        } else {
            problems.take(optional_text(
                "assessment",
                "The assessment",
                &self.assessment,
                NOTES_LIMIT,
            ))
        };
        let planned_sessions = match (nursery, self.planned_sessions.trim()) {
            (false, "") => Some(None),
            (true, "") => {
                problems.push(Invalid::new(
                    "planned_sessions",
                    "Enter how many sessions are planned",
                ));
                None
            }
            (_, typed) => match typed.parse::<u32>() {
                Ok(n) if (1..=52).contains(&n) => Some(Some(n)),
                _ => {
                    problems.push(Invalid::new(
                        "planned_sessions",
                        "The number of sessions planned must be a whole number from 1 to 52",
                    ));
                    None
                }
            },
        };
        let after_mbu = match self.after_mbu.trim() {
            "yes" => nursery,
            _ => false,
        };
        match (kind, focus, agreed_on, assessment, planned_sessions) {
            (
                Some(kind),
                Some(focus),
                Some(agreed_on),
                Some(assessment),
                Some(planned_sessions),
            ) if problems.is_empty() => Ok(ParsedPlan {
                kind,
                focus,
                agreed_on,
                assessment,
                planned_sessions,
                after_mbu,
            }),
            _ => Err(problems),
        }
    }
}

/// A goal as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GoalInput {
    /// "mother" or people's ids; "family" for the whole family.
    pub who: Vec<String>,
    pub words: String,
    pub area: String,
    pub agreed_by: String,
    /// The date boxes are named as the problem with the date is (`goal_agreed`), apart from
    /// the plan's own date of agreement.
    #[serde(rename = "goal_agreed_day")]
    pub agreed_day: String,
    #[serde(rename = "goal_agreed_month")]
    pub agreed_month: String,
    #[serde(rename = "goal_agreed_year")]
    pub agreed_year: String,
    /// The starting rating (0 to 10) and who gave it.
    pub baseline: String,
    pub baseline_by: String,
    /// Another starting rating, from another person the goal belongs to (optional).
    pub second_baseline: String,
    pub second_baseline_by: String,
}

/// A goal that has passed every check, before it is given an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedGoal {
    pub who: Vec<Member>,
    pub words: String,
    pub area: GoalArea,
    pub agreed_by: String,
    pub agreed_on: Date,
    pub baseline: Rating,
    pub more_baselines: Vec<Rating>,
}

impl GoalInput {
    pub fn parse(
        &self,
        plan: &CarePlan,
        record: &FamilyRecord,
        today: Date,
    ) -> Result<ParsedGoal, Problems> {
        let mut problems = Problems::default();
        let mut who = Vec::new();
        for typed in self.who.iter().filter(|t| !t.trim().is_empty()) {
            if typed.trim() == "family" {
                continue;
            }
            if let Some(member) = problems.take(family_member("who", typed, record)) {
                if !who.contains(&member) {
                    who.push(member);
                }
            }
        }
        if self.who.iter().all(|t| t.trim().is_empty()) {
            problems.push(Invalid::new(
                "who",
                "Select whose goal it is: one person, a couple, or the whole family",
            ));
        }
        if self.who.iter().any(|t| t.trim() == "family") && !who.is_empty() {
            problems.push(Invalid::new(
                "who",
                "Choose either the whole family or the people the goal belongs to, not both",
            ));
        }
        let words = problems.take(required_text(
            "words",
            "The goal, in the family's own words",
            &self.words,
            WORDS_LIMIT,
        ));
        let area = problems.take(
            GoalArea::from_code(&self.area)
                .ok_or_else(|| Invalid::new("area", "Select what the goal is about")),
        );
        let agreed_by = problems.take(required_text(
            "agreed_by",
            "Who agreed the goal",
            &self.agreed_by,
            200,
        ));
        let agreed_on = problems.take(date(
            "goal_agreed",
            "Date the goal was agreed",
            [&self.agreed_day, &self.agreed_month, &self.agreed_year],
            record,
            today,
        ));
        if let Some(day) = agreed_on {
            if day < plan.agreed_on {
                problems.push(Invalid::new(
                    "goal_agreed",
                    format!(
                        "Date the goal was agreed must be on or after the plan was agreed, {}",
                        crate::dates::long_date(plan.agreed_on)
                    ),
                ));
            }
        }
        let score = problems.take(parse_score("baseline", "the start", &self.baseline));
        let rated_by = problems.take(family_member("baseline_by", &self.baseline_by, record));
        let belongs = |field: &'static str, member: Member, problems: &mut Problems| {
            if !who.is_empty() && !who.contains(&member) {
                problems.push(Invalid::new(
                    field,
                    format!(
                        "{} is not one of the people this goal belongs to: the rating must come from one of them",
                        record.member_name(member)
                    ),
                ));
            }
        };
        if let Some(member) = rated_by {
            belongs("baseline_by", member, &mut problems);
        }
        // A second person's starting rating, when the goal is more than one person's.
        let second = match (
            self.second_baseline.trim().is_empty(),
            self.second_baseline_by.trim().is_empty(),
        ) {
            (true, true) => None,
            _ => {
                let score = problems.take(parse_score(
                    "second_baseline",
                    "the second person's start",
                    &self.second_baseline,
                ));
                let by = if self.second_baseline_by.trim().is_empty() {
                    problems.push(Invalid::new(
                        "second_baseline_by",
                        "Select who gave the second starting rating",
                    ));
                    None
                } else {
                    problems.take(family_member(
                        "second_baseline_by",
                        &self.second_baseline_by,
                        record,
                    ))
                };
                if let Some(member) = by {
                    belongs("second_baseline_by", member, &mut problems);
                    if Some(member) == rated_by {
                        problems.push(Invalid::new(
                            "second_baseline_by",
                            "The second starting rating must come from someone else: each person rates the goal once",
                        ));
                    }
                }
                score.zip(by)
            }
        };
        match (words, area, agreed_by, agreed_on, score, rated_by) {
            (
                Some(words),
                Some(area),
                Some(agreed_by),
                Some(agreed_on),
                Some(score),
                Some(rated_by),
            ) if problems.is_empty() => Ok(ParsedGoal {
                who,
                words,
                area,
                agreed_by,
                agreed_on,
                baseline: Rating {
                    score,
                    rated_by,
                    rated_on: agreed_on,
                },
                more_baselines: second
                    .map(|(score, rated_by)| Rating {
                        score,
                        rated_by,
                        rated_on: agreed_on,
                    })
                    .into_iter()
                    .collect(),
            }),
            _ => Err(problems),
        }
    }
}

/// A session as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionInput {
    pub held_day: String,
    pub held_month: String,
    pub held_year: String,
    pub place: String,
    pub attendance: String,
    pub attendees: Vec<String>,
    pub seen: String,
    pub goals: Vec<String>,
    /// Family members' interventions (ids) the session worked on.
    pub interventions: Vec<String>,
    pub focus: String,
    pub notes: String,
    pub next_day: String,
    pub next_month: String,
    pub next_year: String,
    #[serde(flatten)]
    pub interpreter: crate::interpreters::InterpreterInput,
}

/// A session that has passed every check, before it is given an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedSession {
    pub held_on: Date,
    pub place: Option<Place>,
    pub attendance: Attendance,
    pub attendees: Vec<Member>,
    pub seen: Seen,
    pub goals: Vec<Uuid>,
    pub interventions: Vec<Uuid>,
    pub focus: Focus,
    pub notes: String,
    pub next_contact: Option<Date>,
    pub interpreter: Option<crate::interpreters::InterpreterUse>,
}

impl SessionInput {
    pub fn parse(
        &self,
        plan: &CarePlan,
        record: &FamilyRecord,
        today: Date,
    ) -> Result<ParsedSession, Problems> {
        let mut problems = Problems::default();
        let held_on = problems.take(date(
            "held",
            "Date of the session",
            [&self.held_day, &self.held_month, &self.held_year],
            record,
            today,
        ));
        if let Some(day) = held_on {
            if day < plan.agreed_on {
                problems.push(Invalid::new(
                    "held",
                    format!(
                        "Date of the session must be on or after the plan was agreed, {}",
                        crate::dates::long_date(plan.agreed_on)
                    ),
                ));
            }
        }
        let attendance = problems
            .take(Attendance::from_code(&self.attendance).ok_or_else(|| {
                Invalid::new("attendance", "Select whether the session took place")
            }));
        // Where it was is asked of a session that took place; for one that did not, where
        // it was planned may be given or left out.
        let place = match (Place::from_code(&self.place), self.place.trim().is_empty()) {
            (Some(place), _) => Some(Some(place)),
            (None, true) if attendance != Some(Attendance::Attended) => Some(None),
            _ => {
                problems.push(Invalid::new("place", "Select where the session was"));
                None
            }
        };
        let mut attendees = Vec::new();
        for typed in self.attendees.iter().filter(|t| !t.trim().is_empty()) {
            match Member::parse(typed) {
                Some(member) if record.has_member(member) => {
                    if let Some(member) = problems.take(family_member("attendees", typed, record)) {
                        if !attendees.contains(&member) {
                            attendees.push(member);
                        }
                    }
                }
                _ => problems.push(Invalid::new(
                    "attendees",
                    "Everyone who attended must be in this family: one of them is not",
                )),
            }
        }
        if attendance == Some(Attendance::Attended)
            && self.attendees.iter().all(|t| t.trim().is_empty())
        {
            problems.push(Invalid::new("attendees", "Select who attended"));
        }
        let attended = attendance == Some(Attendance::Attended);
        let seen = if attendees.len() > 1 {
            problems.take(Seen::from_code(&self.seen).ok_or_else(|| {
                Invalid::new(
                    "seen",
                    "Select whether they were seen together or separately",
                )
            }))
        } else {
            Some(Seen::Together)
        };
        let mut goals = Vec::new();
        for typed in self.goals.iter().filter(|t| !t.trim().is_empty()) {
            match typed
                .trim()
                .parse::<Uuid>()
                .ok()
                .and_then(|id| plan.goal(id))
            {
                Some(goal) if !goals.contains(&goal.id) => goals.push(goal.id),
                Some(_) => {}
                None => problems.push(Invalid::new("goals", "Select goals from this plan")),
            }
        }
        let mut interventions = Vec::new();
        for typed in self.interventions.iter().filter(|t| !t.trim().is_empty()) {
            match typed
                .trim()
                .parse::<Uuid>()
                .ok()
                .and_then(|id| record.interventions.iter().find(|i| i.id == id))
            {
                Some(i) if !interventions.contains(&i.id) => interventions.push(i.id),
                Some(_) => {}
                None => problems.push(Invalid::new(
                    "interventions",
                    "Select interventions offered to this family",
                )),
            }
        }
        let focus = problems.take(Focus::from_code(&self.focus).ok_or_else(|| {
            Invalid::new(
                "focus",
                "Select whether the session was antenatal or postnatal work",
            )
        }));
        let notes = problems.take(optional_text(
            "notes",
            "Session notes",
            &self.notes,
            NOTES_LIMIT,
        ));
        let next = [&self.next_day, &self.next_month, &self.next_year];
        let next_contact = if next.iter().all(|p| p.trim().is_empty()) {
            Some(None)
        } else {
            problems
                .take(
                    parse_date_parts(
                        "next",
                        "Date of the next planned contact",
                        next[0],
                        next[1],
                        next[2],
                    )
                    .and_then(|day| match held_on {
                        Some(held) if day <= held => Err(Invalid::new(
                            "next",
                            "Date of the next planned contact must be after the session",
                        )),
                        _ if day > today + Duration::days(366) => Err(Invalid::new(
                            "next",
                            "Date of the next planned contact must be within a year",
                        )),
                        _ => Ok(day),
                    }),
                )
                .map(Some)
        };
        let interpreter = match self
            .interpreter
            .parse(&crate::interpreters::needed_by(record, &attendees))
        {
            Ok(interpreter) => interpreter,
            Err(more) => {
                problems.0.extend(more.0);
                None
            }
        };
        match (held_on, place, attendance, seen, focus, notes, next_contact) {
            (
                Some(held_on),
                Some(place),
                Some(attendance),
                Some(seen),
                Some(focus),
                Some(notes),
                Some(next_contact),
            ) if problems.is_empty() => Ok(ParsedSession {
                interpreter,
                held_on,
                place,
                attendance,
                // A session that did not happen had nobody there.
                attendees: if attended { attendees } else { Vec::new() },
                seen,
                goals,
                interventions,
                focus,
                notes: notes.unwrap_or_default(),
                next_contact,
            }),
            _ => Err(problems),
        }
    }
}

/// One goal's rating as typed at a review.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RatingInput {
    pub goal: String,
    pub score: String,
    pub rated_by: String,
}

/// A review as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReviewInput {
    pub reviewed_day: String,
    pub reviewed_month: String,
    pub reviewed_year: String,
    pub ratings: Vec<RatingInput>,
    pub what_changed: String,
    pub decision: String,
}

impl ReviewInput {
    /// The ratings typed for a goal: one for each person who rated it (a rating left
    /// entirely empty is not one).
    pub fn ratings_for(&self, goal: Uuid) -> Vec<&RatingInput> {
        self.ratings
            .iter()
            .filter(|r| r.goal.trim() == goal.to_string())
            .filter(|r| !(r.score.trim().is_empty() && r.rated_by.trim().is_empty()))
            .collect()
    }

    /// The score typed for a goal by one person ("" when none was).
    pub fn score_by(&self, goal: Uuid, member: Member) -> &str {
        self.ratings
            .iter()
            .find(|r| {
                r.goal.trim() == goal.to_string() && Member::parse(&r.rated_by) == Some(member)
            })
            .map(|r| r.score.as_str())
            .unwrap_or("")
    }
}

/// A review that has passed every check, before it is given an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedReview {
    pub reviewed_on: Date,
    pub ratings: Vec<(Uuid, Rating)>,
    pub what_changed: String,
    pub decision: ReviewDecision,
}

impl ReviewInput {
    pub fn parse(
        &self,
        plan: &CarePlan,
        record: &FamilyRecord,
        today: Date,
    ) -> Result<ParsedReview, Problems> {
        let mut problems = Problems::default();
        let reviewed_on = problems.take(date(
            "reviewed",
            "Date of the review",
            [
                &self.reviewed_day,
                &self.reviewed_month,
                &self.reviewed_year,
            ],
            record,
            today,
        ));
        if let (Some(day), Some(last)) = (reviewed_on, plan.last_reviewed_on()) {
            if day < last {
                problems.push(Invalid::new(
                    "reviewed",
                    format!(
                        "Date of the review must be on or after the last review, {}",
                        crate::dates::long_date(last)
                    ),
                ));
            }
        }
        for typed in &self.ratings {
            let known = typed
                .goal
                .trim()
                .parse::<Uuid>()
                .ok()
                .and_then(|id| plan.goal(id));
            if known.is_none() {
                problems.push(Invalid::new(
                    "ratings",
                    "A rating was given for a goal that is not in this plan",
                ));
            }
        }
        let mut ratings = Vec::new();
        for goal in plan.active_goals() {
            let what = format!("“{}”", goal.words);
            let typed = self.ratings_for(goal.id);
            if typed.is_empty() {
                problems.push(Invalid::new(
                    "ratings",
                    format!("Enter a rating from 0 to 10 for {what}, from at least one of the people it belongs to"),
                ));
            }
            let mut rated: Vec<Member> = Vec::new();
            for typed in typed {
                let score = problems.take(parse_score("ratings", &what, &typed.score));
                let rated_by = if typed.rated_by.trim().is_empty() {
                    problems.push(Invalid::new(
                        "ratings",
                        format!("Select who gave the rating for {what}"),
                    ));
                    None
                } else {
                    problems.take(family_member("ratings", &typed.rated_by, record))
                };
                if let Some(member) = rated_by {
                    if !goal.belongs_to(member) {
                        problems.push(Invalid::new(
                            "ratings",
                            format!(
                                "{} is not one of the people {what} belongs to: the rating must come from one of them",
                                record.member_name(member)
                            ),
                        ));
                    }
                    if rated.contains(&member) {
                        problems.push(Invalid::new(
                            "ratings",
                            format!(
                                "{} has two ratings for {what}: each person rates a goal once at a review",
                                record.member_name(member)
                            ),
                        ));
                    }
                    rated.push(member);
                }
                if let (Some(score), Some(rated_by), Some(rated_on)) =
                    (score, rated_by, reviewed_on)
                {
                    ratings.push((
                        goal.id,
                        Rating {
                            score,
                            rated_by,
                            rated_on,
                        },
                    ));
                }
            }
        }
        let what_changed = problems.take(required_text(
            "what_changed",
            "What has changed",
            &self.what_changed,
            NOTES_LIMIT,
        ));
        let decision = problems.take(
            ReviewDecision::from_code(&self.decision)
                .ok_or_else(|| Invalid::new("decision", "Select what the review decided")),
        );
        match (reviewed_on, what_changed, decision) {
            (Some(reviewed_on), Some(what_changed), Some(decision)) if problems.is_empty() => {
                Ok(ParsedReview {
                    reviewed_on,
                    ratings,
                    what_changed,
                    decision,
                })
            }
            _ => Err(problems),
        }
    }
}

/// Closing a plan, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CloseInput {
    pub closed_day: String,
    pub closed_month: String,
    pub closed_year: String,
    pub summary: String,
}

impl CloseInput {
    pub fn parse(
        &self,
        plan: &CarePlan,
        record: &FamilyRecord,
        today: Date,
    ) -> Result<(Date, String), Problems> {
        let mut problems = Problems::default();
        let closed_on = problems.take(date(
            "closed",
            "Date the plan ended",
            [&self.closed_day, &self.closed_month, &self.closed_year],
            record,
            today,
        ));
        let latest = plan
            .sessions
            .iter()
            .map(|s| s.held_on)
            .chain(plan.reviews.iter().map(|r| r.reviewed_on))
            .chain([plan.agreed_on])
            .max();
        if let (Some(day), Some(latest)) = (closed_on, latest) {
            if day < latest {
                problems.push(Invalid::new(
                    "closed",
                    format!(
                        "Date the plan ended must be on or after its last session or review, {}",
                        crate::dates::long_date(latest)
                    ),
                ));
            }
        }
        let summary = problems.take(required_text(
            "summary",
            "The closing summary",
            &self.summary,
            NOTES_LIMIT,
        ));
        match (closed_on, summary) {
            (Some(day), Some(summary)) if problems.is_empty() => Ok((day, summary)),
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::FamilyRecord;
    use time::macros::date;

    fn plan(sessions: Vec<(Date, Attendance)>, reviews: Vec<Date>) -> CarePlan {
        CarePlan {
            id: Uuid::nil(),
            kind: PlanKind::NurseryNursing,
            focus: Focus::Postnatal,
            agreed_on: date!(2026 - 09 - 01),
            assessment: Some("Assessment".into()),
            planned_sessions: Some(8),
            after_mbu: false,
            goals: vec![],
            sessions: sessions
                .into_iter()
                .enumerate()
                .map(|(i, (held_on, attendance))| CareSession {
                    id: Uuid::from_u128(i as u128 + 1),
                    held_on,
                    place: Some(Place::Home),
                    attendance,
                    attendees: vec![Member::Mother],
                    seen: Seen::Together,
                    goals: vec![],
                    interventions: vec![],
                    focus: Focus::Postnatal,
                    notes: String::new(),
                    next_contact: Some(held_on + Duration::days(7)),
                    interpreter: None,
                    recorded_by: "Nurse".into(),
                    recorded_at_millis: i as i64,
                })
                .collect(),
            reviews: reviews
                .into_iter()
                .map(|reviewed_on| Review {
                    id: Uuid::now_v7(),
                    reviewed_on,
                    ratings: vec![],
                    what_changed: "Better".into(),
                    decision: ReviewDecision::Continue,
                    sessions_counted: 6,
                    recorded_by: "Nurse".into(),
                    recorded_at_millis: 0,
                })
                .collect(),
            closure: None,
            created_by: "Nurse".into(),
            created_at_millis: 0,
        }
    }

    /// A goal agreed on 1 September 2026 with the mother's baseline rating.
    fn goal(who: Vec<Member>, words: &str, baseline: u8) -> Goal {
        Goal {
            id: Uuid::now_v7(),
            who,
            words: words.into(),
            area: GoalArea::Confidence,
            agreed_by: "Amara and Tunde".into(),
            agreed_on: date!(2026 - 09 - 01),
            baseline: Rating {
                score: baseline,
                rated_by: Member::Mother,
                rated_on: date!(2026 - 09 - 01),
            },
            more_baselines: vec![],
            recorded_by: "Nurse".into(),
            recorded_at_millis: 0,
        }
    }

    fn weekly(from: Date, n: i64, attendance: Attendance) -> Vec<(Date, Attendance)> {
        (0..n)
            .map(|i| (from + Duration::weeks(i), attendance))
            .collect()
    }

    #[test]
    fn a_goal_reaches_a_group_only_if_it_belongs_to_everyone_in_it() {
        let dad = Member::Person(crate::PersonId::new());
        let gran = Member::Person(crate::PersonId::new());
        let goal = |who: Vec<Member>| goal(who, "Share the night feeds", 3);
        let couple = goal(vec![Member::Mother, dad]);
        assert!(couple.reaches(&[Member::Mother, dad]) && couple.reaches(&[dad]));
        assert!(
            !couple.reaches(&[Member::Mother, dad, gran]),
            "not with Grace there"
        );
        let grans = goal(vec![gran]);
        assert!(grans.reaches(&[gran]) && !grans.reaches(&[Member::Mother, gran]));
        let family = goal(vec![]);
        assert!(family.reaches(&[Member::Mother, dad, gran]));
        assert!(!family.reaches(&[]), "nothing is made for no one");
    }

    #[test]
    fn only_attended_sessions_count_and_a_review_restarts_the_count() {
        let mut sessions = weekly(date!(2026 - 09 - 02), 5, Attendance::Attended);
        sessions.push((date!(2026 - 10 - 07), Attendance::DidNotAttend));
        sessions.push((date!(2026 - 10 - 08), Attendance::CancelledByFamily));
        let p = plan(sessions.clone(), vec![]);
        assert_eq!(p.attended_since_review(), 5);
        assert_eq!(
            p.review_status(6),
            ReviewStatus::NotYet { attended: 5, of: 6 }
        );
        sessions.push((date!(2026 - 10 - 14), Attendance::Attended));
        let p = plan(sessions.clone(), vec![]);
        assert_eq!(p.review_status(6), ReviewStatus::Due { attended: 6 });
        sessions.push((date!(2026 - 10 - 21), Attendance::Attended));
        let p = plan(sessions.clone(), vec![]);
        assert_eq!(
            p.review_status(6),
            ReviewStatus::Overdue { attended: 7, of: 6 }
        );
        // Reviewed on the day of the seventh: the sessions up to that day are covered.
        let p = plan(sessions.clone(), vec![date!(2026 - 10 - 21)]);
        assert_eq!(p.attended_since_review(), 0);
        // The team's own number.
        let p = plan(sessions, vec![]);
        assert_eq!(
            p.review_status(8),
            ReviewStatus::NotYet { attended: 7, of: 8 }
        );
    }

    #[test]
    fn next_due_puts_reviews_before_contacts_and_says_when_a_contact_has_passed() {
        let today = date!(2026 - 11 - 26);
        assert_eq!(
            NextDue::from_counts(3, 6, None, 0, None, today),
            NextDue::NoPlan { ended: None }
        );
        assert_eq!(NextDue::NoPlan { ended: None }.label(), "No care plan yet");
        let ended = NextDue::from_counts(0, 6, None, 0, Some(date!(2026 - 11 - 13)), today);
        assert_eq!(ended.label(), "Care plan ended 13 November 2026");
        assert!(!ended.is_warning());
        // An open plan counts, whatever ended before it.
        assert_eq!(
            NextDue::from_counts(0, 6, None, 1, Some(date!(2026 - 11 - 13)), today),
            NextDue::NothingPlanned
        );
        assert_eq!(
            NextDue::from_counts(7, 6, Some(date!(2026 - 12 - 01)), 1, None, today),
            NextDue::ReviewOverdue
        );
        assert_eq!(
            NextDue::from_counts(6, 6, None, 1, None, today),
            NextDue::ReviewDue
        );
        let next = NextDue::from_counts(2, 6, Some(date!(2026 - 12 - 03)), 1, None, today);
        assert_eq!(next.label(), "Next contact 3 December 2026");
        assert!(!next.is_warning());
        let passed = NextDue::from_counts(2, 6, Some(date!(2026 - 11 - 20)), 1, None, today);
        assert!(passed.is_warning());
        assert_eq!(
            passed.label(),
            "Planned contact on 20 November 2026 has passed"
        );
    }

    #[test]
    fn scores_are_whole_numbers_from_0_to_10() {
        assert_eq!(parse_score("r", "x", " 0 "), Ok(0));
        assert_eq!(parse_score("r", "x", "10"), Ok(10));
        for bad in ["11", "-1", "7.5", "seven", ""] {
            assert!(parse_score("r", "x", bad).is_err(), "{bad}");
        }
    }

    fn record() -> FamilyRecord {
        FamilyRecord::new(crate::Family {
            id: crate::FamilyId::new(),
            team_id: crate::TeamId::new(),
            mother_name: "Amara Okafor".into(),
            mother_nhs_number: None,
            mother_date_of_birth: None,
            mother_postcode: None,
            mother_language: Default::default(),
            stage: crate::PerinatalStage::Postnatal,
            referral_date: Some(date!(2026 - 08 - 20)),
            child_protection: crate::network::ChildProtectionStatus::None,
            babies: vec![],
            created_at_millis: 0,
            version: 1,
        })
    }

    #[test]
    fn a_session_that_did_not_take_place_needs_no_place_and_one_that_did_does() {
        let p = plan(vec![], vec![]);
        let missed = SessionInput {
            held_day: "2".into(),
            held_month: "9".into(),
            held_year: "2026".into(),
            attendance: "did_not_attend".into(),
            focus: "postnatal".into(),
            ..SessionInput::default()
        };
        let parsed = missed.parse(&p, &record(), date!(2026 - 11 - 26)).unwrap();
        assert_eq!(parsed.place, None);
        let attended = SessionInput {
            attendance: "attended".into(),
            attendees: vec!["mother".into()],
            ..missed
        };
        assert_eq!(
            attended
                .parse(&p, &record(), date!(2026 - 11 - 26))
                .unwrap_err()
                .message_for("place"),
            Some("Select where the session was")
        );
    }

    #[test]
    fn a_session_before_the_referral_or_with_nobody_attending_is_refused() {
        let p = plan(vec![], vec![]);
        let input = SessionInput {
            held_day: "19".into(),
            held_month: "8".into(),
            held_year: "2026".into(),
            place: "home".into(),
            attendance: "attended".into(),
            focus: "postnatal".into(),
            ..SessionInput::default()
        };
        let problems = input
            .parse(&p, &record(), date!(2026 - 11 - 26))
            .unwrap_err();
        assert!(problems
            .message_for("held")
            .is_some_and(|m| m.contains("on or after the referral date, 20 August 2026")));
        assert_eq!(
            problems.message_for("attendees"),
            Some("Select who attended")
        );
        let stranger = SessionInput {
            held_day: "2".into(),
            held_month: "9".into(),
            attendees: vec![Uuid::now_v7().to_string()],
            ..input
        };
        let problems = stranger
            .parse(&p, &record(), date!(2026 - 11 - 26))
            .unwrap_err();
        assert!(problems
            .message_for("attendees")
            .is_some_and(|m| m.contains("must be in this family")));
    }

    #[test]
    fn a_did_not_attend_needs_nobody_and_keeps_nobody() {
        let p = plan(vec![], vec![]);
        let input = SessionInput {
            held_day: "2".into(),
            held_month: "9".into(),
            held_year: "2026".into(),
            place: "home".into(),
            attendance: "did_not_attend".into(),
            attendees: vec!["mother".into()],
            focus: "postnatal".into(),
            ..SessionInput::default()
        };
        let parsed = input.parse(&p, &record(), date!(2026 - 11 - 26)).unwrap();
        assert!(parsed.attendees.is_empty());
    }

    #[test]
    fn a_review_must_rate_every_goal_and_the_rating_must_come_from_the_goals_people() {
        let mut p = plan(vec![], vec![]);
        let goal = goal(vec![Member::Mother], "Feel calm at bath time", 2);
        p.goals.push(goal.clone());
        let review = ReviewInput {
            reviewed_day: "1".into(),
            reviewed_month: "11".into(),
            reviewed_year: "2026".into(),
            ratings: vec![],
            what_changed: "Calmer".into(),
            decision: "continue".into(),
        };
        let problems = review
            .parse(&p, &record(), date!(2026 - 11 - 26))
            .unwrap_err();
        assert!(problems
            .message_for("ratings")
            .is_some_and(|m| m.contains("“Feel calm at bath time”")));
        let out_of_range = ReviewInput {
            ratings: vec![RatingInput {
                goal: goal.id.to_string(),
                score: "12".into(),
                rated_by: "mother".into(),
            }],
            ..review.clone()
        };
        assert!(out_of_range
            .parse(&p, &record(), date!(2026 - 11 - 26))
            .unwrap_err()
            .message_for("ratings")
            .is_some_and(|m| m.contains("from 0 to 10")));
        let rated = ReviewInput {
            ratings: vec![RatingInput {
                goal: goal.id.to_string(),
                score: "6".into(),
                rated_by: "mother".into(),
            }],
            ..review
        };
        let parsed = rated.parse(&p, &record(), date!(2026 - 11 - 26)).unwrap();
        assert_eq!(parsed.ratings[0].1.score, 6);
        p.reviews.push(Review {
            id: Uuid::now_v7(),
            reviewed_on: parsed.reviewed_on,
            ratings: parsed.ratings,
            what_changed: parsed.what_changed,
            decision: parsed.decision,
            sessions_counted: 0,
            recorded_by: "Nurse".into(),
            recorded_at_millis: 1,
        });
        let scores: Vec<u8> = p.ratings_of(goal.id).iter().map(|r| r.score).collect();
        assert_eq!(scores, vec![2, 6]);
    }

    #[test]
    fn each_partner_may_rate_a_couples_goal_at_the_start_and_at_each_review() {
        let mut family = record();
        let tunde = crate::network::Person {
            id: crate::PersonId::new(),
            name: "Tunde Okafor".into(),
            phone: None,
            email: None,
            postcode: None,
            preferred_language: None,
            interpreter_needed: false,
            ethnicity: None,
            religion: None,
            cultural_notes: None,
            contact_consent: crate::network::ContactConsent::Yes,
            version: 1,
            date_of_birth: None,
            age_band: None,
            sex: None,
        };
        let him = Member::Person(tunde.id);
        family.people.push(tunde);
        let mut p = plan(vec![], vec![]);
        let today = date!(2026 - 11 - 26);
        // At the start: her rating and his, each their own.
        let typed = GoalInput {
            who: vec!["mother".into(), him.code()],
            words: "Share the nights".into(),
            area: "sharing_care".into(),
            agreed_by: "Amara and Tunde".into(),
            agreed_day: "2".into(),
            agreed_month: "9".into(),
            agreed_year: "2026".into(),
            baseline: "3".into(),
            baseline_by: "mother".into(),
            second_baseline: "5".into(),
            second_baseline_by: him.code(),
        };
        let parsed = typed.parse(&p, &family, today).unwrap();
        assert_eq!(parsed.more_baselines.len(), 1);
        assert_eq!(parsed.more_baselines[0].rated_by, him);
        // The same person twice is refused; so is a second score with nobody named.
        let twice = GoalInput {
            second_baseline_by: "mother".into(),
            ..typed.clone()
        };
        assert!(twice
            .parse(&p, &family, today)
            .unwrap_err()
            .message_for("second_baseline_by")
            .is_some_and(|m| m.contains("each person rates the goal once")));
        let nobody = GoalInput {
            second_baseline_by: String::new(),
            ..typed.clone()
        };
        assert!(nobody
            .parse(&p, &family, today)
            .unwrap_err()
            .message_for("second_baseline_by")
            .is_some());
        let mut couple = goal(vec![Member::Mother, him], "Share the nights", 3);
        couple.more_baselines = parsed.more_baselines;
        p.goals.push(couple.clone());
        assert_eq!(couple.raters(&family, today), vec![Member::Mother, him]);
        // At the review: each rates it; one alone is enough; one person twice is refused.
        let rating = |score: &str, by: &str| RatingInput {
            goal: couple.id.to_string(),
            score: score.into(),
            rated_by: by.into(),
        };
        let review = ReviewInput {
            reviewed_day: "1".into(),
            reviewed_month: "11".into(),
            reviewed_year: "2026".into(),
            ratings: vec![rating("6", "mother"), rating("7", &him.code())],
            what_changed: "Nights shared".into(),
            decision: "continue".into(),
        };
        let both = review.parse(&p, &family, today).unwrap();
        assert_eq!(both.ratings.len(), 2);
        let alone = ReviewInput {
            ratings: vec![rating("", "mother"), rating("7", &him.code())],
            ..review.clone()
        };
        assert!(
            alone.parse(&p, &family, today).is_err(),
            "a box left empty beside a name"
        );
        let alone = ReviewInput {
            ratings: vec![rating("7", &him.code())],
            ..review.clone()
        };
        assert_eq!(alone.parse(&p, &family, today).unwrap().ratings.len(), 1);
        let doubled = ReviewInput {
            ratings: vec![rating("6", "mother"), rating("7", "mother")],
            ..review
        };
        assert!(doubled
            .parse(&p, &family, today)
            .unwrap_err()
            .message_for("ratings")
            .is_some_and(|m| m.contains("two ratings")));
        assert_eq!(p.newest_review_ratings_of(couple.id), None, "no review yet");
        p.reviews.push(Review {
            id: Uuid::now_v7(),
            reviewed_on: both.reviewed_on,
            ratings: both.ratings,
            what_changed: both.what_changed,
            decision: both.decision,
            sessions_counted: 0,
            recorded_by: "Nurse".into(),
            recorded_at_millis: 1,
        });
        let scores: Vec<(u8, Member)> = p
            .ratings_of(couple.id)
            .iter()
            .map(|r| (r.score, r.rated_by))
            .collect();
        assert_eq!(
            scores,
            vec![(3, Member::Mother), (5, him), (6, Member::Mother), (7, him)]
        );
        let newest: Vec<u8> = p
            .newest_review_ratings_of(couple.id)
            .unwrap_or_default()
            .iter()
            .map(|r| r.score)
            .collect();
        assert_eq!(
            newest,
            vec![6, 7],
            "the newest review's rating from each of them"
        );
    }

    #[test]
    fn a_goal_says_whose_it_is() {
        let p = plan(vec![], vec![]);
        let typed = GoalInput {
            words: "Share the nights".into(),
            area: "sharing_care".into(),
            agreed_by: "Amara".into(),
            agreed_day: "2".into(),
            agreed_month: "9".into(),
            agreed_year: "2026".into(),
            baseline: "3".into(),
            baseline_by: "mother".into(),
            ..GoalInput::default()
        };
        let problems = typed
            .parse(&p, &record(), date!(2026 - 11 - 26))
            .unwrap_err();
        assert!(problems
            .message_for("who")
            .is_some_and(|m| m.starts_with("Select whose goal it is")));
        let family = GoalInput {
            who: vec!["family".into()],
            ..typed
        };
        assert!(family
            .parse(&p, &record(), date!(2026 - 11 - 26))
            .unwrap()
            .who
            .is_empty());
    }

    #[test]
    fn a_nursery_nursing_plan_needs_its_assessment_and_planned_sessions() {
        let input = PlanInput {
            kind: "nursery_nursing".into(),
            focus: "postnatal".into(),
            agreed_day: "1".into(),
            agreed_month: "9".into(),
            agreed_year: "2026".into(),
            planned_sessions: "60".into(),
            after_mbu: "yes".into(),
            ..PlanInput::default()
        };
        let problems = input.parse(&record(), date!(2026 - 11 - 26)).unwrap_err();
        assert!(problems.message_for("assessment").is_some());
        assert!(problems.message_for("planned_sessions").is_some());
        let good = PlanInput {
            assessment: "Routines after the MBU stay".into(),
            planned_sessions: "8".into(),
            ..input
        };
        let parsed = good.parse(&record(), date!(2026 - 11 - 26)).unwrap();
        assert!(parsed.after_mbu);
        assert_eq!(parsed.planned_sessions, Some(8));
    }
}
