//! Sign-in limits that cannot be turned against a named person, and that work behind the
//! reverse proxy the README asks for.

use super::*;
use cradle_testkit::spawn_app_behind;
use cradle_web::proxy::TrustedProxies;

/// Signs in through the form, from the client a proxy names in `X-Forwarded-For`.
async fn login_from(
    app: &TestApp,
    client: &reqwest::Client,
    forwarded_for: &str,
    username: &str,
    password: &str,
) -> reqwest::Response {
    app.login_with_header(
        client,
        username,
        password,
        "/",
        Some(("x-forwarded-for", forwarded_for)),
    )
    .await
}

async fn page(client: &reqwest::Client, url: String) -> (StatusCode, String) {
    let response = client.get(url).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

async fn count(app: &TestApp, action: &str) -> usize {
    audit_actions(app)
        .await
        .into_iter()
        .filter(|r| r.1 == action)
        .count()
}

on_both_backends!(
    a_lockout_grows_with_each_further_failure_and_the_team_manager_can_lift_it,
    |backend| async move {
        let app = app(backend).await;
        let guesser = app.client();
        for _ in 0..5 {
            let wrong = app.login(&guesser, "nursery.nurse", "guessing wrong").await;
            assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
        }
        let locked = app
            .login(&app.client(), "nursery.nurse", DEMO_PASSWORD)
            .await;
        assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(locked.text().await.unwrap().contains("Wait 15 minutes"));
        assert_eq!(count(&app, "auth.account_locked").await, 1);

        // Once the lock has passed, one more wrong guess locks it for twice as long.
        app.clock.advance_minutes(16);
        let wrong = app.login(&guesser, "nursery.nurse", "guessing again").await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
        let locked = app
            .login(&app.client(), "nursery.nurse", DEMO_PASSWORD)
            .await;
        assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
        let text = locked.text().await.unwrap();
        assert!(text.contains("Wait 30 minutes"), "{text}");
        assert!(
            text.contains("unlock it"),
            "the person is told how to get back in"
        );
        assert_eq!(count(&app, "auth.account_locked").await, 2);
        // Attempts while locked are refused without trying the password, and not counted.
        app.clock.advance_minutes(1);
        let refused = app.login(&guesser, "nursery.nurse", "another guess").await;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(refused.text().await.unwrap().contains("Wait 29 minutes"));

        // Administrators see every lockout.
        let admin = app.signed_in("admin").await;
        let (status, staff_page) = page(&admin, app.url("/admin/staff")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(staff_page.contains("data-testid=\"lockouts-table\""));
        assert!(staff_page.contains("Tom Baker") && staff_page.contains("nursery.nurse"));

        // A manager of another team neither sees nor lifts it.
        let nurse = app.staff_id("nursery.nurse");
        let mbu = app.team_id(MBU_TEAM);
        let community = app.team_id(COMMUNITY_TEAM);
        app.app
            .create_staff(
                &cradle_app::Actor::command_line(),
                &cradle_app::admin::StaffInput {
                    username: "ward.manager".into(),
                    display_name: "Wendy Ward".into(),
                    role: "team_manager".into(),
                    password: DEMO_PASSWORD.into(),
                    teams: vec![mbu.to_string()],
                    service_account: false,
                },
            )
            .await
            .unwrap();
        let ward_manager = app.signed_in("ward.manager").await;
        let (_, ward_members) =
            page(&ward_manager, app.url(&format!("/teams/{mbu}/members"))).await;
        assert!(
            ward_members.contains("Grace Adeyemi"),
            "the ward's own members"
        );
        assert!(!ward_members.contains("nursery.nurse"), "{ward_members}");
        let csrf = app.csrf_token(&ward_manager).await;
        let refused = ward_manager
            .post(app.url(&format!("/teams/{mbu}/members/{nurse}/unlock")))
            .form(&[("csrf_token", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert!(refused
            .text()
            .await
            .unwrap()
            .contains("team you are not in"));
        let (status, _) = page(
            &ward_manager,
            app.url(&format!("/teams/{community}/members")),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "nor see another team's members"
        );

        // The community team's manager sees the lock among the team's members and lifts it.
        let manager = app.signed_in("manager").await;
        let (status, members) =
            page(&manager, app.url(&format!("/teams/{community}/members"))).await;
        assert_eq!(status, StatusCode::OK);
        assert!(members.contains("Priya Shah") && members.contains("Tom Baker"));
        assert!(
            members.contains("data-testid=\"lockouts-table\""),
            "{members}"
        );
        let csrf = app.csrf_token(&manager).await;
        let unlocked = manager
            .post(app.url(&format!("/teams/{community}/members/{nurse}/unlock")))
            .form(&[("csrf_token", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(unlocked.status(), StatusCode::SEE_OTHER);
        assert_eq!(count(&app, "auth.account_unlocked").await, 1);
        let (_, members) = page(&manager, app.url(&format!("/teams/{community}/members"))).await;
        assert!(members.contains("data-testid=\"no-lockouts\""));
        assert_eq!(
            app.login(&app.client(), "nursery.nurse", DEMO_PASSWORD)
                .await
                .status(),
            StatusCode::SEE_OTHER,
            "the person can sign in at once"
        );
        app.database.cleanup().await;
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_at_names_that_match_no_account_is_shown_to_administrators_only() {
    let app = app(Backend::Sqlite).await;
    let guesser = app.client();
    for _ in 0..5 {
        app.login(&guesser, "no.such.person", "guess").await;
    }
    let admin = app.signed_in("admin").await;
    let (_, staff_page) = page(&admin, app.url("/admin/staff")).await;
    assert!(staff_page.contains("no.such.person"));
    assert!(staff_page.contains("No such account"));
    let manager = app.signed_in("manager").await;
    let community = app.team_id(COMMUNITY_TEAM);
    let (_, members) = page(&manager, app.url(&format!("/teams/{community}/members"))).await;
    assert!(!members.contains("no.such.person"));
    app.database.cleanup().await;
}

on_both_backends!(
    behind_a_trusted_proxy_one_busy_address_does_not_lock_out_the_organisation,
    |backend| async move {
        let proxies = TrustedProxies::parse(&["127.0.0.1"]).unwrap();
        let app = spawn_app_behind(backend, false, proxies).await.unwrap();
        let client = app.client();
        for attempt in 0..30 {
            let wrong = login_from(
                &app,
                &client,
                "198.51.100.1",
                &format!("guess{attempt}"),
                "wrong password",
            )
            .await;
            assert_eq!(
                wrong.status(),
                StatusCode::UNAUTHORIZED,
                "attempt {attempt}"
            );
        }
        let paused = login_from(
            &app,
            &app.client(),
            "198.51.100.1",
            "clinician",
            DEMO_PASSWORD,
        )
        .await;
        assert_eq!(paused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(paused.text().await.unwrap().contains("this computer"));
        let colleague = login_from(
            &app,
            &app.client(),
            "198.51.100.2",
            "clinician",
            DEMO_PASSWORD,
        )
        .await;
        assert_eq!(
            colleague.status(),
            StatusCode::SEE_OTHER,
            "another computer behind the same proxy signs in"
        );
        let sources: Vec<String> = audit_records(&app)
            .await
            .into_iter()
            .filter(|r| r.action == "auth.login")
            .map(|r| r.source)
            .collect();
        assert_eq!(
            sources,
            vec!["http 198.51.100.2".to_string()],
            "the audit names the client"
        );
        app.database.cleanup().await;
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_trusted_proxy_a_forged_forwarded_header_changes_nothing() {
    let app = app(Backend::Sqlite).await;
    let client = app.client();
    for attempt in 0..30 {
        let forged = format!("203.0.113.{attempt}");
        let wrong = login_from(&app, &client, &forged, &format!("guess{attempt}"), "wrong").await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }
    let paused = login_from(&app, &client, "203.0.113.200", "clinician", DEMO_PASSWORD).await;
    assert_eq!(
        paused.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the limit follows the real address, whatever the header says"
    );
    app.database.cleanup().await;
}

/// Posts a form with the session's CSRF token.
async fn post_form(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let csrf = app.csrf_token(client).await;
    let mut form = vec![("csrf_token", csrf.as_str())];
    form.extend_from_slice(fields);
    client.post(app.url(path)).form(&form).send().await.unwrap()
}

/// The path of the one-time link on the page that shows it.
fn link_path(page: &str) -> String {
    let start = page.find("/password/").expect("the page shows the link");
    let end = page[start..].find('<').unwrap() + start;
    page[start..end].to_string()
}

on_both_backends!(
    an_administrator_never_sets_or_learns_a_clinicians_password_their_manager_enrols_them,
    |backend| async move {
        let app = app(backend).await;
        let admin = app.signed_in("admin").await;
        let team = app.team_id(COMMUNITY_TEAM).to_string();

        // The API takes no password for someone else.
        let csrf = app.csrf_token(&admin).await;
        let refused = admin
            .post(app.url("/api/v1/staff"))
            .header("x-csrf-token", csrf.as_str())
            .json(&serde_json::json!({
                "username": "mallory", "display_name": "Mallory Admin", "role": "clinician",
                "teams": [team], "password": "a password I would then know"
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().await.unwrap().contains("they set their own"));

        let created = post_form(
            &app,
            &admin,
            "/admin/staff",
            &[
                ("display_name", "Ola Nowak"),
                ("username", "ola.nowak"),
                ("role", "nursery_nurse"),
                ("teams", team.as_str()),
            ],
        )
        .await;
        assert_eq!(created.status(), StatusCode::SEE_OTHER);
        let (_, staff_page) = page(&admin, app.url(&location_of(&created))).await;
        assert!(
            staff_page.contains(&format!(
                "Helen Morris (manager of {COMMUNITY_TEAM}) makes their enrolment link"
            )),
            "{staff_page}"
        );
        assert!(staff_page.contains("Waiting to enrol"));
        assert!(
            !staff_page.contains("/password/"),
            "no link for the administrator"
        );
        let ola = app
            .app
            .store
            .staff_by_username("ola.nowak")
            .await
            .unwrap()
            .unwrap();
        let made = post_form(&app, &admin, &format!("/admin/staff/{}/link", ola.id), &[]).await;
        assert_eq!(made.status(), StatusCode::FORBIDDEN);
        let made = made.text().await.unwrap();
        assert!(made.contains("managers of their teams"), "{made}");
        assert!(!made.contains("/password/"));
        assert_eq!(
            app.login(&app.client(), "ola.nowak", "").await.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "no password yet"
        );

        // The team's manager sees the new member, makes the link and gives it to her.
        let manager = app.signed_in("manager").await;
        let members_path = format!("/teams/{team}/members");
        let (_, members) = page(&manager, app.url(&members_path)).await;
        assert!(members.contains("Ola Nowak") && members.contains("data-testid=\"new-member\""));
        assert!(members.contains("Waiting to enrol") && members.contains("No link yet"));
        let made = post_form(
            &app,
            &manager,
            &format!("{members_path}/{}/link", ola.id),
            &[],
        )
        .await;
        assert_eq!(made.status(), StatusCode::OK);
        assert_eq!(made.headers()["cache-control"], "no-store");
        let link = link_path(&made.text().await.unwrap());
        let (_, members) = page(&manager, app.url(&members_path)).await;
        assert!(members.contains("Link works until"));

        // Ola chooses her own password; a mismatch or a short one is explained.
        let ola_browser = app.client();
        let (status, form) = page(&ola_browser, app.url(&link)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(form.contains("Welcome to Cradle, Ola Nowak") && form.contains("ola.nowak"));
        let set = |password: &'static str, confirmation: &'static str| {
            let browser = ola_browser.clone();
            let url = app.url(&link);
            async move {
                browser
                    .post(url)
                    .form(&[("password", password), ("confirmation", confirmation)])
                    .send()
                    .await
                    .unwrap()
            }
        };
        let short = set("short", "short").await;
        assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(short
            .text()
            .await
            .unwrap()
            .contains("at least 12 characters"));
        let named = set("ola nowak's password", "ola nowak's password").await;
        assert!(named
            .text()
            .await
            .unwrap()
            .contains("without your name or username"));
        let mismatch = set(
            "a long passphrase of her own",
            "a long passphrase of her owm",
        )
        .await;
        assert!(mismatch.text().await.unwrap().contains("not the same"));
        let done = set(
            "a long passphrase of her own",
            "a long passphrase of her own",
        )
        .await;
        assert_eq!(done.status(), StatusCode::SEE_OTHER);
        assert_eq!(location_of(&done), "/login?reason=password_set");
        assert_eq!(
            app.login(&app.client(), "ola.nowak", "a long passphrase of her own")
                .await
                .status(),
            StatusCode::SEE_OTHER
        );
        // The link works once.
        let (status, spent) = page(&app.client(), app.url(&link)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(spent.contains("This link cannot be used"));
        assert_eq!(
            set("someone else's password", "someone else's password")
                .await
                .status(),
            StatusCode::NOT_FOUND
        );

        let trail = audit_records(&app).await;
        let about_ola: Vec<(&str, &str)> = trail
            .iter()
            .filter(|r| r.subject_id == Some(ola.id.0))
            .map(|r| (r.action.as_str(), r.actor_username.as_str()))
            .filter(|(action, _)| !action.starts_with("auth.login"))
            .collect();
        assert_eq!(
            about_ola,
            vec![
                ("staff.create", "admin"),
                ("staff.link_issued", "manager"),
                ("auth.password_set", "ola.nowak"),
            ]
        );
        app.database.cleanup().await;
    }
);

fn location_of(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_string()
}

on_both_backends!(
    a_reset_link_works_once_ends_every_session_and_lifts_a_lockout,
    |backend| async move {
        let app = app(backend).await;
        let nurse_at_work = app.signed_in("nursery.nurse").await;
        for _ in 0..5 {
            app.login(&app.client(), "nursery.nurse", "forgotten it")
                .await;
        }
        let manager = app.signed_in("manager").await;
        let team = app.team_id(COMMUNITY_TEAM);
        let nurse = app.staff_id("nursery.nurse");
        let first = post_form(
            &app,
            &manager,
            &format!("/teams/{team}/members/{nurse}/link"),
            &[],
        )
        .await;
        let first = first.text().await.unwrap();
        assert!(first.contains("Password reset link for Tom Baker"));
        let first = link_path(&first);
        let second = post_form(
            &app,
            &manager,
            &format!("/teams/{team}/members/{nurse}/link"),
            &[],
        )
        .await;
        let second = link_path(&second.text().await.unwrap());
        assert_eq!(
            page(&app.client(), app.url(&first)).await.0,
            StatusCode::NOT_FOUND,
            "a newer link cancels the older one"
        );
        let browser = app.client();
        let (_, form) = page(&browser, app.url(&second)).await;
        assert!(form.contains("Choose a new password"));
        let done = browser
            .post(app.url(&second))
            .form(&[
                ("password", "a brand new passphrase"),
                ("confirmation", "a brand new passphrase"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(done.status(), StatusCode::SEE_OTHER);
        // Signed out everywhere; the lockout is lifted; the old password no longer works.
        let (status, _) = page(&nurse_at_work, app.url("/families")).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(
            app.login(&app.client(), "nursery.nurse", "a brand new passphrase")
                .await
                .status(),
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            app.login(&app.client(), "nursery.nurse", DEMO_PASSWORD)
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
        // Nobody makes a link for an account outside their teams, or for themselves.
        let ward_nurse = app.staff_id("mbu.nurse");
        let clinician = app.signed_in("clinician").await;
        let refused = post_form(
            &app,
            &clinician,
            &format!("/teams/{team}/members/{nurse}/link"),
            &[],
        )
        .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let mine = app.staff_id("manager");
        let own = post_form(
            &app,
            &manager,
            &format!("/teams/{team}/members/{mine}/link"),
            &[],
        )
        .await;
        assert_eq!(own.status(), StatusCode::CONFLICT);
        let _ = ward_nurse;
        app.database.cleanup().await;
    }
);

on_both_backends!(
    administrators_set_up_a_second_factor_before_their_first_session_and_use_it_every_time,
    |backend| async move {
        let app = app(backend).await;
        let cli = cradle_app::Actor::command_line();
        let created = app
            .app
            .create_staff(
                &cli,
                &cradle_app::admin::StaffInput {
                    username: "ig.lead".into(),
                    display_name: "Iris Grant".into(),
                    role: "administrator".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let link = app.app.make_account_link(&cli, created.id).await.unwrap();
        let browser = app.client();
        let set = browser
            .post(app.url(&link.path()))
            .form(&[
                ("password", "a phrase she chose herself"),
                ("confirmation", "a phrase she chose herself"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(set.status(), StatusCode::SEE_OTHER);

        // The right password alone opens nothing: she must set up her second factor first.
        let response = app
            .login(&browser, "ig.lead", "a phrase she chose herself")
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let page_text = response.text().await.unwrap();
        assert!(page_text.contains("Set up your second factor"));
        assert!(page_text.contains("<svg"), "a QR code to scan");
        let key = hidden_field(&page_text, "key").unwrap();
        let (status, _) = page(&browser, app.url("/admin/staff")).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "no session before the code");
        let token = hidden_field(&page_text, "csrf_token").unwrap();
        let wrong = browser
            .post(app.url("/login/code"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("code", "12345x"),
                ("key", key.as_str()),
                ("username", "ig.lead"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let wrong = wrong.text().await.unwrap();
        assert!(
            wrong.contains("Enter the 6 digits"),
            "a code of the wrong shape says so"
        );
        assert_eq!(
            hidden_field(&wrong, "key").as_deref(),
            Some(key.as_str()),
            "the same key, so the app she has just added it to keeps working"
        );
        let token = hidden_field(&wrong, "csrf_token").unwrap();
        let code = app.code_for_key(&key);
        let done = browser
            .post(app.url("/login/code"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("code", code.as_str()),
                ("key", key.as_str()),
                ("username", "ig.lead"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(done.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            page(&browser, app.url("/admin/staff")).await.0,
            StatusCode::OK
        );

        // Next time the code is asked for; the code just used is refused.
        let again = app.client();
        let response = app
            .login(&again, "ig.lead", "a phrase she chose herself")
            .await;
        let text = response.text().await.unwrap();
        assert!(text.contains("Enter your code") && hidden_field(&text, "key").is_none());
        let token = hidden_field(&text, "csrf_token").unwrap();
        let replay = again
            .post(app.url("/login/code"))
            .form(&[("csrf_token", token.as_str()), ("code", code.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(replay.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            replay.text().await.unwrap().contains("used already"),
            "a spent code is called spent, not wrong"
        );
        let actions: Vec<String> = audit_records(&app)
            .await
            .into_iter()
            .filter(|r| r.subject_id == Some(created.id.0))
            .map(|r| format!("{} {}", r.action, r.detail))
            .collect();
        assert!(actions.contains(&"auth.second_factor_set_up set up at sign-in".to_string()));
        assert!(actions.contains(&"auth.login with a second factor".to_string()));
        assert!(actions.contains(&"auth.login_failed wrong second-factor code".to_string()));
        app.database.cleanup().await;
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anyone_may_add_a_second_factor_and_is_asked_for_it_from_then_on() {
    let app = app(Backend::Sqlite).await;
    let clinician = app.signed_in("clinician").await;
    let (_, account) = page(&clinician, app.url("/account")).await;
    assert!(account.contains("data-testid=\"second-factor-status\">Off"));
    let (_, set_up) = page(&clinician, app.url("/account/second-factor")).await;
    let key = hidden_field(&set_up, "key").unwrap();
    let empty = post_form(
        &app,
        &clinician,
        "/account/second-factor",
        &[("key", &key), ("code", "")],
    )
    .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let code = app.code_for_key(&key);
    let saved = post_form(
        &app,
        &clinician,
        "/account/second-factor",
        &[("key", &key), ("code", &code)],
    )
    .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let (_, account) = page(&clinician, app.url(&location_of(&saved))).await;
    assert!(account.contains("Your second factor is set up"));

    let browser = app.client();
    let asked = app.login(&browser, "clinician", DEMO_PASSWORD).await;
    assert_eq!(asked.status(), StatusCode::OK, "the code is asked for");
    let finished = app.enter_code(&browser, "clinician", asked).await;
    assert_eq!(finished.status(), StatusCode::SEE_OTHER);

    let code = app.fresh_code("clinician").await;
    let off = post_form(
        &app,
        &browser,
        "/account/second-factor/off",
        &[("code", &code)],
    )
    .await;
    assert_eq!(off.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.login(&app.client(), "clinician", DEMO_PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER,
        "no code once it is off"
    );
    app.database.cleanup().await;
}

on_both_backends!(
    api_tokens_expire_can_be_listed_and_revoked_and_record_their_last_use,
    |backend| async move {
        let app = app(backend).await;
        let cli = cradle_app::Actor::command_line();
        let account = app
            .app
            .create_staff(
                &cli,
                &cradle_app::admin::StaffInput {
                    username: "reporting".into(),
                    display_name: "Reporting extract".into(),
                    role: "clinician".into(),
                    teams: vec![COMMUNITY_TEAM.into()],
                    service_account: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let too_long = app
            .app
            .issue_api_token(&cli, account.id, "nightly extract", Some(400))
            .await;
        assert!(matches!(too_long, Err(cradle_app::AppError::Invalid(_))));
        let short = app
            .app
            .issue_api_token(&cli, account.id, "one-day test", Some(1))
            .await
            .unwrap()
            .token;
        let kept = app
            .app
            .issue_api_token(&cli, account.id, "nightly extract", None)
            .await
            .unwrap()
            .token;
        let use_token = |token: String| {
            let client = app.client();
            let url = app.url("/api/v1/families");
            async move {
                client
                    .get(url)
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
        };
        assert_eq!(use_token(kept.clone()).await, StatusCode::OK);
        assert_eq!(use_token(kept.clone()).await, StatusCode::OK);
        assert_eq!(use_token(short.clone()).await, StatusCode::OK);
        assert_eq!(
            count(&app, "auth.token_first_use").await,
            2,
            "each token's first use"
        );
        let lower_case = app
            .client()
            .get(app.url("/api/v1/families"))
            .header("authorization", format!("bearer {kept}"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            lower_case.status(),
            StatusCode::OK,
            "the scheme is not case-sensitive"
        );

        let admin = app.signed_in("admin").await;
        let (_, listed) = page(&admin, app.url("/admin/tokens")).await;
        assert!(listed.contains("nightly extract") && listed.contains("one-day test"));
        assert!(!listed.contains(&kept), "a token is never shown again");
        assert_eq!(listed.matches(">Never<").count(), 0, "both were used");
        assert_eq!(
            count(&app, "staff.token_list").await,
            1,
            "the list is audited"
        );

        // A day later the short one has expired; the other still works.
        app.clock.advance_minutes(24 * 60 + 1);
        assert_eq!(use_token(short).await, StatusCode::UNAUTHORIZED);
        assert_eq!(use_token(kept.clone()).await, StatusCode::OK);
        let admin = app.signed_in("admin").await;
        let (_, listed) = page(&admin, app.url("/admin/tokens")).await;
        assert!(listed.contains(">Expired<"));

        // Revoked from the page, it stops working at once.
        let tokens = app
            .app
            .api_tokens(&cli)
            .await
            .unwrap()
            .into_iter()
            .find(|line| line.token.label == "nightly extract")
            .unwrap();
        let revoked = post_form(
            &app,
            &admin,
            &format!("/admin/tokens/{}/revoke", tokens.token.id),
            &[],
        )
        .await;
        assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
        assert_eq!(use_token(kept).await, StatusCode::UNAUTHORIZED);
        let (_, listed) = page(&admin, app.url("/admin/tokens")).await;
        assert!(listed.contains(">Revoked<"));
        let again = post_form(
            &app,
            &admin,
            &format!("/admin/tokens/{}/revoke", tokens.token.id),
            &[],
        )
        .await;
        assert_eq!(again.status(), StatusCode::NOT_FOUND);
        assert_eq!(count(&app, "staff.token_revoke").await, 1);
        app.database.cleanup().await;
    }
);

on_both_backends!(
    housekeeping_removes_expired_sessions_old_failures_and_abandoned_sign_ins,
    |backend| async move {
        let app = app(backend).await;
        let idle = app.signed_in("clinician").await;
        app.login(&app.client(), "nursery.nurse", "a wrong guess")
            .await;
        // An administrator who typed the password but never the code.
        let waiting = app.login(&app.client(), "admin", DEMO_PASSWORD).await;
        assert_eq!(waiting.status(), StatusCode::OK);
        let nothing_yet = app.app.housekeeping().await.unwrap();
        assert_eq!(nothing_yet.sessions, 0, "nothing has expired yet");
        assert_eq!(nothing_yet.sign_in_failures, 0);

        app.clock.advance_minutes(31);
        let active = app.signed_in("manager").await;
        let swept = app.app.housekeeping().await.unwrap();
        assert_eq!(swept.sessions, 1, "the idle session");
        assert!(swept.sign_in_challenges >= 1, "the abandoned sign-in");
        assert_eq!(swept.sign_in_failures, 0, "a failure counts for a day");
        assert_eq!(page(&active, app.url("/families")).await.0, StatusCode::OK);
        assert_eq!(
            page(&idle, app.url("/families")).await.0,
            StatusCode::SEE_OTHER
        );

        app.clock.advance_minutes(24 * 60);
        let swept = app.app.housekeeping().await.unwrap();
        assert_eq!(swept.sign_in_failures, 1);
        assert_eq!(swept.sessions, 1, "the manager's, past its limits");

        // The background job does the same on its own.
        app.login(&app.client(), "nursery.nurse", "another guess")
            .await;
        app.clock.advance_minutes(25 * 60);
        let job = app
            .app
            .spawn_housekeeping(std::time::Duration::from_millis(20));
        let mut left = u32::MAX;
        for _ in 0..500 {
            let counts = app
                .app
                .store
                .login_failures_since("nursery.nurse", "", 0, 0)
                .await
                .unwrap();
            left = counts.for_username;
            if left == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        job.abort();
        assert_eq!(left, 0, "the job removed the old failure");
        app.database.cleanup().await;
    }
);

on_both_backends!(
    a_refusal_gives_its_real_reason_another_teams_record_or_the_role,
    |backend| async move {
        let app = app(backend).await;
        let family = first_family(&app, "mbu.clinician").await;
        let somewhere = "01a24dc6-c4c9-7189-911d-8fdce276f20e";
        let pages = [
            format!("/families/{family}"),
            format!("/families/{family}/people/new"),
            format!("/families/{family}/plans/new"),
            format!("/families/{family}/observations/new"),
            format!("/families/{family}/together"),
            format!("/families/{family}/people/{somewhere}/history"),
            format!("/api/v1/families/{family}"),
            format!("/api/v1/families/{family}/known-people"),
        ];
        let clinician = app.signed_in("clinician").await;
        let admin = app.signed_in("admin").await;
        for path in &pages {
            let (status, text) = page(&clinician, app.url(path)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
            assert!(
                text.contains("This family is cared for by another team")
                    && !text.contains("Your role does not allow"),
                "another team's record is refused as such: {path}"
            );
            let (status, text) = page(&admin, app.url(path)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
            assert!(
                text.contains("Your role does not allow you to") && !text.contains("another team"),
                "an administrator is refused for the role: {path}"
            );
        }
        app.database.cleanup().await;
    }
);

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

    // The page's form cannot choose the new colleague's password, whatever it is sent: they
    // set their own from the one-time link.
    let smuggled = admin
        .post(app.url("/admin/staff"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("display_name", "Smuggled Person"),
            ("username", "smuggled.person"),
            ("role", "clinician"),
            ("teams", team.as_str()),
            ("password", "chosen-by-someone-else-2026"),
            ("service_account", "true"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(smuggled.status(), StatusCode::SEE_OTHER);
    let attempt = app
        .login(
            &app.client(),
            "smuggled.person",
            "chosen-by-someone-else-2026",
        )
        .await;
    assert_ne!(
        attempt.status(),
        StatusCode::SEE_OTHER,
        "the password sent with the form does not sign in"
    );

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
