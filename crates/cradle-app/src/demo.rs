//! Demonstration data, made through the same use-cases as real work (so it is validated and
//! audited like anything else). Every name is invented and every NHS number is in the 999
//! test range. Tests use the same builders.

use crate::admin::StaffInput;
use crate::{Actor, AppError, Cradle};
use cradle_domain::baby::Gestation;
use cradle_domain::network::{
    CareShare, ContactConsent, ContactFrequency, ParentalResponsibility, PersonInput,
    RelationshipInput, RelationshipKind, RelationshipNature, RestrictionKind,
};
use cradle_domain::{Baby, BabyId, FamilyInput, Role, Staff, Team, TeamId};

/// The password every demo account is given. Demo data is for trying Cradle, never for patients.
pub const DEMO_PASSWORD: &str = "cradle-demo-2026";

/// The demonstration administrator's second-factor key (base32). Administrators must use a
/// second factor; in the demonstration the sign-in page shows the current code for it, so
/// no authenticator app is needed. A real Cradle never shows a code.
pub const DEMO_SECOND_FACTOR_KEY: &str = "GNZGCZDMMVSGK3LPMRSWG3DBNZSWC4TE";

/// The second-factor key a demonstration account was given, if any.
pub fn second_factor_key(username: &str) -> Option<String> {
    (username.trim().eq_ignore_ascii_case("admin")).then(|| DEMO_SECOND_FACTOR_KEY.to_string())
}

pub const COMMUNITY_TEAM: &str = "North Perinatal Community Team";
pub const MBU_TEAM: &str = "Rose Ward Mother and Baby Unit";

/// One demo account per role: (username, name, role, teams).
pub const DEMO_STAFF: [(&str, &str, Role, &[&str]); 6] = [
    (
        "clinician",
        "Priya Shah",
        Role::Clinician,
        &[COMMUNITY_TEAM],
    ),
    (
        "nursery.nurse",
        "Tom Baker",
        Role::NurseryNurse,
        &[COMMUNITY_TEAM],
    ),
    ("mbu.nurse", "Grace Adeyemi", Role::MbuStaff, &[MBU_TEAM]),
    (
        "manager",
        "Helen Morris",
        Role::TeamManager,
        &[COMMUNITY_TEAM, MBU_TEAM],
    ),
    ("admin", "Sam Lewis", Role::Administrator, &[]),
    (
        "mbu.clinician",
        "Daniel Evans",
        Role::Clinician,
        &[MBU_TEAM],
    ),
];

pub struct DemoData {
    pub teams: Vec<Team>,
    pub staff: Vec<Staff>,
}

/// Creates the demo teams, accounts and a few families, unless they exist already.
pub async fn seed(app: &Cradle) -> Result<DemoData, AppError> {
    let cli = Actor::command_line();
    let mut teams = app.teams().await?;
    for name in [COMMUNITY_TEAM, MBU_TEAM] {
        if !teams.iter().any(|t| t.name == name) {
            app.create_team(&cli, name).await?;
        }
    }
    teams = app.teams().await?;
    let mut staff = Vec::new();
    for (username, name, role, team_names) in DEMO_STAFF {
        if let Some(existing) = app.store.staff_by_username(username).await? {
            staff.push(existing);
            continue;
        }
        let input = StaffInput {
            username: username.to_string(),
            display_name: name.to_string(),
            role: role.code().to_string(),
            password: DEMO_PASSWORD.to_string(),
            teams: team_names.iter().map(|t| t.to_string()).collect(),
            service_account: false,
        };
        let created = app.create_staff(&cli, &input).await?;
        if let Some(key) = second_factor_key(username) {
            let entry = cli.audit(
                app.now(),
                cradle_domain::AuditAction::SecondFactorSetUp,
                Some((cradle_domain::SubjectKind::Staff, created.id.0)),
            );
            app.store
                .set_second_factor(created.id, Some(&key), entry)
                .await?;
        }
        staff.push(created);
    }
    for (username, team_name) in [("clinician", COMMUNITY_TEAM), ("mbu.clinician", MBU_TEAM)] {
        let (Some(member), Some(team)) = (
            staff.iter().find(|s| s.username == username),
            teams.iter().find(|t| t.name == team_name),
        ) else {
            continue;
        };
        let actor = Actor::staff(member, "demo");
        if app.list_families(&actor, None, 1).await?.total > 0 {
            continue;
        }
        for family in demo_families().into_iter().filter(|f| f.team == team_name) {
            seed_family(app, &actor, team.id, &family).await?;
        }
    }
    if let Some(nurse) = staff.iter().find(|s| s.username == "nursery.nurse") {
        seed_care(app, &Actor::staff(nurse, "demo")).await?;
    }
    if let Some(clinician) = staff.iter().find(|s| s.username == "clinician") {
        seed_video(app, &Actor::staff(clinician, "demo")).await?;
    }
    Ok(DemoData { teams, staff })
}

/// Consent to film for video feedback in the Hussain family: the father on film with the
/// twins, the mother and he consenting for them, for the family's own sessions and the
/// practitioner's supervision. Done once.
async fn seed_video(app: &Cradle, clinician: &Actor) -> Result<(), AppError> {
    let Some((access, record)) = demo_record(app, clinician, "Nadia Hussain").await? else {
        return Ok(());
    };
    let Some(imran) = record.people.iter().find(|p| p.name == "Imran Hussain") else {
        return Ok(());
    };
    if !record.filming_consents.is_empty() {
        return Ok(());
    }
    let today = app.today();
    let (given_day, given_month, given_year) =
        cradle_domain::dates::date_boxes(Some(today - time::Duration::days(10)));
    let (expires_day, expires_month, expires_year) =
        cradle_domain::dates::date_boxes(Some(today + time::Duration::days(170)));
    let input = cradle_domain::filming::FilmingConsentInput {
        on_film: vec![imran.id.to_string()],
        for_baby: vec!["mother".to_string(), imran.id.to_string()],
        purposes: vec!["family_care".to_string(), "supervision".to_string()],
        scope: "practitioner".to_string(),
        given: "signed_form".to_string(),
        given_day,
        given_month,
        given_year,
        expires_day,
        expires_month,
        expires_year,
    };
    app.record_filming_consent(clinician, &access, &input)
        .await?;
    Ok(())
}

/// A demo family by the mother's name, with its record.
async fn demo_record(
    app: &Cradle,
    actor: &Actor,
    mother: &str,
) -> Result<
    Option<(
        crate::FamilyAccess,
        std::sync::Arc<cradle_domain::network::FamilyRecord>,
    )>,
    AppError,
> {
    let page = app.list_families(actor, Some(mother), 1).await?;
    let Some(summary) = page.families.first() else {
        return Ok(None);
    };
    let access = app.family_access(actor, summary.id, None).await?;
    let record = app
        .read_family(actor, &access, cradle_store::Sections::ALL)
        .await?;
    Ok(Some((access, record)))
}

/// Care plans for five of the demo families, in each state a nursery nurse meets, with an
/// intervention and a fathers' group, so each part of the care planning pages has something
/// to show. Done once.
async fn seed_care(app: &Cradle, nurse: &Actor) -> Result<(), AppError> {
    use cradle_domain::care_plans::{RatingInput, ReviewInput};
    if !app.groups(nurse).await?.is_empty() {
        return Ok(());
    }
    let today = app.today();
    let day = |ago: i64| date_parts(today - time::Duration::days(ago));
    let mut nadia = None;
    for demo in demo_plans() {
        let seeded = seed_plan(app, nurse, &demo).await?;
        if demo.mother == "Nadia Hussain" {
            nadia = seeded;
        }
    }
    // Nadia's plan reviewed once; VIPP for Imran; Imran in the fathers' group.
    if let Some(SeededPlan {
        access,
        record,
        plan,
        goals,
    }) = nadia
    {
        let imran = record
            .people
            .first()
            .map(|p| p.id.to_string())
            .unwrap_or_default();
        let shazia = record
            .people
            .get(1)
            .map(|p| p.id.to_string())
            .unwrap_or_default();
        let (reviewed_day, reviewed_month, reviewed_year) = day(10);
        app.record_review(
            nurse,
            &access,
            plan,
            &ReviewInput {
                reviewed_day,
                reviewed_month,
                reviewed_year,
                ratings: goals
                    .iter()
                    .zip([("6", &imran), ("8", &shazia)])
                    .map(|(goal, (score, by))| RatingInput {
                        goal: goal.id.to_string(),
                        score: score.into(),
                        rated_by: by.clone(),
                    })
                    .collect(),
                what_changed: "Imran now does two nights a week; Shazia comes on Sundays and feels part of it.".into(),
                decision: "continue".into(),
            },
        )
        .await?;
        let catalogue = app.catalogue(nurse, access.team_id()).await?;
        if let Some(vipp) = catalogue
            .iter()
            .find(|e| e.manualised && !e.themes.is_empty())
        {
            let (offered_day, offered_month, offered_year) = day(30);
            let offered = app
                .offer_intervention(
                    nurse,
                    &access,
                    &cradle_domain::interventions::OfferInput {
                        member: imran.clone(),
                        intervention: vipp.id.to_string(),
                        delivered_by: "Tom Baker".into(),
                        plan: plan.to_string(),
                        offered_day,
                        offered_month,
                        offered_year,
                    },
                )
                .await?;
            for (step, ago) in [("accepted", 28), ("started", 21)] {
                let (step_day, step_month, step_year) = day(ago);
                app.record_intervention_step(
                    nurse,
                    &access,
                    offered.id,
                    &cradle_domain::interventions::StepInput {
                        step: step.into(),
                        step_day,
                        step_month,
                        step_year,
                        reason: String::new(),
                    },
                )
                .await?;
            }
            let (series_day, series_month, series_year) = day(21);
            app.record_series_session(
                nurse,
                &access,
                offered.id,
                &cradle_domain::interventions::SeriesInput {
                    number: "1".into(),
                    theme: vipp.themes[0].clone(),
                    series_day,
                    series_month,
                    series_year,
                },
            )
            .await?;
        }
        let group = app
            .create_group(
                nurse,
                &cradle_domain::groups::GroupInput {
                    team: access.team_id().to_string(),
                    name: "Dads' and partners' group".into(),
                    description: "Six evenings for fathers and partners: meeting the baby, sleep, play, and looking after yourself.".into(),
                    facilitators: "Tom Baker and a peer supporter".into(),
                    capacity: "10".into(),
                },
            )
            .await?;
        for (ago, topic) in [(7, "Meeting your baby"), (-7, "Sleep and the nights")] {
            let on = today - time::Duration::days(ago);
            let (on_day, on_month, on_year) = date_parts(on);
            app.add_group_session(
                nurse,
                group.id,
                &cradle_domain::groups::GroupSessionInput {
                    on_day,
                    on_month,
                    on_year,
                    topic: topic.into(),
                },
            )
            .await?;
        }
        let enrolment = app
            .enrol_in_group(
                nurse,
                &access,
                &cradle_domain::groups::EnrolInput {
                    group: group.id.to_string(),
                    member: imran.clone(),
                },
            )
            .await?;
        let register = app.group_register(nurse, group.id).await?;
        if let Some(first) = register.group.sessions.first() {
            app.take_register(
                nurse,
                group.id,
                first.id,
                &cradle_domain::groups::RegisterInput {
                    marks: vec![(enrolment.id.to_string(), "attended".into())],
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// A demo care plan for one of the demo families, its people named by place: "mother", or
/// "0", "1"… for the family's other people in the order they were added.
struct DemoPlan {
    mother: &'static str,
    kind: &'static str,
    focus: &'static str,
    agreed_days_ago: i64,
    assessment: &'static str,
    planned_sessions: &'static str,
    agreed_by: &'static str,
    /// Who it belongs to, the family's words, the area, the rating at the start and who gave it.
    goals: Vec<(
        Vec<&'static str>,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    )>,
    /// Who comes to the sessions.
    attendees: Vec<&'static str>,
    /// Days ago, attendance, place, notes.
    sessions: Vec<(i64, &'static str, &'static str, &'static str)>,
    /// How many days after each attended session the next contact is booked.
    next_contact_after: i64,
    /// Days ago and the closing summary, for a plan that has ended.
    closed: Option<(i64, &'static str)>,
}

/// The demo families' care plans.
fn demo_plans() -> Vec<DemoPlan> {
    let weekly = |notes: &'static str| {
        [77, 70, 63, 56, 49, 42, 35]
            .into_iter()
            .map(|ago| (ago, "attended", "home", notes))
            .collect()
    };
    vec![
        // Kayleigh and her mother Donna: a nursery nursing plan after six attended sessions.
        DemoPlan {
            mother: "Kayleigh Moss",
            kind: "nursery_nursing",
            focus: "postnatal",
            agreed_days_ago: 40,
            assessment: "Kayleigh (19) and Harley live with Kayleigh's mother Donna. Feeding and settling at night are hard; Donna often takes over, and Kayleigh says she feels she is doing it wrong.",
            planned_sessions: "8",
            agreed_by: "Kayleigh and Donna, with Tom Baker",
            goals: vec![
                (vec!["mother"], "To settle Harley myself at night without Mum stepping in", "confidence", "2", "mother"),
                (vec!["0"], "To help Kayleigh without taking over", "sharing_care", "4", "0"),
            ],
            attendees: vec!["mother", "0"],
            sessions: vec![
                (35, "attended", "home", "Watched Harley's cues before a feed together; Kayleigh spotted the early hunger signs herself."),
                (30, "attended", "home", "Bath time: Kayleigh led, Donna held the towel."),
                (25, "did_not_attend", "home", ""),
                (20, "attended", "home", "Talked through the night routine; Donna agreed to wait to be asked."),
                (15, "attended", "home", "Kayleigh settled Harley with singing; Donna said she could see how he calms for her."),
                (10, "attended", "home", "Practised winding positions; Kayleigh more confident."),
                (5, "attended", "home", "Reviewed the week of nights: Kayleigh did three on her own."),
            ],
            next_contact_after: 5,
            closed: None,
        },
        // Nadia and Imran (twins) with Imran's mother Shazia: a family plan (its review, VIPP
        // and the fathers' group follow in `seed_care`).
        DemoPlan {
            mother: "Nadia Hussain",
            kind: "family",
            focus: "postnatal",
            agreed_days_ago: 56,
            assessment: "",
            planned_sessions: "",
            agreed_by: "Nadia, Imran and Shazia (with an Urdu interpreter), with Tom Baker",
            goals: vec![
                (vec!["mother", "0"], "To share the twins' nights so we both get some sleep", "sharing_care", "3", "mother"),
                (vec!["1"], "To feel welcome helping with the twins", "bonding", "5", "1"),
            ],
            attendees: vec!["mother", "0", "1"],
            sessions: [49, 42, 35, 28, 21, 14]
                .into_iter()
                .map(|ago| {
                    let place = if ago % 14 == 0 { "home" } else { "clinic" };
                    (ago, "attended", place, "Planned the nights together; Shazia showed how she settles the twins.")
                })
                .collect(),
            next_contact_after: 18,
            closed: None,
        },
        // Sofia and Joao, expecting their first baby: an antenatal plan with a goal of Joao's
        // own about his worries; one session cancelled, the next contact booked.
        DemoPlan {
            mother: "Sofia Marques",
            kind: "family",
            focus: "antenatal",
            agreed_days_ago: 12,
            assessment: "",
            planned_sessions: "",
            agreed_by: "Sofia and Joao, with Tom Baker",
            goals: vec![
                (vec!["mother", "0"], "To have the cot, the car seat and a plan for the first week ready by 36 weeks", "preparing_practically", "4", "mother"),
                (vec!["0"], "To feel I know how to hold and calm a newborn", "preparing_emotionally", "2", "0"),
            ],
            attendees: vec!["mother", "0"],
            sessions: vec![
                (10, "attended", "clinic", "Talked through what Joao worries about; practised holding with a doll."),
                (6, "cancelled_by_family", "home", ""),
                (3, "attended", "video", "Made a list for the first week; Sofia's sister will stay for three days."),
            ],
            next_contact_after: 7,
            closed: None,
        },
        // Precious and her mother Grace, who shares Thando's care equally: a nursery nursing
        // plan whose review is overdue (seven sessions attended, none reviewed).
        DemoPlan {
            mother: "Precious Ndlovu",
            kind: "nursery_nursing",
            focus: "postnatal",
            agreed_days_ago: 84,
            assessment: "Precious (22) and Thando live with Precious's mother Grace, who shares the care. Both want a calmer routine for feeds and sleep.",
            planned_sessions: "10",
            agreed_by: "Precious and Grace, with Tom Baker",
            goals: vec![(vec!["mother", "0"], "To agree one bedtime routine that we both follow", "sharing_care", "3", "mother")],
            attendees: vec!["mother", "0"],
            sessions: weekly("Bedtime routine practised together."),
            next_contact_after: 7,
            closed: None,
        },
        // Ewa and Piotr (with a Polish interpreter): a short family plan, ended with its summary.
        DemoPlan {
            mother: "Ewa Kowalska",
            kind: "family",
            focus: "postnatal",
            agreed_days_ago: 40,
            assessment: "",
            planned_sessions: "",
            agreed_by: "Ewa and Piotr (with a Polish interpreter), with Tom Baker",
            goals: vec![(vec!["0"], "To do Zofia's bath and bedtime on my own", "confidence", "3", "0")],
            attendees: vec!["mother", "0"],
            sessions: vec![
                (35, "attended", "home", "Piotr bathed Zofia with Ewa beside him."),
                (28, "attended", "home", "Piotr did bath and bedtime; Ewa watched from the door."),
                (21, "attended", "clinic", "Both feel settled; agreed to end the plan."),
            ],
            next_contact_after: 7,
            closed: Some((14, "Piotr now does bath and bedtime most nights. Handed over to the health visitor; the family know how to come back to us.")),
        },
    ]
}

/// A demo plan as agreed: the family's access and record, the plan's id and its goals.
struct SeededPlan {
    access: crate::FamilyAccess,
    record: std::sync::Arc<cradle_domain::network::FamilyRecord>,
    plan: uuid::Uuid,
    goals: Vec<cradle_domain::care_plans::Goal>,
}

/// Agrees a demo plan with its family, with its goals and sessions, and ends it if it ended.
/// `None` when the family is not there.
async fn seed_plan(
    app: &Cradle,
    nurse: &Actor,
    demo: &DemoPlan,
) -> Result<Option<SeededPlan>, AppError> {
    let Some((access, record)) = demo_record(app, nurse, demo.mother).await? else {
        return Ok(None);
    };
    let member = |place: &str| match place.parse::<usize>() {
        Ok(n) => record
            .people
            .get(n)
            .map(|p| p.id.to_string())
            .unwrap_or_default(),
        Err(_) => place.to_string(),
    };
    let today = app.today();
    let day = |ago: i64| date_parts(today - time::Duration::days(ago));
    let (agreed_day, agreed_month, agreed_year) = day(demo.agreed_days_ago);
    let plan = app
        .create_plan(
            nurse,
            &access,
            &cradle_domain::care_plans::PlanInput {
                kind: demo.kind.into(),
                focus: demo.focus.into(),
                agreed_day: agreed_day.clone(),
                agreed_month: agreed_month.clone(),
                agreed_year: agreed_year.clone(),
                assessment: demo.assessment.into(),
                planned_sessions: demo.planned_sessions.into(),
                after_mbu: String::new(),
            },
        )
        .await?
        .id;
    let mut goals = Vec::new();
    for (who, words, area, baseline, by) in &demo.goals {
        // A couple's goal is rated by each of them: the other gives their own starting rating.
        let other = who.iter().find(|w| *w != by).filter(|_| who.len() == 2);
        let second_baseline = other
            .and_then(|_| baseline.parse::<u8>().ok())
            .map(|score| (score + 2).min(10).to_string())
            .unwrap_or_default();
        let input = cradle_domain::care_plans::GoalInput {
            who: who.iter().map(|w| member(w)).collect(),
            words: (*words).into(),
            area: (*area).into(),
            agreed_by: demo.agreed_by.into(),
            agreed_day: agreed_day.clone(),
            agreed_month: agreed_month.clone(),
            agreed_year: agreed_year.clone(),
            baseline: (*baseline).into(),
            baseline_by: member(by),
            second_baseline,
            second_baseline_by: other.map(|w| member(w)).unwrap_or_default(),
        };
        goals.push(app.add_goal(nurse, &access, plan, &input).await?);
    }
    let attendees: Vec<String> = demo.attendees.iter().map(|w| member(w)).collect();
    // Anyone there who needs an interpreter had one, in person.
    let interpreter = record
        .people
        .iter()
        .find(|p| p.interpreter_needed && attendees.contains(&p.id.to_string()))
        .map(|p| cradle_domain::interpreters::InterpreterInput {
            interpreter: "yes".into(),
            interpreter_language: p.preferred_language.clone().unwrap_or_default(),
            interpreter_how: "in_person".into(),
        })
        .unwrap_or_default();
    // Those attended: seen together, working on every goal, the next contact booked.
    for &(ago, attendance, place, notes) in &demo.sessions {
        let attended = attendance == "attended";
        let (held_day, held_month, held_year) = day(ago);
        let (next_day, next_month, next_year) = if attended {
            day(ago - demo.next_contact_after)
        } else {
            Default::default()
        };
        let input = cradle_domain::care_plans::SessionInput {
            held_day,
            held_month,
            held_year,
            place: place.into(),
            attendance: attendance.into(),
            attendees: if attended {
                attendees.clone()
            } else {
                Vec::new()
            },
            seen: "together".into(),
            goals: if attended {
                goals.iter().map(|g| g.id.to_string()).collect()
            } else {
                Vec::new()
            },
            focus: demo.focus.into(),
            notes: notes.into(),
            next_day,
            next_month,
            next_year,
            interpreter: if attended {
                interpreter.clone()
            } else {
                Default::default()
            },
            ..Default::default()
        };
        app.record_session(nurse, &access, plan, &input).await?;
    }
    if let Some((ago, summary)) = demo.closed {
        let (closed_day, closed_month, closed_year) = day(ago);
        app.close_plan(
            nurse,
            &access,
            plan,
            &cradle_domain::care_plans::CloseInput {
                closed_day,
                closed_month,
                closed_year,
                summary: summary.into(),
            },
        )
        .await?;
    }
    Ok(Some(SeededPlan {
        access,
        record,
        plan,
        goals,
    }))
}

/// An invented care plan for the `i`th synthetic family: a goal for the couple and one for the
/// father, `sessions` weekly sessions up to a few days ago (every seventh a did-not-attend),
/// and between none and three reviews, each on the day of the sixth attended session since
/// the one before, so the caseload holds every state of "review due".
fn synthetic_plan(
    i: u32,
    father: cradle_domain::entries::Member,
    sessions: u32,
    today: time::Date,
    now: i64,
    recorded_by: &str,
) -> cradle_domain::care_plans::CarePlan {
    use cradle_domain::care_plans::*;
    use cradle_domain::entries::Member;
    let last = today - time::Duration::days(i64::from(i % 10));
    let first = last - time::Duration::weeks(i64::from(sessions.saturating_sub(1)));
    let agreed_on = first - time::Duration::days(1);
    let rating = |score, rated_by| Rating {
        score,
        rated_by,
        rated_on: agreed_on,
    };
    let goal = |who: Vec<Member>, words: &str, baseline: Rating| Goal {
        id: uuid::Uuid::now_v7(),
        who,
        words: words.to_string(),
        area: GoalArea::SharingCare,
        agreed_by: "The parents, with their key worker".to_string(),
        agreed_on,
        baseline,
        more_baselines: Vec::new(),
        recorded_by: recorded_by.to_string(),
        recorded_at_millis: now,
    };
    let goals = vec![
        goal(
            vec![Member::Mother, father],
            "To share the nights",
            rating(3, Member::Mother),
        ),
        goal(
            vec![father],
            "To feel confident bathing the baby",
            rating(4, father),
        ),
    ];
    let mut planned = Vec::new();
    for k in 0..sessions {
        let held_on = first + time::Duration::weeks(i64::from(k));
        let attendance = if k % 7 == 3 {
            Attendance::DidNotAttend
        } else if i.is_multiple_of(11) && k % 9 == 5 {
            Attendance::CancelledByFamily
        } else {
            Attendance::Attended
        };
        planned.push(CareSession {
            id: uuid::Uuid::now_v7(),
            held_on,
            place: Some(if k % 2 == 0 {
                Place::Home
            } else {
                Place::Clinic
            }),
            attendance,
            attendees: if attendance == Attendance::Attended {
                vec![Member::Mother, father]
            } else {
                Vec::new()
            },
            seen: cradle_domain::conversations::Seen::Together,
            goals: goals.iter().map(|g| g.id).collect(),
            interventions: Vec::new(),
            focus: Focus::Postnatal,
            notes: String::new(),
            next_contact: Some(held_on + time::Duration::weeks(1)),
            interpreter: None,
            recorded_by: recorded_by.to_string(),
            recorded_at_millis: now,
        });
    }
    let mut reviews = Vec::new();
    let mut attended = 0;
    for session in &planned {
        if reviews.len() >= (i % 4) as usize {
            break;
        }
        if session.attendance == Attendance::Attended {
            attended += 1;
        }
        if attended == DEFAULT_SESSIONS_BEFORE_REVIEW {
            attended = 0;
            let score = u8::try_from(4 + reviews.len()).unwrap_or(10).min(10);
            reviews.push(Review {
                id: uuid::Uuid::now_v7(),
                reviewed_on: session.held_on,
                ratings: goals
                    .iter()
                    .map(|g| {
                        let by = g.who.last().copied().unwrap_or(Member::Mother);
                        (
                            g.id,
                            Rating {
                                score,
                                rated_by: by,
                                rated_on: session.held_on,
                            },
                        )
                    })
                    .collect(),
                what_changed: "Nights are more evenly shared".to_string(),
                decision: ReviewDecision::Continue,
                sessions_counted: DEFAULT_SESSIONS_BEFORE_REVIEW,
                recorded_by: recorded_by.to_string(),
                recorded_at_millis: now,
            });
        }
    }
    CarePlan {
        id: uuid::Uuid::now_v7(),
        kind: if i.is_multiple_of(2) {
            PlanKind::Family
        } else {
            PlanKind::NurseryNursing
        },
        focus: Focus::Postnatal,
        agreed_on,
        assessment: (i % 2 == 1).then(|| "Routines and confidence at home".to_string()),
        planned_sessions: (i % 2 == 1).then_some(sessions),
        after_mbu: i.is_multiple_of(13),
        goals,
        sessions: planned,
        reviews,
        closure: None,
        created_by: recorded_by.to_string(),
        created_at_millis: now,
    }
}

/// Valid NHS numbers in the 999 test range (never a real patient's), in order.
pub fn test_nhs_numbers() -> impl Iterator<Item = String> {
    (999_000_000u64..=999_999_999).filter_map(|candidate| {
        let weighted: u64 = candidate
            .to_string()
            .chars()
            .filter_map(|c| c.to_digit(10))
            .map(u64::from)
            .zip((2..=10).rev())
            .map(|(d, w)| d * w)
            .sum();
        match 11 - weighted % 11 {
            10 => None,
            11 => Some(format!("{candidate}0")),
            check => Some(format!("{candidate}{check}")),
        }
    })
}

/// The i-th valid NHS number in the 999 test range.
pub fn test_nhs_number(index: u32) -> String {
    test_nhs_numbers()
        .nth(index as usize)
        .unwrap_or_else(|| "9990000018".to_string())
}

const FIRST_NAMES: [&str; 24] = [
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Aisha", "Fatima", "Zainab", "Priya",
    "Anya", "Chloe", "Grace", "Ella", "Maya", "Sofia", "Nadia", "Leah", "Ruby", "Hana", "Maryam",
    "Emily", "Zoe",
];
const PARTNER_NAMES: [&str; 16] = [
    "Oliver", "George", "Noah", "Arthur", "Muhammad", "Leo", "Harry", "Oscar", "Jack", "Jacob",
    "Samir", "Kwame", "Tomasz", "Ravi", "Daniel", "Alex",
];
const SURNAMES: [&str; 24] = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Khan", "Ali", "Hussain", "Evans", "Thomas", "Roberts", "Walker", "Wright", "Okafor", "Nowak",
    "Singh", "Ahmed", "Campbell", "Murphy", "Clarke",
];

/// A large invented caseload for benchmarks: `count` families in `team`, each with a baby
/// (born or due), a partner and often a grandparent, created in batches with one audit record
/// per family in the same transaction. Names are invented; NHS numbers are in the test range.
pub async fn synthetic_caseload(
    app: &Cradle,
    team: TeamId,
    key_worker: &Staff,
    count: u32,
    sessions_per_family: u32,
) -> Result<u32, AppError> {
    use cradle_domain::network::{
        ChildProtectionStatus, FamilyRecord, Person, Relationship, RelationshipTarget,
    };
    use cradle_domain::{
        AuditAction, Family, FamilyId, PerinatalStage, PersonId, RelationshipId, SubjectKind,
    };
    let actor = Actor::staff(key_worker, "command line (synthetic caseload)");
    let today = app.today();
    let now = app.now();
    let mut numbers = test_nhs_numbers().skip(10_000);
    let mut created = 0;
    let mut batch = Vec::with_capacity(500);
    let mut audits = Vec::with_capacity(500);
    for i in 0..count {
        let index = i as usize;
        let surname = SURNAMES[index % SURNAMES.len()];
        let mother = format!(
            "{} {surname}",
            FIRST_NAMES[(index / SURNAMES.len()) % FIRST_NAMES.len()]
        );
        let age_days = i64::from(i % 760) - 120;
        let baby = Baby {
            id: BabyId::new(),
            name: (i % 5 != 0 && age_days >= 0).then(|| format!("Baby {} {surname}", i % 97)),
            date_of_birth: (age_days >= 0).then(|| today - time::Duration::days(age_days)),
            due_date: (age_days < 0).then(|| today + time::Duration::days(-age_days)),
            gestation_at_birth: (age_days >= 0 && i % 9 == 0)
                .then_some(Gestation { weeks: 33, days: 2 }),
            nhs_number: None,
        };
        let family = Family {
            id: FamilyId::new(),
            team_id: team,
            mother_name: mother,
            mother_nhs_number: numbers.next(),
            mother_date_of_birth: Some(
                today - time::Duration::days(365 * 20 + i64::from(i % 7000)),
            ),
            mother_postcode: Some(format!(
                "LS{} {}{}",
                1 + i % 29,
                i % 10,
                ["AB", "DP", "HT", "NQ", "WZ"][index % 5]
            )),
            mother_language: Default::default(),
            stage: if age_days < 0 {
                PerinatalStage::Antenatal
            } else {
                PerinatalStage::Postnatal
            },
            referral_date: Some(today - time::Duration::days(age_days.max(0) + 30)),
            child_protection: ChildProtectionStatus::None,
            babies: vec![baby.clone()],
            created_at_millis: now,
            version: 1,
        };
        let mut people = Vec::new();
        let mut relationships = Vec::new();
        let mut add = |name: String, kind: RelationshipKind, care: CareShare| {
            let person = Person {
                id: PersonId::new(),
                name,
                phone: None,
                email: None,
                postcode: None,
                preferred_language: Some("English".into()),
                interpreter_needed: false,
                ethnicity: None,
                religion: None,
                cultural_notes: None,
                contact_consent: ContactConsent::Yes,
                version: 1,
                date_of_birth: None,
                age_band: None,
                sex: None,
            };
            relationships.push(Relationship {
                id: RelationshipId::new(),
                person_id: person.id,
                target: RelationshipTarget::Baby(baby.id),
                kind,
                lives_with_baby: kind != RelationshipKind::Grandparent,
                care_share: care,
                contact_frequency: ContactFrequency::Daily,
                nature: Some(RelationshipNature::Supportive),
                parental_responsibility: if kind == RelationshipKind::Father {
                    ParentalResponsibility::Yes
                } else {
                    ParentalResponsibility::NotKnown
                },
                started_on: None,
                ended_on: None,
                end_reason: None,
                version: 1,
            });
            people.push(person);
        };
        add(
            format!("{} {surname}", PARTNER_NAMES[index % PARTNER_NAMES.len()]),
            RelationshipKind::Father,
            CareShare::Equal,
        );
        if i % 3 == 0 {
            add(
                format!("Grandparent {surname}"),
                RelationshipKind::Grandparent,
                CareShare::Some,
            );
        }
        let mut family = family;
        let plans = match people.first() {
            Some(father) if sessions_per_family > 0 => {
                let plan = synthetic_plan(
                    i,
                    cradle_domain::entries::Member::Person(father.id),
                    sessions_per_family,
                    today,
                    now,
                    &key_worker.display_name,
                );
                // The referral comes before the plan's first session.
                family.referral_date = family
                    .referral_date
                    .map(|r| r.min(plan.agreed_on - time::Duration::days(7)));
                vec![plan]
            }
            _ => Vec::new(),
        };
        let mut audit = actor.audit(
            now,
            AuditAction::FamilyCreated,
            Some((SubjectKind::Family, family.id.0)),
        );
        audit.team_id = Some(team);
        audit.detail = "synthetic caseload".into();
        audits.push(audit);
        batch.push(FamilyRecord {
            family,
            people,
            relationships,
            restrictions: Vec::new(),
            disclosure_actions: Vec::new(),
            filming_consents: Vec::new(),
            recordings: Vec::new(),
            entries: Vec::new(),
            conversations: Vec::new(),
            concerns: Vec::new(),
            observations: Vec::new(),
            moments: Vec::new(),
            notes: Vec::new(),
            plans,
            interventions: Vec::new(),
            groups: Vec::new(),
            sessions_before_review: cradle_domain::care_plans::DEFAULT_SESSIONS_BEFORE_REVIEW,
            pathways: Vec::new(),
            responses: Vec::new(),
            pathway_roles: Vec::new(),
            recording_retention: cradle_domain::recordings::RetentionPeriods::default(),
            partner_assessments: Vec::new(),
        });
        if batch.len() == 500 || i + 1 == count {
            app.store
                .import_families(&batch, key_worker.id, std::mem::take(&mut audits))
                .await?;
            created += u32::try_from(batch.len()).unwrap_or(0);
            batch.clear();
        }
    }
    // The tables have grown by orders of magnitude: let the planners know.
    app.store.refresh_statistics().await?;
    Ok(created)
}

/// Someone around the baby in a demo family, and how they relate to the (first) baby.
pub struct DemoPerson {
    pub name: &'static str,
    pub kind: RelationshipKind,
    pub lives_with_baby: bool,
    pub care: CareShare,
    pub sees: ContactFrequency,
    pub nature: Option<RelationshipNature>,
    pub language: &'static str,
    pub interpreter: bool,
    pub ethnicity: &'static str,
    pub religion: &'static str,
    pub notes: &'static str,
    pub consent: ContactConsent,
    /// A safety decision: (kind, who decided, why).
    pub restriction: Option<(RestrictionKind, &'static str, &'static str)>,
    /// How old they are, for a child, in years (their birthday some months ago).
    pub age_years: Option<i32>,
}

impl DemoPerson {
    fn new(name: &'static str, kind: RelationshipKind) -> Self {
        Self {
            name,
            kind,
            lives_with_baby: true,
            care: CareShare::Some,
            sees: ContactFrequency::Daily,
            nature: Some(RelationshipNature::Supportive),
            language: "English",
            interpreter: false,
            ethnicity: "",
            religion: "",
            notes: "",
            consent: ContactConsent::Yes,
            restriction: None,
            age_years: None,
        }
    }
}

/// A demo family: the mother, her babies (days old and gestation, or days until due) and
/// the people around them.
pub struct DemoFamily {
    pub team: &'static str,
    pub mother: &'static str,
    pub nhs_index: u32,
    /// (name, days old, gestation weeks+days); a negative age is days until the due date.
    pub babies: Vec<(&'static str, i64, &'static str)>,
    pub people: Vec<DemoPerson>,
    pub child_protection: Option<(&'static str, &'static str)>,
}

/// Postcodes for the demo mothers (the form a real one takes; no real address behind them).
const DEMO_POSTCODES: [&str; 12] = [
    "LS6 2QT", "LS11 5DN", "BD7 1AX", "LS9 8EQ", "WF1 3JL", "LS17 6HP", "BD3 9RS", "LS28 7TU",
    "HX1 2LW", "LS12 4BY", "LS8 3NF", "WF10 5GA",
];

/// Demo mothers who prefer another language: (mother, language, needs an interpreter).
const DEMO_MOTHERS_LANGUAGES: [(&str, &str, bool); 2] = [
    ("Ewa Kowalska", "Polish", true),
    ("Amara Okafor", "English and Yoruba", false),
];

/// Twelve invented families showing the situations the service meets.
pub fn demo_families() -> Vec<DemoFamily> {
    use RelationshipKind as K;
    let person = DemoPerson::new;
    vec![
        DemoFamily {
            team: COMMUNITY_TEAM,
            mother: "Amara Okafor",
            nhs_index: 0,
            babies: vec![("Ada Okafor", 21, "39+2")],
            people: vec![DemoPerson { care: CareShare::Equal, nature: Some(RelationshipNature::Strong), ethnicity: "N", religion: "Christian", ..person("Tunde Okafor", K::Father) }],
            child_protection: None,
        },
        DemoFamily {
            team: COMMUNITY_TEAM,
            mother: "Sofia Marques",
            nhs_index: 1,
            babies: vec![("", -70, "")],
            people: vec![DemoPerson {
                notes: "Has said he feels anxious about the birth and about holding a newborn",
                language: "Portuguese",
                ..person("Joao Marques", K::Father)
            }],
            child_protection: None,
        },
        DemoFamily {
            team: COMMUNITY_TEAM,
            mother: "Jess Whitfield",
            nhs_index: 2,
            babies: vec![("", 9, "40+1")],
            people: vec![DemoPerson { care: CareShare::Equal, nature: Some(RelationshipNature::Strong), ..person("Sam Whitfield", K::CoParent) }],
            child_protection: None,
        },
        DemoFamily {
            team: COMMUNITY_TEAM,
            mother: "Nadia Hussain",
            nhs_index: 3,
            babies: vec![("Zara Hussain", 60, "32+1"), ("Sami Hussain", 60, "32+1")],
            people: vec![
                DemoPerson { care: CareShare::Equal, ethnicity: "J", religion: "Muslim", language: "Urdu and English", ..person("Imran Hussain", K::Father) },
                DemoPerson { lives_with_baby: false, sees: ContactFrequency::SeveralTimesAWeek, ethnicity: "J", language: "Urdu", interpreter: true, ..person("Shazia Begum", K::Grandparent) },
            ],
            child_protection: None,
        },
        DemoFamily {
            team: COMMUNITY_TEAM,
            mother: "Kayleigh Moss",
            nhs_index: 4,
            babies: vec![("Harley Moss", 40, "38+4")],
            people: vec![DemoPerson { notes: "Kayleigh (19) lives with her mother, who helps with night feeds", ..person("Donna Moss", K::Grandparent) }],
            child_protection: None,
        },
        DemoFamily {
            team: COMMUNITY_TEAM,
            mother: "Kerry-Ann Campbell",
            nhs_index: 5,
            babies: vec![("Leo Campbell", 60, "40+0")],
            people: vec![DemoPerson {
                care: CareShare::Equal,
                ethnicity: "M",
                notes: "Has his own history of depression and has asked how the team can support him too",
                ..person("Marcus Campbell", K::Father)
            }],
            child_protection: None,
        },
        DemoFamily {
            team: COMMUNITY_TEAM,
            mother: "Precious Ndlovu",
            nhs_index: 6,
            babies: vec![("Thando Ndlovu", 95, "39+0")],
            people: vec![DemoPerson { care: CareShare::Equal, nature: Some(RelationshipNature::Strong), ethnicity: "N", religion: "Christian", ..person("Grace Ndlovu", K::Grandparent) }],
            child_protection: None,
        },
        DemoFamily {
            team: COMMUNITY_TEAM,
            mother: "Hannah Lewis",
            nhs_index: 7,
            babies: vec![("Ruby Lewis", 150, "39+5")],
            people: vec![DemoPerson {
                lives_with_baby: false,
                sees: ContactFrequency::Weekly,
                nature: Some(RelationshipNature::Tenuous),
                notes: "Separated from Hannah before the birth; has Ruby every Saturday",
                ..person("Owen Price", K::Father)
            }],
            child_protection: None,
        },
        DemoFamily {
            team: COMMUNITY_TEAM,
            mother: "Ewa Kowalska",
            nhs_index: 8,
            babies: vec![("Zofia Kowalska", 30, "39+3")],
            people: vec![DemoPerson { care: CareShare::Equal, language: "Polish", interpreter: true, ethnicity: "C", religion: "Catholic", ..person("Piotr Kowalski", K::Father) }],
            child_protection: None,
        },
        DemoFamily {
            team: COMMUNITY_TEAM,
            mother: "Laura Bennett",
            nhs_index: 9,
            babies: vec![("Isla Bennett", 70, "39+6")],
            people: vec![
                DemoPerson {
                    lives_with_baby: false,
                    care: CareShare::None,
                    sees: ContactFrequency::NotAtPresent,
                    nature: Some(RelationshipNature::CutOff),
                    consent: ContactConsent::NotAsked,
                    restriction: Some((
                        RestrictionKind::DoNotInvolve,
                        "Safeguarding lead with Laura, seen alone",
                        "Laura has disclosed domestic abuse by Darren. Do not contact him or share any information with him.",
                    )),
                    ..person("Darren Hughes", K::Father)
                },
                DemoPerson { lives_with_baby: false, sees: ContactFrequency::SeveralTimesAWeek, ..person("Sue Bennett", K::Grandparent) },
            ],
            child_protection: Some(("child_in_need", "Child in need plan agreed at the strategy meeting")),
        },
        DemoFamily {
            team: COMMUNITY_TEAM,
            mother: "Aisha Rahman",
            nhs_index: 10,
            babies: vec![("", -120, "")],
            people: vec![DemoPerson { lives_with_baby: false, sees: ContactFrequency::Weekly, care: CareShare::None, ethnicity: "K", religion: "Muslim", language: "Sylheti", interpreter: true, ..person("Sadia Rahman", K::Friend) }],
            child_protection: Some(("pre_birth_assessment", "Pre-birth assessment requested by children's social care")),
        },
        DemoFamily {
            team: MBU_TEAM,
            mother: "Chloe Brennan",
            nhs_index: 11,
            babies: vec![("Rory Brennan", 40, "38+0")],
            people: vec![
                DemoPerson {
                    lives_with_baby: false,
                    care: CareShare::Some,
                    sees: ContactFrequency::SeveralTimesAWeek,
                    notes: "Caring for Niamh (4) at home while Chloe and Rory are on the ward",
                    ..person("Liam Brennan", K::Father)
                },
                DemoPerson { lives_with_baby: false, care: CareShare::None, sees: ContactFrequency::Weekly, consent: ContactConsent::NotAsked, age_years: Some(4), ..person("Niamh Brennan", K::Sibling) },
            ],
            child_protection: None,
        },
    ]
}

fn date_parts(date: time::Date) -> (String, String, String) {
    cradle_domain::dates::date_boxes(Some(date))
}

/// Creates one demo family through the same use-cases as the pages.
pub async fn seed_family(
    app: &Cradle,
    actor: &Actor,
    team: TeamId,
    demo: &DemoFamily,
) -> Result<(), AppError> {
    let today = app.today();
    let (first_name, first_age, first_gestation) =
        demo.babies.first().copied().unwrap_or(("", 0, ""));
    let mut input = FamilyInput {
        team_id: team.to_string(),
        mother_name: demo.mother.to_string(),
        mother_nhs_number: test_nhs_number(demo.nhs_index),
        mother_postcode: DEMO_POSTCODES[demo.nhs_index as usize % DEMO_POSTCODES.len()].to_string(),
        baby_name: first_name.to_string(),
        ..FamilyInput::default()
    };
    if let Some((_, language, needed)) = DEMO_MOTHERS_LANGUAGES
        .iter()
        .find(|(mother, ..)| *mother == demo.mother)
    {
        input.mother_language = language.to_string();
        input.mother_interpreter_needed = if *needed { "yes" } else { "no" }.to_string();
    }
    // Invented birthdays: the young mother living with her own mother is 18.
    let age_years = if demo.mother == "Kayleigh Moss" {
        18
    } else {
        24 + i64::from(demo.nhs_index % 15)
    };
    (
        input.mother_dob_day,
        input.mother_dob_month,
        input.mother_dob_year,
    ) = date_parts(
        today - time::Duration::days(age_years * 365 + 40 + i64::from(demo.nhs_index) * 17),
    );
    if first_age < 0 {
        input.stage = "antenatal".into();
        (input.due_day, input.due_month, input.due_year) =
            date_parts(today + time::Duration::days(-first_age));
    } else {
        input.stage = "postnatal".into();
        (
            input.baby_dob_day,
            input.baby_dob_month,
            input.baby_dob_year,
        ) = date_parts(today - time::Duration::days(first_age));
        input.gestation_weeks = first_gestation.to_string();
    }
    let referral = today - time::Duration::days(first_age.max(0) + 14);
    (
        input.referral_day,
        input.referral_month,
        input.referral_year,
    ) = date_parts(referral);
    let family = app.create_family(actor, &input).await?;
    let access = app.family_access(actor, family.id, None).await?;
    for (name, age, gestation) in demo.babies.iter().skip(1) {
        let born = today - time::Duration::days(*age);
        app.add_baby(
            actor,
            &access,
            Baby {
                id: BabyId::new(),
                name: (!name.is_empty()).then(|| name.to_string()),
                date_of_birth: Some(born),
                due_date: None,
                gestation_at_birth: Gestation::parse("gestation", gestation, "").ok(),
                nhs_number: None,
            },
        )
        .await?;
    }
    let baby = family
        .babies
        .first()
        .map(|b| b.id.to_string())
        .unwrap_or_else(|| "mother".to_string());
    for demo_person in &demo.people {
        let born = demo_person
            .age_years
            .map(|years| {
                date_parts(app.today() - time::Duration::days(i64::from(years) * 365 + 100))
            })
            .unwrap_or_default();
        let person = app
            .add_person(
                actor,
                &access,
                &PersonInput {
                    name: demo_person.name.to_string(),
                    preferred_language: demo_person.language.to_string(),
                    interpreter_needed: if demo_person.interpreter { "yes" } else { "no" }
                        .to_string(),
                    ethnicity: demo_person.ethnicity.to_string(),
                    religion: demo_person.religion.to_string(),
                    cultural_notes: demo_person.notes.to_string(),
                    contact_consent: demo_person.consent.code().to_string(),
                    born_day: born.0,
                    born_month: born.1,
                    born_year: born.2,
                    ..PersonInput::default()
                },
            )
            .await?;
        app.add_relationship(
            actor,
            &access,
            &RelationshipInput {
                person_id: person.id.to_string(),
                target: baby.clone(),
                kind: demo_person.kind.code().to_string(),
                lives_with_baby: if demo_person.lives_with_baby {
                    "yes"
                } else {
                    "no"
                }
                .to_string(),
                care_share: demo_person.care.code().to_string(),
                contact_frequency: demo_person.sees.code().to_string(),
                nature: demo_person
                    .nature
                    .map(|n| n.code().to_string())
                    .unwrap_or_default(),
                // The demonstration's fathers are on their babies' birth certificates.
                parental_responsibility: if demo_person.kind == RelationshipKind::Father {
                    "yes"
                } else {
                    "not_known"
                }
                .to_string(),
                ..RelationshipInput::default()
            },
        )
        .await?;
        if let Some((kind, decided_by, reason)) = demo_person.restriction {
            // Decided ten weeks ago with a review a week ago, and not yet reviewed: the demo
            // shows a mark that stays in force past its review date and asks for the review.
            // (A decision recorded today cannot be given a past review date, so this one is
            // written as the record of an earlier decision.)
            let day = 24 * 60 * 60 * 1000;
            let restriction = cradle_domain::network::ContactRestriction {
                id: cradle_domain::RestrictionId::new(),
                person_id: person.id,
                kind,
                decided_by: decided_by.to_string(),
                reason: reason.to_string(),
                review_on: Some(app.today() - time::Duration::weeks(1)),
                recorded_at_millis: app.now() - 70 * day,
                lifted_at_millis: None,
                lifted_by: None,
                lifted_reason: None,
                renewed_as: None,
            };
            let recorded_by = actor.id.ok_or(AppError::Forbidden(
                cradle_domain::Permission::ChangeClinicalRecords,
            ))?;
            let mut audit = access.audit(
                actor,
                app.now(),
                cradle_domain::AuditAction::RestrictionAdded,
            );
            audit.detail = format!("{} for person {} (demo)", kind.code(), person.id);
            app.store
                .add_restriction(access.family_id(), &restriction, recorded_by, audit)
                .await?;
        }
    }
    if let Some((status, why)) = demo.child_protection {
        app.set_child_protection(actor, &access, status, 1, why)
            .await?;
    }
    Ok(())
}
