//! Video feedback coding: each team's coding schemes (a team with none is given Cradle's
//! starting schemes), moments and states coded on a recording's timeline, their corrections,
//! and two coders' agreement. Coding a recording needs what viewing it needs: the recording
//! uploaded and its consent in force for the purpose it was made for. Every read and change
//! is audited.

use crate::{Actor, AppError, Cradle, FamilyAccess};
use cradle_domain::agreement::{agreement, Agreement, Coded, Method};
use cradle_domain::coded_events::{CodedEvent, EventInput, Subject};
use cradle_domain::coding::{starting_schemes, CodeInput, CodingScheme};
use cradle_domain::eaf::{read_eaf, write_eaf, EafExport, EafImport, NamedSubject};
use cradle_domain::ids::BabyId;
use cradle_domain::network::FamilyRecord;
use cradle_domain::recordings::Recording;
use cradle_domain::{AuditAction, SubjectKind, TeamId};
use cradle_store::{Sections, StoreError};
use uuid::Uuid;

/// A recording with everything coded on it.
#[derive(Debug, Clone)]
pub struct RecordingCoding {
    pub record: FamilyRecord,
    pub recording: Recording,
    /// Every coder's events, removed ones included, in time order.
    pub events: Vec<CodedEvent>,
}

impl RecordingCoding {
    /// The people who coded this recording, each once, in the order they first coded.
    pub fn coders(&self) -> Vec<(Uuid, String)> {
        let mut coders: Vec<(Uuid, String)> = Vec::new();
        let mut by_time: Vec<&CodedEvent> = self.events.iter().collect();
        by_time.sort_by_key(|e| e.coded_at_millis);
        for event in by_time {
            if !coders.iter().any(|(id, _)| *id == event.coder_id) {
                coders.push((event.coder_id, event.coder.clone()));
            }
        }
        coders
    }

    /// Refuses `content` where the coder already coded the same code of the same subject at
    /// once (`except`: the event being corrected).
    fn no_clash(
        &self,
        coder: cradle_domain::StaffId,
        content: &cradle_domain::coded_events::EventContent,
        except: Option<Uuid>,
        scheme: &CodingScheme,
    ) -> Result<(), AppError> {
        let Some(other) = self
            .events_of(coder.0)
            .find(|e| Some(e.id) != except && e.content.clashes_with(content))
        else {
            return Ok(());
        };
        let label = scheme
            .code(&other.content.code)
            .map_or(other.content.code.as_str(), |c| c.label.as_str());
        Err(AppError::invalid(
            "start_millis",
            format!(
                "You coded “{label}” for {} at {} already: the same code for the same person cannot be coded twice at once",
                subject_name(&self.record, other.content.subject),
                other.content.when()
            ),
        ))
    }

    /// One coder's events as they now stand, removed ones left out.
    pub fn events_of(&self, coder: Uuid) -> impl Iterator<Item = &CodedEvent> {
        self.events
            .iter()
            .filter(move |e| e.coder_id == coder && !e.removed)
    }
}

/// Two coders' agreement on a recording, with the method in words.
#[derive(Debug, Clone)]
pub struct CodersAgreement {
    pub first: (Uuid, String),
    pub second: (Uuid, String),
    pub agreement: Agreement,
    /// The method, to be shown beside every figure.
    pub method: String,
}

/// The shortest and longest time unit and onset tolerance agreement accepts, in milliseconds.
const UNIT_RANGE: std::ops::RangeInclusive<u64> = 100..=60_000;
const TOLERANCE_RANGE: std::ops::RangeInclusive<u64> = 0..=10_000;

impl Cradle {
    /// The team's coding schemes, the newest version of each. A team without any is given
    /// Cradle's starting schemes first.
    pub async fn coding_schemes(
        &self,
        actor: &Actor,
        team: TeamId,
    ) -> Result<Vec<CodingScheme>, AppError> {
        if !actor.teams.contains(&team) {
            return Err(AppError::NotInTeam);
        }
        let schemes = self.store.coding_schemes(team).await?;
        if !schemes.is_empty() {
            return Ok(schemes);
        }
        self.store
            .add_starting_schemes(team, &starting_schemes(self.now()))
            .await?;
        Ok(self.store.coding_schemes(team).await?)
    }

    /// One of the team's schemes, at `version` or the newest.
    pub async fn coding_scheme(
        &self,
        actor: &Actor,
        team: TeamId,
        scheme: Uuid,
        version: Option<u32>,
    ) -> Result<CodingScheme, AppError> {
        let newest = self
            .coding_schemes(actor, team)
            .await?
            .into_iter()
            .find(|s| s.id == scheme)
            .ok_or(AppError::NotFound)?;
        match version {
            None => Ok(newest),
            Some(v) if v == newest.version => Ok(newest),
            Some(v) => self
                .store
                .coding_scheme(team, scheme, Some(v))
                .await?
                .ok_or(AppError::NotFound),
        }
    }

    /// Adds a code to one of the team's schemes, or changes one (named by `input.code`),
    /// as its next version. `version` is the version the change was made from: a scheme
    /// changed meanwhile by someone else is not overwritten.
    pub async fn save_code(
        &self,
        actor: &Actor,
        team: TeamId,
        scheme: Uuid,
        version: u32,
        input: &CodeInput,
    ) -> Result<CodingScheme, AppError> {
        self.require_team_practice(actor, team)?;
        let newest = self.coding_scheme(actor, team, scheme, None).await?;
        if newest.version != version {
            return Err(changed_meanwhile(&newest));
        }
        let code = input.parse().map_err(AppError::Invalid)?;
        if !input.code.trim().is_empty() && newest.code(&code.code).is_none() {
            return Err(AppError::NotFound);
        }
        let by = actor.display_name.clone();
        let next = newest
            .with_code(code, &by, self.now())
            .map_err(AppError::Invalid)?;
        let mut entry = actor.audit(
            self.now(),
            AuditAction::CodingSchemeChanged,
            Some((SubjectKind::Team, team.0)),
        );
        entry.team_id = Some(team);
        entry.detail = format!(
            "scheme {} “{}” version {}: {}",
            next.id, next.name, next.version, next.change
        );
        match self.store.save_coding_scheme(team, &next, entry).await {
            Ok(()) => Ok(next),
            Err(StoreError::Conflict(_)) => Err(changed_meanwhile(&newest)),
            Err(other) => Err(other.into()),
        }
    }

    /// A recording of the family with every event coded on it. Seeing the coding is reading
    /// the record: audited.
    pub async fn recording_coding(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        recording: Uuid,
    ) -> Result<RecordingCoding, AppError> {
        let coding = self.coding_of(access, recording).await?;
        let mut entry = access.audit(actor, self.now(), AuditAction::RecordingCodingViewed);
        entry.detail = format!(
            "recording {recording}: {} events by {} coders",
            coding.events.len(),
            coding.coders().len()
        );
        self.store.append_audit(entry).await?;
        Ok(coding)
    }

    async fn coding_of(
        &self,
        access: &FamilyAccess,
        recording: Uuid,
    ) -> Result<RecordingCoding, AppError> {
        let record = self
            .record_for_change(access, Sections::CORE.and(Sections::VIDEO))
            .await?;
        let found = record
            .recordings
            .iter()
            .find(|r| r.id == recording)
            .cloned()
            .ok_or(AppError::NotFound)?;
        let events = self
            .store
            .coded_events(access.family_id(), recording)
            .await?;
        Ok(RecordingCoding {
            record,
            recording: found,
            events,
        })
    }

    /// What coding needs: what viewing the recording for the purpose it was made for needs
    /// (uploaded, its consent in force, the coder within the consent's scope).
    fn may_code(
        actor: &Actor,
        access: &FamilyAccess,
        coding: &RecordingCoding,
        today: time::Date,
    ) -> Result<(), AppError> {
        let consent = coding
            .record
            .filming_consents
            .iter()
            .find(|c| c.id == coding.recording.consent_id);
        crate::recordings::may_view(
            actor,
            access,
            &coding.recording,
            consent,
            coding.recording.purpose,
            today,
        )
    }

    /// What coding a recording under the newest version of one of the team's schemes needs:
    /// the coder (who may change records), the recording's coding (which they may code), the
    /// scheme, and the family's babies.
    async fn coding_to_change(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        recording: Uuid,
        scheme: Uuid,
    ) -> Result<
        (
            cradle_domain::StaffId,
            RecordingCoding,
            CodingScheme,
            Vec<BabyId>,
        ),
        AppError,
    > {
        let coder = actor.staff_changing_records()?;
        let coding = self.coding_of(access, recording).await?;
        Self::may_code(actor, access, &coding, self.today())?;
        let scheme = self
            .coding_scheme(actor, access.team_id(), scheme, None)
            .await?;
        let babies = coding.record.family.babies.iter().map(|b| b.id).collect();
        Ok((coder, coding, scheme, babies))
    }

    /// Codes an event on a recording, under the newest version of one of the team's schemes.
    pub async fn code_event(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        recording: Uuid,
        scheme: Uuid,
        input: &EventInput,
    ) -> Result<CodedEvent, AppError> {
        let (coder, coding, scheme, babies) = self
            .coding_to_change(actor, access, recording, scheme)
            .await?;
        let content = input
            .parse(&scheme, &coding.recording, &babies)
            .map_err(AppError::Invalid)?;
        coding.no_clash(coder, &content, None, &scheme)?;
        let event = newly_coded(actor, coder, recording, &scheme, content, self.now());
        let entry = access.audit_change(
            actor,
            self.now(),
            AuditAction::EventCoded,
            format!(
                "recording {recording}: {} at {} ms",
                event.content.code, event.content.start_millis
            ),
        );
        self.store
            .add_coded_event(access.family_id(), &event, entry)
            .await?;
        Ok(event)
    }

    /// Corrects one of the coder's own events (or removes it, `remove`), from `version`,
    /// keeping the version before with the reason.
    #[allow(clippy::too_many_arguments)]
    pub async fn correct_event(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        recording: Uuid,
        event: Uuid,
        version: u32,
        input: &EventInput,
        remove: bool,
        reason: &str,
    ) -> Result<CodedEvent, AppError> {
        let coder = actor.staff_changing_records()?;
        let coding = self.coding_of(access, recording).await?;
        Self::may_code(actor, access, &coding, self.today())?;
        let was = coding
            .events
            .iter()
            .find(|e| e.id == event)
            .ok_or(AppError::NotFound)?;
        if was.coder_id != coder.0 {
            return Err(AppError::Conflict(format!(
                "Only {} can correct their own coding: each coder's events stay their own, so that agreement between coders means something.",
                was.coder
            )));
        }
        if was.version != version || was.removed {
            return Err(AppError::Conflict(
                "This event has been corrected or removed since you opened it. Look at it again before changing it."
                    .to_string(),
            ));
        }
        let scheme = self
            .store
            .coding_scheme(access.team_id(), was.scheme_id, Some(was.scheme_version))
            .await?
            .ok_or(AppError::NotFound)?;
        let babies: Vec<_> = coding.record.family.babies.iter().map(|b| b.id).collect();
        let content = if remove {
            was.content.clone()
        } else {
            let content = input
                .parse(&scheme, &coding.recording, &babies)
                .map_err(AppError::Invalid)?;
            coding.no_clash(coder, &content, Some(event), &scheme)?;
            content
        };
        let next = was
            .corrected(content, remove, &actor.display_name, self.now(), reason)
            .map_err(AppError::Invalid)?;
        let entry = access.audit_change(
            actor,
            self.now(),
            AuditAction::CodedEventCorrected,
            format!(
                "recording {recording}: event {event} {} (version {})",
                if remove { "removed" } else { "corrected" },
                next.version
            ),
        );
        match self
            .store
            .correct_coded_event(access.family_id(), &next, entry)
            .await
        {
            Ok(()) => Ok(next),
            Err(StoreError::NotFound) => Err(AppError::Conflict(
                "This event has been corrected or removed since you opened it. Look at it again before changing it."
                    .to_string(),
            )),
            Err(other) => Err(other.into()),
        }
    }

    /// How far two coders of a recording agree, over time units of `unit_millis` and with
    /// onsets matching within `tolerance_millis`. Audited as a read of the record.
    pub async fn coders_agreement(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        recording: Uuid,
        coders: (Uuid, Uuid),
        unit_millis: u64,
        tolerance_millis: u64,
    ) -> Result<CodersAgreement, AppError> {
        let mut problems = cradle_domain::Problems::default();
        if !UNIT_RANGE.contains(&unit_millis) {
            problems.push(cradle_domain::Invalid::new(
                "unit_millis",
                "The time unit must be from 0.1 to 60 seconds",
            ));
        }
        if !TOLERANCE_RANGE.contains(&tolerance_millis) {
            problems.push(cradle_domain::Invalid::new(
                "tolerance_millis",
                "The tolerance for onsets must be from 0 to 10 seconds",
            ));
        }
        if coders.0 == coders.1 {
            problems.push(cradle_domain::Invalid::new(
                "second",
                "Choose two different coders",
            ));
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let coding = self.coding_of(access, recording).await?;
        let known = coding.coders();
        let name_of = |id: Uuid| {
            known
                .iter()
                .find(|(coder, _)| *coder == id)
                .cloned()
                .ok_or(AppError::NotFound)
        };
        let (first, second) = (name_of(coders.0)?, name_of(coders.1)?);
        let as_coded = |coder: Uuid| -> Vec<Coded> {
            coding
                .events_of(coder)
                .map(|e| Coded {
                    code: format!("{} {}", e.content.code, e.content.subject.code()),
                    start_millis: e.content.start_millis,
                    end_millis: e.content.end_millis,
                })
                .collect()
        };
        let method = Method {
            unit_millis,
            tolerance_millis,
            duration_millis: coding
                .recording
                .media
                .as_ref()
                .map_or(0, |m| m.duration_millis),
        };
        let found = agreement(method, &as_coded(first.0), &as_coded(second.0));
        let mut entry = access.audit(actor, self.now(), AuditAction::CodingAgreementViewed);
        entry.detail = format!(
            "recording {recording}: {} and {}, units of {unit_millis} ms, tolerance {tolerance_millis} ms",
            first.1, second.1
        );
        self.store.append_audit(entry).await?;
        Ok(CodersAgreement {
            first,
            second,
            method: method.in_words(),
            agreement: found,
        })
    }
}

/// A coder's coding of a recording as a file.
#[derive(Debug, Clone)]
pub struct CodingFile {
    /// "IMG_0107 coding by Priya Shah.eaf".
    pub file_name: String,
    pub text: String,
}

/// What an imported file held, and how many of its events were kept (none until confirmed).
#[derive(Debug, Clone)]
pub struct CodingImport {
    pub found: EafImport,
    pub kept: usize,
}

impl RecordingCoding {
    /// The baby and each caregiver on the recording, named as files name them.
    pub fn subjects(&self) -> Vec<NamedSubject> {
        let babies = self
            .record
            .family
            .babies
            .iter()
            .map(|b| Subject::Baby(b.id));
        let adults = self
            .recording
            .on_film
            .iter()
            .map(|m| Subject::Caregiver(*m));
        babies
            .chain(adults)
            .map(|subject| NamedSubject {
                subject,
                name: subject_name(&self.record, subject),
            })
            .collect()
    }

    fn file_name(&self, coder: &str, extension: &str) -> String {
        let stem = self
            .recording
            .file_name
            .rsplit_once('.')
            .map_or(self.recording.file_name.as_str(), |(stem, _)| stem);
        let clean: String = format!("{stem} coding by {coder}")
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == ' ' || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        format!("{clean}.{extension}")
    }
}

/// A CSV field, quoted where it must be, and never starting as a spreadsheet formula.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

impl Cradle {
    /// One coder's coding of a recording under one of the team's schemes, as an ELAN file
    /// (the coder asking when `coder` is none). Audited as a read of the record.
    pub async fn coding_as_eaf(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        recording: Uuid,
        scheme: Uuid,
        coder: Option<Uuid>,
    ) -> Result<CodingFile, AppError> {
        let coding = self.coding_of(access, recording).await?;
        let coder = coder
            .or(actor.id.map(|id| id.0))
            .ok_or(AppError::NotFound)?;
        let scheme = self
            .coding_scheme(actor, access.team_id(), scheme, None)
            .await?;
        let events: Vec<&CodedEvent> = coding
            .events_of(coder)
            .filter(|e| e.scheme_id == scheme.id)
            .collect();
        let coder_name = coding
            .coders()
            .into_iter()
            .find(|(id, _)| *id == coder)
            .map_or_else(|| actor.display_name.clone(), |(_, name)| name);
        let subjects = coding.subjects();
        let written_at = time::OffsetDateTime::from_unix_timestamp(self.now() / 1000)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default();
        let media_type = coding
            .recording
            .media
            .as_ref()
            .map_or("video/mp4", |m| m.media_type.as_str());
        let text = write_eaf(&EafExport {
            scheme: &scheme,
            events,
            subjects: &subjects,
            coder: &coder_name,
            media_name: &coding.recording.file_name,
            media_type,
            written_at: &written_at,
        });
        let mut entry = access.audit(actor, self.now(), AuditAction::RecordingCodingViewed);
        entry.detail = format!("recording {recording}: coding by {coder_name} exported as EAF");
        self.store.append_audit(entry).await?;
        Ok(CodingFile {
            file_name: coding.file_name(&coder_name, "eaf"),
            text,
        })
    }

    /// Every coder's events on a recording as CSV, one row an event, removed ones left out.
    /// Audited as a read of the record.
    pub async fn coding_as_csv(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        recording: Uuid,
    ) -> Result<CodingFile, AppError> {
        let coding = self.coding_of(access, recording).await?;
        let mut text = String::from(
            "coder,code,subject,start_seconds,end_seconds,modifiers,note,scheme,scheme_version\r\n",
        );
        let seconds = |millis: u64| format!("{}.{:03}", millis / 1000, millis % 1000);
        for event in coding.events.iter().filter(|e| !e.removed) {
            let row = [
                csv_field(&event.coder),
                csv_field(&event.content.code),
                csv_field(&subject_name(&coding.record, event.content.subject)),
                seconds(event.content.start_millis),
                event.content.end_millis.map(seconds).unwrap_or_default(),
                csv_field(&event.content.modifiers.join("; ")),
                csv_field(&event.content.note),
                event.scheme_id.to_string(),
                event.scheme_version.to_string(),
            ];
            text.push_str(&row.join(","));
            text.push_str("\r\n");
        }
        let mut entry = access.audit(actor, self.now(), AuditAction::RecordingCodingViewed);
        entry.detail = format!("recording {recording}: coding exported as CSV");
        self.store.append_audit(entry).await?;
        Ok(CodingFile {
            file_name: coding.file_name("every coder", "csv"),
            text,
        })
    }

    /// Reads an ELAN file as the asking coder's events on a recording under one of the team's
    /// schemes. Until `confirm`, nothing is kept: the answer says what maps and what does
    /// not. Confirmed, every event that maps is kept together, or none.
    pub async fn import_eaf(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        recording: Uuid,
        scheme: Uuid,
        text: &str,
        confirm: bool,
    ) -> Result<CodingImport, AppError> {
        let (coder, coding, scheme, babies) = self
            .coding_to_change(actor, access, recording, scheme)
            .await?;
        let found = read_eaf(
            text,
            &scheme,
            &coding.recording,
            &babies,
            &coding.subjects(),
        )
        .map_err(AppError::Invalid)?;
        if !confirm || found.events.is_empty() {
            return Ok(CodingImport { found, kept: 0 });
        }
        for content in &found.events {
            coding.no_clash(coder, content, None, &scheme)?;
        }
        let now = self.now();
        let events: Vec<CodedEvent> = found
            .events
            .iter()
            .map(|content| newly_coded(actor, coder, recording, &scheme, content.clone(), now))
            .collect();
        let entry = access.audit_change(
            actor,
            now,
            AuditAction::EventCoded,
            format!(
                "recording {recording}: {} events imported from an ELAN file",
                events.len()
            ),
        );
        self.store
            .add_coded_events(access.family_id(), &events, entry)
            .await?;
        Ok(CodingImport {
            kept: events.len(),
            found,
        })
    }
}

/// An event as first coded, by `actor`, under the scheme's version.
fn newly_coded(
    actor: &Actor,
    coder: cradle_domain::StaffId,
    recording: Uuid,
    scheme: &CodingScheme,
    content: cradle_domain::coded_events::EventContent,
    at_millis: i64,
) -> CodedEvent {
    CodedEvent {
        id: Uuid::now_v7(),
        recording_id: recording,
        scheme_id: scheme.id,
        scheme_version: scheme.version,
        content,
        removed: false,
        coder: actor.display_name.clone(),
        coder_id: coder.0,
        coded_at_millis: at_millis,
        version: 1,
        earlier: Vec::new(),
    }
}

fn changed_meanwhile(newest: &CodingScheme) -> AppError {
    AppError::Conflict(format!(
        "“{}” was changed by {} since you opened it (now version {}: {}). Look at it again before changing it.",
        newest.name, newest.changed_by, newest.version, newest.change
    ))
}

/// A subject's name as screens show it: the baby's name (or "the baby"), the mother, or a
/// person's name.
pub fn subject_name(record: &FamilyRecord, subject: Subject) -> String {
    match subject {
        Subject::Baby(baby) => record
            .family
            .babies
            .iter()
            .find(|b| b.id == baby)
            .and_then(|b| b.name.clone())
            .unwrap_or_else(|| "The baby".to_string()),
        Subject::Caregiver(cradle_domain::entries::Member::Mother) => {
            record.family.mother_name.clone()
        }
        Subject::Caregiver(cradle_domain::entries::Member::Person(id)) => {
            record.people.iter().find(|p| p.id == id).map_or_else(
                || "Someone no longer in the family".to_string(),
                |p| p.name.clone(),
            )
        }
    }
}
