//! Who has accessed a family's record: for team managers and information governance.

use crate::auth::{Staff, ViewRecordAudit};
use crate::error::{Failure, Problem};
use crate::views::{render, Chrome};
use crate::WebState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use cradle_domain::dates::long_date_time;
use cradle_domain::FamilyId;
use cradle_store::AuditRecord;

pub struct AuditRow {
    pub when: String,
    pub who: String,
    pub what: String,
    pub source: String,
    pub denied: bool,
    pub break_glass: Option<String>,
}

/// What a page or API path showed, as a manager reading the audit would say it.
fn page_label(path: &str) -> Option<&'static str> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let has = |segment: &str| parts.contains(&segment);
    let last = parts.last().copied().unwrap_or_default();
    Some(match parts.as_slice() {
        ["families", _] => "the family page",
        ["api", "v1", "families", _] => "the family record (API)",
        _ if last == "ecomap.svg" => "the ecomap",
        _ if has("printout") => "a printed summary",
        _ if has("you-and-your-baby") => "“You and your baby”",
        _ if has("together") && last == "summary" => "the summary for a session together",
        _ if has("together") => "the form for a session together",
        _ if has("plans") => "a care plan",
        _ if has("disclosure-actions") => "a step after a disclosure",
        _ if has("restrictions") || last == "restrict" => {
            "a do not contact or do not involve decision"
        }
        _ if last == "pathway" => "a partner pathway",
        _ if last == "assessment" => "a partner assessment",
        _ if has("questionnaires") => "a questionnaire",
        _ if has("history") => "earlier versions of a record",
        _ if has("conversations") => "a relationship conversation",
        _ if has("observations") => "an interaction observation",
        _ if has("concerns") => "a coping concern",
        _ if has("enquiries") => "the routine enquiry form",
        _ if has("interventions") => "an intervention",
        _ if has("people") => "a person's details",
        _ => return None,
    })
}

impl AuditRow {
    pub fn from_record(
        record: &AuditRecord,
        names: &std::collections::HashMap<cradle_domain::StaffId, String>,
    ) -> Self {
        let role = record
            .role()
            .map(|r| format!(" ({})", r.label()))
            .unwrap_or_default();
        let name = record
            .actor_id
            .and_then(|id| names.get(&id))
            .map(|name| format!("{name}, {}", record.actor_username))
            .unwrap_or_else(|| record.actor_username.clone());
        let described = record
            .action()
            .map(|a| a.describe().to_string())
            .unwrap_or_else(|| record.action.clone());
        Self {
            when: long_date_time(record.at_millis),
            who: format!("{name}{role}"),
            what: match (record.action.as_str(), page_label(&record.detail)) {
                ("family.read", Some(page)) => format!("{described}: {page}"),
                _ => described,
            },
            source: record.source.clone(),
            denied: record.was_denied(),
            break_glass: record.break_glass_reason.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "family_audit.html")]
pub struct FamilyAuditPage {
    pub chrome: Chrome,
    pub rows: Vec<AuditRow>,
}

pub async fn family_audit(
    State(state): State<WebState>,
    staff: Staff<ViewRecordAudit>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let id = FamilyId::parse(&id).ok_or(Failure(Problem::NotFound))?;
    let records = state.app.family_audit(&staff.actor, id).await?;
    let names = state.app.staff_names(&records).await?;
    let page = FamilyAuditPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        rows: records
            .iter()
            .map(|record| AuditRow::from_record(record, &names))
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

/// One use of emergency access, as the list shows it.
pub struct EmergencyUse {
    pub when: String,
    pub until: String,
    pub who: String,
    pub family_id: String,
    pub mother: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "emergency_access.html")]
pub struct EmergencyAccessPage {
    pub chrome: Chrome,
    pub uses: Vec<EmergencyUse>,
}

/// Every use of emergency access to the manager's teams' families, with the reasons given.
pub async fn emergency_access(
    State(state): State<WebState>,
    staff: Staff<ViewRecordAudit>,
) -> Result<Response, Failure> {
    let uses = state.app.emergency_access_uses(&staff.actor).await?;
    let page = EmergencyAccessPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        uses: uses
            .into_iter()
            .map(|u| EmergencyUse {
                when: long_date_time(u.grant.granted_at_millis),
                until: long_date_time(u.grant.expires_at_millis),
                who: format!("{}, {}", u.staff_name, u.staff_username),
                family_id: u.grant.family_id.to_string(),
                mother: format!("{}'s family", u.mother_name),
                reason: u.grant.reason,
            })
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

/// This area's pages, for [`crate::router`].
pub fn routes() -> axum::Router<WebState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/families/{id}/audit", get(family_audit))
        .route("/audit/emergency-access", get(emergency_access))
}
