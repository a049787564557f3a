//! The family around the baby: people, relationships, safety marks, the caseload, the timeline and what goes home with the family.

use super::*;

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
                ("parental_responsibility", "yes"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(relationship.status(), StatusCode::SEE_OTHER);
        // Who holds parental responsibility (who may consent for the baby) shows with the
        // relationship; it is asked of a relationship with a baby, not with the mother.
        assert!(get_text(&app, &client, &page_path)
            .await
            .contains("Parental responsibility: yes."));
        let with_mother = client
            .post(app.url(&format!("{page_path}/relationships")))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("person_id", rui.as_str()),
                ("target", "mother"),
                ("kind", "partner"),
                ("lives_with_baby", "yes"),
                ("care_share", "equal"),
                ("contact_frequency", "daily"),
                ("parental_responsibility", "yes"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(with_mother.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let refused = with_mother.text().await.unwrap();
        assert!(refused.contains("recorded for a relationship with a baby, not with the mother"));
        assert!(
            refused.contains("value=\"yes\" checked"),
            "the answer typed is kept"
        );

        // Parental responsibility checked later: the relationship is changed, not re-recorded;
        // the earlier version is kept with the reason, and a stale form changes nothing.
        let page = get_text(&app, &client, &page_path).await;
        let edit = page
            .split('"')
            .find(|part| {
                part.starts_with(&format!("{page_path}/relationships/")) && part.ends_with("/edit")
            })
            .expect("a Change link for the relationship")
            .to_string();
        let form = get_text(&app, &client, &edit).await;
        assert!(
            form.contains("Change the relationship") && form.contains("value=\"equal\" checked")
        );
        let changed = |version: &'static str, reason: &'static str| {
            client
                .post(app.url(edit.trim_end_matches("/edit")))
                .form(&[
                    ("csrf_token", csrf.as_str()),
                    ("kind", "father"),
                    ("lives_with_baby", "yes"),
                    ("care_share", "main_carer"),
                    ("contact_frequency", "daily"),
                    ("parental_responsibility", "no"),
                    ("version", version),
                    ("reason", reason),
                ])
                .send()
        };
        let unexplained = changed("1", "").await.unwrap();
        assert_eq!(unexplained.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let unexplained = unexplained.text().await.unwrap();
        assert!(unexplained.contains("Enter the reason for the change"));
        assert!(
            unexplained.contains("value=\"main_carer\" checked"),
            "what was typed is kept"
        );
        let saved = changed("1", "Checked the birth certificate").await.unwrap();
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let page = get_text(&app, &client, &page_path).await;
        assert!(page.contains("Main carer.") && page.contains("Parental responsibility: no."));
        assert!(page.contains(
            "Earlier versions<span class=\"nhsuk-u-visually-hidden\"> of the relationship"
        ));
        let stale = changed("1", "An old form").await.unwrap();
        assert_eq!(stale.status(), StatusCode::CONFLICT);

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
            serde_json::json!({"name": "Patience Mensah", "different_person": true}),
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
                "delivered_by": "Tom Baker", "offered_on": iso(9)}),
            ),
            (
                format!("{at}/notes"),
                serde_json::json!({"subject": tunde, "kind": "strength",
                "text": "TL-NOTE calm with her", "noted_on": iso_date(&d4, &m4, &y4)}),
            ),
            (
                format!("{at}/observations"),
                serde_json::json!({"caregiver": tunde, "observed_on": iso_date(&d3, &m3, &y3), "setting": "home",
                "moment": "TL-MOMENT he sang while changing her", "baby_responses": ["smile"],
                "fed_back": "Told him she loves it"}),
            ),
            (
                format!("{at}/conversations"),
                serde_json::json!({"participants": [tunde], "held_on": iso_date(&d2, &m2, &y2), "enjoy": "TL-CONVERSATION bath time", "finish": true}),
            ),
            (
                format!("{tunde_at}/questionnaires"),
                serde_json::json!({"instrument": "PHQ-9",
                "population": "adult", "completed_on": iso(1), "answers": answers}),
            ),
            (
                format!("{at}/concerns"),
                serde_json::json!({"about": "mother", "kinds": ["crying"],
                "description": "TL-CONCERN finds the night crying hard"}),
            ),
            (
                format!("{at}/people/{grace}/restrictions"),
                serde_json::json!({"kind": "do_not_contact",
                "decided_by": "Safeguarding lead", "reason": "TL-RESTRICTION court order",
                "review_on": iso_date(d0.clone(), m0.clone(), y0.clone())}),
            ),
            (
                format!("{at}/enquiries"),
                serde_json::json!({"asked": "mother", "seen_alone": true,
                "asked_on": iso_date(&d0, &m0, &y0), "outcome": "disclosed",
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
                "date_of_birth": iso_date(tomorrow.0, tomorrow.1, tomorrow.2)}),
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
        let made = phq9(serde_json::json!({"interpreter_used": true,
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
        offer["interpreter_used"] = true.into();
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
        let assessed = assessment(serde_json::json!({"interpreter_used": true,
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
                "review_on": iso_date(&day, &month, &year)
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
                "reason": "Court order", "review_on": iso_date(&day, &month, &year)}),
        )
        .await;
        post_json_ok(
            &app,
            &clinician,
            &token,
            &format!("/api/v1/families/{family}/concerns"),
            &serde_json::json!({"about": tunde, "kinds": ["anger"],
                "description": "Shouted at the baby when she would not settle"}),
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
            serde_json::json!({"caregiver": tunde, "observed_on": iso_date(&day, &month, &year),
                "setting": "home", "moment": "You sang to her while you changed her nappy.",
                "baby_responses": ["smile", "vocalising"], "fed_back": "Told him she loves his singing"}),
        )
        .await;
        api(
            format!("/api/v1/families/{family}/conversations"),
            serde_json::json!({"participants": [tunde], "held_on": iso_date(&day, &month, &year),
                "enjoy": "Bath time is our time", "finish": true}),
        )
        .await;
        api(
            format!("/api/v1/families/{family}/conversations"),
            serde_json::json!({"participants": [tunde, "mother"], "seen": "together", "held_on": iso_date(&day, &month, &year), "enjoy": "Amara said she misses her sister", "finish": true}),
        )
        .await;
        api(
            format!("/api/v1/families/{family}/notes"),
            serde_json::json!({"subject": tunde, "kind": "strength", "text": "You stay calm and gentle when she is upset",
                "noted_on": iso_date(&day, &month, &year)}),
        )
        .await;
        api(
            format!("/api/v1/families/{family}/notes"),
            serde_json::json!({"subject": tunde, "kind": "experience", "text": "Helped raise his two younger brothers",
                "noted_on": iso_date(&day, &month, &year)}),
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
    a_referral_date_after_the_first_care_plan_is_refused,
    |backend| async move {
        // The demo's Kowalski family has a plan agreed on 28 October 2026.
        let app = app(backend).await;
        let clinician = app.signed_in("clinician").await;
        let token = app.csrf_token(&clinician).await;
        let family = family_of(&app, &clinician, "Ewa Kowalska").await;
        let form = get_text(&app, &clinician, &format!("/families/{family}/details")).await;
        let version = hidden_field(&form, "version").unwrap();
        let (day, month, year) = cradle_domain::dates::date_boxes(Some(app.app.today()));
        let late = clinician
            .post(app.url(&format!("/families/{family}/details")))
            .form(&[
                ("csrf_token", token.clone()),
                ("version", version),
                ("mother_name", "Ewa Kowalska".to_string()),
                ("referral_day", day),
                ("referral_month", month),
                ("referral_year", year),
                ("reason", "Referral date corrected".to_string()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(late.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let said = late.text().await.unwrap();
        assert!(
            said.contains("Referral date must be on or before the first care plan was agreed"),
            "{said}"
        );
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
