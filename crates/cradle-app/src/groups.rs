//! Group programmes: a team sets one up (dates, facilitators, capacity), enrols family
//! members from its families, and takes the register at each session. Each mark is written to
//! the member's own family record, so it shows on that family's timeline.

use crate::{Actor, AppError, Cradle, FamilyAccess};
use cradle_domain::groups::{
    AttendanceMark, EnrolInput, Enrolment, Group, GroupInput, GroupRegister, GroupSession,
    GroupSessionInput, RegisterInput,
};
use cradle_domain::{AuditAction, Permission, SubjectKind};
use cradle_store::Sections;
use cradle_store::StoreError;
use uuid::Uuid;

fn full_or_changed(error: StoreError) -> AppError {
    match error {
        StoreError::Conflict("A place in this group") => AppError::invalid(
            "group",
            "The group filled up while you were enrolling: choose another group or ask the facilitators",
        ),
        StoreError::Conflict("This enrolment") => {
            AppError::invalid("member", "They are already enrolled in this group")
        }
        StoreError::Conflict(_) => AppError::Conflict(
            "Someone else changed this group's sessions since you opened it, so nothing was saved. Reload the group to see it.".to_string(),
        ),
        other => AppError::Store(other),
    }
}

impl Cradle {
    /// The groups the actor's teams run.
    pub async fn groups(&self, actor: &Actor) -> Result<Vec<Group>, AppError> {
        actor.require(Permission::ReadClinicalRecords)?;
        Ok(self.store.groups_of(&actor.teams).await?)
    }

    /// Sets up a group programme for one of the actor's teams.
    pub async fn create_group(&self, actor: &Actor, input: &GroupInput) -> Result<Group, AppError> {
        let staff = actor.staff_changing_records()?;
        let (team, name, description, facilitators, capacity) =
            input.parse(&actor.teams).map_err(AppError::Invalid)?;
        let group = Group {
            id: Uuid::now_v7(),
            team_id: team,
            name,
            description,
            facilitators,
            capacity,
            sessions: Vec::new(),
            created_by: actor.display_name.clone(),
            created_at_millis: self.now(),
        };
        let mut audit = actor.audit(
            self.now(),
            AuditAction::GroupCreated,
            Some((SubjectKind::Team, team.0)),
        );
        audit.team_id = Some(team);
        audit.detail = format!("group {} ({})", group.name, group.id);
        self.store.create_group(&group, staff, audit).await?;
        Ok(group)
    }

    /// A group of one of the actor's teams, with its register (audited: it names people).
    pub async fn group_register(
        &self,
        actor: &Actor,
        group: Uuid,
    ) -> Result<GroupRegister, AppError> {
        actor.require(Permission::ReadClinicalRecords)?;
        let register = self
            .store
            .group_register(group)
            .await?
            .ok_or(AppError::NotFound)?;
        if !actor.teams.contains(&register.group.team_id) {
            return Err(AppError::NotInTeam);
        }
        let mut audit = actor.audit(
            self.now(),
            AuditAction::GroupViewed,
            Some((SubjectKind::Team, register.group.team_id.0)),
        );
        audit.team_id = Some(register.group.team_id);
        audit.detail = format!("group {group}");
        // Nothing is returned until the view's audit record is committed.
        self.store.record_export(audit).await?;
        Ok(register)
    }

    async fn group_for_change(
        &self,
        actor: &Actor,
        group: Uuid,
    ) -> Result<GroupRegister, AppError> {
        actor.require(Permission::ChangeClinicalRecords)?;
        let register = self
            .store
            .group_register(group)
            .await?
            .ok_or(AppError::NotFound)?;
        if !actor.teams.contains(&register.group.team_id) {
            return Err(AppError::NotInTeam);
        }
        Ok(register)
    }

    /// Adds a dated session to a group.
    pub async fn add_group_session(
        &self,
        actor: &Actor,
        group: Uuid,
        input: &GroupSessionInput,
    ) -> Result<Group, AppError> {
        let register = self.group_for_change(actor, group).await?;
        let (on, topic) = input
            .parse(&register.group, self.today())
            .map_err(AppError::Invalid)?;
        let previous = i64::try_from(register.group.sessions.len()).unwrap_or(i64::MAX);
        let mut changed = register.group;
        changed.sessions.push(GroupSession {
            id: Uuid::now_v7(),
            on,
            topic,
        });
        changed.sessions.sort_by_key(|s| s.on);
        let mut audit = actor.audit(
            self.now(),
            AuditAction::GroupSessionAdded,
            Some((SubjectKind::Team, changed.team_id.0)),
        );
        audit.team_id = Some(changed.team_id);
        audit.detail = format!("group {group}: session on {on}");
        self.store
            .update_group(&changed, previous, audit)
            .await
            .map_err(full_or_changed)?;
        Ok(changed)
    }

    /// Enrols a family member in one of the family's team's groups.
    pub async fn enrol_in_group(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        input: &EnrolInput,
    ) -> Result<Enrolment, AppError> {
        let staff = actor.staff_changing_records()?;
        let record = self.record_for_change(access, Sections::CORE).await?;
        let register = match input.group.trim().parse::<Uuid>() {
            Ok(id) => self.store.group_register(id).await?,
            Err(_) => None,
        };
        let today = self.today();
        let member = input
            .parse(register.as_ref(), &record)
            .map_err(AppError::Invalid)?;
        let Some(register) = register else {
            return Err(AppError::NotFound);
        };
        let enrolment = Enrolment {
            id: Uuid::now_v7(),
            group_id: register.group.id,
            family_id: record.family.id,
            member,
            name: record.member_name(member),
            enrolled_on: today,
            enrolled_by: actor.display_name.clone(),
        };
        let mut audit = access.audit(actor, self.now(), AuditAction::GroupEnrolled);
        audit.detail = format!("enrolled in group {}", register.group.id);
        self.store
            .enrol(&enrolment, register.group.capacity, staff, audit)
            .await
            .map_err(full_or_changed)?;
        Ok(enrolment)
    }

    /// Takes a session's register: a mark for everyone enrolled.
    pub async fn take_register(
        &self,
        actor: &Actor,
        group: Uuid,
        session: Uuid,
        input: &RegisterInput,
    ) -> Result<Vec<AttendanceMark>, AppError> {
        let staff = actor.staff_changing_records()?;
        let register = self.group_for_change(actor, group).await?;
        let found = register
            .group
            .session(session)
            .cloned()
            .ok_or(AppError::NotFound)?;
        let marks = input
            .parse(&register, &found, self.today())
            .map_err(AppError::Invalid)?;
        let written: Vec<(Enrolment, AttendanceMark)> = marks
            .into_iter()
            .filter_map(|(enrolment, presence)| {
                let e = register.enrolments.iter().find(|e| e.id == enrolment)?;
                Some((
                    e.clone(),
                    AttendanceMark {
                        enrolment,
                        session,
                        presence,
                        recorded_by: actor.display_name.clone(),
                    },
                ))
            })
            .collect();
        let mut audit = actor.audit(
            self.now(),
            AuditAction::GroupRegisterTaken,
            Some((SubjectKind::Team, register.group.team_id.0)),
        );
        audit.team_id = Some(register.group.team_id);
        audit.detail = format!("group {group}: register for {}", found.on);
        self.store
            .take_register(group, &written, staff, audit)
            .await?;
        Ok(written.into_iter().map(|(_, m)| m).collect())
    }
}
