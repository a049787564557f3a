//! The storage conformance story: the same behaviour, checked on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cradle_domain::{
    AuditAction, AuditOutcome, Family, FamilyId, PerinatalStage, Role, Staff, StaffId, SubjectKind,
    Team, TeamId,
};
use cradle_store::{
    AuditEntry, BreakGlassGrant, FamilyQuery, FamilySearch, PagePosition, Sections, SessionRecord,
    Store, StoreError,
};
use cradle_testkit::{on_both_backends, Backend, TestDatabase};
use std::sync::Arc;
use uuid::Uuid;

fn entry(action: AuditAction, subject: Option<(SubjectKind, Uuid)>) -> AuditEntry {
    AuditEntry {
        at_millis: 1_780_000_000_000,
        actor_id: None,
        actor_username: "test".into(),
        actor_role: Some(Role::Administrator),
        team_id: None,
        action,
        outcome: AuditOutcome::Allowed,
        subject_kind: subject.map(|s| s.0),
        subject_id: subject.map(|s| s.1),
        source: "test".into(),
        break_glass_reason: None,
        detail: String::new(),
    }
}

struct World {
    team: Team,
    other_team: Team,
    clinician: Staff,
}

async fn world(store: &dyn Store) -> World {
    let team = Team {
        id: TeamId::new(),
        name: "North Perinatal".into(),
    };
    let other_team = Team {
        id: TeamId::new(),
        name: "Rose Ward MBU".into(),
    };
    for t in [&team, &other_team] {
        store
            .create_team(
                t,
                entry(AuditAction::TeamCreated, Some((SubjectKind::Team, t.id.0))),
            )
            .await
            .unwrap();
    }
    let clinician = Staff {
        id: StaffId::new(),
        username: "priya".into(),
        display_name: "Priya Shah".into(),
        role: Role::Clinician,
        teams: vec![team.id],
        disabled: false,
        service_account: false,
    };
    store
        .create_staff(
            &clinician,
            Some("$argon2id$fake"),
            entry(AuditAction::StaffCreated, None),
        )
        .await
        .unwrap();
    World {
        team,
        other_team,
        clinician,
    }
}

/// A session (token hash "abc") begun at the first millisecond.
fn session_of(staff: StaffId) -> SessionRecord {
    SessionRecord {
        token_hash: "abc".into(),
        staff_id: staff,
        csrf_token: "csrf".into(),
        created_at_millis: 1,
        last_seen_at_millis: 1,
        source: "http 127.0.0.1".into(),
    }
}

/// A family member with only a name, who agrees to be contacted.
fn someone(name: &str) -> cradle_domain::network::Person {
    cradle_domain::network::Person {
        id: cradle_domain::PersonId::new(),
        name: name.into(),
        phone: None,
        email: None,
        postcode: None,
        preferred_language: None,
        interpreter_needed: false,
        ethnicity: None,
        religion: None,
        cultural_notes: None,
        contact_consent: cradle_domain::network::ContactConsent::Yes,
        version: 1,
        date_of_birth: None,
        age_band: None,
        sex: None,
    }
}

fn family(team: TeamId, mother: &str) -> Family {
    Family {
        id: FamilyId::new(),
        team_id: team,
        mother_name: mother.into(),
        mother_nhs_number: Some("9991234578".into()),
        mother_date_of_birth: Some(time::macros::date!(1994 - 03 - 18)),
        mother_postcode: Some("LS1 4AP".into()),
        mother_language: Default::default(),
        stage: PerinatalStage::Postnatal,
        referral_date: Some(time::macros::date!(2026 - 11 - 02)),
        child_protection: cradle_domain::network::ChildProtectionStatus::None,
        babies: vec![cradle_domain::Baby {
            id: cradle_domain::BabyId::new(),
            name: None,
            date_of_birth: Some(time::macros::date!(2026 - 11 - 01)),
            due_date: None,
            gestation_at_birth: Some(cradle_domain::baby::Gestation { weeks: 35, days: 3 }),
            nhs_number: None,
        }],
        created_at_millis: 1_780_000_000_000,
        version: 1,
    }
}

/// A family under `team`, created by the world's clinician: the opening of many tests.
async fn created_family(store: &dyn Store, w: &World, team: TeamId, mother: &str) -> Family {
    let f = family(team, mother);
    store
        .create_family(&f, w.clinician.id, entry(AuditAction::FamilyCreated, None))
        .await
        .unwrap();
    f
}

async fn audit_count(store: &dyn Store) -> i64 {
    store.audit_head().await.unwrap().0
}

on_both_backends!(staff_and_teams_round_trip, |backend: Backend| async move {
    let db = TestDatabase::new(backend).await.unwrap();
    let store = db.open().await;
    let w = world(store.as_ref()).await;
    let found = store.staff_by_username("priya").await.unwrap().unwrap();
    assert_eq!(found, w.clinician);
    let credentials = store.staff_credentials("priya").await.unwrap().unwrap();
    assert_eq!(credentials.password_hash.as_deref(), Some("$argon2id$fake"));
    assert_eq!(store.list_teams().await.unwrap().len(), 2);

    let duplicate = Staff {
        id: StaffId::new(),
        ..w.clinician.clone()
    };
    let result = store
        .create_staff(&duplicate, None, entry(AuditAction::StaffCreated, None))
        .await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");

    store
        .set_staff_teams(
            w.clinician.id,
            &[w.team.id, w.other_team.id],
            entry(AuditAction::StaffTeamsChanged, None),
        )
        .await
        .unwrap();
    let moved = store.staff_by_id(w.clinician.id).await.unwrap().unwrap();
    assert_eq!(moved.teams.len(), 2);
    db.cleanup().await;
});

on_both_backends!(
    disabling_an_account_ends_its_sessions,
    |backend: Backend| async move {
        let db = TestDatabase::new(backend).await.unwrap();
        let store = db.open().await;
        let w = world(store.as_ref()).await;
        let session = session_of(w.clinician.id);
        store
            .create_session(&session, entry(AuditAction::LoginSucceeded, None))
            .await
            .unwrap();
        assert_eq!(store.session("abc").await.unwrap(), Some(session.clone()));
        store.touch_session("abc", 5).await.unwrap();
        assert_eq!(
            store
                .session("abc")
                .await
                .unwrap()
                .unwrap()
                .last_seen_at_millis,
            5
        );
        store
            .set_staff_disabled(
                w.clinician.id,
                true,
                entry(AuditAction::StaffDisabled, None),
            )
            .await
            .unwrap();
        assert_eq!(store.session("abc").await.unwrap(), None);
        assert!(
            store
                .staff_by_id(w.clinician.id)
                .await
                .unwrap()
                .unwrap()
                .disabled
        );
        db.cleanup().await;
    }
);

on_both_backends!(
    a_request_about_one_family_reads_its_access_check_with_the_session,
    |backend: Backend| async move {
        // Two stores on one database: a change made through one server is what the other's
        // next request reads with its session.
        let db = TestDatabase::new(backend).await.unwrap();
        let store = db.open().await;
        let there = db.open().await;
        let w = world(store.as_ref()).await;
        // A member of two teams: one row a team, the family's columns on each.
        store
            .set_staff_teams(
                w.clinician.id,
                &[w.team.id, w.other_team.id],
                entry(AuditAction::StaffTeamsChanged, None),
            )
            .await
            .unwrap();
        let session = session_of(w.clinician.id);
        store
            .create_session(&session, entry(AuditAction::LoginSucceeded, None))
            .await
            .unwrap();
        let f = created_family(store.as_ref(), &w, w.other_team.id, "Amara Okafor").await;

        let plain = store
            .session_with_staff("abc", None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(plain.session, session);
        assert_eq!(plain.staff.id, w.clinician.id);
        assert_eq!(plain.staff.teams.len(), 2);
        assert_eq!(plain.family, None);

        let about = store
            .session_with_staff("abc", Some(f.id))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(about.session, session);
        assert_eq!(about.staff, plain.staff);
        let stamp = store.family_stamp(f.id).await.unwrap();
        assert_eq!(about.family, stamp);
        assert_eq!(about.family.map(|(team, _)| team), Some(w.other_team.id));

        // A change made elsewhere raises the count the next request reads.
        let person = someone("Kwame Mensah");
        there
            .add_person(
                f.id,
                &person,
                1_780_000_000_001,
                entry(AuditAction::PersonAdded, None),
            )
            .await
            .unwrap();
        let after = store
            .session_with_staff("abc", Some(f.id))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(after.family, store.family_stamp(f.id).await.unwrap());
        assert!(after.family.unwrap().1 > about.family.unwrap().1);

        // No such family: the session still holds, the family is simply not there.
        let unknown = store
            .session_with_staff("abc", Some(FamilyId::new()))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(unknown.family, None);
        assert_eq!(unknown.staff, plain.staff);
        // No such session: nothing, whatever family is named.
        assert_eq!(
            store.session_with_staff("other", Some(f.id)).await.unwrap(),
            None
        );

        // Many requests at once (PostgreSQL reads lookups that queue up together in one
        // statement): each gets its own session's answer about its own family.
        let g = family(w.team.id, "Ann O'Neill");
        store
            .create_family(&g, w.clinician.id, entry(AuditAction::FamilyCreated, None))
            .await
            .unwrap();
        let nowhere = FamilyId::new();
        let mut asked = tokio::task::JoinSet::new();
        for i in 0..96usize {
            let store = store.clone();
            let token = if i % 3 == 2 { "other" } else { "abc" };
            let family = [Some(f.id), Some(g.id), Some(nowhere), None][i % 4];
            asked.spawn(async move {
                let answer = store.session_with_staff(token, family).await.unwrap();
                (token, family, answer)
            });
        }
        let g_stamp = store.family_stamp(g.id).await.unwrap();
        let f_stamp = store.family_stamp(f.id).await.unwrap();
        let mut answered = 0;
        while let Some(done) = asked.join_next().await {
            let (token, family, answer) = done.unwrap();
            answered += 1;
            if token == "other" {
                assert_eq!(answer, None);
                continue;
            }
            let answer = answer.unwrap();
            assert_eq!(answer.staff, plain.staff);
            let expected = match family {
                Some(id) if id == f.id => f_stamp,
                Some(id) if id == g.id => g_stamp,
                _ => None,
            };
            assert_eq!(answer.family, expected, "{family:?}");
        }
        assert_eq!(answered, 96);
        assert_ne!(f_stamp, g_stamp);
        db.cleanup().await;
    }
);

on_both_backends!(
    a_sign_in_is_read_as_it_stands_and_reads_recorded_together_are_each_written,
    |backend: Backend| async move {
        // Two stores on one database, as two servers: what changes through one is what the
        // other's next lookup reads.
        let db = TestDatabase::new(backend).await.unwrap();
        let store = db.open().await;
        let there = db.open().await;
        let w = world(store.as_ref()).await;
        store
            .create_session(
                &session_of(w.clinician.id),
                entry(AuditAction::LoginSucceeded, None),
            )
            .await
            .unwrap();
        let f = created_family(store.as_ref(), &w, w.team.id, "Amara Okafor").await;
        let looked_up = store
            .session_with_staff("abc", Some(f.id))
            .await
            .unwrap()
            .unwrap();
        let (team, changes) = looked_up.family.unwrap();
        assert_eq!(team, w.team.id);

        // The family and the account change on the other server: the next lookup reads both.
        there
            .add_person(
                f.id,
                &someone("Kwame Mensah"),
                1_780_000_000_001,
                entry(AuditAction::PersonAdded, None),
            )
            .await
            .unwrap();
        there
            .set_staff_teams(
                w.clinician.id,
                &[w.other_team.id],
                entry(AuditAction::StaffTeamsChanged, None),
            )
            .await
            .unwrap();
        let now = store
            .session_with_staff("abc", Some(f.id))
            .await
            .unwrap()
            .unwrap();
        assert!(now.family.unwrap().1 > changes);
        assert_ne!(now.staff_changes, looked_up.staff_changes);
        assert_eq!(now.staff.teams, vec![w.other_team.id]);

        // Many reads at once: each is answered once its own record is written.
        let records = || async { store.audit_records_after(0, 100_000).await.unwrap().len() };
        let before = records().await;
        let mut reads = tokio::task::JoinSet::new();
        for _ in 0..40 {
            let store = store.clone();
            let read = entry(
                AuditAction::FamilyViewed,
                Some((SubjectKind::Family, f.id.0)),
            );
            reads.spawn(async move { store.append_audit(read).await });
        }
        while let Some(done) = reads.join_next().await {
            done.unwrap().unwrap();
        }
        assert_eq!(records().await, before + 40);
        let chain = store.audit_records_after(0, 100_000).await.unwrap();
        assert!(cradle_store::verify_chain(None, &chain).is_ok());

        // The session ends on the other server: the next lookup finds none.
        there.end_session("abc", None).await.unwrap();
        assert!(store
            .session_with_staff("abc", None)
            .await
            .unwrap()
            .is_none());
        db.cleanup().await;
    }
);

on_both_backends!(
    families_are_scoped_to_the_staff_members_teams,
    |backend: Backend| async move {
        let db = TestDatabase::new(backend).await.unwrap();
        let store = db.open().await;
        let w = world(store.as_ref()).await;
        for name in ["Amara Okafor", "Ann O'Neill", "Zoe 50% Test"] {
            let f = family(w.team.id, name);
            store
                .create_family(
                    &f,
                    w.clinician.id,
                    entry(
                        AuditAction::FamilyCreated,
                        Some((SubjectKind::Family, f.id.0)),
                    ),
                )
                .await
                .unwrap();
        }
        let elsewhere = family(w.other_team.id, "Chloe Brennan");
        store
            .create_family(
                &elsewhere,
                w.clinician.id,
                entry(AuditAction::FamilyCreated, None),
            )
            .await
            .unwrap();

        let query = |search: Option<FamilySearch>, offset: u32, limit: u32| FamilyQuery {
            teams: vec![w.team.id],
            key_worker: None,
            search,
            position: if offset == 0 {
                PagePosition::Start
            } else {
                PagePosition::Offset(offset)
            },
            limit,
        };
        let all = store
            .list_families(
                &query(None, 0, 25),
                entry(AuditAction::FamilyListViewed, None),
            )
            .await
            .unwrap();
        assert_eq!(all.total, 3, "another team's family must not be listed");
        assert!(!all.has_previous && !all.has_next);
        let names: Vec<&str> = all
            .families
            .iter()
            .map(|f| f.mother_name.as_str())
            .collect();
        assert_eq!(names, ["Amara Okafor", "Ann O'Neill", "Zoe 50% Test"]);

        let an = store
            .list_families(
                &query(Some(FamilySearch::NamePrefix("an".into())), 0, 25),
                entry(AuditAction::FamilyListViewed, None),
            )
            .await
            .unwrap();
        assert_eq!(an.total, 1);
        assert_eq!(an.families[0].mother_name, "Ann O'Neill");
        let wildcard = store
            .list_families(
                &query(Some(FamilySearch::NamePrefix("%".into())), 0, 25),
                entry(AuditAction::FamilyListViewed, None),
            )
            .await
            .unwrap();
        assert_eq!(wildcard.total, 0, "a % typed in search matches itself only");
        let by_nhs = store
            .list_families(
                &query(Some(FamilySearch::NhsNumber("9991234578".into())), 0, 25),
                entry(AuditAction::FamilyListViewed, None),
            )
            .await
            .unwrap();
        assert_eq!(by_nhs.total, 3);
        let page_two = store
            .list_families(
                &query(None, 2, 2),
                entry(AuditAction::FamilyListViewed, None),
            )
            .await
            .unwrap();
        assert_eq!(page_two.families.len(), 1);
        assert_eq!(page_two.total, 3);
        assert!(page_two.has_previous && !page_two.has_next);

        let before = audit_count(store.as_ref()).await;
        let read = store
            .read_family(
                elsewhere.id,
                store.family_stamp(elsewhere.id).await.unwrap().unwrap().1,
                Sections::ALL,
                entry(
                    AuditAction::FamilyViewed,
                    Some((SubjectKind::Family, elsewhere.id.0)),
                ),
            )
            .await
            .unwrap();
        let read = read.unwrap();
        assert_eq!(read.family, elsewhere);
        assert!(read.people.is_empty() && read.relationships.is_empty());
        assert_eq!(
            audit_count(store.as_ref()).await,
            before + 1,
            "a read writes exactly one audit record"
        );
        assert_eq!(
            store.family_team(elsewhere.id).await.unwrap(),
            Some(w.other_team.id)
        );
        db.cleanup().await;
    }
);

on_both_backends!(
    caseload_pages_walk_every_family_once_in_name_order,
    |backend: Backend| async move {
        let db = TestDatabase::new(backend).await.unwrap();
        let store = db.open().await;
        let w = world(store.as_ref()).await;
        let second_worker = Staff {
            id: StaffId::new(),
            username: "tomasz".into(),
            display_name: "Tomasz Nowak".into(),
            teams: vec![w.team.id, w.other_team.id],
            ..w.clinician.clone()
        };
        store
            .create_staff(&second_worker, None, entry(AuditAction::StaffCreated, None))
            .await
            .unwrap();
        // Two teams, two key workers, and names that tie (the id breaks the tie).
        let names = [
            "Beth Adeyemi",
            "amy Clarke",
            "Beth Adeyemi",
            "Cara Doyle",
            "Émilie Roux",
            "Amy Clarke",
            "Dana Evans",
            "Beth Adeyemi",
            "Zara Khan",
            "Ola Nowak",
            "Ivy Hart",
        ];
        let mut expected: Vec<(String, Uuid)> = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let team = if i % 3 == 0 {
                w.other_team.id
            } else {
                w.team.id
            };
            let worker = if i % 2 == 0 {
                w.clinician.id
            } else {
                second_worker.id
            };
            let f = family(team, name);
            store
                .create_family(&f, worker, entry(AuditAction::FamilyCreated, None))
                .await
                .unwrap();
            expected.push((name.to_lowercase(), f.id.0));
        }
        expected.sort();
        let expected: Vec<Uuid> = expected.into_iter().map(|(_, id)| id).collect();
        let teams = vec![w.team.id, w.other_team.id];
        let query = |position: PagePosition| FamilyQuery {
            teams: teams.clone(),
            key_worker: None,
            search: None,
            position,
            limit: 3,
        };
        let list = |q: FamilyQuery| {
            let store = store.clone();
            async move {
                store
                    .list_families(&q, entry(AuditAction::FamilyListViewed, None))
                    .await
                    .unwrap()
            }
        };

        // Forwards with `After`, from the first page to the last.
        let mut seen = Vec::new();
        let mut page = list(query(PagePosition::Start)).await;
        assert!(!page.has_previous);
        let mut pages = vec![page.clone()];
        loop {
            assert_eq!(page.total, 11, "the running count covers both teams");
            seen.extend(page.families.iter().map(|f| f.id.0));
            if !page.has_next {
                break;
            }
            let last = page.families.last().unwrap().id;
            page = list(query(PagePosition::After(last))).await;
            assert!(page.has_previous);
            pages.push(page.clone());
        }
        assert_eq!(
            seen, expected,
            "every family once, in name order, across both teams"
        );
        assert_eq!(pages.len(), 4);

        // Backwards with `Before`, from the last page to the first: the same pages.
        let mut back = pages.last().unwrap().clone();
        for earlier in pages.iter().rev().skip(1) {
            let first = back.families.first().unwrap().id;
            back = list(query(PagePosition::Before(first))).await;
            assert_eq!(back.families, earlier.families);
            assert_eq!(back.has_previous, earlier.has_previous);
            assert!(back.has_next);
        }

        // A page number counts from the start, the same as following the links.
        let third = list(query(PagePosition::Offset(6))).await;
        assert_eq!(third.families, pages[2].families);

        // "My families": the key worker's own, in both teams, counted by the running count.
        let mine = list(FamilyQuery {
            key_worker: Some(second_worker.id),
            limit: 25,
            ..query(PagePosition::Start)
        })
        .await;
        assert_eq!(mine.total, 5);
        assert_eq!(mine.families.len(), 5);
        let only_one_team = list(FamilyQuery {
            teams: vec![w.team.id],
            limit: 25,
            ..query(PagePosition::Start)
        })
        .await;
        assert_eq!(only_one_team.total, 7);
        assert!(only_one_team
            .families
            .iter()
            .all(|f| f.team_id == w.team.id));

        // A name search is a prefix of the name, any case, including letters beyond ASCII.
        let search = |text: &str| FamilyQuery {
            search: Some(FamilySearch::NamePrefix(text.to_lowercase())),
            limit: 25,
            ..query(PagePosition::Start)
        };
        assert_eq!(list(search("Beth")).await.total, 3);
        assert_eq!(list(search("amy c")).await.total, 2);
        assert_eq!(list(search("ém")).await.total, 1);
        assert_eq!(list(search("x")).await.total, 0);
        // Paging within a search keeps to the search.
        let first = list(FamilyQuery {
            limit: 2,
            ..search("beth")
        })
        .await;
        assert!(first.has_next);
        let rest = list(FamilyQuery {
            limit: 2,
            position: PagePosition::After(first.families[1].id),
            ..search("beth")
        })
        .await;
        assert_eq!(rest.families.len(), 1);
        assert_eq!(rest.families[0].mother_name, "Beth Adeyemi");
        assert!(!rest.has_next);

        // Many lists at once, some alike and some not (on PostgreSQL alike walks are read
        // together): each gets the answer it gets on its own.
        let queries = [
            query(PagePosition::Start),
            FamilyQuery {
                teams: vec![w.team.id],
                ..query(PagePosition::Start)
            },
            search("beth"),
            search("amy c"),
            query(PagePosition::Offset(3)),
        ];
        let mut alone = Vec::new();
        for q in &queries {
            alone.push(list(q.clone()).await);
        }
        let mut together = tokio::task::JoinSet::new();
        for i in 0..60usize {
            let which = i % queries.len();
            let answer = list(queries[which].clone());
            together.spawn(async move { (which, answer.await) });
        }
        let mut answered = 0;
        while let Some(done) = together.join_next().await {
            let (which, page) = done.unwrap();
            let ids = |page: &cradle_store::FamilyPage| -> Vec<Uuid> {
                page.families.iter().map(|f| f.id.0).collect()
            };
            assert_eq!(ids(&page), ids(&alone[which]), "list {which}");
            assert_eq!(page.total, alone[which].total);
            answered += 1;
        }
        assert_eq!(answered, 60);
        db.cleanup().await;
    }
);

on_both_backends!(
    a_change_made_through_another_server_is_seen_at_once,
    |backend: Backend| async move {
        // Two stores on one database: two application servers, or a server and the command
        // line. Each keeps copies of what it has read; neither may show a stale record.
        let db = TestDatabase::new(backend).await.unwrap();
        let here = db.open().await;
        let there = db.open().await;
        let w = world(here.as_ref()).await;
        let f = created_family(here.as_ref(), &w, w.team.id, "Amara Okafor").await;
        // As Cradle reads: the access check's stamp, then the record at that stamp.
        let read = |store: Arc<dyn Store>| async move {
            let (_, changes) = store.family_stamp(f.id).await.unwrap().unwrap();
            store
                .read_family(
                    f.id,
                    changes,
                    Sections::ALL,
                    entry(AuditAction::FamilyViewed, None),
                )
                .await
                .unwrap()
                .unwrap()
        };
        let listed = |store: Arc<dyn Store>| {
            let teams = vec![w.team.id];
            async move {
                store
                    .list_families(
                        &FamilyQuery {
                            teams,
                            key_worker: None,
                            search: None,
                            position: PagePosition::Start,
                            limit: 25,
                        },
                        entry(AuditAction::FamilyListViewed, None),
                    )
                    .await
                    .unwrap()
                    .families
                    .remove(0)
            }
        };
        assert!(read(here.clone()).await.people.is_empty());
        assert!(listed(here.clone()).await.involved.is_empty());

        // Someone is added elsewhere, with their sex as recorded (kept on both databases).
        let mut person = someone("Kwame Mensah");
        person.sex = Some(cradle_domain::network::Sex::Male);
        there
            .add_person(
                f.id,
                &person,
                1_780_000_000_001,
                entry(AuditAction::PersonAdded, None),
            )
            .await
            .unwrap();
        assert_eq!(read(here.clone()).await.people, vec![person.clone()]);
        assert_eq!(listed(here.clone()).await.involved.len(), 1);

        // Amended elsewhere: the person is one row shared by families, and still counts.
        let before = read(here.clone()).await;
        person.name = "Kwame Asante".into();
        person.version = 2;
        there
            .amend_person(
                f.id,
                &person,
                &cradle_store::Amendment {
                    previous_snapshot: "{}".into(),
                    previous_version: 1,
                    changed_by: w.clinician.id,
                    at_millis: 1_780_000_000_002,
                    reason: "Spelling".into(),
                },
                entry(AuditAction::PersonAmended, None),
            )
            .await
            .unwrap();
        let after = read(here.clone()).await;
        assert_ne!(before, after);
        assert_eq!(after.people[0].name, "Kwame Asante");
        assert_eq!(listed(here.clone()).await.involved[0].1, "Kwame Asante");

        // And a change made straight in the database (no Cradle code at all) is seen too.
        db.execute_raw("UPDATE people SET name = 'Kwame A. Asante'")
            .await;
        assert_eq!(read(here.clone()).await.people[0].name, "Kwame A. Asante");
        db.cleanup().await;
    }
);

on_both_backends!(
    the_audit_trail_detects_edits_removals_and_reordering,
    |backend: Backend| async move {
        let db = TestDatabase::new(backend).await.unwrap();
        let store = db.open().await;
        world(store.as_ref()).await;
        for _ in 0..5 {
            store
                .append_audit(entry(AuditAction::AccessDenied, None))
                .await
                .unwrap();
        }
        // 2 teams + 1 staff + 5 = 8 records, all intact.
        assert_eq!(
            cradle_store::verify_audit_trail(store.as_ref())
                .await
                .unwrap(),
            Ok(8)
        );

        // The database itself refuses to change or remove a record, or move the head back.
        for (rewrite, refusal) in [
            (
                "UPDATE audit_events SET actor_username = 'someone else' WHERE seq = 4",
                "cannot be changed",
            ),
            ("DELETE FROM audit_events WHERE seq >= 6", "cannot be"),
            ("UPDATE audit_head SET seq = 5", "only moves forward"),
            ("DELETE FROM audit_head", "cannot be"),
        ] {
            let refused = db.try_raw(rewrite).await.unwrap_err();
            assert!(refused.contains(refusal), "{rewrite}: {refused}");
        }
        if backend == Backend::Postgres {
            let refused = db.try_raw("TRUNCATE audit_events").await.unwrap_err();
            assert!(
                refused.contains("cannot be changed or removed"),
                "{refused}"
            );
        }
        assert_eq!(
            cradle_store::verify_audit_trail(store.as_ref())
                .await
                .unwrap(),
            Ok(8),
            "nothing was rewritten"
        );

        // Someone who can drop those triggers can rewrite it; the chain shows where.
        db.allow_audit_rewriting().await;
        db.execute_raw("UPDATE audit_events SET actor_username = 'someone else' WHERE seq = 4")
            .await;
        let fault = cradle_store::verify_audit_trail(store.as_ref())
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(fault.seq, Some(4), "{fault:?}");
        assert!(fault.problem.contains("changed"));
        db.cleanup().await;

        let db = TestDatabase::new(backend).await.unwrap();
        let store = db.open().await;
        world(store.as_ref()).await;
        for _ in 0..5 {
            store
                .append_audit(entry(AuditAction::AccessDenied, None))
                .await
                .unwrap();
        }
        db.allow_audit_rewriting().await;
        db.execute_raw("DELETE FROM audit_events WHERE seq = 6")
            .await;
        let fault = cradle_store::verify_audit_trail(store.as_ref())
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(fault.seq, Some(6), "{fault:?}");

        db.execute_raw("DELETE FROM audit_events WHERE seq >= 6")
            .await;
        let fault = cradle_store::verify_audit_trail(store.as_ref())
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(
            (fault.seq, fault.place()),
            (None, "its head".to_string()),
            "removing the newest records is detected at the head: {fault:?}"
        );
        assert!(fault.problem.contains("ends at record 5"), "{fault:?}");

        // An edited head is named as the head, not as a record that does not exist.
        db.execute_raw("UPDATE audit_head SET seq = 5, hash = 'edited'")
            .await;
        let fault = cradle_store::verify_audit_trail(store.as_ref())
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(fault.seq, None, "{fault:?}");
        assert!(fault.problem.contains("the head was edited"), "{fault:?}");
        db.cleanup().await;

        let db = TestDatabase::new(backend).await.unwrap();
        let store = db.open().await;
        world(store.as_ref()).await;
        db.allow_audit_rewriting().await;
        db.execute_raw("UPDATE audit_events SET seq = 100 WHERE seq = 2; UPDATE audit_events SET seq = 2 WHERE seq = 3; UPDATE audit_events SET seq = 3 WHERE seq = 100;").await;
        let fault = cradle_store::verify_audit_trail(store.as_ref())
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(fault.seq, Some(2), "reordering is detected: {fault:?}");
        db.cleanup().await;
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_cradle_serves_as_a_role_that_cannot_rewrite_the_audit_trail() {
    let Some(db) = TestDatabase::new(Backend::Postgres).await else {
        eprintln!("TEST_DATABASE_URL is not set: PostgreSQL not tested here");
        return;
    };
    let owner = db.open_postgres().await;
    let role = format!("cradle_app_{}", &Uuid::now_v7().simple().to_string()[20..]);
    db.execute_raw(&format!("CREATE ROLE {role} LOGIN")).await;
    owner.grant_app_role(&role).await.unwrap();
    assert!(owner
        .grant_app_role("robert'); DROP TABLE staff; --")
        .await
        .is_err());

    // Cradle opens the database as that role (its migrations already applied) and works.
    let (scheme, rest) = db.url.split_once("://").unwrap();
    let host = rest.split_once('@').map(|(_, host)| host).unwrap_or(rest);
    let as_app = cradle_store::open(&format!("{scheme}://{role}@{host}"))
        .await
        .unwrap();
    let w = world(as_app.as_ref()).await;
    as_app
        .append_audit(entry(AuditAction::AccessDenied, None))
        .await
        .unwrap();
    assert!(as_app.staff_by_id(w.clinician.id).await.unwrap().is_some());

    // Even with the triggers gone, the role itself may not change or remove a record.
    db.allow_audit_rewriting().await;
    let app_pool = sqlx::PgPool::connect(&format!("{scheme}://{role}@{host}"))
        .await
        .unwrap();
    for rewrite in [
        "UPDATE audit_events SET detail = 'edited' WHERE seq = 1",
        "DELETE FROM audit_events WHERE seq = 1",
        "TRUNCATE audit_events",
        "DELETE FROM audit_head",
    ] {
        let refused = sqlx::raw_sql(rewrite).execute(&app_pool).await.unwrap_err();
        assert!(
            refused.to_string().contains("permission denied"),
            "{rewrite}: {refused}"
        );
    }
    app_pool.close().await;
    drop(as_app);
    drop(owner);
    db.cleanup().await;
    let admin_url = cradle_testkit::postgres_url().unwrap();
    let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url)
        .await
        .unwrap();
    sqlx::raw_sql(&format!("DROP ROLE IF EXISTS {role}"))
        .execute(&mut admin)
        .await
        .unwrap();
}

on_both_backends!(
    a_failed_audit_write_undoes_the_change,
    |backend: Backend| async move {
        let db = TestDatabase::new(backend).await.unwrap();
        let store = db.open().await;
        let w = world(store.as_ref()).await;
        match backend {
        Backend::Sqlite => {
            db.execute_raw("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'audit disk full'); END;").await
        }
        Backend::Postgres => {
            db.execute_raw("CREATE FUNCTION refuse_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit disk full'; END; $$ LANGUAGE plpgsql; CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_audit();").await
        }
    }
        let f = family(w.team.id, "Amara Okafor");
        let result = store
            .create_family(&f, w.clinician.id, entry(AuditAction::FamilyCreated, None))
            .await;
        assert!(
            result.is_err(),
            "the change must fail when its audit record cannot be written"
        );
        assert_eq!(
            store.family_team(f.id).await.unwrap(),
            None,
            "nothing half-saved"
        );
        assert_eq!(store.family_stamp(f.id).await.unwrap(), None);
        let read = store
            .read_family(
                f.id,
                0,
                Sections::ALL,
                entry(AuditAction::FamilyViewed, None),
            )
            .await
            .unwrap();
        assert_eq!(read, None);
        db.cleanup().await;
    }
);

on_both_backends!(break_glass_grants_expire, |backend: Backend| async move {
    let db = TestDatabase::new(backend).await.unwrap();
    let store = db.open().await;
    let w = world(store.as_ref()).await;
    let f = created_family(store.as_ref(), &w, w.other_team.id, "Chloe Brennan").await;
    let grant = BreakGlassGrant {
        id: Uuid::now_v7(),
        staff_id: w.clinician.id,
        family_id: f.id,
        reason: "Out of hours admission".into(),
        granted_at_millis: 1_000,
        expires_at_millis: 2_000,
    };
    store
        .grant_break_glass(&grant, entry(AuditAction::BreakGlassGranted, None))
        .await
        .unwrap();
    assert_eq!(
        store
            .active_break_glass(w.clinician.id, f.id, 1_500)
            .await
            .unwrap(),
        Some(grant)
    );
    assert_eq!(
        store
            .active_break_glass(w.clinician.id, f.id, 2_000)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .active_break_glass(w.clinician.id, f.id, 500)
            .await
            .unwrap(),
        None
    );
    db.cleanup().await;
});

on_both_backends!(
    login_failures_are_counted_per_account_and_address,
    |backend: Backend| async move {
        let db = TestDatabase::new(backend).await.unwrap();
        let store = db.open().await;
        for (user, address, at) in [
            ("a", "1.1.1.1", 10),
            ("a", "2.2.2.2", 20),
            ("b", "1.1.1.1", 30),
            ("a", "1.1.1.1", 1),
        ] {
            store
                .record_login_failure(
                    user,
                    address,
                    at,
                    vec![entry(AuditAction::LoginFailed, None)],
                )
                .await
                .unwrap();
        }
        let counts = store
            .login_failures_since("a", "1.1.1.1", 5, 15)
            .await
            .unwrap();
        assert_eq!((counts.for_username, counts.for_address), (2, 1));
        assert_eq!(counts.last_for_username_at_millis, Some(20));
        let failing = store.accounts_with_failures(0, 2).await.unwrap();
        assert_eq!(failing.len(), 1, "only a has two failures: {failing:?}");
        assert_eq!(
            (failing[0].username.as_str(), failing[0].failures),
            ("a", 3)
        );
        assert_eq!(
            (failing[0].last_at_millis, failing[0].last_address.as_str()),
            (20, "2.2.2.2"),
            "the newest failure and where it came from"
        );
        let audits_before = store.audit_head().await.unwrap().0;
        store
            .clear_login_failures("a", Some(entry(AuditAction::AccountUnlocked, None)))
            .await
            .unwrap();
        assert_eq!(
            store.audit_head().await.unwrap().0,
            audits_before + 1,
            "the unlock is audited with it"
        );
        let counts = store
            .login_failures_since("a", "1.1.1.1", 0, 0)
            .await
            .unwrap();
        assert_eq!((counts.for_username, counts.for_address), (0, 1));
        assert_eq!(counts.last_for_username_at_millis, None);
        assert_eq!(store.remove_login_failures_before(31).await.unwrap(), 1);
        assert!(store.accounts_with_failures(0, 1).await.unwrap().is_empty());
        db.cleanup().await;
    }
);

on_both_backends!(
    a_one_time_link_sets_the_password_once_and_ends_the_accounts_sessions,
    |backend: Backend| async move {
        let db = TestDatabase::new(backend).await.unwrap();
        let store = db.open().await;
        let w = world(store.as_ref()).await;
        let id = w.clinician.id;
        store
            .create_session(&session_of(id), entry(AuditAction::LoginSucceeded, None))
            .await
            .unwrap();
        store
            .set_second_factor(id, Some("KEY"), entry(AuditAction::SecondFactorSetUp, None))
            .await
            .unwrap();
        store
            .record_login_failure(
                "priya",
                "1.1.1.1",
                5,
                vec![entry(AuditAction::LoginFailed, None)],
            )
            .await
            .unwrap();
        let link = |hash: &str, created: i64| cradle_store::AccountLink {
            token_hash: hash.into(),
            staff_id: id,
            purpose: "reset".into(),
            created_at_millis: created,
            expires_at_millis: created + 100,
            used_at_millis: None,
        };
        for (hash, at) in [("old", 10), ("new", 20)] {
            store
                .add_account_link(&link(hash, at), entry(AuditAction::AccountLinkIssued, None))
                .await
                .unwrap();
        }
        assert!(
            store.account_link("old").await.unwrap().is_none(),
            "replaced"
        );
        let state = store.account_states().await.unwrap();
        let mine = state.iter().find(|s| s.staff_id == id).unwrap();
        assert_eq!(mine.open_link, Some(("reset".to_string(), 120)));
        assert!(mine.has_password && mine.has_second_factor);

        let before = audit_count(store.as_ref()).await;
        assert!(
            matches!(
                store
                    .use_account_link(
                        "new",
                        "$argon2id$other",
                        120,
                        entry(AuditAction::PasswordSet, None)
                    )
                    .await,
                Err(StoreError::NotFound)
            ),
            "expired at its expiry time"
        );
        assert_eq!(audit_count(store.as_ref()).await, before, "nothing written");
        store
            .use_account_link(
                "new",
                "$argon2id$other",
                119,
                entry(AuditAction::PasswordSet, None),
            )
            .await
            .unwrap();
        let credentials = store.staff_credentials("priya").await.unwrap().unwrap();
        assert_eq!(
            credentials.password_hash.as_deref(),
            Some("$argon2id$other")
        );
        assert!(
            store.session("abc").await.unwrap().is_none(),
            "signed out everywhere"
        );
        assert_eq!(
            store.second_factor(id).await.unwrap(),
            None,
            "second factor removed"
        );
        let counts = store
            .login_failures_since("priya", "x", 0, 0)
            .await
            .unwrap();
        assert_eq!(counts.for_username, 0, "lockout lifted");
        assert!(
            matches!(
                store
                    .use_account_link(
                        "new",
                        "$argon2id$third",
                        119,
                        entry(AuditAction::PasswordSet, None)
                    )
                    .await,
                Err(StoreError::NotFound)
            ),
            "works once"
        );
        assert_eq!(audit_count(store.as_ref()).await, before + 1);
        db.cleanup().await;
    }
);

on_both_backends!(
    a_second_factors_code_is_accepted_once_and_a_sign_in_waits_for_it,
    |backend: Backend| async move {
        let db = TestDatabase::new(backend).await.unwrap();
        let store = db.open().await;
        let w = world(store.as_ref()).await;
        let id = w.clinician.id;
        store
            .set_second_factor(id, Some("KEY"), entry(AuditAction::SecondFactorSetUp, None))
            .await
            .unwrap();
        assert_eq!(
            store.second_factor(id).await.unwrap().as_deref(),
            Some("KEY")
        );
        assert!(store.accept_second_factor_step(id, 100).await.unwrap());
        assert!(
            !store.accept_second_factor_step(id, 100).await.unwrap(),
            "not twice"
        );
        assert!(
            !store.accept_second_factor_step(id, 99).await.unwrap(),
            "nor an older one"
        );
        assert!(store.accept_second_factor_step(id, 101).await.unwrap());

        store
            .create_sign_in_challenge("c", id, 10, 20)
            .await
            .unwrap();
        assert_eq!(store.sign_in_challenge("c", 19).await.unwrap(), Some(id));
        assert_eq!(
            store.sign_in_challenge("c", 20).await.unwrap(),
            None,
            "expired"
        );
        assert_eq!(store.remove_sign_in_challenges_before(21).await.unwrap(), 1);
        store
            .create_sign_in_challenge("d", id, 10, 20)
            .await
            .unwrap();
        store.end_sign_in_challenge("d").await.unwrap();
        assert_eq!(store.sign_in_challenge("d", 11).await.unwrap(), None);
        store
            .set_second_factor(id, None, entry(AuditAction::SecondFactorRemoved, None))
            .await
            .unwrap();
        assert_eq!(store.second_factor(id).await.unwrap(), None);
        db.cleanup().await;
    }
);

on_both_backends!(
    concurrent_writers_keep_one_unbroken_chain,
    |backend: Backend| async move {
        // Two servers on one database, each remembering the chain's head as it last wrote
        // it: their batches interleave, and each must notice the other's.
        let db = TestDatabase::new(backend).await.unwrap();
        let store = db.open().await;
        let there = db.open().await;
        let mut tasks = Vec::new();
        for writer in 0..8 {
            let store = if writer % 2 == 0 {
                store.clone()
            } else {
                there.clone()
            };
            tasks.push(tokio::spawn(async move {
                for _ in 0..10 {
                    store
                        .append_audit(entry(AuditAction::AccessDenied, None))
                        .await
                        .unwrap();
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(
            cradle_store::verify_audit_trail(store.as_ref())
                .await
                .unwrap(),
            Ok(80)
        );
        db.cleanup().await;
    }
);

on_both_backends!(
    audited_reads_and_changes_at_once_keep_one_unbroken_chain,
    |backend: Backend| async move {
        // Reads' audit records are committed in batches (on SQLite by a writer of their
        // own), changes' records in the change's own transaction: under both at once every
        // record is kept, in one chain, once.
        let db = TestDatabase::new(backend).await.unwrap();
        let store = db.open().await;
        let before = audit_count(store.as_ref()).await;
        let mut tasks = Vec::new();
        for reader in 0..8u8 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                for _ in 0..25 {
                    let mut read = entry(AuditAction::FamilyListViewed, None);
                    read.detail = format!("reader {reader}");
                    store.append_audit(read).await.unwrap();
                }
            }));
        }
        for writer in 0..4u8 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                for n in 0..5u8 {
                    let team = Team {
                        id: TeamId::new(),
                        name: format!("Team {writer}-{n}"),
                    };
                    let made = entry(
                        AuditAction::TeamCreated,
                        Some((SubjectKind::Team, team.id.0)),
                    );
                    store.create_team(&team, made).await.unwrap();
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(audit_count(store.as_ref()).await - before, 8 * 25 + 4 * 5);
        let verified = cradle_store::verify_audit_trail(store.as_ref())
            .await
            .unwrap();
        assert_eq!(
            verified,
            Ok(u64::try_from(audit_count(store.as_ref()).await).unwrap())
        );
        db.cleanup().await;
    }
);

on_both_backends!(
    a_synthetic_caseload_is_whole_and_audited,
    |backend: Backend| async move {
        let db = TestDatabase::new(backend).await.unwrap();
        let app = cradle_app::Cradle::new(db.open().await);
        let demo = cradle_app::demo::seed(&app).await.unwrap();
        let team = demo
            .teams
            .iter()
            .find(|t| t.name == cradle_app::demo::COMMUNITY_TEAM)
            .unwrap();
        let clinician = demo
            .staff
            .iter()
            .find(|s| s.username == "clinician")
            .unwrap();
        let before = app.store.audit_head().await.unwrap().0;
        let made = cradle_app::demo::synthetic_caseload(&app, team.id, clinician, 1_234, 0)
            .await
            .unwrap();
        assert_eq!(made, 1_234);
        let actor = cradle_app::Actor::staff(clinician, "test");
        let page = app.list_families(&actor, None, 2).await.unwrap();
        let demo_families = cradle_app::demo::demo_families()
            .iter()
            .filter(|f| f.team == team.name)
            .count() as u64;
        assert_eq!(page.total, 1_234 + demo_families);
        assert!(page
            .families
            .iter()
            .all(|f| f.babies.len() == 1 && !f.involved.is_empty()));
        let after = app.store.audit_head().await.unwrap().0;
        assert_eq!(
            after - before,
            1_234 + 1,
            "one audit record per family, plus the list just read"
        );
        assert!(cradle_store::verify_audit_trail(app.store.as_ref())
            .await
            .unwrap()
            .is_ok());
        db.cleanup().await;
    }
);

on_both_backends!(
    care_plan_counts_on_the_caseload_follow_the_sessions_and_reviews,
    |backend: Backend| async move {
        use cradle_domain::care_plans::*;
        use cradle_domain::conversations::Seen;
        use cradle_domain::entries::Member;
        use time::macros::date;

        let db = TestDatabase::new(backend).await.unwrap();
        let store = db.open().await;
        let w = world(store.as_ref()).await;
        let f = created_family(store.as_ref(), &w, w.team.id, "Amara Okafor").await;
        let plan = CarePlan {
            id: Uuid::now_v7(),
            kind: PlanKind::NurseryNursing,
            focus: Focus::Postnatal,
            agreed_on: date!(2026 - 11 - 03),
            assessment: Some("Settling and feeding routines".into()),
            planned_sessions: Some(8),
            after_mbu: true,
            goals: vec![],
            sessions: vec![],
            reviews: vec![],
            closure: None,
            created_by: "Priya Shah".into(),
            created_at_millis: 1,
        };
        store
            .create_plan(
                f.id,
                &plan,
                w.clinician.id,
                entry(AuditAction::CarePlanCreated, None),
            )
            .await
            .unwrap();
        let goal = Goal {
            id: Uuid::now_v7(),
            who: vec![Member::Mother],
            words: "Feel calm at bath time".into(),
            area: GoalArea::Confidence,
            agreed_by: "Amara".into(),
            agreed_on: date!(2026 - 11 - 03),
            baseline: Rating {
                score: 2,
                rated_by: Member::Mother,
                rated_on: date!(2026 - 11 - 03),
            },
            more_baselines: vec![],
            recorded_by: "Priya Shah".into(),
            recorded_at_millis: 2,
        };
        store
            .add_goal(
                f.id,
                plan.id,
                &goal,
                w.clinician.id,
                entry(AuditAction::GoalAgreed, None),
            )
            .await
            .unwrap();
        let session = |day: u8, attendance: Attendance, at: i64| CareSession {
            id: Uuid::now_v7(),
            held_on: time::Date::from_calendar_date(2026, time::Month::November, day).unwrap(),
            place: Some(Place::Home),
            attendance,
            attendees: if attendance == Attendance::Attended {
                vec![Member::Mother]
            } else {
                vec![]
            },
            seen: Seen::Together,
            goals: vec![goal.id],
            interventions: vec![],
            focus: Focus::Postnatal,
            notes: String::new(),
            next_contact: time::Date::from_calendar_date(2026, time::Month::November, day + 2).ok(),
            interpreter: None,
            recorded_by: "Priya Shah".into(),
            recorded_at_millis: at,
        };
        // Six attended and one did-not-attend, recorded out of order.
        for (day, attendance) in [
            (4, Attendance::Attended),
            (6, Attendance::Attended),
            (10, Attendance::DidNotAttend),
            (8, Attendance::Attended),
            (12, Attendance::Attended),
            (14, Attendance::Attended),
        ] {
            store
                .record_session(
                    f.id,
                    plan.id,
                    &session(day, attendance, i64::from(day)),
                    w.clinician.id,
                    entry(AuditAction::SessionRecorded, None),
                )
                .await
                .unwrap();
        }
        let caseload_row = |store: Arc<dyn Store>| async move {
            let page = store
                .list_families(
                    &FamilyQuery {
                        teams: vec![f.team_id],
                        key_worker: None,
                        search: None,
                        position: PagePosition::Start,
                        limit: 10,
                    },
                    entry(AuditAction::FamilyListViewed, None),
                )
                .await
                .unwrap();
            page.families[0].care.clone()
        };
        let counts = caseload_row(Arc::clone(&store)).await;
        assert_eq!(counts.open_plans, 1);
        assert_eq!(
            counts.attended_since_review, 5,
            "the did-not-attend does not count"
        );
        assert_eq!(counts.next_contact, Some(date!(2026 - 11 - 16)));
        let today = date!(2026 - 11 - 15);
        assert_eq!(
            counts.next_due(today),
            NextDue::Contact {
                on: date!(2026 - 11 - 16),
                passed: false
            }
        );
        store
            .record_session(
                f.id,
                plan.id,
                &session(15, Attendance::Attended, 15),
                w.clinician.id,
                entry(AuditAction::SessionRecorded, None),
            )
            .await
            .unwrap();
        let counts = caseload_row(Arc::clone(&store)).await;
        assert_eq!(
            counts.next_due(today),
            NextDue::ReviewDue,
            "after the sixth attended"
        );

        // The record read back agrees with the caseload, by the domain's own rule.
        let (_, changes) = store.family_stamp(f.id).await.unwrap().unwrap();
        let record = store
            .read_family(
                f.id,
                changes,
                Sections::ALL,
                entry(AuditAction::FamilyViewed, None),
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(record.plans.len(), 1);
        assert_eq!(record.plans[0].goals, vec![goal.clone()]);
        assert_eq!(record.plans[0].sessions.len(), 7);
        assert_eq!(
            record.plans[0].attended_since_review(),
            counts.attended_since_review
        );
        assert_eq!(record.plans[0].next_contact(), counts.next_contact);

        // A change loads what it checks: the core alone has no plans; with the care
        // section, the same plans as the whole record.
        let core = store
            .load_record_for_change(f.id, Sections::CORE)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(core.family, record.family);
        assert!(core.plans.is_empty(), "the care section was not asked for");
        let care = store
            .load_record_for_change(f.id, Sections::CARE)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(care.plans, record.plans);
        assert!(care.entries.is_empty() && care.conversations.is_empty());

        // The team's own number, seen at once (no copy outlives it).
        store
            .set_sessions_before_review(w.team.id, 8, entry(AuditAction::TeamSettingsChanged, None))
            .await
            .unwrap();
        assert_eq!(store.sessions_before_review(w.team.id).await.unwrap(), 8);
        let counts = caseload_row(Arc::clone(&store)).await;
        assert_eq!(counts.sessions_before_review, 8);
        assert!(!counts.next_due(today).is_warning());
        let (_, stamp) = store.family_stamp(f.id).await.unwrap().unwrap();
        assert_ne!(
            stamp, changes,
            "the record's stamp moves with its team's settings"
        );
        let shown = store
            .read_family(
                f.id,
                stamp,
                Sections::CORE,
                entry(AuditAction::FamilyViewed, None),
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(shown.sessions_before_review, 8);

        // A review restarts the count; closing the plan takes it off the caseload.
        let review = Review {
            id: Uuid::now_v7(),
            reviewed_on: date!(2026 - 11 - 15),
            ratings: vec![(
                goal.id,
                Rating {
                    score: 6,
                    rated_by: Member::Mother,
                    rated_on: date!(2026 - 11 - 15),
                },
            )],
            what_changed: "Bath time is calmer".into(),
            decision: ReviewDecision::Continue,
            sessions_counted: 6,
            recorded_by: "Priya Shah".into(),
            recorded_at_millis: 16,
        };
        store
            .record_review(
                f.id,
                plan.id,
                &review,
                w.clinician.id,
                entry(AuditAction::ReviewRecorded, None),
            )
            .await
            .unwrap();
        assert_eq!(
            caseload_row(Arc::clone(&store)).await.attended_since_review,
            0
        );
        let closed = CarePlan {
            closure: Some(PlanClosure {
                closed_on: date!(2026 - 11 - 20),
                summary: "Goals reached".into(),
                closed_by: "Priya Shah".into(),
            }),
            ..plan.clone()
        };
        store
            .close_plan(
                f.id,
                &closed,
                w.clinician.id,
                entry(AuditAction::CarePlanClosed, None),
            )
            .await
            .unwrap();
        let counts = caseload_row(Arc::clone(&store)).await;
        assert_eq!(counts.open_plans, 0);
        assert_eq!(
            counts.next_due(today),
            NextDue::NoPlan {
                ended: Some(date!(2026 - 11 - 20))
            },
            "the caseload says when the family's plan ended"
        );
        // A closed plan takes nothing more, and another family's plan cannot be written to.
        let refused = store
            .record_session(
                f.id,
                plan.id,
                &session(21, Attendance::Attended, 21),
                w.clinician.id,
                entry(AuditAction::SessionRecorded, None),
            )
            .await;
        assert!(matches!(refused, Err(StoreError::NotFound)));
        let other = family(w.other_team.id, "Beth Other");
        store
            .create_family(
                &other,
                w.clinician.id,
                entry(AuditAction::FamilyCreated, None),
            )
            .await
            .unwrap();
        let open_again = CarePlan {
            id: Uuid::now_v7(),
            ..plan.clone()
        };
        store
            .create_plan(
                f.id,
                &open_again,
                w.clinician.id,
                entry(AuditAction::CarePlanCreated, None),
            )
            .await
            .unwrap();
        let cross = store
            .add_goal(
                other.id,
                open_again.id,
                &goal,
                w.clinician.id,
                entry(AuditAction::GoalAgreed, None),
            )
            .await;
        assert!(matches!(cross, Err(StoreError::NotFound)));
        db.cleanup().await;
    }
);

on_both_backends!(
    every_team_has_a_catalogue_and_an_intervention_changed_elsewhere_is_not_overwritten,
    |backend: Backend| async move {
        use cradle_domain::entries::Member;
        use cradle_domain::interventions::*;
        use time::macros::date;

        let db = TestDatabase::new(backend).await.unwrap();
        let store = db.open().await;
        let w = world(store.as_ref()).await;
        // A new team starts with the seeded catalogue, in name order.
        let catalogue = store.catalogue(w.team.id).await.unwrap();
        assert_eq!(catalogue.len(), SEEDED.len());
        let names: Vec<String> = catalogue.iter().map(|e| e.name.to_lowercase()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        // A team made before catalogues existed gets one when the store next opens.
        db.execute_raw(
            "DELETE FROM intervention_catalogue WHERE team_id = (SELECT id FROM teams WHERE name = 'Rose Ward MBU')",
        )
        .await;
        assert!(store.catalogue(w.other_team.id).await.unwrap().is_empty());
        let reopened = db.open().await;
        assert_eq!(
            reopened.catalogue(w.other_team.id).await.unwrap().len(),
            SEEDED.len()
        );

        // Names are unique in a team, ignoring case; an entry can be changed and retired.
        let mut massage = CatalogueEntry {
            id: Uuid::now_v7(),
            name: "Baby massage".into(),
            description: String::new(),
            manualised: false,
            series_sessions: None,
            themes: vec![],
            retired: false,
        };
        store
            .save_catalogue_entry(
                w.team.id,
                &massage,
                entry(AuditAction::CatalogueChanged, None),
            )
            .await
            .unwrap();
        let clash = CatalogueEntry {
            id: Uuid::now_v7(),
            name: "BABY MASSAGE".into(),
            ..massage.clone()
        };
        assert!(matches!(
            store
                .save_catalogue_entry(
                    w.team.id,
                    &clash,
                    entry(AuditAction::CatalogueChanged, None)
                )
                .await,
            Err(StoreError::Conflict(_))
        ));
        massage.retired = true;
        store
            .save_catalogue_entry(
                w.team.id,
                &massage,
                entry(AuditAction::CatalogueChanged, None),
            )
            .await
            .unwrap();
        let after = store.catalogue(w.team.id).await.unwrap();
        assert_eq!(after.len(), SEEDED.len() + 1);
        assert!(after.iter().any(|e| e.id == massage.id && e.retired));
        // The other team's catalogue is its own.
        assert!(!reopened
            .catalogue(w.other_team.id)
            .await
            .unwrap()
            .iter()
            .any(|e| e.id == massage.id));

        // A family member's intervention: a step recorded from an out-of-date copy is refused.
        let f = created_family(store.as_ref(), &w, w.team.id, "Amara Okafor").await;
        let vipp = catalogue
            .iter()
            .find(|e| e.manualised && !e.themes.is_empty())
            .unwrap();
        let step = |step: Step| StepRecord {
            step,
            on: date!(2026 - 11 - 03),
            reason: None,
            recorded_by: "Priya Shah".into(),
            recorded_at_millis: 1,
        };
        let offered = PersonIntervention {
            id: Uuid::now_v7(),
            member: Member::Mother,
            intervention: vipp.id,
            name: vipp.name.clone(),
            manualised: true,
            series_sessions: vipp.series_sessions,
            delivered_by: "Tom Baker".into(),
            plan: None,
            steps: vec![step(Step::Offered)],
            series: vec![],
        };
        store
            .offer_intervention(
                f.id,
                &offered,
                w.clinician.id,
                entry(AuditAction::InterventionOffered, None),
            )
            .await
            .unwrap();
        let mut accepted = offered.clone();
        accepted.steps.push(step(Step::Accepted));
        store
            .update_intervention(
                f.id,
                &accepted,
                1,
                entry(AuditAction::InterventionStepRecorded, None),
            )
            .await
            .unwrap();
        let mut declined = offered.clone();
        declined.steps.push(step(Step::Declined));
        assert!(matches!(
            store
                .update_intervention(
                    f.id,
                    &declined,
                    1,
                    entry(AuditAction::InterventionStepRecorded, None)
                )
                .await,
            Err(StoreError::Conflict(_))
        ));
        let (_, changes) = store.family_stamp(f.id).await.unwrap().unwrap();
        let record = store
            .read_family(
                f.id,
                changes,
                Sections::ALL,
                entry(AuditAction::FamilyViewed, None),
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(record.interventions, vec![accepted]);
        db.cleanup().await;
    }
);

on_both_backends!(
    the_caseloads_next_due_agrees_with_each_familys_plan_in_every_shape,
    |backend: Backend| async move {
        use cradle_domain::care_plans::NextDue;
        let db = TestDatabase::new(backend).await.unwrap();
        let app = cradle_app::Cradle::new(db.open().await);
        let demo = cradle_app::demo::seed(&app).await.unwrap();
        let team = demo
            .teams
            .iter()
            .find(|t| t.name == cradle_app::demo::COMMUNITY_TEAM)
            .unwrap();
        let clinician = demo
            .staff
            .iter()
            .find(|s| s.username == "clinician")
            .unwrap();
        // Sixty families, each with a plan of twenty weekly sessions and none to three
        // reviews: every state of "review due" and of the next contact.
        cradle_app::demo::synthetic_caseload(&app, team.id, clinician, 60, 20)
            .await
            .unwrap();
        let actor = cradle_app::Actor::staff(clinician, "test");
        let today = app.today();
        let mut seen = std::collections::HashSet::new();
        for page in 1..=10 {
            let listed = app.list_families(&actor, None, page).await.unwrap();
            for summary in &listed.families {
                let access = app.family_access(&actor, summary.id, None).await.unwrap();
                let record = app
                    .read_family(&actor, &access, Sections::ALL)
                    .await
                    .unwrap();
                let from_record = NextDue::for_record(&record, today);
                assert_eq!(
                    summary.care.next_due(today),
                    from_record,
                    "{}: the caseload's figure is the plan's",
                    summary.mother_name
                );
                seen.insert(
                    format!("{from_record:?}")
                        .split(' ')
                        .next()
                        .unwrap_or("")
                        .to_string(),
                );
            }
            if listed.families.is_empty() {
                break;
            }
        }
        for state in ["ReviewOverdue", "ReviewDue", "Contact", "NoPlan"] {
            assert!(
                seen.iter().any(|s| s.starts_with(state)),
                "{state} appears among the families ({seen:?})"
            );
        }
        db.cleanup().await;
    }
);

on_both_backends!(
    a_partner_assessment_is_kept_whole_or_not_at_all_and_its_step_shows_on_the_caseload,
    |backend: Backend| async move {
        use cradle_domain::entries::Member;
        use cradle_domain::interventions::{PersonIntervention, Step, StepRecord};
        use cradle_domain::partner_assessment::{PartnerAssessment, RiskFinding};
        use cradle_domain::pathway::*;
        use time::macros::date;

        let db = TestDatabase::new(backend).await.unwrap();
        let store = db.open().await;
        let w = world(store.as_ref()).await;
        let f = created_family(store.as_ref(), &w, w.team.id, "Amara Okafor").await;
        let tunde = someone("Tunde Okafor");
        store
            .add_person(f.id, &tunde, 1, entry(AuditAction::PersonAdded, None))
            .await
            .unwrap();
        let recorded = |step: PathwayStep| RecordedStep {
            step,
            recorded_by: w.clinician.id,
            recorded_by_name: "Priya Shah".into(),
            recorded_at_millis: 1,
            given: InformationGiven {
                topics: vec![InformationTopic::PeerSupport],
                services: vec!["Dads Matter, Tuesdays".into()],
            },
            before_referral_reason: String::new(),
            interpreter: None,
        };
        // One step, then an offer with the answer given there and then, together.
        for (position, steps) in [
            (
                0,
                vec![PathwayStep::Identified {
                    on: date!(2026 - 11 - 03),
                    how: IdentifiedHow::AtReferral,
                }],
            ),
            (
                1,
                vec![
                    PathwayStep::Offered {
                        on: date!(2026 - 11 - 04),
                        method: OfferMethod::Phone,
                    },
                    PathwayStep::Accepted {
                        on: date!(2026 - 11 - 04),
                    },
                ],
            ),
        ] {
            let steps: Vec<RecordedStep> = steps.into_iter().map(recorded).collect();
            store
                .record_pathway_steps(
                    f.id,
                    tunde.id,
                    position,
                    &steps,
                    entry(AuditAction::PathwayStepRecorded, None),
                )
                .await
                .unwrap();
        }
        // Recorded again from the same out-of-date point: neither step is kept.
        let stale: Vec<RecordedStep> = [
            PathwayStep::Offered {
                on: date!(2026 - 11 - 04),
                method: OfferMethod::Letter,
            },
            PathwayStep::Declined {
                on: date!(2026 - 11 - 04),
                reason: "Not now".into(),
                ask_again_from: date!(2027 - 01 - 04),
            },
        ]
        .into_iter()
        .map(recorded)
        .collect();
        assert!(matches!(
            store
                .record_pathway_steps(
                    f.id,
                    tunde.id,
                    1,
                    &stale,
                    entry(AuditAction::PathwayStepRecorded, None),
                )
                .await,
            Err(StoreError::Conflict(_))
        ));
        let assessed = recorded(PathwayStep::Assessed {
            on: date!(2026 - 11 - 10),
            outcome: AssessmentOutcome::SupportOffered,
            detail: "VIPP".into(),
        });
        let assessment = PartnerAssessment {
            id: Uuid::now_v7(),
            person_id: tunde.id,
            assessed_on: date!(2026 - 11 - 10),
            sections: vec![("wellbeing".into(), "Low since the birth".into())],
            conversations: vec![],
            risk: RiskFinding::NoneIdentified,
            risk_detail: String::new(),
            package: vec!["VIPP".into()],
            outcome: AssessmentOutcome::SupportOffered,
            outcome_detail: String::new(),
            interpreter: None,
            recorded_by_name: "Priya Shah".into(),
            recorded_at_millis: 2,
        };
        let vipp = store.catalogue(w.team.id).await.unwrap()[0].clone();
        let offer = PersonIntervention {
            id: Uuid::now_v7(),
            member: Member::Person(tunde.id),
            intervention: vipp.id,
            name: vipp.name.clone(),
            manualised: vipp.manualised,
            series_sessions: vipp.series_sessions,
            delivered_by: String::new(),
            plan: None,
            steps: vec![StepRecord {
                step: Step::Offered,
                on: date!(2026 - 11 - 10),
                reason: None,
                recorded_by: "Priya Shah".into(),
                recorded_at_millis: 2,
            }],
            series: vec![],
        };
        // Recorded from an out-of-date copy (a step was taken at that position first):
        // nothing is kept, not the assessment, not the offer, not the audit record.
        let audited = audit_count(store.as_ref()).await;
        assert!(matches!(
            store
                .record_partner_assessment(
                    f.id,
                    2,
                    &assessed,
                    &assessment,
                    std::slice::from_ref(&offer),
                    w.clinician.id,
                    entry(AuditAction::PartnerAssessmentRecorded, None),
                )
                .await,
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(audit_count(store.as_ref()).await, audited);
        let read = || async {
            let (_, changes) = store.family_stamp(f.id).await.unwrap().unwrap();
            store
                .read_family(
                    f.id,
                    changes,
                    Sections::ALL,
                    entry(AuditAction::FamilyViewed, None),
                )
                .await
                .unwrap()
                .unwrap()
        };
        let record = read().await;
        assert!(record.partner_assessments.is_empty());
        assert!(record.interventions.is_empty());
        assert_eq!(record.pathway_of(tunde.id).steps.len(), 3);

        store
            .record_partner_assessment(
                f.id,
                3,
                &assessed,
                &assessment,
                std::slice::from_ref(&offer),
                w.clinician.id,
                entry(AuditAction::PartnerAssessmentRecorded, None),
            )
            .await
            .unwrap();
        let record = read().await;
        assert_eq!(record.partner_assessments, vec![assessment]);
        assert_eq!(record.interventions, vec![offer]);
        let pathway = record.pathway_of(tunde.id);
        assert_eq!(pathway.steps.last(), Some(&assessed));
        assert_eq!(
            pathway.steps[0].given.services,
            vec!["Dads Matter, Tuesdays".to_string()]
        );

        // The caseload carries each person's current step.
        let page = store
            .list_families(
                &FamilyQuery {
                    teams: vec![w.team.id],
                    key_worker: None,
                    search: None,
                    position: PagePosition::Start,
                    limit: 25,
                },
                entry(AuditAction::FamilyListViewed, None),
            )
            .await
            .unwrap();
        assert_eq!(
            page.families[0].pathway_steps,
            vec![(tunde.id, assessed.step.clone())]
        );

        // The team's choice of who else is offered the pathway reaches every family's record.
        use cradle_domain::network::RelationshipKind;
        assert!(record.pathway_roles.is_empty());
        store
            .set_pathway_roles(
                w.team.id,
                &[RelationshipKind::Grandparent, RelationshipKind::Father],
                entry(AuditAction::TeamSettingsChanged, None),
            )
            .await
            .unwrap();
        assert_eq!(
            store.pathway_roles(w.team.id).await.unwrap(),
            vec![RelationshipKind::Grandparent],
            "partners are always offered it, so they are not stored as a choice"
        );
        assert_eq!(
            read().await.pathway_roles,
            vec![RelationshipKind::Grandparent]
        );
        db.cleanup().await;
    }
);

on_both_backends!(
    imported_questionnaires_are_versioned_per_team_and_retired_not_removed,
    |backend: Backend| async move {
        use cradle_domain::questionnaires::ImportedDefinition;

        let db = TestDatabase::new(backend).await.unwrap();
        let store = db.open().await;
        let w = world(store.as_ref()).await;
        let definition = |version: &str, at: i64| ImportedDefinition {
            id: Uuid::now_v7(),
            team_id: w.team.id,
            url: "https://service.example/Questionnaire/epds".into(),
            version: version.into(),
            name: "EPDS".into(),
            definition: format!("{{\"version\": \"{version}\"}}"),
            imported_by_name: "Helen Morris".into(),
            imported_at_millis: at,
            retired_at_millis: None,
        };
        let first = definition("1", 10);
        store
            .import_definition(
                &first,
                w.clinician.id,
                entry(AuditAction::QuestionnaireImported, None),
            )
            .await
            .unwrap();
        // The same version again is refused, and nothing changes.
        let audited = audit_count(store.as_ref()).await;
        assert!(matches!(
            store
                .import_definition(
                    &definition("1", 11),
                    w.clinician.id,
                    entry(AuditAction::QuestionnaireImported, None)
                )
                .await,
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(audit_count(store.as_ref()).await, audited);
        assert_eq!(
            store.team_definitions(w.team.id).await.unwrap(),
            vec![first.clone()]
        );

        // A new version retires the old one, which is kept.
        let second = definition("2", 20);
        store
            .import_definition(
                &second,
                w.clinician.id,
                entry(AuditAction::QuestionnaireImported, None),
            )
            .await
            .unwrap();
        let kept = store.team_definitions(w.team.id).await.unwrap();
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[0].retired_at_millis, Some(20));
        assert_eq!(kept[1], second);
        // Another team's definitions are its own.
        assert!(store
            .team_definitions(w.other_team.id)
            .await
            .unwrap()
            .is_empty());
        assert!(matches!(
            store
                .retire_definition(
                    w.other_team.id,
                    second.id,
                    30,
                    entry(AuditAction::QuestionnaireRetired, None)
                )
                .await,
            Err(StoreError::NotFound)
        ));
        store
            .retire_definition(
                w.team.id,
                second.id,
                30,
                entry(AuditAction::QuestionnaireRetired, None),
            )
            .await
            .unwrap();
        assert!(matches!(
            store
                .retire_definition(
                    w.team.id,
                    second.id,
                    31,
                    entry(AuditAction::QuestionnaireRetired, None)
                )
                .await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            store.team_definitions(w.team.id).await.unwrap()[1].retired_at_millis,
            Some(30)
        );
        db.cleanup().await;
    }
);

/// After a bulk import the statistics must not make SQLite plan the caseload's walk again
/// each time a team is bound to it (with value samples, SQLite would).
#[tokio::test]
async fn sqlite_statistics_after_an_import_leave_the_caseload_walk_planned_once() {
    let db = TestDatabase::new(Backend::Sqlite).await.unwrap();
    let store = db.open().await;
    let w = world(store.as_ref()).await;
    for n in 0..40 {
        created_family(store.as_ref(), &w, w.team.id, &format!("Mother {n:02}")).await;
    }
    store.refresh_statistics().await.unwrap();

    let path = db.url.trim_start_matches("sqlite://");
    let connection = rusqlite::Connection::open(path).unwrap();
    let counted: i64 = connection
        .query_row("SELECT count(*) FROM sqlite_stat1", [], |row| row.get(0))
        .unwrap();
    assert!(counted > 0, "the planner has the tables' row counts");
    let mut walk = connection
        .prepare(
            "SELECT id FROM families WHERE team_id = ?1 \
             ORDER BY mother_name_lower, id LIMIT 26",
        )
        .unwrap();
    for _ in 0..3 {
        let found = walk
            .query_map([w.team.id.0], |row| row.get::<_, uuid::Uuid>(0))
            .unwrap()
            .count();
        assert_eq!(found, 26);
    }
    assert_eq!(
        walk.get_status(rusqlite::StatementStatus::RePrepare),
        0,
        "the walk was planned again when the team was bound"
    );
}

/// PostgreSQL only: a database server that restarts (or fails over) drops every connection
/// Cradle holds, the pool's and those its writers keep. After a quiet second, the next
/// read, sign-in lookup and caseload page each answer at the first try (every connection
/// unused for a while is checked before use); dropped again while in use, they work again
/// within a few tries. Each answered read has its audit record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_work_again_after_postgres_drops_every_connection() {
    let Some(db) = TestDatabase::new(Backend::Postgres).await else {
        eprintln!("TEST_DATABASE_URL is not set: PostgreSQL not tested here");
        return;
    };
    let store = db.open().await;
    let w = world(store.as_ref()).await;
    let f = created_family(store.as_ref(), &w, w.team.id, "Grace Adeyemi").await;
    let session = session_of(w.clinician.id);
    store
        .create_session(&session, entry(AuditAction::LoginSucceeded, None))
        .await
        .unwrap();
    let read = || {
        store.read_family(
            f.id,
            0,
            Sections::ALL,
            entry(
                AuditAction::FamilyViewed,
                Some((SubjectKind::Family, f.id.0)),
            ),
        )
    };
    read().await.unwrap().unwrap();
    store
        .session_with_staff("abc", Some(f.id))
        .await
        .unwrap()
        .unwrap();
    let caseload = FamilyQuery {
        teams: vec![w.team.id],
        key_worker: None,
        search: None,
        position: PagePosition::Start,
        limit: 25,
    };
    let list = || store.list_families(&caseload, entry(AuditAction::FamilyListViewed, None));
    assert_eq!(list().await.unwrap().total, 1);

    let admin = cradle_testkit::postgres_url().unwrap();
    let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
        .await
        .unwrap();
    let name = db.url.rsplit('/').next().unwrap().to_string();
    let mut drop_every_connection = async || {
        let dropped: Vec<(bool,)> = sqlx::query_as(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
        )
        .bind(&name)
        .fetch_all(&mut admin)
        .await
        .unwrap();
        assert!(
            dropped.len() >= 3,
            "the pool's and the writers' connections ({} dropped)",
            dropped.len()
        );
    };

    // Longer than the second a connection may sit unused before it is checked again.
    let quiet_spell = || tokio::time::sleep(std::time::Duration::from_millis(1500));

    // Dropped while the store is quiet (a restart overnight): after a second unused, every
    // connection is checked before it is used, so nothing fails.
    drop_every_connection().await;
    quiet_spell().await;
    for _ in 0..3 {
        assert!(
            store
                .session_with_staff("abc", Some(f.id))
                .await
                .unwrap()
                .is_some(),
            "the sign-in lookup after a quiet spell"
        );
        assert!(
            read().await.unwrap().is_some(),
            "the audited read after a quiet spell"
        );
        assert_eq!(
            list().await.unwrap().total,
            1,
            "the caseload after a quiet spell"
        );
        assert!(
            !store.list_teams().await.unwrap().is_empty(),
            "a statement through the pool after a quiet spell"
        );
    }
    let mut answered = 3;

    // Dropped again straight after use: each dropped connection fails the first statement
    // sent on it (the pool's idle ones too, one by one, as they are lent); then Cradle
    // opens another. Recovered means ten reads, lookups and caseload pages in a row, well
    // within forty tries.
    drop_every_connection().await;
    let (mut in_a_row, mut tries) = (0, 0);
    while in_a_row < 10 {
        tries += 1;
        assert!(tries <= 40, "reads never recovered");
        let looked_up = store.session_with_staff("abc", Some(f.id)).await;
        let listed = list().await.is_ok_and(|page| page.total == 1);
        match (read().await, looked_up) {
            (Ok(Some(_)), Ok(Some(_))) if listed => {
                answered += 1;
                in_a_row += 1;
            }
            (Ok(Some(_)), _) => {
                answered += 1;
                in_a_row = 0;
            }
            _ => in_a_row = 0,
        }
    }
    // The pool may still hold connections dropped in use and not lent since; after a quiet
    // second they too are checked before they are lent, so the trail reads at the first try.
    quiet_spell().await;
    let viewed = store
        .audit_records_after(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|record| {
            record.action() == Some(AuditAction::FamilyViewed) && record.subject_id == Some(f.id.0)
        })
        .count();
    assert!(
        viewed > answered,
        "each answered read has its record ({viewed} records, {answered} + 1 reads answered)"
    );
    cradle_store::verify_audit_trail(store.as_ref())
        .await
        .unwrap()
        .unwrap();
    db.cleanup().await;
}

on_both_backends!(
    consent_to_film_is_kept_with_the_family_and_withdrawn_once,
    |backend: Backend| async move {
        use cradle_domain::filming::{ConsentWithdrawal, FilmingConsent};
        let db = TestDatabase::new(backend).await.unwrap();
        let store = db.open().await;
        let w = world(store.as_ref()).await;
        let f = created_family(store.as_ref(), &w, w.team.id, "Amara Okafor").await;
        let before = store.family_stamp(f.id).await.unwrap().unwrap().1;
        let consent = mothers_consent();
        let audits = audit_count(store.as_ref()).await;
        store
            .record_filming_consent(
                f.id,
                &consent,
                w.clinician.id,
                entry(AuditAction::FilmingConsentRecorded, None),
            )
            .await
            .unwrap();
        assert_eq!(audit_count(store.as_ref()).await, audits + 1, "audited");
        assert!(
            store.family_stamp(f.id).await.unwrap().unwrap().1 > before,
            "the record's copies are stale once consent is recorded"
        );
        let video = store
            .load_record_for_change(f.id, Sections::VIDEO)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(video.filming_consents, std::slice::from_ref(&consent));
        let core = store
            .load_record_for_change(f.id, Sections::CORE)
            .await
            .unwrap()
            .unwrap();
        assert!(
            core.filming_consents.is_empty(),
            "only when the section is asked for"
        );

        let withdrawn = FilmingConsent {
            withdrawn: Some(ConsentWithdrawal {
                on: time::macros::date!(2026 - 12 - 07),
                reason: "Amara no longer wants to be filmed".into(),
                recorded_by: "Priya Shah".into(),
                recorded_at_millis: 1_780_000_100_000,
            }),
            ..consent.clone()
        };
        let other = created_family(store.as_ref(), &w, w.team.id, "Jess Whitfield").await;
        let elsewhere = store
            .withdraw_filming_consent(
                other.id,
                &withdrawn,
                entry(AuditAction::FilmingConsentWithdrawn, None),
            )
            .await;
        assert!(
            matches!(elsewhere, Err(StoreError::NotFound)),
            "another family's consent is not reached: {elsewhere:?}"
        );
        store
            .withdraw_filming_consent(
                f.id,
                &withdrawn,
                entry(AuditAction::FilmingConsentWithdrawn, None),
            )
            .await
            .unwrap();
        let again = store
            .withdraw_filming_consent(
                f.id,
                &withdrawn,
                entry(AuditAction::FilmingConsentWithdrawn, None),
            )
            .await;
        assert!(matches!(again, Err(StoreError::NotFound)), "{again:?}");
        let read = store
            .load_record_for_change(f.id, Sections::VIDEO.and(Sections::TIMELINE))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(read.filming_consents, [withdrawn]);
        db.cleanup().await;
    }
);

on_both_backends!(
    coding_schemes_keep_every_version_and_coded_events_are_corrected_only_from_where_they_were,
    |backend: Backend| async move {
        use cradle_domain::coded_events::{CodedEvent, EventContent, Subject};
        use cradle_domain::coding::{starting_schemes, CodeInput};
        use cradle_domain::entries::Member;
        use cradle_domain::recordings::{Recording, RecordingState};
        use cradle_store::StoredKey;
        let db = TestDatabase::new(backend).await.unwrap();
        let store = db.open().await;
        let w = world(store.as_ref()).await;

        // A team starts with Cradle's schemes, kept once however often they are offered.
        assert!(store.coding_schemes(w.team.id).await.unwrap().is_empty());
        let starting = starting_schemes(1_780_000_000_000);
        store
            .add_starting_schemes(w.team.id, &starting)
            .await
            .unwrap();
        store
            .add_starting_schemes(w.team.id, &starting)
            .await
            .unwrap();
        assert_eq!(store.coding_schemes(w.team.id).await.unwrap(), starting);
        assert!(store
            .coding_schemes(w.other_team.id)
            .await
            .unwrap()
            .is_empty());

        // A change is a new version; the one before stays readable; a stale change is refused.
        let signals = &starting[0];
        let yawns = CodeInput {
            label: "Yawns".into(),
            group: "The baby's signals".into(),
            kind: "point".into(),
            subject: "baby".into(),
            shortcut: "y".into(),
            ..CodeInput::default()
        }
        .parse()
        .unwrap();
        let second = signals
            .with_code(yawns.clone(), "Priya Shah", 1_780_000_100_000)
            .unwrap();
        let audits = audit_count(store.as_ref()).await;
        store
            .save_coding_scheme(
                w.team.id,
                &second,
                entry(AuditAction::CodingSchemeChanged, None),
            )
            .await
            .unwrap();
        assert_eq!(audit_count(store.as_ref()).await, audits + 1);
        let stale = store
            .save_coding_scheme(
                w.team.id,
                &second,
                entry(AuditAction::CodingSchemeChanged, None),
            )
            .await;
        assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
        assert_eq!(
            audit_count(store.as_ref()).await,
            audits + 1,
            "nothing half-written"
        );
        let schemes = store.coding_schemes(w.team.id).await.unwrap();
        assert_eq!(schemes.len(), 2);
        assert_eq!(
            schemes[0], second,
            "the newest version, in the order first made"
        );
        assert_eq!(
            store
                .coding_scheme(w.team.id, signals.id, Some(1))
                .await
                .unwrap()
                .as_ref(),
            Some(signals)
        );
        assert_eq!(
            store
                .coding_scheme(w.team.id, signals.id, None)
                .await
                .unwrap(),
            Some(second.clone())
        );
        assert_eq!(
            store
                .coding_scheme(w.other_team.id, signals.id, None)
                .await
                .unwrap(),
            None
        );

        // Events on a recording of the family.
        let f = created_family(store.as_ref(), &w, w.team.id, "Amara Okafor").await;
        let other = created_family(store.as_ref(), &w, w.team.id, "Jess Whitfield").await;
        let consent = mothers_consent();
        store
            .record_filming_consent(
                f.id,
                &consent,
                w.clinician.id,
                entry(AuditAction::FilmingConsentRecorded, None),
            )
            .await
            .unwrap();
        let recording = Recording {
            received: 3_000_000,
            state: RecordingState::Ready,
            uploaded_at_millis: Some(1_780_000_200_000),
            ..mothers_recording(&consent, &w.clinician)
        };
        store
            .start_recording(
                f.id,
                &recording,
                &StoredKey {
                    master: "2026-12".into(),
                    sealed: vec![7; 60],
                },
                w.clinician.id,
                entry(AuditAction::RecordingUploadStarted, None),
            )
            .await
            .unwrap();
        let event = |start: u64| CodedEvent {
            id: Uuid::now_v7(),
            recording_id: recording.id,
            scheme_id: second.id,
            scheme_version: second.version,
            content: EventContent {
                code: "mutual_gaze".into(),
                subject: Subject::Caregiver(Member::Mother),
                start_millis: start,
                end_millis: Some(start + 2500),
                modifiers: vec![],
                note: "Both light up".into(),
            },
            removed: false,
            coder: "Priya Shah".into(),
            coder_id: w.clinician.id.0,
            coded_at_millis: 1_780_000_300_000,
            version: 1,
            earlier: vec![],
        };
        let later = event(9000);
        let earlier = event(1500);
        for coded in [&later, &earlier] {
            store
                .add_coded_event(f.id, coded, entry(AuditAction::EventCoded, None))
                .await
                .unwrap();
        }
        // On another family's record: nothing kept.
        let audits = audit_count(store.as_ref()).await;
        let elsewhere = store
            .add_coded_event(other.id, &event(100), entry(AuditAction::EventCoded, None))
            .await;
        assert!(
            matches!(elsewhere, Err(StoreError::NotFound)),
            "{elsewhere:?}"
        );
        assert_eq!(audit_count(store.as_ref()).await, audits);
        // An imported batch is kept whole or not at all.
        let stray = CodedEvent {
            recording_id: Uuid::now_v7(),
            ..event(300)
        };
        let batch = store
            .add_coded_events(
                f.id,
                &[event(200), stray],
                entry(AuditAction::EventCoded, None),
            )
            .await;
        assert!(matches!(batch, Err(StoreError::NotFound)), "{batch:?}");
        assert_eq!(audit_count(store.as_ref()).await, audits);
        assert_eq!(
            store.coded_events(f.id, recording.id).await.unwrap(),
            [earlier.clone(), later.clone()],
            "in time order"
        );
        assert!(store
            .coded_events(other.id, recording.id)
            .await
            .unwrap()
            .is_empty());

        let corrected = later
            .corrected(
                EventContent {
                    start_millis: 500,
                    ..later.content.clone()
                },
                false,
                "Priya Shah",
                1_780_000_400_000,
                "Starts earlier",
            )
            .unwrap();
        store
            .correct_coded_event(
                f.id,
                &corrected,
                entry(AuditAction::CodedEventCorrected, None),
            )
            .await
            .unwrap();
        let twice = store
            .correct_coded_event(
                f.id,
                &corrected,
                entry(AuditAction::CodedEventCorrected, None),
            )
            .await;
        assert!(matches!(twice, Err(StoreError::NotFound)), "{twice:?}");
        let read = store.coded_events(f.id, recording.id).await.unwrap();
        assert_eq!(read, [corrected.clone(), earlier]);
        assert_eq!(read[0].earlier[0].content, later.content);
        db.cleanup().await;
    }
);

/// A recording of the mother with the baby under `consent`, its upload begun by `by`.
fn mothers_recording(
    consent: &cradle_domain::filming::FilmingConsent,
    by: &Staff,
) -> cradle_domain::recordings::Recording {
    use cradle_domain::entries::Member;
    use cradle_domain::filming::FilmingPurpose;
    use cradle_domain::recordings::{Recording, RecordingState};
    Recording {
        id: Uuid::now_v7(),
        consent_id: consent.id,
        purpose: FilmingPurpose::FamilyCare,
        on_film: vec![Member::Mother],
        filmed_on: time::macros::date!(2026 - 12 - 05),
        description: "Bath time at home".into(),
        file_name: "IMG_0042.MOV".into(),
        length: 3_000_000,
        received: 0,
        state: RecordingState::Uploading,
        media: None,
        checksum: None,
        started_by: "Priya Shah".into(),
        started_by_id: by.id.0,
        started_at_millis: 1_780_000_200_000,
        uploaded_at_millis: None,
        deletion: None,
    }
}

/// The mother's consent to be filmed for the family's own sessions and teaching, given on
/// 1 December 2026 until 1 June 2027.
fn mothers_consent() -> cradle_domain::filming::FilmingConsent {
    use cradle_domain::entries::Member;
    use cradle_domain::filming::{ConsentGiven, FilmingConsent, FilmingPurpose, ViewingScope};
    FilmingConsent {
        id: Uuid::now_v7(),
        on_film: vec![Member::Mother],
        for_baby: vec![Member::Mother],
        purposes: vec![FilmingPurpose::FamilyCare, FilmingPurpose::Teaching],
        scope: ViewingScope::Practitioner,
        given: ConsentGiven::SignedForm,
        given_on: time::macros::date!(2026 - 12 - 01),
        expires_on: time::macros::date!(2027 - 06 - 01),
        recorded_by: "Priya Shah".into(),
        recorded_at_millis: 1_780_000_000_000,
        withdrawn: None,
    }
}

on_both_backends!(
    a_recording_is_kept_under_its_consent_moves_on_only_from_where_it_was_and_loses_its_key_when_deleted,
    |backend: Backend| async move {
        use cradle_domain::recordings::{
            Deletion, DeletionReason, Recording, RecordingState,
        };
        use cradle_store::StoredKey;
        let db = TestDatabase::new(backend).await.unwrap();
        let store = db.open().await;
        let w = world(store.as_ref()).await;
        let f = created_family(store.as_ref(), &w, w.team.id, "Amara Okafor").await;
        let other = created_family(store.as_ref(), &w, w.team.id, "Jess Whitfield").await;
        let consent = mothers_consent();
        store
            .record_filming_consent(
                f.id,
                &consent,
                w.clinician.id,
                entry(AuditAction::FilmingConsentRecorded, None),
            )
            .await
            .unwrap();
        let recording = mothers_recording(&consent, &w.clinician);
        let key = StoredKey {
            master: "2026-12".into(),
            sealed: vec![7; 60],
        };

        // Under another family's consent: nothing is kept.
        let audits = audit_count(store.as_ref()).await;
        let elsewhere = store
            .start_recording(
                other.id,
                &recording,
                &key,
                w.clinician.id,
                entry(AuditAction::RecordingUploadStarted, None),
            )
            .await;
        assert!(matches!(elsewhere, Err(StoreError::NotFound)), "{elsewhere:?}");
        assert_eq!(audit_count(store.as_ref()).await, audits, "nothing half-written");

        store
            .start_recording(
                f.id,
                &recording,
                &key,
                w.clinician.id,
                entry(AuditAction::RecordingUploadStarted, None),
            )
            .await
            .unwrap();
        assert_eq!(store.recording_key(f.id, recording.id).await.unwrap(), Some(key.clone()));
        assert_eq!(store.recording_key(other.id, recording.id).await.unwrap(), None);
        // A viewing reads the recording, its consent and its key together, and only in
        // the family's own record.
        let to_view = store
            .recording_to_view(f.id, recording.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(to_view.recording, recording);
        assert_eq!(to_view.consent.map(|c| c.id), Some(recording.consent_id));
        assert_eq!(to_view.key, Some(key.clone()));
        assert_eq!(store.recording_to_view(other.id, recording.id).await.unwrap(), None);

        // Bytes received move it on only from where it was.
        let moved = Recording {
            received: 1_048_576,
            ..recording.clone()
        };
        store
            .update_recording(
                f.id,
                &moved,
                (RecordingState::Uploading, 0),
                entry(AuditAction::RecordingPartReceived, None),
            )
            .await
            .unwrap();
        let stale = store
            .update_recording(
                f.id,
                &Recording {
                    received: 2_097_152,
                    ..recording.clone()
                },
                (RecordingState::Uploading, 0),
                entry(AuditAction::RecordingPartReceived, None),
            )
            .await;
        assert!(matches!(stale, Err(StoreError::NotFound)), "{stale:?}");
        let read = store
            .load_record_for_change(f.id, Sections::VIDEO)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(read.recordings, std::slice::from_ref(&moved));

        // The team's retention periods reach the deletion job and the family's record.
        use cradle_domain::recordings::RetentionPeriods;
        let kept = store.recordings_in_keeping().await.unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].recording, moved);
        assert_eq!(kept[0].retention, RetentionPeriods::default());
        let periods = RetentionPeriods {
            family_care: 18,
            supervision: 3,
            teaching: 36,
            research: 84,
        };
        store
            .set_recording_retention(
                w.team.id,
                &periods,
                entry(AuditAction::TeamSettingsChanged, None),
            )
            .await
            .unwrap();
        assert_eq!(store.recording_retention(w.team.id).await.unwrap(), periods);
        assert_eq!(store.recordings_in_keeping().await.unwrap()[0].retention, periods);
        let read = store
            .load_record_for_change(f.id, Sections::VIDEO)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(read.recording_retention, periods);
        assert!(matches!(
            store.recording_retention(cradle_domain::TeamId(Uuid::now_v7())).await,
            Err(StoreError::NotFound)
        ));

        // Deleted: the record of it stays, its key is gone.
        let deleted = Recording {
            state: RecordingState::Deleted,
            deletion: Some(Deletion {
                at_millis: 1_780_000_300_000,
                reason: DeletionReason::ByStaff,
                detail: "Filmed by mistake".into(),
                by: "Priya Shah".into(),
            }),
            ..moved.clone()
        };
        store
            .update_recording(
                f.id,
                &deleted,
                (RecordingState::Uploading, 1_048_576),
                entry(AuditAction::RecordingDeleted, None),
            )
            .await
            .unwrap();
        assert_eq!(store.recording_key(f.id, recording.id).await.unwrap(), None);
        let to_view = store
            .recording_to_view(f.id, recording.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((to_view.recording, to_view.key), (deleted.clone(), None));
        let read = store
            .load_record_for_change(f.id, Sections::VIDEO)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(read.recordings, [deleted]);
        assert!(store.recordings_in_keeping().await.unwrap().is_empty());
        db.cleanup().await;
    }
);
