//! Video feedback: consent to film, recorded for the people on film and for the baby by those
//! with parental responsibility, and withdrawn. The pages and API come next; these tests
//! drive the use-cases as the pages will, signed in as the clinician.

use super::*;
use cradle_app::{Actor, AppError, FamilyAccess};
use cradle_domain::entries::Member;
use cradle_domain::filming::{FilmingConsentInput, FilmingPurpose, WithdrawalInput};

/// The clinician's actor and access to the family of `mother`, with the family as the API
/// reads it.
async fn clinician_with(app: &TestApp, mother: &str) -> (Actor, FamilyAccess, Value) {
    let client = app.signed_in("clinician").await;
    let family = family_of(app, &client, mother).await;
    let record: Value = get_json(app, &client, &format!("/api/v1/families/{family}")).await;
    let cradle = &app.app;
    let session = cradle
        .login("clinician", DEMO_PASSWORD, "127.0.0.1")
        .await
        .unwrap()
        .session()
        .unwrap();
    let id = cradle_domain::FamilyId::parse(&family).unwrap();
    let signed_in = cradle
        .session(&session.token, "127.0.0.1", Some(id))
        .await
        .unwrap();
    let access = cradle
        .family_access(&signed_in.actor, id, signed_in.family.as_ref())
        .await
        .unwrap();
    (signed_in.actor, access, record)
}

fn consent(on_film: &[&str], for_baby: &[&str], today: time::Date) -> FilmingConsentInput {
    let (given_day, given_month, given_year) = date_fields(today - time::Duration::days(1));
    let (expires_day, expires_month, expires_year) = date_fields(today + time::Duration::days(180));
    FilmingConsentInput {
        on_film: on_film.iter().map(|s| s.to_string()).collect(),
        for_baby: for_baby.iter().map(|s| s.to_string()).collect(),
        purposes: vec!["family_care".into()],
        scope: "practitioner".into(),
        given: "signed_form".into(),
        given_day,
        given_month,
        given_year,
        expires_day,
        expires_month,
        expires_year,
    }
}

on_both_backends!(
    consent_to_film_comes_from_those_with_parental_responsibility_and_is_withdrawn_once,
    |backend| async move {
        let app = app(backend).await;
        let today = app.app.today();
        let (actor, access, record) = clinician_with(&app, "Amara Okafor").await;
        let tunde = person_id(&record, "Tunde Okafor");
        let tunde_member = Member::Person(cradle_domain::PersonId::parse(&tunde).unwrap());

        // The father on film, with the mother and him (his parental responsibility recorded)
        // consenting for the baby, for the family's own feedback sessions only.
        let recorded = app
            .app
            .record_filming_consent(
                &actor,
                &access,
                &consent(&[&tunde], &["mother", &tunde], today),
            )
            .await
            .unwrap();
        assert!(recorded.covers(FilmingPurpose::FamilyCare, &[tunde_member], today));
        assert!(!recorded.covers(FilmingPurpose::Teaching, &[tunde_member], today));

        // A grandmother without parental responsibility cannot consent for the baby.
        let (actor_b, access_b, record_b) = clinician_with(&app, "Precious Ndlovu").await;
        let grace = person_id(&record_b, "Grace Ndlovu");
        let refused = app
            .app
            .record_filming_consent(&actor_b, &access_b, &consent(&[&grace], &[&grace], today))
            .await;
        let Err(AppError::Invalid(problems)) = refused else {
            panic!("consent from someone without parental responsibility: {refused:?}");
        };
        assert!(problems.message_for("for_baby").is_some_and(
            |m| m.contains("Grace Ndlovu is not recorded as having parental responsibility")
        ));

        // Withdrawn: it covers nothing from then on, and is withdrawn once.
        let (day, month, year) = date_fields(today);
        let withdrawal = WithdrawalInput {
            on_day: day,
            on_month: month,
            on_year: year,
            reason: "Tunde no longer wants to be filmed".into(),
        };
        let withdrawn = app
            .app
            .withdraw_filming_consent(&actor, &access, recorded.id, &withdrawal)
            .await
            .unwrap();
        assert!(!withdrawn.covers(FilmingPurpose::FamilyCare, &[tunde_member], today));
        let again = app
            .app
            .withdraw_filming_consent(&actor, &access, recorded.id, &withdrawal)
            .await;
        assert!(matches!(again, Err(AppError::Conflict(_))), "{again:?}");

        let actions: Vec<String> = audit_actions(&app).await.into_iter().map(|r| r.1).collect();
        assert_eq!(count_of(&actions, "filming_consent.record"), 1);
        assert_eq!(count_of(&actions, "filming_consent.withdraw"), 1);
        app.database.cleanup().await;
    }
);

fn count_of(actions: &[String], action: &str) -> usize {
    actions.iter().filter(|a| *a == action).count()
}
