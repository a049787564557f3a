//! The HTML pages, one module per area. Each handler takes a `Staff<Need>` extractor that
//! names the permission it needs, asks `cradle-app` to do the work, and renders a template.

pub mod account;
pub mod admin;
pub mod audit;
pub mod care_plans;
pub mod concerns;
pub mod conversations;
pub mod disclosures;
pub mod enquiries;
pub mod enrolment;
pub mod families;
pub mod groups;
pub mod home;
pub mod interventions;
pub mod login;
pub mod network;
pub mod observations;
pub mod partner_assessment;
pub mod pathway;
pub mod questionnaires;
pub mod reports;
pub mod team_members;
pub mod team_questionnaires;
pub mod timeline;
pub mod video;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// After a successful form: go to the next page with GET (post/redirect/get).
/// The mother and each person around the baby as choices (only those who may be involved,
/// when `involvable_only`), with the one `typed` selected.
pub(crate) fn member_choices(
    record: &cradle_domain::network::FamilyRecord,
    typed: &str,
    involvable_only: bool,
) -> Vec<crate::views::Choice> {
    let mut choices = vec![crate::views::Choice {
        code: "mother".to_string(),
        label: match record.family.mother_language.note() {
            Some(note) => format!(
                "{} (mother; {})",
                record.family.mother_name,
                cradle_domain::text::lower_first(&note)
            ),
            None => format!("{} (mother)", record.family.mother_name),
        },
        selected: typed == "mother",
    }];
    choices.extend(
        record
            .people
            .iter()
            .filter(|p| !involvable_only || record.involvement(p.id).may_involve)
            .map(|p| crate::views::Choice {
                code: p.id.to_string(),
                label: p.name_with_interpreter(),
                selected: typed == p.id.to_string(),
            }),
    );
    choices
}

/// Today as the three boxes of a date field hold it: what a new entry's date starts as.
pub(crate) fn today_boxes(state: &crate::WebState) -> (String, String, String) {
    cradle_domain::dates::date_boxes(Some(state.app.today()))
}

pub fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    // A location that cannot be a header (a stray control character) goes home instead of
    // answering a redirect with nowhere to go.
    let value = HeaderValue::from_str(location).unwrap_or(HeaderValue::from_static("/"));
    response.headers_mut().insert(header::LOCATION, value);
    response
}
