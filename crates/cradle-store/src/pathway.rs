//! The partner pathway, partner assessments and questionnaires, and the team's questionnaire
//! definitions and pathway roles.

use crate::{AuditEntry, StoreResult};
use async_trait::async_trait;
use cradle_domain::interventions::PersonIntervention;
use cradle_domain::partner_assessment::PartnerAssessment;
use cradle_domain::pathway::RecordedStep;
use cradle_domain::questionnaires::{ImportedDefinition, QuestionnaireResponse};
use cradle_domain::{FamilyId, PersonId, StaffId, TeamId};
use uuid::Uuid;

#[async_trait]
pub trait PathwayStore: Send + Sync {
    /// Records a family member's next partner pathway steps (one, or an offer with the answer
    /// given there and then), all or nothing. `position` is how many steps they had when the
    /// steps were checked: `Conflict` if another step was recorded from the same point
    /// meanwhile, so neither is lost unseen.
    async fn record_pathway_steps(
        &self,
        family: FamilyId,
        person: PersonId,
        position: usize,
        steps: &[RecordedStep],
        audit: AuditEntry,
    ) -> StoreResult<()>;

    /// Every pathway step of a team's families dated on or after `since`, with whose it is and
    /// their ethnicity as recorded: what the service figures count. Not audited here: the
    /// caller audits the report.
    async fn pathway_steps_of_team(
        &self,
        team: TeamId,
        since: time::Date,
    ) -> StoreResult<
        Vec<(
            PersonId,
            RecordedStep,
            Option<cradle_domain::person::EthnicCategory>,
        )>,
    >;

    /// Records a completed questionnaire with its scores and alerts.
    async fn record_response(
        &self,
        family: FamilyId,
        response: &QuestionnaireResponse,
        recorded_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;

    /// Records what was done about a response's safety alert (`response.alert_action` set).
    /// `NotFound` unless the response is the family's; `Conflict` if an action was recorded
    /// first.
    async fn record_alert_action(
        &self,
        family: FamilyId,
        response: &QuestionnaireResponse,
        audit: AuditEntry,
    ) -> StoreResult<()>;

    /// Records a family member's assessment with the pathway's "assessed" step (at
    /// `position`, as [`PathwayStore::record_pathway_steps`]) and the partner package's
    /// interventions offered from it, all or nothing.
    #[allow(clippy::too_many_arguments)]
    async fn record_partner_assessment(
        &self,
        family: FamilyId,
        position: usize,
        step: &RecordedStep,
        assessment: &PartnerAssessment,
        offers: &[PersonIntervention],
        recorded_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;

    /// The questionnaire definitions the team imported, current and retired, oldest first.
    async fn team_definitions(&self, team: TeamId) -> StoreResult<Vec<ImportedDefinition>>;

    /// Keeps an imported definition and retires the team's other versions of the same
    /// questionnaire. `Conflict` if the team already has this version.
    async fn import_definition(
        &self,
        definition: &ImportedDefinition,
        imported_by: StaffId,
        audit: AuditEntry,
    ) -> StoreResult<()>;

    /// Stops offering an imported definition. `NotFound` unless it is the team's and current.
    async fn retire_definition(
        &self,
        team: TeamId,
        id: Uuid,
        at_millis: i64,
        audit: AuditEntry,
    ) -> StoreResult<()>;

    /// Which family members beyond partners, fathers and co-parents the team offers the
    /// partner pathway to.
    async fn pathway_roles(
        &self,
        team: TeamId,
    ) -> StoreResult<Vec<cradle_domain::network::RelationshipKind>>;

    /// Changes that choice; every family of the team counts it as a change.
    async fn set_pathway_roles(
        &self,
        team: TeamId,
        roles: &[cradle_domain::network::RelationshipKind],
        audit: AuditEntry,
    ) -> StoreResult<()>;
}
