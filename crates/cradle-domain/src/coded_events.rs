//! Moments and states coded on a recording's timeline, each by one coder against one version
//! of a coding scheme, of one subject on film: the baby, or a caregiver the recording's
//! consent names. Two people may code the same recording, each apart from the other, and
//! their agreement is measured ([`crate::agreement`]).
//!
//! A coded event is corrected, never overwritten: each correction keeps the version before
//! it, with who changed it, when and why. Removing an event is a correction too.

use crate::coding::{CodeSubject, CodingScheme, EventKind};
use crate::entries::Member;
use crate::ids::BabyId;
use crate::recordings::Recording;
use crate::{Invalid, Problems};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Whom an event is said of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Subject {
    Baby(BabyId),
    Caregiver(Member),
}

impl Subject {
    /// "baby:{id}", "mother" or a person's id, as forms and the API write it.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().strip_prefix("baby:") {
            Some(baby) => BabyId::parse(baby).map(Subject::Baby),
            None => Member::parse(text).map(Subject::Caregiver),
        }
    }
    pub fn code(self) -> String {
        match self {
            Subject::Baby(baby) => format!("baby:{baby}"),
            Subject::Caregiver(member) => member.code(),
        }
    }
}

/// What an event says, at one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EventContent {
    pub code: String,
    pub subject: Subject,
    /// Milliseconds from the film's start.
    pub start_millis: u64,
    /// The end of a state; none for a moment.
    pub end_millis: Option<u64>,
    pub modifiers: Vec<String>,
    /// What the coder noticed, in their words.
    pub note: String,
}

/// An earlier version of an event, kept when it was corrected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EarlierVersion {
    pub content: EventContent,
    pub removed: bool,
    /// Who made the version that replaced it, when, and why.
    pub replaced_by: String,
    pub replaced_at_millis: i64,
    pub reason: String,
}

/// A coded event as it now stands, with its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CodedEvent {
    pub id: Uuid,
    pub recording_id: Uuid,
    pub scheme_id: Uuid,
    /// The scheme's version it was coded under.
    pub scheme_version: u32,
    pub content: EventContent,
    /// Removed by a correction: kept, with its history, out of the timeline and agreement.
    pub removed: bool,
    pub coder: String,
    pub coder_id: Uuid,
    pub coded_at_millis: i64,
    /// 1 when coded; each correction adds one.
    pub version: u32,
    /// The versions before this one, oldest first.
    pub earlier: Vec<EarlierVersion>,
}

impl CodedEvent {
    /// The next version: `content` (or the same, removed), kept with the reason.
    pub fn corrected(
        &self,
        content: EventContent,
        removed: bool,
        by: &str,
        at_millis: i64,
        reason: &str,
    ) -> Result<CodedEvent, Problems> {
        let reason = reason.trim();
        let mut problems = Problems::default();
        if reason.is_empty() {
            problems.push(Invalid::new(
                "reason",
                if removed {
                    "Enter why the event is being removed"
                } else {
                    "Enter why the event is being corrected"
                },
            ));
        } else if reason.chars().count() > 500 {
            problems.push(Invalid::new(
                "reason",
                "The reason must be 500 characters or fewer",
            ));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut next = self.clone();
        next.earlier.push(EarlierVersion {
            content: self.content.clone(),
            removed: self.removed,
            replaced_by: by.to_string(),
            replaced_at_millis: at_millis,
            reason: reason.to_string(),
        });
        next.content = content;
        next.removed = removed;
        next.version = self.version + 1;
        Ok(next)
    }
}

impl EventContent {
    /// Whether this and `other` are the same code of the same subject at once: a state
    /// overlapping another, or a moment at the same instant. One coder never codes that
    /// twice (it would count twice in agreement, and ELAN allows no overlap on a tier).
    pub fn clashes_with(&self, other: &EventContent) -> bool {
        if self.code != other.code || self.subject != other.subject {
            return false;
        }
        match (self.end_millis, other.end_millis) {
            (Some(end), Some(other_end)) => {
                self.start_millis < other_end && other.start_millis < end
            }
            _ => self.start_millis == other.start_millis,
        }
    }

    /// The time it covers in words: "12.4 s" or "10.0 s to 14.5 s".
    pub fn when(&self) -> String {
        let seconds = |millis: u64| format!("{:.1} s", millis as f64 / 1000.0);
        match self.end_millis {
            Some(end) => format!("{} to {}", seconds(self.start_millis), seconds(end)),
            None => seconds(self.start_millis),
        }
    }
}

/// An event as typed or sent: times in milliseconds from the film's start.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct EventInput {
    pub code: String,
    pub subject: String,
    pub start_millis: Option<u64>,
    pub end_millis: Option<u64>,
    pub modifiers: Vec<String>,
    pub note: String,
}

/// The longest note on an event, in characters.
const MAX_NOTE: usize = 2000;

impl EventInput {
    /// The event's content, checked against the scheme's version it is coded under and the
    /// recording it is coded on: a code in use, a subject the code is said of and who is on
    /// film (the family's babies and the adults the recording shows), times within the film,
    /// a state's end after its start, modifiers the code offers.
    pub fn parse(
        &self,
        scheme: &CodingScheme,
        recording: &Recording,
        babies: &[BabyId],
    ) -> Result<EventContent, Problems> {
        let mut problems = Problems::default();
        let code = scheme.codes_in_use().find(|c| c.code == self.code.trim());
        if code.is_none() {
            problems.push(Invalid::new(
                "code",
                format!(
                    "“{}” is not a code in use in the scheme “{}”",
                    self.code.trim(),
                    scheme.name
                ),
            ));
        }
        let subject = Subject::parse(&self.subject);
        let on_film = match subject {
            Some(Subject::Baby(baby)) => babies.contains(&baby),
            Some(Subject::Caregiver(member)) => recording.on_film.contains(&member),
            None => false,
        };
        if !on_film {
            problems.push(Invalid::new(
                "subject",
                "Select the baby or a caregiver on this recording",
            ));
        }
        if let (Some(code), Some(subject)) = (code, subject.filter(|_| on_film)) {
            let fits = matches!(
                (code.subject, subject),
                (CodeSubject::Baby, Subject::Baby(_))
                    | (CodeSubject::Caregiver, Subject::Caregiver(_))
            );
            if !fits {
                problems.push(Invalid::new(
                    "subject",
                    format!(
                        "“{}” is said of {}",
                        code.label,
                        match code.subject {
                            CodeSubject::Baby => "the baby",
                            CodeSubject::Caregiver => "a caregiver",
                        }
                    ),
                ));
            }
        }
        let length = recording.media.as_ref().map_or(0, |m| m.duration_millis);
        let start = match self.start_millis {
            Some(start) if start <= length => Some(start),
            Some(_) => {
                problems.push(Invalid::new(
                    "start_millis",
                    "The start must be within the film",
                ));
                None
            }
            None => {
                problems.push(Invalid::new("start_millis", "Enter when it starts"));
                None
            }
        };
        let end = match (code.map(|c| c.kind), self.end_millis, start) {
            (Some(EventKind::Point), Some(_), _) => {
                problems.push(Invalid::new(
                    "end_millis",
                    "A moment has no end: leave the end empty",
                ));
                None
            }
            (Some(EventKind::State), None, _) => {
                problems.push(Invalid::new("end_millis", "Enter when the state ends"));
                None
            }
            (Some(EventKind::State), Some(end), Some(start)) if end <= start || end > length => {
                problems.push(Invalid::new(
                    "end_millis",
                    "The end must be after the start and within the film",
                ));
                None
            }
            (_, end, _) => end,
        };
        let mut modifiers = Vec::new();
        for modifier in self
            .modifiers
            .iter()
            .map(|m| m.trim())
            .filter(|m| !m.is_empty())
        {
            match code.and_then(|c| {
                c.modifiers
                    .iter()
                    .find(|m| m.eq_ignore_ascii_case(modifier))
            }) {
                Some(known) if !modifiers.contains(known) => modifiers.push(known.clone()),
                Some(_) => {}
                None => {
                    if code.is_some() {
                        problems.push(Invalid::new(
                            "modifiers",
                            format!("“{modifier}” is not a modifier of this code"),
                        ));
                    }
                }
            }
        }
        let note = self.note.trim().to_string();
        if note.chars().count() > MAX_NOTE {
            problems.push(Invalid::new(
                "note",
                format!("The note must be {MAX_NOTE} characters or fewer"),
            ));
        }
        match (code, subject, start) {
            (Some(code), Some(subject), Some(start)) if problems.is_empty() => Ok(EventContent {
                code: code.code.clone(),
                subject,
                start_millis: start,
                end_millis: end,
                modifiers,
                note,
            }),
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::coding::starting_schemes;
    use crate::filming::FilmingPurpose;
    use crate::recordings::{MediaFacts, RecordingState};

    pub(crate) fn film_of(seconds: u64, on_film: Vec<Member>) -> Recording {
        Recording {
            id: Uuid::now_v7(),
            consent_id: Uuid::now_v7(),
            purpose: FilmingPurpose::FamilyCare,
            on_film,
            filmed_on: time::macros::date!(2026 - 12 - 01),
            description: "Play on the mat".into(),
            file_name: "IMG_0001.MP4".into(),
            length: 1000,
            received: 1000,
            state: RecordingState::Ready,
            media: Some(MediaFacts {
                container: "mov,mp4,m4a,3gp,3g2,mj2".into(),
                media_type: "video/mp4".into(),
                duration_millis: seconds * 1000,
                width: 640,
                height: 360,
                video_codec: "h264".into(),
                audio_codec: None,
                poster_bytes: 0,
            }),
            checksum: None,
            started_by: "Priya Shah".into(),
            started_by_id: Uuid::now_v7(),
            started_at_millis: 0,
            uploaded_at_millis: Some(0),
            deletion: None,
        }
    }

    fn event(code: &str, subject: Subject, start: u64, end: Option<u64>) -> EventInput {
        EventInput {
            code: code.into(),
            subject: subject.code(),
            start_millis: Some(start),
            end_millis: end,
            ..EventInput::default()
        }
    }

    #[test]
    fn an_event_is_of_a_code_in_use_said_of_someone_on_film_within_the_film() {
        let scheme = starting_schemes(0).remove(0);
        let father = Member::Person(crate::ids::PersonId::new());
        let film = film_of(60, vec![father]);
        let baby = BabyId::new();
        let babies = [baby];

        let smile = event("smile", Subject::Baby(baby), 12_400, None)
            .parse(&scheme, &film, &babies)
            .unwrap();
        assert_eq!((smile.code.as_str(), smile.end_millis), ("smile", None));
        let gaze = event("mutual_gaze", Subject::Caregiver(father), 3000, Some(7500))
            .parse(&scheme, &film, &babies)
            .unwrap();
        assert_eq!(gaze.end_millis, Some(7500));

        let problems = |input: EventInput| -> Vec<String> {
            input
                .parse(&scheme, &film, &babies)
                .unwrap_err()
                .0
                .into_iter()
                .map(|p| format!("{}: {}", p.field, p.message))
                .collect()
        };
        // The mother is not on this film; a smile is the baby's; a state needs its end.
        assert_eq!(
            problems(event(
                "smile",
                Subject::Caregiver(Member::Mother),
                1000,
                None
            )),
            ["subject: Select the baby or a caregiver on this recording"]
        );
        assert_eq!(
            problems(event("smile", Subject::Caregiver(father), 1000, None)),
            ["subject: “Smiles” is said of the baby"]
        );
        assert_eq!(
            problems(event("mutual_gaze", Subject::Caregiver(father), 1000, None)),
            ["end_millis: Enter when the state ends"]
        );
        assert_eq!(
            problems(event(
                "mutual_gaze",
                Subject::Caregiver(father),
                5000,
                Some(5000)
            )),
            ["end_millis: The end must be after the start and within the film"]
        );
        assert_eq!(
            problems(event("smile", Subject::Baby(baby), 61_000, None)),
            ["start_millis: The start must be within the film"]
        );
        assert_eq!(
            problems(event("frown", Subject::Baby(baby), 1000, None)),
            ["code: “frown” is not a code in use in the scheme “The baby's signals and attuned responses”"]
        );
        let unknown_modifier = EventInput {
            modifiers: vec!["A LOOK".into(), "a wink".into()],
            ..event("initiative", Subject::Baby(baby), 1000, None)
        };
        assert_eq!(
            problems(unknown_modifier),
            ["modifiers: “a wink” is not a modifier of this code"]
        );
        let known = EventInput {
            modifiers: vec!["A LOOK".into(), "a look".into()],
            ..event("initiative", Subject::Baby(baby), 1000, None)
        };
        assert_eq!(
            known.parse(&scheme, &film, &babies).unwrap().modifiers,
            ["a look"]
        );
    }

    #[test]
    fn a_correction_keeps_the_version_before_it_and_needs_a_reason() {
        let scheme = starting_schemes(0).remove(0);
        let film = film_of(60, vec![Member::Mother]);
        let baby = BabyId::new();
        let content = event("smile", Subject::Baby(baby), 12_000, None)
            .parse(&scheme, &film, &[baby])
            .unwrap();
        let coded = CodedEvent {
            id: Uuid::now_v7(),
            recording_id: film.id,
            scheme_id: scheme.id,
            scheme_version: scheme.version,
            content: content.clone(),
            removed: false,
            coder: "Priya Shah".into(),
            coder_id: Uuid::now_v7(),
            coded_at_millis: 1,
            version: 1,
            earlier: vec![],
        };
        let moved = EventContent {
            start_millis: 11_600,
            ..content.clone()
        };
        let refused = coded
            .corrected(moved.clone(), false, "Priya Shah", 2, " ")
            .unwrap_err();
        assert_eq!(
            refused.0[0].message,
            "Enter why the event is being corrected"
        );
        let corrected = coded
            .corrected(moved, false, "Priya Shah", 2, "The smile begins earlier")
            .unwrap();
        assert_eq!(
            (corrected.version, corrected.content.start_millis),
            (2, 11_600)
        );
        assert_eq!(corrected.earlier[0].content, content);
        assert_eq!(corrected.earlier[0].reason, "The smile begins earlier");
        let removed = corrected
            .corrected(
                corrected.content.clone(),
                true,
                "Priya Shah",
                3,
                "Coded twice",
            )
            .unwrap();
        assert!(removed.removed);
        assert_eq!(removed.earlier.len(), 2);
    }

    #[test]
    fn the_same_code_of_the_same_subject_at_once_clashes() {
        let baby = Subject::Baby(BabyId::new());
        let father = Subject::Caregiver(Member::Mother);
        let at = |code: &str, subject: Subject, start: u64, end: Option<u64>| EventContent {
            code: code.into(),
            subject,
            start_millis: start,
            end_millis: end,
            modifiers: vec![],
            note: String::new(),
        };
        let gaze = at("mutual_gaze", father, 10_000, Some(14_500));
        assert!(gaze.clashes_with(&at("mutual_gaze", father, 14_000, Some(16_000))));
        assert!(
            !gaze.clashes_with(&at("mutual_gaze", father, 14_500, Some(16_000))),
            "end to start"
        );
        assert!(!gaze.clashes_with(&at("turn_taking", father, 11_000, Some(12_000))));
        let smile = at("smile", baby, 12_400, None);
        assert!(smile.clashes_with(&at("smile", baby, 12_400, None)));
        assert!(!smile.clashes_with(&at("smile", baby, 12_500, None)));
        assert_eq!(gaze.when(), "10.0 s to 14.5 s");
    }

    #[test]
    fn subjects_are_written_and_read_back_as_forms_send_them() {
        let baby = Subject::Baby(BabyId::new());
        assert_eq!(Subject::parse(&baby.code()), Some(baby));
        assert_eq!(
            Subject::parse("mother"),
            Some(Subject::Caregiver(Member::Mother))
        );
        assert_eq!(Subject::parse("baby:nonsense"), None);
    }
}
