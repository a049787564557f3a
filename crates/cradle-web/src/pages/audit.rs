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

impl AuditRow {
    pub fn from_record(record: &AuditRecord) -> Self {
        let role = record
            .role()
            .map(|r| format!(" ({})", r.label()))
            .unwrap_or_default();
        Self {
            when: long_date_time(record.at_millis),
            who: format!("{}{role}", record.actor_username),
            what: record
                .action()
                .map(|a| a.describe().to_string())
                .unwrap_or_else(|| record.action.clone()),
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
    let page = FamilyAuditPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        rows: records.iter().map(AuditRow::from_record).collect(),
    };
    Ok(render(StatusCode::OK, &page))
}
