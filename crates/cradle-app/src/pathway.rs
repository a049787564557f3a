//! The partner pathway: each family member's steps from being identified to follow-up, their
//! own assessment, and which family members the team offers it to.

use crate::{Actor, AppError, Cradle, FamilyAccess};
use cradle_domain::interventions::{PersonIntervention, Step, StepRecord};
use cradle_domain::network::{FamilyRecord, RelationshipKind};
use cradle_domain::partner_assessment::{AssessmentInput, PartnerAssessment};
use cradle_domain::pathway::{
    check_against_referral, InformationGiven, Pathway, PathwayStep, RecordedStep,
};
use cradle_domain::{AuditAction, Invalid, PersonId, Problems, SubjectKind, TeamId};
use cradle_store::Sections;
use cradle_store::StoreError;
use time::Date;
use uuid::Uuid;

/// How many months the partner figures cover, this one included.
pub const FIGURE_MONTHS: u8 = 12;

/// Pathway steps to record together (one, or an offer with the answer given there and then),
/// with what goes with them.
#[derive(Debug, Clone, Default)]
pub struct NewSteps {
    pub steps: Vec<PathwayStep>,
    /// Information and local services given (kept with the first step).
    pub given: InformationGiven,
    /// Why the steps are dated before the family's referral, when they are.
    pub before_referral_reason: String,
    /// Whether an interpreter was used, for a contact with someone who needs one.
    pub interpreter: cradle_domain::interpreters::InterpreterInput,
}

/// The partner pathway figures for a manager's teams.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartnerFigures {
    /// By team and month, newest month first.
    pub by_month: Vec<cradle_domain::pathway::MonthFigures>,
    /// By team and ethnic group over the whole period, "not recorded" included.
    pub by_ethnicity: Vec<cradle_domain::pathway::EthnicityFigures>,
}

fn conflict(error: StoreError) -> AppError {
    match error {
        StoreError::Conflict(_) => AppError::Conflict(
            "Someone else has recorded a pathway step for this person since you opened the family, so nothing was saved. Reload the family to see it.".to_string(),
        ),
        other => AppError::Store(other),
    }
}

/// Checks that `step` may be recorded next for `person` after `pathway` (their steps so far):
/// they belong to the family, the team offers them the pathway (asked when they join it),
/// nothing restricts contacting them, the step follows the ones before, and a step dated before
/// the family's referral says why.
fn check_step(
    record: &FamilyRecord,
    person: PersonId,
    pathway: &Pathway,
    step: &PathwayStep,
    before_referral_reason: Option<&str>,
    today: Date,
) -> Result<(), AppError> {
    if !record.people.iter().any(|p| p.id == person) {
        return Err(AppError::NotFound);
    }
    if record.is_child(person, today) {
        return Err(AppError::invalid(
            "step",
            "The partner pathway is for adults: this person is recorded as under 16, or as the baby's brother or sister with no age recorded. Record their age on their details if that is wrong.",
        ));
    }
    if pathway.steps.is_empty() && !record.pathway_offered_to(person, today) {
        return Err(AppError::invalid(
            "step",
            "The team offers the partner pathway to partners, fathers and co-parents. A team manager can add other family members, such as grandparents, in Team settings.",
        ));
    }
    pathway
        .check(step, record.involvement(person), today)
        .and_then(|()| {
            check_against_referral(
                step.on(),
                record.family.referral_date,
                before_referral_reason,
            )
        })
        .map_err(|problem| AppError::Invalid(Problems(vec![problem])))
}

impl Cradle {
    /// The partner pathway figures of the actor's teams by month, newest first, and by
    /// ethnicity over the same twelve months, for team managers. Counting rules:
    /// `docs/reporting.md`. Viewing them is audited.
    pub async fn partner_figures(&self, actor: &Actor) -> Result<PartnerFigures, AppError> {
        actor.require(cradle_domain::Permission::ManageTeamPractice)?;
        let today = self.today();
        let mut since = today.replace_day(1).unwrap_or(today);
        for _ in 1..FIGURE_MONTHS {
            since = since
                .previous_day()
                .and_then(|d| d.replace_day(1).ok())
                .unwrap_or(since);
        }
        let mut steps = Vec::new();
        let mut ethnicity = std::collections::HashMap::new();
        for team in &actor.teams {
            for (person, recorded, recorded_ethnicity) in
                self.store.pathway_steps_of_team(*team, since).await?
            {
                ethnicity.insert(person, recorded_ethnicity);
                steps.push((*team, person, recorded.step));
            }
        }
        let mut entry = actor.audit(self.now(), AuditAction::ReportViewed, None);
        entry.detail = format!("partner pathway figures since {since}");
        self.store.append_audit(entry).await?;
        Ok(PartnerFigures {
            by_month: cradle_domain::pathway::month_figures(&steps),
            by_ethnicity: cradle_domain::pathway::ethnicity_figures(&steps, |person| {
                ethnicity.get(&person).copied().flatten()
            }),
        })
    }

    /// Records a family member's next pathway steps (one, or an offer with the answer given
    /// there and then) with any information and local services given, each checked against
    /// the steps before it, against whom the team offers the pathway to, against any
    /// restriction on contacting them and against the family's referral date (a step before
    /// it needs `before_referral_reason`). All are kept or none. Returns their pathway with
    /// the steps.
    pub async fn record_pathway_steps(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        person: PersonId,
        new: NewSteps,
    ) -> Result<Pathway, AppError> {
        let NewSteps {
            steps,
            given,
            before_referral_reason,
            interpreter,
        } = new;
        let before_referral_reason = before_referral_reason.as_str();
        let staff = actor.staff_changing_records()?;
        let record = self.record_for_change(access, Sections::PATHWAY).await?;
        let today = self.today();
        // A contact with someone who needs an interpreter says whether one was used.
        let interpreter = if steps.iter().any(PathwayStep::is_contact) {
            interpreter
                .parse_for(&record, &[cradle_domain::entries::Member::Person(person)])
                .map_err(AppError::Invalid)?
        } else {
            None
        };
        let mut pathway = record.pathway_of(person);
        let position = pathway.steps.len();
        let now = self.now();
        let mut given = Some(given);
        // An answer given with its offer is stamped a millisecond after it, so every list
        // ordered by when things were recorded keeps the offer before the answer.
        for (stamp, step) in (now..).zip(steps) {
            let step_is_contact = step.is_contact();
            check_step(
                &record,
                person,
                &pathway,
                &step,
                Some(before_referral_reason),
                today,
            )?;
            pathway.steps.push(RecordedStep {
                step,
                recorded_by: staff,
                recorded_by_name: actor.display_name.clone(),
                recorded_at_millis: stamp,
                // What was given goes with the first step: the offer, when it was answered.
                given: given.take().unwrap_or_default(),
                before_referral_reason: before_referral_reason.trim().to_string(),
                interpreter: interpreter.clone().filter(|_| step_is_contact),
            });
        }
        let recorded = &pathway.steps[position..];
        if recorded.is_empty() {
            return Err(AppError::invalid("step", "Select what happened"));
        }
        let codes: Vec<&str> = recorded.iter().map(|r| r.step.code()).collect();
        let entry = access.audit_change(
            actor,
            now,
            AuditAction::PathwayStepRecorded,
            format!("{} for person {person}", codes.join(" and ")),
        );
        self.store
            .record_pathway_steps(access.family_id(), person, position, recorded, entry)
            .await
            .map_err(conflict)?;
        Ok(pathway)
    }

    /// Records a family member's own assessment: the pathway's "assessed" step, the
    /// assessment itself and the partner package's interventions offered from it, all in one
    /// transaction. The person must have accepted the offer of an assessment; the
    /// conversations it draws on must be ones they took part in; the package comes from the
    /// team's current catalogue.
    pub async fn record_partner_assessment(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        person: PersonId,
        input: &AssessmentInput,
    ) -> Result<PartnerAssessment, AppError> {
        let staff = actor.staff_changing_records()?;
        let parsed = input.parse().map_err(AppError::Invalid)?;
        // The pathway it completes, and the conversations it may draw on.
        let record = self
            .record_for_change(access, Sections::PATHWAY.and(Sections::RELATIONSHIP_WORK))
            .await?;
        let today = self.today();
        let member = cradle_domain::entries::Member::Person(person);
        let mut problems = Problems::default();
        let interpreter = match input.interpreter.parse_for(&record, &[member]) {
            Ok(used) => used,
            Err(found) => {
                problems.0.extend(found.0);
                None
            }
        };
        for id in &parsed.conversations {
            let took_part = record
                .conversations
                .iter()
                .any(|c| c.id == *id && c.participants.contains(&member));
            if !took_part {
                problems.push(Invalid::new(
                    "conversations",
                    "Select only relationship conversations this person took part in",
                ));
                break;
            }
        }
        let catalogue = self.store.catalogue(record.family.team_id).await?;
        let mut package = Vec::new();
        for id in &parsed.package {
            match catalogue.iter().find(|e| e.id == *id && !e.retired) {
                Some(entry) => package.push(entry),
                None => {
                    problems.push(Invalid::new(
                        "package",
                        "Select only interventions the team offers now",
                    ));
                    break;
                }
            }
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let names: Vec<String> = package.iter().map(|e| e.name.clone()).collect();
        let step = parsed.step(&names);
        let pathway = record.pathway_of(person);
        // The assessment form has no box for why it came before the referral.
        check_step(&record, person, &pathway, &step, None, today)?;
        let now = self.now();
        let assessment = PartnerAssessment {
            id: Uuid::now_v7(),
            person_id: person,
            assessed_on: parsed.assessed_on,
            sections: parsed.sections,
            conversations: parsed.conversations,
            risk: parsed.risk,
            risk_detail: parsed.risk_detail,
            package: names,
            outcome: parsed.outcome,
            outcome_detail: parsed.outcome_detail,
            interpreter,
            recorded_by_name: actor.display_name.clone(),
            recorded_at_millis: now,
        };
        let offers: Vec<PersonIntervention> = package
            .iter()
            .map(|entry| PersonIntervention {
                id: Uuid::now_v7(),
                member,
                intervention: entry.id,
                name: entry.name.clone(),
                manualised: entry.manualised,
                series_sessions: entry.series_sessions,
                delivered_by: String::new(),
                plan: None,
                steps: vec![StepRecord {
                    step: Step::Offered,
                    on: parsed.assessed_on,
                    reason: None,
                    recorded_by: actor.display_name.clone(),
                    recorded_at_millis: now,
                }],
                series: Vec::new(),
            })
            .collect();
        let recorded = RecordedStep {
            step,
            recorded_by: staff,
            recorded_by_name: actor.display_name.clone(),
            recorded_at_millis: now,
            given: parsed.given,
            before_referral_reason: String::new(),
            interpreter: assessment.interpreter.clone(),
        };
        let entry = access.audit_change(
            actor,
            now,
            AuditAction::PartnerAssessmentRecorded,
            format!(
                "assessment {} for person {person}; {} offered from the package",
                assessment.id,
                offers.len()
            ),
        );
        self.store
            .record_partner_assessment(
                access.family_id(),
                pathway.steps.len(),
                &recorded,
                &assessment,
                &offers,
                staff,
                entry,
            )
            .await
            .map_err(conflict)?;
        Ok(assessment)
    }

    /// Which family members beyond partners, fathers and co-parents one of the manager's
    /// teams offers the partner pathway to.
    pub async fn pathway_roles(
        &self,
        actor: &Actor,
        team: TeamId,
    ) -> Result<Vec<RelationshipKind>, AppError> {
        self.require_team_practice(actor, team)?;
        Ok(self.store.pathway_roles(team).await?)
    }

    /// Changes that choice from the relationship codes ticked. Partners, fathers and
    /// co-parents are always offered it, so they are not a choice.
    pub async fn set_pathway_roles(
        &self,
        actor: &Actor,
        team: TeamId,
        codes: &[String],
    ) -> Result<Vec<RelationshipKind>, AppError> {
        self.require_team_practice(actor, team)?;
        let mut roles = Vec::new();
        for code in codes {
            match RelationshipKind::from_code(code) {
                Some(kind) if !cradle_domain::pathway::PARTNER_KINDS.contains(&kind) => {
                    roles.push(kind)
                }
                _ => {
                    return Err(AppError::invalid(
                        "pathway_roles",
                        "Select only family members from the list",
                    ))
                }
            }
        }
        let mut entry = actor.audit(
            self.now(),
            AuditAction::TeamSettingsChanged,
            Some((SubjectKind::Team, team.0)),
        );
        entry.team_id = Some(team);
        entry.detail = format!(
            "partner pathway also offered to: {}",
            match cradle_domain::pathway::roles_text(&roles) {
                text if text.is_empty() => "nobody else".to_string(),
                text => text,
            }
        );
        self.store.set_pathway_roles(team, &roles, entry).await?;
        Ok(roles)
    }
}
