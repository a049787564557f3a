//! The partner pathway, family members' own assessments and questionnaires.

use super::*;

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
        // Dates after the demo family's referral, which is set relative to today.
        let today = app.app.today();
        let identified_on = today - time::Duration::days(6);
        let offered_on = today - time::Duration::days(5);
        let (id_day, id_month, id_year) = cradle_domain::dates::date_boxes(Some(identified_on));
        let (of_day, of_month, of_year) = cradle_domain::dates::date_boxes(Some(offered_on));
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
                ("on_day", id_day.as_str()),
                ("on_month", id_month.as_str()),
                ("on_year", id_year.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let again = missing.text().await.unwrap();
        assert!(again.contains("Select how they were identified"), "{again}");
        assert!(
            again.contains(&format!("value=\"{id_day}\"")),
            "the typed day is kept"
        );

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
                ("on_day", id_day.as_str()),
                ("on_month", id_month.as_str()),
                ("on_year", id_year.as_str()),
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
            page.contains(&format!(
                "Identified {}; next: offer an assessment",
                cradle_domain::dates::long_date(identified_on)
            )),
            "{page}"
        );
        assert!(page.contains("How was the assessment offered?"));
        let family_page = get_text(&app, &client, &format!("/families/{family}")).await;
        assert!(family_page.contains(&format!(
            "Identified {}; next: offer an assessment",
            cradle_domain::dates::long_date(identified_on)
        )));

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
                ("on_day", of_day.as_str()),
                ("on_month", of_month.as_str()),
                ("on_year", of_year.as_str()),
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
            page.contains(&format!(
                "Accepted the offer {}; next: the assessment",
                cradle_domain::dates::long_date(offered_on)
            )),
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
        // "Continue" with nothing chosen says so.
        let nothing = client
            .get(format!("{new}?choosing=yes"))
            .send()
            .await
            .unwrap();
        assert_eq!(nothing.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(nothing
            .text()
            .await
            .unwrap()
            .contains("Select the questionnaire to complete"));
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
        let dated = [
            ("completed_on_day".to_string(), d),
            ("completed_on_month".to_string(), m),
            ("completed_on_year".to_string(), y),
        ];
        // Dated but with nothing answered: not a questionnaire completed, and no alert raised.
        let mut blank: Vec<(String, String)> = fields[..3].to_vec();
        blank.extend(dated.clone());
        let unanswered = client.post(url.clone()).form(&blank).send().await.unwrap();
        assert_eq!(unanswered.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(unanswered
            .text()
            .await
            .unwrap()
            .contains("Answer at least one question"));
        assert!(!get_text(&app, &client, &format!("/families/{family}"))
            .await
            .contains("questionnaire-alert"));
        fields.extend(dated);
        let saved = client.post(url).form(&fields).send().await.unwrap();
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let page = get_text(&app, &client, &format!("/families/{family}")).await;
        assert!(page.contains("questionnaire-alert"), "{page}");
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
        // A relationship conversation he took part in, which the assessment draws on.
        let (day, month, year) = cradle_domain::dates::date_boxes(Some(app.app.today()));
        let talked = post(
            format!("/api/v1/families/{family}/conversations"),
            serde_json::json!({"participants": [tunde], "held_on": iso_date(&day, &month, &year), "enjoy": "Bath time is our time", "finish": true}),
        )
        .await;
        assert_eq!(talked.status(), StatusCode::CREATED);
        let talked: Value = talked.json().await.unwrap();
        let conversation = talked["id"].as_str().unwrap().to_string();
        let assessment = |risk: &str, wellbeing: &str| {
            serde_json::json!({
                "assessed_on": today,
                "sections": {"wellbeing": wellbeing, "wishes": "To feel he knows what he is doing with the baby",
                             "pressures": "Back at work after two weeks; night shifts"},
                "risk": risk,
                "conversations": [conversation],
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
        assert_eq!(
            record["partner_assessments"][0]["conversations"],
            serde_json::json!([conversation]),
            "the conversation it draws on is kept with it"
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
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let page = get_text(&app, &manager, &location(&saved)).await;
        assert!(page.contains("value=\"grandparent\" checked"), "{page}");
        assert!(page.contains("Saved."));
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
