//! Each caregiver's relationship with the baby: conversations, observations, coping concerns, routine enquiry and what follows a disclosure.

use super::*;

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
                "participants": [tunde], "held_on": iso_date(&day, &month, &year),
                "formulation": "From an old tab", "finish": true, "version": 1, "reason": "Old tab"
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
                "participants": [grace], "held_on": iso_date(&day, &month, &year),
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
            &serde_json::json!({"asked": "mother", "seen_alone": true, "asked_on": iso_date(&day, &month, &year), "outcome": "disclosed",
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
            "caregiver": tunde, "observed_on": today.to_string(),
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
                "noticed_on": today.to_string(), "moment": "He copied her coo and she cooed back, four turns",
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
