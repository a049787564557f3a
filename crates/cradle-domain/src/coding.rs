//! Coding schemes for video feedback: the moments a practitioner, supervisor or researcher
//! marks on a recording's timeline. Each team keeps its own schemes, seeded with the baby's
//! signals and the caregiver's attuned responses used in video feedback, and with the themes
//! of the VIPP visits. A code is a moment (a point in time) or a state (with a start and an
//! end), said of the baby or of a caregiver on film, with optional modifiers and one key to
//! press while the film plays.
//!
//! Schemes are versioned: every change makes a new version, and coded events keep the
//! version they were coded under, so an old coding never changes its meaning. A code is
//! retired rather than removed once it may have been used.

use crate::network::choices;
use crate::{Invalid, Problems};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

choices!(
    /// Whether a code marks a moment or a stretch of time.
    EventKind {
        Point => ("point", "A moment: one point in time"),
        State => ("state", "A state: a start and an end"),
    }
);

choices!(
    /// Whom a code is said of.
    CodeSubject {
        Baby => ("baby", "The baby"),
        Caregiver => ("caregiver", "A caregiver on film"),
    }
);

choices!(
    /// The themes of the VIPP visits, in the order the manual sets. The first four visits
    /// each take one sensitivity theme (and, in VIPP-SD, one sensitive-discipline theme);
    /// the booster visits bring them together.
    VippTheme {
        ExplorationAndAttachment => ("exploration_attachment", "Exploring and coming back for comfort"),
        SpeakingForTheChild => ("speaking_for_the_child", "Speaking for the baby"),
        SensitivityChain => ("sensitivity_chain", "The sensitivity chain: signal, response, the baby's reaction"),
        SharingEmotions => ("sharing_emotions", "Sharing feelings"),
        InductiveDiscipline => ("inductive_discipline", "Explaining and distracting (sensitive discipline)"),
        PositiveReinforcement => ("positive_reinforcement", "Praising what goes well (sensitive discipline)"),
        SensitiveTimeOut => ("sensitive_time_out", "A calm pause (sensitive discipline)"),
        EmpathyForTheChild => ("empathy_for_the_child", "Empathy for the baby (sensitive discipline)"),
        AllThemes => ("all_themes", "Booster visit: the themes brought together"),
    }
);

impl VippTheme {
    /// The visit of the series the theme belongs to (1 to 4; the booster visits are 5 to 7).
    pub fn visit(self) -> u8 {
        match self {
            VippTheme::ExplorationAndAttachment | VippTheme::InductiveDiscipline => 1,
            VippTheme::SpeakingForTheChild | VippTheme::PositiveReinforcement => 2,
            VippTheme::SensitivityChain | VippTheme::SensitiveTimeOut => 3,
            VippTheme::SharingEmotions | VippTheme::EmpathyForTheChild => 4,
            VippTheme::AllThemes => 5,
        }
    }
}

/// Keys the player keeps for itself while a film is coded: play and pause (`k`), back and
/// forward (`j`, `l`), and the space bar.
pub const PLAYER_KEYS: [char; 4] = ['j', 'k', 'l', ' '];

/// The longest code name, label or modifier, in characters.
const MAX_NAME: usize = 60;
/// The longest description of a code.
const MAX_DESCRIPTION: usize = 500;
/// The most modifiers a code may offer.
const MAX_MODIFIERS: usize = 12;
/// The most codes one scheme holds (each needs a key of its own).
pub const MAX_CODES: usize = 33;

/// One code of a scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Code {
    /// The code as interchange files and the API name it ("smile", "mutual_gaze"): lower
    /// case letters, digits and underscores, unique in the scheme, never changed once made.
    pub code: String,
    /// What a clinician calls it ("Smiles").
    pub label: String,
    /// The heading it sits under ("The baby's signals").
    pub group: String,
    /// What counts, for coders to agree on.
    pub description: String,
    pub kind: EventKind,
    pub subject: CodeSubject,
    /// Optional details a coder may add ("a look", "a sound").
    pub modifiers: Vec<String>,
    /// The key that codes it while the film plays: one letter or digit, unique in the scheme.
    pub shortcut: char,
    /// No longer offered for new coding; events already coded with it keep it.
    pub retired: bool,
}

/// A team's coding scheme, at one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CodingScheme {
    pub id: Uuid,
    pub name: String,
    /// 1 for the scheme as first made; each change adds one.
    pub version: u32,
    pub codes: Vec<Code>,
    /// What this version changed, in words ("Added “Reaches out”").
    pub change: String,
    pub changed_by: String,
    pub changed_at_millis: i64,
}

impl CodingScheme {
    /// The codes offered for new coding, in the scheme's order.
    pub fn codes_in_use(&self) -> impl Iterator<Item = &Code> {
        self.codes.iter().filter(|c| !c.retired)
    }

    /// The code named `code`, retired or not.
    pub fn code(&self, code: &str) -> Option<&Code> {
        self.codes.iter().find(|c| c.code == code)
    }

    /// The code in use whose key is `key` (letters in either case).
    pub fn code_for_key(&self, key: char) -> Option<&Code> {
        let key = key.to_ascii_lowercase();
        self.codes_in_use().find(|c| c.shortcut == key)
    }

    /// The next version with `code` added, or changed in place when a code of that name is
    /// already in the scheme. Refused where the key is taken by another code in use, or the
    /// scheme is full.
    pub fn with_code(
        &self,
        code: Code,
        changed_by: &str,
        at_millis: i64,
    ) -> Result<CodingScheme, Problems> {
        let mut problems = Problems::default();
        if !code.retired {
            if let Some(other) = self
                .codes_in_use()
                .find(|c| c.shortcut == code.shortcut && c.code != code.code)
            {
                problems.push(Invalid::new(
                    "shortcut",
                    format!(
                        "The key {} already codes “{}”: choose another key",
                        code.shortcut.to_ascii_uppercase(),
                        other.label
                    ),
                ));
            }
        }
        if let Some(other) = self
            .codes
            .iter()
            .find(|c| c.code != code.code && c.label.eq_ignore_ascii_case(&code.label))
        {
            problems.push(Invalid::new(
                "label",
                format!("The scheme already has a code called “{}”", other.label),
            ));
        }
        let existing = self.codes.iter().position(|c| c.code == code.code);
        if existing.is_none() && self.codes.len() >= MAX_CODES {
            problems.push(Invalid::new(
                "code",
                format!("A scheme holds at most {MAX_CODES} codes, one for each key"),
            ));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut next = self.clone();
        let change = match existing {
            Some(at) => {
                let was = &self.codes[at];
                let change = if code.retired && !was.retired {
                    format!("Retired “{}”", was.label)
                } else if !code.retired && was.retired {
                    format!("Brought back “{}”", code.label)
                } else {
                    format!("Changed “{}”", code.label)
                };
                next.codes[at] = code;
                change
            }
            None => {
                let change = format!("Added “{}”", code.label);
                next.codes.push(code);
                change
            }
        };
        next.version = self.version + 1;
        next.change = change;
        next.changed_by = changed_by.to_string();
        next.changed_at_millis = at_millis;
        Ok(next)
    }
}

/// A code as typed on the scheme's form or sent to the API.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct CodeInput {
    /// Empty for a new code: its name is made from the label.
    pub code: String,
    pub label: String,
    pub group: String,
    pub description: String,
    pub kind: String,
    pub subject: String,
    /// One modifier a line.
    pub modifiers: String,
    pub shortcut: String,
    pub retired: bool,
}

/// A code's name made from its label: "Mutual gaze" becomes "mutual_gaze".
pub fn code_name(label: &str) -> String {
    let mut name = String::new();
    for c in label.trim().chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.ends_with('_') && !name.is_empty() {
            name.push('_');
        }
    }
    name.trim_end_matches('_').chars().take(MAX_NAME).collect()
}

fn valid_code_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl CodeInput {
    /// The code, or every problem with what was typed.
    pub fn parse(&self) -> Result<Code, Problems> {
        let mut problems = Problems::default();
        let label = self.label.trim().to_string();
        if label.is_empty() {
            problems.push(Invalid::new("label", "Enter the code's name"));
        } else if label.chars().count() > MAX_NAME {
            problems.push(Invalid::new(
                "label",
                format!("The code's name must be {MAX_NAME} characters or fewer"),
            ));
        }
        let code = if self.code.trim().is_empty() {
            code_name(&label)
        } else {
            self.code.trim().to_string()
        };
        if !label.is_empty() && !valid_code_name(&code) {
            problems.push(Invalid::new(
                "label",
                "The code's name must contain at least one letter or digit",
            ));
        }
        let group = self.group.trim().to_string();
        if group.is_empty() {
            problems.push(Invalid::new(
                "group",
                "Enter the heading the code sits under, such as “The baby's signals”",
            ));
        } else if group.chars().count() > MAX_NAME {
            problems.push(Invalid::new(
                "group",
                format!("The heading must be {MAX_NAME} characters or fewer"),
            ));
        }
        let description = self.description.trim().to_string();
        if description.chars().count() > MAX_DESCRIPTION {
            problems.push(Invalid::new(
                "description",
                format!("What counts must be {MAX_DESCRIPTION} characters or fewer"),
            ));
        }
        let kind = EventKind::from_code(&self.kind);
        if kind.is_none() {
            problems.push(Invalid::new(
                "kind",
                "Select whether the code marks a moment or a state",
            ));
        }
        let subject = CodeSubject::from_code(&self.subject);
        if subject.is_none() {
            problems.push(Invalid::new(
                "subject",
                "Select whether the code is said of the baby or a caregiver",
            ));
        }
        let mut modifiers: Vec<String> = Vec::new();
        for line in self
            .modifiers
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            if line.chars().count() > MAX_NAME {
                problems.push(Invalid::new(
                    "modifiers",
                    format!("Each modifier must be {MAX_NAME} characters or fewer"),
                ));
                break;
            }
            if !modifiers.iter().any(|m| m.eq_ignore_ascii_case(line)) {
                modifiers.push(line.to_string());
            }
        }
        if modifiers.len() > MAX_MODIFIERS {
            problems.push(Invalid::new(
                "modifiers",
                format!("A code may offer at most {MAX_MODIFIERS} modifiers"),
            ));
        }
        let key = self.shortcut.trim();
        let mut chars = key.chars();
        let shortcut = match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii_alphanumeric() => {
                let c = c.to_ascii_lowercase();
                if PLAYER_KEYS.contains(&c) {
                    problems.push(Invalid::new(
                        "shortcut",
                        "J, K and L control the player: choose another key",
                    ));
                    None
                } else {
                    Some(c)
                }
            }
            (None, _) => {
                problems.push(Invalid::new(
                    "shortcut",
                    "Enter the key that codes it: one letter or digit",
                ));
                None
            }
            _ => {
                problems.push(Invalid::new(
                    "shortcut",
                    "The key must be one letter (A to Z) or one digit (0 to 9)",
                ));
                None
            }
        };
        match (kind, subject, shortcut) {
            (Some(kind), Some(subject), Some(shortcut)) if problems.is_empty() => Ok(Code {
                code,
                label,
                group,
                description,
                kind,
                subject,
                modifiers,
                shortcut,
                retired: self.retired,
            }),
            _ => Err(problems),
        }
    }
}

/// A code of a seeded scheme.
fn seeded(
    code: &str,
    label: &str,
    group: &str,
    description: &str,
    (kind, subject): (EventKind, CodeSubject),
    modifiers: &[&str],
    shortcut: char,
) -> Code {
    Code {
        code: code.to_string(),
        label: label.to_string(),
        group: group.to_string(),
        description: description.to_string(),
        kind,
        subject,
        modifiers: modifiers.iter().map(|m| m.to_string()).collect(),
        shortcut,
        retired: false,
    }
}

/// The schemes a team starts with: the baby's signals and attuned responses, and the VIPP
/// themes. Teams change them from there.
pub fn starting_schemes(made_at_millis: i64) -> Vec<CodingScheme> {
    use CodeSubject::{Baby, Caregiver};
    use EventKind::{Point, State};
    const SIGNALS: &str = "The baby's signals";
    const RESPONSES: &str = "Attuned responses";
    const TOGETHER: &str = "Together";
    let signals = vec![
        seeded("initiative", "Baby's initiative", SIGNALS,
            "The baby reaches out to the caregiver: a look, a sound, a movement or a reach towards them.",
            (Point, Baby), &["a look", "a sound", "a movement", "a reach"], 'i'),
        seeded("smile", "Smiles", SIGNALS,
            "The baby smiles, at the caregiver or at what they are doing together.",
            (Point, Baby), &["at the caregiver", "at something else"], 's'),
        seeded("looks_at_caregiver", "Looks at the caregiver", SIGNALS,
            "The baby's gaze rests on the caregiver's face.",
            (State, Baby), &[], 'e'),
        seeded("vocalises", "Makes sounds", SIGNALS,
            "Coos, babbles or other sounds that are not crying.",
            (Point, Baby), &[], 'v'),
        seeded("turns_away", "Turns away", SIGNALS,
            "The baby looks or turns away: often a sign they need a pause.",
            (Point, Baby), &[], 'w'),
        seeded("distress", "Distress", SIGNALS,
            "Crying, fussing or other signs the baby is upset, from the first sign until settled.",
            (State, Baby), &["mild", "strong"], 'd'),
        seeded("receives", "Receives the initiative", RESPONSES,
            "The caregiver notices the baby's initiative and answers it: a look, a word, a smile back.",
            (Point, Caregiver), &["a look", "words", "a smile", "a touch"], 'r'),
        seeded("copies", "Copies or names", RESPONSES,
            "The caregiver copies the baby's sound or expression, or puts what the baby shows into words.",
            (Point, Caregiver), &["copies", "names the feeling"], 'c'),
        seeded("smiles_back", "Smiles with the baby", RESPONSES,
            "The caregiver smiles with or back at the baby.",
            (Point, Caregiver), &[], 'b'),
        seeded("soothes", "Soothes", RESPONSES,
            "The caregiver comforts the baby when upset: holding, rocking, a calm voice.",
            (State, Caregiver), &["holding", "rocking", "voice"], 'o'),
        seeded("mutual_gaze", "Mutual gaze", TOGETHER,
            "The baby and the caregiver look at each other at the same time.",
            (State, Caregiver), &[], 'g'),
        seeded("turn_taking", "Taking turns", TOGETHER,
            "An exchange of at least two turns each: the baby acts, the caregiver answers, and the baby answers back.",
            (State, Caregiver), &[], 't'),
    ];
    let themes = VippTheme::ALL
        .iter()
        .zip(['1', '2', '3', '4', '5', '6', '7', '8', '9'])
        .map(|(theme, key)| {
            let group = if theme.visit() > 4 {
                "Booster visits"
            } else if matches!(
                theme,
                VippTheme::InductiveDiscipline
                    | VippTheme::PositiveReinforcement
                    | VippTheme::SensitiveTimeOut
                    | VippTheme::EmpathyForTheChild
            ) {
                "Sensitive discipline (VIPP-SD)"
            } else {
                "Sensitivity"
            };
            seeded(
                theme.code(),
                theme.label(),
                group,
                &format!(
                    "A moment to show in the feedback of visit {} (theme: {}).",
                    theme.visit(),
                    theme.label()
                ),
                (Point, Caregiver),
                &[],
                key,
            )
        })
        .collect();
    let scheme = |id: u128, name: &str, codes: Vec<Code>| CodingScheme {
        id: Uuid::from_u128(id),
        name: name.to_string(),
        version: 1,
        codes,
        change: "The scheme Cradle starts with".to_string(),
        changed_by: "Cradle".to_string(),
        changed_at_millis: made_at_millis,
    };
    vec![
        scheme(
            0x0190_0000_0000_7000_8000_0000_0000_0001,
            "The baby's signals and attuned responses",
            signals,
        ),
        scheme(
            0x0190_0000_0000_7000_8000_0000_0000_0002,
            "VIPP themes",
            themes,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(label: &str, key: &str) -> CodeInput {
        CodeInput {
            label: label.into(),
            group: "The baby's signals".into(),
            kind: "point".into(),
            subject: "baby".into(),
            shortcut: key.into(),
            ..CodeInput::default()
        }
    }

    #[test]
    fn the_starting_schemes_give_every_code_a_key_of_its_own_and_none_the_players() {
        for scheme in starting_schemes(0) {
            let mut keys: Vec<char> = scheme.codes.iter().map(|c| c.shortcut).collect();
            assert!(
                keys.iter().all(|k| !PLAYER_KEYS.contains(k)),
                "{}",
                scheme.name
            );
            keys.sort_unstable();
            keys.dedup();
            assert_eq!(keys.len(), scheme.codes.len(), "{}", scheme.name);
            for code in &scheme.codes {
                assert!(valid_code_name(&code.code), "{}", code.code);
                assert!(!code.description.is_empty(), "{}", code.code);
            }
        }
        let signals = &starting_schemes(0)[0];
        for moment in [
            "smile",
            "mutual_gaze",
            "turn_taking",
            "initiative",
            "receives",
            "distress",
            "soothes",
        ] {
            assert!(signals.code(moment).is_some(), "{moment}");
        }
        assert_eq!(
            signals.code("mutual_gaze").map(|c| c.kind),
            Some(EventKind::State)
        );
        assert_eq!(starting_schemes(0)[1].codes.len(), VippTheme::ALL.len());
    }

    #[test]
    fn a_code_names_itself_from_its_label_and_refuses_the_players_keys() {
        let code = input("Reaches out!", "u").parse().unwrap();
        assert_eq!((code.code.as_str(), code.shortcut), ("reaches_out", 'u'));
        assert_eq!(input("Holds a toy", "U").parse().unwrap().shortcut, 'u');

        let refused = input("", "k").parse().unwrap_err();
        let fields: Vec<&str> = refused.0.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["label", "shortcut"]);
        assert!(refused.0[1].message.contains("control the player"));
        let two_keys = input("Yawns", "ab").parse().unwrap_err();
        assert!(two_keys.0[0].message.contains("one letter"));
        let no_kind = CodeInput {
            kind: "sometimes".into(),
            ..input("Yawns", "y")
        }
        .parse()
        .unwrap_err();
        assert_eq!(no_kind.0[0].field, "kind");
    }

    #[test]
    fn each_change_makes_a_new_version_and_a_key_in_use_is_refused() {
        let scheme = starting_schemes(0).remove(0);
        let taken = scheme
            .with_code(input("Yawns", "s").parse().unwrap(), "Priya Shah", 10)
            .unwrap_err();
        assert!(
            taken.0[0].message.contains("already codes “Smiles”"),
            "{taken:?}"
        );

        let added = scheme
            .with_code(input("Yawns", "y").parse().unwrap(), "Priya Shah", 10)
            .unwrap();
        assert_eq!((added.version, added.change.as_str()), (2, "Added “Yawns”"));
        assert_eq!(
            added.code_for_key('Y').map(|c| c.label.as_str()),
            Some("Yawns")
        );
        assert_eq!(scheme.version, 1, "the earlier version is unchanged");

        let mut smile = added.code("smile").unwrap().clone();
        smile.retired = true;
        let retired = added.with_code(smile, "Priya Shah", 20).unwrap();
        assert_eq!(retired.change, "Retired “Smiles”");
        assert!(
            retired.code("smile").is_some(),
            "kept for what was coded with it"
        );
        assert!(retired.code_for_key('s').is_none());
        // Its key is free for another code now.
        assert!(retired
            .with_code(input("Sneezes", "s").parse().unwrap(), "Priya Shah", 30)
            .is_ok());
    }
}
