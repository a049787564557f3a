//! Deny by default: security headers, CSRF, other teams' records, emergency access, the audit of every read and change, and bad input that never reaches a record.

use super::*;

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
        // A form that sends one answer twice was not sent by Cradle's page: it is refused with
        // the reason, not saved with whichever answer came last.
        let twice = client
            .post(app.url(&format!("/families/{family}/entries")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "csrf_token={token}&about=mother&text=Twicemarker&text=Other"
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(twice.status(), StatusCode::BAD_REQUEST);
        assert!(twice
            .text()
            .await
            .unwrap()
            .contains("answers could not be read"));
        let page = get_text(&app, &client, &format!("/families/{family}")).await;
        assert!(
            !page.contains("Nulmarker"),
            "nothing was saved: the NUL note"
        );
        assert!(
            !page.contains("Garbledmarker"),
            "nothing was saved: the garbled note"
        );
        assert!(
            !page.contains("Twicemarker"),
            "nothing was saved: the note sent twice"
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
            "post" => anonymous.post(app.url(&path)).json(&serde_json::json!({})),
            other => anonymous.request(
                reqwest::Method::from_bytes(other.to_uppercase().as_bytes()).unwrap(),
                app.url(&path),
            ),
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
        // A change to another team's family is refused before what was sent is read: even a
        // malformed body says only that the family is another team's.
        let token = app.csrf_token(&clinician).await;
        let garbled = clinician
            .post(app.url(&format!("/api/v1/families/{mbu_family}/notes")))
            .header("X-CSRF-Token", &token)
            .header("Content-Type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(garbled.status(), StatusCode::FORBIDDEN);

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

        // The clinician's three refusals (page, API read, API change) and the administrator's
        // one, each naming the family and why; refusals that are not about a family are not.
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

on_both_backends!(
    every_request_looks_its_session_up_so_a_session_ended_elsewhere_counts_at_once,
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
        let read = || {
            let token = session.token.clone();
            async move {
                let signed_in = cradle.session(&token, "127.0.0.1", Some(family)).await?;
                let access = cradle
                    .family_access(&signed_in.actor, family, signed_in.family.as_ref())
                    .await?;
                cradle
                    .read_family(&signed_in.actor, &access, cradle_app::Sections::ALL)
                    .await?;
                Ok::<_, cradle_app::AppError>(())
            }
        };
        read().await.unwrap();
        read().await.unwrap();

        // Another server ends every session: the very next read is refused and leaves no
        // record of a read.
        let reads_before = count(&audit_actions(&app).await, "family.read");
        app.database.execute_raw("DELETE FROM sessions").await;
        assert!(matches!(
            read().await,
            Err(cradle_app::AppError::Unauthenticated)
        ));
        assert_eq!(
            count(&audit_actions(&app).await, "family.read"),
            reads_before
        );
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
        // own session, read just before.
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
            "a page that records no read is refused too"
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
            "a form is refused once its session has ended"
        );
        assert!(location(&sent).starts_with("/login"));
        assert_eq!(count(&audit_actions(&app).await, "family.create"), created);
        assert_eq!(status_of(&api_client, &api).await, StatusCode::UNAUTHORIZED);
        assert_eq!(count(&audit_actions(&app).await, "family.read"), reads + 2);
        app.database.cleanup().await;
    }
);

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
                serde_json::json!({"caregiver": tunde, "observed_on": iso_date(&day, &month, &year), "setting": "home", "moment": "He sang while changing her",
                    "baby_responses": ["smile"], "fed_back": "Told him she loves it"}),
            ),
            (
                format!("{family_at}/conversations"),
                serde_json::json!({"participants": [tunde], "held_on": iso_date(&day, &month, &year), "enjoy": "Bath time", "finish": true}),
            ),
            (
                format!("{family_at}/notes"),
                serde_json::json!({"subject": tunde, "kind": "strength", "text": "Calm with her",
                    "noted_on": iso_date(&day, &month, &year)}),
            ),
            (
                format!("{family_at}/concerns"),
                serde_json::json!({"about": "mother", "kinds": ["crying"],
                    "description": "Finds the night crying hard"}),
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
