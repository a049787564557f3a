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
