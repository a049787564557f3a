//! The web layer as its users meet it, on SQLite and PostgreSQL: one test binary, with a
//! module per area under `web/` (accounts, access, the API, families and people,
//! relationship work, care plans, the partner pathway and questionnaires, groups, video
//! feedback) and the helpers they share here. A test's name says the clinical rule it checks.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cradle_app::demo::{COMMUNITY_TEAM, DEMO_PASSWORD, MBU_TEAM};
use cradle_testkit::{hidden_field, on_both_backends, spawn_app, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::Value;

// Tests by area, in one test binary (one link, not one per file).
#[path = "web/access.rs"]
mod access;
#[path = "web/accounts.rs"]
mod accounts;
#[path = "web/api.rs"]
mod api;
#[path = "web/care_plans.rs"]
mod care_plans;
#[path = "web/families.rs"]
mod families;
#[path = "web/groups.rs"]
mod groups;
#[path = "web/pathway.rs"]
mod pathway;
#[path = "web/relationship_work.rs"]
mod relationship_work;
#[path = "web/video.rs"]
mod video;

async fn app(backend: Backend) -> TestApp {
    spawn_app(backend, false).await.expect("backend available")
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// A signed-in GET's page as text.
async fn get_text(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    client
        .get(app.url(path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// A signed-in GET answered with JSON.
async fn get_json(app: &TestApp, client: &reqwest::Client, path: &str) -> Value {
    serde_json::from_str(&get_text(app, client, path).await).unwrap()
}

/// A signed-in API POST of `body`, which must succeed (the answer is shown if it does not).
async fn post_json_ok(
    app: &TestApp,
    client: &reqwest::Client,
    token: &str,
    path: &str,
    body: &Value,
) {
    let response = client
        .post(app.url(path))
        .header("X-CSRF-Token", token)
        .json(body)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.text().await.unwrap()
    );
}

/// The id of what an API call made, once it is sure the call made it.
async fn id_of_created(response: reqwest::Response) -> String {
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .expect("the id of what was made")
        .to_string()
}

/// One text field of each object in a JSON array.
fn strings<'a>(array: &'a Value, field: &str) -> Vec<&'a str> {
    array
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item[field].as_str().unwrap())
        .collect()
}

async fn first_family(app: &TestApp, username: &str) -> String {
    let client = app.signed_in(username).await;
    let list: Value = get_json(app, &client, "/api/v1/families").await;
    list["families"][0]["id"].as_str().unwrap().to_string()
}

async fn audit_records(app: &TestApp) -> Vec<cradle_store::AuditRecord> {
    let mut rows = Vec::new();
    let mut after = 0;
    loop {
        let batch = app
            .app
            .store
            .audit_records_after(after, 1000)
            .await
            .unwrap();
        if batch.is_empty() {
            break;
        }
        after = batch.last().unwrap().seq;
        rows.extend(batch);
    }
    rows
}

/// A date as a form's day, month and year fields.
fn date_fields(date: time::Date) -> (String, String, String) {
    (
        date.day().to_string(),
        u8::from(date.month()).to_string(),
        date.year().to_string(),
    )
}

/// A date as the API writes it ("2026-11-26"), from a form's day, month and year boxes.
fn iso_date(
    day: impl std::fmt::Display,
    month: impl std::fmt::Display,
    year: impl std::fmt::Display,
) -> String {
    format!("{year}-{month:0>2}-{day:0>2}")
}

/// A do not contact / do not involve decision's body with a review date eight weeks on.
fn with_review(mut decision: Value) -> Value {
    let review_on = time::OffsetDateTime::now_utc().date() + time::Duration::weeks(8);
    decision["review_on"] = review_on.to_string().into();
    decision
}

async fn audit_actions(app: &TestApp) -> Vec<(String, String, Option<String>)> {
    audit_records(app)
        .await
        .into_iter()
        .map(|r| (r.actor_username, r.action, r.break_glass_reason))
        .collect()
}

/// How many demo families the community team has.
fn community_families() -> usize {
    cradle_app::demo::demo_families()
        .iter()
        .filter(|f| f.team == COMMUNITY_TEAM)
        .count()
}

fn uuid_like() -> String {
    "01890000-0000-7000-8000-000000000000".to_string()
}

/// The first family the demo created, found from the audit trail (no request needed).
async fn first_family_id(app: &TestApp) -> String {
    let rows = app.app.store.audit_records_after(0, 10_000).await.unwrap();
    rows.iter()
        .find(|r| r.action == "family.create")
        .and_then(|r| r.subject_id)
        .unwrap()
        .to_string()
}

/// The id of the person with this name in a family record as the API answers it.
fn person_id(record: &Value, name: &str) -> String {
    record["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Adds a person to a family through the API; answers their id.
async fn add_person(
    app: &TestApp,
    client: &reqwest::Client,
    token: &str,
    family: &str,
    name: &str,
) -> String {
    let added: Value = client
        .post(app.url(&format!("/api/v1/families/{family}/people")))
        .header("X-CSRF-Token", token)
        .json(&serde_json::json!({ "name": name }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    added["id"].as_str().unwrap().to_string()
}

/// The goal form's fields: whose goal (member codes, or "family"), its words, its baseline
/// rating and who gave it, agreed on `day` (day, month, year as typed).
fn goal_fields(
    who: &[&str],
    words: &str,
    baseline: &str,
    by: &str,
    day: &(String, String, String),
) -> Vec<(&'static str, String)> {
    let mut fields: Vec<(&'static str, String)> =
        who.iter().map(|w| ("who", w.to_string())).collect();
    fields.extend([
        ("words", words.to_string()),
        ("area", "sharing_care".to_string()),
        ("agreed_by", "Amara, Tunde and Grace".to_string()),
        ("goal_agreed_day", day.0.clone()),
        ("goal_agreed_month", day.1.clone()),
        ("goal_agreed_year", day.2.clone()),
        ("baseline", baseline.to_string()),
        ("baseline_by", by.to_string()),
    ]);
    fields
}

/// The family id of the demo family whose mother has this name.
async fn family_of(app: &TestApp, client: &reqwest::Client, mother: &str) -> String {
    let list: Value = client
        .get(app.url(&format!(
            "/api/v1/families?q={}",
            mother.replace(' ', "%20")
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list["families"][0]["id"].as_str().unwrap().to_string()
}

fn link_after(page: &str, prefix: &str) -> String {
    let start = page
        .find(prefix)
        .unwrap_or_else(|| panic!("no link starting {prefix}"));
    let end = page[start..].find('"').unwrap() + start;
    page[start..end].to_string()
}

/// The address of the link whose text is `text` followed by the visually hidden `hidden`.
fn link_labelled(page: &str, text: &str, hidden: &str) -> String {
    let label = format!(">{text}<span class=\"nhsuk-u-visually-hidden\">{hidden}</span>");
    let at = page
        .find(&label)
        .unwrap_or_else(|| panic!("no link {text}{hidden}"));
    let start = page[..at].rfind("href=\"").unwrap() + 6;
    let end = page[start..].find('"').unwrap() + start;
    page[start..end].to_string()
}

/// The value of the first radio button in a group.
fn hidden_radio_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" type=\"radio\" value=\"");
    let start = html.find(&marker).unwrap() + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_string()
}

/// The mothers' names in the caseload table of a page, in order.
fn caseload_mothers(page: &str) -> Vec<String> {
    page.split("<tr class=\"nhsuk-table__row\"")
        .skip(2)
        .filter_map(|row| {
            let cells: Vec<&str> = row.split("<td class=\"nhsuk-table__cell\"").collect();
            let cell = cells.get(3)?;
            let text = cell.split_once('>')?.1;
            Some(text.split("</td>").next().unwrap_or("").to_string())
        })
        .collect()
}

fn pagination_link(page: &str, class: &str) -> Option<String> {
    let at = page.find(&format!("nhsuk-pagination__link {class}\" href=\""))?;
    let start = page[at..].find("href=\"")? + at + 6;
    let end = page[start..].find('"')? + start;
    Some(page[start..end].replace("&#38;", "&").replace("&amp;", "&"))
}

/// A literal for an id in raw SQL: SQLite keeps ids as 16 bytes, PostgreSQL as `uuid`.
/// The status a GET of `url` is answered with.
async fn status_of(client: &reqwest::Client, url: impl reqwest::IntoUrl) -> StatusCode {
    client.get(url).send().await.unwrap().status()
}

/// The body a GET of `url` is answered with.
async fn text_of(client: &reqwest::Client, url: impl reqwest::IntoUrl) -> String {
    client.get(url).send().await.unwrap().text().await.unwrap()
}

/// Runs SQL straight in the database, as another server or an administrator would.
async fn elsewhere(app: &TestApp, sql: String) {
    app.database.execute_raw(&sql).await;
}

/// Moves a family (`family`: its id as an SQL literal) to the team named, on another server.
async fn move_family_elsewhere(app: &TestApp, backend: Backend, family: &str, team: &str) {
    let team = id_literal(backend, &app.team_id(team).0.to_string());
    elsewhere(
        app,
        format!("UPDATE families SET team_id = {team} WHERE id = {family}"),
    )
    .await;
}

fn id_literal(backend: Backend, id: &str) -> String {
    match backend {
        Backend::Sqlite => format!("X'{}'", id.replace('-', "")),
        Backend::Postgres => format!("'{id}'"),
    }
}

fn count(actions: &[(String, String, Option<String>)], action: &str) -> usize {
    actions.iter().filter(|r| r.1 == action).count()
}

/// The links on a page that stay within one family's record, in the order they appear
/// (each once; `&amp;` in a query read as `&`).
fn family_links(page: &str, family: &str) -> Vec<String> {
    let prefix = format!("href=\"/families/{family}");
    let mut links: Vec<String> = Vec::new();
    let mut rest = page;
    while let Some(start) = rest.find(&prefix) {
        let link = &rest[start + "href=\"".len()..];
        let end = link.find('"').unwrap();
        let link = link[..end].replace("&amp;", "&");
        let link = link.split('#').next().unwrap().to_string();
        if !links.contains(&link) {
            links.push(link);
        }
        rest = &rest[start + prefix.len()..];
    }
    links
}
