//! Video feedback: consent to film, recorded for the people on film and for the baby by those
//! with parental responsibility, shown with the family, and withdrawn; by the pages and by
//! the API, with the same checks and audit.

use super::*;

/// The consent form's fields: `on_film` and `for_baby` as member codes, given yesterday and
/// lasting six months, for the family's own feedback sessions.
fn consent_fields(
    token: &str,
    on_film: &[&str],
    for_baby: &[&str],
    today: time::Date,
) -> Vec<(String, String)> {
    let (given_day, given_month, given_year) = date_fields(today - time::Duration::days(1));
    let (expires_day, expires_month, expires_year) = date_fields(today + time::Duration::days(180));
    let mut fields: Vec<(String, String)> = vec![("csrf_token".into(), token.into())];
    fields.extend(on_film.iter().map(|m| ("on_film".into(), m.to_string())));
    fields.extend(for_baby.iter().map(|m| ("for_baby".into(), m.to_string())));
    fields.extend(
        [
            ("purposes", "family_care"),
            ("scope", "practitioner"),
            ("given", "signed_form"),
            ("given_day", &given_day),
            ("given_month", &given_month),
            ("given_year", &given_year),
            ("expires_day", &expires_day),
            ("expires_month", &expires_month),
            ("expires_year", &expires_year),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    fields
}

/// The clinician signed in, their CSRF token, the Okafor family's id and the father's.
async fn okafor_family(app: &TestApp) -> (reqwest::Client, String, String, String) {
    let clinician = app.signed_in("clinician").await;
    let token = app.csrf_token(&clinician).await;
    let family = family_of(app, &clinician, "Amara Okafor").await;
    let record = get_json(app, &clinician, &format!("/api/v1/families/{family}")).await;
    let tunde = person_id(&record, "Tunde Okafor");
    (clinician, token, family, tunde)
}

on_both_backends!(
    consent_to_film_comes_from_those_with_parental_responsibility_and_is_withdrawn_with_a_reason,
    |backend| async move {
        let app = app(backend).await;
        let today = app.app.today();
        let (clinician, token, family, tunde) = okafor_family(&app).await;
        // The demonstration's own consents, recorded before this test begins.
        let actions: Vec<String> = audit_actions(&app).await.into_iter().map(|r| r.1).collect();
        let recorded_before = count_of(&actions, "filming_consent.record");
        let nana = add_person(&app, &clinician, &token, &family, "Nana Okafor").await;
        let marcus = add_person(&app, &clinician, &token, &family, "Marcus Bell").await;
        let restricted = clinician
            .post(app.url(&format!(
                "/api/v1/families/{family}/people/{marcus}/restrictions"
            )))
            .header("X-CSRF-Token", &token)
            .json(&with_review(serde_json::json!({"kind": "do_not_involve",
                "decided_by": "Safeguarding lead", "reason": "Disclosure made to the team"})))
            .send()
            .await
            .unwrap();
        assert_eq!(restricted.status(), StatusCode::CREATED);

        // The form lists who may be filmed, and for the baby only those with parental
        // responsibility; the person marked do not involve is named as never asked.
        let form = get_text(
            &app,
            &clinician,
            &format!("/families/{family}/filming-consents/new"),
        )
        .await;
        assert!(form.contains(&format!(
            "name=\"on_film\" type=\"checkbox\" value=\"{tunde}\""
        )));
        assert!(!form.contains(&format!("value=\"{marcus}\"")), "{form}");
        assert!(form.contains("Marcus Bell is marked “do not contact” or “do not involve”"));
        assert!(form.contains(&format!(
            "name=\"for_baby\" type=\"checkbox\" value=\"{tunde}\""
        )));
        assert!(!form.contains(&format!(
            "name=\"for_baby\" type=\"checkbox\" value=\"{nana}\""
        )));
        assert!(form.contains("Nana Okafor has no parental responsibility recorded."));

        let post = |fields: Vec<(String, String)>| {
            let url = app.url(&format!("/families/{family}/filming-consents"));
            let client = clinician.clone();
            async move { client.post(url).form(&fields).send().await.unwrap() }
        };

        // A grandmother without parental responsibility cannot consent for the baby: the
        // form comes back with the reason, and what was ticked stays ticked.
        let refused = post(consent_fields(&token, &[&tunde, &nana], &[&nana], today)).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = refused.text().await.unwrap();
        assert!(page.contains(
            "Nana Okafor is not recorded as having parental responsibility for the baby"
        ));
        assert!(page.contains(&format!("value=\"{nana}\" checked")));

        // Someone marked do not involve is never filmed, even by a form sent by hand.
        let refused = post(consent_fields(&token, &[&marcus], &["mother"], today)).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().await.unwrap().contains(
            "Marcus Bell is marked “do not contact” or “do not involve”: they are never filmed"
        ));

        // The father on film, the mother and he consenting for the baby.
        let saved = post(consent_fields(
            &token,
            &[&tunde],
            &["mother", &tunde],
            today,
        ))
        .await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let page = get_text(&app, &clinician, &format!("/families/{family}")).await;
        assert!(page.contains("Consent to film Tunde Okafor with"), "{page}");
        assert!(page.contains("In force"));
        assert!(page.contains("Amara Okafor (mother) and Tunde Okafor"));
        assert!(
            page.contains("The family&#39;s own video feedback sessions")
                || page.contains("The family's own video feedback sessions")
        );
        let timeline = get_text(
            &app,
            &clinician,
            &format!("/families/{family}?type=filming"),
        )
        .await;
        assert!(timeline.contains("Consent to film Tunde Okafor with"));
        let record = get_json(&app, &clinician, &format!("/api/v1/families/{family}")).await;
        let consent = record["filming_consents"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            record["filming_consents"][0]["purposes"],
            serde_json::json!(["family_care"])
        );

        // Withdrawn: a reason is needed, and what was typed is kept meanwhile.
        let withdraw = format!("/families/{family}/filming-consents/{consent}/withdraw");
        let form = get_text(&app, &clinician, &withdraw).await;
        assert!(form.contains("no recording made under this consent may be viewed"));
        let (day, month, year) = date_fields(today);
        let send = |reason: &str| {
            let fields = [
                ("csrf_token", token.as_str()),
                ("on_day", &day),
                ("on_month", &month),
                ("on_year", &year),
                ("reason", reason),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()));
            let url = app.url(&withdraw);
            let client = clinician.clone();
            async move { client.post(url).form(&fields).send().await.unwrap() }
        };
        let no_reason = send("  ").await;
        assert_eq!(no_reason.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(no_reason.text().await.unwrap().contains("Enter the reason"));
        let withdrawn = send("Tunde no longer wants to be filmed").await;
        assert_eq!(withdrawn.status(), StatusCode::SEE_OTHER);
        let page = get_text(&app, &clinician, &format!("/families/{family}")).await;
        assert!(page.contains("Withdrawn"));
        assert!(page.contains("Tunde no longer wants to be filmed"));
        assert!(!page.contains(&format!("/filming-consents/{consent}/withdraw")));
        let timeline = get_text(
            &app,
            &clinician,
            &format!("/families/{family}?type=filming"),
        )
        .await;
        assert!(timeline.contains(
            "Consent to film Tunde Okafor withdrawn: Tunde no longer wants to be filmed."
        ));
        // Once withdrawn there is nothing left to withdraw.
        let again = clinician.get(app.url(&withdraw)).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::NOT_FOUND);
        let again = send("Asked twice").await;
        assert_eq!(again.status(), StatusCode::CONFLICT);

        let actions: Vec<String> = audit_actions(&app).await.into_iter().map(|r| r.1).collect();
        assert_eq!(
            count_of(&actions, "filming_consent.record"),
            recorded_before + 1
        );
        assert_eq!(count_of(&actions, "filming_consent.withdraw"), 1);
        app.database.cleanup().await;
    }
);

on_both_backends!(
    consent_to_film_is_recorded_and_withdrawn_through_the_api_with_the_same_checks,
    |backend| async move {
        let app = app(backend).await;
        let today = app.app.today();
        let (clinician, token, family, tunde) = okafor_family(&app).await;
        let body = |given_on: &str| {
            serde_json::json!({
                "on_film": ["mother", tunde],
                "for_baby": ["mother"],
                "purposes": ["family_care", "teaching"],
                "scope": "care_team",
                "given": "in_person",
                "given_on": given_on,
                "expires_on": (today + time::Duration::days(365)).to_string(),
            })
        };
        let path = format!("/api/v1/families/{family}/filming-consents");
        let post = |path: String, body: Value| {
            let url = app.url(&path);
            let client = clinician.clone();
            let token = token.clone();
            async move {
                client
                    .post(url)
                    .header("X-CSRF-Token", token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
            }
        };

        // A date that is not one, and one in the future: named by the API's field.
        let bad = post(path.clone(), body("26/11/2026")).await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad
            .text()
            .await
            .unwrap()
            .contains("given_on must be a real date"));
        let future = post(
            path.clone(),
            body(&(today + time::Duration::days(2)).to_string()),
        )
        .await;
        assert_eq!(future.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = future.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], "given_on", "{problem}");

        let made = post(path.clone(), body(&today.to_string())).await;
        assert_eq!(made.status(), StatusCode::CREATED);
        let consent: Value = made.json().await.unwrap();
        assert_eq!(
            consent["purposes"],
            serde_json::json!(["family_care", "teaching"])
        );
        assert_eq!(
            consent["on_film"],
            serde_json::json!([{"kind": "mother"}, {"kind": "person", "id": tunde}])
        );
        let id = consent["id"].as_str().unwrap().to_string();

        let withdraw = format!("{path}/{id}/withdraw");
        let withdrawal = serde_json::json!({"withdrawn_on": today.to_string(),
            "reason": "Amara wants to think again"});
        let done = post(withdraw.clone(), withdrawal.clone()).await;
        assert_eq!(done.status(), StatusCode::OK);
        let done: Value = done.json().await.unwrap();
        assert_eq!(done["withdrawn"]["reason"], "Amara wants to think again");
        let again = post(withdraw, withdrawal).await;
        assert_eq!(again.status(), StatusCode::CONFLICT);
        let record = get_json(&app, &clinician, &format!("/api/v1/families/{family}")).await;
        assert_eq!(
            record["filming_consents"][0]["withdrawn"]["reason"],
            "Amara wants to think again"
        );
        app.database.cleanup().await;
    }
);

fn count_of(actions: &[String], action: &str) -> usize {
    actions.iter().filter(|a| *a == action).count()
}
