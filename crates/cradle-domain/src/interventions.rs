//! Interventions: each team's catalogue (seeded with the usual perinatal offers, and editable by
//! the team manager), and each family member's journey through one: offered, then accepted or
//! declined (with the reason), started, then completed or stopped, every step dated and
//! attributed. Manualised interventions such as VIPP also record which session of the series
//! was delivered and which theme it covered.

use crate::dates::parse_date_parts;
use crate::entries::Member;
use crate::network::{choices, FamilyRecord};
use crate::{Invalid, Problems};
use serde::{Deserialize, Serialize};
use time::Date;
use uuid::Uuid;

const NAME_LIMIT: usize = 120;
const TEXT_LIMIT: usize = 2_000;

/// One of a team's interventions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CatalogueEntry {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    /// Delivered as a series of sessions following a manual (VIPP, Circle of Security).
    pub manualised: bool,
    /// How many sessions the series has, for a manualised intervention.
    pub series_sessions: Option<u32>,
    /// The themes a session of the series can cover, in order.
    pub themes: Vec<String>,
    /// No longer offered (kept, because families' records name it).
    pub retired: bool,
}

/// A seeded catalogue entry: (name, description, manualised, sessions, themes).
pub type Seed = (
    &'static str,
    &'static str,
    bool,
    Option<u32>,
    &'static [&'static str],
);

/// What every team's catalogue starts with.
pub const SEEDED: [Seed; 9] = [
    (
        "Nursery nursing",
        "Practical, hands-on support with caring for the baby: feeding, settling, bathing, play and routines",
        false,
        None,
        &[],
    ),
    (
        "Circle of Security",
        "A parenting programme helping parents see and meet the baby's need to explore and to come back for comfort",
        true,
        Some(8),
        &[],
    ),
    (
        "Video interaction guidance (VIG)",
        "Short films of the parent and baby together, reviewed with the parent to build on moments that go well",
        false,
        None,
        &[],
    ),
    (
        "Video-feedback intervention to promote positive parenting (VIPP)",
        "Home visits with filmed play and care, and feedback on the baby's signals and the parent's sensitive responses",
        true,
        Some(6),
        &[
            "Exploration and attachment: the baby's two kinds of signals",
            "Speaking for the baby",
            "The sensitivity chain: signal, response, the baby's reaction",
            "Sharing feelings, good and bad",
            "Bringing it together (booster)",
            "Looking ahead (booster)",
        ],
    ),
    (
        "Mentalisation-based parenting group",
        "A group helping parents wonder about what the baby feels and needs, and about their own feelings",
        false,
        None,
        &[],
    ),
    (
        "Peer support",
        "Support from a parent who has been through perinatal mental illness themselves",
        false,
        None,
        &[],
    ),
    (
        "Couple or family sessions",
        "Sessions with both parents, or with grandparents and others who care for the baby, together",
        false,
        None,
        &[],
    ),
    (
        "Fathers' and partners' group",
        "A group for fathers and partners to meet others and talk about becoming a parent",
        false,
        None,
        &[],
    ),
    (
        "Signposting to other services",
        "Information about, and a route into, local services that can help",
        false,
        None,
        &[],
    ),
];

impl CatalogueEntry {
    /// The seeded catalogue, with fresh ids.
    pub fn seeded() -> Vec<CatalogueEntry> {
        SEEDED
            .iter()
            .map(
                |(name, description, manualised, series_sessions, themes)| CatalogueEntry {
                    id: Uuid::now_v7(),
                    name: name.to_string(),
                    description: description.to_string(),
                    manualised: *manualised,
                    series_sessions: *series_sessions,
                    themes: themes.iter().map(|t| t.to_string()).collect(),
                    retired: false,
                },
            )
            .collect()
    }
}

/// A catalogue entry as typed by the team manager.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CatalogueInput {
    pub name: String,
    pub description: String,
    /// "yes" for a manualised intervention.
    pub manualised: String,
    pub series_sessions: String,
    /// One theme per line.
    pub themes: String,
    /// "yes" to stop offering it.
    pub retired: String,
}

impl CatalogueInput {
    pub fn from_entry(entry: &CatalogueEntry) -> Self {
        Self {
            name: entry.name.clone(),
            description: entry.description.clone(),
            manualised: if entry.manualised { "yes" } else { "" }.to_string(),
            series_sessions: entry
                .series_sessions
                .map(|n| n.to_string())
                .unwrap_or_default(),
            themes: entry.themes.join("\n"),
            retired: if entry.retired { "yes" } else { "" }.to_string(),
        }
    }

    /// The entry as typed, checked against the rest of the team's catalogue (names are unique).
    pub fn parse(&self, id: Uuid, others: &[CatalogueEntry]) -> Result<CatalogueEntry, Problems> {
        let mut problems = Problems::default();
        let name = self.name.trim();
        if name.is_empty() {
            problems.push(Invalid::new("name", "Enter the intervention's name"));
        } else if name.chars().count() > NAME_LIMIT {
            problems.push(Invalid::new(
                "name",
                format!("The name must be {NAME_LIMIT} characters or fewer"),
            ));
        } else if others
            .iter()
            .any(|o| o.id != id && o.name.to_lowercase() == name.to_lowercase())
        {
            problems.push(Invalid::new(
                "name",
                "The team already has an intervention with this name",
            ));
        }
        let description = self.description.trim();
        if description.chars().count() > TEXT_LIMIT {
            problems.push(Invalid::new(
                "description",
                format!("The description must be {TEXT_LIMIT} characters or fewer"),
            ));
        }
        let manualised = crate::yes_or_no(
            &self.manualised,
            "manualised",
            "Say whether the intervention is manualised: yes or no",
            &mut problems,
        );
        let retired = crate::yes_or_no(
            &self.retired,
            "retired",
            "Say whether the intervention is retired: yes or no",
            &mut problems,
        );
        let series_sessions = match (manualised, self.series_sessions.trim()) {
            (_, "") => None,
            (false, _) => {
                problems.push(Invalid::new(
                    "series_sessions",
                    "Only a manualised intervention has a set number of sessions: tick “manualised” or leave this empty",
                ));
                None
            }
            (true, typed) => match typed.parse::<u32>() {
                Ok(n) if (1..=52).contains(&n) => Some(n),
                _ => {
                    problems.push(Invalid::new(
                        "series_sessions",
                        "The number of sessions in the series must be a whole number from 1 to 52",
                    ));
                    None
                }
            },
        };
        let themes: Vec<String> = self
            .themes
            .lines()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect();
        if !manualised && !themes.is_empty() {
            problems.push(Invalid::new(
                "themes",
                "Only a manualised intervention has themes: tick “manualised” or leave this empty",
            ));
        }
        if themes.iter().any(|t| t.chars().count() > NAME_LIMIT) {
            problems.push(Invalid::new(
                "themes",
                format!("Each theme must be {NAME_LIMIT} characters or fewer"),
            ));
        }
        if problems.is_empty() {
            Ok(CatalogueEntry {
                id,
                name: name.to_string(),
                description: description.to_string(),
                manualised,
                series_sessions,
                themes,
                retired,
            })
        } else {
            Err(problems)
        }
    }
}

choices!(
    /// A step in a family member's journey through an intervention.
    Step {
        Offered => ("offered", "Offered"),
        Accepted => ("accepted", "Accepted"),
        Declined => ("declined", "Declined"),
        Started => ("started", "Started"),
        Completed => ("completed", "Completed"),
        Stopped => ("stopped", "Stopped"),
    }
);

impl Step {
    /// The steps that may follow this one.
    pub fn next(self) -> &'static [Step] {
        match self {
            Step::Offered => &[Step::Accepted, Step::Declined],
            Step::Accepted => &[Step::Started, Step::Declined],
            Step::Started => &[Step::Completed, Step::Stopped],
            Step::Declined | Step::Completed | Step::Stopped => &[],
        }
    }

    /// Whether the step needs a reason (declining and stopping do).
    pub fn needs_reason(self) -> bool {
        matches!(self, Step::Declined | Step::Stopped)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StepRecord {
    pub step: Step,
    #[serde(with = "crate::family::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub on: Date,
    pub reason: Option<String>,
    pub recorded_by: String,
    pub recorded_at_millis: i64,
}

/// One session of a manualised series: which one, and the theme it covered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SeriesSession {
    pub number: u32,
    pub theme: String,
    #[serde(with = "crate::family::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub on: Date,
    pub recorded_by: String,
}

/// A family member's journey through one intervention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PersonIntervention {
    pub id: Uuid,
    pub member: Member,
    /// The team's catalogue entry, and its name when it was offered.
    pub intervention: Uuid,
    pub name: String,
    pub manualised: bool,
    pub series_sessions: Option<u32>,
    /// Who delivers it (a person or a service).
    pub delivered_by: String,
    /// The care plan it belongs to, if any.
    pub plan: Option<Uuid>,
    /// Oldest first; the first is always "offered".
    pub steps: Vec<StepRecord>,
    pub series: Vec<SeriesSession>,
}

impl PersonIntervention {
    pub fn current(&self) -> Option<&StepRecord> {
        self.steps.last()
    }

    pub fn current_step(&self) -> Step {
        self.current().map(|s| s.step).unwrap_or(Step::Offered)
    }

    /// Still to be acted on: offered, accepted or started.
    pub fn is_active(&self) -> bool {
        !self.current_step().next().is_empty()
    }
}

fn step_date(
    field: &'static str,
    label: &str,
    parts: [&str; 3],
    after: Option<Date>,
    today: Date,
) -> Result<Date, Invalid> {
    let day = parse_date_parts(field, label, parts[0], parts[1], parts[2])?;
    if day > today {
        return Err(Invalid::new(
            field,
            format!("{label} must be today or in the past"),
        ));
    }
    if let Some(after) = after {
        if day < after {
            return Err(Invalid::new(
                field,
                format!(
                    "{label} must be on or after the last step, {}",
                    crate::dates::long_date(after)
                ),
            ));
        }
    }
    Ok(day)
}

/// Offering an intervention, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OfferInput {
    /// "mother" or a person's id.
    pub member: String,
    /// The catalogue entry's id.
    pub intervention: String,
    pub delivered_by: String,
    /// An open care plan's id, or empty.
    pub plan: String,
    pub offered_day: String,
    pub offered_month: String,
    pub offered_year: String,
}

/// An offer that has passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedOffer {
    pub member: Member,
    pub entry: CatalogueEntry,
    pub delivered_by: String,
    pub plan: Option<Uuid>,
    pub offered_on: Date,
}

impl OfferInput {
    pub fn parse(
        &self,
        catalogue: &[CatalogueEntry],
        record: &FamilyRecord,
        today: Date,
    ) -> Result<ParsedOffer, Problems> {
        let mut problems = Problems::default();
        let member = match Member::parse(&self.member).filter(|m| record.has_member(*m)) {
            None => {
                problems.push(Invalid::new("member", "Select who it is offered to"));
                None
            }
            Some(Member::Person(id)) if !record.involvement(id).may_involve => {
                problems.push(Invalid::new(
                    "member",
                    format!(
                        "{} is marked “do not involve”: Cradle does not offer them interventions",
                        record.member_name(Member::Person(id))
                    ),
                ));
                None
            }
            Some(member) => Some(member),
        };
        let entry = self
            .intervention
            .trim()
            .parse::<Uuid>()
            .ok()
            .and_then(|id| catalogue.iter().find(|e| e.id == id && !e.retired))
            .cloned();
        if entry.is_none() {
            problems.push(Invalid::new(
                "intervention",
                "Select an intervention from the team's catalogue",
            ));
        }
        let delivered_by = self.delivered_by.trim();
        if delivered_by.is_empty() {
            problems.push(Invalid::new(
                "delivered_by",
                "Enter who delivers it (a person or a service)",
            ));
        } else if delivered_by.chars().count() > 200 {
            problems.push(Invalid::new(
                "delivered_by",
                "Who delivers it must be 200 characters or fewer",
            ));
        }
        let plan = if self.plan.trim().is_empty() {
            None
        } else {
            let found = self
                .plan
                .trim()
                .parse::<Uuid>()
                .ok()
                .filter(|id| record.plans.iter().any(|p| p.id == *id && p.is_open()));
            if found.is_none() {
                problems.push(Invalid::new(
                    "plan",
                    "Select one of the family's open care plans",
                ));
            }
            found
        };
        let offered_on = problems.take(step_date(
            "offered",
            "Date it was offered",
            [&self.offered_day, &self.offered_month, &self.offered_year],
            record.family.referral_date,
            today,
        ));
        match (member, entry, offered_on) {
            (Some(member), Some(entry), Some(offered_on)) if problems.is_empty() => {
                Ok(ParsedOffer {
                    member,
                    entry,
                    delivered_by: delivered_by.to_string(),
                    plan,
                    offered_on,
                })
            }
            _ => Err(problems),
        }
    }
}

/// The next step, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StepInput {
    pub step: String,
    pub step_day: String,
    pub step_month: String,
    pub step_year: String,
    pub reason: String,
}

impl StepInput {
    pub fn parse(
        &self,
        current: &PersonIntervention,
        today: Date,
    ) -> Result<(Step, Date, Option<String>), Problems> {
        let mut problems = Problems::default();
        let allowed = current.current_step().next();
        let step = match Step::from_code(&self.step) {
            Some(step) if allowed.contains(&step) => Some(step),
            _ if allowed.is_empty() => {
                problems.push(Invalid::new(
                    "step",
                    format!(
                        "This intervention is {}: nothing can follow",
                        current.current_step().label().to_lowercase()
                    ),
                ));
                None
            }
            _ => {
                let names: Vec<String> = allowed.iter().map(|s| s.label().to_lowercase()).collect();
                problems.push(Invalid::new(
                    "step",
                    format!("Select what happened next: {}", names.join(" or ")),
                ));
                None
            }
        };
        let on = problems.take(step_date(
            "step_on",
            "Date of this step",
            [&self.step_day, &self.step_month, &self.step_year],
            current.current().map(|s| s.on),
            today,
        ));
        let reason = self.reason.trim();
        if step.is_some_and(Step::needs_reason) && reason.is_empty() {
            problems.push(Invalid::new(
                "reason",
                match step {
                    Some(Step::Declined) => {
                        "Enter why it was declined, in their words where you can"
                    }
                    _ => "Enter why it stopped",
                },
            ));
        }
        if reason.chars().count() > TEXT_LIMIT {
            problems.push(Invalid::new(
                "reason",
                format!("The reason must be {TEXT_LIMIT} characters or fewer"),
            ));
        }
        match (step, on) {
            (Some(step), Some(on)) if problems.is_empty() => {
                Ok((step, on, (!reason.is_empty()).then(|| reason.to_string())))
            }
            _ => Err(problems),
        }
    }
}

impl PersonIntervention {
    /// Records a session of the series; the first session of an accepted series also records
    /// that it started, on that day.
    pub fn add_series_session(&mut self, session: SeriesSession, at_millis: i64) {
        if self.current_step() == Step::Accepted {
            self.steps.push(StepRecord {
                step: Step::Started,
                on: session.on,
                reason: None,
                recorded_by: session.recorded_by.clone(),
                recorded_at_millis: at_millis,
            });
        }
        self.series.push(session);
        self.series.sort_by_key(|s| s.number);
    }
}

/// A session of a manualised series, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeriesInput {
    pub number: String,
    pub theme: String,
    pub series_day: String,
    pub series_month: String,
    pub series_year: String,
}

impl SeriesInput {
    pub fn parse(
        &self,
        current: &PersonIntervention,
        themes: &[String],
        today: Date,
    ) -> Result<(u32, String, Date), Problems> {
        let mut problems = Problems::default();
        if !current.manualised {
            problems.push(Invalid::new(
                "number",
                "Only a manualised intervention has numbered sessions",
            ));
            return Err(problems);
        }
        // The first session of an accepted series starts it: no separate "started" step.
        if !matches!(current.current_step(), Step::Started | Step::Accepted) {
            problems.push(Invalid::new(
                "number",
                "Sessions are recorded once the offer is accepted, and until the intervention is completed or stopped",
            ));
            return Err(problems);
        }
        let most = current.series_sessions.unwrap_or(52);
        let number = match self.number.trim().parse::<u32>() {
            Ok(n) if (1..=most).contains(&n) => {
                if current.series.iter().any(|s| s.number == n) {
                    problems.push(Invalid::new(
                        "number",
                        format!("Session {n} of the series is already recorded"),
                    ));
                    None
                } else {
                    Some(n)
                }
            }
            _ => {
                problems.push(Invalid::new(
                    "number",
                    format!("Enter which session of the series it was, from 1 to {most}"),
                ));
                None
            }
        };
        let theme = self.theme.trim();
        if theme.is_empty() {
            problems.push(Invalid::new(
                "theme",
                "Select or enter the theme the session covered",
            ));
        } else if !themes.is_empty() && !themes.iter().any(|t| t == theme) {
            problems.push(Invalid::new("theme", "Select one of the series' themes"));
        } else if theme.chars().count() > NAME_LIMIT {
            problems.push(Invalid::new(
                "theme",
                format!("The theme must be {NAME_LIMIT} characters or fewer"),
            ));
        }
        let started = current
            .steps
            .iter()
            .find(|s| s.step == Step::Started)
            .or_else(|| current.steps.iter().find(|s| s.step == Step::Accepted))
            .map(|s| s.on);
        let on = problems.take(step_date(
            "series",
            "Date of the session",
            [&self.series_day, &self.series_month, &self.series_year],
            started,
            today,
        ));
        match (number, on) {
            (Some(number), Some(on)) if problems.is_empty() => Ok((number, theme.to_string(), on)),
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn journey(steps: &[Step]) -> PersonIntervention {
        PersonIntervention {
            id: Uuid::now_v7(),
            member: Member::Mother,
            intervention: Uuid::now_v7(),
            name: "VIPP".into(),
            manualised: true,
            series_sessions: Some(6),
            delivered_by: "Tom Baker".into(),
            plan: None,
            steps: steps
                .iter()
                .map(|step| StepRecord {
                    step: *step,
                    on: date!(2026 - 11 - 02),
                    reason: None,
                    recorded_by: "Tom Baker".into(),
                    recorded_at_millis: 0,
                })
                .collect(),
            series: vec![],
        }
    }

    fn step(code: &str, reason: &str) -> StepInput {
        StepInput {
            step: code.into(),
            step_day: "10".into(),
            step_month: "11".into(),
            step_year: "2026".into(),
            reason: reason.into(),
        }
    }

    #[test]
    fn each_step_follows_only_the_ones_before_it_and_declining_needs_a_reason() {
        let today = date!(2026 - 11 - 26);
        let offered = journey(&[Step::Offered]);
        assert!(
            step("started", "").parse(&offered, today).is_err(),
            "not started before accepted"
        );
        let problems = step("declined", "").parse(&offered, today).unwrap_err();
        assert!(problems.message_for("reason").is_some());
        assert_eq!(
            step("declined", "Not now: back at work")
                .parse(&offered, today)
                .unwrap()
                .0,
            Step::Declined
        );
        let done = journey(&[
            Step::Offered,
            Step::Accepted,
            Step::Started,
            Step::Completed,
        ]);
        assert!(!done.is_active());
        assert!(step("stopped", "x")
            .parse(&done, today)
            .unwrap_err()
            .message_for("step")
            .is_some_and(|m| m.contains("nothing can follow")));
        let early = StepInput {
            step_day: "1".into(),
            ..step("accepted", "")
        };
        assert!(early
            .parse(&offered, today)
            .unwrap_err()
            .message_for("step_on")
            .is_some_and(|m| m.contains("on or after the last step")));
    }

    #[test]
    fn a_series_session_names_its_number_and_one_of_the_themes_once() {
        let today = date!(2026 - 11 - 26);
        let themes = vec!["Speaking for the baby".to_string()];
        let typed = SeriesInput {
            number: "2".into(),
            theme: "Speaking for the baby".into(),
            series_day: "12".into(),
            series_month: "11".into(),
            series_year: "2026".into(),
        };
        assert!(
            typed
                .parse(&journey(&[Step::Offered]), &themes, today)
                .is_err(),
            "not accepted"
        );
        assert!(
            typed
                .parse(
                    &journey(&[Step::Offered, Step::Accepted, Step::Started, Step::Stopped]),
                    &themes,
                    today
                )
                .is_err(),
            "stopped"
        );
        // The first session of an accepted series starts it, on the session's date.
        let mut accepted = journey(&[Step::Offered, Step::Accepted]);
        let (number, theme, on) = typed.parse(&accepted, &themes, today).unwrap();
        accepted.add_series_session(
            SeriesSession {
                number,
                theme,
                on,
                recorded_by: "Tom Baker".into(),
            },
            1,
        );
        assert_eq!(accepted.current_step(), Step::Started);
        assert_eq!(
            accepted.current().map(|s| s.on),
            Some(date!(2026 - 11 - 12))
        );
        assert_eq!(accepted.series.len(), 1);
        let mut started = journey(&[Step::Offered, Step::Accepted, Step::Started]);
        assert_eq!(typed.parse(&started, &themes, today).unwrap().0, 2);
        for (number, theme) in [("7", "Speaking for the baby"), ("2", "Something else")] {
            let bad = SeriesInput {
                number: number.into(),
                theme: theme.into(),
                ..typed.clone()
            };
            assert!(
                bad.parse(&started, &themes, today).is_err(),
                "{number} {theme}"
            );
        }
        started.series.push(SeriesSession {
            number: 2,
            theme: "Speaking for the baby".into(),
            on: date!(2026 - 11 - 12),
            recorded_by: "Tom".into(),
        });
        assert!(typed
            .parse(&started, &themes, today)
            .unwrap_err()
            .message_for("number")
            .is_some_and(|m| m.contains("already recorded")));
    }

    #[test]
    fn the_catalogue_is_seeded_and_names_are_unique_in_a_team() {
        let seeded = CatalogueEntry::seeded();
        assert!(seeded
            .iter()
            .any(|e| e.name.contains("VIPP") && e.manualised && e.themes.len() == 6));
        assert!(seeded.iter().any(|e| e.name == "Nursery nursing"));
        let typed = CatalogueInput {
            name: "nursery NURSING".into(),
            ..CatalogueInput::default()
        };
        assert!(typed.parse(Uuid::now_v7(), &seeded).is_err());
        let themed = CatalogueInput {
            name: "Baby massage".into(),
            themes: "Touch\nRoutine".into(),
            ..CatalogueInput::default()
        };
        assert!(themed
            .parse(Uuid::now_v7(), &seeded)
            .unwrap_err()
            .message_for("themes")
            .is_some());
        let manual = CatalogueInput {
            manualised: "yes".into(),
            series_sessions: "4".into(),
            ..themed
        };
        let entry = manual.parse(Uuid::now_v7(), &seeded).unwrap();
        assert_eq!(entry.themes, vec!["Touch", "Routine"]);
    }
}
