//! The family network around the baby: people, their relationships to each baby and to the
//! mother, and the safety decisions that limit how Cradle may involve them.
//!
//! Everything here is what a clinician records in words or chooses from a short list; none
//! of it is a score.

use crate::person::{EthnicCategory, Postcode};
use crate::staff::parse_display_name;
use crate::text::optional_text;
use crate::{BabyId, FamilyId, Invalid, PersonId, Problems, RelationshipId, RestrictionId};
use serde::{Deserialize, Serialize};
use time::Date;

/// Declares a short list of choices with stable codes and plain labels.
macro_rules! choices {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => ($code:literal, $label:literal)),+ $(,)? }) => {
        $(#[$doc])*
        ///
        /// In JSON (the API, stored snapshots) a choice is its code, so any value Cradle
        /// gives out can be sent back as it is.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
            pub fn from_code(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|c| c.code() == code.trim())
            }
            /// The name serde once gave the choice (its variant in snake case), still read
            /// from snapshots kept before choices were written as their codes.
            fn former_name(self) -> String {
                crate::network::snake_case(match self { $($name::$variant => stringify!($variant)),+ })
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.code())
            }
        }

        /// In the API document a choice is one of its codes, each code's meaning said beside.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                crate::network::choice_schema(&[$(($code, $label)),+])
            }
        }

        impl utoipa::ToSchema for $name {}

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Self::from_code(&text)
                    .or_else(|| Self::ALL.iter().copied().find(|c| c.former_name() == text))
                    .ok_or_else(|| serde::de::Error::unknown_variant(&text, &[$($code),+]))
            }
        }
    };
}

/// A choice's schema: one of the codes, with what each means.
pub fn choice_schema(
    choices: &[(&str, &str)],
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    let meanings: Vec<String> = choices
        .iter()
        .map(|(code, label)| format!("`{code}`: {label}"))
        .collect();
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(choices.iter().map(|(code, _)| *code)))
        .description(Some(meanings.join("; ")))
        .into()
}

/// "SeveralTimesAWeek" as "several_times_a_week".
pub(crate) fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

pub(crate) use choices;

choices!(
    /// What a person is to the baby (or to the mother, for `to_mother` relationships).
    RelationshipKind {
        Father => ("father", "Father"),
        Partner => ("partner", "Mother's partner"),
        CoParent => ("co_parent", "Co-parent"),
        Grandparent => ("grandparent", "Grandparent"),
        Sibling => ("sibling", "Brother or sister"),
        OtherRelative => ("other_relative", "Other relative"),
        Friend => ("friend", "Friend"),
        FosterCarer => ("foster_carer", "Foster carer"),
        Other => ("other", "Other"),
    }
);

choices!(
    /// How much of the baby's care a person shares.
    CareShare {
        None => ("none", "No share of care"),
        Some => ("some", "Some of the care"),
        Equal => ("equal", "An equal share"),
        MainCarer => ("main_carer", "Main carer"),
    }
);

choices!(
    /// Whether a person holds parental responsibility for a baby: who may consent for the
    /// baby (to filming, for one). Recorded as checked, so "not known" until it is.
    ParentalResponsibility {
        Yes => ("yes", "Has parental responsibility"),
        No => ("no", "Does not have parental responsibility"),
        NotKnown => ("not_known", "Not known"),
    }
);

impl Default for ParentalResponsibility {
    /// A relationship recorded before the question was asked, or with the mother.
    fn default() -> Self {
        ParentalResponsibility::NotKnown
    }
}

choices!(
    /// How often a person sees the baby.
    ContactFrequency {
        Daily => ("daily", "Every day"),
        SeveralTimesAWeek => ("several_weekly", "Several times a week"),
        Weekly => ("weekly", "About once a week"),
        Fortnightly => ("fortnightly", "About once a fortnight"),
        Monthly => ("monthly", "About once a month"),
        LessOften => ("less_often", "Less often"),
        NotAtPresent => ("not_at_present", "Not at present"),
    }
);

choices!(
    /// The clinician's view of the relationship's quality, drawn on the ecomap.
    RelationshipNature {
        Strong => ("strong", "Strong"),
        Supportive => ("supportive", "Supportive"),
        Tenuous => ("tenuous", "Tenuous"),
        Stressful => ("stressful", "Stressful"),
        CutOff => ("cut_off", "Cut off"),
    }
);

choices!(
    /// Whether the person agrees to be contacted by the team.
    ContactConsent {
        Yes => ("yes", "Yes, agrees to be contacted"),
        No => ("no", "No, does not want to be contacted"),
        NotAsked => ("not_asked", "Not asked yet"),
    }
);

choices!(
    /// A safety decision that limits involvement.
    RestrictionKind {
        DoNotContact => ("do_not_contact", "Do not contact"),
        DoNotInvolve => ("do_not_involve", "Do not involve"),
    }
);

choices!(
    /// The baby's child protection status, shown on the family page.
    ChildProtectionStatus {
        None => ("none", "None recorded"),
        ChildInNeed => ("child_in_need", "Child in need plan"),
        ChildProtectionPlan => ("child_protection_plan", "Child protection plan"),
        LookedAfter => ("looked_after", "Looked after child"),
        PreBirthAssessment => ("pre_birth_assessment", "Pre-birth assessment under way"),
    }
);

/// Someone already recorded in one or more of a team's families: found when adding a person
/// to another family, so one person keeps one record (a grandparent of two babies).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct KnownPerson {
    pub person: Person,
    pub families: Vec<KnownFamily>,
}

/// A family a known person belongs to, with the safety decisions recorded about them there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct KnownFamily {
    pub family_id: FamilyId,
    pub mother_name: String,
    pub restrictions: Vec<ContactRestriction>,
}

/// A person who matters to the baby, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Person {
    pub id: PersonId,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub postcode: Option<String>,
    pub preferred_language: Option<String>,
    pub interpreter_needed: bool,
    pub ethnicity: Option<EthnicCategory>,
    pub religion: Option<String>,
    pub cultural_notes: Option<String>,
    pub contact_consent: ContactConsent,
    /// Incremented at each amendment; earlier versions are kept in the record's history.
    pub version: i64,
    /// Their date of birth, when known.
    #[serde(default, with = "crate::family::optional_iso_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub date_of_birth: Option<Date>,
    /// Their age band, when their date of birth is not known.
    #[serde(default)]
    pub age_band: Option<AgeBand>,
    /// Their sex as recorded: what a questionnaire's population for one sex is checked
    /// against (the EPDS reads fathers' scores against another cut-off).
    #[serde(default)]
    pub sex: Option<Sex>,
}

choices!(
    /// A person's sex as recorded, where a questionnaire's cut-offs depend on it.
    Sex {
        Female => ("female", "Female"),
        Male => ("male", "Male"),
    }
);

/// Someone's language as their details show it: "Polish; needs an interpreter", "Polish", or
/// "Not recorded".
pub fn language_line(language: Option<&str>, interpreter_needed: bool) -> String {
    match (language, interpreter_needed) {
        (Some(language), true) => format!("{language}; needs an interpreter"),
        (Some(language), false) => language.to_string(),
        (None, true) => "Needs an interpreter (language not recorded)".to_string(),
        (None, false) => "Not recorded".to_string(),
    }
}

/// "Interpreter needed: Polish" for someone who needs one, in `language` if known.
pub fn interpreter_note(needed: bool, language: Option<&str>) -> Option<String> {
    needed.then(|| match language {
        Some(language) => format!("Interpreter needed: {language}"),
        None => "Interpreter needed (language not recorded)".to_string(),
    })
}

choices!(
    /// How old someone is, when their date of birth is not known. What Cradle offers a
    /// person depends on it: children are never offered adult questionnaires, the partner
    /// pathway or summaries written for adults.
    AgeBand {
        Child => ("child", "Under 16"),
        YoungPerson => ("young_person", "16 or 17"),
        Adult => ("adult", "18 or over"),
    }
);

impl AgeBand {
    /// The band of someone aged `years`.
    pub fn of_age(years: i32) -> Self {
        match years {
            ..=15 => AgeBand::Child,
            16 | 17 => AgeBand::YoungPerson,
            _ => AgeBand::Adult,
        }
    }

    /// The youngest age in the band, in whole years.
    pub fn youngest(self) -> u32 {
        match self {
            AgeBand::Child => 0,
            AgeBand::YoungPerson => 16,
            AgeBand::Adult => 18,
        }
    }
}

impl Person {
    /// "Interpreter needed: Polish", shown wherever the person appears, when they need one.
    pub fn interpreter_note(&self) -> Option<String> {
        interpreter_note(self.interpreter_needed, self.preferred_language.as_deref())
    }

    /// Their name, with the interpreter they need when they need one.
    pub fn name_with_interpreter(&self) -> String {
        match self.interpreter_note() {
            Some(note) => format!("{} ({})", self.name, crate::text::lower_first(&note)),
            None => self.name.clone(),
        }
    }

    /// Their age band on `today`: from their date of birth when it is known.
    pub fn age_band_on(&self, today: Date) -> Option<AgeBand> {
        match self.date_of_birth {
            Some(born) => Some(AgeBand::of_age(crate::dates::whole_years(born, today))),
            None => self.age_band,
        }
    }
}

/// A person's details as typed, kept as typed so a form with problems loses nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PersonInput {
    pub name: String,
    pub phone: String,
    pub email: String,
    pub postcode: String,
    pub preferred_language: String,
    pub interpreter_needed: String,
    pub ethnicity: String,
    pub religion: String,
    pub cultural_notes: String,
    pub contact_consent: String,
    /// "yes" when whoever adds the person has confirmed they are not someone with the same
    /// name already known to the team.
    pub different_person: String,
    pub born_day: String,
    pub born_month: String,
    pub born_year: String,
    /// One of [`AgeBand`]'s codes, or empty when not known.
    pub age_band: String,
    /// One of [`Sex`]'s codes, or empty when not recorded.
    pub sex: String,
}

impl PersonInput {
    pub fn from_person(person: &Person) -> Self {
        Self {
            name: person.name.clone(),
            phone: person.phone.clone().unwrap_or_default(),
            email: person.email.clone().unwrap_or_default(),
            postcode: person.postcode.clone().unwrap_or_default(),
            preferred_language: person.preferred_language.clone().unwrap_or_default(),
            interpreter_needed: if person.interpreter_needed {
                "yes".into()
            } else {
                "no".into()
            },
            ethnicity: person
                .ethnicity
                .map(|e| e.code().to_string())
                .unwrap_or_default(),
            religion: person.religion.clone().unwrap_or_default(),
            cultural_notes: person.cultural_notes.clone().unwrap_or_default(),
            contact_consent: person.contact_consent.code().to_string(),
            different_person: String::new(),
            born_day: person
                .date_of_birth
                .map(|d| d.day().to_string())
                .unwrap_or_default(),
            born_month: person
                .date_of_birth
                .map(|d| u8::from(d.month()).to_string())
                .unwrap_or_default(),
            born_year: person
                .date_of_birth
                .map(|d| d.year().to_string())
                .unwrap_or_default(),
            age_band: person
                .age_band
                .map(|b| b.code().to_string())
                .unwrap_or_default(),
            sex: person.sex.map(|s| s.code().to_string()).unwrap_or_default(),
        }
    }

    /// Checks every field; `id` and `version` are given by the caller, and `today` is the
    /// day a date of birth must not be after.
    pub fn parse(&self, id: PersonId, version: i64, today: Date) -> Result<Person, Problems> {
        let mut problems = Problems::default();
        let date_of_birth = if [&self.born_day, &self.born_month, &self.born_year]
            .iter()
            .all(|p| p.trim().is_empty())
        {
            Some(None)
        } else {
            problems.take(
                crate::dates::parse_date_parts(
                    "born",
                    "Date of birth",
                    &self.born_day,
                    &self.born_month,
                    &self.born_year,
                )
                .and_then(|d| {
                    if d > today {
                        Err(Invalid::new("born", "Date of birth must be in the past"))
                    } else {
                        Ok(Some(d))
                    }
                }),
            )
        };
        let age_band = if self.age_band.trim().is_empty() {
            Some(None)
        } else {
            problems.take(
                AgeBand::from_code(&self.age_band)
                    .map(Some)
                    .ok_or_else(|| Invalid::new("age_band", "Select their age, or “Not known”")),
            )
        };
        let name = problems.take(parse_display_name("name", "their full name", &self.name));
        let phone = problems.take(
            optional_text("phone", "Phone number", &self.phone, 30).and_then(|p| match p {
                Some(p) if !p.chars().all(|c| c.is_ascii_digit() || " +()-".contains(c)) => {
                    Err(Invalid::new(
                        "phone",
                        "Phone number can only include numbers, spaces, brackets, hyphens and +",
                    ))
                }
                other => Ok(other),
            }),
        );
        let email = problems.take(
            optional_text("email", "Email address", &self.email, 254).and_then(|e| match e {
                Some(e)
                    if !(e.contains('@')
                        && !e.starts_with('@')
                        && !e.ends_with('@')
                        && !e.contains(' ')) =>
                {
                    Err(Invalid::new(
                        "email",
                        "Enter an email address in the correct format, like name@example.com",
                    ))
                }
                other => Ok(other),
            }),
        );
        let postcode = if self.postcode.trim().is_empty() {
            Some(None)
        } else {
            problems.take(
                Postcode::parse("postcode", &self.postcode).map(|p| Some(p.as_str().to_string())),
            )
        };
        let preferred_language = problems.take(optional_text(
            "preferred_language",
            "Preferred language",
            &self.preferred_language,
            100,
        ));
        let interpreter_needed = match self.interpreter_needed.trim() {
            "yes" => Some(true),
            "" | "no" => Some(false),
            _ => {
                problems.push(Invalid::new(
                    "interpreter_needed",
                    "Select whether an interpreter is needed",
                ));
                None
            }
        };
        let ethnicity = if self.ethnicity.trim().is_empty() {
            Some(None)
        } else {
            problems.take(
                EthnicCategory::from_code(&self.ethnicity)
                    .map(Some)
                    .ok_or_else(|| {
                        Invalid::new("ethnicity", "Select an ethnic group from the list")
                    }),
            )
        };
        let religion = problems.take(optional_text(
            "religion",
            "Religion or belief",
            &self.religion,
            100,
        ));
        let cultural_notes = problems.take(optional_text(
            "cultural_notes",
            "Cultural notes",
            &self.cultural_notes,
            2000,
        ));
        let contact_consent = if self.contact_consent.trim().is_empty() {
            Some(ContactConsent::NotAsked)
        } else {
            problems.take(
                ContactConsent::from_code(&self.contact_consent).ok_or_else(|| {
                    Invalid::new(
                        "contact_consent",
                        "Select whether they agree to be contacted",
                    )
                }),
            )
        };
        let sex = if self.sex.trim().is_empty() {
            Some(None)
        } else {
            problems.take(
                Sex::from_code(&self.sex)
                    .map(Some)
                    .ok_or_else(|| Invalid::new("sex", "Select their sex, or “Not recorded”")),
            )
        };
        let (Some(date_of_birth), Some(age_band), Some(sex)) = (date_of_birth, age_band, sex)
        else {
            return Err(problems);
        };
        match (
            name,
            phone,
            email,
            postcode,
            preferred_language,
            interpreter_needed,
            ethnicity,
            religion,
            cultural_notes,
            contact_consent,
        ) {
            (
                Some(name),
                Some(phone),
                Some(email),
                Some(postcode),
                Some(preferred_language),
                Some(interpreter_needed),
                Some(ethnicity),
                Some(religion),
                Some(cultural_notes),
                Some(contact_consent),
            ) if problems.is_empty() => Ok(Person {
                id,
                name,
                phone,
                email,
                postcode,
                preferred_language,
                interpreter_needed,
                ethnicity,
                religion,
                cultural_notes,
                contact_consent,
                version,
                // A date of birth decides the band; the band is kept only without one.
                age_band: if date_of_birth.is_some() {
                    None
                } else {
                    age_band
                },
                date_of_birth,
                sex,
            }),
            _ => Err(problems),
        }
    }
}

/// Who or what a relationship points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum RelationshipTarget {
    Baby(BabyId),
    Mother,
}

/// "Dev is the father of Ada, lives with her, shares care equally, sees her every day."
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Relationship {
    pub id: RelationshipId,
    pub person_id: PersonId,
    pub target: RelationshipTarget,
    pub kind: RelationshipKind,
    pub lives_with_baby: bool,
    pub care_share: CareShare,
    pub contact_frequency: ContactFrequency,
    pub nature: Option<RelationshipNature>,
    /// For a relationship with a baby: whether they hold parental responsibility for them.
    #[serde(default)]
    pub parental_responsibility: ParentalResponsibility,
    #[serde(with = "crate::family::optional_iso_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub started_on: Option<Date>,
    #[serde(with = "crate::family::optional_iso_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub ended_on: Option<Date>,
    pub end_reason: Option<String>,
    pub version: i64,
}

impl Relationship {
    pub fn is_current(&self, today: Date) -> bool {
        self.ended_on.is_none_or(|ended| ended > today)
    }
}

/// A "do not contact" or "do not involve" decision: who made it, why, and when it is next to
/// be reviewed. A safety mark never lapses by itself: it stays in force until a clinician
/// lifts it (who, when, why) or renews it (a new decision with a new review date, which
/// replaces this one and keeps it in the record). Past its review date it shows as overdue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ContactRestriction {
    pub id: RestrictionId,
    pub person_id: PersonId,
    pub kind: RestrictionKind,
    /// Who decided, as the clinician records it ("MASH strategy meeting", "Dr Shah with the mother").
    pub decided_by: String,
    pub reason: String,
    /// When the decision is next to be reviewed (not when it ends).
    #[serde(with = "crate::family::optional_iso_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub review_on: Option<Date>,
    pub recorded_at_millis: i64,
    /// Set when the decision was lifted, or replaced by a renewal.
    pub lifted_at_millis: Option<i64>,
    /// Who lifted or renewed it (display name).
    #[serde(default)]
    pub lifted_by: Option<String>,
    /// Why it was lifted, or what the renewal said.
    #[serde(default)]
    pub lifted_reason: Option<String>,
    /// The decision that renewed this one, when it was renewed rather than lifted.
    #[serde(default)]
    pub renewed_as: Option<RestrictionId>,
}

impl ContactRestriction {
    /// In force: not lifted and not replaced by a renewal. The review date does not end it.
    pub fn in_force(&self) -> bool {
        self.lifted_at_millis.is_none()
    }

    /// In force and past its review date: someone must renew or lift it.
    pub fn review_overdue(&self, today: Date) -> bool {
        self.in_force() && self.review_on.is_some_and(|review| review < today)
    }
}

/// What Cradle may do for a person, given the restrictions in force. Every place that
/// offers contact, information, an assessment or a booking asks this first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Involvement {
    pub may_contact: bool,
    pub may_involve: bool,
}

impl Involvement {
    pub fn for_person(restrictions: &[ContactRestriction], person: PersonId) -> Self {
        let in_force = |kind| {
            restrictions
                .iter()
                .any(|r| r.person_id == person && r.kind == kind && r.in_force())
        };
        let do_not_involve = in_force(RestrictionKind::DoNotInvolve);
        Self {
            // Not involving someone includes not contacting them.
            may_contact: !do_not_involve && !in_force(RestrictionKind::DoNotContact),
            may_involve: !do_not_involve,
        }
    }
}

/// A relationship as typed into the form or sent to the API.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RelationshipInput {
    pub person_id: String,
    /// "mother", or a baby's id.
    pub target: String,
    pub kind: String,
    pub lives_with_baby: String,
    pub care_share: String,
    pub contact_frequency: String,
    pub nature: String,
    /// "yes", "no" or "not_known" (empty is not known); asked only of a relationship with a
    /// baby.
    pub parental_responsibility: String,
    pub started_day: String,
    pub started_month: String,
    pub started_year: String,
}

fn choose<T>(
    problems: &mut Problems,
    field: &'static str,
    message: &str,
    parsed: Option<T>,
) -> Option<T> {
    if parsed.is_none() {
        problems.push(Invalid::new(field, message));
    }
    parsed
}

fn optional_date(
    problems: &mut Problems,
    field: &'static str,
    label: &str,
    parts: [&str; 3],
    today: Date,
) -> Option<Option<Date>> {
    if parts.iter().all(|p| p.trim().is_empty()) {
        return Some(None);
    }
    let date = problems.take(crate::dates::parse_date_parts(
        field, label, parts[0], parts[1], parts[2],
    ))?;
    if date > today {
        problems.push(Invalid::new(
            field,
            format!("{label} must be today or in the past"),
        ));
        return None;
    }
    Some(Some(date))
}

impl RelationshipInput {
    /// The form filled in as the relationship is recorded now, to change it.
    pub fn from_relationship(r: &Relationship) -> Self {
        let (started_day, started_month, started_year) = crate::dates::date_boxes(r.started_on);
        Self {
            person_id: r.person_id.to_string(),
            target: match r.target {
                RelationshipTarget::Mother => "mother".to_string(),
                RelationshipTarget::Baby(baby) => baby.to_string(),
            },
            kind: r.kind.code().to_string(),
            lives_with_baby: if r.lives_with_baby { "yes" } else { "no" }.to_string(),
            care_share: r.care_share.code().to_string(),
            contact_frequency: r.contact_frequency.code().to_string(),
            nature: r.nature.map(|n| n.code().to_string()).unwrap_or_default(),
            parental_responsibility: r.parental_responsibility.code().to_string(),
            started_day,
            started_month,
            started_year,
        }
    }

    /// Checks the relationship. Whether the person and baby belong to this family is
    /// checked against the family record by the caller.
    pub fn parse(&self, id: RelationshipId, today: Date) -> Result<Relationship, Problems> {
        let mut problems = Problems::default();
        let person_id = choose(
            &mut problems,
            "person_id",
            "Select the person",
            PersonId::parse(&self.person_id),
        );
        let target = choose(
            &mut problems,
            "target",
            "Select who the relationship is with: a baby or the mother",
            match self.target.trim() {
                "mother" => Some(RelationshipTarget::Mother),
                other => BabyId::parse(other).map(RelationshipTarget::Baby),
            },
        );
        let kind = choose(
            &mut problems,
            "kind",
            "Select what they are to the baby",
            RelationshipKind::from_code(&self.kind),
        );
        let lives_with_baby = choose(
            &mut problems,
            "lives_with_baby",
            "Select whether they live with the baby",
            match self.lives_with_baby.trim() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            },
        );
        let care_share = choose(
            &mut problems,
            "care_share",
            "Select how much of the baby's care they share",
            CareShare::from_code(&self.care_share),
        );
        let contact_frequency = choose(
            &mut problems,
            "contact_frequency",
            "Select how often they see the baby",
            ContactFrequency::from_code(&self.contact_frequency),
        );
        let nature = if self.nature.trim().is_empty() {
            Some(None)
        } else {
            choose(
                &mut problems,
                "nature",
                "Select how the relationship seems from the list",
                RelationshipNature::from_code(&self.nature).map(Some),
            )
        };
        let parental_responsibility = match (self.parental_responsibility.trim(), target) {
            ("", _) => Some(ParentalResponsibility::NotKnown),
            (code, Some(RelationshipTarget::Mother))
                if ParentalResponsibility::from_code(code)
                    .is_some_and(|answer| answer != ParentalResponsibility::NotKnown) =>
            {
                problems.push(Invalid::new(
                    "parental_responsibility",
                    "Parental responsibility is recorded for a relationship with a baby, not with the mother",
                ));
                None
            }
            (code, _) => choose(
                &mut problems,
                "parental_responsibility",
                "Select whether they have parental responsibility for the baby, or not known",
                ParentalResponsibility::from_code(code),
            ),
        };
        let started_on = optional_date(
            &mut problems,
            "started",
            "Date the relationship started",
            [&self.started_day, &self.started_month, &self.started_year],
            today,
        );
        match (
            person_id,
            target,
            kind,
            lives_with_baby,
            care_share,
            contact_frequency,
            nature,
            parental_responsibility,
            started_on,
        ) {
            (
                Some(person_id),
                Some(target),
                Some(kind),
                Some(lives_with_baby),
                Some(care_share),
                Some(contact_frequency),
                Some(nature),
                Some(parental_responsibility),
                Some(started_on),
            ) if problems.is_empty() => Ok(Relationship {
                id,
                person_id,
                target,
                kind,
                lives_with_baby,
                care_share,
                contact_frequency,
                nature,
                parental_responsibility,
                started_on,
                ended_on: None,
                end_reason: None,
                version: 1,
            }),
            _ => Err(problems),
        }
    }
}

/// A "do not contact" or "do not involve" decision as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RestrictionInput {
    pub kind: String,
    pub decided_by: String,
    pub reason: String,
    pub until_day: String,
    pub until_month: String,
    pub until_year: String,
}

impl RestrictionInput {
    pub fn parse(
        &self,
        id: RestrictionId,
        person_id: PersonId,
        today: Date,
        now_millis: i64,
    ) -> Result<ContactRestriction, Problems> {
        let mut problems = Problems::default();
        let kind = choose(
            &mut problems,
            "kind",
            "Select do not contact or do not involve",
            RestrictionKind::from_code(&self.kind),
        );
        let decided_by = problems.take(parse_display_name(
            "decided_by",
            "who made the decision",
            &self.decided_by,
        ));
        let reason = self.reason.trim();
        if reason.is_empty() {
            problems.push(Invalid::new("reason", "Enter the reason for the decision"));
        } else if reason.chars().count() > 2000 {
            problems.push(Invalid::new(
                "reason",
                "Reason must be 2,000 characters or fewer",
            ));
        }
        let review_on = match problems.take(crate::dates::parse_date_parts(
            "until",
            "Review date",
            &self.until_day,
            &self.until_month,
            &self.until_year,
        )) {
            Some(date) if date < today => {
                problems.push(Invalid::new(
                    "until",
                    "Review date must be today or in the future",
                ));
                None
            }
            other => other,
        };
        match (kind, decided_by, review_on) {
            (Some(kind), Some(decided_by), Some(review_on)) if problems.is_empty() => {
                Ok(ContactRestriction {
                    id,
                    person_id,
                    kind,
                    decided_by,
                    reason: reason.to_string(),
                    review_on: Some(review_on),
                    recorded_at_millis: now_millis,
                    lifted_at_millis: None,
                    lifted_by: None,
                    lifted_reason: None,
                    renewed_as: None,
                })
            }
            _ => Err(problems),
        }
    }
}

/// Recording a birth: the date, gestation, and the baby's name and NHS number if known.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BirthInput {
    pub name: String,
    pub nhs_number: String,
    pub born_day: String,
    pub born_month: String,
    pub born_year: String,
    pub gestation_weeks: String,
    pub gestation_days: String,
}

impl BirthInput {
    /// The baby as it will be once the birth is recorded. `referral` is the mother's
    /// referral date: a birth long before it belongs to another episode of care.
    pub fn apply(&self, baby: &crate::Baby, today: Date) -> Result<crate::Baby, Problems> {
        let mut problems = Problems::default();
        let name = if self.name.trim().is_empty() {
            Some(baby.name.clone())
        } else {
            problems
                .take(parse_display_name("name", "the baby's name", &self.name))
                .map(Some)
        };
        let nhs_number = if self.nhs_number.trim().is_empty() {
            Some(baby.nhs_number.clone())
        } else {
            problems
                .take(crate::NhsNumber::parse("nhs_number", &self.nhs_number))
                .map(|n| Some(n.as_str().to_string()))
        };
        let born = problems.take(crate::dates::parse_date_parts(
            "born",
            "Date of birth",
            &self.born_day,
            &self.born_month,
            &self.born_year,
        ));
        let born = match born {
            Some(date) if date > today => {
                problems.push(Invalid::new(
                    "born",
                    "Date of birth must be today or in the past",
                ));
                None
            }
            Some(date)
                if baby
                    .due_date
                    .is_some_and(|due| (due - date).whole_weeks() > 20) =>
            {
                problems.push(Invalid::new(
                    "born",
                    "Date of birth is more than 20 weeks before the due date: check the date",
                ));
                None
            }
            other => other,
        };
        let gestation =
            if self.gestation_weeks.trim().is_empty() && self.gestation_days.trim().is_empty() {
                Some(None)
            } else {
                problems
                    .take(crate::baby::Gestation::parse(
                        "gestation",
                        &self.gestation_weeks,
                        &self.gestation_days,
                    ))
                    .map(Some)
            };
        match (name, nhs_number, born, gestation) {
            (Some(name), Some(nhs_number), Some(born), Some(gestation)) if problems.is_empty() => {
                Ok(crate::Baby {
                    id: baby.id,
                    name,
                    date_of_birth: Some(born),
                    due_date: baby.due_date,
                    gestation_at_birth: gestation,
                    nhs_number,
                })
            }
            _ => Err(problems),
        }
    }
}

/// A family's whole record as the family page shows it: the family and its babies, the
/// people around the baby, their relationships and any restrictions on involving them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyRecord {
    pub family: crate::Family,
    pub people: Vec<Person>,
    pub relationships: Vec<Relationship>,
    pub restrictions: Vec<ContactRestriction>,
    /// The family timeline's entries, oldest first.
    pub entries: Vec<crate::entries::Entry>,
    /// Relationship conversations, oldest first.
    #[serde(default)]
    pub conversations: Vec<crate::conversations::Conversation>,
    /// Coping concerns, open and closed, oldest first.
    #[serde(default)]
    pub concerns: Vec<crate::concerns::Concern>,
    /// Interaction observations, oldest first.
    #[serde(default)]
    pub observations: Vec<crate::observations::Observation>,
    /// Positive moments fed back to caregivers, oldest first.
    #[serde(default)]
    pub moments: Vec<crate::observations::PositiveMoment>,
    /// Needs, strengths and confidence notes, oldest first.
    #[serde(default)]
    pub notes: Vec<crate::needs::CaregiverNote>,
    /// Care plans, open and closed, oldest first.
    #[serde(default)]
    pub plans: Vec<crate::care_plans::CarePlan>,
    /// Interventions offered to family members, oldest first.
    #[serde(default)]
    pub interventions: Vec<crate::interventions::PersonIntervention>,
    /// The groups family members are enrolled in, with their attendance.
    #[serde(default)]
    pub groups: Vec<crate::groups::GroupMembership>,
    /// The team's number of attended sessions between care plan reviews.
    #[serde(default = "crate::care_plans::default_sessions_before_review")]
    pub sessions_before_review: u32,
    /// Family members' partner pathways, in the order each was started.
    #[serde(default)]
    pub pathways: Vec<crate::pathway::PersonPathway>,
    /// Questionnaires family members have completed, oldest first.
    #[serde(default)]
    pub responses: Vec<crate::questionnaires::QuestionnaireResponse>,
    /// The family members beyond partners, fathers and co-parents the team offers the
    /// partner pathway to.
    #[serde(default)]
    pub pathway_roles: Vec<RelationshipKind>,
    /// How long the team keeps video feedback recordings for each purpose.
    #[serde(default)]
    pub recording_retention: crate::recordings::RetentionPeriods,
    /// Partner (and other family member) assessments, oldest first.
    #[serde(default)]
    pub partner_assessments: Vec<crate::partner_assessment::PartnerAssessment>,
    /// The steps after each abuse disclosure, open and settled, oldest first (staff-only).
    #[serde(default)]
    pub disclosure_actions: Vec<crate::disclosures::DisclosureAction>,
    /// Consents to film for video feedback, oldest first, withdrawn ones kept.
    #[serde(default)]
    pub filming_consents: Vec<crate::filming::FilmingConsent>,
    /// Video feedback recordings, oldest first, deleted ones kept (without their film).
    #[serde(default)]
    pub recordings: Vec<crate::recordings::Recording>,
}

impl FamilyRecord {
    /// A family with nobody and nothing else recorded yet.
    pub fn new(family: crate::Family) -> Self {
        Self {
            family,
            people: Vec::new(),
            relationships: Vec::new(),
            restrictions: Vec::new(),
            entries: Vec::new(),
            conversations: Vec::new(),
            concerns: Vec::new(),
            observations: Vec::new(),
            moments: Vec::new(),
            notes: Vec::new(),
            plans: Vec::new(),
            interventions: Vec::new(),
            groups: Vec::new(),
            sessions_before_review: crate::care_plans::DEFAULT_SESSIONS_BEFORE_REVIEW,
            pathways: Vec::new(),
            responses: Vec::new(),
            disclosure_actions: Vec::new(),
            filming_consents: Vec::new(),
            recordings: Vec::new(),
            pathway_roles: Vec::new(),
            recording_retention: crate::recordings::RetentionPeriods::default(),
            partner_assessments: Vec::new(),
        }
    }

    /// A person's partner pathway (empty if they are not on it).
    pub fn pathway_of(&self, person: PersonId) -> crate::pathway::Pathway {
        self.pathways
            .iter()
            .find(|p| p.person_id == person)
            .map(|p| p.pathway.clone())
            .unwrap_or_default()
    }

    /// Whether a member belongs to this family (the mother always does).
    pub fn has_member(&self, member: crate::entries::Member) -> bool {
        match member {
            crate::entries::Member::Mother => true,
            crate::entries::Member::Person(id) => self.person(id).is_some(),
        }
    }
    /// A member's name as shown on screens.
    pub fn member_name(&self, member: crate::entries::Member) -> String {
        match member {
            crate::entries::Member::Mother => self.family.mother_name.clone(),
            crate::entries::Member::Person(id) => {
                self.person(id).map(|p| p.name.clone()).unwrap_or_default()
            }
        }
    }

    /// Several members' names as a sentence says them: "Amara Okafor, Tunde Okafor and
    /// Grace Adebayo".
    pub fn members_named(&self, members: &[crate::entries::Member]) -> String {
        let names: Vec<String> = members.iter().map(|m| self.member_name(*m)).collect();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => names.concat(),
        }
    }

    pub fn person(&self, id: PersonId) -> Option<&Person> {
        self.people.iter().find(|p| p.id == id)
    }
    pub fn involvement(&self, id: PersonId) -> Involvement {
        Involvement::for_person(&self.restrictions, id)
    }

    /// Decisions in force whose review date has passed, oldest review first.
    pub fn overdue_restriction_reviews(&self, today: Date) -> Vec<&ContactRestriction> {
        let mut overdue: Vec<&ContactRestriction> = self
            .restrictions
            .iter()
            .filter(|r| r.review_overdue(today))
            .collect();
        overdue.sort_by_key(|r| r.review_on);
        overdue
    }
    pub fn relationships_of(&self, id: PersonId) -> impl Iterator<Item = &Relationship> {
        self.relationships.iter().filter(move |r| r.person_id == id)
    }

    /// A family member as a questionnaire's population follows them: their name, their
    /// current relationships to the baby and their age band on `today`.
    pub fn respondent(
        &self,
        id: PersonId,
        today: Date,
    ) -> Option<crate::questionnaires::Respondent<'_>> {
        let person = self.person(id)?;
        let mut relationships = Vec::new();
        for r in self.relationships_of(id).filter(|r| r.ended_on.is_none()) {
            if !relationships.contains(&r.kind) {
                relationships.push(r.kind);
            }
        }
        Some(crate::questionnaires::Respondent {
            name: &person.name,
            relationships,
            age: person.age_band_on(today),
            sex: person.sex,
        })
    }

    /// Whether someone is, as far as the record shows, a child (under 16): by their date of
    /// birth or age band, or, with neither recorded, when they are the baby's brother or
    /// sister. Children are never offered adult questionnaires, the partner pathway or
    /// summaries written for adults.
    pub fn is_child(&self, id: PersonId, today: Date) -> bool {
        match self.person(id).and_then(|p| p.age_band_on(today)) {
            Some(band) => band == AgeBand::Child,
            None => self
                .relationships_of(id)
                .any(|r| r.kind == RelationshipKind::Sibling),
        }
    }

    /// Whether the team offers this person the partner pathway: partners, fathers and
    /// co-parents always, other family members where the team has chosen to; never a child.
    pub fn pathway_offered_to(&self, id: PersonId, today: Date) -> bool {
        !self.is_child(id, today)
            && crate::pathway::offered_to(
                self.relationships_of(id).map(|r| r.kind),
                &self.pathway_roles,
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn with_baby(baby: BabyId, parental_responsibility: &str) -> RelationshipInput {
        RelationshipInput {
            person_id: PersonId::new().to_string(),
            target: baby.to_string(),
            kind: "father".into(),
            lives_with_baby: "yes".into(),
            care_share: "equal".into(),
            contact_frequency: "daily".into(),
            parental_responsibility: parental_responsibility.into(),
            ..RelationshipInput::default()
        }
    }

    #[test]
    fn parental_responsibility_is_recorded_as_checked_and_not_known_until_it_is() {
        let today = date!(2026 - 12 - 07);
        let baby = BabyId::new();
        for (typed, recorded) in [
            ("yes", ParentalResponsibility::Yes),
            ("no", ParentalResponsibility::No),
            ("not_known", ParentalResponsibility::NotKnown),
            ("", ParentalResponsibility::NotKnown),
        ] {
            let relationship = with_baby(baby, typed)
                .parse(RelationshipId::new(), today)
                .unwrap();
            assert_eq!(relationship.parental_responsibility, recorded, "{typed:?}");
        }
        let problems = with_baby(baby, "maybe")
            .parse(RelationshipId::new(), today)
            .unwrap_err();
        assert_eq!(problems.0[0].field, "parental_responsibility");
    }

    #[test]
    fn parental_responsibility_is_not_recorded_for_a_relationship_with_the_mother() {
        let today = date!(2026 - 12 - 07);
        let mut input = with_baby(BabyId::new(), "yes");
        input.target = "mother".into();
        input.kind = "partner".into();
        let problems = input.parse(RelationshipId::new(), today).unwrap_err();
        assert_eq!(problems.0[0].field, "parental_responsibility");
        assert!(problems.0[0].message.contains("with a baby"));
        input.parental_responsibility = "not_known".into();
        assert!(input.parse(RelationshipId::new(), today).is_ok());
    }

    #[test]
    fn a_relationship_kept_before_parental_responsibility_was_asked_reads_as_not_known() {
        let mut kept = serde_json::to_value(
            with_baby(BabyId::new(), "yes")
                .parse(RelationshipId::new(), date!(2026 - 12 - 07))
                .unwrap(),
        )
        .unwrap();
        kept.as_object_mut()
            .unwrap()
            .remove("parental_responsibility");
        let read: Relationship = serde_json::from_value(kept).unwrap();
        assert_eq!(
            read.parental_responsibility,
            ParentalResponsibility::NotKnown
        );
    }

    #[test]
    fn choice_codes_round_trip() {
        for kind in RelationshipKind::ALL {
            assert_eq!(RelationshipKind::from_code(kind.code()), Some(*kind));
        }
        for share in CareShare::ALL {
            assert_eq!(CareShare::from_code(share.code()), Some(*share));
        }
        assert_eq!(RelationshipNature::from_code("sideways"), None);
    }

    #[test]
    fn a_person_is_checked_field_by_field_and_keeps_what_was_typed() {
        let input = PersonInput {
            name: "Dev Patel".into(),
            phone: "07700 900123".into(),
            postcode: "ls1 4ap".into(),
            preferred_language: "Gujarati".into(),
            interpreter_needed: "yes".into(),
            ethnicity: "H".into(),
            contact_consent: "yes".into(),
            ..PersonInput::default()
        };
        let person = input
            .parse(PersonId::new(), 1, time::macros::date!(2026 - 11 - 26))
            .unwrap();
        assert_eq!(person.postcode.as_deref(), Some("LS1 4AP"));
        assert!(person.interpreter_needed);
        assert_eq!(person.ethnicity, Some(EthnicCategory::AsianIndian));

        let bad = PersonInput {
            name: String::new(),
            phone: "call me".into(),
            email: "dev at example".into(),
            postcode: "nowhere".into(),
            ethnicity: "Q".into(),
            ..PersonInput::default()
        };
        let problems = bad
            .parse(PersonId::new(), 1, time::macros::date!(2026 - 11 - 26))
            .unwrap_err();
        let fields: Vec<&str> = problems.0.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["name", "phone", "email", "postcode", "ethnicity"]);
        assert_eq!(PersonInput::from_person(&person).postcode, "LS1 4AP");
    }

    #[test]
    fn do_not_involve_also_means_do_not_contact_and_a_mark_never_lapses_by_itself() {
        let person = PersonId::new();
        let restriction = |kind, review_on: Option<Date>, lifted: Option<i64>| ContactRestriction {
            id: RestrictionId::new(),
            person_id: person,
            kind,
            decided_by: "Safeguarding lead".into(),
            reason: "Disclosure of abuse".into(),
            review_on,
            recorded_at_millis: 0,
            lifted_at_millis: lifted,
            lifted_by: None,
            lifted_reason: None,
            renewed_as: None,
        };
        let today = date!(2026 - 11 - 26);
        let none = Involvement::for_person(&[], person);
        assert!(none.may_contact && none.may_involve);
        let involve = Involvement::for_person(
            &[restriction(RestrictionKind::DoNotInvolve, None, None)],
            person,
        );
        assert!(!involve.may_contact && !involve.may_involve);
        let contact = Involvement::for_person(
            &[restriction(
                RestrictionKind::DoNotContact,
                Some(today),
                None,
            )],
            person,
        );
        assert!(!contact.may_contact && contact.may_involve);
        // Past its review date the mark stays in force, and its review is overdue.
        let past = restriction(
            RestrictionKind::DoNotContact,
            Some(date!(2026 - 11 - 25)),
            None,
        );
        assert!(!Involvement::for_person(std::slice::from_ref(&past), person).may_contact);
        assert!(past.review_overdue(today));
        assert!(!past.review_overdue(date!(2026 - 11 - 25)));
        let lifted = restriction(
            RestrictionKind::DoNotInvolve,
            Some(date!(2026 - 1 - 1)),
            Some(5),
        );
        assert!(Involvement::for_person(std::slice::from_ref(&lifted), person).may_involve);
        assert!(!lifted.review_overdue(today));
        let someone_else = Involvement::for_person(
            &[restriction(RestrictionKind::DoNotInvolve, None, None)],
            PersonId::new(),
        );
        assert!(someone_else.may_involve);
    }

    #[test]
    fn a_safety_mark_needs_a_review_date_today_or_later() {
        let today = date!(2026 - 11 - 26);
        let typed = RestrictionInput {
            kind: "do_not_contact".into(),
            decided_by: "MASH strategy meeting".into(),
            reason: "Court order".into(),
            ..RestrictionInput::default()
        };
        let problems = typed
            .parse(RestrictionId::new(), PersonId::new(), today, 0)
            .unwrap_err();
        assert!(problems.message_for("until").is_some());
        let past = RestrictionInput {
            until_day: "25".into(),
            until_month: "11".into(),
            until_year: "2026".into(),
            ..typed.clone()
        };
        assert_eq!(
            past.parse(RestrictionId::new(), PersonId::new(), today, 0)
                .unwrap_err()
                .message_for("until"),
            Some("Review date must be today or in the future")
        );
        let ok = RestrictionInput {
            until_day: "26".into(),
            ..past
        };
        let mark = ok
            .parse(RestrictionId::new(), PersonId::new(), today, 0)
            .unwrap();
        assert_eq!(mark.review_on, Some(today));
    }
}

#[cfg(test)]
mod every_list_of_choices {
    /// Every value of every list of choices is written out as its code and read back from it:
    /// what the API answers can be sent back as it is.
    macro_rules! round_trip {
        ($($choice:ty),+ $(,)?) => {
            $(
                for choice in <$choice>::ALL {
                    let written = serde_json::to_value(choice).unwrap();
                    assert_eq!(written, serde_json::json!(choice.code()), "{}", stringify!($choice));
                    let read: $choice = serde_json::from_value(written).unwrap();
                    assert_eq!(read, *choice);
                    assert_eq!(<$choice>::from_code(choice.code()), Some(*choice));
                }
            )+
        };
    }

    #[test]
    fn each_is_written_as_the_code_it_is_read_from() {
        use super::*;
        round_trip!(
            crate::care_plans::PlanKind,
            crate::care_plans::Focus,
            crate::care_plans::GoalArea,
            crate::care_plans::Place,
            crate::care_plans::Attendance,
            crate::care_plans::ReviewDecision,
            crate::concerns::ConcernKind,
            crate::concerns::ActionKind,
            ParentalResponsibility,
            crate::filming::FilmingPurpose,
            crate::filming::ViewingScope,
            crate::filming::ConsentGiven,
            crate::conversations::Seen,
            crate::conversations::ConversationStatus,
            crate::disclosures::DisclosureStep,
            crate::enquiries::EnquiryOutcome,
            crate::entries::EntryKind,
            crate::groups::Presence,
            crate::interpreters::InterpreterMode,
            crate::interventions::Step,
            crate::needs::NoteKind,
            RelationshipKind,
            CareShare,
            ContactFrequency,
            RelationshipNature,
            ContactConsent,
            RestrictionKind,
            ChildProtectionStatus,
            Sex,
            crate::observations::Setting,
            crate::observations::BabyResponse,
            crate::partner_assessment::RiskFinding,
            crate::pathway::IdentifiedHow,
            crate::pathway::OfferMethod,
            crate::pathway::AssessmentOutcome,
            crate::pathway::InformationTopic
        );
    }

    #[test]
    fn a_snapshot_kept_before_codes_were_written_still_reads() {
        let old: super::ContactFrequency =
            serde_json::from_str("\"several_times_a_week\"").unwrap();
        assert_eq!(old, super::ContactFrequency::SeveralTimesAWeek);
        assert!(serde_json::from_str::<super::ContactFrequency>("\"hourly\"").is_err());
    }
}
