//! Group programmes: enrolment from families, the register, and each family seeing its own.

use super::*;

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
        let group_page = get(group_path.clone()).await;
        assert!(group_page.contains("1 attended"));
        // The page does not offer a register it would refuse: the session to come says so.
        assert!(group_page.contains("To come: the register is taken on the day"));
        assert!(!group_page.contains(&format!("/sessions/{future}/register")));
        assert!(group_page.contains(&format!("/sessions/{past}/register")));

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
