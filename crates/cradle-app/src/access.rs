//! Who is asking, and proof that they may see a family's record.
//!
//! A [`FamilyAccess`] can only be made by [`Cradle::family_access`], which checks the role,
//! the team and any break-glass grant. Use-cases that read or change a family take one, so a
//! handler cannot reach a record without the check having been made.

use crate::{AppError, Cradle};
use cradle_domain::{
    AuditAction, AuditOutcome, FamilyId, Permission, Role, Staff, StaffId, SubjectKind, TeamId,
};
use cradle_store::AuditEntry;
use uuid::Uuid;

/// The person (or command line) making a request, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: Option<StaffId>,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub teams: Vec<TeamId>,
    /// "http 127.0.0.1", "api 127.0.0.1", "command line".
    pub source: String,
    /// The page or API path being served, when there is one: a read's audit record says
    /// what was seen.
    pub viewing: Option<String>,
}

impl Actor {
    pub fn staff(staff: &Staff, source: impl Into<String>) -> Self {
        Self {
            id: Some(staff.id),
            username: staff.username.clone(),
            display_name: staff.display_name.clone(),
            role: staff.role,
            teams: staff.teams.clone(),
            source: source.into(),
            viewing: None,
        }
    }

    /// Whoever runs `cradle` on the server: they already hold the database, so they act as
    /// an administrator, and what they do is audited under the operating-system user's name.
    pub fn command_line() -> Self {
        let user = std::env::var("USER").unwrap_or_else(|_| "unknown".to_string());
        Self {
            id: None,
            username: format!("command line ({user})"),
            display_name: "Command line".to_string(),
            role: Role::Administrator,
            teams: Vec::new(),
            source: "command line".to_string(),
            viewing: None,
        }
    }

    /// The server's own background work (deleting what may no longer be kept), as the audit
    /// names it.
    pub fn housekeeping() -> Self {
        Self {
            id: None,
            username: "housekeeping".to_string(),
            display_name: "Cradle's retention job".to_string(),
            role: Role::Administrator,
            teams: Vec::new(),
            source: "housekeeping".to_string(),
            viewing: None,
        }
    }

    /// Whether this is whoever runs the server, at its command line (who holds the database
    /// already), rather than a member of staff.
    pub fn is_command_line(&self) -> bool {
        self.id.is_none() && self.source == "command line"
    }

    pub fn may(&self, permission: Permission) -> bool {
        self.role.allows(permission)
    }

    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if self.may(permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden(permission))
        }
    }

    /// Whether this actor may do `permission` for `team`: the role must allow it (refused as a
    /// role) and the team must be one of theirs (refused as a team, not as a role).
    pub fn require_in_team(&self, permission: Permission, team: TeamId) -> Result<(), AppError> {
        self.require(permission)?;
        if self.teams.contains(&team) {
            Ok(())
        } else {
            Err(AppError::NotInTeam)
        }
    }

    /// The member of staff making a change to clinical records: one who may, and who has an
    /// account (the command line has none).
    pub fn staff_changing_records(&self) -> Result<StaffId, AppError> {
        self.require(Permission::ChangeClinicalRecords)?;
        self.id
            .ok_or(AppError::Forbidden(Permission::ChangeClinicalRecords))
    }

    /// An audit entry for something this actor did, at `at_millis`.
    pub fn audit(
        &self,
        at_millis: i64,
        action: AuditAction,
        subject: Option<(SubjectKind, Uuid)>,
    ) -> AuditEntry {
        AuditEntry {
            at_millis,
            actor_id: self.id,
            actor_username: self.username.clone(),
            actor_role: Some(self.role),
            team_id: self.teams.first().copied(),
            action,
            outcome: AuditOutcome::Allowed,
            subject_kind: subject.map(|(kind, _)| kind),
            subject_id: subject.map(|(_, id)| id),
            source: self.source.clone(),
            break_glass_reason: None,
            detail: String::new(),
        }
    }
}

/// Proof that an actor may see one family's record, and on what grounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyAccess {
    family_id: FamilyId,
    team_id: TeamId,
    /// The family's change count when access was decided: reads use it to tell whether a
    /// copy of the record they hold is still the record.
    changes: i64,
    /// Set when access comes from a break-glass grant; every audit record carries it.
    break_glass_reason: Option<String>,
}

impl FamilyAccess {
    /// The server's own background work on a family's record (never a person's access).
    pub(crate) fn for_housekeeping(family_id: FamilyId, team_id: TeamId) -> Self {
        Self {
            family_id,
            team_id,
            changes: 0,
            break_glass_reason: None,
        }
    }

    pub fn family_id(&self) -> FamilyId {
        self.family_id
    }
    pub fn team_id(&self) -> TeamId {
        self.team_id
    }
    pub fn changes(&self) -> i64 {
        self.changes
    }
    pub fn break_glass_reason(&self) -> Option<&str> {
        self.break_glass_reason.as_deref()
    }

    /// An audit entry about this family, carrying the break-glass reason when there is one.
    pub fn audit(&self, actor: &Actor, at_millis: i64, action: AuditAction) -> AuditEntry {
        let mut entry = actor.audit(
            at_millis,
            action,
            Some((SubjectKind::Family, self.family_id.0)),
        );
        entry.team_id = Some(self.team_id);
        entry.break_glass_reason = self.break_glass_reason.clone();
        entry
    }

    /// The audit entry of a change to this family, saying what changed.
    pub fn audit_change(
        &self,
        actor: &Actor,
        at_millis: i64,
        action: AuditAction,
        detail: String,
    ) -> AuditEntry {
        let mut entry = self.audit(actor, at_millis, action);
        entry.detail = detail;
        entry
    }
}

/// A family's team and change count, read with the request's session (`stamp` is `None`
/// when there is no such family).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FamilyLookup {
    pub family: FamilyId,
    pub stamp: Option<(TeamId, i64)>,
}

impl Cradle {
    /// Decides whether `actor` may see family `id`. A refusal is itself audited. The family's
    /// team and change count are read here unless `looked_up` already holds them for `id`
    /// (read with the request's session, see [`Cradle::session`]).
    pub async fn family_access(
        &self,
        actor: &Actor,
        id: FamilyId,
        looked_up: Option<&FamilyLookup>,
    ) -> Result<FamilyAccess, AppError> {
        let now = self.now();
        if !actor.may(Permission::ReadClinicalRecords) {
            return Err(self
                .refuse_for_role(actor, id, Permission::ReadClinicalRecords)
                .await);
        }
        let stamp = match looked_up.filter(|looked_up| looked_up.family == id) {
            Some(looked_up) => looked_up.stamp,
            None => self.store.family_stamp(id).await?,
        };
        let Some((team_id, changes)) = stamp else {
            return Err(AppError::NotFound);
        };
        if actor.teams.contains(&team_id) {
            return Ok(FamilyAccess {
                family_id: id,
                team_id,
                changes,
                break_glass_reason: None,
            });
        }
        if let Some(staff_id) = actor.id {
            if let Some(grant) = self.store.active_break_glass(staff_id, id, now).await? {
                return Ok(FamilyAccess {
                    family_id: id,
                    team_id,
                    changes,
                    break_glass_reason: Some(grant.reason),
                });
            }
        }
        self.audit_denial(actor, id, now, "record belongs to another team")
            .await?;
        Err(AppError::OtherTeamsRecord {
            break_glass_allowed: actor.may(Permission::BreakGlass) && actor.id.is_some(),
        })
    }

    /// Refuses `actor` something about family `id` that their role does not allow, and
    /// audits the refusal, naming the family asked for and what the role may not do. The
    /// answer is the refusal, or the failure to record it.
    pub async fn refuse_for_role(
        &self,
        actor: &Actor,
        id: FamilyId,
        permission: Permission,
    ) -> AppError {
        let why = format!("role may not {}", permission.describe());
        match self.audit_denial(actor, id, self.now(), &why).await {
            Ok(()) => AppError::Forbidden(permission),
            Err(failure) => failure,
        }
    }

    async fn audit_denial(
        &self,
        actor: &Actor,
        id: FamilyId,
        now: i64,
        why: &str,
    ) -> Result<(), AppError> {
        let mut entry = actor.audit(
            now,
            AuditAction::AccessDenied,
            Some((SubjectKind::Family, id.0)),
        );
        entry.outcome = AuditOutcome::Denied;
        entry.detail = why.to_string();
        self.store.append_audit(entry).await?;
        Ok(())
    }

    /// Grants time-limited emergency access to another team's family record. The reason is
    /// required, kept with the grant and written into every audit record made under it.
    pub async fn break_glass(
        &self,
        actor: &Actor,
        id: FamilyId,
        reason: &str,
        code: &str,
    ) -> Result<FamilyAccess, AppError> {
        actor.require(Permission::BreakGlass)?;
        let Some(staff_id) = actor.id else {
            return Err(AppError::Forbidden(Permission::BreakGlass));
        };
        let reason = reason.trim();
        if reason.chars().count() < 15 {
            return Err(AppError::invalid(
                "reason",
                "Explain why you need emergency access to this record, in at least 15 characters",
            ));
        }
        if reason.chars().count() > 1000 {
            return Err(AppError::invalid(
                "reason",
                "Reason must be 1,000 characters or fewer",
            ));
        }
        let Some((team_id, changes)) = self.store.family_stamp(id).await? else {
            return Err(AppError::NotFound);
        };
        // A second factor proves it is the account's owner asking, not someone at a computer
        // left signed in.
        self.check_code(actor, code).await?;
        let now = self.now();
        let grant = cradle_store::BreakGlassGrant {
            id: Uuid::now_v7(),
            staff_id,
            family_id: id,
            reason: reason.to_string(),
            granted_at_millis: now,
            expires_at_millis: now + self.settings.break_glass_millis,
        };
        let access = FamilyAccess {
            family_id: id,
            team_id,
            changes,
            break_glass_reason: Some(grant.reason.clone()),
        };
        let mut entry = access.audit(actor, now, AuditAction::BreakGlassGranted);
        entry.detail = format!(
            "emergency access for {} minutes",
            self.settings.break_glass_millis / 60_000
        );
        self.store.grant_break_glass(&grant, entry).await?;
        Ok(access)
    }
}
