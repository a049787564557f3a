//! Consent to film, for video feedback (VIG, VIPP): who is on film with the baby, who
//! consented for the baby (only someone with parental responsibility), each purpose the
//! film may serve (consented to separately), who may view it, how consent was given and
//! recorded, and until when it lasts. Nothing is filmed or uploaded without a consent in
//! force that covers it; a person marked do not contact or do not involve is never filmed
//! or asked.

use crate::dates::parse_date_parts;
use crate::entries::Member;
use crate::network::{choices, FamilyRecord, ParentalResponsibility, RelationshipTarget};
use crate::{Invalid, Problems};
use serde::{Deserialize, Serialize};
use time::Date;
use uuid::Uuid;

choices!(
    /// What a film may be used for. Each is consented to on its own: agreeing to the
    /// family's own feedback sessions is not agreeing to teaching.
    FilmingPurpose {
        FamilyCare => ("family_care", "The family's own video feedback sessions"),
        Supervision => ("supervision", "The practitioner's clinical supervision"),
        Teaching => ("teaching", "Teaching and training other professionals"),
        Research => ("research", "Research"),
    }
);

choices!(
    /// Who may view the film.
    ViewingScope {
        Practitioner => ("practitioner", "The practitioner and their supervisor only"),
        CareTeam => ("care_team", "The family's care team"),
    }
);

choices!(
    /// How consent was given and where it is kept.
    ConsentGiven {
        SignedForm => ("signed_form", "In writing, on the signed consent form"),
        InPerson => ("in_person", "Spoken in person, and recorded here"),
    }
);

/// Consent to film, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FilmingConsent {
    pub id: Uuid,
    /// The adults who will be on film with the baby.
    pub on_film: Vec<Member>,
    /// Who consented for the baby: each with parental responsibility for them.
    pub for_baby: Vec<Member>,
    pub purposes: Vec<FilmingPurpose>,
    pub scope: ViewingScope,
    pub given: ConsentGiven,
    #[serde(with = "crate::family::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub given_on: Date,
    /// The last day the consent covers filming and viewing.
    #[serde(with = "crate::family::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub expires_on: Date,
    pub recorded_by: String,
    pub recorded_at_millis: i64,
    pub withdrawn: Option<ConsentWithdrawal>,
}

/// Consent withdrawn: from when, why, and who recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConsentWithdrawal {
    #[serde(with = "crate::family::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub on: Date,
    pub reason: String,
    pub recorded_by: String,
    pub recorded_at_millis: i64,
}

impl FilmingConsent {
    /// Whether it lets anything be filmed or viewed today: given, not expired, not withdrawn.
    pub fn in_force(&self, today: Date) -> bool {
        self.withdrawn.is_none() && self.given_on <= today && today <= self.expires_on
    }

    /// Whether it covers filming `people` for `purpose` today.
    pub fn covers(&self, purpose: FilmingPurpose, people: &[Member], today: Date) -> bool {
        self.in_force(today)
            && self.purposes.contains(&purpose)
            && people.iter().all(|p| self.on_film.contains(p))
    }
}

/// Consent to film as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FilmingConsentInput {
    /// "mother" or people's ids.
    #[serde(deserialize_with = "crate::ticked::boxes")]
    pub on_film: Vec<String>,
    /// "mother" or people's ids.
    #[serde(deserialize_with = "crate::ticked::boxes")]
    pub for_baby: Vec<String>,
    #[serde(deserialize_with = "crate::ticked::boxes")]
    pub purposes: Vec<String>,
    pub scope: String,
    pub given: String,
    pub given_day: String,
    pub given_month: String,
    pub given_year: String,
    pub expires_day: String,
    pub expires_month: String,
    pub expires_year: String,
}

/// Consent to film that has passed every check, before it is given an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedConsent {
    pub on_film: Vec<Member>,
    pub for_baby: Vec<Member>,
    pub purposes: Vec<FilmingPurpose>,
    pub scope: ViewingScope,
    pub given: ConsentGiven,
    pub given_on: Date,
    pub expires_on: Date,
}

impl ParsedConsent {
    /// The consent as kept, recorded by `recorded_by` at `recorded_at_millis`.
    pub fn recorded(self, id: Uuid, recorded_by: &str, recorded_at_millis: i64) -> FilmingConsent {
        FilmingConsent {
            id,
            on_film: self.on_film,
            for_baby: self.for_baby,
            purposes: self.purposes,
            scope: self.scope,
            given: self.given,
            given_on: self.given_on,
            expires_on: self.expires_on,
            recorded_by: recorded_by.to_string(),
            recorded_at_millis,
            withdrawn: None,
        }
    }
}

/// Whether `member` may be filmed or asked to consent: not marked do not contact or do not
/// involve.
pub fn may_be_asked_to_film(record: &FamilyRecord, member: Member) -> bool {
    match member {
        Member::Mother => true,
        Member::Person(person) => {
            let involvement = record.involvement(person);
            involvement.may_involve && involvement.may_contact
        }
    }
}

/// Someone in the family who may be filmed or asked: not marked do not contact or do not
/// involve.
fn may_be_asked(
    field: &'static str,
    typed: &str,
    record: &FamilyRecord,
) -> Result<Member, Invalid> {
    let member = Member::parse(typed)
        .filter(|m| record.has_member(*m))
        .ok_or_else(|| Invalid::new(field, "Select people from this family"))?;
    if !may_be_asked_to_film(record, member) {
        return Err(Invalid::new(
            field,
            format!(
                "{} is marked “do not contact” or “do not involve”: they are never filmed or asked to consent",
                record.member_name(member)
            ),
        ));
    }
    Ok(member)
}

/// Whether `member` holds parental responsibility for a baby of the family: the mother
/// does; anyone else when one of their relationships with a baby records that they do.
pub fn has_parental_responsibility(record: &FamilyRecord, member: Member, today: Date) -> bool {
    match member {
        Member::Mother => true,
        Member::Person(person) => record.relationships_of(person).any(|r| {
            matches!(r.target, RelationshipTarget::Baby(_))
                && r.parental_responsibility == ParentalResponsibility::Yes
                && r.is_current(today)
        }),
    }
}

impl FilmingConsentInput {
    pub fn parse(&self, record: &FamilyRecord, today: Date) -> Result<ParsedConsent, Problems> {
        let mut problems = Problems::default();
        let mut members = |field: &'static str, typed: &[String], none: &str| {
            let mut chosen = Vec::new();
            for code in typed {
                match may_be_asked(field, code, record) {
                    Ok(member) if !chosen.contains(&member) => chosen.push(member),
                    Ok(_) => {}
                    Err(problem) => problems.push(problem),
                }
            }
            if typed.is_empty() {
                problems.push(Invalid::new(field, none));
            }
            chosen
        };
        let on_film = members(
            "on_film",
            &self.on_film,
            "Select who will be on film with the baby",
        );
        let for_baby = members(
            "for_baby",
            &self.for_baby,
            "Select who consented for the baby: someone with parental responsibility for them",
        );
        for member in &for_baby {
            if !has_parental_responsibility(record, *member, today) {
                problems.push(Invalid::new(
                    "for_baby",
                    format!(
                        "{} is not recorded as having parental responsibility for the baby, so cannot consent for them. Check it and record it on their relationship first",
                        record.member_name(*member)
                    ),
                ));
            }
        }
        let mut purposes = Vec::new();
        for code in &self.purposes {
            match FilmingPurpose::from_code(code) {
                Some(purpose) if !purposes.contains(&purpose) => purposes.push(purpose),
                Some(_) => {}
                None => problems.push(Invalid::new(
                    "purposes",
                    "Select the purposes from the list",
                )),
            }
        }
        if self.purposes.is_empty() {
            problems.push(Invalid::new(
                "purposes",
                "Select each purpose the family agreed the film may be used for",
            ));
        }
        let scope = problems.take(
            ViewingScope::from_code(&self.scope)
                .ok_or_else(|| Invalid::new("scope", "Select who may view the film")),
        );
        let given = problems.take(
            ConsentGiven::from_code(&self.given)
                .ok_or_else(|| Invalid::new("given", "Select how consent was given and recorded")),
        );
        let given_on = problems.take(
            parse_date_parts(
                "given_on",
                "The date consent was given",
                &self.given_day,
                &self.given_month,
                &self.given_year,
            )
            .and_then(|day| {
                if day > today {
                    Err(Invalid::new(
                        "given_on",
                        "The date consent was given must be today or in the past",
                    ))
                } else {
                    Ok(day)
                }
            }),
        );
        let expires_on = problems.take(parse_date_parts(
            "expires_on",
            "The date consent ends",
            &self.expires_day,
            &self.expires_month,
            &self.expires_year,
        ));
        if let (Some(given_on), Some(expires_on)) = (given_on, expires_on) {
            if expires_on <= given_on {
                problems.push(Invalid::new(
                    "expires_on",
                    "The date consent ends must be after the date it was given",
                ));
            }
        }
        match (scope, given, given_on, expires_on) {
            (Some(scope), Some(given), Some(given_on), Some(expires_on)) if problems.is_empty() => {
                Ok(ParsedConsent {
                    on_film,
                    for_baby,
                    purposes,
                    scope,
                    given,
                    given_on,
                    expires_on,
                })
            }
            _ => Err(problems),
        }
    }
}

/// Withdrawing consent, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WithdrawalInput {
    pub on_day: String,
    pub on_month: String,
    pub on_year: String,
    pub reason: String,
}

impl WithdrawalInput {
    /// The day consent was withdrawn (not before it was given, not in the future) and why.
    pub fn parse(&self, consent: &FilmingConsent, today: Date) -> Result<(Date, String), Problems> {
        let mut problems = Problems::default();
        let on = problems.take(
            parse_date_parts(
                "withdrawn_on",
                "The date consent was withdrawn",
                &self.on_day,
                &self.on_month,
                &self.on_year,
            )
            .and_then(|day| {
                if day > today {
                    Err(Invalid::new(
                        "withdrawn_on",
                        "The date consent was withdrawn must be today or in the past",
                    ))
                } else if day < consent.given_on {
                    Err(Invalid::new(
                        "withdrawn_on",
                        "The date consent was withdrawn must be on or after the date it was given",
                    ))
                } else {
                    Ok(day)
                }
            }),
        );
        let reason = problems.take(crate::text::required_text(
            "reason",
            "The reason, or that the family gave none",
            &self.reason,
            1000,
        ));
        match (on, reason) {
            (Some(on), Some(reason)) if problems.is_empty() => Ok((on, reason)),
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::network::{
        CareShare, ContactConsent, ContactFrequency, ContactRestriction, Person, Relationship,
        RelationshipKind, RestrictionKind,
    };
    use crate::{BabyId, PersonId, RelationshipId, RestrictionId};
    use time::macros::date;

    pub(crate) const TODAY: Date = date!(2026 - 12 - 07);

    fn person(name: &str) -> Person {
        Person {
            id: PersonId::new(),
            name: name.into(),
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

    fn with_baby(
        person: &Person,
        kind: RelationshipKind,
        pr: ParentalResponsibility,
    ) -> Relationship {
        Relationship {
            id: RelationshipId::new(),
            person_id: person.id,
            target: RelationshipTarget::Baby(BabyId::new()),
            kind,
            lives_with_baby: true,
            care_share: CareShare::Equal,
            contact_frequency: ContactFrequency::Daily,
            nature: None,
            parental_responsibility: pr,
            started_on: None,
            ended_on: None,
            end_reason: None,
            version: 1,
        }
    }

    /// Amara's family: Tunde (father, with parental responsibility), Grace (grandmother,
    /// without), and Dev, whom the team has marked do not involve.
    /// The Okafor family: Tunde (father, parental responsibility), Grace (grandmother, none) and
    /// Dev (a friend, marked do not involve).
    pub(crate) fn family() -> (FamilyRecord, Person, Person, Person) {
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
            child_protection: crate::network::ChildProtectionStatus::None,
            babies: vec![],
            created_at_millis: 0,
            version: 1,
        });
        let (tunde, grace, dev) = (
            person("Tunde Okafor"),
            person("Grace Adebayo"),
            person("Dev Shah"),
        );
        record.relationships = vec![
            with_baby(
                &tunde,
                RelationshipKind::Father,
                ParentalResponsibility::Yes,
            ),
            with_baby(
                &grace,
                RelationshipKind::Grandparent,
                ParentalResponsibility::No,
            ),
            with_baby(
                &dev,
                RelationshipKind::Friend,
                ParentalResponsibility::NotKnown,
            ),
        ];
        record.restrictions = vec![ContactRestriction {
            id: RestrictionId::new(),
            person_id: dev.id,
            kind: RestrictionKind::DoNotInvolve,
            decided_by: "Safeguarding meeting".into(),
            reason: "Staff only".into(),
            review_on: None,
            recorded_at_millis: 0,
            lifted_at_millis: None,
            lifted_by: None,
            lifted_reason: None,
            renewed_as: None,
        }];
        record.people = vec![tunde.clone(), grace.clone(), dev.clone()];
        (record, tunde, grace, dev)
    }

    pub(crate) fn typed(on_film: &[String], for_baby: &[String]) -> FilmingConsentInput {
        FilmingConsentInput {
            on_film: on_film.to_vec(),
            for_baby: for_baby.to_vec(),
            purposes: vec!["family_care".into(), "supervision".into()],
            scope: "practitioner".into(),
            given: "signed_form".into(),
            given_day: "1".into(),
            given_month: "12".into(),
            given_year: "2026".into(),
            expires_day: "1".into(),
            expires_month: "6".into(),
            expires_year: "2027".into(),
        }
    }

    #[test]
    fn a_father_on_film_consents_with_the_mother_for_the_baby_for_each_purpose_separately() {
        let (record, tunde, ..) = family();
        let tunde = tunde.id.to_string();
        let parsed = typed(
            std::slice::from_ref(&tunde),
            &["mother".into(), tunde.clone()],
        )
        .parse(&record, TODAY)
        .unwrap();
        assert_eq!(
            parsed.purposes,
            [FilmingPurpose::FamilyCare, FilmingPurpose::Supervision]
        );
        assert_eq!(parsed.for_baby.len(), 2);
        let consent = parsed.recorded(Uuid::now_v7(), "Priya Shah", 0);
        let on_film = consent.on_film.clone();
        assert!(consent.covers(FilmingPurpose::FamilyCare, &on_film, TODAY));
        assert!(
            !consent.covers(FilmingPurpose::Teaching, &on_film, TODAY),
            "teaching is consented to on its own"
        );
        assert!(!consent.covers(FilmingPurpose::FamilyCare, &[Member::Mother], TODAY));
        assert!(!consent.in_force(date!(2027 - 06 - 02)), "expired");
        let withdrawn = FilmingConsent {
            withdrawn: Some(ConsentWithdrawal {
                on: TODAY,
                reason: "Tunde no longer wants to be filmed".into(),
                recorded_by: "Priya Shah".into(),
                recorded_at_millis: 0,
            }),
            ..consent
        };
        assert!(!withdrawn.in_force(TODAY));
    }

    #[test]
    fn only_someone_with_parental_responsibility_consents_for_the_baby() {
        let (record, _, grace, _) = family();
        let grace = [grace.id.to_string()];
        let problems = typed(&grace, &grace).parse(&record, TODAY).unwrap_err();
        assert!(problems.message_for("for_baby").is_some_and(
            |m| m.contains("Grace Adebayo is not recorded as having parental responsibility")
        ));
    }

    #[test]
    fn a_person_marked_do_not_involve_is_never_filmed_or_asked() {
        let (record, _, _, dev) = family();
        let dev = [dev.id.to_string()];
        let problems = typed(&dev, &dev).parse(&record, TODAY).unwrap_err();
        for field in ["on_film", "for_baby"] {
            assert!(
                problems
                    .message_for(field)
                    .is_some_and(|m| m.contains("Dev Shah is marked")),
                "{field}"
            );
        }
    }

    #[test]
    fn a_withdrawal_needs_its_day_and_reason_and_is_not_before_consent_was_given() {
        let (record, ..) = family();
        let parsed = typed(&["mother".into()], &["mother".into()])
            .parse(&record, TODAY)
            .unwrap();
        let consent = parsed.recorded(Uuid::now_v7(), "Priya Shah", 0);
        let early = WithdrawalInput {
            on_day: "30".into(),
            on_month: "11".into(),
            on_year: "2026".into(),
            reason: String::new(),
        };
        let problems = early.parse(&consent, TODAY).unwrap_err();
        assert!(problems
            .message_for("withdrawn_on")
            .is_some_and(|m| m.contains("on or after the date it was given")));
        assert!(problems.message_for("reason").is_some());
        let done = WithdrawalInput {
            on_day: "7".into(),
            on_month: "12".into(),
            reason: "Amara asked for the films to be deleted".into(),
            ..early
        };
        assert_eq!(done.parse(&consent, TODAY).unwrap().0, TODAY);
    }

    #[test]
    fn every_missing_answer_is_named_at_once() {
        let (record, ..) = family();
        let problems = FilmingConsentInput::default()
            .parse(&record, TODAY)
            .unwrap_err();
        for field in [
            "on_film",
            "for_baby",
            "purposes",
            "scope",
            "given",
            "given_on",
            "expires_on",
        ] {
            assert!(problems.message_for(field).is_some(), "{field}");
        }
        let mut ends_first = typed(&["mother".into()], &["mother".into()]);
        ends_first.expires_year = "2025".into();
        assert_eq!(
            ends_first
                .parse(&record, TODAY)
                .unwrap_err()
                .message_for("expires_on"),
            Some("The date consent ends must be after the date it was given")
        );
    }
}
