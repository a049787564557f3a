//! The web layer as its users meet it: sign-in, sessions, access rules, audit, CSRF,
//! security headers and clear answers to bad requests, on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cradle_app::demo::{COMMUNITY_TEAM, DEMO_PASSWORD, MBU_TEAM};
use cradle_testkit::{hidden_field, on_both_backends, spawn_app, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::Value;

// Tests by area, in one test binary (one link, not one per file).
#[path = "web/accounts.rs"]
mod accounts;

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

/// A do not contact / do not involve decision's body with a review date eight weeks on.
fn with_review(mut decision: Value) -> Value {
    let (day, month, year) =
        date_fields(time::OffsetDateTime::now_utc().date() + time::Duration::weeks(8));
    decision["until_day"] = day.into();
    decision["until_month"] = month.into();
    decision["until_year"] = year.into();
    decision
}

async fn audit_actions(app: &TestApp) -> Vec<(String, String, Option<String>)> {
    audit_records(app)
        .await
        .into_iter()
        .map(|r| (r.actor_username, r.action, r.break_glass_reason))
        .collect()
}

on_both_backends!(
    signing_in_shows_the_home_page_and_signing_out_ends_the_session,
    |backend| async move {
        let app = app(backend).await;
        let client = app.client();
        let response = app.login(&client, "clinician", DEMO_PASSWORD).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let set_cookie: Vec<String> = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        let session_cookie = set_cookie
            .iter()
            .find(|c| c.starts_with("cradle_session="))
            .unwrap();
        assert!(
            session_cookie.contains("HttpOnly") && session_cookie.contains("SameSite=Strict"),
            "{session_cookie}"
        );
        let home = get_text(&app, &client, "/").await;
        assert!(home.contains("Hello, Priya Shah"), "{home}");
        assert!(home.contains("Perinatal clinician"));

        let token = app.csrf_token(&client).await;
        let out = client
            .post(app.url("/logout"))
            .form(&[("csrf_token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&out), "/login?reason=signed_out");
        assert_eq!(out.headers()["clear-site-data"], "\"cache\", \"storage\"");
        let after = client.get(app.url("/families")).send().await.unwrap();
        assert_eq!(after.status(), StatusCode::SEE_OTHER);
        assert!(location(&after).starts_with("/login"));
        let actions: Vec<String> = audit_actions(&app).await.into_iter().map(|r| r.1).collect();
        assert!(
            actions.contains(&"auth.login".to_string())
                && actions.contains(&"auth.logout".to_string())
        );
        app.database.cleanup().await;
    }
);

on_both_backends!(
    after_signing_in_only_a_path_on_this_site_is_followed,
    |backend| async move {
        let app = app(backend).await;
        // Browsers drop tabs and newlines from an address and read a backslash as a slash:
        // each of these would leave the site, so each goes to the home page instead.
        for next in [
            "/\t/evil.example/",
            "/\n/evil.example/",
            "/%09/evil.example/",
            "/%5Cevil.example",
            "/\\evil.example",
            "//evil.example/",
            "https://evil.example/",
        ] {
            let client = app.client();
            let form = client
                .get(app.url("/login"))
                .query(&[("next", next)])
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(
                form.contains("name=\"next\" value=\"/\""),
                "the form carries only a safe path for {next:?}"
            );
            let signed_in = app
                .login_returning_to(&client, "clinician", DEMO_PASSWORD, next)
                .await;
            assert_eq!(signed_in.status(), StatusCode::SEE_OTHER, "{next:?}");
            assert_eq!(location(&signed_in), "/", "{next:?}");
        }
        // A path on the site is returned to.
        let signed_in = app
            .login_returning_to(
                &app.client(),
                "clinician",
                DEMO_PASSWORD,
                "/families?q=Amara",
            )
            .await;
        assert_eq!(location(&signed_in), "/families?q=Amara");
        app.database.cleanup().await;
    }
);

on_both_backends!(
    text_no_database_can_keep_is_refused_clearly_and_nothing_is_saved,
    |backend| async move {
        let app = app(backend).await;
        let client = app.signed_in("clinician").await;
        let token = app.csrf_token(&client).await;
        let family = family_of(&app, &client, "Amara Okafor").await;
        let audited = audit_records(&app).await.len();
        // A NUL in a note typed on a page.
        let note = client
            .post(app.url(&format!("/families/{family}/entries")))
            .form(&[
                ("csrf_token", token.as_str()),
                ("about", "mother"),
                ("text", "Nulmarker\0after"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(note.status(), StatusCode::BAD_REQUEST);
        assert!(note.text().await.unwrap().contains("NUL character"));
        // In a search.
        let search = client
            .get(app.url("/families?q=Am%00ara"))
            .send()
            .await
            .unwrap();
        assert_eq!(search.status(), StatusCode::BAD_REQUEST);
        // In JSON, through the API: problem details saying why.
        let created = client
            .post(app.url("/api/v1/families"))
            .header("X-CSRF-Token", &token)
            .json(
                &serde_json::json!({"team_id": app.team_id(COMMUNITY_TEAM).to_string(),
                "mother_name": "Nul\u{0}Name", "stage": "antenatal"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), StatusCode::BAD_REQUEST);
        let problem: Value = created.json().await.unwrap();
        assert!(problem["detail"]
            .as_str()
            .unwrap()
            .contains("NUL character"));
        // A page form whose text is not UTF-8 is refused, not saved with replacement marks.
        let garbled = client
            .post(app.url(&format!("/families/{family}/entries")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "csrf_token={token}&about=mother&text=%FF%FEGarbledmarker"
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(garbled.status(), StatusCode::BAD_REQUEST);
        assert!(garbled.text().await.unwrap().contains("not valid UTF-8"));
        let page = get_text(&app, &client, &format!("/families/{family}")).await;
        assert!(
            !page.contains("Nulmarker"),
            "nothing was saved: the NUL note"
        );
        assert!(
            !page.contains("Garbledmarker"),
            "nothing was saved: the garbled note"
        );
        assert!(get_text(&app, &client, "/families?q=Nul")
            .await
            .contains("No families found"));
        // Nothing reached a handler, so nothing was audited either.
        let after: Vec<String> = audit_records(&app)
            .await
            .into_iter()
            .skip(audited)
            .map(|r| r.action)
            .collect();
        assert!(after.len() <= 2, "the two page reads at most: {after:?}");
        // Retiring a questionnaire the team does not have is a 404, not a server error.
        let manager = app.signed_in("manager").await;
        let manager_token = app.csrf_token(&manager).await;
        let retired = manager
            .post(app.url(&format!(
                "/api/v1/teams/{}/questionnaires/{}/retire",
                app.team_id(COMMUNITY_TEAM),
                uuid::Uuid::now_v7()
            )))
            .header("X-CSRF-Token", &manager_token)
            .send()
            .await
            .unwrap();
        assert_eq!(retired.status(), StatusCode::NOT_FOUND);
        app.database.cleanup().await;
    }
);

on_both_backends!(
    a_wrong_password_and_an_unknown_user_get_the_same_answer,
    |backend| async move {
        let app = app(backend).await;
        let client = app.client();
        let wrong = app.login(&client, "clinician", "not the password").await;
        let wrong_status = wrong.status();
        let wrong_page = wrong.text().await.unwrap();
        let unknown = app.login(&client, "nobody.here", "not the password").await;
        assert_eq!(wrong_status, StatusCode::UNAUTHORIZED);
        assert_eq!(unknown.status(), wrong_status);
        let unknown_page = unknown.text().await.unwrap();
        let message = "The username or password is not right";
        assert!(wrong_page.contains(message) && unknown_page.contains(message));
        assert!(wrong_page.contains("nhsuk-error-summary"));
        assert!(
            wrong_page.contains("value=\"clinician\""),
            "the typed username is kept"
        );
        assert!(
            !wrong_page.contains("not the password"),
            "the password is never echoed"
        );
        let actions: Vec<String> = audit_actions(&app).await.into_iter().map(|r| r.1).collect();
        assert_eq!(
            actions.iter().filter(|a| *a == "auth.login_failed").count(),
            2
        );
        app.database.cleanup().await;
    }
);

on_both_backends!(
    repeated_failures_pause_sign_in_for_that_account,
    |backend| async move {
        let app = app(backend).await;
        let client = app.client();
        for _ in 0..5 {
            assert_eq!(
                app.login(&client, "nursery.nurse", "guessing wrong")
                    .await
                    .status(),
                StatusCode::UNAUTHORIZED
            );
        }
        let blocked = app.login(&client, "nursery.nurse", DEMO_PASSWORD).await;
        assert_eq!(
            blocked.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "even the right password waits"
        );
        assert!(blocked.text().await.unwrap().contains("Wait 15 minutes"));
        // Other accounts are unaffected; after the window the account can sign in again.
        assert_eq!(
            app.login(&client, "clinician", DEMO_PASSWORD)
                .await
                .status(),
            StatusCode::SEE_OTHER
        );
        app.clock.advance_minutes(16);
        assert_eq!(
            app.login(&app.client(), "nursery.nurse", DEMO_PASSWORD)
                .await
                .status(),
            StatusCode::SEE_OTHER
        );
        app.database.cleanup().await;
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_end_after_30_idle_minutes_and_after_12_hours_in_any_case() {
    let app = app(Backend::Sqlite).await;
    let client = app.signed_in("clinician").await;
    app.clock.advance_minutes(29);
    assert_eq!(
        client
            .get(app.url("/families"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    app.clock.advance_minutes(31);
    let expired = client.get(app.url("/families")).send().await.unwrap();
    assert_eq!(expired.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&expired), "/login?next=/families&reason=expired");
    let notice = get_text(&app, &client, "/login?reason=expired").await;
    assert!(notice.contains("Your session ended"));

    let busy = app.signed_in("clinician").await;
    for _ in 0..(12 * 60 / 25) {
        app.clock.advance_minutes(25);
        assert_eq!(
            busy.get(app.url("/")).send().await.unwrap().status(),
            StatusCode::OK
        );
    }
    app.clock.advance_minutes(25);
    let too_old = busy.get(app.url("/")).send().await.unwrap();
    assert_eq!(
        too_old.status(),
        StatusCode::SEE_OTHER,
        "no session outlives 12 hours"
    );

    let api = app.signed_in("clinician").await;
    app.clock.advance_minutes(31);
    let response = api.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "urn:cradle:problem:session-expired");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_issues_a_fresh_session_and_disabling_an_account_ends_it_at_once() {
    let app = app(Backend::Sqlite).await;
    let first = app.signed_in("clinician").await;
    let second = app.signed_in("clinician").await;
    let me1: Value = get_json(&app, &first, "/api/v1/me").await;
    let me2: Value = get_json(&app, &second, "/api/v1/me").await;
    assert_ne!(
        me1["csrf_token"], me2["csrf_token"],
        "each sign-in is its own session"
    );

    // A session token planted in the browser before sign-in is not adopted.
    let planted = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = planted.get(app.url("/login")).send().await.unwrap();
    let login_cookie = form
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .find(|c| c.starts_with("cradle_login_csrf="))
        .unwrap();
    let token = hidden_field(&form.text().await.unwrap(), "csrf_token").unwrap();
    let signed = planted
        .post(app.url("/login"))
        .header(
            "cookie",
            format!("{login_cookie}; cradle_session=attacker-chosen"),
        )
        .form(&[
            ("csrf_token", token.as_str()),
            ("username", "clinician"),
            ("password", DEMO_PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    let issued = signed
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("cradle_session="))
        .unwrap();
    assert!(!issued.contains("attacker-chosen"));

    let admin = app.signed_in("admin").await;
    let csrf = app.csrf_token(&admin).await;
    let id = app.staff_id("clinician");
    let disabled = admin
        .post(app.url(&format!("/admin/staff/{id}/disable")))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(disabled.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        first.get(app.url("/")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.login(&app.client(), "clinician", DEMO_PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secure_cookies_outside_local_development() {
    let app = spawn_app(Backend::Sqlite, true).await.unwrap();
    let response = app.client().get(app.url("/login")).send().await.unwrap();
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("; Secure")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_carries_the_security_headers() {
    let app = app(Backend::Sqlite).await;
    let client = app.signed_in("clinician").await;
    for path in [
        "/",
        "/login",
        "/families",
        "/no-such-page",
        "/api/v1/me",
        "/api/v1/nothing",
    ] {
        let response = client.get(app.url(path)).send().await.unwrap();
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'")
                && csp.contains("frame-ancestors 'none'")
                && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
        assert_eq!(
            headers["cache-control"], "no-store",
            "{path}: clinical pages must not be cached"
        );
    }
    let page = get_text(&app, &client, "/").await;
    assert!(
        !page.contains("<script>") && !page.contains(" style=\""),
        "no inline script or style"
    );
    let css_path = page
        .split("href=\"/assets/cradle-")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let css = client
        .get(app.url(&format!("/assets/cradle-{css_path}")))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), StatusCode::OK);
    assert!(css.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_but_the_public_ones_needs_a_signed_in_person() {
    let app = app(Backend::Sqlite).await;
    let anonymous = app.client();
    let family = first_family(&app, "clinician").await;
    let pages = [
        "/",
        "/families",
        "/families/new",
        &format!("/families/{family}"),
        &format!("/families/{family}/audit"),
        &format!("/families/{family}/break-glass"),
        "/admin/staff",
        "/admin/staff/new",
        "/admin/teams",
        "/anything-else",
    ];
    for path in pages {
        let response = anonymous.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(location(&response).starts_with("/login?next="), "{path}");
    }
    for path in ["/families", "/logout", "/admin/teams", "/admin/staff"] {
        let response = anonymous
            .post(app.url(path))
            .form(&[("x", "y")])
            .send()
            .await
            .unwrap();
        assert_ne!(response.status(), StatusCode::OK, "{path}");
        assert!(!response.status().is_server_error(), "{path}");
    }
    for (method, path) in cradle_web::api::OPERATIONS {
        if path == "/api/v1/openapi.json" {
            continue;
        }
        let path = path.replace("{id}", &family);
        let request = match method {
            "get" => anonymous.get(app.url(&path)),
            _ => anonymous.post(app.url(&path)).json(&serde_json::json!({})),
        };
        let response = request.send().await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {path}"
        );
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
    for path in ["/healthz", "/readyz", "/login", "/api/v1/openapi.json"] {
        assert_eq!(
            anonymous.get(app.url(path)).send().await.unwrap().status(),
            StatusCode::OK,
            "{path}"
        );
    }
}

on_both_backends!(
    staff_see_only_their_teams_records_and_administrators_see_none,
    |backend| async move {
        let app = app(backend).await;
        let community_family = first_family(&app, "clinician").await;
        let mbu_family = first_family(&app, "mbu.clinician").await;

        let clinician = app.signed_in("clinician").await;
        let own = clinician
            .get(app.url(&format!("/families/{community_family}")))
            .send()
            .await
            .unwrap();
        assert_eq!(own.status(), StatusCode::OK);
        let other = clinician
            .get(app.url(&format!("/families/{mbu_family}")))
            .send()
            .await
            .unwrap();
        assert_eq!(other.status(), StatusCode::FORBIDDEN);
        let text = other.text().await.unwrap();
        assert!(text.contains("This family is cared for by another team"));
        assert!(
            text.contains(&format!("/families/{mbu_family}/break-glass")),
            "the page offers emergency access"
        );
        assert!(
            !text.contains("Chloe Brennan"),
            "nothing of the record is shown"
        );
        let listed = get_text(&app, &clinician, "/families").await;
        assert!(!listed.contains("Chloe Brennan"));
        let api = clinician
            .get(app.url(&format!("/api/v1/families/{mbu_family}")))
            .send()
            .await
            .unwrap();
        assert_eq!(api.status(), StatusCode::FORBIDDEN);

        let admin = app.signed_in("admin").await;
        let denied = admin
            .get(app.url(&format!("/families/{community_family}")))
            .send()
            .await
            .unwrap();
        assert_eq!(denied.status(), StatusCode::FORBIDDEN);
        assert!(denied.text().await.unwrap().contains("view family records"));
        assert_eq!(
            admin
                .get(app.url("/families"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            clinician
                .get(app.url("/admin/staff"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            clinician
                .get(app.url("/api/v1/staff"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::FORBIDDEN
        );

        // The clinician's two refusals (page and API) and the administrator's one, each
        // naming the family and why; refusals that are not about a family are not.
        let denials: Vec<(String, Option<String>, String)> = audit_records(&app)
            .await
            .into_iter()
            .filter(|r| r.action == "access.denied")
            .map(|r| {
                (
                    r.actor_username,
                    r.subject_id.map(|id| id.to_string()),
                    r.detail,
                )
            })
            .collect();
        let why = "record belongs to another team".to_string();
        assert_eq!(
            denials,
            [
                (
                    "clinician".to_string(),
                    Some(mbu_family.clone()),
                    why.clone()
                ),
                ("clinician".to_string(), Some(mbu_family.clone()), why),
                (
                    "admin".to_string(),
                    Some(community_family.clone()),
                    "role may not view family records".to_string()
                ),
            ]
        );
        app.database.cleanup().await;
    }
);

on_both_backends!(
    break_glass_needs_a_reason_lasts_an_hour_and_is_flagged_in_the_audit,
    |backend| async move {
        let app = app(backend).await;
        let mbu_family = first_family(&app, "mbu.clinician").await;
        let clinician = app.signed_in("clinician").await;
        let csrf = app.csrf_token(&clinician).await;
        let path = format!("/families/{mbu_family}/break-glass");
        let short = clinician
            .post(app.url(&path))
            .form(&[("csrf_token", csrf.as_str()), ("reason", "urgent")])
            .send()
            .await
            .unwrap();
        assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = short.text().await.unwrap();
        assert!(page.contains("There is a problem") && page.contains("at least 15 characters"));
        assert!(
            page.contains(">urgent</textarea>"),
            "the typed reason is kept"
        );

        // Emergency access needs a second factor: without one the person is told to set it
        // up; with one, a wrong code is refused, and a code is accepted only once.
        let reason = "Mother admitted overnight; safeguarding plan needed";
        let ask = |code: String| {
            let clinician = clinician.clone();
            let csrf = csrf.clone();
            let url = app.url(&path);
            async move {
                clinician
                    .post(url)
                    .form(&[
                        ("csrf_token", csrf.as_str()),
                        ("reason", reason),
                        ("code", code.as_str()),
                    ])
                    .send()
                    .await
                    .unwrap()
            }
        };
        let form = get_text(&app, &clinician, &path).await;
        assert!(form.contains("data-testid=\"needs-second-factor\""));
        let without = ask("123456".into()).await;
        assert_eq!(without.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let without = without.text().await.unwrap();
        assert!(without.contains("needs a second factor"));
        assert!(
            form.contains(&format!(
                "/account/second-factor?next=/families/{mbu_family}/break-glass"
            )),
            "setting one up comes back to the request"
        );
        app.give_second_factor("clinician").await;
        let code = app.fresh_code("clinician").await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let wrong = ask(wrong.into()).await;
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong
            .text()
            .await
            .unwrap()
            .contains("The code is not right"));
        let granted = ask(code.clone()).await;
        assert_eq!(granted.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            ask(code).await.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "the same code cannot be used again"
        );
        let record = clinician
            .get(app.url(&format!("/families/{mbu_family}")))
            .send()
            .await
            .unwrap();
        assert_eq!(record.status(), StatusCode::OK);
        let text = record.text().await.unwrap();
        assert!(text.contains("Emergency access") && text.contains("Rory Brennan"));

        let audit = audit_actions(&app).await;
        let flagged: Vec<_> = audit
            .iter()
            .filter(|r| r.0 == "clinician" && r.2.as_deref() == Some(reason))
            .map(|r| r.1.as_str())
            .collect();
        assert_eq!(flagged, ["access.break_glass", "family.read"]);

        let manager = app.signed_in("manager").await;
        let audit_page = get_text(&app, &manager, &format!("/families/{mbu_family}/audit")).await;
        assert!(
            audit_page.contains("Emergency (break-glass) access") && audit_page.contains(reason)
        );
        assert!(audit_page.contains("clinician (Perinatal clinician)"));
        // The manager's list of every emergency access to the teams' families, with reasons.
        let home = get_text(&app, &manager, "/").await;
        assert!(home.contains("href=\"/audit/emergency-access\""));
        let list = get_text(&app, &manager, "/audit/emergency-access").await;
        assert!(
            list.contains("Priya Shah, clinician")
                && list.contains(reason)
                && list.contains("Chloe Brennan&#39;s family"),
            "{list}"
        );
        let nurse = app.signed_in("nursery.nurse").await;
        assert_eq!(
            nurse
                .get(app.url("/audit/emergency-access"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::FORBIDDEN
        );
        assert!(audit_actions(&app)
            .await
            .iter()
            .any(|r| r.0 == "manager" && r.1 == "audit.break_glass_list"));

        app.clock.advance_minutes(61);
        let again = app.signed_in("clinician").await;
        assert_eq!(
            again
                .get(app.url(&format!("/families/{mbu_family}")))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::FORBIDDEN,
            "access expires"
        );
        let admin = app.signed_in("admin").await;
        assert_eq!(
            admin.get(app.url(&path)).send().await.unwrap().status(),
            StatusCode::FORBIDDEN,
            "administrators cannot break glass"
        );
        app.database.cleanup().await;
    }
);

on_both_backends!(
    a_manager_sees_who_accessed_a_record_and_a_clinician_cannot,
    |backend| async move {
        let app = app(backend).await;
        let family = first_family(&app, "clinician").await;
        let nurse = app.signed_in("nursery.nurse").await;
        assert_eq!(
            nurse
                .get(app.url(&format!("/families/{family}")))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK
        );
        assert_eq!(
            nurse
                .get(app.url(&format!("/families/{family}/audit")))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::FORBIDDEN
        );

        let manager = app.signed_in("manager").await;
        let page = manager
            .get(app.url(&format!("/families/{family}/audit")))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let text = page.text().await.unwrap();
        // Named as people are, with what they looked at.
        assert!(
            text.contains("Tom Baker, nursery.nurse (Nursery nurse)")
                && text.contains("Viewed the family record: the family page"),
            "{text}"
        );
        // The refusal says the real reason: whose work it is, not "ask an administrator".
        let refused = nurse
            .get(app.url(&format!("/families/{family}/audit")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            refused.contains("that is for team managers and Cradle administrators"),
            "{refused}"
        );
        let api: Value =
            get_json(&app, &manager, &format!("/api/v1/families/{family}/audit")).await;
        assert!(api
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["actor_username"] == "nursery.nurse" && r["action"] == "family.read"));
        let own_view = audit_actions(&app)
            .await
            .into_iter()
            .filter(|r| r.0 == "manager" && r.1 == "audit.record_read")
            .count();
        assert_eq!(own_view, 2, "looking at the audit is itself audited");
        app.database.cleanup().await;
    }
);

on_both_backends!(
    a_family_form_with_problems_explains_them_and_keeps_what_was_typed,
    |backend| async move {
        let app = app(backend).await;
        let client = app.signed_in("clinician").await;
        let csrf = app.csrf_token(&client).await;
        let team = app.team_id(COMMUNITY_TEAM).to_string();
        let long_name = "x".repeat(10_000);
        let response = client
            .post(app.url("/families"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("team_id", team.as_str()),
                ("mother_name", long_name.as_str()),
                ("mother_nhs_number", "999 123 4579"),
                ("stage", "postnatal"),
                ("baby_name", "Ada"),
                ("baby_dob_day", "1"),
                ("baby_dob_month", "1"),
                ("baby_dob_year", "2099"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(page.contains("There is a problem"));
        assert!(page.contains("must be 200 characters or fewer"));
        assert!(page.contains("not a valid NHS number"));
        assert!(page.contains("today or in the past"));
        assert!(
            page.contains("value=\"999 123 4579\"")
                && page.contains("value=\"2099\"")
                && page.contains("value=\"Ada\"")
        );

        let other_team = app.team_id(MBU_TEAM).to_string();
        let elsewhere = client
            .post(app.url("/families"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("team_id", other_team.as_str()),
                ("mother_name", "Test Mother"),
                ("stage", "preconception"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(elsewhere.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(elsewhere
            .text()
            .await
            .unwrap()
            .contains("one of your own teams"));
        let listed: Value = get_json(&app, &client, "/api/v1/families").await;
        assert_eq!(listed["total"], community_families(), "nothing was saved");

        let ok = client
            .post(app.url("/families"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("team_id", team.as_str()),
                ("mother_name", "Test Mother"),
                ("mother_nhs_number", "999 123 4640"),
                ("stage", "preconception"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), StatusCode::SEE_OTHER);
        let page = get_text(&app, &client, &location(&ok)).await;
        assert!(
            page.contains("Test Mother (no baby recorded yet)") && page.contains("999 123 4640")
        );
        app.database.cleanup().await;
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_changes_without_the_csrf_token_or_from_another_site_are_refused() {
    let app = app(Backend::Sqlite).await;
    let client = app.signed_in("clinician").await;
    let team = app.team_id(COMMUNITY_TEAM).to_string();
    let form = [
        ("team_id", team.as_str()),
        ("mother_name", "Forged"),
        ("stage", "preconception"),
    ];
    let missing = client
        .post(app.url("/families"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::FORBIDDEN);
    assert!(missing
        .text()
        .await
        .unwrap()
        .contains("so nothing was saved"));

    let csrf = app.csrf_token(&client).await;
    let mut with_token = form.to_vec();
    with_token.push(("csrf_token", csrf.as_str()));
    let cross_site = client
        .post(app.url("/families"))
        .header("origin", "https://evil.example")
        .form(&with_token)
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);

    let api = client
        .post(app.url("/api/v1/families"))
        .json(&serde_json::json!({"team_id": team, "mother_name": "Forged", "stage": "preconception"}))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::FORBIDDEN);
    let problem: Value = api.json().await.unwrap();
    assert_eq!(problem["type"], "urn:cradle:problem:csrf");

    let sent = client
        .post(app.url("/api/v1/families"))
        .header("x-csrf-token", csrf.as_str())
        .json(&serde_json::json!({"team_id": team, "mother_name": "Allowed", "stage": "preconception"}))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), StatusCode::CREATED);
    let listed: Value = get_json(&app, &client, "/api/v1/families?q=forged").await;
    assert_eq!(listed["total"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_clear_answers_and_the_server_keeps_running() {
    let app = app(Backend::Sqlite).await;
    let client = app.signed_in("clinician").await;
    let csrf = app.csrf_token(&client).await;

    let malformed = client
        .post(app.url("/api/v1/families"))
        .header("x-csrf-token", csrf.as_str())
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        malformed.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = malformed.json().await.unwrap();
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("Nothing was saved"));

    let invalid = client
        .post(app.url("/api/v1/families"))
        .header("x-csrf-token", csrf.as_str())
        .json(&serde_json::json!({"team_id": "x", "mother_name": "", "stage": "sideways"}))
        .send()
        .await
        .unwrap();
    assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = invalid.json().await.unwrap();
    let fields: Vec<&str> = strings(&problem["errors"], "field");
    assert_eq!(fields, ["team_id", "mother_name", "stage"]);

    let huge = "a".repeat(cradle_web::MAX_BODY_BYTES + 10);
    let too_big = client
        .post(app.url("/families"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf_token={csrf}&mother_name={huge}"))
        .send()
        .await
        .unwrap();
    assert_eq!(too_big.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(too_big.text().await.unwrap().contains("too large"));
    let too_big_api = client
        .post(app.url("/api/v1/families"))
        .header("x-csrf-token", csrf.as_str())
        .header("content-type", "application/json")
        .body(format!("{{\"mother_name\":\"{huge}\"}}"))
        .send()
        .await
        .unwrap();
    assert_eq!(too_big_api.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        too_big_api.headers()["content-type"],
        "application/problem+json"
    );

    let missing = client.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let text = missing.text().await.unwrap();
    assert!(
        text.contains("Page not found") && text.contains("Priya Shah"),
        "the 404 page keeps the header"
    );
    let wrong_method = client
        .delete(app.url("/families"))
        .header("x-csrf-token", csrf.as_str())
        .send()
        .await
        .unwrap();
    assert!(
        wrong_method.status() == StatusCode::METHOD_NOT_ALLOWED
            || wrong_method.status() == StatusCode::FORBIDDEN
    );
    let wrong_api_method = client
        .put(app.url("/api/v1/families"))
        .header("x-csrf-token", csrf.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_api_method.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        wrong_api_method.headers()["content-type"],
        "application/problem+json"
    );
    let bad_id = client
        .get(app.url("/families/not-a-uuid"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_id.status(), StatusCode::NOT_FOUND);
    let unknown_family = client
        .get(app.url(&format!("/api/v1/families/{}", uuid_like())))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown_family.status(), StatusCode::NOT_FOUND);
    let bad_page = client
        .get(app.url("/families?page=banana"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_page.status(), StatusCode::BAD_REQUEST);
    assert!(bad_page
        .text()
        .await
        .unwrap()
        .contains("The request could not be understood"));

    assert_eq!(
        client
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "ok"
    );
    assert_eq!(
        client
            .get(app.url("/readyz"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "ready"
    );
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_describes_every_operation_and_every_operation_exists() {
    let app = app(Backend::Sqlite).await;
    let client = app.client();
    let doc: Value = get_json(&app, &client, "/api/v1/openapi.json").await;
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    let mut documented = Vec::new();
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            documented.push((method.clone(), path.clone()));
        }
    }
    documented.sort();
    let mut listed: Vec<(String, String)> = cradle_web::api::OPERATIONS
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    listed.sort();
    assert_eq!(documented, listed);

    // Every reference names a schema the document defines, and every request body says
    // which fields it takes.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    fn references(value: &Value, found: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    found.push(r.clone());
                }
                map.values().for_each(|v| references(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| references(v, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    references(&doc, &mut found);
    for r in &found {
        let name = r.trim_start_matches("#/components/schemas/");
        assert!(schemas.contains_key(name), "{r} is defined");
    }
    let fields = |schema: &Value| -> Vec<String> {
        let mut parts = vec![schema.clone()];
        if let Some(all) = schema["allOf"].as_array() {
            parts.extend(all.iter().cloned());
        }
        parts
            .iter()
            .map(|part| match part["$ref"].as_str() {
                Some(r) => schemas[r.trim_start_matches("#/components/schemas/")].clone(),
                None => part.clone(),
            })
            .filter_map(|part| part["properties"].as_object().cloned())
            .flat_map(|props| props.keys().cloned().collect::<Vec<_>>())
            .collect()
    };
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            let body = &operation["requestBody"]["content"]["application/json"]["schema"];
            let takes_no_body = path.ends_with("/disable")
                || path.ends_with("/enable")
                || path.ends_with("/retire");
            if method == "post" && !takes_no_body {
                assert!(
                    !fields(body).is_empty(),
                    "{method} {path}: the request body lists its fields"
                );
                assert!(
                    body["additionalProperties"] == false || body["unevaluatedProperties"] == false,
                    "{method} {path}: the body says it takes no other field"
                );
                for refusal in ["400", "413", "422"] {
                    assert!(
                        operation["responses"][refusal].is_object(),
                        "{method} {path}: {refusal} is documented"
                    );
                }
            }
        }
    }
    // Every object inside a body says whether it takes other fields (the server refuses
    // what is not listed), and the names in a free-form object are held to the same rule as
    // text.
    fn inner_objects_are_closed(
        schema: &Value,
        schemas: &serde_json::Map<String, Value>,
        at: &str,
        seen: &mut Vec<String>,
    ) {
        let Some(map) = schema.as_object() else {
            return;
        };
        if let Some(name) = map.get("$ref").and_then(Value::as_str) {
            let name = name.trim_start_matches("#/components/schemas/").to_string();
            if !seen.contains(&name) {
                seen.push(name.clone());
                let target = &schemas[&name];
                if target["properties"].is_object() {
                    assert!(
                        target.get("additionalProperties").is_some(),
                        "{at} ({name}) says whether it takes other fields"
                    );
                }
                inner_objects_are_closed(target, schemas, &name, seen);
            }
            return;
        }
        for (name, field) in map
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let place = format!("{at}.{name}");
            if field["properties"].is_object() {
                assert!(
                    field.get("additionalProperties").is_some(),
                    "{place} says whether it takes other fields"
                );
            }
            if field
                .get("additionalProperties")
                .is_some_and(|a| a != &Value::Bool(false))
                || (field["type"] == "object" && field.get("properties").is_none())
            {
                assert!(
                    field.get("propertyNames").is_some(),
                    "{place}: its names may not hold a NUL"
                );
            }
            inner_objects_are_closed(field, schemas, &place, seen);
        }
        for key in ["items", "additionalProperties"] {
            if let Some(inner) = map.get(key).filter(|v| v.is_object()) {
                if inner["properties"].is_object() {
                    assert!(
                        inner.get("additionalProperties").is_some(),
                        "{at}[] says whether it takes other fields"
                    );
                }
                inner_objects_are_closed(inner, schemas, &format!("{at}[]"), seen);
            }
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            for branch in map.get(key).and_then(Value::as_array).into_iter().flatten() {
                if branch.get("$ref").is_none() {
                    inner_objects_are_closed(branch, schemas, at, seen);
                }
            }
        }
    }
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            let body = &operation["requestBody"]["content"]["application/json"]["schema"];
            let parts: Vec<Value> = match body["allOf"].as_array() {
                Some(parts) => parts.clone(),
                None => vec![body.clone()],
            };
            for part in parts {
                let top = match part["$ref"].as_str() {
                    Some(r) => schemas[r.trim_start_matches("#/components/schemas/")].clone(),
                    None => part,
                };
                inner_objects_are_closed(
                    &top,
                    schemas,
                    &format!("{method} {path}"),
                    &mut Vec::new(),
                );
            }
        }
    }

    // Free text may not hold a NUL character (no database here keeps one), and says so.
    assert_eq!(
        schemas["NewStaff"]["properties"]["display_name"]["pattern"],
        "^[^\\u0000]*$"
    );
    let correction = &paths["/api/v1/families/{id}/moments/{moment}"]["post"]["requestBody"]
        ["content"]["application/json"]["schema"];
    let correction_fields = fields(correction);
    for field in ["moment", "fed_back", "version", "reason"] {
        assert!(correction_fields.iter().any(|f| f == field), "{field}");
    }

    let admin = app.signed_in("admin").await;
    for (method, path) in cradle_web::api::OPERATIONS {
        let path = path.replace("{id}", &uuid_like());
        let request = match method {
            "get" => admin.get(app.url(&path)),
            _ => admin.post(app.url(&path)).json(&serde_json::json!({})),
        };
        let status = request.send().await.unwrap().status();
        assert_ne!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path} is routed"
        );
        let problem_404 = status == StatusCode::NOT_FOUND;
        if problem_404 {
            assert!(path.contains(&uuid_like()), "{method} {path} exists");
        }
    }
}

on_both_backends!(
    the_api_keeps_to_its_document_whole_numbers_as_1_0_and_pages_counted_from_1,
    |backend| async move {
        let app = app(backend).await;
        let clinician = app.signed_in("clinician").await;
        let csrf = app.csrf_token(&clinician).await;
        let page_zero = clinician
            .get(app.url("/api/v1/families?page=0"))
            .send()
            .await
            .unwrap();
        assert_eq!(page_zero.status(), StatusCode::BAD_REQUEST);
        let problem: Value = page_zero.json().await.unwrap();
        assert!(problem["detail"]
            .as_str()
            .unwrap()
            .contains("counts from 1"));
        assert_eq!(
            clinician
                .get(app.url("/api/v1/families?page=1"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK
        );

        // A version written as 1.0 (an integer, to JSON Schema) is the version 1.
        let family = first_family(&app, "clinician").await;
        let record: Value = get_json(&app, &clinician, &format!("/api/v1/families/{family}")).await;
        let version = record["family"]["version"]
            .as_i64()
            .or_else(|| record["version"].as_i64())
            .expect("the family's version");
        let saved = clinician
            .post(app.url(&format!("/api/v1/families/{family}/details")))
            .header("x-csrf-token", csrf.as_str())
            .json(&serde_json::json!({
                "mother_name": "Amara Okafor-Bello",
                "version": version as f64,
                "reason": "Married"
            }))
            .send()
            .await
            .unwrap();
        let status = saved.status();
        assert!(
            status.is_success(),
            "{status}: {}",
            saved.text().await.unwrap()
        );
        let half = clinician
            .post(app.url(&format!("/api/v1/families/{family}/details")))
            .header("x-csrf-token", csrf.as_str())
            .json(&serde_json::json!({
                "mother_name": "Amara Okafor", "version": 1.5, "reason": "Typo"
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(
            half.status(),
            StatusCode::BAD_REQUEST,
            "1.5 is not a version"
        );
        // The largest whole number JSON carries exactly, written with a fraction, is still a
        // version (one that is not the record's, so someone else "changed it first").
        let far_ahead = clinician
            .post(app.url(&format!("/api/v1/families/{family}/details")))
            .header("x-csrf-token", csrf.as_str())
            .json(&serde_json::json!({
                "mother_name": "Amara Okafor", "version": 9_007_199_254_740_990.0_f64, "reason": "Typo"
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(far_ahead.status(), StatusCode::CONFLICT);

        // Query values the document does not allow are refused, not read as "left out".
        for query in ["mine=yes", "mine=", "before=", "after="] {
            let refused = clinician
                .get(app.url(&format!("/api/v1/families?{query}")))
                .send()
                .await
                .unwrap();
            assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{query}");
        }

        // A field the document does not list is refused by name, at any depth, and nothing
        // is saved: a client that misspells a field learns so instead of losing what it sent.
        let notes_before = get_json(&app, &clinician, &format!("/api/v1/families/{family}")).await
            ["notes"]
            .as_array()
            .map_or(0, Vec::len);
        let today = time::OffsetDateTime::now_utc().date();
        let misspelt = clinician
            .post(app.url(&format!("/api/v1/families/{family}/notes")))
            .header("x-csrf-token", csrf.as_str())
            .json(&serde_json::json!({
                "subject": "mother", "kind": "strength", "text": "Sings to the baby",
                "noted_day": today.day().to_string(), "noted_month": (today.month() as u8).to_string(),
                "noted_year": today.year().to_string(), "colour": "blue"
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(misspelt.status(), StatusCode::BAD_REQUEST);
        let problem: Value = misspelt.json().await.unwrap();
        assert!(
            problem["detail"].as_str().unwrap().contains("\"colour\""),
            "{problem}"
        );
        let mother_and_partner: Value =
            get_json(&app, &clinician, &format!("/api/v1/families/{family}")).await;
        let partner = mother_and_partner["people"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let answers: Vec<Value> = (1..=9)
            .map(|n| serde_json::json!({"question": format!("phq9-{n}"), "code": "LA6568-5"}))
            .chain([serde_json::json!({"question": "phq9-1", "code": "LA6568-5", "comment": "x"})])
            .collect();
        let nested = clinician
            .post(app.url(&format!(
                "/api/v1/families/{family}/people/{partner}/questionnaires"
            )))
            .header("x-csrf-token", csrf.as_str())
            .json(
                &serde_json::json!({"instrument": "PHQ-9", "population": "adult",
                "completed_on": today.to_string(), "answers": answers}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(nested.status(), StatusCode::BAD_REQUEST);
        let problem: Value = nested.json().await.unwrap();
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("\"answers[9].comment\""),
            "{problem}"
        );
        let record: Value = get_json(&app, &clinician, &format!("/api/v1/families/{family}")).await;
        assert_eq!(record["notes"].as_array().map_or(0, Vec::len), notes_before);
        assert_eq!(record["responses"].as_array().map_or(0, Vec::len), 0);
        app.database.cleanup().await;
    }
);

on_both_backends!(
    the_clock_decides_when_a_planned_contact_has_passed_and_a_review_falls_due,
    |backend| async move {
        // Every "today" comes from the application's clock: moved on, it makes a planned
        // contact pass and lets sessions be recorded on days still to come by the
        // computer's own clock, until the review falls due.
        let app = app(backend).await;
        let clinician = app.signed_in("clinician").await;
        let token = app.csrf_token(&clinician).await;
        let today = app.app.today();
        let created = clinician
            .post(app.url("/api/v1/families"))
            .header("X-CSRF-Token", &token)
            .json(&serde_json::json!({
                "team_id": app.team_id(COMMUNITY_TEAM).to_string(), "mother_name": "Clara Timewell",
                "stage": "postnatal", "baby_date_of_birth": (today - time::Duration::days(30)).to_string(),
                "referral_date": (today - time::Duration::days(20)).to_string()
            }))
            .send()
            .await
            .unwrap();
        let family = id_of_created(created).await;
        let (d, m, y) = date_fields(today);
        let plan = id_of_created(
            clinician
                .post(app.url(&format!("/api/v1/families/{family}/plans")))
                .header("X-CSRF-Token", &token)
                .json(&serde_json::json!({"kind": "family", "focus": "postnatal",
                    "agreed_day": d, "agreed_month": m, "agreed_year": y}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        let session = |on: time::Date, next: Option<time::Date>| {
            let (d, m, y) = date_fields(on);
            let (nd, nm, ny) = next.map(date_fields).unwrap_or_default();
            serde_json::json!({"held_day": d, "held_month": m, "held_year": y, "place": "home",
                "attendance": "attended", "attendees": ["mother"], "focus": "postnatal",
                "notes": "Bath time together", "next_day": nd, "next_month": nm, "next_year": ny,
                "interpreter": "no"})
        };
        let sessions = format!("/api/v1/families/{family}/plans/{plan}/sessions");
        let next_contact = today + time::Duration::days(3);
        post_json_ok(
            &app,
            &clinician,
            &token,
            &sessions,
            &session(today, Some(next_contact)),
        )
        .await;
        let page = get_text(&app, &clinician, &format!("/families/{family}")).await;
        let next_contact_text = cradle_domain::dates::long_date(next_contact);
        assert!(
            page.contains(&format!("Next contact {next_contact_text}")),
            "planned"
        );

        // Days pass (sessions do not last that long: sign in again after each move).
        app.clock.advance_minutes(4 * 24 * 60);
        assert_eq!(app.app.today(), today + time::Duration::days(4));
        let clinician = app.signed_in("clinician").await;
        let page = get_text(&app, &clinician, &format!("/families/{family}")).await;
        assert!(
            page.contains(&format!(
                "Planned contact on {next_contact_text} has passed"
            )),
            "the planned contact has passed by the moved clock"
        );

        // Five more sessions, a day apart by the moved clock: the sixth attended makes the
        // review due (the team reviews after six, to start with).
        for n in 2..=6 {
            app.clock.advance_minutes(24 * 60);
            let clinician = app.signed_in("clinician").await;
            let token = app.csrf_token(&clinician).await;
            let on = app.app.today();
            post_json_ok(&app, &clinician, &token, &sessions, &session(on, None)).await;
            let page = get_text(&app, &clinician, &format!("/families/{family}")).await;
            assert_eq!(page.contains("Review due"), n == 6, "after {n} sessions");
        }
        // The last session was dated nine days after the computer's own today.
        assert!(app.app.today() > time::OffsetDateTime::now_utc().date() + time::Duration::days(8));
        app.database.cleanup().await;
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_names_its_request_and_a_problem_says_which_request_failed() {
    // A failure someone reports can be found in the log: each answer carries the id the
    // server logged it under, and problem details name it as their `instance`.
    let app = app(Backend::Sqlite).await;
    let client = app.signed_in("clinician").await;
    let ok = client.get(app.url("/api/v1/me")).send().await.unwrap();
    let first = ok.headers()["x-request-id"].to_str().unwrap().to_string();
    assert!(first.parse::<uuid::Uuid>().is_ok(), "{first}");
    let missing = client
        .get(app.url(&format!("/api/v1/families/{}", uuid::Uuid::now_v7())))
        .header("x-request-id", "forged-id")
        .send()
        .await
        .unwrap();
    let id = missing.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert_ne!(id, first, "each request its own id");
    assert!(
        id.parse::<uuid::Uuid>().is_ok(),
        "the server's own id, not the client's"
    );
    let problem: Value = missing.json().await.unwrap();
    assert_eq!(problem["instance"], format!("urn:cradle:request:{id}"));
    app.database.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_accounts_use_the_api_with_a_bearer_token_and_cannot_sign_in() {
    let app = app(Backend::Sqlite).await;
    let cli = cradle_app::Actor::command_line();
    let input = cradle_app::admin::StaffInput {
        username: "reporting".into(),
        display_name: "Reporting extract".into(),
        role: "clinician".into(),
        teams: vec![COMMUNITY_TEAM.into()],
        service_account: true,
        ..Default::default()
    };
    let account = app.app.create_staff(&cli, &input).await.unwrap();
    let token = app
        .app
        .issue_api_token(&cli, account.id, "nightly extract", None)
        .await
        .unwrap()
        .token;
    let client = app.client();
    let list = client
        .get(app.url("/api/v1/families"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(list.status(), StatusCode::OK);
    let body: Value = list.json().await.unwrap();
    assert_eq!(body["total"], community_families());
    let wrong = client
        .get(app.url("/api/v1/families"))
        .bearer_auth("cradle_wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let page = client
        .get(app.url("/families"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.status(),
        StatusCode::SEE_OTHER,
        "bearer tokens do not open pages"
    );
    assert_eq!(
        app.login(&client, "reporting", "").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let audit = audit_actions(&app).await;
    assert!(audit
        .iter()
        .any(|r| r.0 == "reporting" && r.1 == "family.list"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_audit_cannot_be_written_the_action_fails_and_nothing_is_saved() {
    let app = app(Backend::Sqlite).await;
    let client = app.signed_in("clinician").await;
    let csrf = app.csrf_token(&client).await;
    app.database
        .execute_raw("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'audit disk full'); END;")
        .await;
    let team = app.team_id(COMMUNITY_TEAM).to_string();
    let response = client
        .post(app.url("/families"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("team_id", team.as_str()),
            ("mother_name", "Not Saved"),
            ("stage", "preconception"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let page = response.text().await.unwrap();
    assert!(page.contains("Sorry, there is a problem with the service"));
    let read = client
        .get(app.url(&format!("/families/{}", first_family_id(&app).await)))
        .send()
        .await
        .unwrap();
    assert_eq!(
        read.status(),
        StatusCode::INTERNAL_SERVER_ERROR,
        "an unaudited read is refused too"
    );
    app.database.execute_raw("DROP TRIGGER refuse_audit;").await;
    let listed: Value = get_json(&app, &client, "/api/v1/families?q=not").await;
    assert_eq!(listed["total"], 0);
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_manage_accounts_and_teams_with_clear_messages() {
    let app = app(Backend::Sqlite).await;
    let admin = app.signed_in("admin").await;
    let csrf = app.csrf_token(&admin).await;
    let bad = admin
        .post(app.url("/admin/staff"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("display_name", "New Person"),
            ("username", "clinician"),
            ("role", "clinician"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = bad.text().await.unwrap();
    assert!(page.contains("Select at least one team"));
    assert!(page.contains("value=\"New Person\""));
    assert!(
        !page.contains("type=\"password\""),
        "an administrator never chooses a colleague's password"
    );

    let team = app.team_id(COMMUNITY_TEAM).to_string();
    let duplicate = admin
        .post(app.url("/admin/staff"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("display_name", "New Person"),
            ("username", "clinician"),
            ("role", "clinician"),
            ("teams", team.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(duplicate.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(duplicate.text().await.unwrap().contains("already exists"));

    let empty_team = admin
        .post(app.url("/admin/teams"))
        .form(&[("csrf_token", csrf.as_str()), ("name", "  ")])
        .send()
        .await
        .unwrap();
    assert_eq!(empty_team.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty_team
        .text()
        .await
        .unwrap()
        .contains("Enter a team name"));
    let team_added = admin
        .post(app.url("/admin/teams"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("name", "South Perinatal Team"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(team_added.status(), StatusCode::SEE_OTHER);
    let teams = get_text(&app, &admin, "/admin/teams").await;
    assert!(teams.contains("South Perinatal Team"));
    let actions: Vec<String> = audit_actions(&app).await.into_iter().map(|r| r.1).collect();
    assert!(
        actions.contains(&"staff.create".to_string())
            && actions.contains(&"team.create".to_string())
    );
}

on_both_backends!(
    moving_a_member_of_staff_between_teams_changes_what_they_see_at_once,
    |backend| async move {
        let app = app(backend).await;
        let mbu_family = first_family(&app, "mbu.clinician").await;
        let clinician = app.signed_in("clinician").await;
        let path = format!("/families/{mbu_family}");
        assert_eq!(
            clinician.get(app.url(&path)).send().await.unwrap().status(),
            StatusCode::FORBIDDEN
        );

        let admin = app.signed_in("admin").await;
        let csrf = app.csrf_token(&admin).await;
        let id = app.staff_id("clinician");
        let form = get_text(&app, &admin, &format!("/admin/staff/{id}/teams")).await;
        assert!(form.contains("Change teams") && form.contains(COMMUNITY_TEAM));
        let bad = admin
            .post(app.url(&format!("/admin/staff/{id}/teams")))
            .form(&[("csrf_token", csrf.as_str()), ("teams", "not-a-team")])
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let mbu = app.team_id(MBU_TEAM).to_string();
        let moved = admin
            .post(app.url(&format!("/admin/staff/{id}/teams")))
            .form(&[("csrf_token", csrf.as_str()), ("teams", mbu.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(moved.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            clinician.get(app.url(&path)).send().await.unwrap().status(),
            StatusCode::OK,
            "the same session sees the new team's family"
        );
        let community_family = first_family(&app, "nursery.nurse").await;
        assert_eq!(
            clinician
                .get(app.url(&format!("/families/{community_family}")))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::FORBIDDEN,
            "and no longer the old team's"
        );

        let api = admin
            .post(app.url(&format!("/api/v1/staff/{id}/teams")))
            .header("x-csrf-token", csrf.as_str())
            .json(&serde_json::json!({"teams": [uuid_like()]}))
            .send()
            .await
            .unwrap();
        assert_eq!(api.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let changes = audit_actions(&app)
            .await
            .into_iter()
            .filter(|r| r.1 == "staff.teams_change")
            .count();
        assert_eq!(changes, 1, "the permission change is audited");
        app.database.cleanup().await;
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_failures_from_one_address_pause_sign_in_from_there() {
    let app = app(Backend::Sqlite).await;
    let client = app.client();
    for attempt in 0..30 {
        let response = app
            .login(&client, &format!("guess{attempt}"), "wrong password")
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}"
        );
    }
    let blocked = app.login(&client, "clinician", DEMO_PASSWORD).await;
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    let refused = audit_actions(&app)
        .await
        .into_iter()
        .filter(|r| r.1 == "auth.login_rate_limited")
        .count();
    assert_eq!(refused, 1, "the refusal is audited");
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

on_both_backends!(
    a_clinician_builds_the_family_around_the_baby,
    |backend| async move {
        let app = app(backend).await;
        let client = app.signed_in("clinician").await;
        let csrf = app.csrf_token(&client).await;
        let team = app.team_id(COMMUNITY_TEAM).to_string();
        let due = app.app.today() + time::Duration::days(60);
        let created = client
            .post(app.url("/api/v1/families"))
            .header("x-csrf-token", csrf.as_str())
            .json(&serde_json::json!({
                "team_id": team,
                "mother_name": "Beatriz Santos",
                "mother_nhs_number": "999 123 4667",
                "stage": "antenatal",
                "due_date": format!("{}-{:02}-{:02}", due.year(), u8::from(due.month()), due.day()),
            }))
            .send()
            .await
            .unwrap();
        let family = id_of_created(created).await;
        let page_path = format!("/families/{family}");

        // Add the partner and the grandmother, each a person in their own right.
        for (name, language, interpreter) in [
            ("Rui Marques", "Portuguese", "yes"),
            ("Maria Costa", "Portuguese", "no"),
        ] {
            let added = client
                .post(app.url(&format!("{page_path}/people")))
                .form(&[
                    ("csrf_token", csrf.as_str()),
                    ("name", name),
                    ("preferred_language", language),
                    ("interpreter_needed", interpreter),
                    ("postcode", "ls1 4ap"),
                    ("phone", "07700 900123"),
                    ("contact_consent", "yes"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(added.status(), StatusCode::SEE_OTHER, "{name}");
        }
        let duplicate = client
            .post(app.url(&format!("{page_path}/people")))
            .form(&[("csrf_token", csrf.as_str()), ("name", "rui marques")])
            .send()
            .await
            .unwrap();
        assert_eq!(duplicate.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(duplicate
            .text()
            .await
            .unwrap()
            .contains("already in this family"));
        let long = "x".repeat(10_000);
        let bad = client
            .post(app.url(&format!("{page_path}/people")))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("name", long.as_str()),
                ("postcode", "nowhere"),
                ("email", "not an email"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let text = bad.text().await.unwrap();
        assert!(
            text.contains("200 characters or fewer")
                && text.contains("full UK postcode")
                && text.contains("value=\"nowhere\"")
        );

        let page = get_text(&app, &client, &page_path).await;
        assert!(
            page.contains("Rui Marques")
                && page.contains("Portuguese; needs an interpreter")
                && page.contains("LS1 4AP")
        );
        let rui = link_after(
            &page,
            &format!("/families/{family}/relationships/new?person="),
        )
        .rsplit('=')
        .next()
        .unwrap()
        .to_string();
        let form = get_text(
            &app,
            &client,
            &format!("{page_path}/relationships/new?person={rui}"),
        )
        .await;
        let baby = hidden_radio_value(&form, "target");
        let relationship = client
            .post(app.url(&format!("{page_path}/relationships")))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("person_id", rui.as_str()),
                ("target", baby.as_str()),
                ("kind", "father"),
                ("lives_with_baby", "yes"),
                ("care_share", "equal"),
                ("contact_frequency", "daily"),
                ("nature", "supportive"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(relationship.status(), StatusCode::SEE_OTHER);

        // Another family's baby, or a person from elsewhere, cannot be linked.
        let other_family = family_of(&app, &client, "Amara Okafor").await;
        let other_page = get_text(
            &app,
            &client,
            &format!("/families/{other_family}/relationships/new"),
        )
        .await;
        let other_baby = hidden_radio_value(&other_page, "target");
        let wrong_baby = client
            .post(app.url(&format!("{page_path}/relationships")))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("person_id", rui.as_str()),
                ("target", other_baby.as_str()),
                ("kind", "father"),
                ("lives_with_baby", "no"),
                ("care_share", "none"),
                ("contact_frequency", "weekly"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(wrong_baby.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong_baby
            .text()
            .await
            .unwrap()
            .contains("Select one of this family"));

        // The birth is recorded on the pregnancy's own record: 33 weeks, so a corrected age shows.
        let birth_link = link_after(&page, &format!("/families/{family}/babies/"));
        let today = app.app.today();
        let born = today - time::Duration::days(28);
        let future = today + time::Duration::days(2);
        let refused = client
            .post(app.url(&birth_link))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("born_day", &future.day().to_string()),
                ("born_month", &u8::from(future.month()).to_string()),
                ("born_year", &future.year().to_string()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused
            .text()
            .await
            .unwrap()
            .contains("today or in the past"));
        let recorded = client
            .post(app.url(&birth_link))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("born_day", &born.day().to_string()),
                ("born_month", &u8::from(born.month()).to_string()),
                ("born_year", &born.year().to_string()),
                ("gestation_weeks", "33"),
                ("gestation_days", "0"),
                ("name", "Leonor Santos"),
                ("nhs_number", "999 123 4659"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(recorded.status(), StatusCode::SEE_OTHER);
        let page = get_text(&app, &client, &page_path).await;
        assert!(
            page.contains("Leonor Santos")
                && page.contains("4 weeks (corrected age: 3 weeks before due date)"),
            "{page}"
        );
        assert!(
            page.contains("Father to Leonor Santos"),
            "the relationship follows the baby through the birth"
        );
        assert!(page.contains("Postnatal"));

        // Amend the grandmother's phone: the earlier version stays readable, with who and why.
        let edit = link_labelled(&page, "Change details", " of Maria Costa");
        let maria_id = edit.split('/').nth(4).unwrap().to_string();
        let form = get_text(&app, &client, &edit).await;
        let version = hidden_field(&form, "version").unwrap();
        let amend = |version: String, phone: &'static str| {
            let client = client.clone();
            let url = app.url(&format!("{page_path}/people/{maria_id}"));
            let csrf = csrf.clone();
            async move {
                client
                    .post(url)
                    .form(&[
                        ("csrf_token", csrf.as_str()),
                        ("version", version.as_str()),
                        ("name", "Maria Costa"),
                        ("phone", phone),
                        ("preferred_language", "Portuguese"),
                        ("interpreter_needed", "no"),
                        ("contact_consent", "yes"),
                        ("reason", "New number given at the home visit"),
                    ])
                    .send()
                    .await
                    .unwrap()
            }
        };
        assert_eq!(
            amend(version.clone(), "07700 900999").await.status(),
            StatusCode::SEE_OTHER
        );
        let stale = amend(version, "07700 900555").await;
        assert_eq!(
            stale.status(),
            StatusCode::CONFLICT,
            "an edit made from an old form cannot overwrite a newer one"
        );
        let history = get_text(
            &app,
            &client,
            &format!("{page_path}/people/{maria_id}/history"),
        )
        .await;
        assert!(
            history.contains("07700 900123")
                && history.contains("New number given at the home visit")
                && history.contains("Priya Shah")
        );
        let page = get_text(&app, &client, &page_path).await;
        assert!(page.contains("07700 900999") && !page.contains("07700 900555"));

        // Do not contact: the mark shows wherever the person appears and no contact is offered.
        let (review_day, review_month, review_year) =
            date_fields(time::OffsetDateTime::now_utc().date() + time::Duration::weeks(8));
        let restrict = client
            .post(app.url(&format!("{page_path}/people/{rui}/restrict")))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("kind", "do_not_contact"),
                (
                    "decided_by",
                    "Safeguarding lead with the mother, seen alone",
                ),
                (
                    "reason",
                    "Mother has asked that he is not contacted by the team",
                ),
                ("until_day", &review_day),
                ("until_month", &review_month),
                ("until_year", &review_year),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(restrict.status(), StatusCode::SEE_OTHER);
        let page = get_text(&app, &client, &page_path).await;
        assert!(page.contains("Rui Marques: do not contact"));
        assert!(
            page.contains("DO NOT CONTACT"),
            "the ecomap carries the mark"
        );
        let rui_card = page
            .split("data-testid=\"person-card\"")
            .find(|card| card.contains("<h3 class=\"nhsuk-card__heading\">Rui Marques</h3>"))
            .unwrap();
        assert!(
            rui_card.contains("Not to be contacted by the team")
                && !rui_card.contains("07700 900123")
        );
        assert!(!rui_card.contains(&format!("/people/{rui}/restrict")));

        let svg = client
            .get(app.url(&format!("{page_path}/ecomap.svg")))
            .send()
            .await
            .unwrap();
        assert_eq!(
            svg.headers()["content-type"],
            "image/svg+xml; charset=utf-8"
        );
        let svg = svg.text().await.unwrap();
        assert!(svg.contains("Leonor Santos") && svg.contains("<desc"));

        let actions: Vec<String> = audit_actions(&app).await.into_iter().map(|r| r.1).collect();
        for action in [
            "person.add",
            "relationship.add",
            "baby.amend",
            "person.amend",
            "restriction.add",
            "record.history_read",
        ] {
            assert!(actions.iter().any(|a| a == action), "{action} is audited");
        }

        // Another team cannot change this family.
        let elsewhere = app.signed_in("mbu.clinician").await;
        let mbu_csrf = app.csrf_token(&elsewhere).await;
        let refused = elsewhere
            .post(app.url(&format!("{page_path}/people")))
            .form(&[("csrf_token", mbu_csrf.as_str()), ("name", "Intruder")])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        app.database.cleanup().await;
    }
);

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

on_both_backends!(the_family_network_through_the_api, |backend| async move {
    let app = app(backend).await;
    let client = app.signed_in("clinician").await;
    let csrf = app.csrf_token(&client).await;
    let family = family_of(&app, &client, "Amara Okafor").await;
    let read: Value = get_json(&app, &client, &format!("/api/v1/families/{family}")).await;
    assert_eq!(read["people"][0]["name"], "Tunde Okafor");
    assert_eq!(read["relationships"][0]["kind"], "father");
    let baby = read["family"]["babies"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let post = |path: String, body: Value| {
        let client = client.clone();
        let csrf = csrf.clone();
        let url = app.url(&path);
        async move {
            client
                .post(url)
                .header("x-csrf-token", csrf)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let added = post(
        format!("/api/v1/families/{family}/people"),
        serde_json::json!({"name": "Ngozi Okafor", "contact_consent": "yes"}),
    )
    .await;
    assert_eq!(added.status(), StatusCode::CREATED);
    let ngozi: Value = added.json().await.unwrap();
    let ngozi_id = ngozi["id"].as_str().unwrap().to_string();
    let bad = post(
        format!("/api/v1/families/{family}/people"),
        serde_json::json!({"name": "", "postcode": "x"}),
    )
    .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = bad.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "name");

    let relationship = post(
        format!("/api/v1/families/{family}/relationships"),
        serde_json::json!({"person_id": ngozi_id, "target": baby, "kind": "grandparent", "lives_with_baby": "no", "care_share": "some", "contact_frequency": "weekly", "nature": "strong"}),
    )
    .await;
    assert_eq!(relationship.status(), StatusCode::CREATED);
    let amended = post(
        format!("/api/v1/families/{family}/people/{ngozi_id}"),
        serde_json::json!({"name": "Ngozi Okafor", "phone": "07700 900111", "version": 1, "reason": "Phone number given"}),
    )
    .await;
    assert_eq!(amended.status(), StatusCode::OK);
    let stale = post(
        format!("/api/v1/families/{family}/people/{ngozi_id}"),
        serde_json::json!({"name": "Ngozi Okafor", "version": 1, "reason": "Old form"}),
    )
    .await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    let history: Value = client
        .get(app.url(&format!(
            "/api/v1/families/{family}/people/{ngozi_id}/history"
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(history[0]["version"], 1);
    assert_eq!(history[0]["reason"], "Phone number given");

    let restricted = post(
        format!("/api/v1/families/{family}/people/{ngozi_id}/restrictions"),
        with_review(serde_json::json!({"kind": "do_not_contact", "decided_by": "Amara, at her request", "reason": "Amara has asked that her mother is not contacted"})),
    )
    .await;
    assert_eq!(restricted.status(), StatusCode::CREATED);
    let svg = client
        .get(app.url(&format!("/api/v1/families/{family}/ecomap.svg")))
        .send()
        .await
        .unwrap();
    assert_eq!(svg.status(), StatusCode::OK);
    assert!(svg.text().await.unwrap().contains("DO NOT CONTACT"));

    let already = post(
        format!("/api/v1/families/{family}/babies/{baby}/birth"),
        serde_json::json!({"born_day": "1", "born_month": "1", "born_year": "2026"}),
    )
    .await;
    assert_eq!(
        already.status(),
        StatusCode::CONFLICT,
        "a recorded birth is not recorded twice"
    );
    app.database.cleanup().await;
});

on_both_backends!(
    what_one_family_member_shares_in_confidence_stays_out_of_anothers_printout,
    |backend| async move {
        let app = app(backend).await;
        let client = app.signed_in("clinician").await;
        let csrf = app.csrf_token(&client).await;
        let family = family_of(&app, &client, "Amara Okafor").await;
        let record: Value = get_json(&app, &client, &format!("/api/v1/families/{family}")).await;
        let tunde = record["people"][0]["id"].as_str().unwrap().to_string();
        let secret = "Tunde finds the crying hard at night and has not told Amara yet";
        let entries = [
            (tunde.as_str(), secret, "yes"),
            (tunde.as_str(), "Tunde enjoys bath time with Ada", ""),
            ("", "Family visit: Ada settled well in her cot", ""),
            ("mother", "Amara would like more sleep support", ""),
        ];
        for (about, text, confidence) in entries {
            let added = client
                .post(app.url(&format!("/families/{family}/entries")))
                .form(&[
                    ("csrf_token", csrf.as_str()),
                    ("about", about),
                    ("text", text),
                    ("in_confidence", confidence),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(added.status(), StatusCode::SEE_OTHER, "{text}");
        }
        let unnamed = client
            .post(app.url(&format!("/families/{family}/entries")))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("about", ""),
                ("text", "Kept in confidence by whom?"),
                ("in_confidence", "yes"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(unnamed.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            unnamed
                .text()
                .await
                .unwrap()
                .contains("Kept in confidence by whom?"),
            "the typed entry is kept"
        );

        let page = get_text(&app, &client, &format!("/families/{family}")).await;
        assert!(
            page.contains("Shared in confidence by Tunde Okafor") && page.contains(secret),
            "staff see it, marked"
        );

        let for_tunde = get_text(
            &app,
            &client,
            &format!("/families/{family}/printout/{tunde}"),
        )
        .await;
        assert!(
            for_tunde.contains(secret)
                && for_tunde.contains("bath time")
                && for_tunde.contains("settled well")
        );
        assert!(
            !for_tunde.contains("more sleep support"),
            "an entry about Amara is not in Tunde's printout"
        );

        let for_amara = client
            .get(app.url(&format!("/families/{family}/printout/mother")))
            .send()
            .await
            .unwrap();
        assert_eq!(for_amara.status(), StatusCode::OK);
        let for_amara = for_amara.text().await.unwrap();
        assert!(
            !for_amara.contains(secret),
            "Tunde's confidence never reaches Amara's printout"
        );
        assert!(!for_amara.contains("bath time"));
        assert!(for_amara.contains("settled well") && for_amara.contains("more sleep support"));

        // Nobody marked do not involve is given a printout.
        let bennett = family_of(&app, &client, "Laura Bennett").await;
        let bennett_record: Value =
            get_json(&app, &client, &format!("/api/v1/families/{bennett}")).await;
        let darren = person_id(&bennett_record, "Darren Hughes");
        let refused = client
            .get(app.url(&format!("/families/{bennett}/printout/{darren}")))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::CONFLICT);
        let bennett_page = get_text(&app, &client, &format!("/families/{bennett}")).await;
        assert!(
            !bennett_page.contains(&format!("/printout/{darren}")),
            "no printout is offered for him"
        );

        let printouts = audit_actions(&app)
            .await
            .into_iter()
            .filter(|r| r.1 == "record.printout")
            .count();
        assert_eq!(printouts, 2, "each printout is audited as an export");
        app.database.cleanup().await;
    }
);

on_both_backends!(
    a_summary_for_a_session_together_holds_only_what_everyone_there_may_be_given,
    |backend| async move {
        let app = app(backend).await;
        let client = app.signed_in("clinician").await;
        let token = app.csrf_token(&client).await;
        let family = family_of(&app, &client, "Amara Okafor").await;
        let get = |path: String| {
            let client = client.clone();
            let url = app.url(&path);
            async move { client.get(url).send().await.unwrap() }
        };
        let post = |path: String, fields: Vec<(&'static str, String)>| {
            let client = client.clone();
            let url = app.url(&path);
            let mut fields = fields;
            fields.push(("csrf_token", token.clone()));
            async move { client.post(url).form(&fields).send().await.unwrap() }
        };
        let grace = add_person(&app, &client, &token, &family, "Grace Adebayo").await;
        let record: Value = get(format!("/api/v1/families/{family}"))
            .await
            .json()
            .await
            .unwrap();
        let tunde = record["people"][0]["id"].as_str().unwrap().to_string();

        // The timeline: one entry for everyone, the rest about or confided by one person.
        let for_everyone = "Ada settled well after the family visit";
        let tundes_confidence = "Tunde has not told Amara how low he has felt";
        let amaras_confidence = "Amara worries Tunde resents the night feeds";
        let about_tunde = "Tunde is back at work on Monday";
        let about_grace = "Grace is staying for the first month";
        for (about, text, confidence) in [
            ("", for_everyone, ""),
            (tunde.as_str(), tundes_confidence, "yes"),
            ("mother", amaras_confidence, "yes"),
            (tunde.as_str(), about_tunde, ""),
            (grace.as_str(), about_grace, ""),
        ] {
            let added = post(
                format!("/families/{family}/entries"),
                vec![
                    ("about", about.to_string()),
                    ("text", text.to_string()),
                    ("in_confidence", confidence.to_string()),
                ],
            )
            .await;
            assert_eq!(added.status(), StatusCode::SEE_OTHER, "{text}");
        }

        // A care plan with a goal for the couple, one for Grace, one for Tunde alone and one
        // for the whole family.
        let (d, m, y) =
            date_fields(time::OffsetDateTime::now_utc().date() - time::Duration::days(3));
        let created = post(
            format!("/families/{family}/plans"),
            vec![
                ("kind", "family".into()),
                ("focus", "postnatal".into()),
                ("agreed_day", d.clone()),
                ("agreed_month", m.clone()),
                ("agreed_year", y.clone()),
            ],
        )
        .await;
        assert_eq!(created.status(), StatusCode::SEE_OTHER);
        let plan = location(&created).rsplit('/').next().unwrap().to_string();
        let couples_goal = "Share the night feeds";
        let graces_goal = "Feel confident settling Ada";
        let tundes_goal = "Talk to someone about how I feel";
        let familys_goal = "Enjoy a calm bath time together";
        let agreed = (d.clone(), m.clone(), y.clone());
        for (who, words, by) in [
            (vec!["mother", tunde.as_str()], couples_goal, "mother"),
            (vec![grace.as_str()], graces_goal, grace.as_str()),
            (vec![tunde.as_str()], tundes_goal, tunde.as_str()),
            (vec!["family"], familys_goal, "mother"),
        ] {
            let fields = goal_fields(&who, words, "3", by, &agreed);
            let saved = post(format!("/families/{family}/plans/{plan}/goals"), fields).await;
            assert_eq!(saved.status(), StatusCode::SEE_OTHER, "{words}");
        }

        // The family page points to the summary; the form offers everyone who may be given
        // information.
        let page = get(format!("/families/{family}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains(&format!("/families/{family}/together\"")));
        let form = get(format!("/families/{family}/together")).await;
        assert_eq!(form.status(), StatusCode::OK);
        let form = form.text().await.unwrap();
        for code in ["mother", tunde.as_str(), grace.as_str()] {
            assert!(
                form.contains(&format!("value=\"{code}\"")),
                "{code} offered"
            );
        }

        // Nobody ticked: the form again, with the problem.
        let nobody = get(format!("/families/{family}/together/summary")).await;
        assert_eq!(nobody.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let nobody = nobody.text().await.unwrap();
        assert!(nobody.contains("There is a problem"));
        assert!(nobody.contains("Select everyone who is in the session"));

        let summary = |present: Vec<&str>| {
            let query = present
                .iter()
                .map(|p| format!("present={p}"))
                .collect::<Vec<_>>()
                .join("&");
            get(format!("/families/{family}/together/summary?{query}"))
        };

        // Amara and Tunde together: the family's entry, the couple's goal and the family's;
        // neither confidence, nothing about one of them, nobody's own goal.
        let couple = summary(vec!["mother", tunde.as_str()]).await;
        assert_eq!(couple.status(), StatusCode::OK);
        let couple = couple.text().await.unwrap();
        assert!(couple.contains("For Amara Okafor and Tunde Okafor"));
        assert!(couple.contains(for_everyone));
        assert!(couple.contains(couples_goal) && couple.contains(familys_goal));
        for absent in [
            tundes_confidence,
            amaras_confidence,
            about_tunde,
            about_grace,
            graces_goal,
            tundes_goal,
        ] {
            assert!(!couple.contains(absent), "{absent} shown to the couple");
        }

        // With Grace in the room too, the couple's goal is theirs, not hers.
        let three = summary(vec!["mother", tunde.as_str(), grace.as_str()])
            .await
            .text()
            .await
            .unwrap();
        assert!(three.contains("For Amara Okafor, Tunde Okafor and Grace Adebayo"));
        assert!(three.contains(familys_goal) && three.contains(for_everyone));
        for absent in [couples_goal, graces_goal, tundes_goal, about_grace] {
            assert!(!three.contains(absent), "{absent} shown with Grace there");
        }

        // Tunde's own printout carries his own goal, the couple's and the family's, and what
        // he shared, but nothing of Amara's or Grace's.
        let his = get(format!("/families/{family}/printout/{tunde}"))
            .await
            .text()
            .await
            .unwrap();
        for shown in [tundes_goal, couples_goal, familys_goal, tundes_confidence] {
            assert!(his.contains(shown), "{shown} missing from his printout");
        }
        for absent in [graces_goal, amaras_confidence, about_grace] {
            assert!(!his.contains(absent), "{absent} in his printout");
        }

        // Someone not in the family is not found; nobody marked do not involve is offered or
        // given anything, even in company.
        let stranger = summary(vec!["mother", "0192c0de-0000-7000-8000-000000000000"]).await;
        assert_eq!(stranger.status(), StatusCode::NOT_FOUND);
        let bennett = family_of(&app, &client, "Laura Bennett").await;
        let bennett_record: Value = get(format!("/api/v1/families/{bennett}"))
            .await
            .json()
            .await
            .unwrap();
        let darren = person_id(&bennett_record, "Darren Hughes");
        let bennett_form = get(format!("/families/{bennett}/together"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            !bennett_form.contains(&darren) && !bennett_form.contains("Darren Hughes"),
            "he is neither offered nor named where the family may see the screen"
        );
        let refused = get(format!(
            "/families/{bennett}/together/summary?present=mother&present={darren}"
        ))
        .await;
        assert_eq!(refused.status(), StatusCode::CONFLICT);
        assert!(refused
            .text()
            .await
            .unwrap()
            .contains("someone selected may not be given information"));

        // Each summary made is audited as an export, naming who it was for.
        let details: Vec<String> = audit_records(&app)
            .await
            .into_iter()
            .filter(|r| r.action == "record.printout")
            .map(|r| r.detail)
            .collect();
        assert_eq!(
            details,
            vec![
                format!("summary for a session together for mother, {tunde} (1 entries, 2 goals, 0 moments)"),
                format!("summary for a session together for mother, {tunde}, {grace} (1 entries, 1 goals, 0 moments)"),
                format!("printout for {tunde} (3 entries, 3 goals, 0 moments)"),
            ]
        );
        app.database.cleanup().await;
    }
);

on_both_backends!(
    relationships_end_and_child_protection_changes_without_losing_history,
    |backend| async move {
        let app = app(backend).await;
        let client = app.signed_in("clinician").await;
        let csrf = app.csrf_token(&client).await;
        let family = family_of(&app, &client, "Hannah Lewis").await;
        let record: Value = get_json(&app, &client, &format!("/api/v1/families/{family}")).await;
        let relationship = record["relationships"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let end_path = format!("/families/{family}/relationships/{relationship}/end");
        let form = get_text(&app, &client, &end_path).await;
        assert!(form.contains("Owen Price: Father"));
        let today = app.app.today();
        let missing_reason = client
            .post(app.url(&end_path))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("ended_day", &today.day().to_string()),
                ("ended_month", &u8::from(today.month()).to_string()),
                ("ended_year", &today.year().to_string()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(missing_reason.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(missing_reason
            .text()
            .await
            .unwrap()
            .contains("Enter the reason for the change"));
        let ended = client
            .post(app.url(&end_path))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("ended_day", &today.day().to_string()),
                ("ended_month", &u8::from(today.month()).to_string()),
                ("ended_year", &today.year().to_string()),
                ("reason", "Owen has moved away and no longer sees Ruby"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(ended.status(), StatusCode::SEE_OTHER);
        let page = get_text(&app, &client, &format!("/families/{family}")).await;
        assert!(
            page.contains("(ended)") && page.contains("Owen has moved away"),
            "the relationship stays, marked ended"
        );
        assert!(
            page.contains("Owen Price: no current relationship recorded"),
            "the ecomap no longer draws it"
        );

        let cp_path = format!("/families/{family}/child-protection");
        let form = get_text(&app, &client, &cp_path).await;
        let version = hidden_field(&form, "version").unwrap();
        let no_reason = client
            .post(app.url(&cp_path))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("version", version.as_str()),
                ("status", "child_protection_plan"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(no_reason.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let saved = client
            .post(app.url(&cp_path))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("version", version.as_str()),
                ("status", "child_protection_plan"),
                ("reason", "Initial child protection conference"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let page = get_text(&app, &client, &format!("/families/{family}")).await;
        assert!(page.contains("Child protection plan"));
        let stale = client
            .post(app.url(&cp_path))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("version", version.as_str()),
                ("status", "none"),
                ("reason", "From an old form"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(stale.status(), StatusCode::CONFLICT);

        // The earlier versions stay viewable: the relationship before it ended, and the
        // family's child protection status before the plan.
        let page = get_text(&app, &client, &format!("/families/{family}")).await;
        let relationship_history =
            format!("/families/{family}/history/relationship/{relationship}");
        assert!(
            page.contains(&relationship_history),
            "the ended relationship links to its history"
        );
        let earlier = get_text(&app, &client, &relationship_history).await;
        assert!(earlier.contains("Version 1, replaced"), "{earlier}");
        assert!(
            earlier.contains("Owen has moved away and no longer sees Ruby"),
            "the reason is kept"
        );
        assert!(earlier.contains("<dt class=\"nhsuk-summary-list__key\">Ended</dt>\n        <dd class=\"nhsuk-summary-list__value\">Not recorded</dd>"), "{earlier}");
        let family_history = format!("/families/{family}/history/family/{family}");
        assert!(page.contains(&family_history));
        let earlier = get_text(&app, &client, &family_history).await;
        assert!(
            earlier.contains("Initial child protection conference")
                && earlier.contains(">None recorded<")
        );
        let as_json: Value =
            get_json(&app, &client, &format!("/api/v1{relationship_history}")).await;
        assert_eq!(as_json[0]["version"], 1);
        assert_eq!(as_json[0]["details"]["ended_on"], Value::Null);
        // A record of another family, or an unknown kind, is not found here.
        let other = first_family(&app, "clinician").await;
        let elsewhere = client
            .get(app.url(&format!(
                "/families/{other}/history/relationship/{relationship}"
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(elsewhere.status(), StatusCode::NOT_FOUND);
        let unknown = client
            .get(app.url(&format!(
                "/families/{family}/history/nonsense/{relationship}"
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
        let actions: Vec<String> = audit_actions(&app).await.into_iter().map(|r| r.1).collect();
        assert!(
            actions.contains(&"relationship.amend".to_string())
                && actions.contains(&"family.child_protection".to_string())
                && actions.contains(&"record.history_read".to_string())
        );
        app.database.cleanup().await;
    }
);

on_both_backends!(
    the_caseload_shows_my_families_team_families_and_safety_marks,
    |backend| async move {
        let app = app(backend).await;
        let clinician = app.signed_in("clinician").await;
        let mine = get_text(&app, &clinician, "/families?mine=1").await;
        assert!(
            mine.contains("My families")
                && mine.contains(&format!("{} in all", community_families()))
        );
        let team = get_text(&app, &clinician, "/families").await;
        assert!(
            team.contains(
                "Darren Hughes <strong class=\"nhsuk-tag nhsuk-tag--red\">Do not involve</strong>"
            ),
            "the mark shows in the list too"
        );
        assert!(team.contains("Tunde Okafor"), "who is involved is listed");
        assert!(
            team.contains("(corrected age"),
            "corrected ages show in the caseload"
        );

        let nurse = app.signed_in("nursery.nurse").await;
        let nurse_mine: Value = get_json(&app, &nurse, "/api/v1/families?mine=1").await;
        assert_eq!(
            nurse_mine["total"], 0,
            "the nursery nurse is key worker for none of them yet"
        );
        let nurse_team: Value = get_json(&app, &nurse, "/api/v1/families").await;
        assert_eq!(nurse_team["total"], community_families());
        let by_nhs: Value = nurse
            .get(app.url(&format!(
                "/api/v1/families?q={}",
                cradle_app::demo::test_nhs_number(9)
            )))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(by_nhs["families"][0]["mother_name"], "Laura Bennett");
        app.database.cleanup().await;
    }
);

/// The mothers' names in the caseload table of a page, in order.
fn caseload_mothers(page: &str) -> Vec<String> {
    page.split("<tr class=\"nhsuk-table__row\">")
        .skip(2)
        .filter_map(|row| {
            let cells: Vec<&str> = row.split("<td class=\"nhsuk-table__cell\">").collect();
            cells
                .get(3)
                .map(|cell| cell.split("</td>").next().unwrap_or("").to_string())
        })
        .collect()
}

fn pagination_link(page: &str, class: &str) -> Option<String> {
    let at = page.find(&format!("nhsuk-pagination__link {class}\" href=\""))?;
    let start = page[at..].find("href=\"")? + at + 6;
    let end = page[start..].find('"')? + start;
    Some(page[start..end].replace("&#38;", "&").replace("&amp;", "&"))
}

on_both_backends!(
    the_caseload_pages_forwards_and_back_and_finds_families_by_postcode,
    |backend| async move {
        let app = app(backend).await;
        let team = app
            .demo
            .teams
            .iter()
            .find(|t| t.name == COMMUNITY_TEAM)
            .unwrap()
            .id;
        let clinician_staff = app
            .demo
            .staff
            .iter()
            .find(|s| s.username == "clinician")
            .unwrap()
            .clone();
        cradle_app::demo::synthetic_caseload(&app.app, team, &clinician_staff, 40, 20)
            .await
            .unwrap();
        let total = community_families() + 40;
        let clinician = app.signed_in("clinician").await;
        let get = |path: String| {
            let clinician = clinician.clone();
            let url = app.url(&path);
            async move {
                let response = clinician.get(url).send().await.unwrap();
                assert_eq!(response.status(), StatusCode::OK, "{path}");
                response.text().await.unwrap()
            }
        };

        // Forwards with "Next" to the end: every family once, in the mother's name order.
        let mut page = get("/families".to_string()).await;
        assert!(page.contains(&format!("{total} in all")));
        assert!(pagination_link(&page, "nhsuk-pagination__link--prev").is_none());
        let mut pages = vec![caseload_mothers(&page)];
        while let Some(next) = pagination_link(&page, "nhsuk-pagination__link--next") {
            assert!(pages.len() < 10, "the pages must come to an end");
            page = get(next).await;
            pages.push(caseload_mothers(&page));
        }
        assert_eq!(pages.len(), total.div_ceil(25));
        assert!(
            page.contains(&format!("Page {}", pages.len() - 1)),
            "the last page links back to the one before"
        );
        let seen: Vec<String> = pages.concat();
        assert_eq!(seen.len(), total, "every family appears once");
        let mut sorted = seen.clone();
        sorted.sort_by_key(|name| name.to_lowercase());
        assert_eq!(
            seen.iter().map(|n| n.to_lowercase()).collect::<Vec<_>>(),
            sorted.iter().map(|n| n.to_lowercase()).collect::<Vec<_>>()
        );

        // And back with "Previous": the same pages.
        let previous = pagination_link(&page, "nhsuk-pagination__link--prev").unwrap();
        let back = get(previous).await;
        assert_eq!(caseload_mothers(&back), pages[pages.len() - 2]);

        // A full postcode finds the family: the mother's, typed any way, or a partner's.
        let token = app.csrf_token(&clinician).await;
        let created: Value = clinician
            .post(app.url("/api/v1/families"))
            .header("X-CSRF-Token", &token)
            .json(&serde_json::json!({
                "team_id": team.to_string(),
                "mother_name": "Maryam Siddiqui",
                "mother_date_of_birth": "1996-04-12",
                "mother_postcode": "ls1 4ap",
                "stage": "antenatal",
                "due_date": "2027-03-01"
            }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(created["mother_postcode"], "LS1 4AP");
        assert_eq!(created["mother_date_of_birth"], "1996-04-12");
        let found = get("/families?q=LS14AP".to_string()).await;
        assert_eq!(caseload_mothers(&found), ["Maryam Siddiqui"]);
        assert!(found.contains("1 family matches"));
        let family = created["id"].as_str().unwrap();
        let record = get(format!("/families/{family}")).await;
        assert!(record.contains("12 April 1996 (") && record.contains("LS1 4AP"));

        // A mother born after her baby is refused with a clear message, and nothing is saved.
        let refused = clinician
            .post(app.url("/api/v1/families"))
            .header("X-CSRF-Token", &token)
            .json(&serde_json::json!({
                "team_id": team.to_string(),
                "mother_name": "Order Check",
                "mother_date_of_birth": "2026-11-20",
                "stage": "postnatal",
                "baby_date_of_birth": "2026-11-01"
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = refused.json().await.unwrap();
        assert!(
            problem
                .to_string()
                .contains("Mother's date of birth is after the baby's date of birth"),
            "{problem}"
        );
        assert!(get("/families?q=order".to_string())
            .await
            .contains("No families found"));
        app.database.cleanup().await;
    }
);

on_both_backends!(
    a_grandparent_of_two_babies_has_one_record_and_namesakes_are_questioned,
    |backend| async move {
        let app = app(backend).await;
        let clinician = app.signed_in("clinician").await;
        let token = app.csrf_token(&clinician).await;
        let post = |path: String, body: Value| {
            let clinician = clinician.clone();
            let token = token.clone();
            let url = app.url(&path);
            async move {
                clinician
                    .post(url)
                    .header("X-CSRF-Token", token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
            }
        };
        let first = family_of(&app, &clinician, "Amara Okafor").await;
        let second = family_of(&app, &clinician, "Sofia Marques").await;
        let added = post(
            format!("/api/v1/families/{first}/people"),
            serde_json::json!({"name": "Patience Mensah", "phone": "07700 900456"}),
        )
        .await;
        assert_eq!(added.status(), StatusCode::CREATED);
        let patience: Value = added.json().await.unwrap();
        let patience_id = patience["id"].as_str().unwrap().to_string();
        let restricted = post(
            format!("/api/v1/families/{first}/people/{patience_id}/restrictions"),
            with_review(serde_json::json!({"kind": "do_not_contact", "decided_by": "Safeguarding lead", "reason": "Court order"})),
        )
        .await;
        assert_eq!(restricted.status(), StatusCode::CREATED);

        // Typing her in again as someone new, in another family, is questioned…
        let namesake = post(
            format!("/api/v1/families/{second}/people"),
            serde_json::json!({"name": "patience mensah"}),
        )
        .await;
        assert_eq!(namesake.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem = namesake.text().await.unwrap();
        assert!(
            problem.contains("already known to your team, in the family of Amara Okafor"),
            "{problem}"
        );
        // …and the page keeps what was typed and asks the question.
        let page = clinician
            .post(app.url(&format!("/families/{second}/people")))
            .form(&[
                ("csrf_token", token.as_str()),
                ("name", "Patience Mensah"),
                ("phone", "07700 900999"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = page.text().await.unwrap();
        assert!(page.contains("This is a different person") && page.contains("07700 900999"));

        // Found by the start of her name, with the safety decision from the other family.
        let found = get_text(
            &app,
            &clinician,
            &format!("/families/{second}/people/known?q=Pat"),
        )
        .await;
        assert!(
            found.contains("Already in the family of Amara Okafor"),
            "{found}"
        );
        assert!(found.contains("Do not contact: in the family of Amara Okafor (Court order)"));
        assert!(found.contains("Add Patience Mensah to this family"));
        let too_short = clinician
            .get(app.url(&format!("/families/{second}/people/known?q=P")))
            .send()
            .await
            .unwrap();
        assert_eq!(too_short.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(too_short
            .text()
            .await
            .unwrap()
            .contains("Enter at least the first 2 letters"));

        // Linked, not copied: one record in two families.
        let linked = clinician
            .post(app.url(&format!("/families/{second}/people/link")))
            .form(&[
                ("csrf_token", token.as_str()),
                ("person_id", patience_id.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(linked.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&linked), format!("/families/{second}"));
        let again = post(
            format!("/api/v1/families/{second}/people/link"),
            serde_json::json!({"person_id": patience_id}),
        )
        .await;
        assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again
            .text()
            .await
            .unwrap()
            .contains("already in this family"));
        let amended = post(
            format!("/api/v1/families/{second}/people/{patience_id}"),
            serde_json::json!({"name": "Patience Mensah", "phone": "07700 900111", "version": 1, "reason": "New phone number"}),
        )
        .await;
        assert_eq!(amended.status(), StatusCode::OK);
        let first_record: Value =
            get_json(&app, &clinician, &format!("/api/v1/families/{first}")).await;
        let in_first = first_record["people"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == patience_id.as_str())
            .unwrap();
        assert_eq!(
            in_first["phone"], "07700 900111",
            "the change is seen in both families"
        );

        // Someone known only to another team's families cannot be linked.
        let mbu = app.signed_in("mbu.clinician").await;
        let mbu_token = app.csrf_token(&mbu).await;
        let mbu_family = first_family(&app, "mbu.clinician").await;
        let refused = mbu
            .post(app.url(&format!("/api/v1/families/{mbu_family}/people/link")))
            .header("X-CSRF-Token", mbu_token)
            .json(&serde_json::json!({"person_id": patience_id}))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused
            .text()
            .await
            .unwrap()
            .contains("not in any of your team's families"));
        let searched: Value = mbu
            .get(app.url(&format!(
                "/api/v1/families/{mbu_family}/known-people?q=patience"
            )))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            searched["people"],
            serde_json::json!([]),
            "another team's people are not found"
        );

        // A namesake confirmed as a different person is a new person with a record of their own.
        let third = family_of(&app, &clinician, "Jess Whitfield").await;
        let confirmed = post(
            format!("/api/v1/families/{third}/people"),
            serde_json::json!({"name": "Patience Mensah", "different_person": "yes"}),
        )
        .await;
        assert_eq!(confirmed.status(), StatusCode::CREATED);
        let other_patience: Value = confirmed.json().await.unwrap();
        assert_ne!(other_patience["id"], patience["id"]);
        let audit = audit_actions(&app).await;
        assert!(audit.iter().any(|(_, action, _)| action == "people.search"));
        assert!(audit.iter().any(|(_, action, _)| action == "person.link"));
        app.database.cleanup().await;
    }
);

on_both_backends!(
    a_relationship_conversation_with_a_father_and_grandmother_is_saved_part_done_and_finished,
    |backend| async move {
        let app = app(backend).await;
        let clinician = app.signed_in("clinician").await;
        let token = app.csrf_token(&clinician).await;
        let family = family_of(&app, &clinician, "Amara Okafor").await;
        let record: Value = get_json(&app, &clinician, &format!("/api/v1/families/{family}")).await;
        let tunde = person_id(&record, "Tunde Okafor");
        let grace = add_person(&app, &clinician, &token, &family, "Grace Adebayo").await;
        let (day, month, year) = date_fields(time::OffsetDateTime::now_utc().date());
        let form = |extra: &[(&str, &str)]| {
            let mut fields: Vec<(String, String)> = vec![
                ("csrf_token".into(), token.clone()),
                ("held_day".into(), day.clone()),
                ("held_month".into(), month.clone()),
                ("held_year".into(), year.clone()),
                ("participants".into(), tunde.clone()),
                ("participants".into(), grace.clone()),
            ];
            fields.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
            fields
        };

        // Two people and no "together or apart": asked, and what was typed is kept.
        let missing = clinician
            .post(app.url(&format!("/families/{family}/conversations")))
            .form(&form(&[
                ("relationship", "Tunde calls her his little drummer"),
                ("finish", "no"),
            ]))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = missing.text().await.unwrap();
        assert!(page.contains("Select whether they were seen together or separately"));
        assert!(page.contains("Tunde calls her his little drummer"));

        // Saved part-done.
        let saved = clinician
            .post(app.url(&format!("/families/{family}/conversations")))
            .form(&form(&[
                ("seen", "together"),
                ("relationship", "Tunde calls her his little drummer"),
                (
                    "coping",
                    "Grace takes the baby for a walk when Tunde has had no sleep",
                ),
                ("finish", "no"),
            ]))
            .send()
            .await
            .unwrap();
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let page = get_text(&app, &clinician, &format!("/families/{family}")).await;
        assert!(page.contains("Not finished"), "{page}");
        assert!(page.contains("Tunde Okafor and Grace Adebayo (seen together), 2 sections written"));
        let record: Value = get_json(&app, &clinician, &format!("/api/v1/families/{family}")).await;
        let conversation = record["conversations"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(record["conversations"][0]["status"], "draft");

        // Carried on and finished later; the part-done version is kept.
        let path = format!("/families/{family}/conversations/{conversation}");
        let opened = get_text(&app, &clinician, &path).await;
        assert!(opened.contains("Grace takes the baby for a walk"));
        let finished = clinician
            .post(app.url(&path))
            .form(&form(&[
                ("version", "1"),
                ("seen", "together"),
                ("relationship", "Tunde calls her his little drummer"),
                (
                    "coping",
                    "Grace takes the baby for a walk when Tunde has had no sleep",
                ),
                (
                    "formulation",
                    "A warm, playful bond; tiredness is the strain, and Grace is a real support",
                ),
                ("finish", "yes"),
            ]))
            .send()
            .await
            .unwrap();
        assert_eq!(finished.status(), StatusCode::SEE_OTHER);
        let page = get_text(&app, &clinician, &format!("/families/{family}")).await;
        assert!(page.contains("Finished") && page.contains("3 sections written"));
        // What was said is readable on the family page, under the prompt it answers, with
        // the clinician's formulation; the part-done version is one click away.
        let said = page
            .split("data-testid=\"conversation-content\"")
            .nth(1)
            .and_then(|rest| rest.split("</details>").next())
            .unwrap_or_default();
        assert!(
            said.contains("Their relationship with the baby, in their words")
                && said.contains("Tunde calls her his little drummer")
                && said.contains("Clinician's formulation")
                && said.contains("A warm, playful bond"),
            "{said}"
        );
        assert!(page.contains(&format!(
            "/families/{family}/history/conversation/{conversation}"
        )));

        // A finished conversation changes only with a reason, and keeps every version.
        let no_reason = clinician
            .post(app.url(&path))
            .form(&form(&[
                ("version", "2"),
                ("seen", "together"),
                ("finish", "yes"),
                ("formulation", "Changed"),
            ]))
            .send()
            .await
            .unwrap();
        assert_eq!(no_reason.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(no_reason
            .text()
            .await
            .unwrap()
            .contains("Enter the reason for changing a finished conversation"));
        let history = clinician
            .get(app.url(&format!(
                "/families/{family}/history/conversation/{conversation}"
            )))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            history.contains("Version 1, replaced") && history.contains("Not finished"),
            "{history}"
        );

        // Saving from an out-of-date copy is refused and nothing is saved.
        let stale = clinician
            .post(app.url(&format!("/api/v1{path}")))
            .header("X-CSRF-Token", &token)
            .json(&serde_json::json!({
                "participants": [tunde], "held_day": day, "held_month": month, "held_year": year,
                "formulation": "From an old tab", "finish": "yes", "version": 1, "reason": "Old tab"
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(stale.status(), StatusCode::CONFLICT);

        // Someone marked "do not involve" is not offered and cannot be recorded as taking part.
        let restricted = clinician
            .post(app.url(&format!("/api/v1/families/{family}/people/{grace}/restrictions")))
            .header("X-CSRF-Token", &token)
            .json(&with_review(serde_json::json!({"kind": "do_not_involve", "decided_by": "Safeguarding lead", "reason": "Court order"})))
            .send()
            .await
            .unwrap();
        assert_eq!(restricted.status(), StatusCode::CREATED);
        let offered = get_text(
            &app,
            &clinician,
            &format!("/families/{family}/conversations/new"),
        )
        .await;
        assert!(offered.contains("Tunde Okafor") && !offered.contains("Grace Adebayo"));
        let refused = clinician
            .post(app.url(&format!("/api/v1/families/{family}/conversations")))
            .header("X-CSRF-Token", &token)
            .json(&serde_json::json!({
                "participants": [grace], "held_day": day, "held_month": month, "held_year": year,
                "relationship": "x"
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused
            .text()
            .await
            .unwrap()
            .contains("is marked “do not involve”"));
        let actions: Vec<String> = audit_actions(&app).await.into_iter().map(|r| r.1).collect();
        assert!(actions.contains(&"conversation.record".to_string()));
        assert_eq!(
            actions.iter().filter(|a| *a == "conversation.save").count(),
            1
        );
        app.database.cleanup().await;
    }
);

on_both_backends!(
    a_coping_concern_flags_the_family_and_caseload_until_closed_after_action,
    |backend| async move {
        let app = app(backend).await;
        let clinician = app.signed_in("clinician").await;
        let token = app.csrf_token(&clinician).await;
        let family = family_of(&app, &clinician, "Amara Okafor").await;
        let get = |path: String| {
            let clinician = clinician.clone();
            let url = app.url(&path);
            async move {
                clinician
                    .get(url)
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap()
            }
        };
        let post = |path: String, fields: Vec<(&'static str, String)>| {
            let clinician = clinician.clone();
            let url = app.url(&path);
            let mut fields = fields;
            fields.push(("csrf_token", token.clone()));
            async move { clinician.post(url).form(&fields).send().await.unwrap() }
        };
        let today = time::OffsetDateTime::now_utc().date();
        let held = vec![
            ("held_day", today.day().to_string()),
            ("held_month", u8::from(today.month()).to_string()),
            ("held_year", today.year().to_string()),
            ("participants", "mother".to_string()),
            ("coping", "When the crying goes on at night she shouts, then puts the baby down and walks out".to_string()),
            ("finish", "yes".to_string()),
        ];
        assert_eq!(
            post(format!("/families/{family}/conversations"), held)
                .await
                .status(),
            StatusCode::SEE_OTHER
        );
        let page = get(format!("/families/{family}")).await;
        let mark = link_after(
            &page,
            &format!("/families/{family}/concerns/new?conversation="),
        );
        let form = get(mark.replace("&amp;", "&")).await;
        assert!(
            form.contains("When the crying goes on at night she shouts"),
            "the coping answer is brought in"
        );

        // Nothing chosen: every problem at once.
        let empty = post(format!("/families/{family}/concerns"), vec![]).await;
        assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let empty = empty.text().await.unwrap();
        assert!(
            empty.contains("Select who the concern is about")
                && empty.contains("Select what the concern is about")
        );

        let raised = post(
            format!("/families/{family}/concerns"),
            vec![
                ("about", "mother".to_string()),
                ("kinds", "crying".to_string()),
                ("kinds", "anger".to_string()),
                (
                    "description",
                    "Shouts and walks out when the crying goes on at night".to_string(),
                ),
            ],
        )
        .await;
        assert_eq!(raised.status(), StatusCode::SEE_OTHER);
        let page = get(format!("/families/{family}")).await;
        assert!(page.contains("Coping concern") && page.contains("No action recorded yet"));
        assert!(
            !page.contains("Close the concern"),
            "no closing before an action is recorded"
        );
        let caseload = get("/families?q=amara".to_string()).await;
        assert!(
            caseload.contains("data-testid=\"concern-flag\""),
            "the caseload shows the flag"
        );

        let record: Value = get_json(&app, &clinician, &format!("/api/v1/families/{family}")).await;
        let concern = record["concerns"][0]["id"].as_str().unwrap().to_string();
        let corrected = clinician
            .post(app.url(&format!("/api/v1/families/{family}/concerns/{concern}")))
            .header("X-CSRF-Token", &token)
            .json(&serde_json::json!({
                "about": "mother", "kinds": ["crying", "exhaustion"],
                "description": "Shouts and walks out when the crying goes on at night, after no sleep",
                "version": 1, "reason": "Exhaustion is part of it"
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(corrected.status(), StatusCode::OK);
        let history = get(format!("/families/{family}/history/concern/{concern}")).await;
        assert!(
            history.contains("Exhaustion is part of it") && history.contains("Anger"),
            "{history}"
        );
        // And from the page: the form holds the concern as it now reads; a correction
        // without a reason is refused with the typed wording kept.
        let form = get(format!("/families/{family}/concerns/{concern}")).await;
        assert!(form.contains("Correct what the concern says") && form.contains("after no sleep"));
        assert_eq!(hidden_field(&form, "version").as_deref(), Some("2"));
        let wording =
            "Shouts and walks out when the crying goes on at night, after no sleep; his words";
        let correction = |reason: &str| {
            vec![
                ("about", "mother".to_string()),
                ("kinds", "crying".to_string()),
                ("kinds", "exhaustion".to_string()),
                ("description", wording.to_string()),
                ("version", "2".to_string()),
                ("reason", reason.to_string()),
            ]
        };
        let no_reason = post(
            format!("/families/{family}/concerns/{concern}"),
            correction(""),
        )
        .await;
        assert_eq!(no_reason.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let no_reason = no_reason.text().await.unwrap();
        assert!(no_reason.contains("his words") && no_reason.contains("nhsuk-error-summary"));
        let saved = post(
            format!("/families/{family}/concerns/{concern}"),
            correction("Quoted as he said it"),
        )
        .await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let page = get(format!("/families/{family}")).await;
        assert!(page.contains("his words"));
        assert!(page.contains(&format!("/families/{family}/history/concern/{concern}")));
        let stale = post(
            format!("/families/{family}/concerns/{concern}"),
            correction("From an old tab"),
        )
        .await;
        assert_eq!(
            stale.status(),
            StatusCode::CONFLICT,
            "version 2 was replaced"
        );
        let early = clinician
            .post(app.url(&format!(
                "/api/v1/families/{family}/concerns/{concern}/close"
            )))
            .header("X-CSRF-Token", &token)
            .json(&serde_json::json!({"reason": "Seems fine"}))
            .send()
            .await
            .unwrap();
        assert_eq!(early.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(early
            .text()
            .await
            .unwrap()
            .contains("Record the action taken before closing"));

        // A safeguarding referral needs its reference; the typed note is kept.
        let actions = format!("/families/{family}/concerns/{concern}/actions");
        let no_reference = post(
            actions.clone(),
            vec![
                ("action", "safeguarding_referral".to_string()),
                ("note", "Referred with Amara's agreement".to_string()),
            ],
        )
        .await;
        assert_eq!(no_reference.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let no_reference = no_reference.text().await.unwrap();
        assert!(
            no_reference.contains("Enter the safeguarding referral&#39;s reference"),
            "{no_reference}"
        );
        assert!(no_reference.contains("Referred with Amara"));
        for (action, reference) in [
            ("safety_plan", ""),
            ("safeguarding_referral", "MASH-2026-0412"),
        ] {
            let recorded = post(
                actions.clone(),
                vec![
                    ("action", action.to_string()),
                    ("reference", reference.to_string()),
                ],
            )
            .await;
            assert_eq!(recorded.status(), StatusCode::SEE_OTHER);
        }
        let page = get(format!("/families/{family}")).await;
        assert!(
            page.contains("Safety plan made with them")
                && page.contains("reference MASH-2026-0412")
        );

        let closed = post(
            format!("/families/{family}/concerns/{concern}/close"),
            vec![(
                "reason",
                "Safety plan in place; reviewed with supervisor and health visitor".to_string(),
            )],
        )
        .await;
        assert_eq!(closed.status(), StatusCode::SEE_OTHER);
        let page = get(format!("/families/{family}")).await;
        assert!(!page.contains("data-testid=\"open-concern\""));
        assert!(page.contains("Closed concerns (1)") && page.contains("Safety plan in place"));
        let caseload = get("/families?q=amara".to_string()).await;
        assert!(
            !caseload.contains("data-testid=\"concern-flag\""),
            "the flag goes when the concern is closed"
        );
        let again = post(
            format!("/families/{family}/concerns/{concern}/close"),
            vec![("reason", "Twice".to_string())],
        )
        .await;
        assert_eq!(
            again.status(),
            StatusCode::NOT_FOUND,
            "a closed concern cannot be closed again"
        );
        let audit: Vec<String> = audit_actions(&app).await.into_iter().map(|r| r.1).collect();
        for action in ["concern.raise", "concern.action", "concern.close"] {
            assert!(audit.contains(&action.to_string()), "{action} is audited");
        }
        app.database.cleanup().await;
    }
);

on_both_backends!(
    a_routine_enquiry_is_asked_alone_kept_for_staff_only_and_a_disclosure_marks_do_not_involve,
    |backend| async move {
        let app = app(backend).await;
        let clinician = app.signed_in("clinician").await;
        let token = app.csrf_token(&clinician).await;
        let family = family_of(&app, &clinician, "Amara Okafor").await;
        let record: Value = get_json(&app, &clinician, &format!("/api/v1/families/{family}")).await;
        let tunde = person_id(&record, "Tunde Okafor");
        let grace = add_person(&app, &clinician, &token, &family, "Grace Adebayo").await;
        let today = time::OffsetDateTime::now_utc().date();
        let (review_day, review_month, review_year) = date_fields(today + time::Duration::days(90));
        let secret = "She described him checking her phone and controlling money";
        let safe_contact = "Safe to call her only on Tuesdays after 3pm";
        let reason = "Disclosed coercive control";
        let fields = |seen_alone: &str| {
            vec![
                ("csrf_token", token.clone()),
                ("asked", "mother".to_string()),
                ("seen_alone", seen_alone.to_string()),
                ("asked_day", today.day().to_string()),
                ("asked_month", u8::from(today.month()).to_string()),
                ("asked_year", today.year().to_string()),
                ("outcome", "disclosed".to_string()),
                ("notes", format!("{secret}. {safe_contact}.")),
                ("named", tunde.clone()),
                ("do_not_involve", "yes".to_string()),
                ("decided_by", "Dr Shah with Amara, seen alone".to_string()),
                ("reason", reason.to_string()),
                ("review_day", review_day.clone()),
                ("review_month", review_month.clone()),
                ("review_year", review_year.clone()),
            ]
        };
        let path = app.url(&format!("/families/{family}/enquiries"));

        // Not seen alone: refused, and nothing is saved (no mark, no entry).
        let together = clinician
            .post(&path)
            .form(&fields("no"))
            .send()
            .await
            .unwrap();
        assert_eq!(together.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = together.text().await.unwrap();
        assert!(page.contains("Ask about abuse only when the person is seen on their own"));
        assert!(page.contains(secret), "what was typed is kept");
        let unchanged: Value =
            get_json(&app, &clinician, &format!("/api/v1/families/{family}")).await;
        assert_eq!(unchanged["restrictions"], serde_json::json!([]));

        // A "do not involve" mark made here asks for its review date.
        let mut no_review = fields("yes");
        no_review.retain(|(name, _)| !name.starts_with("review_"));
        let refused = clinician.post(&path).form(&no_review).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().await.unwrap().contains("Enter review date"));

        let recorded = clinician
            .post(&path)
            .form(&fields("yes"))
            .send()
            .await
            .unwrap();
        assert_eq!(recorded.status(), StatusCode::SEE_OTHER);
        let page = get_text(&app, &clinician, &format!("/families/{family}")).await;
        assert!(
            page.contains("Tunde Okafor: do not involve"),
            "the disclosure set the mark"
        );
        assert!(
            page.contains("data-testid=\"staff-only\"") && page.contains(secret),
            "staff see the enquiry, marked as never printed for the family"
        );
        assert!(page.contains(&format!(
            "Review by {}",
            cradle_domain::dates::long_date(today + time::Duration::days(90))
        )));

        // In no family-facing output at all: not the mother's own printout or summary, not
        // anyone else's, not a session together.
        let outputs = [
            format!("/families/{family}/printout/mother"),
            format!("/families/{family}/you-and-your-baby/mother"),
            format!("/families/{family}/printout/{grace}"),
            format!("/families/{family}/you-and-your-baby/{grace}"),
            format!("/families/{family}/together/summary?present=mother&present={grace}"),
        ];
        for output in &outputs {
            let response = clinician.get(app.url(output)).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{output}");
            let printed = response.text().await.unwrap();
            for staff_only in [secret, safe_contact, reason, "Routine enquiry", "Tunde"] {
                assert!(
                    !printed.contains(staff_only),
                    "{output} holds staff-only “{staff_only}”"
                );
            }
        }
        let audit: Vec<String> = audit_actions(&app).await.into_iter().map(|r| r.1).collect();
        assert!(
            audit.contains(&"enquiry.record".to_string())
                && audit.contains(&"restriction.add".to_string())
        );
        app.database.cleanup().await;
    }
);

on_both_backends!(
    a_disclosure_prompts_each_step_a_service_takes_until_it_is_done_or_not_needed,
    |backend| async move {
        let app = app(backend).await;
        let clinician = app.signed_in("clinician").await;
        let token = app.csrf_token(&clinician).await;
        let family = family_of(&app, &clinician, "Amara Okafor").await;
        let (day, month, year) = date_fields(time::OffsetDateTime::now_utc().date());
        post_json_ok(
            &app,
            &clinician,
            &token,
            &format!("/api/v1/families/{family}/enquiries"),
            &serde_json::json!({"asked": "mother", "seen_alone": "yes", "asked_day": day,
                "asked_month": month, "asked_year": year, "outcome": "disclosed",
                "notes": "Disclosed abuse by a former partner"}),
        )
        .await;
        let record: Value = get_json(&app, &clinician, &format!("/api/v1/families/{family}")).await;
        let steps = record["disclosure_actions"].as_array().unwrap().clone();
        let codes: Vec<&str> = steps.iter().map(|a| a["step"].as_str().unwrap()).collect();
        assert_eq!(
            codes,
            [
                "risk_assessment",
                "safety_plan",
                "referral",
                "safeguarding_lead",
                "mark_named_person"
            ]
        );
        assert!(steps.iter().all(|a| a["settled"].is_null()));
        let page = get_text(&app, &clinician, &format!("/families/{family}")).await;
        assert_eq!(page.matches("Not yet settled").count(), 5);
        let caseload = get_text(&app, &clinician, "/families?q=Amara").await;
        assert!(caseload.contains("data-testid=\"disclosure-flag\""));
        let home = get_text(&app, &clinician, "/").await;
        assert!(home.contains(&format!("/families/{family}#after-disclosure")));

        // The risk assessment from the page: the form's name is required, and a refused form
        // keeps what was typed.
        let id = |step: &str| {
            steps.iter().find(|a| a["step"] == step).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let risk = app.url(&format!(
            "/families/{family}/disclosure-actions/{}",
            id("risk_assessment")
        ));
        let refused = clinician
            .post(&risk)
            .form(&[
                ("csrf_token", token.as_str()),
                ("outcome", "done"),
                ("detail", "14 ticks: high risk"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let form = refused.text().await.unwrap();
        assert!(form.contains("Enter the name of the risk assessment form used"));
        assert!(form.contains("14 ticks: high risk"));
        let done = clinician
            .post(&risk)
            .form(&[
                ("csrf_token", token.as_str()),
                ("outcome", "done"),
                ("form_name", "SafeLives DASH RIC"),
                ("detail", "14 ticks: high risk"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(done.status(), StatusCode::SEE_OTHER);
        let again = clinician
            .post(&risk)
            .form(&[
                ("csrf_token", token.as_str()),
                ("outcome", "not_needed"),
                ("reason", "x"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::CONFLICT, "settled once only");

        // The rest through the API; not needed needs a reason.
        let settle =
            |step: &str| format!("/api/v1/families/{family}/disclosure-actions/{}", id(step));
        let no_reason = clinician
            .post(app.url(&settle("mark_named_person")))
            .header("X-CSRF-Token", &token)
            .json(&serde_json::json!({"outcome": "not_needed"}))
            .send()
            .await
            .unwrap();
        assert_eq!(no_reason.status(), StatusCode::UNPROCESSABLE_ENTITY);
        for (step, body) in [
            (
                "safety_plan",
                serde_json::json!({"outcome": "done", "detail": "Plan agreed; kept with the IDVA"}),
            ),
            (
                "referral",
                serde_json::json!({"outcome": "done", "detail": "MARAC referral ref M-2211"}),
            ),
            (
                "safeguarding_lead",
                serde_json::json!({"outcome": "done", "detail": "Told Jo Evans, safeguarding lead"}),
            ),
            (
                "mark_named_person",
                serde_json::json!({"outcome": "not_needed", "reason": "The former partner is not in the family record"}),
            ),
        ] {
            post_json_ok(&app, &clinician, &token, &settle(step), &body).await;
        }
        let page = get_text(&app, &clinician, &format!("/families/{family}")).await;
        assert!(!page.contains("Not yet settled"));
        assert!(page.contains("every step settled") && page.contains("SafeLives DASH RIC"));
        let caseload = get_text(&app, &clinician, "/families?q=Amara").await;
        assert!(!caseload.contains("data-testid=\"disclosure-flag\""));
        let home = get_text(&app, &clinician, "/").await;
        assert!(!home.contains(&format!("/families/{family}#after-disclosure")));
        // Staff-only: none of it is printed for the mother.
        let printout = get_text(
            &app,
            &clinician,
            &format!("/families/{family}/printout/mother"),
        )
        .await;
        for staff_only in ["MARAC", "SafeLives", "IDVA", "former partner"] {
            assert!(
                !printout.contains(staff_only),
                "printout holds {staff_only}"
            );
        }
        let settled = audit_records(&app)
            .await
            .into_iter()
            .filter(|r| r.action == "enquiry.action_settled")
            .count();
        assert_eq!(settled, 5);
        app.database.cleanup().await;
    }
);

on_both_backends!(
    the_timeline_holds_every_kind_of_entry_once_in_the_order_it_happened,
    |backend| async move {
        let app = app(backend).await;
        let client = app.signed_in("clinician").await;
        let token = app.csrf_token(&client).await;
        let family = family_of(&app, &client, "Amara Okafor").await;
        let record: Value = get_json(&app, &client, &format!("/api/v1/families/{family}")).await;
        let tunde = person_id(&record, "Tunde Okafor");
        let team = record["family"]["team_id"].as_str().unwrap().to_string();
        let grace = add_person(&app, &client, &token, &family, "Grace Adebayo").await;
        let today = time::OffsetDateTime::now_utc().date();
        let days_ago = |n: i64| date_fields(today - time::Duration::days(n));
        let iso = |n: i64| (today - time::Duration::days(n)).to_string();
        let at = format!("/api/v1/families/{family}");
        let tunde_at = format!("{at}/people/{tunde}");
        let catalogue: Value = get_json(
            &app,
            &client,
            &format!("/api/v1/teams/{team}/interventions"),
        )
        .await;
        let vipp = catalogue
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"].as_str().unwrap().contains("VIPP"))
            .unwrap()["id"]
            .clone();
        let answers: Vec<Value> = (1..=9)
            .map(|n| serde_json::json!({"question": format!("phq9-{n}"), "code": "LA6568-5"}))
            .collect();
        let (d9, m9, y9) = days_ago(9);
        let (d4, m4, y4) = days_ago(4);
        let (d3, m3, y3) = days_ago(3);
        let (d2, m2, y2) = days_ago(2);
        let (d0, m0, y0) = days_ago(0);
        for (path, body) in [
            (
                format!("{tunde_at}/pathway"),
                serde_json::json!({"step": "identified", "on": iso(8), "how": "at_referral"}),
            ),
            (
                format!("{tunde_at}/pathway"),
                serde_json::json!({"step": "offered", "on": iso(7), "method": "in_person"}),
            ),
            (
                format!("{tunde_at}/pathway"),
                serde_json::json!({"step": "accepted", "on": iso(7)}),
            ),
            (
                format!("{at}/interventions"),
                serde_json::json!({"member": tunde, "intervention": vipp,
                "delivered_by": "Tom Baker", "offered_day": d9, "offered_month": m9, "offered_year": y9}),
            ),
            (
                format!("{at}/notes"),
                serde_json::json!({"subject": tunde, "kind": "strength",
                "text": "TL-NOTE calm with her", "noted_day": d4, "noted_month": m4, "noted_year": y4}),
            ),
            (
                format!("{at}/observations"),
                serde_json::json!({"caregiver": tunde, "observed_day": d3,
                "observed_month": m3, "observed_year": y3, "setting": "home",
                "moment": "TL-MOMENT he sang while changing her", "baby_responses": ["smile"],
                "fed_back": "Told him she loves it"}),
            ),
            (
                format!("{at}/conversations"),
                serde_json::json!({"participants": [tunde], "held_day": d2,
                "held_month": m2, "held_year": y2, "enjoy": "TL-CONVERSATION bath time", "finish": "yes"}),
            ),
            (
                format!("{tunde_at}/questionnaires"),
                serde_json::json!({"instrument": "PHQ-9",
                "population": "adult", "completed_on": iso(1), "answers": answers}),
            ),
            (
                format!("{at}/concerns"),
                serde_json::json!({"about": "mother", "kinds": ["crying"],
                "description": "TL-CONCERN finds the night crying hard", "conversation": ""}),
            ),
            (
                format!("{at}/people/{grace}/restrictions"),
                serde_json::json!({"kind": "do_not_contact",
                "decided_by": "Safeguarding lead", "reason": "TL-RESTRICTION court order",
                "until_day": d0.clone(), "until_month": m0.clone(), "until_year": y0.clone()}),
            ),
            (
                format!("{at}/enquiries"),
                serde_json::json!({"asked": "mother", "seen_alone": "yes",
                "asked_day": d0, "asked_month": m0, "asked_year": y0, "outcome": "disclosed",
                "notes": "TL-ENQUIRY"}),
            ),
        ] {
            post_json_ok(&app, &client, &token, &path, &body).await;
        }
        let assessed = client
            .post(app.url(&format!("/families/{family}/people/{tunde}/assessment")))
            .form(&[
                ("csrf_token", token.as_str()),
                ("on_day", d3.as_str()),
                ("on_month", m3.as_str()),
                ("on_year", y3.as_str()),
                ("wellbeing", "Tired but managing"),
                ("wishes", "More time with the baby"),
                ("risk", "none_identified"),
                ("outcome", "support_offered"),
                ("outcome_detail", "Offered VIPP"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            assessed.status(),
            StatusCode::SEE_OTHER,
            "{}",
            assessed.text().await.unwrap_or_default()
        );
        let record: Value = get_json(&app, &client, &at).await;
        let action = record["disclosure_actions"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        post_json_ok(
            &app,
            &client,
            &token,
            &format!("{at}/disclosure-actions/{action}"),
            &serde_json::json!({"outcome": "done", "form_name": "DASH RIC", "detail": "TL-DISCLOSURE standard risk"}),
        )
        .await;
        let entry = client
            .post(app.url(&format!("/families/{family}/entries")))
            .form(&[
                ("csrf_token", token.as_str()),
                ("about", ""),
                ("text", "TL-ENTRY family meeting held"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(entry.status(), StatusCode::SEE_OTHER);
        let cp_path = format!("/families/{family}/child-protection");
        let version = hidden_field(&get_text(&app, &client, &cp_path).await, "version").unwrap();
        let cp = client
            .post(app.url(&cp_path))
            .form(&[
                ("csrf_token", token.as_str()),
                ("version", version.as_str()),
                ("status", "child_in_need"),
                ("reason", "TL-CHILD-PROTECTION strategy discussion"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(cp.status(), StatusCode::SEE_OTHER);

        // Each kind, filtered on its own, shows what was made of it exactly once.
        let timeline = |page: String| -> String {
            page.split("data-testid=\"timeline\"")
                .nth(1)
                .map(|rest| rest.split("</ul>").next().unwrap_or("").to_string())
                .unwrap_or_default()
        };
        for (kind, marker) in [
            ("entry", "TL-ENTRY"),
            ("entry", "TL-ENQUIRY"),
            ("entry", "TL-CHILD-PROTECTION"),
            ("birth", "Ada Okafor was born"),
            ("conversation", "TL-CONVERSATION"),
            ("observation", "At home."),
            ("moment", "TL-MOMENT"),
            ("note", "TL-NOTE"),
            ("concern", "TL-CONCERN"),
            ("questionnaire", "PHQ-9 completed"),
            ("pathway", "Partner pathway: Identified"),
            ("pathway", "Partner pathway: Accepted the offer"),
            ("assessment", "No risk to themselves or others identified"),
            ("intervention", "VIPP"),
            ("restriction", "TL-RESTRICTION"),
            ("disclosure", "TL-DISCLOSURE"),
        ] {
            let shown =
                timeline(get_text(&app, &client, &format!("/families/{family}?type={kind}")).await);
            assert_eq!(
                shown.matches(marker).count(),
                1,
                "{kind}: {marker} in {shown}"
            );
        }
        // Everything together, newest first, a date-only entry by its date.
        let all = timeline(get_text(&app, &client, &format!("/families/{family}")).await);
        let order: Vec<usize> = [
            "TL-ENTRY",
            "TL-CONVERSATION",
            "TL-MOMENT",
            "TL-NOTE",
            "Partner pathway: Accepted the offer",
            "Partner pathway: Identified",
            "Ada Okafor was born",
        ]
        .iter()
        .map(|marker| {
            all.find(marker)
                .unwrap_or_else(|| panic!("{marker} missing"))
        })
        .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
        // Filtered by person: only Tunde's.
        let his =
            timeline(get_text(&app, &client, &format!("/families/{family}?person={tunde}")).await);
        assert!(
            his.contains("TL-NOTE") && !his.contains("TL-CONCERN") && !his.contains("TL-ENTRY")
        );
        app.database.cleanup().await;
    }
);

on_both_backends!(
    a_child_is_never_offered_adult_questionnaires_the_pathway_or_printed_summaries,
    |backend| async move {
        let app = app(backend).await;
        let client = app.signed_in("mbu.clinician").await;
        let token = app.csrf_token(&client).await;
        let family = family_of(&app, &client, "Chloe Brennan").await;
        let record: Value = get_json(&app, &client, &format!("/api/v1/families/{family}")).await;
        let niamh = person_id(&record, "Niamh Brennan");
        let liam = person_id(&record, "Liam Brennan");
        let page = get_text(&app, &client, &format!("/families/{family}")).await;
        let card = page
            .split("data-testid=\"person-card\"")
            .skip(1)
            .find(|card| card.contains("<h3 class=\"nhsuk-card__heading\">Niamh Brennan"))
            .unwrap();
        assert!(
            card.contains("4 years old (born") && card.contains("A child"),
            "{card}"
        );
        for offer in [
            "/pathway",
            "/questionnaires/new",
            "/printout/",
            "/you-and-your-baby/",
        ] {
            assert!(
                !card.contains(&format!("{offer}{niamh}"))
                    && !card.contains(&format!("{niamh}{offer}")),
                "{offer} offered for a child"
            );
        }
        let today = app.app.today().to_string();
        let answers: Vec<Value> = (1..=9)
            .map(|n| serde_json::json!({"question": format!("phq9-{n}"), "code": "LA6568-5"}))
            .collect();
        let post = |path: String, body: Value| {
            let request = client
                .post(app.url(&path))
                .header("X-CSRF-Token", &token)
                .json(&body);
            async move { request.send().await.unwrap() }
        };
        let pathway = post(
            format!("/api/v1/families/{family}/people/{niamh}/pathway"),
            serde_json::json!({"step": "identified", "on": today, "how": "at_referral"}),
        )
        .await;
        assert_eq!(pathway.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(pathway
            .text()
            .await
            .unwrap()
            .contains("The partner pathway is for adults"));
        let phq9 = post(
            format!("/api/v1/families/{family}/people/{niamh}/questionnaires"),
            serde_json::json!({"instrument": "PHQ-9", "population": "adult", "completed_on": today, "answers": answers}),
        )
        .await;
        assert_eq!(phq9.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(phq9
            .text()
            .await
            .unwrap()
            .contains("questionnaires written for adults to a child"));
        for page in ["printout", "you-and-your-baby"] {
            let refused = client
                .get(app.url(&format!("/families/{family}/{page}/{niamh}")))
                .send()
                .await
                .unwrap();
            assert_eq!(refused.status(), StatusCode::CONFLICT, "{page}");
        }
        let form = client
            .get(app.url(&format!(
                "/families/{family}/people/{niamh}/questionnaires/new"
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(form.status(), StatusCode::CONFLICT);

        // A young person of 16 or 17 is not given an instrument validated for adults only;
        // a date of birth in the future is refused; the adult father is offered all of it.
        let young = add_person(&app, &client, &token, &family, "Shannon Brennan").await;
        let version = get_json(&app, &client, &format!("/api/v1/families/{family}")).await
            ["people"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == young.as_str())
            .unwrap()["version"]
            .clone();
        let tomorrow =
            date_fields(time::OffsetDateTime::now_utc().date() + time::Duration::days(2));
        let future = post(
            format!("/api/v1/families/{family}/people/{young}"),
            serde_json::json!({"name": "Shannon Brennan", "version": version, "reason": "Age given",
                "born_day": tomorrow.0, "born_month": tomorrow.1, "born_year": tomorrow.2}),
        )
        .await;
        assert_eq!(future.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(future
            .text()
            .await
            .unwrap()
            .contains("Date of birth must be in the past"));
        post_json_ok(
            &app,
            &client,
            &token,
            &format!("/api/v1/families/{family}/people/{young}"),
            &serde_json::json!({"name": "Shannon Brennan", "version": version, "reason": "Age given",
                "age_band": "young_person"}),
        )
        .await;
        let refused = post(
            format!("/api/v1/families/{family}/people/{young}/questionnaires"),
            serde_json::json!({"instrument": "PHQ-9", "population": "adult", "completed_on": today, "answers": answers}),
        )
        .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused
            .text()
            .await
            .unwrap()
            .contains("PHQ-9 is meant for adults"));
        post_json_ok(
            &app,
            &client,
            &token,
            &format!("/api/v1/families/{family}/people/{liam}/questionnaires"),
            &serde_json::json!({"instrument": "PHQ-9", "population": "adult", "completed_on": today, "answers": answers}),
        )
        .await;
        app.database.cleanup().await;
    }
);

on_both_backends!(
    an_interpreter_need_shows_wherever_the_person_appears_and_each_contact_says_whether_one_was_used,
    |backend| async move {
        let app = app(backend).await;
        let nurse = app.signed_in("nursery.nurse").await;
        let token = app.csrf_token(&nurse).await;
        let family = family_of(&app, &nurse, "Ewa Kowalska").await;
        let record: Value = get_json(&app, &nurse, &format!("/api/v1/families/{family}")).await;
        let piotr = person_id(&record, "Piotr Kowalski");
        // Wherever he appears: the caseload, the ecomap (picture and words), his pathway,
        // his questionnaire, the session form, the summary together's form.
        let caseload = get_text(&app, &nurse, "/families?q=Ewa").await;
        assert!(caseload.contains("Interpreter needed: Polish"), "{caseload}");
        let page = get_text(&app, &nurse, &format!("/families/{family}")).await;
        assert!(page.contains("Polish interpreter") && page.contains("needs an interpreter for Polish"));
        // The mother needs one too: beside her name on the family page and the caseload.
        assert!(
            page.contains("data-testid=\"mother-interpreter\">Interpreter needed: Polish"),
            "{page}"
        );
        assert!(page.contains("Polish; needs an interpreter"));
        assert!(
            caseload.contains("Ewa Kowalska <strong class=\"nhsuk-tag nhsuk-tag--blue\" data-testid=\"interpreter\">Interpreter needed: Polish"),
            "{caseload}"
        );
        for path in [
            format!("/families/{family}/people/{piotr}/pathway"),
            format!("/families/{family}/people/{piotr}/questionnaires/new"),
            format!("/families/{family}/together"),
        ] {
            let shown = get_text(&app, &nurse, &path).await;
            assert!(
                shown.contains("Interpreter needed: Polish") || shown.contains("interpreter needed: Polish"),
                "{path}"
            );
        }
        let (d, m, y) = date_fields(time::OffsetDateTime::now_utc().date());
        let created = nurse
            .post(app.url(&format!("/families/{family}/plans")))
            .form(&[
                ("csrf_token", token.as_str()),
                ("kind", "family"),
                ("focus", "postnatal"),
                ("agreed_day", d.as_str()),
                ("agreed_month", m.as_str()),
                ("agreed_year", y.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), StatusCode::SEE_OTHER, "{}", created.text().await.unwrap());
        let plan_path = location(&created);
        let form = get_text(&app, &nurse, &format!("{plan_path}/sessions/new")).await;
        assert!(form.contains("data-testid=\"interpreter-fields\"") && form.contains("Piotr Kowalski (Polish)"));
        let session = |extra: Vec<(&'static str, &'static str)>| {
            let mut fields: Vec<(&str, String)> = vec![
                ("csrf_token", token.clone()),
                ("held_day", d.clone()),
                ("held_month", m.clone()),
                ("held_year", y.clone()),
                ("place", "home".into()),
                ("attendance", "attended".into()),
                ("attendees", "mother".into()),
                ("attendees", piotr.clone()),
                ("seen", "together".into()),
                ("focus", "postnatal".into()),
            ];
            fields.extend(extra.into_iter().map(|(k, v)| (k, v.to_string())));
            let request = nurse.post(app.url(&format!("{plan_path}/sessions"))).form(&fields);
            async move { request.send().await.unwrap() }
        };
        let refused = session(vec![]).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().await.unwrap().contains(
            "Select whether an interpreter was used: Ewa Kowalska (Polish) and Piotr Kowalski (Polish) need one"
        ));
        let no_how = session(vec![("interpreter", "yes"), ("interpreter_language", "Polish")]).await;
        assert_eq!(no_how.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let saved = session(vec![
            ("interpreter", "yes"),
            ("interpreter_language", "Polish"),
            ("interpreter_how", "telephone"),
        ])
        .await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let record: Value = get_json(&app, &nurse, &format!("/api/v1/families/{family}")).await;
        let recorded = record["plans"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["sessions"].as_array().unwrap().clone())
            .find(|s| s["interpreter"]["how"] == "telephone")
            .unwrap();
        assert_eq!(
            recorded["interpreter"],
            serde_json::json!({"used": "used", "language": "Polish", "how": "telephone"})
        );
        let page = get_text(&app, &nurse, &format!("/families/{family}?type=session")).await;
        assert!(page.contains("Interpreter: Polish, by telephone."));
        // A relationship conversation with him says the same.
        let conversation = |extra: Vec<(&'static str, &'static str)>| {
            let mut fields: Vec<(&str, String)> = vec![
                ("csrf_token", token.clone()),
                ("held_day", d.clone()),
                ("held_month", m.clone()),
                ("held_year", y.clone()),
                ("participants", piotr.clone()),
                ("enjoy", "Bath time with Zofia".into()),
                ("finish", "yes".into()),
            ];
            fields.extend(extra.into_iter().map(|(k, v)| (k, v.to_string())));
            let request = nurse
                .post(app.url(&format!("/families/{family}/conversations")))
                .form(&fields);
            async move { request.send().await.unwrap() }
        };
        let refused = conversation(vec![]).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let form = refused.text().await.unwrap();
        assert!(form.contains("Select whether an interpreter was used: Piotr Kowalski (Polish) needs one"));
        assert!(form.contains("Bath time with Zofia"), "what was typed is kept");
        let saved = conversation(vec![
            ("interpreter", "yes"),
            ("interpreter_language", "Polish"),
            ("interpreter_how", "video"),
        ])
        .await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let page = get_text(&app, &nurse, &format!("/families/{family}?type=conversation")).await;
        assert!(page.contains("Interpreter: Polish, by video call."), "{page}");

        // So does an observation of him with Zofia.
        let observation = |extra: Vec<(&'static str, &'static str)>| {
            let mut fields: Vec<(&str, String)> = vec![
                ("csrf_token", token.clone()),
                ("caregiver", piotr.clone()),
                ("observed_day", d.clone()),
                ("observed_month", m.clone()),
                ("observed_year", y.clone()),
                ("setting", "home".into()),
                ("seen", "Bath time: he talked her through each step".into()),
            ];
            fields.extend(extra.into_iter().map(|(k, v)| (k, v.to_string())));
            let request = nurse
                .post(app.url(&format!("/families/{family}/observations")))
                .form(&fields);
            async move { request.send().await.unwrap() }
        };
        let refused = observation(vec![]).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let form = refused.text().await.unwrap();
        assert!(form.contains("Select whether an interpreter was used: Piotr Kowalski (Polish) needs one"));
        assert!(form.contains("he talked her through each step"), "what was typed is kept");
        let saved = observation(vec![
            ("interpreter", "yes"),
            ("interpreter_language", "Polish"),
            ("interpreter_how", "in_person"),
        ])
        .await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let page = get_text(&app, &nurse, &format!("/families/{family}?type=observation")).await;
        assert!(page.contains("he talked her through each step Interpreter: Polish, in person."), "{page}");

        // A questionnaire with him, from the form and the API, says the same.
        let questionnaire_form = get_text(
            &app,
            &nurse,
            &format!("/families/{family}/people/{piotr}/questionnaires/new?instrument=PHQ-9"),
        )
        .await;
        assert!(
            questionnaire_form.contains("data-testid=\"interpreter-fields\"")
                && questionnaire_form.contains("Piotr Kowalski (Polish)"),
            "{questionnaire_form}"
        );
        let answers: Vec<Value> = (1..=9)
            .map(|n| serde_json::json!({"question": format!("phq9-{n}"), "code": "LA6568-5"}))
            .collect();
        let phq9 = |extra: Value| {
            let mut body = serde_json::json!({"instrument": "PHQ-9", "population": "adult",
                "completed_on": app.app.today().to_string(), "answers": answers});
            for (key, value) in extra.as_object().unwrap() {
                body[key] = value.clone();
            }
            let request = nurse
                .post(app.url(&format!("/api/v1/families/{family}/people/{piotr}/questionnaires")))
                .header("X-CSRF-Token", &token)
                .json(&body);
            async move { request.send().await.unwrap() }
        };
        let refused = phq9(serde_json::json!({})).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused
            .text()
            .await
            .unwrap()
            .contains("Select whether an interpreter was used: Piotr Kowalski (Polish) needs one"));
        let made = phq9(serde_json::json!({"interpreter": "yes",
            "interpreter_language": "Polish", "interpreter_how": "in_person"}))
        .await;
        assert_eq!(made.status(), StatusCode::CREATED);
        let made: Value = made.json().await.unwrap();
        assert_eq!(made["interpreter"]["how"], "in_person");
        let page = get_text(&app, &nurse, &format!("/families/{family}?type=questionnaire")).await;
        assert!(page.contains("Interpreter: Polish, in person."), "{page}");

        // The routine enquiry with her, seen alone: whether a professional interpreter was used.
        let enquiry = |extra: Vec<(&'static str, &'static str)>| {
            let mut fields: Vec<(&str, String)> = vec![
                ("csrf_token", token.clone()),
                ("asked", "mother".into()),
                ("seen_alone", "yes".into()),
                ("asked_day", d.clone()),
                ("asked_month", m.clone()),
                ("asked_year", y.clone()),
                ("outcome", "nothing_disclosed".into()),
            ];
            fields.extend(extra.into_iter().map(|(k, v)| (k, v.to_string())));
            let request = nurse
                .post(app.url(&format!("/families/{family}/enquiries")))
                .form(&fields);
            async move { request.send().await.unwrap() }
        };
        let form = get_text(&app, &nurse, &format!("/families/{family}/enquiries/new")).await;
        assert!(form.contains("Never ask a partner, relative or friend to interpret"), "{form}");
        let refused = enquiry(vec![]).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused
            .text()
            .await
            .unwrap()
            .contains("Select whether an interpreter was used: Ewa Kowalska (Polish) needs one"));
        let saved = enquiry(vec![
            ("interpreter", "yes"),
            ("interpreter_language", "Polish"),
            ("interpreter_how", "telephone"),
        ])
        .await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let page = get_text(&app, &nurse, &format!("/families/{family}")).await;
        assert!(
            page.contains("Routine enquiry about domestic abuse, seen alone on")
                && page.contains("Interpreter: Polish, by telephone."),
            "{page}"
        );

        // And his own assessment, once he has accepted the offer (made and answered at once).
        let today = app.app.today().to_string();
        let post_json = |path: String, body: Value| {
            let request = nurse
                .post(app.url(&path))
                .header("X-CSRF-Token", &token)
                .json(&body);
            async move { request.send().await.unwrap() }
        };
        let pathway = format!("/api/v1/families/{family}/people/{piotr}/pathway");
        let identified = post_json(
            pathway.clone(),
            serde_json::json!({"step": "identified", "on": today, "how": "at_assessment"}),
        )
        .await;
        assert_eq!(identified.status(), StatusCode::CREATED);
        // The offer is a contact with him: it says whether an interpreter was used.
        let offer = serde_json::json!({"step": "offered", "on": today, "method": "in_person",
            "answer": {"step": "accepted", "on": today}});
        let refused = post_json(pathway.clone(), offer.clone()).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused
            .text()
            .await
            .unwrap()
            .contains("Piotr Kowalski (Polish) needs one"));
        let mut offer = offer;
        offer["interpreter"] = "yes".into();
        offer["interpreter_language"] = "Polish".into();
        offer["interpreter_how"] = "in_person".into();
        let offered = post_json(pathway.clone(), offer).await;
        assert_eq!(offered.status(), StatusCode::CREATED);
        let offered: Value = offered.json().await.unwrap();
        assert_eq!(offered["steps"].as_array().unwrap().len(), 3);
        assert_eq!(offered["steps"][1]["interpreter"]["how"], "in_person");
        assert_eq!(offered["steps"][2]["interpreter"]["language"], "Polish");
        assert!(offered["steps"][0]["interpreter"].is_null(), "being identified is no contact");
        let assessment = |extra: Value| {
            let mut body = serde_json::json!({"assessed_on": today,
                "sections": {"wellbeing": "Tired but coping", "wishes": "To feel useful with Zofia"},
                "risk": "none_identified", "outcome": "no_further_action"});
            for (key, value) in extra.as_object().unwrap() {
                body[key] = value.clone();
            }
            post_json(format!("/api/v1/families/{family}/people/{piotr}/assessments"), body)
        };
        let refused = assessment(serde_json::json!({})).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused
            .text()
            .await
            .unwrap()
            .contains("Piotr Kowalski (Polish) needs one"));
        let assessed = assessment(serde_json::json!({"interpreter": "yes",
            "interpreter_language": "Polish", "interpreter_how": "video"}))
        .await;
        assert_eq!(assessed.status(), StatusCode::CREATED);
        let shown = get_text(&app, &nurse, &format!("/families/{family}/people/{piotr}/pathway")).await;
        assert!(shown.contains("Interpreter: Polish, by video call"), "{shown}");
        app.database.cleanup().await;
    }
);

on_both_backends!(
    a_staff_only_timeline_entry_reaches_no_printout_even_for_the_person_it_is_about,
    |backend| async move {
        let app = app(backend).await;
        let clinician = app.signed_in("clinician").await;
        let token = app.csrf_token(&clinician).await;
        let family = family_of(&app, &clinician, "Amara Okafor").await;
        let safeguarding = "Strategy meeting held: MARAC referral made";
        let ordinary = "Talked about bath time routines";
        for (text, staff_only) in [(safeguarding, "yes"), (ordinary, "")] {
            let response = clinician
                .post(app.url(&format!("/families/{family}/entries")))
                .form(&[
                    ("csrf_token", token.as_str()),
                    ("about", "mother"),
                    ("text", text),
                    ("staff_only", staff_only),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::SEE_OTHER);
        }
        let page = get_text(&app, &clinician, &format!("/families/{family}")).await;
        assert!(page.contains(safeguarding) && page.contains("data-testid=\"staff-only\""));
        let printout = get_text(
            &app,
            &clinician,
            &format!("/families/{family}/printout/mother"),
        )
        .await;
        assert!(
            printout.contains(ordinary),
            "an ordinary entry is hers to take"
        );
        assert!(
            !printout.contains(safeguarding),
            "a staff-only entry never is"
        );
        let audit = audit_records(&app).await;
        assert!(audit
            .iter()
            .any(|r| r.action == "entry.add" && r.detail.contains("staff only")));
        app.database.cleanup().await;
    }
);

on_both_backends!(
    a_safety_mark_stays_in_force_past_its_review_date_until_renewed_or_lifted,
    |backend| async move {
        let app = app(backend).await;
        let clinician = app.signed_in("clinician").await;
        let token = app.csrf_token(&clinician).await;
        let family = family_of(&app, &clinician, "Amara Okafor").await;
        let record: Value = get_json(&app, &clinician, &format!("/api/v1/families/{family}")).await;
        let tunde = person_id(&record, "Tunde Okafor");
        let today = time::OffsetDateTime::now_utc().date();
        let (day, month, year) = date_fields(today + time::Duration::days(10));
        let response = clinician
            .post(app.url(&format!(
                "/api/v1/families/{family}/people/{tunde}/restrictions"
            )))
            .header("X-CSRF-Token", &token)
            .json(&serde_json::json!({
                "kind": "do_not_contact", "decided_by": "MASH strategy meeting",
                "reason": "Court order while the investigation continues",
                "until_day": day, "until_month": month, "until_year": year
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let restriction: Value = response.json().await.unwrap();
        let first = restriction["id"].as_str().unwrap().to_string();
        let page = get_text(&app, &clinician, &format!("/families/{family}")).await;
        assert!(!page.contains("Restriction review overdue"));

        // Past the review date the mark stays: nothing is offered, and the family, the
        // caseload and the home page say the review is overdue.
        app.clock.advance_minutes(11 * 24 * 60);
        let clinician = app.signed_in("clinician").await;
        let token = app.csrf_token(&clinician).await;
        let page = get_text(&app, &clinician, &format!("/families/{family}")).await;
        assert!(page.contains("data-testid=\"restriction-review-overdue\""));
        assert!(page.contains("Tunde Okafor: do not contact"));
        assert!(page.contains("It stays in force until it is renewed or lifted"));
        let printout = clinician
            .get(app.url(&format!("/families/{family}/printout/{tunde}")))
            .send()
            .await
            .unwrap();
        assert_eq!(
            printout.status(),
            StatusCode::CONFLICT,
            "still not given anything"
        );
        let caseload = get_text(&app, &clinician, "/families").await;
        assert!(caseload.contains("data-testid=\"restriction-review-flag\""));
        let home = get_text(&app, &clinician, "/").await;
        assert!(home.contains("Restriction review overdue") && home.contains(&family));

        // Renewing from the page needs a new review date and a reason; the earlier decision
        // is kept and the review is no longer overdue.
        let renew = app.url(&format!("/families/{family}/restrictions/{first}/renew"));
        let refused = clinician
            .post(&renew)
            .form(&[
                ("csrf_token", token.as_str()),
                ("decided_by", "Safeguarding lead"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let form = refused.text().await.unwrap();
        assert!(
            form.contains("Enter the reason for the decision")
                && form.contains("Safeguarding lead")
        );
        let moved_today = today + time::Duration::days(11);
        let (day, month, year) = date_fields(moved_today + time::Duration::days(60));
        let renewed = clinician
            .post(&renew)
            .form(&[
                ("csrf_token", token.as_str()),
                ("decided_by", "Safeguarding lead"),
                ("reason", "Investigation still open"),
                ("until_day", &day),
                ("until_month", &month),
                ("until_year", &year),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(renewed.status(), StatusCode::SEE_OTHER);
        let page = get_text(&app, &clinician, &format!("/families/{family}")).await;
        assert!(!page.contains("data-testid=\"restriction-review-overdue\""));
        assert!(page.contains("Investigation still open"));
        assert!(page.contains("data-testid=\"earlier-decisions\""));
        assert!(page.contains("Court order while the investigation continues"));
        // The renewed decision cannot be renewed again; the new one is in force.
        let again = clinician
            .post(&renew)
            .form(&[
                ("csrf_token", token.as_str()),
                ("decided_by", "x"),
                ("reason", "y"),
                ("until_day", &day),
                ("until_month", &month),
                ("until_year", &year),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::CONFLICT);
        let record: Value = get_json(&app, &clinician, &format!("/api/v1/families/{family}")).await;
        let current = record["restrictions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["lifted_at_millis"].is_null())
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        assert_ne!(current, first);

        // Lifting through the API needs a reason; then he may be given information again.
        let lift = app.url(&format!(
            "/api/v1/families/{family}/restrictions/{current}/lift"
        ));
        let no_reason = clinician
            .post(&lift)
            .header("X-CSRF-Token", &token)
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(no_reason.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let lifted = clinician
            .post(&lift)
            .header("X-CSRF-Token", &token)
            .json(&serde_json::json!({"reason": "Court order discharged; agreed at the review meeting"}))
            .send()
            .await
            .unwrap();
        assert_eq!(lifted.status(), StatusCode::NO_CONTENT);
        let printout = clinician
            .get(app.url(&format!("/families/{family}/printout/{tunde}")))
            .send()
            .await
            .unwrap();
        assert_eq!(printout.status(), StatusCode::OK);
        let page = get_text(&app, &clinician, &format!("/families/{family}")).await;
        assert!(page.contains("Court order discharged; agreed at the review meeting"));
        let actions: Vec<String> = audit_actions(&app).await.into_iter().map(|r| r.1).collect();
        assert!(actions.contains(&"restriction.renew".to_string()));
        assert!(actions.contains(&"restriction.lift".to_string()));
        app.database.cleanup().await;
    }
);

on_both_backends!(
    what_needs_attention_reaches_the_caseload_and_every_clinicians_home_page_most_urgent_first,
    |backend| async move {
        let app = app(backend).await;
        let clinician = app.signed_in("clinician").await;
        let token = app.csrf_token(&clinician).await;
        let family = family_of(&app, &clinician, "Amara Okafor").await;
        let record: Value = get_json(&app, &clinician, &format!("/api/v1/families/{family}")).await;
        let tunde = person_id(&record, "Tunde Okafor");
        let grace = add_person(&app, &clinician, &token, &family, "Grace Adebayo").await;
        let today = time::OffsetDateTime::now_utc().date();
        // A restriction whose review falls due tomorrow, a coping concern, and a PHQ-9 whose
        // self-harm answer raises an alert.
        let (day, month, year) = date_fields(today + time::Duration::days(1));
        post_json_ok(
            &app,
            &clinician,
            &token,
            &format!("/api/v1/families/{family}/people/{grace}/restrictions"),
            &serde_json::json!({"kind": "do_not_contact", "decided_by": "Safeguarding lead",
                "reason": "Court order", "until_day": day, "until_month": month, "until_year": year}),
        )
        .await;
        post_json_ok(
            &app,
            &clinician,
            &token,
            &format!("/api/v1/families/{family}/concerns"),
            &serde_json::json!({"about": tunde, "kinds": ["anger"],
                "description": "Shouted at the baby when she would not settle", "conversation": ""}),
        )
        .await;
        let mut answers: Vec<Value> = (1..=8)
            .map(|n| serde_json::json!({"question": format!("phq9-{n}"), "code": "LA6569-3"}))
            .collect();
        answers.push(serde_json::json!({"question": "phq9-9", "code": "LA6570-1"}));
        post_json_ok(
            &app,
            &clinician,
            &token,
            &format!("/api/v1/families/{family}/people/{tunde}/questionnaires"),
            &serde_json::json!({"instrument": "PHQ-9", "population": "adult",
                "completed_on": today.to_string(), "answers": answers}),
        )
        .await;

        app.clock.advance_minutes(2 * 24 * 60);
        for username in ["clinician", "nursery.nurse"] {
            let client = app.signed_in(username).await;
            let caseload = get_text(&app, &client, "/families?q=Amara").await;
            for flag in ["alert-flag", "concern-flag", "restriction-review-flag"] {
                assert!(
                    caseload.contains(&format!("data-testid=\"{flag}\"")),
                    "{username}'s caseload lacks {flag}"
                );
            }
            let home = get_text(&app, &client, "/").await;
            let list = home
                .split("data-testid=\"attention\"")
                .nth(1)
                .unwrap_or_else(|| panic!("{username}'s home page has no attention list"));
            let at = |needle: &str| {
                list.find(needle)
                    .unwrap_or_else(|| panic!("{username}'s list lacks {needle}"))
            };
            let alert = at(&format!("/families/{family}/questionnaires/"));
            let concern = at(&format!("/families/{family}/concerns/"));
            let review = at(&format!("/families/{family}/restrictions/"));
            assert!(alert < concern && concern < review, "most urgent first");
            assert!(list.contains("Grace Adebayo") && list.contains("Tunde Okafor"));
            assert!(list.contains("PHQ-9 completed"));
        }
        // An administrator, who reads no clinical records, has no such list.
        let admin = app.signed_in("admin").await;
        let home = get_text(&app, &admin, "/").await;
        assert!(!home.contains("Needs your attention") && !home.contains(&family));
        let audit = audit_records(&app).await;
        assert!(audit
            .iter()
            .any(|r| r.action == "family.attention_list" && r.detail.contains(&family)));
        app.database.cleanup().await;
    }
);

on_both_backends!(
    an_observation_with_a_positive_moment_and_a_tool_result_as_given,
    |backend| async move {
        let app = app(backend).await;
        let clinician = app.signed_in("clinician").await;
        let token = app.csrf_token(&clinician).await;
        let family = family_of(&app, &clinician, "Amara Okafor").await;
        let record: Value = get_json(&app, &clinician, &format!("/api/v1/families/{family}")).await;
        let tunde = record["people"][0]["id"].as_str().unwrap().to_string();
        let today = time::OffsetDateTime::now_utc().date();
        let mut fields = vec![
            ("csrf_token", token.clone()),
            ("caregiver", tunde.clone()),
            ("observed_day", today.day().to_string()),
            ("observed_month", u8::from(today.month()).to_string()),
            ("observed_year", today.year().to_string()),
            ("setting", "home".to_string()),
            (
                "responsiveness",
                "Paused when she turned away, and waited for her to look back".to_string(),
            ),
            (
                "moment",
                "He copied her coo and she cooed back, three turns".to_string(),
            ),
            ("baby_responses", "vocalising".to_string()),
            ("baby_responses", "eye_contact".to_string()),
            ("tool", "Invented Interaction Scale".to_string()),
        ];
        let path = app.url(&format!("/families/{family}/observations"));
        let unfinished = clinician.post(&path).form(&fields).send().await.unwrap();
        assert_eq!(unfinished.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = unfinished.text().await.unwrap();
        for message in [
            "Enter the tool&#39;s version",
            "Enter the result, exactly as the tool gives it",
            "Enter who is trained to use it",
            "Enter how you highlighted the moment to them",
        ] {
            assert!(page.contains(message), "{message}");
        }
        assert!(page.contains("He copied her coo"), "what was typed is kept");
        fields.extend([
            ("tool_version", "2.1".to_string()),
            ("tool_result", "Band B, as the manual words it".to_string()),
            ("trained_user", "Priya Shah, trained March 2025".to_string()),
            (
                "fed_back",
                "Told Tunde how she lit up when he answered her".to_string(),
            ),
        ]);
        let saved = clinician.post(&path).form(&fields).send().await.unwrap();
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let page = get_text(&app, &clinician, &format!("/families/{family}")).await;
        assert!(
            page.contains("He copied her coo and she cooed back")
                && page.contains("vocalised (cooed, babbled), made eye contact")
        );
        assert!(page
            .contains("Band B, as the manual words it (used by Priya Shah, trained March 2025)"));
        assert!(!page.to_lowercase().contains("bonding score"));

        // The timeline holds both, and filters by type and by person.
        let timeline = |page: String| {
            page.split("data-testid=\"timeline\"")
                .nth(1)
                .map(|rest| rest.split("</ul>").next().unwrap_or("").to_string())
                .unwrap_or_default()
        };
        let get = |path: String| {
            let clinician = clinician.clone();
            let url = app.url(&path);
            async move {
                clinician
                    .get(url)
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap()
            }
        };
        let all = timeline(get(format!("/families/{family}")).await);
        assert!(all.contains("He copied her coo") && all.contains("Paused when she turned away"));
        let moments = timeline(get(format!("/families/{family}?type=moment&person={tunde}")).await);
        assert!(
            moments.contains("He copied her coo")
                && !moments.contains("Paused when she turned away")
        );
        let mothers = get(format!("/families/{family}?person=mother&type=observation")).await;
        assert!(mothers.contains("Nothing on the timeline matches"));
        let record: Value = get_json(&app, &clinician, &format!("/api/v1/families/{family}")).await;
        assert_eq!(
            record["observations"][0]["tool"]["result"],
            "Band B, as the manual words it"
        );
        assert_eq!(
            record["moments"][0]["observation"],
            record["observations"][0]["id"]
        );

        // Corrected, with a reason, and the earlier version kept.
        let observation = record["observations"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let correct = |body: Value| {
            let clinician = clinician.clone();
            let token = token.clone();
            let url = app.url(&format!(
                "/api/v1/families/{family}/observations/{observation}"
            ));
            async move {
                clinician
                    .post(url)
                    .header("X-CSRF-Token", token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
            }
        };
        let corrected_body = serde_json::json!({
            "caregiver": tunde, "observed_day": today.day().to_string(),
            "observed_month": u8::from(today.month()).to_string(), "observed_year": today.year().to_string(),
            "setting": "clinic", "responsiveness": "Paused when she turned away, and waited for her to look back",
            "tool": "Invented Interaction Scale", "tool_version": "2.1", "tool_result": "Band B, as the manual words it",
            "trained_user": "Priya Shah, trained March 2025", "version": 1
        });
        let no_reason = correct(corrected_body.clone()).await;
        assert_eq!(no_reason.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let mut with_reason = corrected_body.clone();
        with_reason["reason"] = "It was in clinic, not at home".into();
        assert_eq!(correct(with_reason.clone()).await.status(), StatusCode::OK);
        assert_eq!(
            correct(with_reason).await.status(),
            StatusCode::CONFLICT,
            "from an out-of-date copy"
        );
        let history = get(format!(
            "/families/{family}/history/observation/{observation}"
        ))
        .await;
        assert!(
            history.contains("It was in clinic, not at home") && history.contains("At home"),
            "{history}"
        );
        let page = get(format!("/families/{family}")).await;
        assert!(page.contains(&format!(
            "/families/{family}/history/observation/{observation}"
        )));

        // The positive moment is corrected on its own, with its history.
        let moment = record["moments"][0]["id"].as_str().unwrap().to_string();
        let corrected = clinician
            .post(app.url(&format!("/api/v1/families/{family}/moments/{moment}")))
            .header("X-CSRF-Token", &token)
            .json(&serde_json::json!({
                "observed_day": today.day().to_string(), "observed_month": u8::from(today.month()).to_string(),
                "observed_year": today.year().to_string(), "moment": "He copied her coo and she cooed back, four turns",
                "baby_responses": ["vocalising"], "fed_back": "Told Tunde how she lit up when he answered her",
                "version": 1, "reason": "Four turns, not three"
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(corrected.status(), StatusCode::OK);
        let history = get(format!("/families/{family}/history/moment/{moment}")).await;
        assert!(history.contains("three turns") && history.contains("Four turns, not three"));
        assert!(get(format!("/families/{family}"))
            .await
            .contains("four turns"));
        // And from the page: the form holds the moment as it now reads.
        let form_path = format!("/families/{family}/moments/{moment}");
        let form = get(form_path.clone()).await;
        assert!(form.contains("Correct a positive moment") && form.contains("four turns"));
        assert!(
            !form.contains("name=\"setting\""),
            "only the moment's own fields"
        );
        assert_eq!(hidden_field(&form, "version").as_deref(), Some("2"));
        let fields = |what: &str, reason: &str| {
            vec![
                ("csrf_token", token.clone()),
                ("observed_day", today.day().to_string()),
                ("observed_month", u8::from(today.month()).to_string()),
                ("observed_year", today.year().to_string()),
                ("moment", what.to_string()),
                ("baby_responses", "vocalising".to_string()),
                ("baby_responses", "smile".to_string()),
                ("fed_back", "Told Tunde how she lit up".to_string()),
                ("version", "2".to_string()),
                ("reason", reason.to_string()),
            ]
        };
        let refused = clinician
            .post(app.url(&form_path))
            .form(&fields("", ""))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let refused = refused.text().await.unwrap();
        assert!(
            refused.contains("Told Tunde how she lit up"),
            "typed values kept"
        );
        assert!(refused.contains("nhsuk-error-summary"));
        let saved = clinician
            .post(app.url(&form_path))
            .form(&fields(
                "He copied her coo, four turns, then she smiled",
                "She smiled too",
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let page = get(format!("/families/{family}")).await;
        assert!(page.contains("then she smiled") && page.contains("smiled"));
        let history = get(format!("/families/{family}/history/moment/{moment}")).await;
        assert!(history.contains("She smiled too") && history.contains("four turns"));
        let audit: Vec<String> = audit_actions(&app).await.into_iter().map(|r| r.1).collect();
        assert!(audit.contains(&"observation.record".to_string()));
        app.database.cleanup().await;
    }
);

on_both_backends!(
    you_and_your_baby_is_strengths_first_plain_and_keeps_other_peoples_words_out,
    |backend| async move {
        let app = app(backend).await;
        let clinician = app.signed_in("clinician").await;
        let token = app.csrf_token(&clinician).await;
        let family = family_of(&app, &clinician, "Amara Okafor").await;
        let record: Value = get_json(&app, &clinician, &format!("/api/v1/families/{family}")).await;
        let tunde = record["people"][0]["id"].as_str().unwrap().to_string();
        let (day, month, year) = date_fields(time::OffsetDateTime::now_utc().date());
        let api = |path: String, body: Value| {
            let clinician = clinician.clone();
            let token = token.clone();
            let url = app.url(&path);
            async move {
                let response = clinician
                    .post(url)
                    .header("X-CSRF-Token", token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(
                    response.status(),
                    StatusCode::CREATED,
                    "{}",
                    response.text().await.unwrap()
                );
            }
        };
        api(
            format!("/api/v1/families/{family}/observations"),
            serde_json::json!({"caregiver": tunde, "observed_day": day, "observed_month": month, "observed_year": year,
                "setting": "home", "moment": "You sang to her while you changed her nappy.",
                "baby_responses": ["smile", "vocalising"], "fed_back": "Told him she loves his singing"}),
        )
        .await;
        api(
            format!("/api/v1/families/{family}/conversations"),
            serde_json::json!({"participants": [tunde], "held_day": day, "held_month": month, "held_year": year,
                "enjoy": "Bath time is our time", "finish": "yes"}),
        )
        .await;
        api(
            format!("/api/v1/families/{family}/conversations"),
            serde_json::json!({"participants": [tunde, "mother"], "seen": "together", "held_day": day, "held_month": month,
                "held_year": year, "enjoy": "Amara said she misses her sister", "finish": "yes"}),
        )
        .await;
        api(
            format!("/api/v1/families/{family}/notes"),
            serde_json::json!({"subject": tunde, "kind": "strength", "text": "You stay calm and gentle when she is upset",
                "noted_day": day, "noted_month": month, "noted_year": year}),
        )
        .await;
        api(
            format!("/api/v1/families/{family}/notes"),
            serde_json::json!({"subject": tunde, "kind": "experience", "text": "Helped raise his two younger brothers",
                "noted_day": day, "noted_month": month, "noted_year": year}),
        )
        .await;
        let wrong_subject = clinician
            .post(app.url(&format!("/families/{family}/notes")))
            .form(&[
                ("csrf_token", token.as_str()),
                ("subject", "family"),
                ("kind", "strength"),
                ("text", "Everyone pitches in"),
                ("noted_day", day.as_str()),
                ("noted_month", month.as_str()),
                ("noted_year", year.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(wrong_subject.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            wrong_subject
                .text()
                .await
                .unwrap()
                .contains("Everyone pitches in"),
            "what was typed is kept"
        );
        let page = get_text(&app, &clinician, &format!("/families/{family}")).await;
        assert!(
            page.contains("Skills and experience with babies")
                && page.contains("Helped raise his two younger brothers")
        );
        let note = link_labelled(
            &page,
            "Correct",
            " the note: Skills and experience with babies",
        );
        let correct_note = |reason: &str| {
            vec![
                ("csrf_token", token.clone()),
                ("version", "1".to_string()),
                ("subject", tunde.clone()),
                ("kind", "experience".to_string()),
                (
                    "text",
                    "Helped raise his three younger brothers".to_string(),
                ),
                ("noted_day", day.clone()),
                ("noted_month", month.clone()),
                ("noted_year", year.clone()),
                ("reason", reason.to_string()),
            ]
        };
        let no_reason = clinician
            .post(app.url(&note))
            .form(&correct_note(""))
            .send()
            .await
            .unwrap();
        assert_eq!(no_reason.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            no_reason
                .text()
                .await
                .unwrap()
                .contains("three younger brothers"),
            "what was typed is kept"
        );
        let corrected = clinician
            .post(app.url(&note))
            .form(&correct_note("Three, not two"))
            .send()
            .await
            .unwrap();
        assert_eq!(corrected.status(), StatusCode::SEE_OTHER);
        let note_id = note.rsplit('/').next().unwrap();
        let history = get_text(
            &app,
            &clinician,
            &format!("/families/{family}/history/note/{note_id}"),
        )
        .await;
        assert!(
            history.contains("Helped raise his two younger brothers")
                && history.contains("Three, not two")
        );
        let summary = get_text(
            &app,
            &clinician,
            &format!("/families/{family}/you-and-your-baby/{tunde}"),
        )
        .await;
        assert!(summary.contains("You sang to her while you changed her nappy. Then Ada smiled at you and made happy sounds."), "{summary}");
        assert!(
            summary.contains("Bath time is our time"),
            "his own words, from a conversation with him alone"
        );
        assert!(
            !summary.contains("misses her sister"),
            "a joint conversation may hold someone else's words"
        );
        assert!(summary.contains("Never shake a baby"));
        assert!(
            summary.contains("You stay calm and gentle when she is upset."),
            "strengths first"
        );
        assert!(
            !summary.contains("younger brothers"),
            "experience is for the team, not the printout"
        );

        // Measured: the whole printed text reads at an age of about 9 to 11.
        let start = summary.find("data-testid=\"caregiver-summary\"").unwrap();
        let end = summary.find("Back to the family").unwrap();
        // Headings and list items are sentences of their own.
        let blocks = summary[start..end]
            .replace("</h1>", ".</h1>")
            .replace("</h2>", ".</h2>")
            .replace("</li>", ".</li>")
            .replace("..", ".");
        let mut text = String::new();
        let mut in_tag = false;
        for c in blocks.chars() {
            match c {
                '<' => in_tag = true,
                '>' => {
                    in_tag = false;
                    text.push(' ');
                }
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        let text = text.replace("&#39;", "'").replace("&quot;", "\"");
        let age = cradle_domain::summaries::flesch_kincaid_grade(&text) + 5.0;
        assert!((9.0..=11.0).contains(&age), "reading age {age:.1}");
        let audit: Vec<(String, String, Option<String>)> = audit_actions(&app).await;
        assert!(audit
            .iter()
            .any(|(_, action, _)| action == "record.printout"));
        app.database.cleanup().await;
    }
);

on_both_backends!(
    a_nursery_nursing_plan_falls_due_for_review_after_six_attended_sessions,
    |backend| async move {
        let app = app(backend).await;
        let nurse = app.signed_in("nursery.nurse").await;
        let token = app.csrf_token(&nurse).await;
        let family = family_of(&app, &nurse, "Amara Okafor").await;
        let get = |path: String| {
            let nurse = nurse.clone();
            let url = app.url(&path);
            async move { nurse.get(url).send().await.unwrap().text().await.unwrap() }
        };
        let post = |path: String, fields: Vec<(&'static str, String)>| {
            let nurse = nurse.clone();
            let url = app.url(&path);
            let mut fields = fields;
            fields.push(("csrf_token", token.clone()));
            async move { nurse.post(url).form(&fields).send().await.unwrap() }
        };
        let grace = add_person(&app, &nurse, &token, &family, "Grace Adebayo").await;
        let record: Value = get_json(&app, &nurse, &format!("/api/v1/families/{family}")).await;
        let tunde = record["people"][0]["id"].as_str().unwrap().to_string();
        let today = time::OffsetDateTime::now_utc().date();
        let day = |days_ago: i64| {
            let d = today - time::Duration::days(days_ago);
            (
                d.day().to_string(),
                u8::from(d.month()).to_string(),
                d.year().to_string(),
            )
        };

        // No plan yet: the caseload says so.
        assert!(get("/families?q=amara".to_string())
            .await
            .contains("No care plan yet"));

        // A nursery nursing plan needs its assessment and planned sessions.
        let (d, m, y) = day(10);
        let refused = post(
            format!("/families/{family}/plans"),
            vec![
                ("kind", "nursery_nursing".into()),
                ("focus", "postnatal".into()),
                ("agreed_day", d.clone()),
                ("agreed_month", m.clone()),
                ("agreed_year", y.clone()),
                ("planned_sessions", "8".into()),
            ],
        )
        .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let refused = refused.text().await.unwrap();
        assert!(refused.contains("Enter the nursery nursing assessment"));
        assert!(refused.contains("value=\"8\""), "what was typed is kept");
        let created = post(
            format!("/families/{family}/plans"),
            vec![
                ("kind", "nursery_nursing".into()),
                ("focus", "postnatal".into()),
                ("agreed_day", d.clone()),
                ("agreed_month", m.clone()),
                ("agreed_year", y.clone()),
                (
                    "assessment",
                    "Night-time routines and sharing care with Grace".into(),
                ),
                ("planned_sessions", "8".into()),
                ("after_mbu", "yes".into()),
            ],
        )
        .await;
        assert_eq!(created.status(), StatusCode::SEE_OTHER);
        let plan_path = location(&created);
        let plan = plan_path.rsplit('/').next().unwrap().to_string();

        // Two goals: one for the couple, one for the grandmother. A rating from someone the
        // goal does not belong to, or outside 0 to 10, is refused.
        let agreed = (d.clone(), m.clone(), y.clone());
        let goal = |who: Vec<&str>, words: &str, baseline: &str, by: &str| {
            goal_fields(&who, words, baseline, by, &agreed)
        };
        let goals_path = format!("/families/{family}/plans/{plan}/goals");
        let wrong = post(
            goals_path.clone(),
            goal(
                vec!["mother", &tunde],
                "Share the night feeds",
                "11",
                &grace,
            ),
        )
        .await;
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let wrong = wrong.text().await.unwrap();
        assert!(wrong.contains("must be a whole number from 0 to 10"));
        assert!(wrong.contains("Grace Adebayo is not one of the people this goal belongs to"));
        for (who, words, score, by) in [
            (
                vec!["mother", tunde.as_str()],
                "Share the night feeds",
                "3",
                "mother",
            ),
            (
                vec![grace.as_str()],
                "Feel confident settling Ada",
                "2",
                grace.as_str(),
            ),
        ] {
            let saved = post(goals_path.clone(), goal(who, words, score, by)).await;
            assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        }
        let record: Value = get_json(&app, &nurse, &format!("/api/v1/families/{family}")).await;
        let goals: Vec<String> = record["plans"][0]["goals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(goals.len(), 2);

        // Seven sessions, one a did-not-attend. Bad input first: before the referral, and
        // someone from another family.
        let sessions_path = format!("/families/{family}/plans/{plan}/sessions");
        let session = |days_ago: i64, attendance: &str, attendees: Vec<&str>| {
            let (sd, sm, sy) = day(days_ago);
            let mut fields: Vec<(&'static str, String)> = vec![
                ("held_day", sd),
                ("held_month", sm),
                ("held_year", sy),
                ("place", "home".to_string()),
                ("attendance", attendance.to_string()),
                ("seen", "together".to_string()),
                ("focus", "postnatal".to_string()),
                ("goals", goals[0].clone()),
                (
                    "notes",
                    "Practised the bedtime routine together".to_string(),
                ),
            ];
            fields.extend(attendees.iter().map(|a| ("attendees", a.to_string())));
            fields
        };
        let early = post(
            sessions_path.clone(),
            session(400, "attended", vec!["mother"]),
        )
        .await;
        assert_eq!(early.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(early
            .text()
            .await
            .unwrap()
            .contains("on or after the referral date"));
        let stranger = uuid::Uuid::now_v7().to_string();
        let outsider = post(
            sessions_path.clone(),
            session(9, "attended", vec!["mother", &stranger]),
        )
        .await;
        assert_eq!(outsider.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(outsider
            .text()
            .await
            .unwrap()
            .contains("Everyone who attended must be in this family"));
        let record_session = |days_ago: i64, attendance: &'static str| {
            let fields = if attendance == "attended" {
                session(days_ago, attendance, vec!["mother", &tunde, &grace])
            } else {
                session(days_ago, attendance, vec![])
            };
            post(sessions_path.clone(), fields)
        };
        for (n, (days_ago, attendance)) in [
            (9, "attended"),
            (8, "attended"),
            (7, "did_not_attend"),
            (6, "attended"),
            (5, "attended"),
            (4, "attended"),
        ]
        .into_iter()
        .enumerate()
        {
            let saved = record_session(days_ago, attendance).await;
            assert_eq!(saved.status(), StatusCode::SEE_OTHER, "session {}", n + 1);
            let page = get(plan_path.clone()).await;
            assert!(
                !page.contains("data-testid=\"review-due\""),
                "not due after {} sessions (one did not attend)",
                n + 1
            );
        }
        let page = get(plan_path.clone()).await;
        assert!(page.contains("5 attended of 8 planned; 1 not attended or cancelled (not counted)"));
        assert!(record_session(3, "attended").await.status() == StatusCode::SEE_OTHER);
        let page = get(plan_path.clone()).await;
        assert!(
            page.contains("data-testid=\"review-due\""),
            "due after the sixth attended"
        );
        assert!(get(format!("/families/{family}"))
            .await
            .contains("Review due"));
        assert!(get("/families?q=amara".to_string())
            .await
            .contains("Review due"));
        let timeline = get(format!("/families/{family}?type=session&person={grace}")).await;
        assert!(timeline.contains("Nursery nursing session: Attended, at home."));

        // The review: a goal left unrated is refused, with everything typed kept.
        let reviews_path = format!("/families/{family}/plans/{plan}/reviews");
        let (rd, rm, ry) = day(2);
        let mut review = vec![
            ("reviewed_day", rd),
            ("reviewed_month", rm),
            ("reviewed_year", ry),
            (
                "what_changed",
                "Nights are shared; Grace settles Ada on her own".to_string(),
            ),
            ("decision", "continue".to_string()),
        ];
        // The couple's goal: each of them rates it, in a box of their own.
        let form = get(format!("{reviews_path}/new")).await;
        for rater in ["Amara Okafor", "Tunde Okafor", "Grace Adebayo"] {
            assert!(
                form.contains(&format!("{rater}&#39;s rating now, from 0 to 10")),
                "{rater}: {form}"
            );
        }
        let key = |goal: &str, member: &str| -> &'static str {
            Box::leak(format!("score-{goal}-{member}").into_boxed_str())
        };
        review.push((key(&goals[0], "mother"), "6".to_string()));
        review.push((key(&goals[0], &tunde), "7".to_string()));
        let unrated = post(reviews_path.clone(), review.clone()).await;
        assert_eq!(unrated.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let unrated = unrated.text().await.unwrap();
        assert!(unrated.contains("Enter a rating from 0 to 10 for “Feel confident settling Ada”"));
        assert!(unrated.contains("Grace settles Ada on her own"));
        assert!(unrated.contains("value=\"7\""), "his rating is kept");
        review.push((key(&goals[1], &grace), "8".to_string()));
        let saved = post(reviews_path.clone(), review).await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let page = get(plan_path.clone()).await;
        assert!(
            !page.contains("data-testid=\"review-due\""),
            "the count starts again"
        );
        assert!(page.contains("data-testid=\"goal-chart\""));
        assert!(page.contains("Goal 2, Feel confident settling Ada: 2 at Start"));
        assert!(
            page.contains("8 (Grace Adebayo)"),
            "the table names who rated"
        );
        assert!(
            page.contains("6 (Amara Okafor); 7 (Tunde Okafor)"),
            "each partner's rating of the couple's goal: {page}"
        );
        // Each partner's ratings are a line of their own, never joined to the other's.
        assert!(page.contains("Goal 1, Tunde Okafor, Share the night feeds: 7 at Review 1"));
        assert!(page.contains("Goal 1, Amara Okafor, Share the night feeds: 3 at Start"));
        assert!(page.contains("Carry on with the plan"));

        // Through the API too: the same checks, the same audit.
        let api_session = nurse
            .post(app.url(&format!("/api/v1/families/{family}/plans/{plan}/sessions")))
            .header("X-CSRF-Token", &token)
            .json(&serde_json::json!({
                "held_day": day(1).0, "held_month": day(1).1, "held_year": day(1).2,
                "place": "video", "attendance": "cancelled_by_family", "focus": "postnatal"
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(api_session.status(), StatusCode::CREATED);
        let bad = nurse
            .post(app.url(&format!("/api/v1/families/{family}/plans/{plan}/reviews")))
            .header("X-CSRF-Token", &token)
            .json(&serde_json::json!({"reviewed_day": day(1).0, "reviewed_month": day(1).1, "reviewed_year": day(1).2,
                "ratings": [{"goal": goals[0], "score": "12", "rated_by": "mother"}],
                "what_changed": "x", "decision": "continue"}))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = bad.json().await.unwrap();
        assert!(problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == "ratings"));
        let record: Value = get_json(&app, &nurse, &format!("/api/v1/families/{family}")).await;
        assert_eq!(
            record["plans"][0]["reviews"].as_array().unwrap().len(),
            1,
            "nothing half-saved"
        );
        assert_eq!(record["plans"][0]["sessions"].as_array().unwrap().len(), 8);

        // Ending the plan.
        let (cd, cm, cy) = day(0);
        let ended = post(
            format!("/families/{family}/plans/{plan}/end"),
            vec![
                ("closed_day", cd),
                ("closed_month", cm),
                ("closed_year", cy),
                (
                    "summary",
                    "Goals reached; Grace carries on with bedtimes".to_string(),
                ),
            ],
        )
        .await;
        assert_eq!(ended.status(), StatusCode::SEE_OTHER);
        assert!(get(plan_path.clone())
            .await
            .contains("Goals reached; Grace carries on"));
        let late = record_session(0, "attended").await;
        assert_eq!(
            late.status(),
            StatusCode::CONFLICT,
            "an ended plan takes nothing more"
        );

        let audit: Vec<String> = audit_actions(&app).await.into_iter().map(|r| r.1).collect();
        for action in [
            "care_plan.create",
            "goal.agree",
            "session.record",
            "review.record",
            "care_plan.close",
        ] {
            assert!(audit.contains(&action.to_string()), "{action} is audited");
        }
        app.database.cleanup().await;
    }
);

on_both_backends!(
    a_team_manager_sets_when_reviews_fall_due_for_their_own_teams_only,
    |backend| async move {
        let app = app(backend).await;
        let manager = app.signed_in("manager").await;
        let token = app.csrf_token(&manager).await;
        let teams: Value = get_json(&app, &manager, "/api/v1/me").await;
        let team = teams["teams"][0].as_str().unwrap().to_string();
        let page = get_text(&app, &manager, &format!("/teams/{team}/settings")).await;
        assert!(
            page.contains("value=\"6\""),
            "six unless the team says otherwise"
        );
        let refused = manager
            .post(app.url(&format!("/teams/{team}/settings")))
            .form(&[
                ("csrf_token", token.as_str()),
                ("sessions_before_review", "0"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().await.unwrap().contains("from 1 to 20"));
        let saved = manager
            .post(app.url(&format!("/api/v1/teams/{team}/settings")))
            .header("X-CSRF-Token", &token)
            .json(&serde_json::json!({"sessions_before_review": 8}))
            .send()
            .await
            .unwrap();
        assert_eq!(saved.status(), StatusCode::OK);
        let now: Value = get_json(&app, &manager, &format!("/api/v1/teams/{team}/settings")).await;
        assert_eq!(now["sessions_before_review"], 8);
        // A clinician may not change it; nor may a manager for a team that is not theirs.
        let clinician = app.signed_in("clinician").await;
        let clinician_token = app.csrf_token(&clinician).await;
        let forbidden = clinician
            .post(app.url(&format!("/api/v1/teams/{team}/settings")))
            .header("X-CSRF-Token", &clinician_token)
            .json(&serde_json::json!({"sessions_before_review": 3}))
            .send()
            .await
            .unwrap();
        assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
        let elsewhere = uuid::Uuid::now_v7();
        let not_theirs = manager
            .get(app.url(&format!("/api/v1/teams/{elsewhere}/settings")))
            .send()
            .await
            .unwrap();
        assert_eq!(not_theirs.status(), StatusCode::FORBIDDEN);
        let audit: Vec<String> = audit_actions(&app).await.into_iter().map(|r| r.1).collect();
        assert!(audit.contains(&"team.settings".to_string()));
        app.database.cleanup().await;
    }
);

on_both_backends!(
    a_father_is_offered_vipp_accepts_and_each_session_of_the_series_is_recorded_the_first_starting_it,
    |backend| async move {
        let app = app(backend).await;
        let nurse = app.signed_in("nursery.nurse").await;
        let token = app.csrf_token(&nurse).await;
        let family = family_of(&app, &nurse, "Amara Okafor").await;
        let get = |path: String| {
            let nurse = nurse.clone();
            let url = app.url(&path);
            async move { nurse.get(url).send().await.unwrap().text().await.unwrap() }
        };
        let post = |path: String, fields: Vec<(&'static str, String)>| {
            let nurse = nurse.clone();
            let url = app.url(&path);
            let mut fields = fields;
            fields.push(("csrf_token", token.clone()));
            async move { nurse.post(url).form(&fields).send().await.unwrap() }
        };
        let record: Value = get_json(&app, &nurse, &format!("/api/v1/families/{family}")).await;
        let tunde = record["people"][0]["id"].as_str().unwrap().to_string();
        let team = record["family"]["team_id"].as_str().unwrap().to_string();
        let catalogue: Value =
            get_json(&app, &nurse, &format!("/api/v1/teams/{team}/interventions")).await;
        let vipp = catalogue
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"].as_str().unwrap().contains("VIPP"))
            .unwrap()
            .clone();
        let (d, m, y) = date_fields(time::OffsetDateTime::now_utc().date());

        // Offered: who it is for and what must be chosen.
        let refused = post(format!("/families/{family}/interventions"), vec![]).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let refused = refused.text().await.unwrap();
        assert!(refused.contains("Select who it is offered to"));
        assert!(refused.contains("Select an intervention from the team&#39;s catalogue"));
        let offered = post(
            format!("/families/{family}/interventions"),
            vec![
                ("member", tunde.clone()),
                ("intervention", vipp["id"].as_str().unwrap().to_string()),
                ("delivered_by", "Tom Baker".into()),
                ("offered_day", d.clone()),
                ("offered_month", m.clone()),
                ("offered_year", y.clone()),
            ],
        )
        .await;
        assert_eq!(offered.status(), StatusCode::SEE_OTHER);
        let record: Value = get_json(&app, &nurse, &format!("/api/v1/families/{family}")).await;
        let intervention = record["interventions"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let steps = format!("/families/{family}/interventions/{intervention}/steps");
        let step = |code: &str, reason: &str| {
            vec![
                ("step", code.to_string()),
                ("step_day", d.clone()),
                ("step_month", m.clone()),
                ("step_year", y.clone()),
                ("reason", reason.to_string()),
            ]
        };
        // Started before accepted is refused; declining needs a reason.
        let early = post(steps.clone(), step("started", "")).await;
        assert_eq!(early.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(early
            .text()
            .await
            .unwrap()
            .contains("Select what happened next: accepted or declined"));
        let no_reason = post(steps.clone(), step("declined", "")).await;
        assert!(no_reason
            .text()
            .await
            .unwrap()
            .contains("Enter why it was declined"));
        assert_eq!(
            post(steps.clone(), step("accepted", "")).await.status(),
            StatusCode::SEE_OTHER
        );

        // Sessions of the series: the number and one of the themes, each number once. The
        // first session of an accepted series starts it: no separate "started" step first.
        let series = format!("/families/{family}/interventions/{intervention}/series");
        let form = get(series.clone()).await;
        assert!(
            form.contains("Speaking for the baby"),
            "the catalogue's themes are offered"
        );
        let session = |number: &str, theme: &str| {
            vec![
                ("number", number.to_string()),
                ("theme", theme.to_string()),
                ("series_day", d.clone()),
                ("series_month", m.clone()),
                ("series_year", y.clone()),
            ]
        };
        assert_eq!(
            post(
                series.clone(),
                session(
                    "1",
                    "Exploration and attachment: the baby's two kinds of signals"
                )
            )
            .await
            .status(),
            StatusCode::SEE_OTHER
        );
        let again = post(series.clone(), session("1", "Speaking for the baby")).await;
        assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again
            .text()
            .await
            .unwrap()
            .contains("Session 1 of the series is already recorded"));
        let beyond = post(series.clone(), session("7", "Speaking for the baby")).await;
        assert!(beyond.text().await.unwrap().contains("from 1 to 6"));
        assert_eq!(
            post(series.clone(), session("2", "Speaking for the baby"))
                .await
                .status(),
            StatusCode::SEE_OTHER
        );
        let page = get(format!("/families/{family}")).await;
        let listed = page
            .split("data-testid=\"interventions\"")
            .nth(1)
            .and_then(|rest| rest.split("</dl>").next())
            .unwrap_or_default()
            .to_string();
        assert!(listed.contains(
            "Tunde Okafor: Video-feedback intervention to promote positive parenting (VIPP)"
        ));
        assert!(listed.contains("Started"));
        assert!(
            listed.contains("Sessions of the series (of 6): 1 ("),
            "{listed}"
        );
        assert!(listed.contains("2 (Speaking for the baby"));

        // Stopped, with a reason; nothing can follow.
        assert_eq!(
            post(
                steps.clone(),
                step(
                    "stopped",
                    "Back at work full time; will ask again in spring"
                )
            )
            .await
            .status(),
            StatusCode::SEE_OTHER
        );
        let after = post(steps.clone(), step("completed", "")).await;
        assert!(after.text().await.unwrap().contains("nothing can follow"));

        // Someone marked do not involve is never offered anything.
        let client = app.signed_in("clinician").await;
        let client_token = app.csrf_token(&client).await;
        let restricted = client
            .post(app.url(&format!("/api/v1/families/{family}/people/{tunde}/restrictions")))
            .header("X-CSRF-Token", &client_token)
            .json(&with_review(serde_json::json!({"kind": "do_not_involve", "decided_by": "Safeguarding lead", "reason": "Disclosure made to the team"})))
            .send()
            .await
            .unwrap();
        assert_eq!(restricted.status(), StatusCode::CREATED);
        let offer_again = client
            .post(app.url(&format!("/api/v1/families/{family}/interventions")))
            .header("X-CSRF-Token", &client_token)
            .json(&serde_json::json!({"member": tunde, "intervention": vipp["id"], "delivered_by": "Tom Baker",
                "offered_day": d, "offered_month": m, "offered_year": y}))
            .send()
            .await
            .unwrap();
        assert_eq!(offer_again.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(offer_again.text().await.unwrap().contains("do not involve"));

        let audit: Vec<String> = audit_actions(&app).await.into_iter().map(|r| r.1).collect();
        for action in [
            "intervention.offer",
            "intervention.step",
            "intervention.series",
        ] {
            assert!(audit.contains(&action.to_string()), "{action} is audited");
        }
        app.database.cleanup().await;
    }
);

on_both_backends!(
    a_father_is_offered_an_assessment_and_his_decline_is_respected_until_its_date,
    |backend| async move {
        let app = app(backend).await;
        let client = app.signed_in("clinician").await;
        let token = app.csrf_token(&client).await;
        let family = family_of(&app, &client, "Amara Okafor").await;
        let read = || async {
            let record: Value =
                get_json(&app, &client, &format!("/api/v1/families/{family}")).await;
            record
        };
        let tunde = read().await["people"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let step = |body: Value| {
            let request = client
                .post(app.url(&format!("/api/v1/families/{family}/people/{tunde}/pathway")))
                .header("X-CSRF-Token", &token)
                .json(&body);
            async move { request.send().await.unwrap() }
        };
        let today = app.app.today();
        let day = |d: time::Date| d.to_string();

        // Steps come in order: nothing can be accepted before an offer.
        let early = step(serde_json::json!({"step": "accepted", "on": day(today)})).await;
        assert_eq!(early.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(early
            .text()
            .await
            .unwrap()
            .contains("Record how the person was identified first"));

        for body in [
            serde_json::json!({"step": "identified", "on": day(today), "how": "at_referral"}),
            serde_json::json!({"step": "offered", "on": day(today), "method": "in_person"}),
        ] {
            let made = step(body).await;
            assert_eq!(
                made.status(),
                StatusCode::CREATED,
                "{}",
                made.text().await.unwrap()
            );
        }
        let no_reason = step(serde_json::json!({"step": "declined", "on": day(today), "reason": "", "ask_again_from": day(today + time::Duration::days(90))})).await;
        assert_eq!(no_reason.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let declined = step(serde_json::json!({"step": "declined", "on": day(today),
            "reason": "Wants to settle in with the baby first", "ask_again_from": day(today + time::Duration::days(90))})).await;
        assert_eq!(declined.status(), StatusCode::CREATED);
        let pathway: Value = declined.json().await.unwrap();
        assert_eq!(pathway["steps"].as_array().unwrap().len(), 3);
        assert_eq!(pathway["steps"][2]["recorded_by_name"], "Priya Shah");

        // The decline is respected: no new offer before the date he gave.
        let again =
            step(serde_json::json!({"step": "offered", "on": day(today), "method": "phone"})).await;
        assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let said = again.text().await.unwrap();
        assert!(
            said.contains("asked not to be offered again before"),
            "{said}"
        );

        // The family record carries his pathway, in order.
        let record = read().await;
        assert_eq!(record["pathways"][0]["person_id"], tunde.as_str());
        let kinds: Vec<&str> = record["pathways"][0]["pathway"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["step"]["step"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["identified", "offered", "declined"]);

        // Nobody marked do not contact is put on the pathway or offered anything.
        let restricted = client
            .post(app.url(&format!("/api/v1/families/{family}/people/{tunde}/restrictions")))
            .header("X-CSRF-Token", &token)
            .json(&with_review(serde_json::json!({"kind": "do_not_contact", "decided_by": "Safeguarding lead", "reason": "Asked the team not to contact him"})))
            .send()
            .await
            .unwrap();
        assert_eq!(restricted.status(), StatusCode::CREATED);
        let later = step(
            serde_json::json!({"step": "followed_up", "on": day(today), "note": "Checked in"}),
        )
        .await;
        assert_eq!(later.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(later.text().await.unwrap().contains("do not contact"));
        // The caseload shows the mark, not where he was on the pathway.
        let caseload = get_text(&app, &client, "/families?q=Amara").await;
        assert!(caseload.contains("Do not contact"), "{caseload}");
        assert!(!caseload.contains("partner pathway:"), "{caseload}");

        // Someone outside the family is not found; every step is audited.
        let stranger = client
            .post(app.url(&format!(
                "/api/v1/families/{family}/people/{}/pathway",
                uuid::Uuid::now_v7()
            )))
            .header("X-CSRF-Token", &token)
            .json(&serde_json::json!({"step": "identified", "on": day(today), "how": "later"}))
            .send()
            .await
            .unwrap();
        assert_eq!(stranger.status(), StatusCode::NOT_FOUND);
        let audit: Vec<String> = audit_actions(&app).await.into_iter().map(|r| r.1).collect();
        assert_eq!(audit.iter().filter(|a| *a == "pathway.step").count(), 3);

        // The team manager sees him counted in this month's figures, on the page and as CSV;
        // a clinician cannot open them.
        let forbidden = client
            .get(app.url("/reports/partners"))
            .send()
            .await
            .unwrap();
        assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
        let manager = app.signed_in("manager").await;
        let figures = get_text(&app, &manager, "/reports/partners").await;
        assert!(figures.contains("partner-figures"), "{figures}");
        let csv = get_text(&app, &manager, "/reports/partners.csv").await;
        let month = format!(
            "{} {}",
            cradle_domain::dates::month_name(today.month()),
            today.year()
        );
        assert!(
            csv.starts_with(
                "Team,Month,Identified,Offered an assessment,Accepted,Declined,Assessed"
            ),
            "{csv}"
        );
        assert!(csv.contains(&format!("{month},1,1,0,1,0,0,0,0")), "{csv}");
        // And by ethnicity, as recorded on his details, for the equity goal.
        assert!(
            figures.contains("partner-figures-by-ethnicity"),
            "{figures}"
        );
        assert!(
            figures.contains("Black or Black British: African"),
            "{figures}"
        );
        let by_ethnicity = get_text(&app, &manager, "/reports/partners-by-ethnicity.csv").await;
        assert!(
            by_ethnicity.starts_with("Team,Ethnic group,Identified,Offered an assessment"),
            "{by_ethnicity}"
        );
        assert!(
            by_ethnicity.contains("Black or Black British: African,1,1,0,1,0,0,0,0"),
            "{by_ethnicity}"
        );
        let audit: Vec<String> = audit_actions(&app).await.into_iter().map(|r| r.1).collect();
        assert!(audit.contains(&"report.view".to_string()));
        app.database.cleanup().await;
    }
);

on_both_backends!(
    the_partner_pathway_page_offers_only_the_next_step_and_keeps_what_was_typed,
    |backend| async move {
        let app = app(backend).await;
        let client = app.signed_in("clinician").await;
        let token = app.csrf_token(&client).await;
        let family = family_of(&app, &client, "Amara Okafor").await;
        let record: Value = get_json(&app, &client, &format!("/api/v1/families/{family}")).await;
        let tunde = record["people"][0]["id"].as_str().unwrap().to_string();
        let url = app.url(&format!("/families/{family}/people/{tunde}/pathway"));
        let page = client
            .get(url.clone())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Not on the pathway"), "{page}");
        assert!(page.contains("Identified as someone to offer an assessment"));
        assert!(
            !page.contains("Offered an assessment"),
            "only the next step is offered"
        );

        // Missing how he was identified: the form again, the date as typed, nothing saved.
        let missing = client
            .post(url.clone())
            .form(&[
                ("csrf_token", token.as_str()),
                ("step", "identified"),
                ("on_day", "2"),
                ("on_month", "11"),
                ("on_year", "2026"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let again = missing.text().await.unwrap();
        assert!(again.contains("Select how they were identified"), "{again}");
        assert!(again.contains("value=\"2\""), "the typed day is kept");

        // Dated before the family's referral: refused until the clinician says why.
        let early = [
            ("csrf_token", token.as_str()),
            ("step", "identified"),
            ("on_day", "2"),
            ("on_month", "1"),
            ("on_year", "2025"),
            ("how", "at_referral"),
        ];
        let refused = client.post(url.clone()).form(&early).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let again = refused.text().await.unwrap();
        assert!(
            again.contains("before the family&#39;s referral on"),
            "{again}"
        );
        assert!(
            again.contains("Why this step came before the family&#39;s referral"),
            "the box for why appears: {again}"
        );
        assert!(!get_text(
            &app,
            &client,
            &format!("/families/{family}/people/{tunde}/pathway")
        )
        .await
        .contains("Steps so far"));

        let saved = client
            .post(url.clone())
            .form(&[
                ("csrf_token", token.as_str()),
                ("step", "identified"),
                ("on_day", "2"),
                ("on_month", "11"),
                ("on_year", "2026"),
                ("how", "at_referral"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let page = client
            .get(url.clone())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Named at the mother&#39;s referral")
                || page.contains("Named at the mother's referral"),
            "{page}"
        );
        assert!(
            page.contains("Identified 2 November 2026; next: offer an assessment"),
            "{page}"
        );
        assert!(page.contains("How was the assessment offered?"));
        let family_page = get_text(&app, &client, &format!("/families/{family}")).await;
        assert!(family_page.contains("Identified 2 November 2026; next: offer an assessment"));

        // The offer and his answer there and then are one form, and two steps.
        assert!(
            page.contains("Did they answer when it was offered?"),
            "{page}"
        );
        let answered = client
            .post(url.clone())
            .form(&[
                ("csrf_token", token.as_str()),
                ("step", "offered"),
                ("on_day", "3"),
                ("on_month", "11"),
                ("on_year", "2026"),
                ("method", "in_person"),
                ("answer", "accepted"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(answered.status(), StatusCode::SEE_OTHER);
        let page = get_text(
            &app,
            &client,
            &format!("/families/{family}/people/{tunde}/pathway"),
        )
        .await;
        assert!(page.contains("Offered an assessment"), "{page}");
        assert!(
            page.contains("Accepted the offer 3 November 2026; next: the assessment"),
            "{page}"
        );
        // On the timeline, newest first, the answer sits above the offer it answered.
        let timeline = get_text(&app, &client, &format!("/families/{family}?type=pathway")).await;
        let (answer, offer) = (
            timeline.find("Partner pathway: Accepted the offer"),
            timeline.find("Partner pathway: Offered an assessment"),
        );
        assert!(answer.is_some() && answer < offer, "{timeline}");
        let details: Vec<String> = audit_records(&app)
            .await
            .into_iter()
            .filter(|r| r.action == "pathway.step")
            .map(|r| r.detail)
            .collect();
        assert!(
            details
                .iter()
                .any(|d| d.starts_with("offered and accepted")),
            "{details:?}"
        );
        app.database.cleanup().await;
    }
);

on_both_backends!(
    a_fathers_phq9_raises_the_self_harm_alert_until_a_clinician_records_acting_on_it,
    |backend| async move {
        let app = app(backend).await;
        let client = app.signed_in("clinician").await;
        let token = app.csrf_token(&client).await;
        let family = family_of(&app, &client, "Amara Okafor").await;
        let read = || async {
            let record: Value =
                get_json(&app, &client, &format!("/api/v1/families/{family}")).await;
            record
        };
        let tunde = read().await["people"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let instruments: Value = get_json(&app, &client, "/api/v1/questionnaires").await;
        let names: Vec<&str> = strings(&instruments, "name");
        assert_eq!(names, ["PHQ-9", "GAD-7"]);
        let post = |path: String, body: Value| {
            let request = client
                .post(app.url(&path))
                .header("X-CSRF-Token", &token)
                .json(&body);
            async move { request.send().await.unwrap() }
        };
        let today = app.app.today().to_string();
        let answers = |ninth: &str| {
            let mut all: Vec<Value> = (1..=8)
                .map(|n| serde_json::json!({"question": format!("phq9-{n}"), "code": "LA6569-3"}))
                .collect();
            all.push(serde_json::json!({"question": "phq9-9", "code": ninth}));
            Value::Array(all)
        };
        let path = format!("/api/v1/families/{family}/people/{tunde}/questionnaires");

        // An answer code PHQ-9 does not have is refused by name; nothing is saved.
        let wrong = post(path.clone(), serde_json::json!({"instrument": "PHQ-9", "population": "adult", "completed_on": today, "answers": answers("7")})).await;
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong
            .text()
            .await
            .unwrap()
            .contains("is not one of the answers to question phq9-9"));
        assert!(read().await["responses"].as_array().unwrap().is_empty());

        let made = post(path.clone(), serde_json::json!({"instrument": "PHQ-9", "population": "adult", "completed_on": today, "answers": answers("LA6569-3")})).await;
        assert_eq!(made.status(), StatusCode::CREATED);
        let response: Value = made.json().await.unwrap();
        assert_eq!(
            response["scored"]["scores"][0]["value"],
            serde_json::json!({"kind": "complete", "value": 9})
        );
        assert_eq!(response["scored"]["scores"][0]["reading"]["band"], "Mild");
        assert_eq!(response["scored"]["alerts"][0]["question"], "phq9-9");
        assert_eq!(response["questionnaire_version"], "1.0.0");
        let id = response["id"].as_str().unwrap().to_string();
        let page = get_text(&app, &client, &format!("/families/{family}")).await;
        assert!(
            page.contains("Safety alert"),
            "the alert shows on the family page"
        );
        assert!(page.contains("Thoughts of being better off dead or of self-harm were reported"));
        // Scores over time: a chart with the population's bands and cut-off, and a table.
        assert!(page.contains("data-testid=\"score-chart\""));
        assert!(page.contains("Cut-off 10"));
        assert!(page.contains("Bands and cut-off drawn for: Adults"));
        assert!(
            page.contains(
                "<td class=\"nhsuk-table__cell\">Mild. Safety alert: no action recorded yet</td>"
            ),
            "{page}"
        );
        // The page's form keeps what was typed when something is wrong.
        let form_url = app.url(&format!(
            "/families/{family}/questionnaires/{id}/alert-action"
        ));
        let form = client
            .get(form_url.clone())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(form.contains("What was done"), "{form}");
        let blank = client
            .post(form_url)
            .form(&[("csrf_token", token.as_str()), ("action", "  ")])
            .send()
            .await
            .unwrap();
        assert_eq!(blank.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(blank
            .text()
            .await
            .unwrap()
            .contains("Enter what was done about the alert"));

        let action = format!("/api/v1/families/{family}/questionnaires/{id}/alert-action");
        let empty = post(action.clone(), serde_json::json!({"action": " "})).await;
        assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let acted = post(action.clone(), serde_json::json!({"action": "Risk assessed with Tunde today: no current plans or intent; safety plan agreed and crisis numbers given"})).await;
        assert_eq!(acted.status(), StatusCode::OK);
        let twice = post(action, serde_json::json!({"action": "Again"})).await;
        assert_eq!(twice.status(), StatusCode::CONFLICT);
        let record = read().await;
        assert_eq!(
            record["responses"][0]["alert_action"]["by_name"],
            "Priya Shah"
        );
        let page = get_text(&app, &client, &format!("/families/{family}")).await;
        assert!(
            !page.contains("questionnaire-alert"),
            "the alert clears once acted on"
        );

        // Nobody marked do not contact is assessed.
        let restricted = post(
            format!("/api/v1/families/{family}/people/{tunde}/restrictions"),
            with_review(serde_json::json!({"kind": "do_not_contact", "decided_by": "Safeguarding lead", "reason": "Asked the team not to contact him"})),
        )
        .await;
        assert_eq!(restricted.status(), StatusCode::CREATED);
        let refused = post(
            path,
            serde_json::json!({"instrument": "GAD-7", "completed_on": today, "answers": []}),
        )
        .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let audit: Vec<String> = audit_actions(&app).await.into_iter().map(|r| r.1).collect();
        assert!(audit.contains(&"questionnaire.record".to_string()));
        assert!(audit.contains(&"questionnaire.alert_action".to_string()));
        app.database.cleanup().await;
    }
);

on_both_backends!(
    a_clinician_completes_a_phq9_with_a_father_on_the_page,
    |backend| async move {
        let app = app(backend).await;
        let client = app.signed_in("clinician").await;
        let token = app.csrf_token(&client).await;
        let family = family_of(&app, &client, "Amara Okafor").await;
        let record: Value = get_json(&app, &client, &format!("/api/v1/families/{family}")).await;
        let tunde = record["people"][0]["id"].as_str().unwrap().to_string();
        let new = app.url(&format!(
            "/families/{family}/people/{tunde}/questionnaires/new"
        ));
        let choose = client
            .get(new.clone())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            choose.contains("Patient Health Questionnaire (PHQ-9)") && choose.contains("GAD-7")
        );
        let form = client
            .get(format!("{new}?instrument=PHQ-9"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            form.contains("9. Thoughts that you would be better off dead"),
            "{form}"
        );
        assert!(form.contains("No permission required to reproduce"));

        let mut fields: Vec<(String, String)> = vec![
            ("csrf_token".into(), token.clone()),
            ("instrument".into(), "PHQ-9".into()),
            ("population".into(), "adult".into()),
        ];
        for n in 1..=8 {
            fields.push((format!("q:phq9-{n}"), "LA6568-5".into()));
        }
        fields.push(("q:phq9-9".into(), "LA6569-3".into()));
        let url = app.url(&format!("/families/{family}/people/{tunde}/questionnaires"));
        // No date: the form again with every answer still ticked; nothing saved.
        let undated = client.post(url.clone()).form(&fields).send().await.unwrap();
        assert_eq!(undated.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let again = undated.text().await.unwrap();
        assert!(again.contains("Enter date completed"), "{again}");
        assert_eq!(
            again.matches(" checked>").count(),
            10,
            "nine answers and the population kept"
        );

        let (d, m, y) = cradle_domain::dates::date_boxes(Some(app.app.today()));
        fields.extend([
            ("completed_on_day".to_string(), d),
            ("completed_on_month".to_string(), m),
            ("completed_on_year".to_string(), y),
        ]);
        let saved = client.post(url).form(&fields).send().await.unwrap();
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let page = get_text(&app, &client, &format!("/families/{family}")).await;
        assert!(page.contains("questionnaire-alert"), "{page}");
        app.database.cleanup().await;
    }
);

on_both_backends!(
    the_team_manager_keeps_the_interventions_catalogue,
    |backend| async move {
        let app = app(backend).await;
        let manager = app.signed_in("manager").await;
        let token = app.csrf_token(&manager).await;
        let me: Value = get_json(&app, &manager, "/api/v1/me").await;
        let team = me["teams"][0].as_str().unwrap().to_string();
        let settings = get_text(&app, &manager, &format!("/teams/{team}/settings")).await;
        for seeded in [
            "Nursery nursing",
            "Circle of Security",
            "Peer support",
            "Signposting to other services",
        ] {
            assert!(
                settings.contains(seeded),
                "{seeded} is in the catalogue from the start"
            );
        }
        let add = |fields: Vec<(&'static str, &'static str)>| {
            let manager = manager.clone();
            let url = app.url(&format!("/teams/{team}/interventions"));
            let mut fields: Vec<(&str, String)> = fields
                .into_iter()
                .map(|(k, v)| (k, v.to_string()))
                .collect();
            fields.push(("csrf_token", token.clone()));
            async move { manager.post(url).form(&fields).send().await.unwrap() }
        };
        let duplicate = add(vec![("name", "peer SUPPORT")]).await;
        assert_eq!(duplicate.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(duplicate
            .text()
            .await
            .unwrap()
            .contains("already has an intervention with this name"));
        let themed = add(vec![("name", "Baby massage"), ("themes", "Touch\nRoutine")]).await;
        assert!(themed
            .text()
            .await
            .unwrap()
            .contains("Only a manualised intervention has themes"));
        let added = add(vec![
            ("name", "Baby massage"),
            ("manualised", "yes"),
            ("series_sessions", "4"),
            ("themes", "Touch\nRoutine"),
        ])
        .await;
        assert_eq!(added.status(), StatusCode::SEE_OTHER);
        let catalogue: Value = get_json(
            &app,
            &manager,
            &format!("/api/v1/teams/{team}/interventions"),
        )
        .await;
        let massage = catalogue
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == "Baby massage")
            .unwrap();
        assert_eq!(massage["themes"], serde_json::json!(["Touch", "Routine"]));
        let retired = manager
            .post(app.url(&format!(
                "/api/v1/teams/{team}/interventions/{}",
                massage["id"].as_str().unwrap()
            )))
            .header("X-CSRF-Token", &token)
            .json(
                &serde_json::json!({"name": "Baby massage", "manualised": "yes", "retired": "yes"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(retired.status(), StatusCode::OK);
        // A retired intervention is not offered on the family's form.
        let nurse = app.signed_in("nursery.nurse").await;
        let family = family_of(&app, &nurse, "Amara Okafor").await;
        let offer_form = get_text(
            &app,
            &nurse,
            &format!("/families/{family}/interventions/new"),
        )
        .await;
        assert!(offer_form.contains("Circle of Security") && !offer_form.contains("Baby massage"));
        // Clinicians may read the catalogue but not change it.
        let nurse_token = app.csrf_token(&nurse).await;
        let forbidden = nurse
            .post(app.url(&format!("/api/v1/teams/{team}/interventions")))
            .header("X-CSRF-Token", &nurse_token)
            .json(&serde_json::json!({"name": "Something new"}))
            .send()
            .await
            .unwrap();
        assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
        let audit: Vec<String> = audit_actions(&app).await.into_iter().map(|r| r.1).collect();
        assert!(audit.contains(&"team.catalogue".to_string()));
        app.database.cleanup().await;
    }
);

on_both_backends!(
    a_fathers_group_enrols_from_families_takes_the_register_and_each_family_sees_its_own,
    |backend| async move {
        let app = app(backend).await;
        let nurse = app.signed_in("nursery.nurse").await;
        let token = app.csrf_token(&nurse).await;
        let get = |path: String| {
            let nurse = nurse.clone();
            let url = app.url(&path);
            async move { nurse.get(url).send().await.unwrap().text().await.unwrap() }
        };
        let post = |path: String, fields: Vec<(&'static str, String)>| {
            let nurse = nurse.clone();
            let url = app.url(&path);
            let mut fields = fields;
            fields.push(("csrf_token", token.clone()));
            async move { nurse.post(url).form(&fields).send().await.unwrap() }
        };
        let refused = post(
            "/groups".to_string(),
            vec![("name", "Fathers' group".into())],
        )
        .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let refused = refused.text().await.unwrap();
        assert!(refused.contains("Enter who runs the group"));
        assert!(refused.contains("a whole number from 1 to 100"));
        let created = post(
            "/groups".to_string(),
            vec![
                ("name", "Fathers' group".into()),
                ("facilitators", "Tom Baker and a peer supporter".into()),
                ("capacity", "2".into()),
            ],
        )
        .await;
        assert_eq!(created.status(), StatusCode::SEE_OTHER);
        let group_path = location(&created);
        let group = group_path.rsplit('/').next().unwrap().to_string();
        let today = time::OffsetDateTime::now_utc().date();
        for (days_ago, topic) in [(7, "Meeting the baby"), (-7, "Play and sleep")] {
            let on = today - time::Duration::days(days_ago);
            let added = post(
                format!("/groups/{group}/sessions"),
                vec![
                    ("on_day", on.day().to_string()),
                    ("on_month", u8::from(on.month()).to_string()),
                    ("on_year", on.year().to_string()),
                    ("topic", topic.to_string()),
                ],
            )
            .await;
            assert_eq!(added.status(), StatusCode::SEE_OTHER);
        }

        // Fathers from two families fill it; a third is refused with the reason.
        let mut fathers = Vec::new();
        for mother in ["Amara Okafor", "Sofia Marques", "Jess Whitfield"] {
            let family = family_of(&app, &nurse, mother).await;
            let record: Value = get_json(&app, &nurse, &format!("/api/v1/families/{family}")).await;
            let father = record["people"][0]["id"].as_str().unwrap().to_string();
            fathers.push((family, father));
        }
        for (family, father) in &fathers[..2] {
            let enrolled = post(
                format!("/families/{family}/groups"),
                vec![("group", group.clone()), ("member", father.clone())],
            )
            .await;
            assert_eq!(enrolled.status(), StatusCode::SEE_OTHER);
        }
        let (family, father) = &fathers[0];
        let twice = post(
            format!("/families/{family}/groups"),
            vec![("group", group.clone()), ("member", father.clone())],
        )
        .await;
        assert!(twice.text().await.unwrap().contains("already enrolled"));
        let (third, sam) = &fathers[2];
        let full = post(
            format!("/families/{third}/groups"),
            vec![("group", group.clone()), ("member", sam.clone())],
        )
        .await;
        assert_eq!(full.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(full.text().await.unwrap().contains("is full (2 places)"));

        // The register: everyone needs a mark; the session still to come cannot be taken.
        let register: Value = get_json(&app, &nurse, &format!("/api/v1/groups/{group}")).await;
        let sessions = register["group"]["sessions"].as_array().unwrap().clone();
        let past = sessions[0]["id"].as_str().unwrap().to_string();
        let future = sessions[1]["id"].as_str().unwrap().to_string();
        let enrolments: Vec<String> = register["enrolments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_string())
            .collect();
        let presence_key =
            |e: &str| -> &'static str { Box::leak(format!("presence-{e}").into_boxed_str()) };
        let half = post(
            format!("/groups/{group}/sessions/{past}/register"),
            vec![(presence_key(&enrolments[0]), "attended".into())],
        )
        .await;
        assert_eq!(half.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(half
            .text()
            .await
            .unwrap()
            .contains("Select whether Joao Marques attended"));
        let taken = post(
            format!("/groups/{group}/sessions/{past}/register"),
            vec![
                (presence_key(&enrolments[0]), "attended".into()),
                (presence_key(&enrolments[1]), "apologies".into()),
            ],
        )
        .await;
        assert_eq!(taken.status(), StatusCode::SEE_OTHER);
        let early = post(
            format!("/groups/{group}/sessions/{future}/register"),
            vec![
                (presence_key(&enrolments[0]), "attended".into()),
                (presence_key(&enrolments[1]), "attended".into()),
            ],
        )
        .await;
        assert!(early
            .text()
            .await
            .unwrap()
            .contains("on the day of the session or after it"));
        assert!(get(group_path.clone()).await.contains("1 attended"));

        // Each family's timeline holds its own member's attendance, and nobody else's.
        let (amara, tunde) = &fathers[0];
        let timeline = get(format!("/families/{amara}?type=group&person={tunde}")).await;
        assert!(
            timeline.contains("Fathers&#39; group (Meeting the baby): Attended."),
            "{timeline}"
        );
        assert!(!timeline.contains("Joao"));
        let (sofia, _) = &fathers[1];
        assert!(get(format!("/families/{sofia}?type=group"))
            .await
            .contains("Fathers&#39; group (Meeting the baby): Sent apologies."));
        let page = get(format!("/families/{amara}")).await;
        assert!(page.contains("Tunde Okafor: Fathers&#39; group"));

        // Another team's staff cannot see the group or its register.
        let mbu = app.signed_in("mbu.clinician").await;
        let hidden = mbu
            .get(app.url(&format!("/api/v1/groups/{group}")))
            .send()
            .await
            .unwrap();
        assert_eq!(hidden.status(), StatusCode::FORBIDDEN);
        // Refused because of team, and told so: not as if their role could not read records.
        let problem: serde_json::Value = hidden.json().await.unwrap();
        assert_eq!(problem["title"], "This belongs to a team you are not in");
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.contains("only for the teams you belong to"),
            "{detail}"
        );
        assert!(!detail.contains("Your role does not allow"), "{detail}");
        let audit: Vec<String> = audit_actions(&app).await.into_iter().map(|r| r.1).collect();
        for action in [
            "group.create",
            "group.session",
            "group.enrol",
            "group.register",
            "group.view",
        ] {
            assert!(audit.contains(&action.to_string()), "{action} is audited");
        }
        app.database.cleanup().await;
    }
);

on_both_backends!(
    the_mothers_details_are_corrected_with_a_reason_and_the_earlier_version_kept,
    |backend| async move {
        let app = app(backend).await;
        let clinician = app.signed_in("clinician").await;
        let token = app.csrf_token(&clinician).await;
        let family = family_of(&app, &clinician, "Amara Okafor").await;
        let get = |path: String| {
            let clinician = clinician.clone();
            let url = app.url(&path);
            async move {
                clinician
                    .get(url)
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap()
            }
        };
        let form = get(format!("/families/{family}/details")).await;
        assert!(
            form.contains("value=\"Amara Okafor\""),
            "the form holds what is recorded"
        );
        let version = hidden_field(&form, "version").unwrap();
        let record: Value = get_json(&app, &clinician, &format!("/api/v1/families/{family}")).await;
        let born = record["family"]["babies"][0]["date_of_birth"]
            .as_str()
            .unwrap()
            .to_string();
        // Born the same day as the baby: refused.
        let same_day = (
            born[8..10].trim_start_matches('0').to_string(),
            born[5..7].trim_start_matches('0').to_string(),
            born[..4].to_string(),
        );
        let in_1995 = ("1".to_string(), "6".to_string(), "1995".to_string());
        let fields = |nhs: &str, dob: (String, String, String), reason: &str| {
            vec![
                ("csrf_token", token.clone()),
                ("version", version.clone()),
                ("mother_name", "Amara Okafor-Bello".to_string()),
                ("mother_nhs_number", nhs.to_string()),
                ("mother_dob_day", dob.0),
                ("mother_dob_month", dob.1),
                ("mother_dob_year", dob.2),
                ("mother_postcode", "LS6 2QT".to_string()),
                ("reason", reason.to_string()),
            ]
        };
        let path = app.url(&format!("/families/{family}/details"));
        let bad = clinician
            .post(&path)
            .form(&fields("9991234567", same_day.clone(), ""))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let bad = bad.text().await.unwrap();
        assert!(
            bad.contains("NHS number"),
            "an NHS number failing the check digit"
        );
        assert!(bad.contains("after the baby&#39;s date of birth"));
        assert!(bad.contains("Enter the reason for the change"));
        assert!(bad.contains("Amara Okafor-Bello"), "what was typed is kept");
        let saved = clinician
            .post(&path)
            .form(&fields("", in_1995.clone(), "Married; new address"))
            .send()
            .await
            .unwrap();
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let page = get(format!("/families/{family}")).await;
        assert!(page.contains("Amara Okafor-Bello") && page.contains("LS6 2QT"));
        assert!(get("/families?q=LS6+2QT".to_string())
            .await
            .contains("Amara Okafor-Bello"));
        let history = get(format!("/families/{family}/history/family/{family}")).await;
        assert!(history.contains("Married; new address") && history.contains("Amara Okafor"));
        let stale = clinician
            .post(&path)
            .form(&fields("", in_1995.clone(), "From an old tab"))
            .send()
            .await
            .unwrap();
        assert_eq!(stale.status(), StatusCode::CONFLICT);
        let audit: Vec<String> = audit_actions(&app).await.into_iter().map(|r| r.1).collect();
        assert!(audit.contains(&"family.details".to_string()));
        app.database.cleanup().await;
    }
);

on_both_backends!(
    a_fathers_own_assessment_offers_the_partner_package_in_one_save_and_stays_his_own,
    |backend| async move {
        let app = app(backend).await;
        let client = app.signed_in("clinician").await;
        let token = app.csrf_token(&client).await;
        let family = family_of(&app, &client, "Amara Okafor").await;
        let read = || async {
            let record: Value =
                get_json(&app, &client, &format!("/api/v1/families/{family}")).await;
            record
        };
        let record = read().await;
        let tunde = record["people"][0]["id"].as_str().unwrap().to_string();
        let team = record["family"]["team_id"].as_str().unwrap().to_string();
        let today = app.app.today().to_string();
        let post = |path: String, body: Value| {
            let request = client
                .post(app.url(&path))
                .header("X-CSRF-Token", &token)
                .json(&body);
            async move { request.send().await.unwrap() }
        };
        let step = format!("/api/v1/families/{family}/people/{tunde}/pathway");
        let assess = format!("/api/v1/families/{family}/people/{tunde}/assessments");

        // Identified, with information and a local service given there and then.
        let identified = post(step.clone(), serde_json::json!({"step": "identified", "on": today, "how": "at_referral",
            "given": {"topics": ["partners_mental_health"], "services": ["Dads Matter peer group, Tuesdays at the children's centre"]}})).await;
        assert_eq!(identified.status(), StatusCode::CREATED);

        let catalogue: Value = get_json(
            &app,
            &client,
            &format!("/api/v1/teams/{team}/interventions"),
        )
        .await;
        let entry = |name: &str| {
            catalogue
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["name"].as_str().unwrap().contains(name))
                .unwrap_or_else(|| panic!("{name} in {catalogue}"))["id"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let (vipp, peer) = (entry("VIPP"), entry("Peer support"));
        let assessment = |risk: &str, wellbeing: &str| {
            serde_json::json!({
                "assessed_on": today,
                "sections": {"wellbeing": wellbeing, "wishes": "To feel he knows what he is doing with the baby",
                             "pressures": "Back at work after two weeks; night shifts"},
                "risk": risk,
                "package": [vipp, peer],
                "outcome": "support_offered",
                "given": {"topics": ["peer_support", "urgent_help"]}
            })
        };

        // Not before he has been offered an assessment and accepted it.
        let early = post(
            assess.clone(),
            assessment("none_identified", "Tired and flat since the birth"),
        )
        .await;
        assert_eq!(early.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(early
            .text()
            .await
            .unwrap()
            .contains("Record the offer of an assessment first"));
        for body in [
            serde_json::json!({"step": "offered", "on": today, "method": "in_person"}),
            serde_json::json!({"step": "accepted", "on": today}),
        ] {
            assert_eq!(post(step.clone(), body).await.status(), StatusCode::CREATED);
        }

        // Problems are named and nothing is half-saved: no step, no assessment, no offers.
        let incomplete = post(assess.clone(), assessment("safety_plan", "")).await;
        assert_eq!(incomplete.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let said = incomplete.text().await.unwrap();
        assert!(said.contains("Enter how they are feeling now"), "{said}");
        assert!(
            said.contains("Enter the concerns and what was agreed or done about them"),
            "{said}"
        );
        let mut unknown = assessment("none_identified", "Tired");
        unknown["package"] = serde_json::json!([uuid::Uuid::now_v7().to_string()]);
        let refused = post(assess.clone(), unknown).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused
            .text()
            .await
            .unwrap()
            .contains("Select only interventions the team offers now"));
        let record = read().await;
        assert_eq!(
            record["pathways"][0]["pathway"]["steps"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
        assert!(record["partner_assessments"].as_array().unwrap().is_empty());
        let offered_before = record["interventions"].as_array().unwrap().len();

        let saved = post(
            assess.clone(),
            assessment(
                "none_identified",
                "Tired and flat since the birth; not sleeping",
            ),
        )
        .await;
        assert_eq!(
            saved.status(),
            StatusCode::CREATED,
            "{}",
            saved.text().await.unwrap()
        );
        let record = read().await;
        let steps = record["pathways"][0]["pathway"]["steps"]
            .as_array()
            .unwrap();
        assert_eq!(steps.len(), 4);
        assert_eq!(steps[3]["step"]["step"], "assessed");
        assert_eq!(steps[3]["step"]["outcome"], "support_offered");
        let detail = steps[3]["step"]["detail"].as_str().unwrap();
        assert!(
            detail.contains("VIPP") && detail.contains("Peer support"),
            "{detail}"
        );
        assert_eq!(
            steps[3]["given"]["topics"],
            serde_json::json!(["peer_support", "urgent_help"])
        );
        assert_eq!(
            record["partner_assessments"][0]["person_id"],
            tunde.as_str()
        );
        // The package is offered on his interventions, to accept or decline later.
        let offers: Vec<&Value> = record["interventions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["member"]["id"] == tunde.as_str())
            .filter(|i| {
                i["steps"].as_array().unwrap().len() == 1 && i["steps"][0]["step"] == "offered"
            })
            .collect();
        assert_eq!(
            record["interventions"].as_array().unwrap().len(),
            offered_before + 2
        );
        assert_eq!(offers.len(), 2, "{}", record["interventions"]);

        // Staff see it on his pathway page, with what he was given at each step; the caseload
        // shows where he is on the pathway.
        let page = get_text(
            &app,
            &client,
            &format!("/families/{family}/people/{tunde}/pathway"),
        )
        .await;
        assert!(
            page.contains("Tired and flat since the birth; not sleeping"),
            "{page}"
        );
        assert!(page.contains("Dads Matter peer group"), "{page}");
        assert!(
            page.contains("Where to get urgent help, day and night"),
            "{page}"
        );
        let caseload = get_text(&app, &client, "/families?q=Amara").await;
        assert!(
            caseload.contains(&format!(
                "(partner pathway: Assessed, {})",
                cradle_domain::dates::long_date(app.app.today())
            )),
            "{caseload}"
        );

        // His assessment is his own: the mother's printout does not carry a word of it.
        let printout = client
            .get(app.url(&format!("/families/{family}/printout/mother")))
            .send()
            .await
            .unwrap();
        assert_eq!(printout.status(), StatusCode::OK);
        let printout = printout.text().await.unwrap();
        for private in ["not sleeping", "night shifts", "knows what he is doing"] {
            assert!(
                !printout.contains(private),
                "{private} in the mother's printout"
            );
        }
        let audit: Vec<String> = audit_actions(&app).await.into_iter().map(|r| r.1).collect();
        assert_eq!(
            audit.iter().filter(|a| *a == "pathway.assessment").count(),
            1
        );
        app.database.cleanup().await;
    }
);

on_both_backends!(
    the_assessment_form_keeps_what_was_typed_and_saves_with_the_package,
    |backend| async move {
        let app = app(backend).await;
        let client = app.signed_in("clinician").await;
        let token = app.csrf_token(&client).await;
        let family = family_of(&app, &client, "Amara Okafor").await;
        let record: Value = get_json(&app, &client, &format!("/api/v1/families/{family}")).await;
        let tunde = record["people"][0]["id"].as_str().unwrap().to_string();
        let today = app.app.today().to_string();
        for body in [
            serde_json::json!({"step": "identified", "on": today, "how": "at_referral"}),
            serde_json::json!({"step": "offered", "on": today, "method": "phone"}),
            serde_json::json!({"step": "accepted", "on": today}),
        ] {
            let made = client
                .post(app.url(&format!("/api/v1/families/{family}/people/{tunde}/pathway")))
                .header("X-CSRF-Token", &token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(made.status(), StatusCode::CREATED);
        }
        let pathway = get_text(
            &app,
            &client,
            &format!("/families/{family}/people/{tunde}/pathway"),
        )
        .await;
        assert!(pathway.contains("Record their assessment"), "{pathway}");
        let url = app.url(&format!("/families/{family}/people/{tunde}/assessment"));
        let form = client
            .get(url.clone())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(form.contains("Partner package"), "{form}");
        let vipp = form
            .split("name=\"package\" type=\"checkbox\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_string();
        let (d, m, y) = {
            let t = app.app.today();
            (
                t.day().to_string(),
                u8::from(t.month()).to_string(),
                t.year().to_string(),
            )
        };
        let missing = client
            .post(url.clone())
            .form(&[
                ("csrf_token", token.as_str()),
                ("on_day", d.as_str()),
                ("on_month", m.as_str()),
                ("on_year", y.as_str()),
                ("wellbeing", "Low and irritable, worried about money"),
                ("package", vipp.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let again = missing.text().await.unwrap();
        assert!(again.contains("Enter what they would like"), "{again}");
        assert!(again.contains("Select what the assessment found about risk and safety"));
        assert!(
            again.contains("Low and irritable, worried about money"),
            "what he said is kept"
        );
        assert!(
            again.contains(&format!("value=\"{vipp}\" checked")),
            "the package ticked is kept"
        );
        let saved = client
            .post(url)
            .form(&[
                ("csrf_token", token.as_str()),
                ("on_day", d.as_str()),
                ("on_month", m.as_str()),
                ("on_year", y.as_str()),
                ("wellbeing", "Low and irritable, worried about money"),
                ("wishes", "Time with the baby that is not just chores"),
                ("risk", "none_identified"),
                ("package", vipp.as_str()),
                ("outcome", "support_offered"),
                ("topics", "team_offer"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let pathway = get_text(
            &app,
            &client,
            &format!("/families/{family}/people/{tunde}/pathway"),
        )
        .await;
        assert!(
            pathway.contains("Time with the baby that is not just chores"),
            "{pathway}"
        );
        assert!(pathway.contains("What the team offers partners and family members"));
        assert!(
            !pathway.contains("Record their assessment"),
            "assessed once"
        );
        app.database.cleanup().await;
    }
);

on_both_backends!(
    a_team_chooses_to_offer_grandparents_the_partner_pathway,
    |backend| async move {
        let app = app(backend).await;
        let client = app.signed_in("clinician").await;
        let token = app.csrf_token(&client).await;
        let family = family_of(&app, &client, "Kayleigh Moss").await;
        let record: Value = get_json(&app, &client, &format!("/api/v1/families/{family}")).await;
        let donna = record["people"][0]["id"].as_str().unwrap().to_string();
        let team = record["family"]["team_id"].as_str().unwrap().to_string();
        let today = app.app.today().to_string();
        let identify = || {
            let request = client
                .post(app.url(&format!("/api/v1/families/{family}/people/{donna}/pathway")))
                .header("X-CSRF-Token", &token)
                .json(&serde_json::json!({"step": "identified", "on": today, "how": "later"}));
            async move { request.send().await.unwrap() }
        };
        let refused = identify().await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().await.unwrap().contains("Team settings"));

        // Only the team's manager makes the choice; partners are not a choice.
        let roles = format!("/api/v1/teams/{team}/pathway-roles");
        let by_clinician = client
            .post(app.url(&roles))
            .header("X-CSRF-Token", &token)
            .json(&serde_json::json!({"pathway_roles": ["grandparent"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(by_clinician.status(), StatusCode::FORBIDDEN);
        let manager = app.signed_in("manager").await;
        let manager_token = app.csrf_token(&manager).await;
        let bad = manager
            .post(app.url(&roles))
            .header("X-CSRF-Token", &manager_token)
            .json(&serde_json::json!({"pathway_roles": ["father"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        // The settings page form.
        let saved = manager
            .post(app.url(&format!("/teams/{team}/settings/pathway")))
            .form(&[
                ("csrf_token", manager_token.as_str()),
                ("pathway_roles", "grandparent"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(saved.status(), StatusCode::OK);
        let page = saved.text().await.unwrap();
        assert!(page.contains("value=\"grandparent\" checked"), "{page}");
        let read: Value = get_json(&app, &manager, &roles).await;
        assert_eq!(read["pathway_roles"], serde_json::json!(["grandparent"]));

        assert_eq!(identify().await.status(), StatusCode::CREATED);
        let audit: Vec<(String, String, Option<String>)> = audit_actions(&app).await;
        assert!(audit.iter().any(|(_, action, _)| action == "team.settings"));
        app.database.cleanup().await;
    }
);

on_both_backends!(
    a_team_imports_its_own_questionnaire_and_each_response_keeps_the_version_it_was_scored_with,
    |backend| async move {
        let app = app(backend).await;
        let manager = app.signed_in("manager").await;
        let manager_token = app.csrf_token(&manager).await;
        let client = app.signed_in("clinician").await;
        let token = app.csrf_token(&client).await;
        let family = family_of(&app, &client, "Amara Okafor").await;
        let record: Value = get_json(&app, &client, &format!("/api/v1/families/{family}")).await;
        let tunde = record["people"][0]["id"].as_str().unwrap().to_string();
        let team = record["family"]["team_id"].as_str().unwrap().to_string();
        let example = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/instruments/example-confidence-scale.json"
        ))
        .unwrap();
        let import_page = app.url(&format!("/teams/{team}/questionnaires/new"));

        // A broken definition is refused with each fault named, and the text kept.
        let broken = example.replacen("\"linkId\": \"c2\"", "\"linkId\": \"c1\"", 1);
        assert_ne!(broken, example);
        let refused = manager
            .post(import_page.clone())
            .form(&[
                ("csrf_token", manager_token.as_str()),
                ("definition", broken.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let said = refused.text().await.unwrap();
        assert!(said.contains("The definition cannot be used:"), "{said}");
        assert!(said.contains("c1"), "{said}");
        assert!(
            said.contains("Example confidence scale (invented"),
            "the pasted text is kept"
        );
        // One shipped with Cradle needs no import.
        let phq9 = cradle_domain::questionnaires::shipped()[0];
        let shipped = manager
            .post(app.url(&format!("/api/v1/teams/{team}/questionnaires")))
            .header("X-CSRF-Token", &manager_token)
            .body(phq9)
            .send()
            .await
            .unwrap();
        assert_eq!(shipped.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(shipped
            .text()
            .await
            .unwrap()
            .contains("shipped with Cradle"));
        // Clinicians cannot import.
        let by_clinician = client
            .post(app.url(&format!("/api/v1/teams/{team}/questionnaires")))
            .header("X-CSRF-Token", &token)
            .body(example.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(by_clinician.status(), StatusCode::FORBIDDEN);
        // A file too large to be a definition is refused before it is read.
        let padded = format!("{}{}", example, " ".repeat(130 * 1024));
        let too_large = manager
            .post(app.url(&format!("/api/v1/teams/{team}/questionnaires")))
            .header("X-CSRF-Token", &manager_token)
            .body(padded)
            .send()
            .await
            .unwrap();
        assert_eq!(too_large.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(too_large
            .text()
            .await
            .unwrap()
            .contains("128 KB or smaller"));

        let imported = manager
            .post(import_page.clone())
            .form(&[
                ("csrf_token", manager_token.as_str()),
                ("definition", example.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(imported.status(), StatusCode::SEE_OTHER);
        let twice = manager
            .post(app.url(&format!("/api/v1/teams/{team}/questionnaires")))
            .header("X-CSRF-Token", &manager_token)
            .body(example.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(twice.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(twice.text().await.unwrap().contains("is already imported"));

        // The clinician can now complete it with the father, scored and kept with its version.
        let form = client
            .get(app.url(&format!(
                "/families/{family}/people/{tunde}/questionnaires/new"
            )))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            form.contains("Example confidence scale (invented"),
            "{form}"
        );
        let definition = cradle_domain::questionnaires::Instrument::load(&example).unwrap();
        let answers: Vec<Value> = definition
            .questions
            .iter()
            .map(|q| serde_json::json!({"question": q.link_id, "code": q.options[1].code}))
            .collect();
        let record_response = || {
            let request = client
                .post(app.url(&format!("/api/v1/families/{family}/people/{tunde}/questionnaires")))
                .header("X-CSRF-Token", &token)
                .json(&serde_json::json!({"instrument": "Example confidence scale", "population": "none",
                    "completed_on": app.app.today().to_string(), "answers": answers}));
            async move { request.send().await.unwrap() }
        };
        let response = record_response().await;
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "{}",
            response.text().await.unwrap()
        );
        let response: Value = response.json().await.unwrap();
        assert_eq!(response["questionnaire_version"], "0.1.0");

        // A new version replaces it for new responses; the old one is kept, not offered.
        let newer = example.replacen("\"version\": \"0.1.0\"", "\"version\": \"0.2.0\"", 1);
        let replaced = manager
            .post(app.url(&format!("/api/v1/teams/{team}/questionnaires")))
            .header("X-CSRF-Token", &manager_token)
            .body(newer)
            .send()
            .await
            .unwrap();
        assert_eq!(replaced.status(), StatusCode::CREATED);
        let replaced: Value = replaced.json().await.unwrap();
        let listed: Value = get_json(
            &app,
            &manager,
            &format!("/api/v1/teams/{team}/questionnaires"),
        )
        .await;
        let versions: Vec<(String, bool)> = listed
            .as_array()
            .unwrap()
            .iter()
            .filter(|q| q["name"] == "Example confidence scale")
            .map(|q| {
                (
                    q["version"].as_str().unwrap().to_string(),
                    q["current"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            versions,
            [("0.1.0".to_string(), false), ("0.2.0".to_string(), true)]
        );
        let second: Value = record_response().await.json().await.unwrap();
        assert_eq!(second["questionnaire_version"], "0.2.0");
        // The family page still charts both responses.
        let page = get_text(&app, &client, &format!("/families/{family}")).await;
        assert!(page.contains("Example confidence scale"), "{page}");

        // Stopping it: no new responses; the settings page says so.
        let retire = manager
            .post(app.url(&format!(
                "/api/v1/teams/{team}/questionnaires/{}/retire",
                replaced["id"].as_str().unwrap()
            )))
            .header("X-CSRF-Token", &manager_token)
            .send()
            .await
            .unwrap();
        assert_eq!(retire.status(), StatusCode::NO_CONTENT);
        let after = record_response().await;
        assert_eq!(after.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(after
            .text()
            .await
            .unwrap()
            .contains("Select one of the questionnaires your team uses"));
        let settings = get_text(&app, &manager, &format!("/teams/{team}/settings")).await;
        assert!(settings.contains("No longer offered"), "{settings}");
        let audit: Vec<String> = audit_actions(&app).await.into_iter().map(|r| r.1).collect();
        assert_eq!(
            audit
                .iter()
                .filter(|a| *a == "questionnaire.import")
                .count(),
            2
        );
        assert_eq!(
            audit
                .iter()
                .filter(|a| *a == "questionnaire.retire")
                .count(),
            1
        );
        app.database.cleanup().await;
    }
);

on_both_backends!(
    the_api_family_read_says_whose_emergency_access_it_is_and_shows_each_change_at_once,
    |backend| async move {
        let app = app(backend).await;
        let mbu_family = first_family(&app, "mbu.clinician").await;
        let own = app.signed_in("mbu.clinician").await;
        let read = |client: &reqwest::Client| {
            let request = client.get(app.url(&format!("/api/v1/families/{mbu_family}")));
            async move {
                let response = request.send().await.unwrap();
                assert_eq!(response.status(), StatusCode::OK);
                assert_eq!(
                    response.headers()["content-type"].to_str().unwrap(),
                    "application/json"
                );
                response.json::<Value>().await.unwrap()
            }
        };
        let first = read(&own).await;
        assert!(first["break_glass_reason"].is_null());
        assert!(first["next_due"].is_string());
        assert!(first["family"]["id"].is_string());

        // Another team's clinician with emergency access reads the same record at the same
        // change count: the answer carries their reason, and the team's own read does not.
        let other = app.signed_in("clinician").await;
        let csrf = app.csrf_token(&other).await;
        let reason = "Mother admitted overnight; safeguarding plan needed";
        app.give_second_factor("clinician").await;
        let code = app.fresh_code("clinician").await;
        let granted = other
            .post(app.url(&format!("/families/{mbu_family}/break-glass")))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("reason", reason),
                ("code", code.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(granted.status(), StatusCode::SEE_OTHER);
        let theirs = read(&other).await;
        assert_eq!(theirs["break_glass_reason"], reason);
        assert!(read(&own).await["break_glass_reason"].is_null());
        assert_eq!(theirs["people"], first["people"]);

        // A change shows in the very next read.
        let own_csrf = app.csrf_token(&own).await;
        let added = own
            .post(app.url(&format!("/api/v1/families/{mbu_family}/people")))
            .header("X-CSRF-Token", &own_csrf)
            .json(&serde_json::json!({"name": "Nia Brennan"}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            added.status(),
            StatusCode::CREATED,
            "{}",
            added.text().await.unwrap()
        );
        let after = read(&own).await;
        assert_eq!(
            after["people"].as_array().unwrap().len(),
            first["people"].as_array().unwrap().len() + 1
        );
        app.database.cleanup().await;
    }
);

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

on_both_backends!(
    a_sign_in_is_remembered_between_reads_and_confirmed_before_anything_is_answered,
    |backend| async move {
        let app = app(backend).await;
        let cradle = &app.app;
        let session = cradle
            .login("clinician", DEMO_PASSWORD, "127.0.0.1")
            .await
            .unwrap()
            .session()
            .unwrap();
        let family =
            cradle_domain::FamilyId::parse(&first_family(&app, "clinician").await).unwrap();
        let read = |remembered: bool| {
            let token = session.token.clone();
            async move {
                let signed_in = cradle
                    .session(&token, "127.0.0.1", Some(family), remembered)
                    .await?;
                let access = cradle
                    .family_access(&signed_in.actor, family, signed_in.family.as_ref())
                    .await?;
                cradle.read_family(&signed_in.actor, &access).await?;
                Ok::<_, cradle_app::AppError>(signed_in.actor.provisional)
            }
        };
        let first = read(true).await.unwrap();
        assert!(first.is_none(), "the first read looks the session up");
        let second = read(true).await.unwrap();
        let sign_in = second.expect("the next read is served on the remembered sign-in");
        assert!(
            sign_in.is_confirmed(),
            "the read's audit record confirmed what it relied on"
        );
        assert!(
            read(false).await.unwrap().is_none(),
            "a change is never served on a remembered sign-in"
        );

        // Another server ends every session: the remembered sign-in is still offered, but
        // the read made on it is refused and leaves no record of a read.
        let reads_before = count(&audit_actions(&app).await, "family.read");
        app.database.execute_raw("DELETE FROM sessions").await;
        let refused = read(true).await;
        assert!(
            matches!(
                refused,
                Err(cradle_app::AppError::Store(
                    cradle_store::StoreError::SignInChanged
                ))
            ),
            "{refused:?}"
        );
        assert_eq!(
            count(&audit_actions(&app).await, "family.read"),
            reads_before
        );
        assert!(matches!(
            read(false).await,
            Err(cradle_app::AppError::Unauthenticated)
        ));
        app.database.cleanup().await;
    }
);

on_both_backends!(
    a_sign_in_is_remembered_only_within_a_minute_of_being_seen,
    |backend| async move {
        let app = app(backend).await;
        let cradle = &app.app;
        let session = cradle
            .login("clinician", DEMO_PASSWORD, "127.0.0.1")
            .await
            .unwrap()
            .session()
            .unwrap();
        let provisional = || async {
            cradle
                .session(&session.token, "127.0.0.1", None, true)
                .await
                .unwrap()
                .actor
                .provisional
                .is_some()
        };
        assert!(!provisional().await, "looked up, and remembered");
        assert!(provisional().await);
        app.clock.advance_minutes(2);
        assert!(
            !provisional().await,
            "after a minute the session is looked up, and recorded as seen"
        );
        assert!(provisional().await);
        app.database.cleanup().await;
    }
);

on_both_backends!(
    pages_and_api_reads_follow_what_another_server_changed_at_once,
    |backend| async move {
        let app = app(backend).await;
        let client = app.signed_in("clinician").await;
        let id = first_family(&app, "clinician").await;
        let api = app.url(&format!("/api/v1/families/{id}"));
        let page = app.url(&format!("/families/{id}"));
        for _ in 0..3 {
            assert_eq!(status_of(&client, &api).await, StatusCode::OK);
            assert_eq!(status_of(&client, &page).await, StatusCode::OK);
        }

        // The record changed on another server: both answers show it at once.
        let family = id_literal(backend, &id);
        elsewhere(&app, format!(
                "UPDATE families SET mother_name = 'Changed Elsewhere', mother_name_lower = 'changed elsewhere' WHERE id = {family}"
            ))
            .await;
        let read = text_of(&client, &api).await;
        assert!(read.contains("Changed Elsewhere"), "{read}");
        let shown = text_of(&client, &page).await;
        assert!(shown.contains("Changed Elsewhere"));

        // The family moved to another team: refused at once, and the refusal audited.
        let reads = count(&audit_actions(&app).await, "family.read");
        let denied = count(&audit_actions(&app).await, "access.denied");
        move_family_elsewhere(&app, backend, &family, MBU_TEAM).await;
        assert_eq!(status_of(&client, &api).await, StatusCode::FORBIDDEN);
        assert_eq!(status_of(&client, &page).await, StatusCode::FORBIDDEN);
        let actions = audit_actions(&app).await;
        assert_eq!(count(&actions, "family.read"), reads);
        assert_eq!(count(&actions, "access.denied"), denied + 2);

        // Back in the team, then the clinician leaves it on another server: refused again.
        move_family_elsewhere(&app, backend, &family, COMMUNITY_TEAM).await;
        let community = id_literal(backend, &app.team_id(COMMUNITY_TEAM).0.to_string());
        assert_eq!(status_of(&client, &api).await, StatusCode::OK);
        assert_eq!(status_of(&client, &api).await, StatusCode::OK);
        let clinician = id_literal(backend, &app.staff_id("clinician").0.to_string());
        elsewhere(
            &app,
            format!("DELETE FROM staff_teams WHERE staff_id = {clinician}"),
        )
        .await;
        assert_eq!(status_of(&client, &api).await, StatusCode::FORBIDDEN);
        let caseload = client
            .get(app.url("/api/v1/families"))
            .send()
            .await
            .unwrap();
        let caseload: Value = caseload.json().await.unwrap();
        assert_eq!(
            caseload["families"].as_array().map(Vec::len),
            Some(0),
            "{caseload}"
        );

        // Signed out on another server: the next read is refused, pages and API alike, and
        // a page that records no read of its own (the home page) too. Each client holds its
        // own session, remembered by a read just before.
        elsewhere(
            &app,
            format!(
                "INSERT INTO staff_teams (staff_id, team_id) VALUES ({clinician}, {community})"
            ),
        )
        .await;
        let api_client = app.signed_in("clinician").await;
        let home_client = app.signed_in("clinician").await;
        let form_client = app.signed_in("clinician").await;
        let csrf = app.csrf_token(&form_client).await;
        assert_eq!(
            status_of(&form_client, app.url("/families")).await,
            StatusCode::OK
        );
        assert_eq!(
            status_of(&client, app.url("/families")).await,
            StatusCode::OK
        );
        assert_eq!(
            status_of(&api_client, app.url("/api/v1/me")).await,
            StatusCode::OK
        );
        assert_eq!(status_of(&home_client, app.url("/")).await, StatusCode::OK);
        assert_eq!(status_of(&home_client, app.url("/")).await, StatusCode::OK);
        app.database.execute_raw("DELETE FROM sessions").await;
        let home = home_client.get(app.url("/")).send().await.unwrap();
        assert_eq!(
            home.status(),
            StatusCode::SEE_OTHER,
            "a page that records no read is confirmed too"
        );
        assert!(location(&home).starts_with("/login"));
        let after = client.get(&page).send().await.unwrap();
        assert_eq!(after.status(), StatusCode::SEE_OTHER);
        assert!(location(&after).starts_with("/login"));
        let created = count(&audit_actions(&app).await, "family.create");
        let sent = form_client
            .post(app.url("/families"))
            .form(&[
                ("csrf_token", csrf.as_str()),
                (
                    "team_id",
                    app.team_id(COMMUNITY_TEAM).0.to_string().as_str(),
                ),
                ("mother_name", "Never Saved"),
                ("stage", "preconception"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            sent.status(),
            StatusCode::SEE_OTHER,
            "a form is never served on a remembered sign-in"
        );
        assert!(location(&sent).starts_with("/login"));
        assert_eq!(count(&audit_actions(&app).await, "family.create"), created);
        assert_eq!(status_of(&api_client, &api).await, StatusCode::UNAUTHORIZED);
        assert_eq!(count(&audit_actions(&app).await, "family.read"), reads + 2);
        app.database.cleanup().await;
    }
);

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

on_both_backends!(
    every_page_of_a_family_record_is_audited_when_shown_and_when_refused,
    |backend| async move {
        // Every page reachable by following links within a family's record, from the
        // family page down, and the API's reads of it, for every family in the team's
        // demonstration caseload: each page or answer leaves a new audit record naming that
        // family and the member of staff, committed before it arrives; and each is refused
        // to a member of another team and to an administrator, the refusal audited too.
        let app = app(backend).await;
        let client = app.signed_in("nursery.nurse").await;
        // One family with an entry of every kind that has pages of its own; Tunde's details
        // amended (so his earlier version has a page); his partner pathway to an accepted
        // offer of an assessment (so its form is offered); and a PHQ-9 whose last answer
        // raises the safety alert.
        let token = app.csrf_token(&client).await;
        let amara = family_of(&app, &client, "Amara Okafor").await;
        let record: Value = get_json(&app, &client, &format!("/api/v1/families/{amara}")).await;
        let tunde = record["people"][0]["id"].as_str().unwrap().to_string();
        let (day, month, year) = date_fields(time::OffsetDateTime::now_utc().date());
        let on = app.app.today().to_string();
        let family_at = format!("/api/v1/families/{amara}");
        let tunde_at = format!("{family_at}/people/{tunde}");
        // "Several days" to every question, the ninth (thoughts of self-harm) included.
        let answers: Vec<Value> = (1..=9)
            .map(|n| serde_json::json!({"question": format!("phq9-{n}"), "code": "LA6569-3"}))
            .collect();
        for (path, body) in [
            (
                format!("{family_at}/observations"),
                serde_json::json!({"caregiver": tunde, "observed_day": day, "observed_month": month,
                    "observed_year": year, "setting": "home", "moment": "He sang while changing her",
                    "baby_responses": ["smile"], "fed_back": "Told him she loves it"}),
            ),
            (
                format!("{family_at}/conversations"),
                serde_json::json!({"participants": [tunde], "held_day": day, "held_month": month,
                    "held_year": year, "enjoy": "Bath time", "finish": "yes"}),
            ),
            (
                format!("{family_at}/notes"),
                serde_json::json!({"subject": tunde, "kind": "strength", "text": "Calm with her",
                    "noted_day": day, "noted_month": month, "noted_year": year}),
            ),
            (
                format!("{family_at}/concerns"),
                serde_json::json!({"about": "mother", "kinds": ["crying"],
                    "description": "Finds the night crying hard", "conversation": ""}),
            ),
            (
                tunde_at.clone(),
                serde_json::json!({"name": "Tunde Okafor", "phone": "07700 900222",
                    "version": record["people"][0]["version"], "reason": "Phone number given"}),
            ),
            (
                format!("{tunde_at}/pathway"),
                serde_json::json!({"step": "identified", "on": on, "how": "at_referral"}),
            ),
            (
                format!("{tunde_at}/pathway"),
                serde_json::json!({"step": "offered", "on": on, "method": "in_person"}),
            ),
            (
                format!("{tunde_at}/pathway"),
                serde_json::json!({"step": "accepted", "on": on}),
            ),
            (
                format!("{tunde_at}/questionnaires"),
                serde_json::json!({"instrument": "PHQ-9", "population": "adult",
                    "completed_on": on, "answers": answers}),
            ),
        ] {
            post_json_ok(&app, &client, &token, &path, &body).await;
        }
        // An action on the concern, so that closing it is offered.
        let concern = get_json(&app, &client, &family_at).await["concerns"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        post_json_ok(
            &app,
            &client,
            &token,
            &format!("{family_at}/concerns/{concern}/actions"),
            &serde_json::json!({"action": "crying_information", "reference": "",
                "note": "Leaflet on coping with crying"}),
        )
        .await;
        let list: Value = get_json(&app, &client, "/api/v1/families").await;
        let families: Vec<String> = list["families"]
            .as_array()
            .unwrap()
            .iter()
            .map(|family| family["id"].as_str().unwrap().to_string())
            .collect();
        assert!(families.len() >= 10, "{families:?}");
        let mut seen = audit_records(&app).await.last().map_or(0, |r| r.seq);
        let mut visited: Vec<String> = Vec::new();
        // Each family, the names in it, and the paths reached within its record.
        let mut paths_of: Vec<(String, Vec<String>, Vec<String>)> = Vec::new();
        for family in &families {
            // The API's reads of the family, as well as every page.
            let read: Value = get_json(&app, &client, &format!("/api/v1/families/{family}")).await;
            let mut names = vec![read["family"]["mother_name"].as_str().unwrap().to_string()];
            for person in read["people"].as_array().unwrap() {
                names.push(person["name"].as_str().unwrap().to_string());
            }
            let first_visit = visited.len();
            let mut to_visit: Vec<String> = read["people"]
                .as_array()
                .unwrap()
                .iter()
                .map(|person| {
                    let person = person["id"].as_str().unwrap();
                    format!("/api/v1/families/{family}/people/{person}/history")
                })
                .collect();
            to_visit.push(format!("/api/v1/families/{family}/known-people?q=Mo"));
            to_visit.push(format!("/api/v1/families/{family}/ecomap.svg"));
            // The summary for a session together is reached by a form, not a link.
            to_visit.push(format!(
                "/families/{family}/together/summary?present=mother"
            ));
            to_visit.push(format!("/api/v1/families/{family}"));
            to_visit.push(format!("/families/{family}"));
            while let Some(path) = to_visit.pop() {
                if visited.contains(&path) {
                    continue;
                }
                visited.push(path.clone());
                let response = client.get(app.url(&path)).send().await.unwrap();
                assert_eq!(response.status(), StatusCode::OK, "{path}");
                let html = response
                    .headers()
                    .get("content-type")
                    .is_some_and(|kind| kind.to_str().unwrap().starts_with("text/html"));
                let body = response.text().await.unwrap();
                let new = app.app.store.audit_records_after(seen, 1000).await.unwrap();
                seen = new.last().map_or(seen, |r| r.seq);
                assert!(
                    new.iter().any(|r| {
                        r.subject_id.map(|id| id.to_string()).as_ref() == Some(family)
                            && r.actor_username == "nursery.nurse"
                            && r.outcome == "allowed"
                    }),
                    "{path} was shown without an audit record of its reading"
                );
                if html {
                    for link in family_links(&body, family) {
                        if !visited.contains(&link) {
                            to_visit.push(link);
                        }
                    }
                }
            }
            paths_of.push((family.clone(), names, visited[first_visit..].to_vec()));
        }
        // The crawl reached the record's every kind of page: the picture, the session
        // together, and the pages of care plans, printouts, earlier versions, people,
        // interventions and each kind of entry (not only their forms for a new one).
        for page in [
            "/ecomap.svg",
            "/together",
            "/assessment",
            "/alert-action",
            "/questionnaires/new",
            "/close",
        ] {
            assert!(
                visited.iter().any(|path| path.ends_with(page)),
                "{page} was not reached: {visited:#?}"
            );
        }
        let reached = |kind: &str| {
            visited.iter().any(|path| {
                let mut parts = path.split('/').skip(3);
                parts.next() == Some(kind)
                    && parts
                        .next()
                        .is_some_and(|next| next != "new" && !next.starts_with("new?"))
            })
        };
        for kind in [
            "plans",
            "printout",
            "history",
            "people",
            "interventions",
            "concerns",
            "notes",
            "conversations",
            "observations",
            "moments",
        ] {
            assert!(reached(kind), "no page of {kind} was reached: {visited:#?}");
        }
        assert!(
            visited.iter().any(|path| path.starts_with("/families/")
                && path.contains("/people/")
                && path.ends_with("/history")),
            "no person's earlier versions were reached: {visited:#?}"
        );

        // The same paths, for a member of another team and for an administrator: each one
        // refused, nothing of the family shown, and the refusal itself audited.
        for username in ["mbu.clinician", "admin"] {
            let outsider = app.signed_in(username).await;
            seen = audit_records(&app).await.last().map_or(0, |r| r.seq);
            for (family, names, paths) in &paths_of {
                for path in paths {
                    let response = outsider.get(app.url(path)).send().await.unwrap();
                    assert_eq!(
                        response.status(),
                        StatusCode::FORBIDDEN,
                        "{username}: {path}"
                    );
                    let body = response.text().await.unwrap();
                    for name in names {
                        assert!(
                            !body.contains(name.as_str()),
                            "{username}: {path} shows {name}"
                        );
                    }
                    let new = app.app.store.audit_records_after(seen, 1000).await.unwrap();
                    seen = new.last().map_or(seen, |r| r.seq);
                    assert!(
                        new.iter().any(|r| {
                            r.subject_id.map(|id| id.to_string()).as_ref() == Some(family)
                                && r.actor_username == username
                                && r.outcome == "denied"
                        }),
                        "{username}: the refusal of {path} was not audited"
                    );
                }
            }
        }
        app.database.cleanup().await;
    }
);

on_both_backends!(
    the_demo_shows_care_plans_before_and_after_the_birth,
    |backend| async move {
        // The demonstration's care plans show each state a nursery nurse meets: a review due
        // (Kayleigh and Donna), a review overdue (Precious and Grace), a plan reviewed once
        // (Nadia, Imran and Shazia), a plan ended with its summary (Ewa and Piotr), and an
        // antenatal plan with goals for getting ready, a cancelled session not counted and the
        // next contact booked (Sofia and Joao).
        let app = app(backend).await;
        let nurse = app.signed_in("nursery.nurse").await;
        let caseload = |mother: &'static str| {
            let request = nurse.get(app.url(&format!("/families?q={mother}"))).send();
            async move { request.await.unwrap().text().await.unwrap() }
        };
        assert!(caseload("Kayleigh").await.contains("Review due"));
        // The timeline names who a session was with as the care plan does.
        let kayleigh = family_of(&app, &nurse, "Kayleigh Moss").await;
        let timeline = get_text(&app, &nurse, &format!("/families/{kayleigh}")).await;
        assert!(
            timeline.contains("about Kayleigh Moss and Donna Moss"),
            "{timeline}"
        );
        assert!(!timeline.contains("about Kayleigh Moss, Donna Moss"));
        assert!(caseload("Precious").await.contains("Review overdue"));
        // Ewa and Piotr's plan ended a fortnight ago: the caseload and the family page say when.
        let ended_on = format!(
            "Care plan ended {}",
            cradle_domain::dates::long_date(app.app.today() - time::Duration::days(14))
        );
        let ewa_row = caseload("Ewa").await;
        assert!(ewa_row.contains(&ended_on), "{ewa_row}");
        assert!(caseload("Aisha").await.contains("No care plan yet"));
        let ewa = family_of(&app, &nurse, "Ewa Kowalska").await;
        let ended = get_text(&app, &nurse, &format!("/families/{ewa}")).await;
        assert!(ended.contains(&ended_on), "{ended}");
        assert!(
            ended.contains("Handed over to the health visitor"),
            "the closing summary is on the family page: {ended}"
        );
        let next = app.app.today() + time::Duration::days(4);
        let sofia_row = caseload("Sofia").await;
        assert!(
            sofia_row.contains(&format!(
                "Next contact {}",
                cradle_domain::dates::long_date(next)
            )),
            "{sofia_row}"
        );

        let sofia = family_of(&app, &nurse, "Sofia Marques").await;
        let record: Value = get_json(&app, &nurse, &format!("/api/v1/families/{sofia}")).await;
        let plan = &record["plans"][0];
        assert_eq!(plan["focus"], "antenatal");
        let areas: Vec<&str> = strings(&plan["goals"], "area");
        assert_eq!(areas, ["preparing_practically", "preparing_emotionally"]);
        let attendance: Vec<&str> = strings(&plan["sessions"], "attendance");
        assert_eq!(attendance, ["attended", "cancelled_by_family", "attended"]);

        let page = get_text(&app, &nurse, &format!("/families/{sofia}")).await;
        assert!(page.contains("Family care plan (antenatal)"), "{page}");
        assert!(page.contains("2 attended; 1 not attended or cancelled (not counted)"));
        // A goal not yet reviewed says so in its sentence.
        assert!(page.contains("; not reviewed yet."), "{page}");
        assert!(!page.contains("last review Not reviewed yet"));
        app.database.cleanup().await;
    }
);
