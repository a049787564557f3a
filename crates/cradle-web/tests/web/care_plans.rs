//! Care plans, goals, sessions and reviews, and the interventions offered.

use super::*;

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
        // The API takes a date as the API writes it, and names its own field when the date is
        // not one, or breaks a rule (the form's day, month and year boxes are the pages').
        for (agreed_on, said) in [
            ("26/11/2026".to_string(), "written as year-month-day"),
            (
                (today + time::Duration::days(3)).to_string(),
                "today or in the past",
            ),
        ] {
            let refused = clinician
                .post(app.url(&format!("/api/v1/families/{family}/plans")))
                .header("X-CSRF-Token", &token)
                .json(&serde_json::json!({"kind": "family", "focus": "postnatal",
                    "agreed_on": agreed_on}))
                .send()
                .await
                .unwrap();
            assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let problem: Value = refused.json().await.unwrap();
            assert_eq!(problem["errors"][0]["field"], "agreed_on", "{problem}");
            assert!(
                problem["errors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains(said),
                "{problem}"
            );
        }
        let plan = id_of_created(
            clinician
                .post(app.url(&format!("/api/v1/families/{family}/plans")))
                .header("X-CSRF-Token", &token)
                .json(&serde_json::json!({"kind": "family", "focus": "postnatal",
                    "agreed_on": today.to_string()}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        let session = |on: time::Date, next: Option<time::Date>| {
            serde_json::json!({"held_on": on.to_string(), "place": "home",
                "attendance": "attended", "attendees": ["mother"], "focus": "postnatal",
                "notes": "Bath time together", "next_contact": next.map(|d| d.to_string()),
                "interpreter_used": false})
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
        let iso_day = |days_ago: i64| (today - time::Duration::days(days_ago)).to_string();

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
        // A change shows nothing, so saving a goal is audited as that change alone: no
        // view of the family is recorded for a page nobody saw.
        let views = || async {
            audit_actions(&app)
                .await
                .into_iter()
                .filter(|(_, action, _)| action == "family.read")
                .count()
        };
        let views_before = views().await;
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
        assert_eq!(
            views().await,
            views_before,
            "saving goals records no view of the family"
        );
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
        // A browser sends every box, the empty ones too: a box left empty is someone who did
        // not rate the goal, so the couple's goal rated by one of them is rated.
        let mut typed = review.clone();
        typed.push((key(&goals[0], &tunde), String::new()));
        typed.push((key(&goals[1], &grace), String::new()));
        let unrated = post(reviews_path.clone(), typed).await;
        assert_eq!(unrated.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let unrated = unrated.text().await.unwrap();
        assert!(unrated.contains("Enter a rating from 0 to 10 for “Feel confident settling Ada”"));
        assert!(
            !unrated.contains("Enter a rating from 0 to 10 for “Share the night feeds”"),
            "one partner's rating rates the couple's goal"
        );
        assert!(unrated.contains("Grace settles Ada on her own"));
        assert!(unrated.contains("value=\"6\""), "her rating is kept");
        review.push((key(&goals[0], &tunde), "7".to_string()));
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
                "held_on": iso_day(1), "place": "video", "attendance": "cancelled_by_family",
                "focus": "postnatal"
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(api_session.status(), StatusCode::CREATED);
        let bad = nurse
            .post(app.url(&format!("/api/v1/families/{family}/plans/{plan}/reviews")))
            .header("X-CSRF-Token", &token)
            .json(&serde_json::json!({"reviewed_on": iso_day(1),
                "ratings": [{"goal": goals[0], "score": 12, "rated_by": "mother"}],
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
        // Saved on the page, it is shown again by its own address (reloading sends nothing).
        let on_page = manager
            .post(app.url(&format!("/teams/{team}/settings")))
            .form(&[
                ("csrf_token", token.as_str()),
                ("sessions_before_review", "7"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(on_page.status(), StatusCode::SEE_OTHER);
        let shown = location(&on_page);
        assert_eq!(shown, format!("/teams/{team}/settings?saved=yes"));
        let page = get_text(&app, &manager, &shown).await;
        assert!(page.contains("Saved. Every family of the team") && page.contains("value=\"7\""));
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
                "offered_on": time::OffsetDateTime::now_utc().date().to_string()}))
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
            .json(&serde_json::json!({"name": "Baby massage", "manualised": true, "retired": true}))
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
