//! Demonstration data, made through the same use-cases as real work (so it is validated and
//! audited like anything else). Every name is invented and every NHS number is in the 999
//! test range. Tests use the same builders.

use crate::admin::StaffInput;
use crate::{Actor, AppError, Cradle};
use cradle_domain::{FamilyInput, Role, Staff, Team};

/// The password every demo account is given. Demo data is for trying Cradle, never for patients.
pub const DEMO_PASSWORD: &str = "cradle-demo-2026";

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
        staff.push(app.create_staff(&cli, &input).await?);
    }
    if let Some(clinician) = staff.iter().find(|s| s.username == "clinician") {
        let actor = Actor::staff(clinician, "demo");
        let existing = app.list_families(&actor, None, 1).await?;
        if existing.total == 0 {
            if let Some(team) = teams.iter().find(|t| t.name == COMMUNITY_TEAM) {
                for input in demo_families(&team.id.to_string()) {
                    app.create_family(&actor, &input).await?;
                }
            }
        }
    }
    if let Some(mbu) = staff.iter().find(|s| s.username == "mbu.clinician") {
        let actor = Actor::staff(mbu, "demo");
        let existing = app.list_families(&actor, None, 1).await?;
        if existing.total == 0 {
            if let Some(team) = teams.iter().find(|t| t.name == MBU_TEAM) {
                let today = cradle_domain::dates::today_uk() - time::Duration::days(40);
                app.create_family(
                    &actor,
                    &FamilyInput {
                        team_id: team.id.to_string(),
                        mother_name: "Chloe Brennan".into(),
                        mother_nhs_number: "999 123 4624".into(),
                        stage: "postnatal".into(),
                        baby_name: "Rory Brennan".into(),
                        baby_dob_day: today.day().to_string(),
                        baby_dob_month: u8::from(today.month()).to_string(),
                        baby_dob_year: today.year().to_string(),
                        ..FamilyInput::default()
                    },
                )
                .await?;
            }
        }
    }
    Ok(DemoData { teams, staff })
}

/// A handful of community families at different stages. The full demo caseload described in
/// the family-network work builds on these.
pub fn demo_families(team_id: &str) -> Vec<FamilyInput> {
    let today = cradle_domain::dates::today_uk();
    let born = |days: i64| today - time::Duration::days(days);
    let due = today + time::Duration::days(70);
    let postnatal = |mother: &str, nhs: &str, baby: &str, days: i64| {
        let date = born(days);
        FamilyInput {
            team_id: team_id.to_string(),
            mother_name: mother.to_string(),
            mother_nhs_number: nhs.to_string(),
            stage: "postnatal".to_string(),
            baby_name: baby.to_string(),
            baby_dob_day: date.day().to_string(),
            baby_dob_month: u8::from(date.month()).to_string(),
            baby_dob_year: date.year().to_string(),
            ..FamilyInput::default()
        }
    };
    vec![
        postnatal("Amara Okafor", "999 123 4578", "Ada Okafor", 21),
        postnatal("Jess Whitfield", "999 123 4586", "", 9),
        FamilyInput {
            team_id: team_id.to_string(),
            mother_name: "Sofia Marques".to_string(),
            mother_nhs_number: "999 123 4594".to_string(),
            stage: "antenatal".to_string(),
            due_day: due.day().to_string(),
            due_month: u8::from(due.month()).to_string(),
            due_year: due.year().to_string(),
            ..FamilyInput::default()
        },
        postnatal("Nadia Hussain", "999 123 4608", "Zara Hussain", 120),
        postnatal("Kerry-Ann Campbell", "999 123 4616", "Leo Campbell", 60),
    ]
}
