//! Group programmes a team runs (a fathers' group, a parenting group): dates, facilitators and
//! a capacity; family members enrolled from their families; attendance taken at each session.
//! A member's attendance shows on their own family's timeline.

use crate::dates::parse_date_parts;
use crate::entries::Member;
use crate::network::{choices, FamilyRecord};
use crate::text::{optional_text, required_text};
use crate::{Invalid, Problems};
use serde::{Deserialize, Serialize};
use time::{Date, Duration};
use uuid::Uuid;

choices!(
    /// Whether an enrolled member came to a group session.
    Presence {
        Attended => ("attended", "Attended"),
        Apologies => ("apologies", "Sent apologies"),
        DidNotAttend => ("did_not_attend", "Did not attend"),
    }
);

/// A session of a group programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GroupSession {
    pub id: Uuid,
    #[serde(with = "crate::family::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub on: Date,
    pub topic: String,
}

/// A group programme run by a team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Group {
    pub id: Uuid,
    pub team_id: crate::TeamId,
    pub name: String,
    pub description: String,
    /// Who runs it (names or roles, as the team writes them).
    pub facilitators: String,
    pub capacity: u32,
    /// In date order.
    pub sessions: Vec<GroupSession>,
    pub created_by: String,
    pub created_at_millis: i64,
}

impl Group {
    pub fn session(&self, id: Uuid) -> Option<&GroupSession> {
        self.sessions.iter().find(|s| s.id == id)
    }
}

/// A family member enrolled in a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Enrolment {
    pub id: Uuid,
    pub group_id: Uuid,
    pub family_id: crate::FamilyId,
    pub member: Member,
    /// The member's name when enrolled, for the group's own register.
    pub name: String,
    #[serde(with = "crate::family::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub enrolled_on: Date,
    pub enrolled_by: String,
}

/// One mark in a group's register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AttendanceMark {
    pub enrolment: Uuid,
    pub session: Uuid,
    pub presence: Presence,
    pub recorded_by: String,
}

/// A family's place in a group: who is enrolled, the group's sessions, and their marks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GroupMembership {
    pub group: Group,
    pub enrolment: Enrolment,
    pub marks: Vec<AttendanceMark>,
}

impl GroupMembership {
    /// (session, presence) for each session with a mark, in date order.
    pub fn attendance(&self) -> Vec<(&GroupSession, Presence)> {
        self.group
            .sessions
            .iter()
            .filter_map(|s| {
                self.marks
                    .iter()
                    .find(|m| m.session == s.id)
                    .map(|m| (s, m.presence))
            })
            .collect()
    }
}

/// A group's whole register, as the group's page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GroupRegister {
    pub group: Group,
    pub enrolments: Vec<Enrolment>,
    pub marks: Vec<AttendanceMark>,
}

/// A group as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupInput {
    pub team: String,
    pub name: String,
    pub description: String,
    pub facilitators: String,
    pub capacity: String,
}

/// A checked group: (team, name, description, facilitators, capacity).
pub type ParsedGroup = (crate::TeamId, String, String, String, u32);

impl GroupInput {
    pub fn parse(&self, teams: &[crate::TeamId]) -> Result<ParsedGroup, Problems> {
        let mut problems = Problems::default();
        let team = match teams {
            [only] if self.team.trim().is_empty() => Some(*only),
            _ => {
                let found = self
                    .team
                    .trim()
                    .parse::<Uuid>()
                    .ok()
                    .map(crate::TeamId)
                    .filter(|t| teams.contains(t));
                if found.is_none() {
                    problems.push(Invalid::new("team", "Select which of your teams runs it"));
                }
                found
            }
        };
        let name = problems.take(required_text("name", "The group's name", &self.name, 120));
        let description = problems.take(
            optional_text(
                "description",
                "What the group is for",
                &self.description,
                2_000,
            )
            .map(Option::unwrap_or_default),
        );
        let facilitators = problems.take(required_text(
            "facilitators",
            "Who runs the group",
            &self.facilitators,
            300,
        ));
        let capacity = match self.capacity.trim().parse::<u32>() {
            Ok(n) if (1..=100).contains(&n) => Some(n),
            _ => {
                problems.push(Invalid::new(
                    "capacity",
                    "Enter how many people the group can take, a whole number from 1 to 100",
                ));
                None
            }
        };
        match (team, name, description, facilitators, capacity) {
            (Some(t), Some(n), Some(d), Some(f), Some(c)) if problems.is_empty() => {
                Ok((t, n, d, f, c))
            }
            _ => Err(problems),
        }
    }
}

/// A group session as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupSessionInput {
    pub on_day: String,
    pub on_month: String,
    pub on_year: String,
    pub topic: String,
}

impl GroupSessionInput {
    pub fn parse(&self, group: &Group, today: Date) -> Result<(Date, String), Problems> {
        let mut problems = Problems::default();
        let on = problems.take(
            parse_date_parts(
                "on",
                "Date of the session",
                &self.on_day,
                &self.on_month,
                &self.on_year,
            )
            .and_then(|d| {
                if d < today - Duration::days(366) || d > today + Duration::days(366) {
                    Err(Invalid::new(
                        "on",
                        "Date of the session must be within a year of today",
                    ))
                } else if group.sessions.iter().any(|s| s.on == d) {
                    Err(Invalid::new(
                        "on",
                        "The group already has a session on that date",
                    ))
                } else {
                    Ok(d)
                }
            }),
        );
        let topic = problems.take(
            optional_text("topic", "The topic", &self.topic, 200).map(Option::unwrap_or_default),
        );
        match (on, topic) {
            (Some(on), Some(topic)) if problems.is_empty() => Ok((on, topic)),
            _ => Err(problems),
        }
    }
}

/// Enrolling a family member, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EnrolInput {
    pub group: String,
    pub member: String,
}

impl EnrolInput {
    /// The group and member, checked against the group's register and the family.
    pub fn parse(
        &self,
        register: Option<&GroupRegister>,
        record: &FamilyRecord,
    ) -> Result<Member, Problems> {
        let mut problems = Problems::default();
        let Some(register) = register.filter(|r| r.group.team_id == record.family.team_id) else {
            problems.push(Invalid::new(
                "group",
                "Select one of the groups the family's team runs",
            ));
            return Err(problems);
        };
        let member = match Member::parse(&self.member).filter(|m| record.has_member(*m)) {
            None => {
                problems.push(Invalid::new("member", "Select who to enrol"));
                None
            }
            Some(Member::Person(id)) if !record.involvement(id).may_involve => {
                problems.push(Invalid::new(
                    "member",
                    format!(
                        "{} is marked “do not involve”: Cradle does not enrol them in groups",
                        record.member_name(Member::Person(id))
                    ),
                ));
                None
            }
            Some(member) => Some(member),
        };
        if let Some(member) = member {
            if register
                .enrolments
                .iter()
                .any(|e| e.family_id == record.family.id && e.member == member)
            {
                problems.push(Invalid::new(
                    "member",
                    format!(
                        "{} is already enrolled in {}",
                        record.member_name(member),
                        register.group.name
                    ),
                ));
            }
        }
        let enrolled = u32::try_from(register.enrolments.len()).unwrap_or(u32::MAX);
        if enrolled >= register.group.capacity {
            problems.push(Invalid::new(
                "group",
                format!(
                    "{} is full ({} places): choose another group or ask the facilitators",
                    register.group.name, register.group.capacity
                ),
            ));
        }
        match member {
            Some(member) if problems.is_empty() => Ok(member),
            _ => Err(problems),
        }
    }
}

/// A session's register as typed: `(enrolment id, presence code)` for each member.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegisterInput {
    pub marks: Vec<(String, String)>,
}

impl RegisterInput {
    /// A mark for every enrolled member, or the problems.
    pub fn parse(
        &self,
        register: &GroupRegister,
        session: &GroupSession,
        today: Date,
    ) -> Result<Vec<(Uuid, Presence)>, Problems> {
        let mut problems = Problems::default();
        if session.on > today {
            problems.push(Invalid::new(
                "marks",
                "Attendance can be taken on the day of the session or after it",
            ));
            return Err(problems);
        }
        for (enrolment, _) in &self.marks {
            if !register
                .enrolments
                .iter()
                .any(|e| e.id.to_string() == enrolment.trim())
            {
                problems.push(Invalid::new(
                    "marks",
                    "The register names someone not enrolled in this group",
                ));
            }
        }
        let mut marks = Vec::new();
        for enrolment in &register.enrolments {
            let typed = self
                .marks
                .iter()
                .find(|(e, _)| e.trim() == enrolment.id.to_string())
                .and_then(|(_, p)| Presence::from_code(p));
            match typed {
                Some(presence) => marks.push((enrolment.id, presence)),
                None => problems.push(Invalid::new(
                    "marks",
                    format!("Select whether {} attended", enrolment.name),
                )),
            }
        }
        if problems.is_empty() {
            Ok(marks)
        } else {
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn register(capacity: u32, enrolled: usize) -> (GroupRegister, FamilyRecord) {
        let team = crate::TeamId::new();
        let record = FamilyRecord::new(crate::Family {
            id: crate::FamilyId::new(),
            team_id: team,
            mother_name: "Amara Okafor".into(),
            mother_nhs_number: None,
            mother_date_of_birth: None,
            mother_postcode: None,
            mother_language: Default::default(),
            stage: crate::PerinatalStage::Postnatal,
            referral_date: None,
            child_protection: crate::network::ChildProtectionStatus::None,
            babies: vec![],
            created_at_millis: 0,
            version: 1,
        });
        let group = Group {
            id: Uuid::now_v7(),
            team_id: team,
            name: "Fathers' group".into(),
            description: String::new(),
            facilitators: "Tom Baker".into(),
            capacity,
            sessions: vec![GroupSession {
                id: Uuid::now_v7(),
                on: date!(2026 - 11 - 20),
                topic: "Meeting the baby".into(),
            }],
            created_by: "Tom".into(),
            created_at_millis: 0,
        };
        let enrolments = (0..enrolled)
            .map(|i| Enrolment {
                id: Uuid::now_v7(),
                group_id: group.id,
                family_id: crate::FamilyId::new(),
                member: Member::Mother,
                name: format!("Parent {i}"),
                enrolled_on: date!(2026 - 11 - 01),
                enrolled_by: "Tom".into(),
            })
            .collect();
        (
            GroupRegister {
                group,
                enrolments,
                marks: vec![],
            },
            record,
        )
    }

    #[test]
    fn a_full_group_takes_nobody_more_and_nobody_is_enrolled_twice() {
        let typed = EnrolInput {
            group: String::new(),
            member: "mother".into(),
        };
        let (full, record) = register(2, 2);
        assert!(typed
            .parse(Some(&full), &record)
            .unwrap_err()
            .message_for("group")
            .is_some_and(|m| m.contains("is full (2 places)")));
        let (mut open, record) = register(3, 1);
        assert_eq!(typed.parse(Some(&open), &record), Ok(Member::Mother));
        open.enrolments[0].family_id = record.family.id;
        assert!(typed
            .parse(Some(&open), &record)
            .unwrap_err()
            .message_for("member")
            .is_some_and(|m| m.contains("already enrolled")));
        let (mut other_team, record) = register(3, 0);
        other_team.group.team_id = crate::TeamId::new();
        assert!(typed.parse(Some(&other_team), &record).is_err());
    }

    #[test]
    fn a_register_needs_a_mark_for_everyone_enrolled() {
        let (register, _) = register(5, 2);
        let session = register.group.sessions[0].clone();
        let one = RegisterInput {
            marks: vec![(register.enrolments[0].id.to_string(), "attended".into())],
        };
        let problems = one
            .parse(&register, &session, date!(2026 - 11 - 26))
            .unwrap_err();
        assert!(problems
            .message_for("marks")
            .is_some_and(|m| m.contains("Parent 1")));
        let both = RegisterInput {
            marks: vec![
                (register.enrolments[0].id.to_string(), "attended".into()),
                (register.enrolments[1].id.to_string(), "apologies".into()),
            ],
        };
        assert_eq!(
            both.parse(&register, &session, date!(2026 - 11 - 26))
                .unwrap()
                .len(),
            2
        );
        assert!(both
            .parse(&register, &session, date!(2026 - 11 - 19))
            .is_err());
    }
}
