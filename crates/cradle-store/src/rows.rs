//! Rows as both databases return them, and their conversion into domain types.

use crate::{AuditRecord, BreakGlassGrant, SessionRecord, StoreError, StoreResult};
use cradle_domain::{
    Family, FamilyId, FamilySummary, PerinatalStage, Role, Staff, StaffId, Team, TeamId,
};
use time::{macros::format_description, Date};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub(crate) struct TeamRow {
    pub id: Uuid,
    pub name: String,
}

impl From<TeamRow> for Team {
    fn from(row: TeamRow) -> Self {
        Team {
            id: TeamId(row.id),
            name: row.name,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct StaffRow {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub password_hash: Option<String>,
    pub disabled: bool,
    pub service_account: bool,
}

impl StaffRow {
    pub fn into_staff(self, teams: Vec<TeamId>) -> StoreResult<(Staff, Option<String>)> {
        let role = Role::parse("role", &self.role)
            .map_err(|_| StoreError::Database(sqlx::Error::Decode("unknown role code".into())))?;
        Ok((
            Staff {
                id: StaffId(self.id),
                username: self.username,
                display_name: self.display_name,
                role,
                teams,
                disabled: self.disabled,
                service_account: self.service_account,
            },
            self.password_hash,
        ))
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    pub token_hash: String,
    pub staff_id: Uuid,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub source: String,
}

impl From<SessionRow> for SessionRecord {
    fn from(row: SessionRow) -> Self {
        SessionRecord {
            token_hash: row.token_hash,
            staff_id: StaffId(row.staff_id),
            csrf_token: row.csrf_token,
            created_at_millis: row.created_at,
            last_seen_at_millis: row.last_seen_at,
            source: row.source,
        }
    }
}

pub(crate) fn date_text(date: Option<Date>) -> Option<String> {
    date.and_then(|d| d.format(format_description!("[year]-[month]-[day]")).ok())
}

fn parse_date_text(text: Option<String>) -> StoreResult<Option<Date>> {
    match text {
        None => Ok(None),
        Some(text) => Date::parse(&text, format_description!("[year]-[month]-[day]"))
            .map(Some)
            .map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e)))),
    }
}

fn parse_stage(code: &str) -> StoreResult<PerinatalStage> {
    PerinatalStage::from_code(code)
        .ok_or_else(|| StoreError::Database(sqlx::Error::Decode("unknown perinatal stage".into())))
}

#[derive(sqlx::FromRow)]
pub(crate) struct FamilyRow {
    pub id: Uuid,
    pub team_id: Uuid,
    pub mother_name: String,
    pub mother_nhs_number: Option<String>,
    pub stage: String,
    pub baby_name: Option<String>,
    pub baby_date_of_birth: Option<String>,
    pub due_date: Option<String>,
    pub created_at: i64,
}

impl FamilyRow {
    pub fn into_family(self) -> StoreResult<Family> {
        Ok(Family {
            id: FamilyId(self.id),
            team_id: TeamId(self.team_id),
            mother_name: self.mother_name,
            mother_nhs_number: self.mother_nhs_number,
            stage: parse_stage(&self.stage)?,
            baby_name: self.baby_name,
            baby_date_of_birth: parse_date_text(self.baby_date_of_birth)?,
            due_date: parse_date_text(self.due_date)?,
            created_at_millis: self.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct FamilySummaryRow {
    pub id: Uuid,
    pub team_id: Uuid,
    pub mother_name: String,
    pub baby_name: Option<String>,
    pub stage: String,
}

impl FamilySummaryRow {
    pub fn into_summary(self) -> StoreResult<FamilySummary> {
        Ok(FamilySummary {
            id: FamilyId(self.id),
            team_id: TeamId(self.team_id),
            mother_name: self.mother_name,
            baby_name: self.baby_name,
            stage: parse_stage(&self.stage)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct GrantRow {
    pub id: Uuid,
    pub staff_id: Uuid,
    pub family_id: Uuid,
    pub reason: String,
    pub granted_at: i64,
    pub expires_at: i64,
}

impl From<GrantRow> for BreakGlassGrant {
    fn from(row: GrantRow) -> Self {
        BreakGlassGrant {
            id: row.id,
            staff_id: StaffId(row.staff_id),
            family_id: FamilyId(row.family_id),
            reason: row.reason,
            granted_at_millis: row.granted_at,
            expires_at_millis: row.expires_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AuditRow {
    pub seq: i64,
    pub at: i64,
    pub actor_id: Option<Uuid>,
    pub actor_username: String,
    pub actor_role: Option<String>,
    pub team_id: Option<Uuid>,
    pub action: String,
    pub outcome: String,
    pub subject_kind: Option<String>,
    pub subject_id: Option<Uuid>,
    pub source: String,
    pub break_glass_reason: Option<String>,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl From<AuditRow> for AuditRecord {
    fn from(row: AuditRow) -> Self {
        AuditRecord {
            seq: row.seq,
            at_millis: row.at,
            actor_id: row.actor_id.map(StaffId),
            actor_username: row.actor_username,
            actor_role: row.actor_role,
            team_id: row.team_id.map(TeamId),
            action: row.action,
            outcome: row.outcome,
            subject_kind: row.subject_kind,
            subject_id: row.subject_id,
            source: row.source,
            break_glass_reason: row.break_glass_reason,
            detail: row.detail,
            prev_hash: row.prev_hash,
            hash: row.hash,
        }
    }
}
