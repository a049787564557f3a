//! Staff, teams, roles and what each role may do.
//!
//! Access is denied unless a role is listed against a permission here. Clinical permissions
//! are further limited to the records of the teams a member of staff belongs to (checked in
//! `cradle-app`), except for audited, time-limited break-glass access.

use crate::{Invalid, StaffId, TeamId};
use serde::{Deserialize, Serialize};

/// The roles a member of staff can hold. One role per account keeps access easy to reason about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Clinician,
    NurseryNurse,
    MbuStaff,
    TeamManager,
    Administrator,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Clinician,
        Role::NurseryNurse,
        Role::MbuStaff,
        Role::TeamManager,
        Role::Administrator,
    ];

    /// The stable code stored in the database and used on the command line and API.
    pub fn code(self) -> &'static str {
        match self {
            Role::Clinician => "clinician",
            Role::NurseryNurse => "nursery_nurse",
            Role::MbuStaff => "mbu_staff",
            Role::TeamManager => "team_manager",
            Role::Administrator => "administrator",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Clinician => "Perinatal clinician",
            Role::NurseryNurse => "Nursery nurse",
            Role::MbuStaff => "Mother and Baby Unit staff",
            Role::TeamManager => "Team manager",
            Role::Administrator => "Administrator",
        }
    }

    pub fn parse(field: &'static str, text: &str) -> Result<Self, Invalid> {
        let wanted = text.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Role::ALL
            .into_iter()
            .find(|r| r.code() == wanted)
            .ok_or_else(|| {
                Invalid::new(
                    field,
                    "Select a role: clinician, nursery nurse, MBU staff, team manager or administrator",
                )
            })
    }

    /// Deny by default: a role may do only what is listed here.
    pub fn allows(self, permission: Permission) -> bool {
        use Permission::*;
        use Role::*;
        match permission {
            ReadClinicalRecords | ChangeClinicalRecords | BreakGlass => {
                matches!(self, Clinician | NurseryNurse | MbuStaff | TeamManager)
            }
            ViewRecordAudit => matches!(self, TeamManager | Administrator),
            ManageTeamPractice => matches!(self, TeamManager),
            ManageTeamAccounts => matches!(self, TeamManager | Administrator),
            EnrolClinicalStaff => matches!(self, TeamManager),
            ManageUsers | ManageTeams | VerifyAuditTrail => matches!(self, Administrator),
        }
    }

    /// Whether this role works with clinical records at all.
    pub fn is_clinical(self) -> bool {
        self.allows(Permission::ReadClinicalRecords)
    }
}

/// What a route or use-case needs. Every route names one (or is on the public list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    ReadClinicalRecords,
    ChangeClinicalRecords,
    BreakGlass,
    ViewRecordAudit,
    ManageUsers,
    ManageTeams,
    VerifyAuditTrail,
    /// Set how a team works: the attended sessions between care plan reviews, and (later)
    /// its interventions catalogue. Team managers for their own teams.
    ManageTeamPractice,
    /// See who belongs to a team and unlock an account locked after failed sign-ins: team
    /// managers for their own teams, administrators for every account.
    ManageTeamAccounts,
    /// Make the one-time link through which a member of a team's clinical staff sets their
    /// own password (enrolment or reset). Never administrators: they would learn it.
    EnrolClinicalStaff,
}

impl Permission {
    pub fn describe(self) -> &'static str {
        match self {
            Permission::ReadClinicalRecords => "view family records",
            Permission::ChangeClinicalRecords => "change family records",
            Permission::BreakGlass => "use emergency (break-glass) access",
            Permission::ViewRecordAudit => "see who has accessed a record",
            Permission::ManageUsers => "manage staff accounts",
            Permission::ManageTeams => "manage teams",
            Permission::VerifyAuditTrail => "verify the audit trail",
            Permission::ManageTeamPractice => {
                "see the team's service figures or change the team's settings, questionnaires and interventions"
            }
            Permission::ManageTeamAccounts => {
                "see who belongs to a team or unlock a colleague's account"
            }
            Permission::EnrolClinicalStaff => {
                "make an enrolment or password reset link for clinical staff"
            }
        }
    }

    /// Whose work it is, for a refusal that says the real reason.
    pub fn who_may(self) -> &'static str {
        match self {
            Permission::ReadClinicalRecords
            | Permission::ChangeClinicalRecords
            | Permission::BreakGlass => "clinical staff and team managers",
            Permission::ViewRecordAudit => "team managers and Cradle administrators",
            Permission::ManageUsers | Permission::ManageTeams | Permission::VerifyAuditTrail => {
                "Cradle administrators"
            }
            Permission::ManageTeamPractice => "team managers",
            Permission::ManageTeamAccounts => "team managers and Cradle administrators",
            Permission::EnrolClinicalStaff => {
                "the managers of their teams, so that no administrator ever learns a clinician's password"
            }
        }
    }
}

/// A sign-in name: 3 to 64 characters, lower-case letters, numbers, dots, dashes, underscores.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    pub fn parse(field: &'static str, text: &str) -> Result<Self, Invalid> {
        let name = text.trim().to_lowercase();
        if name.is_empty() {
            return Err(Invalid::new(field, "Enter a username"));
        }
        if name.chars().count() < 3 || name.chars().count() > 64 {
            return Err(Invalid::new(
                field,
                "Username must be between 3 and 64 characters",
            ));
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'))
        {
            return Err(Invalid::new(
                field,
                "Username can only include letters a to z, numbers, full stops, hyphens and underscores",
            ));
        }
        Ok(Self(name))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Username {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A new password, checked against the account policy. Never printed: `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_LENGTH: usize = 12;
    pub const MAX_LENGTH: usize = 256;

    pub fn parse(field: &'static str, text: &str) -> Result<Self, Invalid> {
        let length = text.chars().count();
        if length == 0 {
            return Err(Invalid::new(field, "Enter a password"));
        }
        if length < Self::MIN_LENGTH {
            return Err(Invalid::new(
                field,
                format!(
                    "Password must be at least {} characters; a few unrelated words work well",
                    Self::MIN_LENGTH
                ),
            ));
        }
        if length > Self::MAX_LENGTH {
            return Err(Invalid::new(
                field,
                format!("Password must be {} characters or fewer", Self::MAX_LENGTH),
            ));
        }
        Ok(Self(text.to_string()))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(redacted)")
    }
}

/// A person's name as shown on screens: 1 to 200 characters, no control characters.
pub fn parse_display_name(field: &'static str, label: &str, text: &str) -> Result<String, Invalid> {
    let name = text.trim();
    if name.is_empty() {
        return Err(Invalid::new(field, format!("Enter {label}")));
    }
    if name.chars().count() > 200 {
        return Err(Invalid::new(
            field,
            format!("{} must be 200 characters or fewer", capitalise(label)),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(Invalid::new(
            field,
            format!("{} must not contain line breaks or tabs", capitalise(label)),
        ));
    }
    Ok(name.to_string())
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A team's name, for example "North Perinatal Community Team" or "Rose Ward MBU".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TeamName(String);

impl TeamName {
    pub fn parse(field: &'static str, text: &str) -> Result<Self, Invalid> {
        parse_display_name(field, "a team name", text).map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
}

/// A staff account as the rest of Cradle sees it. The password hash never leaves the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Staff {
    pub id: StaffId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub teams: Vec<TeamId>,
    pub disabled: bool,
    /// Service accounts use bearer tokens on the API and cannot sign in to pages.
    pub service_account: bool,
}

impl Staff {
    pub fn can(&self, permission: Permission) -> bool {
        !self.disabled && self.role.allows(permission)
    }
    pub fn belongs_to(&self, team: TeamId) -> bool {
        self.teams.contains(&team)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn administrators_do_not_read_clinical_records() {
        assert!(!Role::Administrator.allows(Permission::ReadClinicalRecords));
        assert!(!Role::Administrator.allows(Permission::BreakGlass));
        assert!(Role::Administrator.allows(Permission::ManageUsers));
    }

    #[test]
    fn clinical_roles_cannot_manage_accounts() {
        for role in [
            Role::Clinician,
            Role::NurseryNurse,
            Role::MbuStaff,
            Role::TeamManager,
        ] {
            assert!(role.allows(Permission::ReadClinicalRecords));
            assert!(!role.allows(Permission::ManageUsers));
            assert!(!role.allows(Permission::ManageTeams));
        }
        assert!(Role::TeamManager.allows(Permission::ViewRecordAudit));
        assert!(!Role::Clinician.allows(Permission::ViewRecordAudit));
    }

    #[test]
    fn roles_parse_from_codes_and_words() {
        assert_eq!(Role::parse("r", "nursery nurse"), Ok(Role::NurseryNurse));
        assert_eq!(Role::parse("r", "MBU-staff"), Ok(Role::MbuStaff));
        for role in Role::ALL {
            assert_eq!(Role::parse("r", role.code()), Ok(role));
        }
        assert!(Role::parse("r", "superuser").is_err());
    }

    #[test]
    fn usernames_are_checked_and_lower_cased() {
        assert_eq!(
            Username::parse("u", " A.Jones ").map(|u| u.as_str().to_string()),
            Ok("a.jones".to_string())
        );
        assert!(Username::parse("u", "ab").is_err());
        assert!(Username::parse("u", "a jones").is_err());
        assert!(Username::parse("u", &"a".repeat(65)).is_err());
    }

    #[test]
    fn passwords_have_a_minimum_length_and_are_never_printed() {
        assert!(Password::parse("p", "short").is_err());
        let password = Password::parse("p", "correct horse battery").unwrap();
        assert_eq!(format!("{password:?}"), "Password(redacted)");
    }

    #[test]
    fn disabled_staff_can_do_nothing() {
        let staff = Staff {
            id: StaffId::new(),
            username: "x".into(),
            display_name: "X".into(),
            role: Role::Administrator,
            teams: vec![],
            disabled: true,
            service_account: false,
        };
        assert!(!staff.can(Permission::ManageUsers));
    }

    #[test]
    fn display_names_refuse_empty_long_and_control_text() {
        assert!(parse_display_name("n", "a name", "  ").is_err());
        assert!(parse_display_name("n", "a name", &"x".repeat(10_000))
            .unwrap_err()
            .message
            .contains("200 characters"));
        assert!(parse_display_name("n", "a name", "a\nb").is_err());
        assert_eq!(
            parse_display_name("n", "a name", " Amara Okafor "),
            Ok("Amara Okafor".to_string())
        );
    }
}
