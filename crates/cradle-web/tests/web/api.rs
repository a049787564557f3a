//! The JSON API and its OpenAPI document: a contract the server keeps.

use super::*;

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
    // The fields a body takes: its own, those of the schemas it refers to, and those of
    // every part it is made of (a generated body joins its parts with `allOf`).
    fn fields_of(schema: &Value, schemas: &serde_json::Map<String, Value>) -> Vec<String> {
        let schema = match schema["$ref"].as_str() {
            Some(r) => &schemas[r.trim_start_matches("#/components/schemas/")],
            None => schema,
        };
        let mut found: Vec<String> = schema["properties"]
            .as_object()
            .map(|props| props.keys().cloned().collect())
            .unwrap_or_default();
        for part in schema["allOf"].as_array().into_iter().flatten() {
            found.extend(fields_of(part, schemas));
        }
        found
    }
    let fields = |schema: &Value| fields_of(schema, schemas);
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            let body = &operation["requestBody"]["content"]["application/json"]["schema"];
            // A tus upload's creation is described in its headers, not a body.
            let takes_no_body = path.ends_with("/disable")
                || path.ends_with("/enable")
                || path.ends_with("/retire")
                || path.ends_with("/recordings");
            // An ELAN file is imported as the file itself, XML, not JSON.
            let takes_a_file = operation["requestBody"]["content"]
                .get("application/xml")
                .is_some();
            if method == "post" && !takes_no_body && !takes_a_file {
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
            "post" => admin.post(app.url(&path)).json(&serde_json::json!({})),
            other => admin.request(
                reqwest::Method::from_bytes(other.to_uppercase().as_bytes()).unwrap(),
                app.url(&path),
            ),
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
        for query in [
            "mine=yes",
            "mine=",
            "before=",
            "after=",
            "after=01890000-0000-7000-8000-000000000000&before=not-an-id",
        ] {
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
                "noted_on": today.to_string(), "colour": "blue"
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
        serde_json::json!({"person_id": ngozi_id, "target": baby, "kind": "grandparent", "lives_with_baby": false, "care_share": "some", "contact_frequency": "weekly", "nature": "strong", "parental_responsibility": "no"}),
    )
    .await;
    assert_eq!(relationship.status(), StatusCode::CREATED);
    let recorded: Value = relationship.json().await.unwrap();
    assert_eq!(recorded["parental_responsibility"], "no");
    let changed = post(
        format!("/api/v1/families/{family}/relationships/{}", recorded["id"].as_str().unwrap()),
        serde_json::json!({"kind": "grandparent", "lives_with_baby": false, "care_share": "some", "contact_frequency": "weekly", "parental_responsibility": "yes", "version": 1, "reason": "Court order seen"}),
    )
    .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(changed["parental_responsibility"], "yes");
    assert_eq!(changed["version"], 2);
    assert_eq!(
        changed["person_id"], recorded["person_id"],
        "who it is between stays"
    );
    let with_mother = post(
        format!("/api/v1/families/{family}/relationships"),
        serde_json::json!({"person_id": ngozi_id, "target": "mother", "kind": "grandparent", "lives_with_baby": false, "care_share": "some", "contact_frequency": "weekly", "parental_responsibility": "yes"}),
    )
    .await;
    assert_eq!(with_mother.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = with_mother.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "parental_responsibility");
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
        serde_json::json!({"date_of_birth": iso_date("1", "1", "2026")}),
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
