//! Staff accounts, teams and the audit trail: the administrator's and the manager's work.

use crate::secrets::hash_password;
use crate::{Actor, AppError, Cradle};
use cradle_domain::staff::parse_display_name;
use cradle_domain::{
    AuditAction, FamilyId, Password, Permission, Problems, Role, Staff, StaffId, SubjectKind, Team,
    TeamId, TeamName, Username,
};
use cradle_store::{AuditRecord, ChainFault, StoreError};

/// A new account as typed into the form or the command line.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct StaffInput {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub password: String,
    pub teams: Vec<String>,
    pub service_account: bool,
}

impl Cradle {
    pub async fn create_team(&self, actor: &Actor, name: &str) -> Result<Team, AppError> {
        actor.require(Permission::ManageTeams)?;
        let name = TeamName::parse("name", name).map_err(single)?;
        let team = Team {
            id: TeamId::new(),
            name: name.as_str().to_string(),
        };
        let entry = actor.audit(
            self.now(),
            AuditAction::TeamCreated,
            Some((SubjectKind::Team, team.id.0)),
        );
        self.store
            .create_team(&team, entry)
            .await
            .map_err(|e| conflict(e, "name", "A team with this name already exists"))?;
        Ok(team)
    }

    /// Teams are not clinical data: any signed-in member of staff may see their names.
    pub async fn teams(&self) -> Result<Vec<Team>, AppError> {
        Ok(self.store.list_teams().await?)
    }

    /// A team's name, for pages that show which team a record belongs to. A team keeps the
    /// name it was made with (nothing renames one), so each name is read once per server and
    /// kept; a team made since (by another server or the command line) is read when first
    /// asked for.
    pub async fn team_name(&self, id: TeamId) -> Result<String, AppError> {
        if let Some(name) = self.team_names.get(id) {
            return Ok(name);
        }
        let teams = self.store.list_teams().await?;
        self.team_names.keep(&teams);
        Ok(teams
            .into_iter()
            .find(|t| t.id == id)
            .map(|t| t.name)
            .unwrap_or_default())
    }

    pub async fn create_staff(&self, actor: &Actor, input: &StaffInput) -> Result<Staff, AppError> {
        actor.require(Permission::ManageUsers)?;
        let mut problems = Problems::default();
        let username = problems.take(Username::parse("username", &input.username));
        let display_name = problems.take(parse_display_name(
            "display_name",
            "their full name",
            &input.display_name,
        ));
        let role = problems.take(Role::parse("role", &input.role));
        // A person sets their own password through their enrolment link. Only the command
        // line (whoever runs the server, for the demonstration accounts and scripts) may set
        // one here.
        let from_command_line = actor.is_command_line();
        let password = if input.password.is_empty() {
            None
        } else if !from_command_line {
            problems.push(cradle_domain::Invalid::new(
                "password",
                "Cradle does not take a password for someone else: they set their own through their enrolment link",
            ));
            None
        } else if input.service_account {
            None
        } else {
            problems.take(Password::parse("password", &input.password))
        };
        let known = self.store.list_teams().await?;
        let mut teams = Vec::new();
        for team in input.teams.iter().filter(|t| !t.trim().is_empty()) {
            match TeamId::parse(team).or_else(|| {
                known
                    .iter()
                    .find(|k| k.name.eq_ignore_ascii_case(team.trim()))
                    .map(|k| k.id)
            }) {
                Some(id) if known.iter().any(|k| k.id == id) => teams.push(id),
                _ => problems.push(cradle_domain::Invalid::new(
                    "teams",
                    format!("There is no team called \"{}\"", team.trim()),
                )),
            }
        }
        if let Some(role) = role {
            if role.is_clinical() && teams.is_empty() && !input.service_account {
                problems.push(cradle_domain::Invalid::new(
                    "teams",
                    "Select at least one team: clinical staff see only their teams' families",
                ));
            }
        }
        let (Some(username), Some(display_name), Some(role), true) =
            (username, display_name, role, problems.is_empty())
        else {
            return Err(AppError::Invalid(problems));
        };
        let password_hash = match password {
            Some(password) => {
                let plain = password.expose().to_string();
                Some(
                    tokio::task::spawn_blocking(move || hash_password(&plain))
                        .await
                        .map_err(|e| AppError::Internal(e.to_string()))??,
                )
            }
            None => None,
        };
        teams.sort();
        teams.dedup();
        let staff = Staff {
            id: StaffId::new(),
            username: username.as_str().to_string(),
            display_name,
            role,
            teams,
            disabled: false,
            service_account: input.service_account,
        };
        let mut entry = actor.audit(
            self.now(),
            AuditAction::StaffCreated,
            Some((SubjectKind::Staff, staff.id.0)),
        );
        entry.detail = format!("role {}", role.code());
        self.store
            .create_staff(&staff, password_hash.as_deref(), entry)
            .await
            .map_err(|e| {
                conflict(
                    e,
                    "username",
                    "An account with this username already exists",
                )
            })?;
        Ok(staff)
    }

    pub async fn list_staff(&self, actor: &Actor) -> Result<Vec<Staff>, AppError> {
        actor.require(Permission::ManageUsers)?;
        let entry = actor.audit(self.now(), AuditAction::StaffListViewed, None);
        Ok(self.store.list_staff(Some(entry)).await?)
    }

    /// The members of one team, for its manager (or an administrator). Audited as a view of
    /// the staff list.
    pub async fn team_members(&self, actor: &Actor, team: TeamId) -> Result<Vec<Staff>, AppError> {
        actor.require(Permission::ManageTeamAccounts)?;
        if !actor.role.allows(Permission::ManageUsers) && !actor.teams.contains(&team) {
            return Err(AppError::NotInTeam);
        }
        if !self.store.list_teams().await?.iter().any(|t| t.id == team) {
            return Err(AppError::NotFound);
        }
        let mut entry = actor.audit(
            self.now(),
            AuditAction::StaffListViewed,
            Some((SubjectKind::Team, team.0)),
        );
        entry.team_id = Some(team);
        let mut members: Vec<Staff> = self
            .store
            .list_staff(Some(entry))
            .await?
            .into_iter()
            .filter(|s| s.teams.contains(&team))
            .collect();
        members.sort_by(|a, b| a.display_name.cmp(&b.display_name));
        Ok(members)
    }

    pub async fn find_staff(&self, actor: &Actor, username: &str) -> Result<Staff, AppError> {
        actor.require(Permission::ManageUsers)?;
        self.store
            .staff_by_username(&username.trim().to_lowercase())
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Disabling an account ends its sessions at once; its API tokens stop working too.
    pub async fn set_staff_disabled(
        &self,
        actor: &Actor,
        id: StaffId,
        disabled: bool,
    ) -> Result<(), AppError> {
        actor.require(Permission::ManageUsers)?;
        if disabled && actor.id == Some(id) {
            return Err(AppError::Conflict(
                "You cannot disable your own account".to_string(),
            ));
        }
        let action = if disabled {
            AuditAction::StaffDisabled
        } else {
            AuditAction::StaffEnabled
        };
        let entry = actor.audit(self.now(), action, Some((SubjectKind::Staff, id.0)));
        self.store
            .set_staff_disabled(id, disabled, entry)
            .await
            .map_err(not_found)
    }

    pub async fn set_staff_teams(
        &self,
        actor: &Actor,
        id: StaffId,
        teams: &[TeamId],
    ) -> Result<(), AppError> {
        actor.require(Permission::ManageUsers)?;
        let known = self.store.list_teams().await?;
        if let Some(unknown) = teams.iter().find(|t| !known.iter().any(|k| k.id == **t)) {
            return Err(AppError::invalid(
                "teams",
                format!("There is no team with id {unknown}"),
            ));
        }
        let mut entry = actor.audit(
            self.now(),
            AuditAction::StaffTeamsChanged,
            Some((SubjectKind::Staff, id.0)),
        );
        entry.detail = format!(
            "teams now: {}",
            teams
                .iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        self.store
            .set_staff_teams(id, teams, entry)
            .await
            .map_err(not_found)
    }

    /// Who has accessed a family's record. Team managers see their own teams' families;
    /// administrators (information governance) see any.
    pub async fn family_audit(
        &self,
        actor: &Actor,
        id: FamilyId,
    ) -> Result<Vec<AuditRecord>, AppError> {
        actor.require(Permission::ViewRecordAudit)?;
        let Some(team) = self.store.family_team(id).await? else {
            return Err(AppError::NotFound);
        };
        if actor.role != Role::Administrator && !actor.teams.contains(&team) {
            return Err(AppError::OtherTeamsRecord {
                break_glass_allowed: false,
            });
        }
        let mut entry = actor.audit(
            self.now(),
            AuditAction::RecordAuditViewed,
            Some((SubjectKind::Family, id.0)),
        );
        entry.team_id = Some(team);
        Ok(self
            .store
            .audit_for_subject(SubjectKind::Family, id.0, 500, entry)
            .await?)
    }

    /// Every use of emergency access to the families of the actor's teams (every team, for
    /// an administrator), newest first, with who and why: for a manager's regular review.
    pub async fn emergency_access_uses(
        &self,
        actor: &Actor,
    ) -> Result<Vec<cradle_store::BreakGlassUse>, AppError> {
        actor.require(Permission::ViewRecordAudit)?;
        let teams: Vec<cradle_domain::TeamId> = if actor.role == Role::Administrator {
            self.teams().await?.iter().map(|t| t.id).collect()
        } else {
            actor.teams.clone()
        };
        let entry = actor.audit(self.now(), AuditAction::BreakGlassListViewed, None);
        Ok(self.store.break_glass_uses(&teams, entry).await?)
    }

    /// The names of the members of staff who made `records`, for an audit shown to people:
    /// usernames are for machines.
    pub async fn staff_names(
        &self,
        records: &[AuditRecord],
    ) -> Result<std::collections::HashMap<cradle_domain::StaffId, String>, AppError> {
        let mut names = std::collections::HashMap::new();
        for id in records.iter().filter_map(|r| r.actor_id) {
            if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(id) {
                if let Some(staff) = self.store.staff_by_id(id).await? {
                    slot.insert(staff.display_name);
                }
            }
        }
        Ok(names)
    }

    /// Checks every link of the audit chain. `Ok(Err(fault))` names the first bad record.
    pub async fn verify_audit(&self, actor: &Actor) -> Result<Result<u64, ChainFault>, AppError> {
        actor.require(Permission::VerifyAuditTrail)?;
        Ok(cradle_store::verify_audit_trail(self.store.as_ref()).await?)
    }
}

fn single(problem: cradle_domain::Invalid) -> AppError {
    let mut problems = Problems::default();
    problems.push(problem);
    AppError::Invalid(problems)
}

fn conflict(error: StoreError, field: &'static str, message: &str) -> AppError {
    match error {
        StoreError::Conflict(_) => AppError::invalid(field, message),
        other => AppError::Store(other),
    }
}

fn not_found(error: StoreError) -> AppError {
    match error {
        StoreError::NotFound => AppError::NotFound,
        other => AppError::Store(other),
    }
}
