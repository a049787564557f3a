//! The gate's rule, checked over many random families and every family-facing output.

use super::*;
use crate::concerns::{Concern, ConcernKind};
use crate::conversations::{Conversation, ConversationStatus, Seen};
use crate::entries::EntryKind;
use crate::needs::CaregiverNote;
use crate::network::{
    CareShare, ChildProtectionStatus, ContactConsent, ContactFrequency, ContactRestriction, Person,
    RelationshipKind, RelationshipTarget, RestrictionKind,
};
use crate::{PersonId, RelationshipId, RestrictionId};
use proptest::prelude::*;
use time::macros::date;
use uuid::Uuid;

/// Written into every staff-only part of a random family; never to be found in any output.
const STAFF_ONLY: &str = "STAFF-ONLY-MARKER";

const TODAY: Date = date!(2026 - 12 - 6);

fn person(name: String) -> Person {
    Person {
        id: PersonId::new(),
        name,
        phone: None,
        email: None,
        postcode: None,
        preferred_language: None,
        interpreter_needed: false,
        ethnicity: None,
        religion: None,
        cultural_notes: None,
        contact_consent: ContactConsent::Yes,
        version: 1,
        date_of_birth: None,
        age_band: None,
        sex: None,
    }
}

fn entry(
    kind: EntryKind,
    about: Option<Member>,
    confided_by: Option<Member>,
    text: String,
) -> Entry {
    Entry {
        id: Uuid::now_v7(),
        kind,
        about,
        confided_by,
        text,
        written_at_millis: 0,
        written_by: "Priya Shah".into(),
    }
}

/// One random family member's part of the record: (restricted, whether restricted for a
/// review date already past, entries as (kind index, about them, in confidence)).
type MemberShape = (bool, bool, Vec<(usize, bool, bool)>);

/// A family of the mother and a person for each shape, with staff-only detail (marked with
/// [`STAFF_ONLY`]) everywhere the record can hold it, and each member's confidences marked
/// "secret of N" (N the member's index, the mother being 0).
fn random_family(shapes: &[MemberShape]) -> FamilyRecord {
    let mut record = FamilyRecord::new(crate::Family {
        id: crate::FamilyId::new(),
        team_id: crate::TeamId::new(),
        mother_name: "Amara Okafor".into(),
        mother_nhs_number: None,
        mother_date_of_birth: None,
        mother_postcode: None,
        mother_language: Default::default(),
        stage: crate::PerinatalStage::Postnatal,
        referral_date: Some(date!(2026 - 08 - 20)),
        child_protection: ChildProtectionStatus::ChildProtectionPlan,
        babies: vec![],
        created_at_millis: 0,
        version: 1,
    });
    let mut members = vec![Member::Mother];
    for (i, _) in shapes.iter().enumerate() {
        let p = person(format!("Person {}", i + 1));
        members.push(Member::Person(p.id));
        record.relationships.push(Relationship {
            id: RelationshipId::new(),
            person_id: p.id,
            target: RelationshipTarget::Mother,
            kind: RelationshipKind::ALL[i % RelationshipKind::ALL.len()],
            lives_with_baby: true,
            care_share: CareShare::Some,
            contact_frequency: ContactFrequency::Daily,
            nature: None,
            parental_responsibility: Default::default(),
            started_on: None,
            ended_on: None,
            end_reason: None,
            version: 1,
        });
        record.people.push(p);
    }
    for (index, (member, shape)) in members
        .iter()
        .zip(std::iter::once(&(false, false, vec![(0, true, true)])).chain(shapes))
        .enumerate()
    {
        let (restricted, review_passed, entries) = shape;
        if let (Member::Person(id), true) = (member, restricted) {
            record.restrictions.push(ContactRestriction {
                id: RestrictionId::new(),
                person_id: *id,
                kind: RestrictionKind::DoNotInvolve,
                decided_by: format!("{STAFF_ONLY} decided"),
                reason: format!("{STAFF_ONLY} reason"),
                review_on: Some(if *review_passed {
                    date!(2026 - 11 - 1)
                } else {
                    date!(2027 - 3 - 1)
                }),
                recorded_at_millis: 0,
                lifted_at_millis: None,
                lifted_by: None,
                lifted_reason: None,
                renewed_as: None,
            });
        }
        for (kind, about_them, confidential) in entries {
            let kind = EntryKind::ALL[kind % EntryKind::ALL.len()];
            let about = about_them.then_some(*member);
            let text = if kind.is_staff_only() {
                format!("{STAFF_ONLY}: {} named someone", index)
            } else if *confidential && *about_them {
                format!("secret of {index}")
            } else {
                format!("note {index}")
            };
            let confided_by = (*confidential && *about_them).then_some(*member);
            record.entries.push(entry(kind, about, confided_by, text));
        }
        record.concerns.push(Concern {
            id: Uuid::now_v7(),
            about: *member,
            conversation: None,
            kinds: vec![ConcernKind::Anger],
            description: format!("{STAFF_ONLY} concern"),
            raised_at_millis: 0,
            raised_by: "Priya Shah".into(),
            actions: vec![],
            closure: None,
            version: 1,
        });
        record.conversations.push(Conversation {
            id: Uuid::now_v7(),
            held_on: None,
            participants: vec![*member],
            baby: None,
            seen: Seen::Apart,
            answers: vec![
                ("enjoy".into(), format!("enjoys bath time {index}")),
                (
                    "coping".into(),
                    format!("{STAFF_ONLY} at the end of my tether"),
                ),
            ],
            formulation: Some(format!("{STAFF_ONLY} formulation")),
            status: ConversationStatus::Finished,
            interpreter: None,
            recorded_by: "Priya Shah".into(),
            saved_at_millis: 0,
            version: 1,
        });
        record.notes.push(CaregiverNote {
            id: Uuid::now_v7(),
            subject: crate::needs::NoteSubject::Caregiver(*member),
            kind: NoteKind::Strength,
            text: format!("strength of {index}"),
            noted_on: None,
            recorded_by: "Priya Shah".into(),
            recorded_at_millis: 0,
            version: 1,
        });
    }
    record
}

fn every_output(view: &FamilyFacing) -> String {
    let mut out = format!("{view:?}");
    out.push_str(&crate::summaries::caregiver_summary(view).text());
    out
}

fn member_shape() -> impl Strategy<Value = MemberShape> {
    (
        any::<bool>(),
        any::<bool>(),
        proptest::collection::vec((0usize..3, any::<bool>(), any::<bool>()), 0..6),
    )
}

proptest! {
    /// For any family and any group of its members (one alone, or several together), no
    /// output made for them holds anything staff-only, nor anyone else's confidence, and a
    /// person marked do not involve (whether or not their review date has passed) is given
    /// nothing.
    #[test]
    fn no_staff_only_detail_or_other_confidence_reaches_any_family_facing_output(
        shapes in proptest::collection::vec(member_shape(), 0..6),
        group in proptest::collection::vec(0usize..7, 1..4),
    ) {
        let record = random_family(&shapes);
        let members: Vec<Member> = std::iter::once(Member::Mother)
            .chain(record.people.iter().map(|p| Member::Person(p.id)))
            .collect();
        let group: Vec<Member> = group.iter().map(|i| members[i % members.len()]).collect();
        let restricted = group.iter().any(|member| match member {
            Member::Mother => false,
            Member::Person(id) => record.restrictions.iter().any(|r| r.person_id == *id),
        });
        let distinct: std::collections::HashSet<Member> = group.iter().copied().collect();
        let a_child_alone = match distinct.iter().collect::<Vec<_>>().as_slice() {
            [Member::Person(id)] => record.is_child(*id, TODAY),
            _ => false,
        };
        match FamilyFacing::build(&record, &group, TODAY) {
            Err(Withheld::Child) => prop_assert!(a_child_alone && !restricted),
            Err(withheld) => {
                prop_assert!(restricted, "withheld without a restriction: {withheld:?}");
                prop_assert_eq!(withheld, Withheld::Restricted);
            }
            Ok(view) => {
                prop_assert!(!restricted, "a restricted person was given a view");
                prop_assert!(!a_child_alone, "a child was given a summary of their own");
                let out = every_output(&view);
                prop_assert!(!out.contains(STAFF_ONLY), "staff-only detail in {out}");
                for (index, member) in members.iter().enumerate() {
                    let secret = format!("secret of {index}");
                    if out.contains(&secret) {
                        prop_assert_eq!(view.recipients.as_slice(), &[*member]);
                    }
                }
            }
        }
    }
}

#[test]
fn the_mothers_own_disclosure_is_not_in_her_own_printout() {
    let mut record = random_family(&[(false, false, vec![])]);
    record.entries.push(entry(
        EntryKind::AbuseEnquiry,
        Some(Member::Mother),
        Some(Member::Mother),
        format!("{STAFF_ONLY}: disclosed; named Person 1; safe to call after 3pm"),
    ));
    record.entries.push(entry(
        EntryKind::Note,
        Some(Member::Mother),
        Some(Member::Mother),
        "secret of 0".into(),
    ));
    let view = FamilyFacing::build(&record, &[Member::Mother], TODAY).unwrap();
    let out = every_output(&view);
    assert!(!out.contains(STAFF_ONLY));
    // Her own confidence is hers to take home.
    assert!(out.contains("secret of 0"));
    assert!(out.contains("enjoys bath time 0"));
}

#[test]
fn nobody_or_a_stranger_gets_no_view() {
    let record = random_family(&[]);
    assert_eq!(
        FamilyFacing::build(&record, &[], TODAY),
        Err(Withheld::NoOne)
    );
    assert_eq!(
        FamilyFacing::build(&record, &[Member::Person(PersonId::new())], TODAY),
        Err(Withheld::NotInFamily)
    );
}
