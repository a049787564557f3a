//! Video feedback: consent to film, recorded for the people on film and for the baby by those
//! with parental responsibility, shown with the family, and withdrawn; by the pages and by
//! the API, with the same checks and audit.

use super::*;
use cradle_testkit::FilmDetail;

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

/// Tunde's consent, given in person today for 30 days, to be filmed for the family's own
/// sessions and viewed by the care team; answers its id.
async fn care_team_consent(
    app: &TestApp,
    clinician: &reqwest::Client,
    token: &str,
    family: &str,
    tunde: &str,
) -> String {
    consent_for_days(app, clinician, token, family, tunde, 30).await
}

/// Tunde's consent to be filmed for the family's own sessions, viewed by the care team,
/// given in person today for `days`; answers its id.
async fn consent_for_days(
    app: &TestApp,
    clinician: &reqwest::Client,
    token: &str,
    family: &str,
    tunde: &str,
    days: i64,
) -> String {
    let today = app.app.today();
    let consent: Value = clinician
        .post(app.url(&format!("/api/v1/families/{family}/filming-consents")))
        .header("X-CSRF-Token", token)
        .json(
            &serde_json::json!({"on_film": [tunde], "for_baby": ["mother"],
            "purposes": ["family_care"], "scope": "care_team", "given": "in_person",
            "given_on": today.to_string(),
            "expires_on": (today + time::Duration::days(days)).to_string()}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    consent["id"].as_str().unwrap().to_string()
}

/// Uploads `film` whole in one `PATCH`, as a recording of `on_film` with the baby for the
/// family's own sessions, filmed today, under `consent`; answers the last answer's status
/// and text, and the recording's id.
#[allow(clippy::too_many_arguments)]
async fn upload_whole(
    app: &TestApp,
    client: &reqwest::Client,
    token: &str,
    family: &str,
    consent: &str,
    on_film: &str,
    description: &str,
    film: Vec<u8>,
) -> (StatusCode, String, String) {
    let created = client
        .post(app.url(&format!("/api/v1/families/{family}/recordings")))
        .header("X-CSRF-Token", token)
        .header("Upload-Length", film.len().to_string())
        .header(
            "Upload-Metadata",
            metadata(&[
                ("consent", consent),
                ("purpose", "family_care"),
                ("on_film", on_film),
                ("filmed_on", app.app.today().to_string().as_str()),
                ("description", description),
                ("filename", "IMG_0107.MP4"),
            ]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let upload = location(&created);
    let id = created.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let sent = client
        .patch(app.url(&upload))
        .header("X-CSRF-Token", token)
        .header("Content-Type", "application/offset+octet-stream")
        .header("Upload-Offset", "0")
        .body(film)
        .send()
        .await
        .unwrap();
    (sent.status(), sent.text().await.unwrap(), id)
}

const MARKER: &[u8] = b"CRADLE-FILM-MARKER-2c81e4";

/// A film of more than one stored part (about 11 MB), made by ffmpeg, with the marker in it.
fn busy_film() -> Vec<u8> {
    cradle_testkit::test_film(std::str::from_utf8(MARKER).unwrap(), 5, FilmDetail::Busy)
}

/// Bytes of `length` that are no film at all, with the marker written through them.
fn film_of(length: usize) -> Vec<u8> {
    let mut bytes: Vec<u8> = (0..length).map(|i| (i * 13 % 241) as u8).collect();
    for at in (0..length - MARKER.len()).step_by(65_537) {
        bytes[at..at + MARKER.len()].copy_from_slice(MARKER);
    }
    bytes
}

/// tus `Upload-Metadata`: each value in base64.
fn metadata(pairs: &[(&str, &str)]) -> String {
    use base64::Engine;
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{k} {}",
                base64::engine::general_purpose::STANDARD.encode(v)
            )
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Every file under `folder`, however deep.
fn files_under(folder: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

on_both_backends!(
    a_recording_uploaded_with_interruptions_plays_by_range_until_consent_is_withdrawn,
    |backend| async move {
        use sha2::Digest;
        let app = app(backend).await;
        let today = app.app.today();
        let (clinician, token, family, tunde) = okafor_family(&app).await;
        let consent: Value = clinician
            .post(app.url(&format!("/api/v1/families/{family}/filming-consents")))
            .header("X-CSRF-Token", &token)
            .json(
                &serde_json::json!({"on_film": [tunde], "for_baby": ["mother", tunde],
                "purposes": ["family_care"], "scope": "practitioner", "given": "signed_form",
                "given_on": today.to_string(),
                "expires_on": (today + time::Duration::days(180)).to_string()}),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let consent = consent["id"].as_str().unwrap().to_string();
        let film = busy_film();
        assert!(film.len() > 9 * 1024 * 1024, "{}", film.len());
        let checksum = hex::encode(sha2::Sha256::digest(&film));
        let create = |length: usize, pairs: Vec<(&'static str, String)>| {
            let url = app.url(&format!("/api/v1/families/{family}/recordings"));
            let client = clinician.clone();
            let token = token.clone();
            async move {
                let pairs: Vec<(&str, &str)> =
                    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
                client
                    .post(url)
                    .header("X-CSRF-Token", token)
                    .header("Tus-Resumable", "1.0.0")
                    .header("Upload-Length", length.to_string())
                    .header("Upload-Metadata", metadata(&pairs))
                    .send()
                    .await
                    .unwrap()
            }
        };
        let described = |purpose: &str, on_film: &str| {
            vec![
                ("consent", consent.clone()),
                ("purpose", purpose.to_string()),
                ("on_film", on_film.to_string()),
                ("filmed_on", today.to_string()),
                ("description", "Bath time at home".to_string()),
                ("filename", "IMG_0042.MOV".to_string()),
                ("checksum", checksum.clone()),
            ]
        };

        // Not covered by the consent, or nothing to upload: refused, nothing kept.
        let teaching = create(film.len(), described("teaching", &tunde)).await;
        assert_eq!(teaching.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(teaching
            .text()
            .await
            .unwrap()
            .contains("did not consent to filming for teaching"));
        let mother = create(film.len(), described("family_care", "mother")).await;
        assert_eq!(mother.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(mother
            .text()
            .await
            .unwrap()
            .contains("is not named on that consent"));
        let empty = create(0, described("family_care", &tunde)).await;
        assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(empty.text().await.unwrap().contains("The file is empty"));
        let other_family = family_of(&app, &clinician, "Nadia Hussain").await;
        let elsewhere = clinician
            .post(app.url(&format!("/api/v1/families/{other_family}/recordings")))
            .header("X-CSRF-Token", &token)
            .header("Upload-Length", film.len().to_string())
            .header(
                "Upload-Metadata",
                metadata(
                    &described("family_care", &tunde)
                        .iter()
                        .map(|(k, v)| (*k, v.as_str()))
                        .collect::<Vec<_>>(),
                ),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(elsewhere.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(elsewhere
            .text()
            .await
            .unwrap()
            .contains("one recorded for this family"));

        let created = create(film.len(), described("family_care", &tunde)).await;
        assert_eq!(created.status(), StatusCode::CREATED);
        let upload = location(&created);
        let recording = created.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let send = |offset: usize, bytes: Vec<u8>, cut: bool| {
            let url = app.url(&upload);
            let client = clinician.clone();
            let token = token.clone();
            async move {
                // A connection cut off part-way: the body fails after its bytes.
                let pieces: Vec<Result<Vec<u8>, std::io::Error>> = bytes
                    .chunks(300_000)
                    .map(|c| Ok(c.to_vec()))
                    .chain(cut.then(|| Err(std::io::Error::other("connection lost"))))
                    .collect();
                client
                    .patch(url)
                    .header("X-CSRF-Token", token)
                    .header("Tus-Resumable", "1.0.0")
                    .header("Content-Type", "application/offset+octet-stream")
                    .header("Upload-Offset", offset.to_string())
                    .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
                        pieces,
                    )))
                    .send()
                    .await
            }
        };
        let offset_now = || {
            let url = app.url(&upload);
            let client = clinician.clone();
            async move {
                let answer = client.head(url).send().await.unwrap();
                assert_eq!(answer.status(), StatusCode::OK);
                answer.headers()["upload-offset"]
                    .to_str()
                    .unwrap()
                    .parse::<usize>()
                    .unwrap()
            }
        };

        // Interrupted twice; each time it resumes from what was kept.
        let _ = send(0, film[..3_500_000].to_vec(), true).await;
        let kept = offset_now().await;
        assert!(kept <= 3_500_000 && kept % 65_536 == 0, "{kept}");
        let _ = send(kept, film[kept..8_700_000].to_vec(), true).await;
        let kept_again = offset_now().await;
        assert!(kept_again > kept && kept_again <= 8_700_000, "{kept_again}");
        // Sent from the wrong place: told where it stands.
        let wrong = send(0, film[..10].to_vec(), false).await.unwrap();
        assert_eq!(wrong.status(), StatusCode::CONFLICT);
        assert!(wrong
            .text()
            .await
            .unwrap()
            .contains(&format!("{kept_again} bytes so far")));
        let done = send(kept_again, film[kept_again..].to_vec(), false)
            .await
            .unwrap();
        assert_eq!(done.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            done.headers()["upload-offset"],
            film.len().to_string().as_str()
        );
        let record = get_json(&app, &clinician, &format!("/api/v1/families/{family}")).await;
        assert_eq!(record["recordings"][0]["state"], "ready");
        assert_eq!(record["recordings"][0]["checksum"], checksum.as_str());
        // What it is was found from its content, not from its name (IMG_0042.MOV).
        let media = &record["recordings"][0]["media"];
        assert_eq!(media["media_type"], "video/mp4");
        assert_eq!(media["video_codec"], "h264");
        assert_eq!(media["audio_codec"], "aac");
        assert_eq!(
            (media["width"].as_u64(), media["height"].as_u64()),
            (Some(640), Some(360))
        );
        assert!((4900..=5100).contains(&media["duration_millis"].as_u64().unwrap()));

        // Nothing of the film rests readable on disk: two parts and the poster frame, sealed.
        let files = files_under(app.recordings.path());
        assert_eq!(files.len(), 3, "{files:?}");
        for file in &files {
            let bytes = std::fs::read(file).unwrap();
            assert!(
                !bytes.windows(MARKER.len()).any(|w| w == MARKER),
                "{file:?}"
            );
        }

        // Played by range, for a purpose the consent covers.
        let film_url = app.url(&format!(
            "/api/v1/families/{family}/recordings/{recording}/film?purpose=family_care"
        ));
        let part = clinician
            .get(&film_url)
            .header("Range", "bytes=8388000-8389999")
            .send()
            .await
            .unwrap();
        assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(
            part.headers()["content-range"],
            format!("bytes 8388000-8389999/{}", film.len()).as_str()
        );
        assert_eq!(part.headers()["content-type"], "video/mp4");
        assert_eq!(part.bytes().await.unwrap(), &film[8_388_000..8_390_000]);
        let poster = clinician
            .get(film_url.replace("/film?", "/poster?"))
            .send()
            .await
            .unwrap();
        assert_eq!(poster.status(), StatusCode::OK);
        assert_eq!(poster.headers()["content-type"], "image/jpeg");
        assert_eq!(&poster.bytes().await.unwrap()[..2], &[0xFF, 0xD8]);
        let whole = clinician.get(&film_url).send().await.unwrap();
        assert_eq!(whole.status(), StatusCode::OK);
        assert_eq!(whole.bytes().await.unwrap(), film.as_slice());
        let beyond = clinician
            .get(&film_url)
            .header("Range", format!("bytes={}-", film.len()))
            .send()
            .await
            .unwrap();
        assert_eq!(
            beyond.status(),
            StatusCode::RANGE_NOT_SATISFIABLE,
            "{:?}",
            beyond.text().await
        );
        let teaching = clinician
            .get(film_url.replace("family_care", "teaching"))
            .send()
            .await
            .unwrap();
        assert_eq!(teaching.status(), StatusCode::CONFLICT);
        // The family agreed to the practitioner (and supervisor) only: a colleague in the
        // same team is refused.
        let nurse = app.signed_in("nursery.nurse").await;
        let colleague = nurse.get(&film_url).send().await.unwrap();
        assert_eq!(colleague.status(), StatusCode::CONFLICT);
        assert!(colleague
            .text()
            .await
            .unwrap()
            .contains("The family agreed who may view"));

        // Consent withdrawn: the film is refused at once.
        let withdrawn = clinician
            .post(app.url(&format!(
                "/api/v1/families/{family}/filming-consents/{consent}/withdraw"
            )))
            .header("X-CSRF-Token", &token)
            .json(&serde_json::json!({"withdrawn_on": today.to_string(), "reason": "Tunde asked us to stop"}))
            .send()
            .await
            .unwrap();
        assert_eq!(withdrawn.status(), StatusCode::OK);
        let refused = clinician.get(&film_url).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::CONFLICT);
        assert!(refused.text().await.unwrap().contains("withdrawn"));

        let actions: Vec<String> = audit_actions(&app).await.into_iter().map(|r| r.1).collect();
        assert_eq!(count_of(&actions, "recording.upload_start"), 1);
        assert_eq!(count_of(&actions, "recording.upload_complete"), 1);
        assert_eq!(
            count_of(&actions, "recording.view"),
            4,
            "each request the viewer may make audited: two ranges (one beyond the end), the whole film and the poster frame"
        );

        // The retention job deletes it: the key destroyed, the film removed, and what was
        // deleted, when and why kept on the record.
        let swept = app.app.housekeeping().await.unwrap();
        assert_eq!(swept.recordings, 1);
        assert!(files_under(app.recordings.path()).is_empty());
        let record = get_json(&app, &clinician, &format!("/api/v1/families/{family}")).await;
        let kept = &record["recordings"][0];
        assert_eq!(kept["state"], "deleted");
        assert_eq!(kept["deletion"]["reason"], "consent_withdrawn");
        assert!(kept["deletion"]["detail"]
            .as_str()
            .unwrap()
            .contains("Tunde asked us to stop"));
        let actions: Vec<String> = audit_actions(&app).await.into_iter().map(|r| r.1).collect();
        assert_eq!(count_of(&actions, "recording.delete"), 1);
        assert_eq!(app.app.housekeeping().await.unwrap().recordings, 0, "once");
        let again = clinician
            .post(app.url(&format!(
                "/api/v1/families/{family}/recordings/{recording}/delete"
            )))
            .header("X-CSRF-Token", &token)
            .json(&serde_json::json!({"reason": "Asked twice"}))
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::CONFLICT);
        app.database.cleanup().await;
    }
);

on_both_backends!(
    a_file_that_arrives_unlike_the_one_sent_is_refused_and_nothing_of_it_kept,
    |backend| async move {
        let app = app(backend).await;
        let today = app.app.today();
        let (clinician, token, family, tunde) = okafor_family(&app).await;
        let consent = care_team_consent(&app, &clinician, &token, &family, &tunde).await;
        let film = film_of(200_000);
        let begin = |length: usize, description: &'static str, checksum: String| {
            let url = app.url(&format!("/api/v1/families/{family}/recordings"));
            let client = clinician.clone();
            let token = token.clone();
            let mut pairs = vec![
                ("consent", consent.clone()),
                ("purpose", "family_care".to_string()),
                ("on_film", tunde.clone()),
                ("filmed_on", today.to_string()),
                ("description", description.to_string()),
            ];
            if !checksum.is_empty() {
                pairs.push(("checksum", checksum));
            }
            async move {
                let pairs: Vec<(&str, &str)> =
                    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
                client
                    .post(url)
                    .header("X-CSRF-Token", token)
                    .header("Upload-Length", length.to_string())
                    .header("Upload-Metadata", metadata(&pairs))
                    .send()
                    .await
                    .unwrap()
            }
        };
        let created = begin(film.len(), "Nappy change", "0".repeat(64)).await;
        assert_eq!(created.status(), StatusCode::CREATED);
        let sent = clinician
            .patch(app.url(&location(&created)))
            .header("X-CSRF-Token", &token)
            .header("Content-Type", "application/offset+octet-stream")
            .header("Upload-Offset", "0")
            .body(film.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(sent.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(sent.text().await.unwrap().contains("checksum differs"));
        assert!(files_under(app.recordings.path()).is_empty());
        let record = get_json(&app, &clinician, &format!("/api/v1/families/{family}")).await;
        assert_eq!(record["recordings"][0]["state"], "deleted");
        assert_eq!(record["recordings"][0]["deletion"]["reason"], "refused");

        // An upload begun by mistake is deleted by the clinician, with the reason, before it
        // finishes; a reason is needed.
        let begun = begin(5000, "Wrong film", String::new()).await;
        let id = begun.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let delete = |reason: &'static str| {
            let url = app.url(&format!("/api/v1/families/{family}/recordings/{id}/delete"));
            let client = clinician.clone();
            let token = token.clone();
            async move {
                client
                    .post(url)
                    .header("X-CSRF-Token", token)
                    .json(&serde_json::json!({ "reason": reason }))
                    .send()
                    .await
                    .unwrap()
            }
        };
        // Consent withdrawn while the upload waits: nothing more of it is taken.
        let withdrawn = clinician
            .post(app.url(&format!(
                "/api/v1/families/{family}/filming-consents/{consent}/withdraw"
            )))
            .header("X-CSRF-Token", &token)
            .json(&serde_json::json!({"withdrawn_on": today.to_string(), "reason": "Tunde changed his mind"}))
            .send()
            .await
            .unwrap();
        assert_eq!(withdrawn.status(), StatusCode::OK);
        let upload = app.url(&format!("/api/v1/families/{family}/recordings/{id}/upload"));
        let more = clinician
            .patch(&upload)
            .header("X-CSRF-Token", &token)
            .header("Content-Type", "application/offset+octet-stream")
            .header("Upload-Offset", "0")
            .body(vec![1u8; 5000])
            .send()
            .await
            .unwrap();
        assert_eq!(more.status(), StatusCode::CONFLICT);
        assert!(more
            .text()
            .await
            .unwrap()
            .contains("withdrawn or has ended"));
        assert_eq!(delete(" ").await.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let deleted: Value = delete("Filmed the wrong family's session")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(deleted["state"], "deleted");
        assert_eq!(deleted["deletion"]["reason"], "by_staff");
        assert_eq!(
            deleted["deletion"]["detail"],
            "Filmed the wrong family's session"
        );
        let gone = clinician.head(&upload).send().await.unwrap();
        assert_eq!(gone.status(), StatusCode::NOT_FOUND);

        // Film bytes are let through unread only on an upload: a page form sent under the
        // upload's content type is still refused for the NUL character it holds.
        let disguised = clinician
            .post(app.url(&format!("/families/{family}/filming-consents")))
            .header("Content-Type", "application/offset+octet-stream")
            .body(format!("csrf_token={token}&given_day=1\0"))
            .send()
            .await
            .unwrap();
        assert_eq!(disguised.status(), StatusCode::BAD_REQUEST);
        assert!(disguised.text().await.unwrap().contains("NUL"));
        app.database.cleanup().await;
    }
);

on_both_backends!(
    a_file_that_is_not_a_film_or_is_cut_short_is_refused_by_its_content_and_a_changed_film_is_never_played,
    |backend| async move {
        let app = app(backend).await;
        let (clinician, token, family, tunde) = okafor_family(&app).await;
        let consent = care_team_consent(&app, &clinician, &token, &family, &tunde).await;
        let upload = |bytes: Vec<u8>| {
            upload_whole(&app, &clinician, &token, &family, &consent, &tunde, "Playing on the mat", bytes)
        };
        let film = cradle_testkit::test_film(std::str::from_utf8(MARKER).unwrap(), 3, FilmDetail::Plain);

        // Not a film, whatever its name says; a film cut short: each refused with the reason,
        // and nothing of it kept.
        let (status, answer, _) = upload(film_of(300_000)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(answer.contains("not a video Cradle can accept"), "{answer}");
        assert!(answer.contains("Nothing of this upload was kept"), "{answer}");
        let (status, answer, _) = upload(film[..film.len() * 2 / 3].to_vec()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(answer.contains("damaged or cut short"), "{answer}");
        assert!(files_under(app.recordings.path()).is_empty());
        let record = get_json(&app, &clinician, &format!("/api/v1/families/{family}")).await;
        let refused: Vec<&Value> = record["recordings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["deletion"]["reason"] == "refused")
            .collect();
        assert_eq!(refused.len(), 2);
        // The family page and timeline say they were not taken, not that anyone deleted them.
        let page = get_text(&app, &clinician, &format!("/families/{family}")).await;
        assert!(page.contains("Upload not taken"), "{page}");
        assert!(page.contains("Not taken on "));
        assert!(!page.contains("Deleted on "));
        let timeline = get_text(&app, &clinician, &format!("/families/{family}?type=filming")).await;
        assert!(timeline.contains("Upload of “Playing on the mat” not taken: This film is damaged or cut short"), "{timeline}");

        // A whole film is taken; one byte of it changed on the disk, and the film is not
        // played: the damage is reported, never the changed bytes.
        let (status, answer, id) = upload(film.clone()).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{answer}");
        let part = files_under(app.recordings.path())
            .into_iter()
            .find(|f| !f.ends_with("poster"))
            .unwrap();
        let mut stored = std::fs::read(&part).unwrap();
        stored[70_000] ^= 0x01;
        std::fs::write(&part, &stored).unwrap();
        let film_url = app.url(&format!(
            "/api/v1/families/{family}/recordings/{id}/film?purpose=family_care"
        ));
        let intact = clinician
            .get(&film_url)
            .header("Range", "bytes=0-999")
            .send()
            .await
            .unwrap();
        assert_eq!(intact.status(), StatusCode::PARTIAL_CONTENT, "the first chunk is whole");
        assert_eq!(intact.bytes().await.unwrap(), &film[..1000]);
        let changed = clinician
            .get(&film_url)
            .header("Range", "bytes=65536-66000")
            .send()
            .await
            .unwrap();
        assert_eq!(changed.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let said = changed.text().await.unwrap();
        assert!(!said.as_bytes().windows(100).any(|w| film.windows(100).any(|f| f == w)));
        app.database.cleanup().await;
    }
);

on_both_backends!(
    the_team_manager_sets_how_long_recordings_are_kept_and_the_deletion_job_follows_it,
    |backend| async move {
        let app = app(backend).await;
        let manager = app.signed_in("manager").await;
        let manager_token = app.csrf_token(&manager).await;
        let me: Value = get_json(&app, &manager, "/api/v1/me").await;
        let team = me["teams"][0].as_str().unwrap().to_string();
        let page = get_text(&app, &manager, &format!("/teams/{team}/settings")).await;
        assert!(page.contains("How many months are recordings kept"));
        assert!(
            page.contains(
                r#"id="retention_family_care" name="retention_family_care" type="text" value="12""#
            ),
            "a year unless the team says otherwise"
        );

        // A period out of range: the page again, with the reason and every value as typed.
        let typed = |family_care: &'static str| {
            [
                ("csrf_token", manager_token.clone()),
                ("retention_family_care", family_care.to_string()),
                ("retention_supervision", "3".to_string()),
                ("retention_teaching", "two years".to_string()),
                ("retention_research", "60".to_string()),
            ]
        };
        let refused = manager
            .post(app.url(&format!("/teams/{team}/settings/recordings")))
            .form(&typed("1"))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = refused.text().await.unwrap();
        assert!(page.contains("Months to keep recordings made for teaching and training other professionals must be a whole number from 1 to 120"));
        assert!(page.contains(r#"value="two years""#) && page.contains(r#"value="3""#));
        let api = manager
            .post(app.url(&format!("/api/v1/teams/{team}/recording-retention")))
            .header("X-CSRF-Token", &manager_token)
            .json(&serde_json::json!({"family_care": 1, "supervision": 3, "teaching": 0, "research": 60}))
            .send()
            .await
            .unwrap();
        assert_eq!(api.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let mut fixed = typed("1");
        fixed[3].1 = "24".to_string();
        let saved = manager
            .post(app.url(&format!("/teams/{team}/settings/recordings")))
            .form(&fixed)
            .send()
            .await
            .unwrap();
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let now: Value = get_json(
            &app,
            &manager,
            &format!("/api/v1/teams/{team}/recording-retention"),
        )
        .await;
        assert_eq!(
            now,
            serde_json::json!({"family_care": 1, "supervision": 3, "teaching": 24, "research": 60})
        );
        // A clinician sees the periods but may not change them.
        let (clinician, token, family, tunde) = okafor_family(&app).await;
        let forbidden = clinician
            .post(app.url(&format!("/api/v1/teams/{team}/recording-retention")))
            .header("X-CSRF-Token", &token)
            .json(&serde_json::json!({"family_care": 120, "supervision": 120, "teaching": 120, "research": 120}))
            .send()
            .await
            .unwrap();
        assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);

        // A film for the family's own sessions, under a consent of a year: kept for the
        // team's one month, then deleted by the job with the reason.
        let consent = consent_for_days(&app, &clinician, &token, &family, &tunde, 365).await;
        let film = cradle_testkit::test_film("retention", 2, FilmDetail::Plain);
        let (status, answer, _) = upload_whole(
            &app,
            &clinician,
            &token,
            &family,
            &consent,
            &tunde,
            "Feeding time",
            film,
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{answer}");
        let page = get_text(&app, &clinician, &format!("/families/{family}")).await;
        let until =
            cradle_domain::dates::long_date(cradle_domain::dates::add_months(app.app.today(), 1));
        assert!(
            page.contains(&format!("Kept until {until} (the team keeps recordings made for the family&#39;s own video feedback sessions for 1 month)")),
            "{}",
            &page[page.find("Feeding time").unwrap()..][..900]
        );
        // On the timeline, with the people on film and the consent it was made under.
        let timeline = get_text(
            &app,
            &clinician,
            &format!("/families/{family}?type=filming"),
        )
        .await;
        let today = cradle_domain::dates::long_date(app.app.today());
        assert!(
            timeline.contains(&format!("Recording “Feeding time” of Tunde Okafor with Ada Okafor, filmed under the consent given on {today}, for the family&#39;s own video feedback sessions (2 seconds long).")),
            "{timeline}"
        );
        assert_eq!(app.app.housekeeping().await.unwrap().recordings, 0);
        app.clock.advance_seconds(32 * 24 * 60 * 60);
        assert_eq!(app.app.housekeeping().await.unwrap().recordings, 1);
        // A month on, the clinician signs in afresh.
        let clinician = app.signed_in("clinician").await;
        let record = get_json(&app, &clinician, &format!("/api/v1/families/{family}")).await;
        let gone = &record["recordings"][0];
        assert_eq!(gone["state"], "deleted");
        assert_eq!(gone["deletion"]["reason"], "retention_ended");
        assert_eq!(
            gone["deletion"]["detail"],
            format!("Kept for the team's 1 month for the family's own video feedback sessions, until {until}")
        );
        assert!(files_under(app.recordings.path()).is_empty());
        let timeline = get_text(
            &app,
            &clinician,
            &format!("/families/{family}?type=filming"),
        )
        .await;
        assert!(
            timeline.contains("Recording “Feeding time” deleted. The team&#39;s retention period for its purpose ended: kept for the team&#39;s 1 month"),
            "{timeline}"
        );
        app.database.cleanup().await;
    }
);

on_both_backends!(
    withdrawing_consent_stops_a_viewing_already_streaming,
    |backend| async move {
        use futures_util::StreamExt;
        let app = app(backend).await;
        let (clinician, token, family, tunde) = okafor_family(&app).await;
        let consent = care_team_consent(&app, &clinician, &token, &family, &tunde).await;
        // Larger than every buffer between the server and the player.
        let film = cradle_testkit::test_film("in flight", 5, FilmDetail::Large);
        assert!(film.len() > 30_000_000, "{}", film.len());
        let (status, answer, id) = upload_whole(
            &app,
            &clinician,
            &token,
            &family,
            &consent,
            &tunde,
            "Singing together",
            film.clone(),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{answer}");

        // The whole film asked for; the first megabyte read; then consent is withdrawn.
        let playing = clinician
            .get(app.url(&format!(
                "/api/v1/families/{family}/recordings/{id}/film?purpose=family_care"
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(playing.status(), StatusCode::OK);
        let mut body = playing.bytes_stream();
        let mut received = 0usize;
        while received < 1_000_000 {
            received += body.next().await.unwrap().unwrap().len();
        }
        let withdrawn = clinician
            .post(app.url(&format!(
                "/api/v1/families/{family}/filming-consents/{consent}/withdraw"
            )))
            .header("X-CSRF-Token", &token)
            .json(&serde_json::json!({"withdrawn_on": app.app.today().to_string(), "reason": "Tunde asked for it to stop at once"}))
            .send()
            .await
            .unwrap();
        assert_eq!(withdrawn.status(), StatusCode::OK);
        // What was already on its way arrives; the rest never does, and the answer fails.
        let mut failed = false;
        while let Some(piece) = body.next().await {
            match piece {
                Ok(bytes) => received += bytes.len(),
                Err(_) => {
                    failed = true;
                    break;
                }
            }
        }
        assert!(failed, "the answer ends in an error, not as a whole film");
        assert!(
            received < film.len() / 2,
            "{received} of {} bytes arrived",
            film.len()
        );
        app.database.cleanup().await;
    }
);

on_both_backends!(
    emergency_access_to_another_teams_record_never_reaches_its_films,
    |backend| async move {
        let app = app(backend).await;
        let today = app.app.today();
        // The ward's own clinician films the mother with the baby, to be seen by the care team.
        let family = first_family(&app, "mbu.clinician").await;
        let ward = app.signed_in("mbu.clinician").await;
        let ward_token = app.csrf_token(&ward).await;
        let consent: Value = ward
            .post(app.url(&format!("/api/v1/families/{family}/filming-consents")))
            .header("X-CSRF-Token", &ward_token)
            .json(
                &serde_json::json!({"on_film": ["mother"], "for_baby": ["mother"],
                "purposes": ["family_care"], "scope": "care_team", "given": "in_person",
                "given_on": today.to_string(),
                "expires_on": (today + time::Duration::days(90)).to_string()}),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let consent = consent["id"].as_str().unwrap().to_string();
        let film = cradle_testkit::test_film("ward", 2, FilmDetail::Plain);
        let (status, answer, id) = upload_whole(
            &app,
            &ward,
            &ward_token,
            &family,
            &consent,
            "mother",
            "Bath time on the ward",
            film,
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{answer}");
        let film_url = app.url(&format!(
            "/api/v1/families/{family}/recordings/{id}/film?purpose=family_care"
        ));
        assert_eq!(
            ward.get(&film_url).send().await.unwrap().status(),
            StatusCode::OK
        );

        // A community clinician with emergency access reads the record, never the film.
        let clinician = app.signed_in("clinician").await;
        let csrf = app.csrf_token(&clinician).await;
        app.give_second_factor("clinician").await;
        let code = app.fresh_code("clinician").await;
        let granted = clinician
            .post(app.url(&format!("/families/{family}/break-glass")))
            .form(&[
                ("csrf_token", csrf.as_str()),
                (
                    "reason",
                    "Mother admitted overnight; safeguarding plan needed",
                ),
                ("code", code.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(granted.status(), StatusCode::SEE_OTHER);
        let record = clinician
            .get(app.url(&format!("/families/{family}")))
            .send()
            .await
            .unwrap();
        assert_eq!(record.status(), StatusCode::OK);
        for url in [film_url.clone(), film_url.replace("/film?", "/poster?")] {
            let refused = clinician.get(&url).send().await.unwrap();
            assert_eq!(refused.status(), StatusCode::CONFLICT);
            assert!(refused
                .text()
                .await
                .unwrap()
                .contains("emergency access included"));
        }
        app.database.cleanup().await;
    }
);

on_both_backends!(
    a_new_master_key_is_brought_in_by_wrapping_every_recordings_key_again_not_by_sealing_films_again,
    |backend| async move {
        use cradle_media::keys::{Keyring, WrappedKey};
        let app = app(backend).await;
        let (clinician, token, family, tunde) = okafor_family(&app).await;
        let consent = care_team_consent(&app, &clinician, &token, &family, &tunde).await;
        let film = cradle_testkit::test_film("rotation", 2, FilmDetail::Plain);
        let (status, answer, id) = upload_whole(
            &app, &clinician, &token, &family, &consent, &tunde, "Tummy time", film.clone(),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{answer}");
        let stored_before: Vec<(std::path::PathBuf, Vec<u8>)> = files_under(app.recordings.path())
            .into_iter()
            .map(|f| {
                let bytes = std::fs::read(&f).unwrap();
                (f, bytes)
            })
            .collect();

        // A new master key put first in the file; the command wraps every key again.
        let newest = Keyring::new_master_entry("2027").unwrap();
        let rotated = cradle_app::Cradle::new(app.database.open().await)
            .with_clock(app.clock.clone())
            .with_media(cradle_app::recordings::Media::new(
                Keyring::parse(&format!("{newest}\n{}", app.master_keys)).unwrap(),
                cradle_media::films::Films::on_disk(app.recordings.path()).unwrap(),
                cradle_media::probe::Tools::default(),
            ));
        let command_line = cradle_app::Actor::command_line();
        assert_eq!(rotated.rewrap_recording_keys(&command_line).await.unwrap(), 1);
        assert_eq!(rotated.rewrap_recording_keys(&command_line).await.unwrap(), 0, "once");

        // No film was touched; the old master key can go, and the film still opens.
        for (file, bytes) in &stored_before {
            assert_eq!(&std::fs::read(file).unwrap(), bytes, "{file:?} unchanged");
        }
        let family_id = cradle_domain::FamilyId(family.parse().unwrap());
        let recording: uuid::Uuid = id.parse().unwrap();
        let stored = rotated
            .store
            .recording_key(family_id, recording)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.master, "2027");
        let newest_only = Keyring::parse(&newest).unwrap();
        let key = newest_only
            .open_key(
                &WrappedKey {
                    master: stored.master,
                    sealed: stored.sealed,
                },
                recording,
            )
            .unwrap();
        let chunks =
            cradle_media::seal::Chunks::new(&key, recording, film.len() as u64).unwrap();
        let films = cradle_media::films::Films::on_disk(app.recordings.path()).unwrap();
        assert_eq!(
            films.read(&chunks, recording, 0, film.len() as u64).await.unwrap(),
            film
        );
        let actions: Vec<String> = audit_actions(&app).await.into_iter().map(|r| r.1).collect();
        assert_eq!(count_of(&actions, "recording.key_rewrap"), 1);
        app.database.cleanup().await;
    }
);

on_both_backends!(
    two_coders_code_a_recording_apart_correct_with_history_and_see_their_agreement_with_its_method,
    |backend| async move {
        let app = app(backend).await;
        let (clinician, token, family, tunde) = okafor_family(&app).await;
        let consent = care_team_consent(&app, &clinician, &token, &family, &tunde).await;
        let film = cradle_testkit::test_film("CODING-MARKER", 5, FilmDetail::Plain);
        let (status, text, recording) = upload_whole(
            &app,
            &clinician,
            &token,
            &family,
            &consent,
            &tunde,
            "Play on the mat",
            film,
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{text}");
        let record = get_json(&app, &clinician, &format!("/api/v1/families/{family}")).await;
        let baby = format!(
            "baby:{}",
            record["family"]["babies"][0]["id"].as_str().unwrap()
        );

        // The team starts with Cradle's schemes.
        let team = app.team_id(COMMUNITY_TEAM).to_string();
        let schemes = get_json(
            &app,
            &clinician,
            &format!("/api/v1/teams/{team}/coding-schemes"),
        )
        .await;
        let names: Vec<&str> = strings(&schemes, "name");
        assert_eq!(
            names,
            ["The baby's signals and attuned responses", "VIPP themes"]
        );
        let scheme = schemes[0]["id"].as_str().unwrap().to_string();

        let coding_path = format!("/api/v1/families/{family}/recordings/{recording}/coding");
        let code = |client: reqwest::Client, token: String, body: Value| {
            let url = app.url(&coding_path);
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
        // The clinician: a smile at 1.2 s, mutual gaze with Tunde from 0 to 3 s.
        let smile = code(
            clinician.clone(),
            token.clone(),
            serde_json::json!({
            "scheme": scheme, "code": "smile", "subject": baby, "start_millis": 1200,
            "note": "A big smile as he copies her sound"}),
        )
        .await;
        assert_eq!(smile.status(), StatusCode::CREATED);
        let smile: Value = smile.json().await.unwrap();
        let gaze = code(
            clinician.clone(),
            token.clone(),
            serde_json::json!({
            "scheme": scheme, "code": "mutual_gaze", "subject": tunde, "start_millis": 0,
            "end_millis": 3000}),
        )
        .await;
        assert_eq!(gaze.status(), StatusCode::CREATED);

        // The same code of the same person at once is not coded twice.
        let twice = code(
            clinician.clone(),
            token.clone(),
            serde_json::json!({"scheme": scheme, "code": "mutual_gaze", "subject": tunde,
                "start_millis": 2000, "end_millis": 4000}),
        )
        .await;
        assert_eq!(twice.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(twice
            .text()
            .await
            .unwrap()
            .contains("You coded “Mutual gaze” for Tunde Okafor at 0.0 s to 3.0 s already"));

        // Bad input: explained, nothing kept.
        let refused = code(
            clinician.clone(),
            token.clone(),
            serde_json::json!({
            "scheme": scheme, "code": "mutual_gaze", "subject": baby, "start_millis": 4000,
            "end_millis": 3000}),
        )
        .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem = refused.text().await.unwrap();
        assert!(
            problem.contains("“Mutual gaze” is said of a caregiver"),
            "{problem}"
        );
        assert!(
            problem.contains("The end must be after the start"),
            "{problem}"
        );

        // A second coder codes the same film apart.
        let nurse = app.signed_in("nursery.nurse").await;
        let nurse_token = app.csrf_token(&nurse).await;
        for body in [
            serde_json::json!({"scheme": scheme, "code": "smile", "subject": baby, "start_millis": 1500}),
            serde_json::json!({"scheme": scheme, "code": "mutual_gaze", "subject": tunde,
                "start_millis": 1000, "end_millis": 3000}),
        ] {
            assert_eq!(
                code(nurse.clone(), nurse_token.clone(), body)
                    .await
                    .status(),
                StatusCode::CREATED
            );
        }

        // Only the coder corrects their own event; the version before is kept with the reason.
        let smile_id = smile["id"].as_str().unwrap();
        let correction = serde_json::json!({"version": 1, "reason": "The smile starts earlier",
            "code": "smile", "subject": baby, "start_millis": 1000});
        let not_hers = nurse
            .post(app.url(&format!("{coding_path}/{smile_id}")))
            .header("X-CSRF-Token", &nurse_token)
            .json(&correction)
            .send()
            .await
            .unwrap();
        assert_eq!(not_hers.status(), StatusCode::CONFLICT);
        assert!(not_hers
            .text()
            .await
            .unwrap()
            .contains("Only Priya Shah can correct"));
        let corrected = clinician
            .post(app.url(&format!("{coding_path}/{smile_id}")))
            .header("X-CSRF-Token", &token)
            .json(&correction)
            .send()
            .await
            .unwrap();
        assert_eq!(corrected.status(), StatusCode::OK);
        let stale = clinician
            .post(app.url(&format!("{coding_path}/{smile_id}")))
            .header("X-CSRF-Token", &token)
            .json(&correction)
            .send()
            .await
            .unwrap();
        assert_eq!(
            stale.status(),
            StatusCode::CONFLICT,
            "made from version 1, now 2"
        );

        let coding = get_json(&app, &clinician, &coding_path).await;
        assert_eq!(
            strings(&coding["coders"], "name"),
            ["Priya Shah", "Tom Baker"]
        );
        let events = coding["events"].as_array().unwrap();
        assert_eq!(events.len(), 4);
        let mine = events.iter().find(|e| e["id"] == smile["id"]).unwrap();
        assert_eq!(mine["content"]["start_millis"], 1000);
        assert_eq!(mine["earlier"][0]["content"]["start_millis"], 1200);
        assert_eq!(mine["earlier"][0]["reason"], "The smile starts earlier");

        // Agreement over 1 s units, onsets within 1 s. Gaze: units 0-2 and 1-2, all but one
        // unit agree; over 5 units by chance 0.6×0.4 + 0.4×0.6 = 0.48, kappa 0.32 / 0.52.
        let priya = coding["coders"][0]["id"].as_str().unwrap();
        let tom = coding["coders"][1]["id"].as_str().unwrap();
        let agreement = get_json(
            &app,
            &clinician,
            &format!("/api/v1/families/{family}/recordings/{recording}/agreement?first={priya}&second={tom}"),
        )
        .await;
        // The film runs 5 s (a little more where its sound runs on): n one-second units.
        let n = agreement["overall"]["units"]["units"].as_u64().unwrap();
        assert!((5..=6).contains(&n), "{agreement}");
        assert!(
            agreement["method"]
                .as_str()
                .unwrap()
                .contains(&format!("{n} time units of 1 second")),
            "{agreement}"
        );
        let gaze = agreement["codes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == "mutual_gaze")
            .unwrap();
        let n = n as f64;
        let observed = (n - 1.0) / n;
        let by_chance = (3.0 / n) * (2.0 / n) + ((n - 3.0) / n) * ((n - 2.0) / n);
        assert!((gaze["units_agreeing_percent"].as_f64().unwrap() - observed * 100.0).abs() < 1e-9);
        assert!(
            (gaze["kappa"].as_f64().unwrap() - (observed - by_chance) / (1.0 - by_chance)).abs()
                < 1e-9,
            "{gaze}"
        );
        assert_eq!(gaze["onsets_matched_percent"], 100.0);
        let smiles = agreement["codes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == "smile")
            .unwrap();
        assert_eq!(
            smiles["units_agreeing_percent"], 100.0,
            "both in the second unit"
        );
        assert_eq!(smiles["onsets_matched_percent"], 100.0, "1.0 s and 1.5 s");
        let same = clinician
            .get(app.url(&format!("/api/v1/families/{family}/recordings/{recording}/agreement?first={priya}&second={priya}")))
            .send()
            .await
            .unwrap();
        assert_eq!(same.status(), StatusCode::UNPROCESSABLE_ENTITY);

        let actions: Vec<String> = audit_actions(&app).await.into_iter().map(|r| r.1).collect();
        assert_eq!(count_of(&actions, "coding.event_add"), 4);
        assert_eq!(count_of(&actions, "coding.event_correct"), 1);
        assert!(count_of(&actions, "coding.view") >= 1);
        assert_eq!(count_of(&actions, "coding.agreement_view"), 1);

        // Priya's coding as an ELAN file, imported back unchanged as the manager's.
        let eaf = clinician
            .get(app.url(&format!("{coding_path}.eaf?scheme={scheme}")))
            .send()
            .await
            .unwrap();
        assert_eq!(eaf.status(), StatusCode::OK);
        assert!(eaf.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("coding by Priya Shah.eaf"));
        let eaf = eaf.text().await.unwrap();
        assert!(
            eaf.contains("TIER_ID=\"Tunde Okafor: Mutual gaze\""),
            "{eaf}"
        );
        let manager = app.signed_in("manager").await;
        let manager_token = app.csrf_token(&manager).await;
        let import = |confirm: bool, body: String| {
            let url = app.url(&format!(
                "{coding_path}/import?scheme={scheme}&confirm={confirm}"
            ));
            let (manager, manager_token) = (manager.clone(), manager_token.clone());
            async move {
                manager
                    .post(url)
                    .header("X-CSRF-Token", manager_token)
                    .header("Content-Type", "application/xml")
                    .body(body)
                    .send()
                    .await
                    .unwrap()
            }
        };
        let preview: Value = import(false, eaf.clone()).await.json().await.unwrap();
        assert_eq!(preview["kept"], 0);
        let mine: Vec<&Value> = events
            .iter()
            .filter(|e| e["coder"] == "Priya Shah")
            .map(|e| &e["content"])
            .collect();
        let mut previewed: Vec<&Value> = preview["events"].as_array().unwrap().iter().collect();
        previewed.sort_by_key(|e| e["start_millis"].as_u64());
        let mut expected = mine.clone();
        expected.sort_by_key(|e| e["start_millis"].as_u64());
        assert_eq!(previewed, expected, "read back unchanged");
        assert_eq!(
            get_json(&app, &clinician, &coding_path).await["events"]
                .as_array()
                .unwrap()
                .len(),
            4
        );
        let kept: Value = import(true, eaf.clone()).await.json().await.unwrap();
        assert_eq!(kept["kept"], 2);
        let coding = get_json(&app, &clinician, &coding_path).await;
        assert_eq!(
            strings(&coding["coders"], "name"),
            ["Priya Shah", "Tom Baker", "Helen Morris"]
        );
        let hostile = import(
            true,
            eaf.replacen(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>",
                1,
            ),
        )
        .await;
        assert_eq!(hostile.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(hostile
            .text()
            .await
            .unwrap()
            .contains("declares a document type"));
        let csv = get_text(&app, &clinician, &format!("{coding_path}.csv")).await;
        assert!(
            csv.starts_with("coder,code,subject,start_seconds,end_seconds"),
            "{csv}"
        );
        assert!(
            csv.contains("Tom Baker,mutual_gaze,Tunde Okafor,1.000,3.000"),
            "{csv}"
        );

        // A film the family agreed only the practitioner and their supervisor may view is
        // coded by no one else either.
        let today = app.app.today();
        let private: Value = clinician
            .post(app.url(&format!("/api/v1/families/{family}/filming-consents")))
            .header("X-CSRF-Token", &token)
            .json(
                &serde_json::json!({"on_film": [tunde], "for_baby": ["mother"],
                "purposes": ["family_care"], "scope": "practitioner", "given": "in_person",
                "given_on": today.to_string(),
                "expires_on": (today + time::Duration::days(30)).to_string()}),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let (status, text, private_film) = upload_whole(
            &app,
            &clinician,
            &token,
            &family,
            private["id"].as_str().unwrap(),
            &tunde,
            "Bath time",
            cradle_testkit::test_film("PRIVATE-MARKER", 2, FilmDetail::Plain),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{text}");
        let not_in_scope = nurse
            .post(app.url(&format!(
                "/api/v1/families/{family}/recordings/{private_film}/coding"
            )))
            .header("X-CSRF-Token", &nurse_token)
            .json(
                &serde_json::json!({"scheme": scheme, "code": "smile", "subject": baby,
                "start_millis": 500}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(not_in_scope.status(), StatusCode::CONFLICT);
        assert!(not_in_scope
            .text()
            .await
            .unwrap()
            .contains("The family agreed who may view this recording"));

        // Consent withdrawn: nothing more may be coded.
        let withdrawn = clinician
            .post(app.url(&format!("/api/v1/families/{family}/filming-consents/{consent}/withdraw")))
            .header("X-CSRF-Token", &token)
            .json(&serde_json::json!({"withdrawn_on": app.app.today().to_string(), "reason": "Changed his mind"}))
            .send()
            .await
            .unwrap();
        assert_eq!(withdrawn.status(), StatusCode::OK);
        let after = code(
            clinician.clone(),
            token.clone(),
            serde_json::json!({
            "scheme": scheme, "code": "smile", "subject": baby, "start_millis": 2000}),
        )
        .await;
        assert_eq!(after.status(), StatusCode::CONFLICT);
        app.database.cleanup().await;
    }
);

on_both_backends!(
    a_team_manager_changes_a_coding_scheme_as_a_new_version_and_the_one_before_stays_readable,
    |backend| async move {
        let app = app(backend).await;
        let team = app.team_id(COMMUNITY_TEAM).to_string();
        let manager = app.signed_in("manager").await;
        let token = app.csrf_token(&manager).await;
        let schemes = get_json(
            &app,
            &manager,
            &format!("/api/v1/teams/{team}/coding-schemes"),
        )
        .await;
        let scheme = schemes[0]["id"].as_str().unwrap().to_string();
        let codes_url = app.url(&format!(
            "/api/v1/teams/{team}/coding-schemes/{scheme}/codes"
        ));
        let yawns = serde_json::json!({"version": 1, "label": "Yawns", "group": "The baby's signals",
            "kind": "point", "subject": "baby", "shortcut": "y"});
        let added = manager
            .post(codes_url.clone())
            .header("X-CSRF-Token", &token)
            .json(&yawns)
            .send()
            .await
            .unwrap();
        assert_eq!(added.status(), StatusCode::OK);
        let added: Value = added.json().await.unwrap();
        assert_eq!(
            (added["version"].as_u64(), added["change"].as_str()),
            (Some(2), Some("Added “Yawns”"))
        );

        // From the old version again: refused, saying who changed it.
        let stale = manager
            .post(codes_url.clone())
            .header("X-CSRF-Token", &token)
            .json(&yawns)
            .send()
            .await
            .unwrap();
        assert_eq!(stale.status(), StatusCode::CONFLICT);
        assert!(stale
            .text()
            .await
            .unwrap()
            .contains("was changed by Helen Morris"));
        // A key another code uses, and the player's keys, are refused in plain words.
        let clash = manager
            .post(codes_url.clone())
            .header("X-CSRF-Token", &token)
            .json(
                &serde_json::json!({"version": 2, "label": "Sneezes", "group": "The baby's signals",
                "kind": "point", "subject": "baby", "shortcut": "s"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(clash.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(clash
            .text()
            .await
            .unwrap()
            .contains("The key S already codes “Smiles”"));

        let first = get_json(
            &app,
            &manager,
            &format!("/api/v1/teams/{team}/coding-schemes/{scheme}?version=1"),
        )
        .await;
        assert_eq!(first["version"], 1);
        assert!(!strings(&first["codes"], "label").contains(&"Yawns"));

        // A clinician reads the schemes but does not change them.
        let clinician = app.signed_in("clinician").await;
        let clinician_token = app.csrf_token(&clinician).await;
        let refused = clinician
            .post(codes_url)
            .header("X-CSRF-Token", &clinician_token)
            .json(
                &serde_json::json!({"version": 2, "label": "Hiccups", "group": "The baby's signals",
                "kind": "point", "subject": "baby", "shortcut": "h"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let actions: Vec<String> = audit_actions(&app).await.into_iter().map(|r| r.1).collect();
        assert_eq!(count_of(&actions, "coding_scheme.change"), 1);
        app.database.cleanup().await;
    }
);
