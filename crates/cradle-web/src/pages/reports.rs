//! Service figures for team managers: the partner pathway by team and month, and by team and
//! ethnic group, as a page and as CSV. The counting rules are in `docs/reporting.md`.

use crate::auth::{ManageTeamPractice, Staff};
use crate::error::Failure;
use crate::views::{render, Chrome};
use crate::WebState;
use askama::Template;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
pub struct FigureRow {
    pub team: String,
    /// The month ("November 2026"), or the ethnic group, the row counts.
    pub label: String,
    pub counts: [u32; 8],
}

/// The columns, in order, as the page and the CSV name them.
pub const COLUMNS: [&str; 8] = [
    "Identified",
    "Offered an assessment",
    "Accepted",
    "Declined",
    "Assessed",
    "Signposted",
    "Offered support by the team",
    "Referred on",
];

#[derive(Template)]
#[template(path = "partner_figures.html")]
pub struct FiguresPage {
    pub chrome: Chrome,
    pub columns: [&'static str; 8],
    pub rows: Vec<FigureRow>,
    /// The same twelve months by team and ethnic group, "not recorded" included.
    pub by_ethnicity: Vec<FigureRow>,
}

/// The figures by month and by ethnicity, each row named with its team.
async fn rows(
    state: &WebState,
    staff: &Staff<ManageTeamPractice>,
) -> Result<(Vec<FigureRow>, Vec<FigureRow>), Failure> {
    let figures = state.app.partner_figures(&staff.actor).await?;
    let mut by_month = Vec::with_capacity(figures.by_month.len());
    for f in figures.by_month {
        by_month.push(FigureRow {
            team: state.app.team_name(f.team_id).await?,
            label: month_name(&f.month),
            counts: f.counts.in_order(),
        });
    }
    let mut by_ethnicity = Vec::with_capacity(figures.by_ethnicity.len());
    for f in figures.by_ethnicity {
        by_ethnicity.push(FigureRow {
            team: state.app.team_name(f.team_id).await?,
            label: f.group().to_string(),
            counts: f.counts.in_order(),
        });
    }
    Ok((by_month, by_ethnicity))
}

/// "2026-11" as "November 2026".
fn month_name(month: &str) -> String {
    let (year, number) = month.split_once('-').unwrap_or((month, ""));
    number
        .parse::<u8>()
        .ok()
        .and_then(|n| time::Month::try_from(n).ok())
        .map(|m| format!("{} {year}", cradle_domain::dates::month_name(m)))
        .unwrap_or_else(|| month.to_string())
}

pub async fn partner_figures(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
) -> Result<Response, Failure> {
    let (rows, by_ethnicity) = rows(&state, &staff).await?;
    let page = FiguresPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        columns: COLUMNS,
        rows,
        by_ethnicity,
    };
    Ok(render(StatusCode::OK, &page))
}

/// A CSV field, quoted when it holds a comma, quote or line break; a leading character a
/// spreadsheet would run as a formula is neutralised.
fn field(text: &str) -> String {
    let text = match text.chars().next() {
        Some('=' | '+' | '-' | '@') => format!("'{text}"),
        _ => text.to_string(),
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

pub async fn partner_figures_csv(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
) -> Result<Response, Failure> {
    let (by_month, _) = rows(&state, &staff).await?;
    Ok(csv_download(
        "Month",
        &by_month,
        "partner-pathway-figures.csv",
    ))
}

/// The same figures by team and ethnic group over the twelve months.
pub async fn partner_figures_by_ethnicity_csv(
    State(state): State<WebState>,
    staff: Staff<ManageTeamPractice>,
) -> Result<Response, Failure> {
    let (_, by_ethnicity) = rows(&state, &staff).await?;
    Ok(csv_download(
        "Ethnic group",
        &by_ethnicity,
        "partner-pathway-figures-by-ethnicity.csv",
    ))
}

/// Rows of figures as a CSV download: team, the row's name under `named`, then the counts.
fn csv_download(named: &str, rows: &[FigureRow], filename: &'static str) -> Response {
    let mut csv = format!("Team,{named}");
    for column in COLUMNS {
        csv.push(',');
        csv.push_str(&field(column));
    }
    csv.push_str("\r\n");
    for row in rows {
        csv.push_str(&format!("{},{}", field(&row.team), field(&row.label)));
        for count in row.counts {
            csv.push_str(&format!(",{count}"));
        }
        csv.push_str("\r\n");
    }
    let disposition = format!("attachment; filename=\"{filename}\"");
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        csv,
    )
        .into_response()
}

/// This area's pages, for [`crate::router`].
pub fn routes() -> axum::Router<WebState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/reports/partners", get(partner_figures))
        .route("/reports/partners.csv", get(partner_figures_csv))
        .route(
            "/reports/partners-by-ethnicity.csv",
            get(partner_figures_by_ethnicity_csv),
        )
}
