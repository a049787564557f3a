//! Video feedback recordings: each made under one consent to film, for one of its purposes,
//! of people that consent names. A recording is uploaded (and may be resumed), then kept
//! until it is deleted: by a clinician, when its consent is withdrawn or ends, or when the
//! team's retention period for its purpose has passed. A deleted recording's key is
//! destroyed; what was deleted, when and why stays on the record.

use crate::dates::parse_date_parts;
use crate::entries::Member;
use crate::filming::{may_be_asked_to_film, FilmingConsent, FilmingPurpose};
use crate::network::{choices, FamilyRecord};
use crate::{Invalid, Problems};
use serde::{Deserialize, Serialize};
use time::Date;
use uuid::Uuid;

/// The largest recording accepted: 8 GiB, about two hours of phone video.
pub const MAX_RECORDING_BYTES: u64 = 8 * 1024 * 1024 * 1024;

choices!(
    /// Where a recording is in its life.
    RecordingState {
        Uploading => ("uploading", "Uploading"),
        Ready => ("ready", "Ready to view"),
        Deleted => ("deleted", "Deleted"),
    }
);

choices!(
    /// Why a recording was deleted.
    DeletionReason {
        ConsentWithdrawn => ("consent_withdrawn", "Consent to film was withdrawn"),
        ConsentEnded => ("consent_ended", "Consent to film ended"),
        RetentionEnded => ("retention_ended", "The team's retention period for its purpose ended"),
        ByStaff => ("by_staff", "Deleted by a member of staff"),
        Refused => ("refused", "The upload was not taken once it was checked"),
        Abandoned => ("abandoned", "The upload was not finished"),
    }
);

/// What the recording's own content says it is, found by probing it (never by its name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MediaFacts {
    /// The container, as the probe names it ("mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm").
    pub container: String,
    /// The media type the film is served as, from what it holds ("video/mp4", "video/webm").
    pub media_type: String,
    pub duration_millis: u64,
    pub width: u32,
    pub height: u32,
    pub video_codec: String,
    pub audio_codec: Option<String>,
    /// The size of the poster frame taken from it (a JPEG), sealed beside it.
    pub poster_bytes: u64,
}

impl MediaFacts {
    /// How long the film runs, in words: "45 seconds", "3 minutes 20 seconds", "1 hour 5
    /// minutes".
    pub fn running_time(&self) -> String {
        let seconds = self.duration_millis.div_ceil(1000);
        let (hours, minutes, seconds) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
        let unit = |n: u64, one: &str| {
            if n == 1 {
                format!("1 {one}")
            } else {
                format!("{n} {one}s")
            }
        };
        match (hours, minutes, seconds) {
            (0, 0, s) => unit(s, "second"),
            (0, m, 0) => unit(m, "minute"),
            (0, m, s) => format!("{} {}", unit(m, "minute"), unit(s, "second")),
            (h, 0, _) => unit(h, "hour"),
            (h, m, _) => format!("{} {}", unit(h, "hour"), unit(m, "minute")),
        }
    }
}

/// A recording deleted: when, why, and by whom (or by which job).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Deletion {
    pub at_millis: i64,
    pub reason: DeletionReason,
    /// More about why, in words ("Tunde asked for the film to be deleted").
    pub detail: String,
    pub by: String,
}

/// A video feedback recording, as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Recording {
    pub id: Uuid,
    /// The consent it was made under.
    pub consent_id: Uuid,
    /// What it was made for: one of its consent's purposes.
    pub purpose: FilmingPurpose,
    /// Who is on it with the baby: each named on the consent.
    pub on_film: Vec<Member>,
    #[serde(with = "crate::family::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub filmed_on: Date,
    /// What it shows, in a few words ("Bath time at home").
    pub description: String,
    /// The file's name as it was uploaded: shown, never trusted.
    pub file_name: String,
    /// Its size in bytes.
    pub length: u64,
    /// Bytes received so far (the whole length once uploaded).
    pub received: u64,
    pub state: RecordingState,
    /// What the probe found once it was uploaded.
    pub media: Option<MediaFacts>,
    /// The SHA-256 of the whole file as the uploader's device computed it (hex), checked
    /// when the upload finishes.
    pub checksum: Option<String>,
    pub started_by: String,
    /// The member of staff who uploaded it: with their supervisor, the only viewer when the
    /// family agreed to the practitioner alone.
    pub started_by_id: Uuid,
    pub started_at_millis: i64,
    pub uploaded_at_millis: Option<i64>,
    pub deletion: Option<Deletion>,
}

/// Why a recording may not be viewed now, in words for the person asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotViewable(pub String);

impl Recording {
    /// Whether it may be viewed today for `purpose`: uploaded, not deleted, its consent in
    /// force and covering that purpose.
    pub fn viewable(
        &self,
        consent: Option<&FilmingConsent>,
        purpose: FilmingPurpose,
        today: Date,
    ) -> Result<(), NotViewable> {
        match self.state {
            RecordingState::Uploading => {
                return Err(NotViewable(
                    "This recording has not finished uploading.".to_string(),
                ))
            }
            RecordingState::Deleted => {
                return Err(NotViewable("This recording has been deleted.".to_string()))
            }
            RecordingState::Ready => {}
        }
        let Some(consent) = consent.filter(|c| c.id == self.consent_id) else {
            return Err(NotViewable(
                "The consent this recording was made under cannot be found.".to_string(),
            ));
        };
        if consent.withdrawn.is_some() {
            return Err(NotViewable(
                "Consent to film was withdrawn: this recording may no longer be viewed."
                    .to_string(),
            ));
        }
        if !consent.in_force(today) {
            return Err(NotViewable(
                "Consent to film has ended: this recording may no longer be viewed.".to_string(),
            ));
        }
        if !consent.purposes.contains(&purpose) {
            return Err(NotViewable(format!(
                "The family did not consent to this recording being used for {}.",
                crate::text::lower_first(purpose.label())
            )));
        }
        Ok(())
    }
}

/// How long the team keeps a recording after it was uploaded, in whole months, for each
/// purpose it was made for. A recording goes sooner if its consent is withdrawn or ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RetentionPeriods {
    /// Months for the family's own video feedback sessions.
    #[schema(minimum = 1, maximum = 120)]
    pub family_care: u32,
    /// Months for the practitioner's clinical supervision.
    #[schema(minimum = 1, maximum = 120)]
    pub supervision: u32,
    /// Months for teaching and training other professionals.
    #[schema(minimum = 1, maximum = 120)]
    pub teaching: u32,
    /// Months for research.
    #[schema(minimum = 1, maximum = 120)]
    pub research: u32,
}

/// The longest a team may keep a recording: ten years.
pub const MAX_RETENTION_MONTHS: u32 = 120;

impl Default for RetentionPeriods {
    /// A year for the family's own sessions (the length of most video feedback work), six
    /// months for supervision, two years for teaching and five for research, until the team
    /// sets its own.
    fn default() -> Self {
        Self {
            family_care: 12,
            supervision: 6,
            teaching: 24,
            research: 60,
        }
    }
}

impl RetentionPeriods {
    /// Months a recording made for `purpose` is kept.
    pub fn months(&self, purpose: FilmingPurpose) -> u32 {
        match purpose {
            FilmingPurpose::FamilyCare => self.family_care,
            FilmingPurpose::Supervision => self.supervision,
            FilmingPurpose::Teaching => self.teaching,
            FilmingPurpose::Research => self.research,
        }
    }

    fn set(&mut self, purpose: FilmingPurpose, months: u32) {
        match purpose {
            FilmingPurpose::FamilyCare => self.family_care = months,
            FilmingPurpose::Supervision => self.supervision = months,
            FilmingPurpose::Teaching => self.teaching = months,
            FilmingPurpose::Research => self.research = months,
        }
    }

    /// The periods as typed on the team's settings page, purpose by purpose: each a whole
    /// number of months from 1 to [`MAX_RETENTION_MONTHS`].
    pub fn parse(typed: &[(FilmingPurpose, &str)]) -> Result<Self, Problems> {
        let mut problems = Problems::default();
        let mut periods = Self::default();
        for (purpose, text) in typed {
            let field = retention_field(*purpose);
            match text.trim().parse::<u32>() {
                Ok(months) if (1..=MAX_RETENTION_MONTHS).contains(&months) => {
                    periods.set(*purpose, months)
                }
                _ => problems.push(Invalid::new(
                    field,
                    format!(
                        "Months to keep recordings made for {} must be a whole number from 1 to {MAX_RETENTION_MONTHS}",
                        crate::text::lower_first(purpose.label())
                    ),
                )),
            }
        }
        if problems.is_empty() {
            Ok(periods)
        } else {
            Err(problems)
        }
    }

    /// As kept with the team: `family_care=12,supervision=6,…`. An empty text is the
    /// default.
    pub fn to_text(&self) -> String {
        FilmingPurpose::ALL
            .iter()
            .map(|p| format!("{}={}", p.code(), self.months(*p)))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The periods as [`Self::to_text`] wrote them; any purpose missing keeps its default.
    pub fn from_text(text: &str) -> Self {
        let typed: Vec<(FilmingPurpose, &str)> = text
            .split(',')
            .filter_map(|pair| pair.split_once('='))
            .filter_map(|(code, months)| FilmingPurpose::from_code(code).map(|p| (p, months)))
            .collect();
        let mut periods = Self::default();
        for (purpose, months) in typed {
            if let Ok(months) = months.parse::<u32>() {
                periods.set(purpose, months.clamp(1, MAX_RETENTION_MONTHS));
            }
        }
        periods
    }
}

/// The settings form's field for a purpose's retention period.
pub fn retention_field(purpose: FilmingPurpose) -> &'static str {
    match purpose {
        FilmingPurpose::FamilyCare => "retention_family_care",
        FilmingPurpose::Supervision => "retention_supervision",
        FilmingPurpose::Teaching => "retention_teaching",
        FilmingPurpose::Research => "retention_research",
    }
}

/// Days an upload may stand unfinished before it is taken as abandoned and deleted.
pub const ABANDONED_AFTER_DAYS: i64 = 7;

impl Recording {
    /// The last day it is kept under the team's retention periods, once uploaded.
    pub fn kept_until(&self, retention: &RetentionPeriods) -> Option<Date> {
        let uploaded = crate::dates::uk_date(self.uploaded_at_millis?);
        Some(crate::dates::add_months(
            uploaded,
            retention.months(self.purpose),
        ))
    }

    /// Why it may no longer be kept, if so: its consent withdrawn or ended, the team's
    /// retention period for its purpose passed, or its upload left unfinished for
    /// [`ABANDONED_AFTER_DAYS`]. With the reason in words.
    pub fn due_for_deletion(
        &self,
        consent: Option<&FilmingConsent>,
        retention: &RetentionPeriods,
        today: Date,
        now_millis: i64,
    ) -> Option<(DeletionReason, String)> {
        if self.state == RecordingState::Deleted {
            return None;
        }
        match consent {
            None => Some((
                DeletionReason::ConsentEnded,
                "The consent it was made under cannot be found".to_string(),
            )),
            Some(c) if c.withdrawn.is_some() => c.withdrawn.as_ref().map(|w| {
                (
                    DeletionReason::ConsentWithdrawn,
                    format!(
                        "Consent withdrawn on {}: {}",
                        crate::dates::long_date(w.on),
                        w.reason
                    ),
                )
            }),
            Some(c) if today > c.expires_on => Some((
                DeletionReason::ConsentEnded,
                format!(
                    "Consent to film ended on {}",
                    crate::dates::long_date(c.expires_on)
                ),
            )),
            Some(_) if self.kept_until(retention).is_some_and(|last| today > last) => {
                let months = retention.months(self.purpose);
                Some((
                    DeletionReason::RetentionEnded,
                    format!(
                        "Kept for the team's {months} month{} for {}, until {}",
                        if months == 1 { "" } else { "s" },
                        crate::text::lower_first(self.purpose.label()),
                        self.kept_until(retention)
                            .map(crate::dates::long_date)
                            .unwrap_or_default()
                    ),
                ))
            }
            Some(_)
                if self.state == RecordingState::Uploading
                    && now_millis - self.started_at_millis
                        > ABANDONED_AFTER_DAYS * 24 * 60 * 60 * 1000 =>
            {
                Some((
                    DeletionReason::Abandoned,
                    format!(
                        "The upload was left unfinished for more than {ABANDONED_AFTER_DAYS} days"
                    ),
                ))
            }
            Some(_) => None,
        }
    }
}

/// A new recording as described before its upload begins.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecordingInput {
    /// The consent's id.
    pub consent: String,
    pub purpose: String,
    /// "mother" or people's ids.
    #[serde(deserialize_with = "crate::ticked::boxes")]
    pub on_film: Vec<String>,
    pub filmed_day: String,
    pub filmed_month: String,
    pub filmed_year: String,
    pub description: String,
    pub file_name: String,
    /// The file's size in bytes, as its device reports it.
    pub length: String,
    /// SHA-256 of the file (hex), when the device computed it.
    pub checksum: String,
}

/// A recording described and checked against its consent, before its upload begins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRecording {
    pub consent_id: Uuid,
    pub purpose: FilmingPurpose,
    pub on_film: Vec<Member>,
    pub filmed_on: Date,
    pub description: String,
    pub file_name: String,
    pub length: u64,
    pub checksum: Option<String>,
}

impl ParsedRecording {
    /// The recording as kept when its upload begins.
    pub fn started(self, id: Uuid, staff: Uuid, started_by: &str, at_millis: i64) -> Recording {
        Recording {
            id,
            consent_id: self.consent_id,
            purpose: self.purpose,
            on_film: self.on_film,
            filmed_on: self.filmed_on,
            description: self.description,
            file_name: self.file_name,
            length: self.length,
            received: 0,
            state: RecordingState::Uploading,
            media: None,
            checksum: self.checksum,
            started_by: started_by.to_string(),
            started_by_id: staff,
            started_at_millis: at_millis,
            uploaded_at_millis: None,
            deletion: None,
        }
    }
}

impl RecordingInput {
    /// Checks the recording against the family's consents: one of this family's, in force,
    /// for the purpose given, naming everyone on film, none of whom is now marked do not
    /// contact or do not involve.
    pub fn parse(&self, record: &FamilyRecord, today: Date) -> Result<ParsedRecording, Problems> {
        let mut problems = Problems::default();
        let consent = self
            .consent
            .trim()
            .parse::<Uuid>()
            .ok()
            .and_then(|id| record.filming_consents.iter().find(|c| c.id == id));
        let consent = problems.take(consent.ok_or_else(|| {
            Invalid::new(
                "consent",
                "Select the consent to film this recording was made under: one recorded for this family",
            )
        }));
        let consent = consent.and_then(|c| {
            let problem = if c.withdrawn.is_some() {
                Some("That consent to film was withdrawn: nothing more may be filmed or uploaded under it")
            } else if today > c.expires_on {
                Some("That consent to film has ended: ask the family again and record their consent before uploading")
            } else {
                None
            };
            match problem {
                Some(message) => {
                    problems.push(Invalid::new("consent", message));
                    None
                }
                None => Some(c),
            }
        });
        let purpose = problems.take(
            FilmingPurpose::from_code(&self.purpose)
                .ok_or_else(|| Invalid::new("purpose", "Select what the recording is for")),
        );
        if let (Some(consent), Some(purpose)) = (consent, purpose) {
            if !consent.purposes.contains(&purpose) {
                problems.push(Invalid::new(
                    "purpose",
                    format!(
                        "The family did not consent to filming for {}: choose a purpose the consent covers",
                        crate::text::lower_first(purpose.label())
                    ),
                ));
            }
        }
        let mut on_film = Vec::new();
        for code in &self.on_film {
            let Some(member) = Member::parse(code).filter(|m| record.has_member(*m)) else {
                problems.push(Invalid::new("on_film", "Select people from this family"));
                continue;
            };
            if !may_be_asked_to_film(record, member) {
                problems.push(Invalid::new(
                    "on_film",
                    format!(
                        "{} is marked “do not contact” or “do not involve”: a recording of them cannot be kept",
                        record.member_name(member)
                    ),
                ));
            } else if consent.is_some_and(|c| !c.on_film.contains(&member)) {
                problems.push(Invalid::new(
                    "on_film",
                    format!(
                        "{} is not named on that consent to film: record their consent first",
                        record.member_name(member)
                    ),
                ));
            } else if !on_film.contains(&member) {
                on_film.push(member);
            }
        }
        if self.on_film.is_empty() {
            problems.push(Invalid::new(
                "on_film",
                "Select who is on the recording with the baby",
            ));
        }
        let filmed_on = problems.take(
            parse_date_parts(
                "filmed_on",
                "The date filmed",
                &self.filmed_day,
                &self.filmed_month,
                &self.filmed_year,
            )
            .and_then(|day| {
                if day > today {
                    Err(Invalid::new(
                        "filmed_on",
                        "The date filmed must be today or in the past",
                    ))
                } else if consent.is_some_and(|c| day < c.given_on || day > c.expires_on) {
                    Err(Invalid::new(
                        "filmed_on",
                        "The date filmed must be while the consent to film was in force",
                    ))
                } else {
                    Ok(day)
                }
            }),
        );
        let description = problems.take(crate::text::required_text(
            "description",
            "What the recording shows",
            &self.description,
            200,
        ));
        let file_name = self.file_name.trim().chars().take(255).collect::<String>();
        let length = problems.take(match self.length.trim().parse::<u64>() {
            Ok(0) => Err(Invalid::new(
                "file",
                "The file is empty: choose the recording's file again",
            )),
            Ok(n) if n > MAX_RECORDING_BYTES => Err(Invalid::new(
                "file",
                "The file is larger than 8 GB: shorten the recording or split it",
            )),
            Ok(n) => Ok(n),
            Err(_) => Err(Invalid::new("file", "Choose the recording's file")),
        });
        let checksum = self.checksum.trim().to_ascii_lowercase();
        let checksum = if checksum.is_empty() {
            None
        } else if checksum.len() == 64 && checksum.chars().all(|c| c.is_ascii_hexdigit()) {
            Some(checksum)
        } else {
            problems.push(Invalid::new(
                "checksum",
                "The checksum must be the file's SHA-256, written as 64 hexadecimal characters",
            ));
            None
        };
        match (consent, purpose, filmed_on, description, length) {
            (Some(consent), Some(purpose), Some(filmed_on), Some(description), Some(length))
                if problems.is_empty() =>
            {
                Ok(ParsedRecording {
                    consent_id: consent.id,
                    purpose,
                    on_film,
                    filmed_on,
                    description,
                    file_name,
                    length,
                    checksum,
                })
            }
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filming::tests::{family, typed, TODAY};
    use crate::filming::ConsentWithdrawal;
    use time::macros::date;

    #[test]
    fn a_films_running_time_reads_as_a_clinician_would_say_it() {
        let facts = |duration_millis| MediaFacts {
            container: "mov,mp4,m4a,3gp,3g2,mj2".into(),
            media_type: "video/mp4".into(),
            duration_millis,
            width: 1280,
            height: 720,
            video_codec: "h264".into(),
            audio_codec: Some("aac".into()),
            poster_bytes: 1000,
        };
        assert_eq!(facts(800).running_time(), "1 second");
        assert_eq!(facts(45_000).running_time(), "45 seconds");
        assert_eq!(facts(60_000).running_time(), "1 minute");
        assert_eq!(facts(200_400).running_time(), "3 minutes 21 seconds");
        assert_eq!(facts(3_600_000).running_time(), "1 hour");
        assert_eq!(facts(3_900_000).running_time(), "1 hour 5 minutes");
    }

    /// The Okafor family with Tunde's consent to be filmed for the family's own sessions and
    /// supervision, given on 1 December 2026 until 1 June 2027.
    fn consented() -> (FamilyRecord, FilmingConsent, String, String, String) {
        let (mut record, tunde, grace, dev) = family();
        let consent = typed(
            &[tunde.id.to_string()],
            &["mother".into(), tunde.id.to_string()],
        )
        .parse(&record, TODAY)
        .unwrap()
        .recorded(Uuid::now_v7(), "Priya Shah", 0);
        record.filming_consents.push(consent.clone());
        (
            record,
            consent,
            tunde.id.to_string(),
            grace.id.to_string(),
            dev.id.to_string(),
        )
    }

    /// `consent`, withdrawn today because Tunde changed his mind.
    fn withdrawn(consent: &FilmingConsent) -> FilmingConsent {
        FilmingConsent {
            withdrawn: Some(ConsentWithdrawal {
                on: TODAY,
                reason: "Changed his mind".into(),
                recorded_by: "Priya Shah".into(),
                recorded_at_millis: 0,
            }),
            ..consent.clone()
        }
    }

    fn described(consent: &FilmingConsent, on_film: &[&str]) -> RecordingInput {
        RecordingInput {
            consent: consent.id.to_string(),
            purpose: "family_care".into(),
            on_film: on_film.iter().map(|s| s.to_string()).collect(),
            filmed_day: "5".into(),
            filmed_month: "12".into(),
            filmed_year: "2026".into(),
            description: "Bath time at home".into(),
            file_name: "IMG_0042.MOV".into(),
            length: "52428800".into(),
            checksum: String::new(),
        }
    }

    fn problem(input: &RecordingInput, record: &FamilyRecord, field: &str) -> String {
        let problems = input.parse(record, TODAY).unwrap_err();
        problems
            .message_for(field)
            .unwrap_or_else(|| panic!("no problem with {field}: {problems:?}"))
            .to_string()
    }

    #[test]
    fn a_recording_is_kept_only_under_a_consent_of_this_family_that_covers_it() {
        let (record, consent, tunde, grace, dev) = consented();
        let parsed = described(&consent, &[&tunde])
            .parse(&record, TODAY)
            .unwrap();
        assert_eq!(parsed.length, 50 * 1024 * 1024);
        assert_eq!(parsed.purpose, FilmingPurpose::FamilyCare);

        // Another family's consent, or none.
        let mut other = described(&consent, &[&tunde]);
        other.consent = Uuid::now_v7().to_string();
        assert!(problem(&other, &record, "consent").contains("one recorded for this family"));
        // A purpose the family did not agree to.
        let mut teaching = described(&consent, &[&tunde]);
        teaching.purpose = "teaching".into();
        assert!(problem(&teaching, &record, "purpose")
            .contains("did not consent to filming for teaching"));
        // Someone not named on the consent, and someone marked do not involve.
        assert!(problem(&described(&consent, &[&grace]), &record, "on_film")
            .contains("Grace Adebayo is not named on that consent"));
        assert!(problem(&described(&consent, &[&dev]), &record, "on_film")
            .contains("Dev Shah is marked “do not contact” or “do not involve”"));
        // Filmed before consent was given.
        let mut early = described(&consent, &[&tunde]);
        early.filmed_day = "30".into();
        early.filmed_month = "11".into();
        assert!(problem(&early, &record, "filmed_on").contains("while the consent"));
        // An empty file, one too large, and a checksum that is not one.
        let mut empty = described(&consent, &[&tunde]);
        empty.length = "0".into();
        assert!(problem(&empty, &record, "file").contains("The file is empty"));
        let mut huge = described(&consent, &[&tunde]);
        huge.length = (MAX_RECORDING_BYTES + 1).to_string();
        assert!(problem(&huge, &record, "file").contains("larger than 8 GB"));
        let mut checksum = described(&consent, &[&tunde]);
        checksum.checksum = "abc".into();
        assert!(problem(&checksum, &record, "checksum").contains("64 hexadecimal"));
    }

    #[test]
    fn nothing_is_uploaded_under_a_consent_withdrawn_or_ended() {
        let (mut record, consent, tunde, ..) = consented();
        let later = date!(2027 - 06 - 02);
        assert!(described(&consent, &[&tunde])
            .parse(&record, later)
            .unwrap_err()
            .message_for("consent")
            .is_some_and(|m| m.contains("has ended")));
        record.filming_consents[0] = withdrawn(&consent);
        assert!(problem(&described(&consent, &[&tunde]), &record, "consent").contains("withdrawn"));
    }

    #[test]
    fn a_recording_is_viewed_only_while_its_consent_is_in_force_and_for_a_purpose_it_covers() {
        let (record, consent, tunde, ..) = consented();
        let mut recording = described(&consent, &[&tunde])
            .parse(&record, TODAY)
            .unwrap()
            .started(Uuid::now_v7(), Uuid::now_v7(), "Priya Shah", 0);
        let view = |r: &Recording, c: &FilmingConsent, p: FilmingPurpose, on: Date| {
            r.viewable(Some(c), p, on).map_err(|e| e.0)
        };
        assert!(
            view(&recording, &consent, FilmingPurpose::FamilyCare, TODAY)
                .unwrap_err()
                .contains("not finished uploading")
        );
        recording.state = RecordingState::Ready;
        assert_eq!(
            view(&recording, &consent, FilmingPurpose::FamilyCare, TODAY),
            Ok(())
        );
        assert_eq!(
            view(&recording, &consent, FilmingPurpose::Supervision, TODAY),
            Ok(())
        );
        assert!(view(&recording, &consent, FilmingPurpose::Teaching, TODAY)
            .unwrap_err()
            .contains("did not consent"));
        assert!(view(
            &recording,
            &consent,
            FilmingPurpose::FamilyCare,
            date!(2027 - 06 - 02)
        )
        .unwrap_err()
        .contains("has ended"));
        let withdrawn = withdrawn(&consent);
        assert!(
            view(&recording, &withdrawn, FilmingPurpose::FamilyCare, TODAY)
                .unwrap_err()
                .contains("withdrawn")
        );
        recording.state = RecordingState::Deleted;
        assert!(
            view(&recording, &consent, FilmingPurpose::FamilyCare, TODAY)
                .unwrap_err()
                .contains("deleted")
        );
    }

    #[test]
    fn a_recording_is_due_for_deletion_once_its_consent_is_withdrawn_or_ended_or_its_upload_abandoned(
    ) {
        let (record, consent, tunde, ..) = consented();
        let mut recording = described(&consent, &[&tunde])
            .parse(&record, TODAY)
            .unwrap()
            .started(Uuid::now_v7(), Uuid::now_v7(), "Priya Shah", 0);
        let day = 24 * 60 * 60 * 1000;
        // An upload under way is kept for a week, then taken as abandoned.
        assert_eq!(
            recording.due_for_deletion(
                Some(&consent),
                &RetentionPeriods::default(),
                TODAY,
                6 * day
            ),
            None
        );
        assert_eq!(
            recording
                .due_for_deletion(Some(&consent), &RetentionPeriods::default(), TODAY, 8 * day)
                .map(|d| d.0),
            Some(DeletionReason::Abandoned)
        );
        recording.state = RecordingState::Ready;
        assert_eq!(
            recording.due_for_deletion(
                Some(&consent),
                &RetentionPeriods::default(),
                TODAY,
                8 * day
            ),
            None
        );
        let ended = recording
            .due_for_deletion(
                Some(&consent),
                &RetentionPeriods::default(),
                date!(2027 - 06 - 02),
                8 * day,
            )
            .unwrap();
        assert_eq!(ended.0, DeletionReason::ConsentEnded);
        assert!(ended.1.contains("ended on 1 June 2027"), "{}", ended.1);
        let withdrawn = withdrawn(&consent);
        let due = recording
            .due_for_deletion(Some(&withdrawn), &RetentionPeriods::default(), TODAY, 0)
            .unwrap();
        assert_eq!(due.0, DeletionReason::ConsentWithdrawn);
        assert!(due.1.contains("Changed his mind"));
        recording.state = RecordingState::Deleted;
        assert_eq!(
            recording.due_for_deletion(Some(&withdrawn), &RetentionPeriods::default(), TODAY, 0),
            None
        );
    }

    #[test]
    fn a_recording_is_kept_for_the_teams_period_for_its_purpose_and_no_longer() {
        let (record, consent, tunde, ..) = consented();
        let mut recording = described(&consent, &[&tunde])
            .parse(&record, TODAY)
            .unwrap()
            .started(Uuid::now_v7(), Uuid::now_v7(), "Priya Shah", 0);
        recording.state = RecordingState::Ready;
        // Uploaded at noon on 1 December 2026; the team keeps films for supervision for 3
        // months, its own sessions' for 4.
        recording.uploaded_at_millis = Some(1_796_126_400_000);
        recording.purpose = FilmingPurpose::Supervision;
        let retention = RetentionPeriods::parse(&[
            (FilmingPurpose::FamilyCare, "4"),
            (FilmingPurpose::Supervision, " 3 "),
            (FilmingPurpose::Teaching, "24"),
            (FilmingPurpose::Research, "60"),
        ])
        .unwrap();
        assert_eq!(
            recording.kept_until(&retention),
            Some(date!(2027 - 03 - 01))
        );
        // Consent runs to 1 June 2027, but the team's period ends first.
        assert_eq!(
            recording.due_for_deletion(Some(&consent), &retention, date!(2027 - 03 - 01), 0),
            None
        );
        let due = recording
            .due_for_deletion(Some(&consent), &retention, date!(2027 - 03 - 02), 0)
            .unwrap();
        assert_eq!(due.0, DeletionReason::RetentionEnded);
        assert_eq!(
            due.1,
            "Kept for the team's 3 months for the practitioner's clinical supervision, until 1 March 2027"
        );
        recording.purpose = FilmingPurpose::FamilyCare;
        assert_eq!(
            recording.due_for_deletion(Some(&consent), &retention, date!(2027 - 03 - 02), 0),
            None
        );
        // As kept and read back; bad periods refused with the purpose named.
        assert_eq!(RetentionPeriods::from_text(&retention.to_text()), retention);
        assert_eq!(RetentionPeriods::from_text(""), RetentionPeriods::default());
        let problems = RetentionPeriods::parse(&[
            (FilmingPurpose::FamilyCare, "0"),
            (FilmingPurpose::Teaching, "two years"),
            (FilmingPurpose::Research, "121"),
        ])
        .unwrap_err();
        assert_eq!(problems.0.len(), 3);
        assert_eq!(problems.0[1].field, "retention_teaching");
        assert!(
            problems.0[1].message.contains("made for teaching"),
            "{}",
            problems.0[1].message
        );
    }
}
