//! Service figures for team managers: the partner pathway by team and month, as a page and as
//! CSV. The counting rules are in `docs/reporting.md`.

use crate::auth::{ManageTeamPractice, Staff};
use crate::error::Failure;
use crate::views::{render, Chrome};
use crate::WebState;
use askama::Template;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use cradle_domain::pathway::MonthFigures;

pub struct FigureRow {
    pub team: String,
    pub month: String,
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
}

async fn rows(
    state: &WebState,
    staff: &Staff<ManageTeamPractice>,
) -> Result<Vec<FigureRow>, Failure> {
    let figures: Vec<MonthFigures> = state.app.partner_figures(&staff.actor).await?;
    let mut rows = Vec::with_capacity(figures.len());
    for f in figures {
        rows.push(FigureRow {
            team: state.app.team_name(f.team_id).await?,
            month: month_name(&f.month),
            counts: [
                f.identified,
                f.offered,
                f.accepted,
                f.declined,
                f.assessed,
                f.signposted,
                f.supported,
                f.referred_on,
            ],
        });
    }
    Ok(rows)
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
    let page = FiguresPage {
        chrome: Chrome::new(Some(&staff.authenticated()), state.demo),
        columns: COLUMNS,
        rows: rows(&state, &staff).await?,
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
    let mut csv = String::from("Team,Month");
    for column in COLUMNS {
        csv.push(',');
        csv.push_str(&field(column));
    }
    csv.push_str("\r\n");
    for row in rows(&state, &staff).await? {
        csv.push_str(&format!("{},{}", field(&row.team), field(&row.month)));
        for count in row.counts {
            csv.push_str(&format!(",{count}"));
        }
        csv.push_str("\r\n");
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"partner-pathway-figures.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}
