//! The one gate every family-facing output goes through.
//!
//! Anything that leaves the clinic (a printout, "You and your baby", the summary for a
//! session together, and later information packs, PDFs, exports and a family portal) may be
//! read at home by the person who harms. So no such output reads the family record directly:
//! it is built from a [`FamilyFacing`] view, which holds only what every recipient may be
//! given. The rule of the record, decided here once:
//!
//! - **Staff-only, never in the view:** abuse enquiries and what was disclosed or named with
//!   them, safeguarding entries, child protection changes, do not contact / do not involve decisions and their reasons,
//!   coping concerns and their actions, child protection status, questionnaire answers and
//!   alerts, observations' clinical ratings, and the parts of a conversation about coping
//!   ("at the end of your tether").
//! - **Only to the person who shared it:** anything shared in confidence.
//! - **Only to the person it is about:** entries, strengths, support wanted, good moments and
//!   goals of one member; with several people together, only what belongs to all of them.
//! - **To no one:** a person marked do not contact or do not involve is given nothing, and a
//!   child is given no summary of their own (they are written for adults).

use crate::care_plans::{Goal, Rating};
use crate::entries::{Entry, Member};
use crate::needs::{NoteKind, NoteSubject};
use crate::network::{FamilyRecord, Relationship};
use crate::observations::PositiveMoment;
use crate::{Baby, FamilyId, TeamId};
use time::Date;

/// The conversation prompts whose answers may be given back to the person who gave them,
/// in their own words. The prompt about coping at the end of one's tether is never among
/// them: it can be a safeguarding signal.
pub const SHAREABLE_PROMPTS: [&str; 2] = ["enjoy", "relationship"];

/// A goal as a family-facing output carries it: its words and its ratings, the baseline first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedGoal {
    pub goal: Goal,
    /// Whose goal it is: "The whole family", or the people it belongs to.
    pub whose: String,
    pub ratings: Vec<Rating>,
}

/// Why no family-facing view can be made for the people asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Withheld {
    /// Nobody was named.
    NoOne,
    /// Someone named is not in this family.
    NotInFamily,
    /// The one person named is a child: the summaries are written for adults.
    Child,
    /// Someone named is marked do not contact or do not involve. Not saying who: with
    /// several people in the room, the screen may be seen by the family.
    Restricted,
}

/// What may be given to one family member, or to several seen together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyFacing {
    pub family_id: FamilyId,
    pub team_id: TeamId,
    /// Each once, in the order asked for.
    pub recipients: Vec<Member>,
    /// "Amara Okafor and Tunde Okafor".
    pub recipient_name: String,
    /// Each recipient's name, in the same order.
    pub recipient_names: Vec<String>,
    /// The mother's name, used only to name a baby not yet named ("Baby of …").
    pub mother_name: String,
    pub babies: Vec<Baby>,
    /// Each recipient's current relationships to the baby: (their name, the relationship).
    pub relationships: Vec<(String, Relationship)>,
    /// Timeline entries every recipient may be given, in timeline order.
    pub entries: Vec<Entry>,
    /// Open care plans' goals that belong to every recipient.
    pub goals: Vec<SharedGoal>,
    /// Good moments seen with the recipient (one recipient only), oldest first.
    pub moments: Vec<PositiveMoment>,
    /// What the recipient said in conversations with them alone, to the prompts in
    /// [`SHAREABLE_PROMPTS`] (one recipient only).
    pub own_words: Vec<String>,
    /// Strengths the team noticed in the recipient (one recipient only).
    pub strengths: Vec<String>,
    /// What the recipient would like support with (one recipient only).
    pub support_wanted: Vec<String>,
}

impl FamilyFacing {
    /// The view for `recipients` of `record` on `today`, or why none may be made.
    pub fn build(
        record: &FamilyRecord,
        recipients: &[Member],
        today: Date,
    ) -> Result<Self, Withheld> {
        let mut present: Vec<Member> = Vec::new();
        for member in recipients {
            if !present.contains(member) {
                present.push(*member);
            }
        }
        if present.is_empty() {
            return Err(Withheld::NoOne);
        }
        if present.iter().any(|member| !record.has_member(*member)) {
            return Err(Withheld::NotInFamily);
        }
        let restricted = present.iter().any(|member| match member {
            Member::Person(id) => !record.involvement(*id).may_contact,
            Member::Mother => false,
        });
        if restricted {
            return Err(Withheld::Restricted);
        }
        if let [Member::Person(only)] = present.as_slice() {
            if record.is_child(*only, today) {
                return Err(Withheld::Child);
            }
        }
        let alone = match present.as_slice() {
            [only] => Some(*only),
            _ => None,
        };
        let relationships = present
            .iter()
            .filter_map(|member| match member {
                Member::Person(id) => Some(*id),
                Member::Mother => None,
            })
            .flat_map(|person| {
                let name = record.member_name(Member::Person(person));
                record
                    .relationships_of(person)
                    .filter(|r| r.is_current(today))
                    .map(move |r| (name.clone(), r.clone()))
            })
            .collect();
        let entries = crate::entries::for_recipients(&record.entries, &present)
            .into_iter()
            .cloned()
            .collect();
        let goals = record
            .plans
            .iter()
            .filter(|plan| plan.is_open())
            .flat_map(|plan| {
                plan.active_goals()
                    .filter(|goal| goal.reaches(&present))
                    .map(|goal| SharedGoal {
                        whose: if goal.who.is_empty() {
                            "The whole family".to_string()
                        } else {
                            record.members_named(&goal.who)
                        },
                        goal: goal.clone(),
                        ratings: plan.ratings_of(goal.id),
                    })
            })
            .collect();
        let moments = record
            .moments
            .iter()
            .filter(|m| Some(m.caregiver) == alone)
            .cloned()
            .collect();
        // Only conversations with this member alone: a joint conversation may hold what
        // someone else said.
        let own_words = record
            .conversations
            .iter()
            .filter(|c| alone.is_some_and(|member| c.participants.as_slice() == [member]))
            .flat_map(|c| {
                SHAREABLE_PROMPTS
                    .into_iter()
                    .filter_map(|code| c.answer(code))
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        let notes_of = |kind: NoteKind| -> Vec<String> {
            record
                .notes
                .iter()
                .filter(|n| {
                    n.kind == kind
                        && alone.is_some_and(|member| n.subject == NoteSubject::Caregiver(member))
                })
                .map(|n| n.text.clone())
                .collect()
        };
        Ok(FamilyFacing {
            family_id: record.family.id,
            team_id: record.family.team_id,
            recipient_name: record.members_named(&present),
            recipient_names: present.iter().map(|m| record.member_name(*m)).collect(),
            recipients: present,
            mother_name: record.family.mother_name.clone(),
            babies: record.family.babies.clone(),
            relationships,
            entries,
            goals,
            moments,
            own_words,
            strengths: notes_of(NoteKind::Strength),
            support_wanted: notes_of(NoteKind::SupportWanted),
        })
    }

    /// Whether this is for several people seen together.
    pub fn together(&self) -> bool {
        self.recipients.len() > 1
    }

    /// The babies' names as a heading says them ("Ada", "Baby of Amara Okafor").
    pub fn baby_label(&self) -> String {
        match self.babies.as_slice() {
            [] => "Your baby".to_string(),
            babies => babies
                .iter()
                .map(|b| b.label(&self.mother_name))
                .collect::<Vec<_>>()
                .join(" and "),
        }
    }

    /// A member's name, as named in this view (empty for someone not a recipient).
    pub fn name_of(&self, member: Member) -> String {
        self.recipients
            .iter()
            .position(|m| *m == member)
            .and_then(|i| self.recipient_names.get(i).cloned())
            .unwrap_or_default()
    }

    /// Several recipients' names as a sentence says them.
    pub fn names_of(&self, members: &[Member]) -> String {
        let names: Vec<String> = members.iter().map(|m| self.name_of(*m)).collect();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => names.concat(),
        }
    }
}

#[cfg(test)]
mod tests;
