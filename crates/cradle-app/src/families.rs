//! Family records: create, read and list, each audited in the same transaction.

use crate::{Actor, AppError, Cradle, FamilyAccess};
use cradle_domain::network::{ChildProtectionStatus, FamilyRecord};
use cradle_domain::person::Postcode;
use cradle_domain::{
    AuditAction, Baby, BabyId, Family, FamilyId, FamilyInput, Invalid, NewFamily, PerinatalStage,
    Permission, Problems, SubjectKind,
};
use cradle_store::{FamilyPage, FamilyQuery, FamilySearch, PagePosition};

/// How many families a caseload page shows.
pub const PAGE_SIZE: u32 = 25;

impl Cradle {
    pub async fn create_family(
        &self,
        actor: &Actor,
        input: &FamilyInput,
    ) -> Result<Family, AppError> {
        actor.require(Permission::ChangeClinicalRecords)?;
        let Some(staff_id) = actor.id else {
            return Err(AppError::Forbidden(Permission::ChangeClinicalRecords));
        };
        let new = NewFamily::parse(input, self.today()).map_err(AppError::Invalid)?;
        if !actor.teams.contains(&new.team_id) {
            let mut problems = Problems::default();
            problems.push(Invalid::new(
                "team_id",
                "Select one of your own teams: you can only add families to a team you belong to",
            ));
            return Err(AppError::Invalid(problems));
        }
        let now = self.now();
        let family = Family {
            id: FamilyId::new(),
            team_id: new.team_id,
            mother_name: new.mother_name,
            mother_nhs_number: new.mother_nhs_number.map(|n| n.as_str().to_string()),
            mother_date_of_birth: new.mother_date_of_birth,
            mother_postcode: new.mother_postcode.map(|p| p.as_str().to_string()),
            mother_language: new.mother_language,
            stage: new.stage,
            referral_date: Some(new.referral_date),
            child_protection: ChildProtectionStatus::None,
            babies: match new.stage {
                PerinatalStage::Preconception => Vec::new(),
                _ => vec![Baby {
                    id: BabyId::new(),
                    name: new.baby_name,
                    date_of_birth: new.baby_date_of_birth,
                    due_date: new.due_date,
                    gestation_at_birth: new.gestation_at_birth,
                    nhs_number: None,
                }],
            },
            created_at_millis: now,
            version: 1,
        };
        let mut entry = actor.audit(
            now,
            AuditAction::FamilyCreated,
            Some((SubjectKind::Family, family.id.0)),
        );
        entry.team_id = Some(family.team_id);
        self.store.create_family(&family, staff_id, entry).await?;
        Ok(family)
    }

    /// The family's record as a page shows it: its core (the family and babies, people,
    /// relationships and safety decisions) and the `sections` the page shows, from one
    /// snapshot. Audited as a view of the family.
    pub async fn read_family(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        sections: cradle_store::Sections,
    ) -> Result<std::sync::Arc<FamilyRecord>, AppError> {
        let mut entry = access.audit(actor, self.now(), AuditAction::FamilyViewed);
        entry.detail = actor.viewing.clone().unwrap_or_default();
        self.store
            .read_family(access.family_id(), access.changes(), sections, entry)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// The families of the actor's teams, a page at a time (numbered from 1), optionally
    /// searched by the start of the mother's name, an NHS number or a postcode.
    pub async fn list_families(
        &self,
        actor: &Actor,
        search: Option<&str>,
        page: u32,
    ) -> Result<FamilyPage, AppError> {
        let position = match page.clamp(1, 100_000) {
            1 => PagePosition::Start,
            page => PagePosition::Offset((page - 1) * PAGE_SIZE),
        };
        self.caseload(actor, search, position, false).await
    }

    /// The caseload: the actor's teams' families, or only those they are key worker for,
    /// from `position` in the mother's-name order.
    pub async fn caseload(
        &self,
        actor: &Actor,
        search: Option<&str>,
        position: PagePosition,
        mine: bool,
    ) -> Result<FamilyPage, AppError> {
        actor.require(Permission::ReadClinicalRecords)?;
        let Some(staff_id) = actor.id else {
            return Err(AppError::Forbidden(Permission::ReadClinicalRecords));
        };
        let search = search.and_then(caseload_search);
        let query = FamilyQuery {
            teams: actor.teams.clone(),
            key_worker: mine.then_some(staff_id),
            search,
            position,
            limit: PAGE_SIZE,
        };
        let mut entry = actor.audit(self.now(), AuditAction::FamilyListViewed, None);
        entry.detail = match position {
            PagePosition::Start => "first page".to_string(),
            PagePosition::Offset(offset) => format!("page {}", offset / PAGE_SIZE + 1),
            PagePosition::After(id) => format!("page after family {id}"),
            PagePosition::Before(id) => format!("page before family {id}"),
        };
        Ok(self.store.list_families(&query, entry).await?)
    }
}

impl Cradle {
    /// What needs the actor's attention across their teams' families, most urgent first.
    /// Audited: the list names families.
    pub async fn needs_attention(
        &self,
        actor: &Actor,
    ) -> Result<Vec<cradle_domain::attention::AttentionItem>, AppError> {
        actor.require(Permission::ReadClinicalRecords)?;
        let entry = actor.audit(self.now(), AuditAction::AttentionListViewed, None);
        Ok(self
            .store
            .needs_attention(&actor.teams, self.today(), entry)
            .await?)
    }
}

/// What a caseload search box's text asks for: ten digits are an NHS number (spaces and
/// dashes allowed), a full postcode is a postcode, anything else the start of a name.
pub fn caseload_search(text: &str) -> Option<FamilySearch> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let digits: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if digits.len() == 10 && digits.chars().all(|c| c.is_ascii_digit()) {
        return Some(FamilySearch::NhsNumber(digits));
    }
    if let Ok(postcode) = Postcode::parse("q", text) {
        return Some(FamilySearch::Postcode(postcode.as_str().to_string()));
    }
    Some(FamilySearch::NamePrefix(
        text.chars().take(100).collect::<String>().to_lowercase(),
    ))
}
