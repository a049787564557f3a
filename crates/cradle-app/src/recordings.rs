//! Video feedback recordings: an upload begun under a consent that covers it, resumed from
//! where it stopped, checked when it ends, viewed only while its consent is in force and
//! for a purpose it covers, and deleted with its key. Every step is audited; every request
//! for the film is a viewing and is audited with its purpose.

use crate::{Actor, AppError, Cradle, FamilyAccess};
use cradle_domain::filming::{FilmingPurpose, ViewingScope};
use cradle_domain::recordings::{
    Deletion, DeletionReason, MediaFacts, Recording, RecordingInput, RecordingState,
    RetentionPeriods,
};
use cradle_domain::{AuditAction, Role};
use cradle_media::films::{Films, Upload};
use cradle_media::keys::{Keyring, WrappedKey};
use cradle_media::probe::{Examination, Tools};
use cradle_media::seal::Chunks;
use cradle_media::MediaError;
use cradle_store::{RecordingToView, Sections, StoreError, StoredKey};
use sha2::Digest;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// Where recordings rest, the keys that seal them and the tools that check them.
pub struct Media {
    pub keyring: Keyring,
    pub films: Films,
    pub tools: Tools,
    /// Recordings being received by this server now: one upload of a recording at a time.
    receiving: Mutex<HashSet<Uuid>>,
}

impl Media {
    pub fn new(keyring: Keyring, films: Films, tools: Tools) -> Self {
        Self {
            keyring,
            films,
            tools,
            receiving: Mutex::new(HashSet::new()),
        }
    }
}

/// The master keys in the file at `path` (`name=key` entries, newest first), made with one
/// new key if the file is not there yet (readable by its owner only).
pub fn load_or_create_keyring(path: &std::path::Path) -> Result<Keyring, String> {
    if !path.exists() {
        let entry = Keyring::new_master_entry("first").map_err(|e| e.to_string())?;
        crate::secrets::write_key_file(path, &format!("{entry}\n"), "the master keys")?;
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the master keys {}: {e}", path.display()))?;
    Keyring::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn media_failure(error: MediaError) -> AppError {
    match error {
        MediaError::Tampered => AppError::Internal(
            "a recording's stored film failed its check: it was changed or damaged in storage"
                .to_string(),
        ),
        other => AppError::Internal(other.to_string()),
    }
}

fn consent_not_in_force() -> AppError {
    AppError::Conflict(
        "The consent to film this recording was made under has been withdrawn or has ended: nothing more of it may be uploaded.".to_string(),
    )
}

/// A recording's upload that stopped part-way: where it is, so the sender resumes there.
fn not_at(received: u64) -> AppError {
    AppError::Conflict(format!(
        "The upload has {received} bytes so far: resume from there."
    ))
}

impl Cradle {
    fn media(&self) -> Result<&Arc<Media>, AppError> {
        self.media.as_ref().ok_or_else(|| {
            AppError::Conflict(
                "Recordings are not set up on this server: ask the administrator.".to_string(),
            )
        })
    }

    /// Begins a recording's upload, after checking it against the family's consents to
    /// film. Its key is made now and kept only wrapped.
    pub async fn start_recording(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        input: &RecordingInput,
    ) -> Result<Recording, AppError> {
        let staff = actor.staff_changing_records()?;
        let media = self.media()?;
        let record = self.record_for_change(access, Sections::VIDEO).await?;
        let parsed = input
            .parse(&record, self.today())
            .map_err(AppError::Invalid)?;
        let now = self.now();
        let id = Uuid::now_v7();
        let recording = parsed.started(id, staff.0, &actor.display_name, now);
        let (_, wrapped) = media.keyring.new_data_key(id).map_err(media_failure)?;
        let mut entry = access.audit(actor, now, AuditAction::RecordingUploadStarted);
        entry.detail = format!("recording {id}, {} bytes", recording.length);
        match self
            .store
            .start_recording(
                access.family_id(),
                &recording,
                &StoredKey {
                    master: wrapped.master,
                    sealed: wrapped.sealed,
                },
                staff,
                entry,
            )
            .await
        {
            Ok(()) => Ok(recording),
            // The consent was withdrawn between the check and the change.
            Err(StoreError::NotFound) => Err(AppError::invalid(
                "consent",
                "That consent to film was withdrawn: nothing more may be filmed or uploaded under it",
            )),
            Err(other) => Err(other.into()),
        }
    }

    /// The recording `id` of the family, as the record holds it now.
    pub async fn recording(
        &self,
        access: &FamilyAccess,
        id: Uuid,
    ) -> Result<(cradle_domain::network::FamilyRecord, Recording), AppError> {
        let record = self.record_for_change(access, Sections::VIDEO).await?;
        let recording = record
            .recordings
            .iter()
            .find(|r| r.id == id)
            .cloned()
            .ok_or(AppError::NotFound)?;
        Ok((record, recording))
    }

    /// The recording `id` as it stands once any stretch of its upload still being received
    /// here has closed (a connection that dropped a moment ago is still being closed: what it
    /// brought is kept before the offset is given). Waits up to ten seconds.
    pub async fn upload_offset(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        id: Uuid,
    ) -> Result<Recording, AppError> {
        actor.staff_changing_records()?;
        let media = self.media()?;
        for _ in 0..200 {
            let busy = media
                .receiving
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .contains(&id);
            if !busy {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let (_, recording) = self.recording(access, id).await?;
        match recording.state {
            RecordingState::Deleted => Err(AppError::NotFound),
            // Every byte arrived but the answer to the last was lost (the connection dropped
            // while the film was being checked): it is checked now, so the sender learns
            // whether it was taken before it takes the upload as done.
            RecordingState::Uploading if recording.received == recording.length => {
                self.resume_upload(actor, access, id, recording.length)
                    .await?
                    .close()
                    .await
            }
            _ => Ok(recording),
        }
    }

    async fn data_key(
        &self,
        access: &FamilyAccess,
        id: Uuid,
    ) -> Result<cradle_media::keys::DataKey, AppError> {
        let stored = self
            .store
            .recording_key(access.family_id(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.open_key(id, stored)
    }

    /// Recording `id`'s data key, unwrapped by the master key it was wrapped under.
    fn open_key(
        &self,
        id: Uuid,
        stored: StoredKey,
    ) -> Result<cradle_media::keys::DataKey, AppError> {
        self.media()?
            .keyring
            .open_key(
                &WrappedKey {
                    master: stored.master,
                    sealed: stored.sealed,
                },
                id,
            )
            .map_err(media_failure)
    }

    /// Takes up a recording's upload at `offset`, which must be where it stopped.
    pub async fn resume_upload<'a>(
        &'a self,
        actor: &Actor,
        access: &FamilyAccess,
        id: Uuid,
        offset: u64,
    ) -> Result<Receiving<'a>, AppError> {
        actor.staff_changing_records()?;
        let media = self.media()?;
        let (record, recording) = self.recording(access, id).await?;
        if recording.state != RecordingState::Uploading {
            return Err(AppError::Conflict(
                "This recording's upload has already ended.".to_string(),
            ));
        }
        if !record
            .filming_consents
            .iter()
            .any(|c| c.id == recording.consent_id && c.in_force(self.today()))
        {
            return Err(consent_not_in_force());
        }
        if offset != recording.received {
            return Err(not_at(recording.received));
        }
        {
            let mut receiving = media
                .receiving
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if !receiving.insert(id) {
                return Err(AppError::Conflict(
                    "This recording is being uploaded already, from another window or device."
                        .to_string(),
                ));
            }
        }
        let guard = ReceivingGuard {
            media: Arc::clone(media),
            id,
        };
        let key = self.data_key(access, id).await?;
        let upload = media
            .films
            .upload(&key, id, recording.length, recording.received)
            .await
            .map_err(media_failure)?;
        Ok(Receiving {
            app: self,
            actor: actor.clone(),
            access: access.clone(),
            hash: (recording.received == 0).then(|| (sha2::Sha256::new(), 0)),
            recording,
            upload: Some(upload),
            _guard: guard,
        })
    }

    /// Checks a recording whose bytes have all arrived: the whole film opens, its SHA-256
    /// is the one its sender gave, and its content is a whole film (see
    /// [`cradle_media::probe`]), from which a poster frame is taken and sealed beside it.
    /// Then it may be viewed. If not, it is deleted with its key and the sender told why; if
    /// the check could not run, it waits, whole, to be finished again.
    async fn finish_upload(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        recording: Recording,
        hashed: Option<sha2::Sha256>,
    ) -> Result<Recording, AppError> {
        let media = self.media()?;
        let key = self.data_key(access, recording.id).await?;
        let chunks =
            Arc::new(Chunks::new(&key, recording.id, recording.length).map_err(media_failure)?);
        // Hashed as it arrived when one stretch brought it all; otherwise read back whole.
        let hash = match hashed {
            Some(hash) => hash,
            None => {
                let mut hash = sha2::Sha256::new();
                let step = 8 * 1024 * 1024;
                let mut start = 0;
                while start < recording.length {
                    let end = (start + step).min(recording.length);
                    let bytes = media
                        .films
                        .read(&chunks, recording.id, start, end)
                        .await
                        .map_err(media_failure)?;
                    hash.update(&bytes);
                    start = end;
                }
                hash
            }
        };
        let found = hex::encode(hash.finalize());
        if recording
            .checksum
            .as_ref()
            .is_some_and(|sent| *sent != found)
        {
            return Err(self
                .refuse_upload(
                    actor,
                    access,
                    recording,
                    "The file that arrived is not the file that was sent (its checksum differs): upload it again".to_string(),
                )
                .await);
        }
        let examined = match media
            .tools
            .examine(&media.films, chunks, recording.id)
            .await
        {
            Ok(examined) => examined,
            Err(Examination::Refused(why)) => {
                return Err(self.refuse_upload(actor, access, recording, why).await)
            }
            Err(Examination::NotChecked(why)) => {
                tracing::error!(recording = %recording.id, %why, "a recording could not be checked");
                return Err(AppError::Conflict(
                    "The film arrived whole, but this server could not check it, so it cannot be watched yet: ask the administrator. Nothing needs sending again: finishing the upload later checks it then.".to_string(),
                ));
            }
        };
        let poster = Chunks::of_poster(&key, recording.id, examined.poster.len() as u64)
            .map_err(media_failure)?;
        media
            .films
            .put_poster(&poster, recording.id, &examined.poster)
            .await
            .map_err(media_failure)?;
        let now = self.now();
        let was = (recording.state, recording.received);
        let ready = Recording {
            state: RecordingState::Ready,
            uploaded_at_millis: Some(now),
            checksum: Some(found),
            media: Some(MediaFacts {
                container: examined.container,
                media_type: examined.media_type,
                duration_millis: examined.duration_millis,
                width: examined.width,
                height: examined.height,
                video_codec: examined.video_codec,
                audio_codec: examined.audio_codec,
                poster_bytes: examined.poster.len() as u64,
            }),
            ..recording
        };
        let mut entry = access.audit(actor, now, AuditAction::RecordingUploaded);
        entry.detail = format!("recording {}, {} bytes", ready.id, ready.length);
        self.store
            .update_recording(access.family_id(), &ready, was, entry)
            .await?;
        Ok(ready)
    }

    /// Deletes an upload that was refused once it arrived, with its key, and answers the
    /// error telling its sender why.
    async fn refuse_upload(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        recording: Recording,
        why: String,
    ) -> AppError {
        let message = format!("{why}. Nothing of this upload was kept");
        match self
            .delete_recording_now(actor, access, recording, DeletionReason::Refused, why)
            .await
        {
            Ok(_) => AppError::invalid("file", message),
            Err(error) => error,
        }
    }

    async fn delete_recording_now(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        recording: Recording,
        reason: DeletionReason,
        detail: String,
    ) -> Result<Recording, AppError> {
        let media = self.media()?;
        let now = self.now();
        let was = (recording.state, recording.received);
        let deleted = Recording {
            state: RecordingState::Deleted,
            deletion: Some(Deletion {
                at_millis: now,
                reason,
                detail,
                by: actor.display_name.clone(),
            }),
            ..recording
        };
        let action = if reason == DeletionReason::Refused {
            AuditAction::RecordingRefused
        } else {
            AuditAction::RecordingDeleted
        };
        let mut entry = access.audit(actor, now, action);
        entry.detail = format!("recording {}: {}", deleted.id, reason.code());
        // The key goes first, with the record of the deletion: from then on the film cannot
        // be opened, whatever becomes of its parts.
        match self
            .store
            .update_recording(access.family_id(), &deleted, was, entry)
            .await
        {
            Ok(()) => {}
            Err(StoreError::NotFound) => {
                return Err(AppError::Conflict(
                    "This recording was changed meanwhile: look at it again.".to_string(),
                ))
            }
            Err(other) => return Err(other.into()),
        }
        if let Err(error) = media.films.delete(deleted.id, deleted.length).await {
            // Its key is destroyed already, so what remains cannot be opened; the deletion
            // job removes it later.
            tracing::warn!(recording = %deleted.id, %error, "a deleted recording's parts could not all be removed yet");
        }
        Ok(deleted)
    }

    /// How long the team keeps recordings for each purpose: for the team's managers, and
    /// shown to its staff when they film.
    pub async fn recording_retention(
        &self,
        actor: &Actor,
        team: cradle_domain::TeamId,
    ) -> Result<RetentionPeriods, AppError> {
        if !actor.teams.contains(&team) {
            return Err(AppError::NotInTeam);
        }
        Ok(self.store.recording_retention(team).await?)
    }

    /// Changes those periods for one of the manager's teams, each typed as months (1 to 120).
    /// The deletion job follows the new periods from its next run.
    pub async fn set_recording_retention(
        &self,
        actor: &Actor,
        team: cradle_domain::TeamId,
        typed: &[(FilmingPurpose, &str)],
    ) -> Result<RetentionPeriods, AppError> {
        self.require_team_practice(actor, team)?;
        let periods = RetentionPeriods::parse(typed).map_err(AppError::Invalid)?;
        let mut entry = actor.audit(
            self.now(),
            AuditAction::TeamSettingsChanged,
            Some((cradle_domain::SubjectKind::Team, team.0)),
        );
        entry.team_id = Some(team);
        entry.detail = format!("recordings kept (months): {}", periods.to_text());
        self.store
            .set_recording_retention(team, &periods, entry)
            .await?;
        Ok(periods)
    }

    /// Deletes every recording that may no longer be kept (its consent withdrawn or ended,
    /// the team's retention period for its purpose passed, its upload abandoned), each with its reason and an audit record. Answers how many.
    pub async fn delete_recordings_due(&self) -> Result<u64, AppError> {
        if self.media.is_none() {
            return Ok(0);
        }
        let actor = Actor::housekeeping();
        let today = self.today();
        let now = self.now();
        let mut deleted = 0;
        for kept in self.store.recordings_in_keeping().await? {
            let Some((reason, detail)) =
                kept.recording
                    .due_for_deletion(kept.consent.as_ref(), &kept.retention, today, now)
            else {
                continue;
            };
            let access = FamilyAccess::for_housekeeping(kept.family, kept.team);
            match self
                .delete_recording_now(&actor, &access, kept.recording, reason, detail)
                .await
            {
                Ok(_) => deleted += 1,
                // Changed meanwhile (an upload moved on): the next run looks again.
                Err(AppError::Conflict(_)) => {}
                Err(other) => return Err(other),
            }
        }
        Ok(deleted)
    }

    /// Wraps every recording's key again under the newest master key (the first line of the
    /// master keys file), each change audited: how a new master key is brought in without
    /// touching any film. Answers how many were wrapped again; once every key is, the older
    /// master keys may be removed from the file.
    pub async fn rewrap_recording_keys(&self, actor: &Actor) -> Result<u64, AppError> {
        let media = self.media()?;
        let newest = media.keyring.current().to_string();
        let mut rewrapped = 0;
        for found in self.store.recording_keys_not_under(&newest).await? {
            let wrapped = media
                .keyring
                .rewrap(
                    &WrappedKey {
                        master: found.key.master.clone(),
                        sealed: found.key.sealed.clone(),
                    },
                    found.recording,
                )
                .map_err(media_failure)?;
            let access = FamilyAccess::for_housekeeping(found.family, found.team);
            let mut entry = access.audit(actor, self.now(), AuditAction::RecordingKeyRewrapped);
            entry.detail = format!(
                "recording {}: key wrapped under {} instead of {}",
                found.recording, wrapped.master, found.key.master
            );
            match self
                .store
                .rewrap_recording_key(
                    found.family,
                    found.recording,
                    &found.key.master,
                    &StoredKey {
                        master: wrapped.master,
                        sealed: wrapped.sealed,
                    },
                    entry,
                )
                .await
            {
                Ok(()) => rewrapped += 1,
                // Deleted meanwhile, or wrapped again by another run: nothing to do.
                Err(StoreError::NotFound) => {}
                Err(other) => return Err(other.into()),
            }
        }
        Ok(rewrapped)
    }

    /// Deletes a recording at a clinician's request, with the reason: its key is destroyed
    /// and its film removed; the record of it stays.
    pub async fn delete_recording(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        id: Uuid,
        reason: &str,
    ) -> Result<Recording, AppError> {
        actor.staff_changing_records()?;
        let (_, recording) = self.recording(access, id).await?;
        if recording.state == RecordingState::Deleted {
            return Err(AppError::Conflict(
                "This recording has been deleted already.".to_string(),
            ));
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AppError::invalid(
                "reason",
                "Enter why the recording is being deleted",
            ));
        }
        if reason.chars().count() > 1000 {
            return Err(AppError::invalid(
                "reason",
                "Why the recording is being deleted must be 1000 characters or fewer",
            ));
        }
        self.delete_recording_now(
            actor,
            access,
            recording,
            DeletionReason::ByStaff,
            reason.to_string(),
        )
        .await
    }

    /// Opens a recording for viewing for `purpose`: uploaded, its consent in force and
    /// covering the purpose, and the viewer within the consent's scope. The viewing is
    /// audited with its purpose; the film is then read with [`Viewing::read`].
    pub async fn view_recording(
        &self,
        actor: &Actor,
        access: &FamilyAccess,
        id: Uuid,
        purpose: FilmingPurpose,
        detail: &str,
    ) -> Result<Viewing, AppError> {
        let media = self.media()?;
        // The recording, its consent and its key in one read: each range of a film asks this.
        let RecordingToView {
            recording,
            consent,
            key,
        } = self
            .store
            .recording_to_view(access.family_id(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        let consent = consent.as_ref();
        may_view(actor, access, &recording, consent, purpose, self.today())?;
        let key = self.open_key(id, key.ok_or(AppError::NotFound)?)?;
        let chunks = Chunks::new(&key, id, recording.length).map_err(media_failure)?;
        let poster = match &recording.media {
            Some(facts) if facts.poster_bytes > 0 => {
                Some(Chunks::of_poster(&key, id, facts.poster_bytes).map_err(media_failure)?)
            }
            _ => None,
        };
        let mut entry = access.audit(actor, self.now(), AuditAction::RecordingViewed);
        entry.detail = format!("recording {id} for {}: {detail}", purpose.code());
        self.store.append_audit(entry).await?;
        Ok(Viewing {
            films: media.films.clone(),
            chunks,
            poster,
            recording,
            family: access.family_id(),
            consent_ends: consent.map_or(self.today(), |c| c.expires_on),
        })
    }

    /// Whether a recording may still be viewed: its consent not withdrawn (read afresh, so
    /// a withdrawal on any server stops a viewing in progress).
    pub async fn still_viewable(&self, viewing: &Viewing) -> Result<bool, AppError> {
        Ok(self.today() <= viewing.consent_ends
            && !self
                .store
                .consent_withdrawn(viewing.family, viewing.recording.consent_id)
                .await?
            && self
                .store
                .recording_key(viewing.family, viewing.recording.id)
                .await?
                .is_some())
    }
}

/// Whether `actor` may view `recording` for `purpose` today: uploaded, not deleted, its
/// consent in force and covering the purpose, and the viewer within the consent's scope.
pub(crate) fn may_view(
    actor: &Actor,
    access: &FamilyAccess,
    recording: &Recording,
    consent: Option<&cradle_domain::filming::FilmingConsent>,
    purpose: FilmingPurpose,
    today: time::Date,
) -> Result<(), AppError> {
    recording
        .viewable(consent, purpose, today)
        .map_err(|why| AppError::Conflict(why.0))?;
    // The family's care team is its own team's staff: emergency access to another team's
    // record never reaches its films.
    let care_team =
        actor.teams.contains(&access.team_id()) && access.break_glass_reason().is_none();
    let in_scope = care_team
        && match consent.map(|c| c.scope) {
            Some(ViewingScope::CareTeam) => true,
            _ => {
                actor.id.is_some_and(|me| me.0 == recording.started_by_id)
                    || actor.role == Role::TeamManager
            }
        };
    if !in_scope {
        return Err(AppError::Conflict(
            "The family agreed who may view this recording: the practitioner who filmed it and their supervisor, or their care team. It is shown to no one else, emergency access included.".to_string(),
        ));
    }
    Ok(())
}

/// A recording opened for viewing: its film read a range at a time.
pub struct Viewing {
    films: Films,
    chunks: Chunks,
    poster: Option<Chunks>,
    pub recording: Recording,
    family: cradle_domain::FamilyId,
    /// The last day its consent covers viewing.
    consent_ends: time::Date,
}

impl Viewing {
    /// Bytes `start..end` of the film; nothing if any of it fails its check.
    pub async fn read(&self, start: u64, end: u64) -> Result<Vec<u8>, AppError> {
        self.films
            .read(&self.chunks, self.recording.id, start, end)
            .await
            .map_err(media_failure)
    }

    /// The poster frame taken from the film when it was checked (a JPEG).
    pub async fn poster(&self) -> Result<Vec<u8>, AppError> {
        let chunks = self.poster.as_ref().ok_or(AppError::NotFound)?;
        self.films
            .poster(chunks, self.recording.id)
            .await
            .map_err(media_failure)
    }
}

/// Frees the recording for another upload when this one ends, however it ends.
struct ReceivingGuard {
    media: Arc<Media>,
    id: Uuid,
}

impl Drop for ReceivingGuard {
    fn drop(&mut self) {
        self.media
            .receiving
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(&self.id);
    }
}

/// A stretch of a recording's upload: bytes taken in order, each part recorded as received
/// as it is written.
pub struct Receiving<'a> {
    app: &'a Cradle,
    actor: Actor,
    access: FamilyAccess,
    recording: Recording,
    /// Taken when the stretch closes.
    upload: Option<Upload>,
    /// The SHA-256 of every byte taken, when this stretch began at the first byte: if it
    /// brings the whole film, its checksum needs no second reading.
    hash: Option<(sha2::Sha256, u64)>,
    _guard: ReceivingGuard,
}

impl Receiving<'_> {
    /// The recording as it stands.
    pub fn recording(&self) -> &Recording {
        &self.recording
    }

    /// Takes the next bytes; bytes beyond the declared length are refused.
    pub async fn push(&mut self, bytes: &[u8]) -> Result<(), AppError> {
        let Some(upload) = self.upload.as_mut() else {
            return Err(not_at(self.recording.received));
        };
        if let Some((hash, taken)) = self.hash.as_mut() {
            // Only what fits the declared length: more is refused below.
            let room = usize::try_from(self.recording.length - *taken).unwrap_or(usize::MAX);
            let fits = bytes.get(..room.min(bytes.len())).unwrap_or_default();
            hash.update(fits);
            *taken += fits.len() as u64;
        }
        match upload.push(bytes).await {
            Ok(Some(written)) => self.record_received(written).await,
            Ok(None) => Ok(()),
            Err(MediaError::OutOfRange { length, .. }) => Err(AppError::invalid(
                "file",
                format!("More was sent than the {length} bytes the upload declared"),
            )),
            Err(other) => Err(media_failure(other)),
        }
    }

    async fn record_received(&mut self, written: u64) -> Result<(), AppError> {
        if written == self.recording.received {
            return Ok(());
        }
        // Consent withdrawn while the film was arriving, on any server: no more is kept.
        if self
            .app
            .store
            .consent_withdrawn(self.access.family_id(), self.recording.consent_id)
            .await?
        {
            return Err(consent_not_in_force());
        }
        let was = (self.recording.state, self.recording.received);
        let moved = Recording {
            received: written,
            ..self.recording.clone()
        };
        let mut entry = self.access.audit(
            &self.actor,
            self.app.now(),
            AuditAction::RecordingPartReceived,
        );
        entry.detail = format!(
            "recording {}: bytes {} to {written}",
            moved.id, self.recording.received
        );
        self.app
            .store
            .update_recording(self.access.family_id(), &moved, was, entry)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => not_at(self.recording.received),
                other => other.into(),
            })?;
        self.recording = moved;
        Ok(())
    }

    /// Ends this stretch: keeps every whole chunk received, and once every byte is here
    /// checks the recording and makes it viewable. Answers the recording as it now is.
    pub async fn close(mut self) -> Result<Recording, AppError> {
        let Some(upload) = self.upload.take() else {
            return Ok(self.recording.clone());
        };
        let written = upload.close().await.map_err(media_failure)?;
        self.record_received(written).await?;
        if self.recording.received == self.recording.length {
            let recording = self.recording.clone();
            return self
                .app
                .finish_upload(
                    &self.actor,
                    &self.access,
                    recording,
                    self.hash.take().map(|(hash, _)| hash),
                )
                .await;
        }
        Ok(self.recording.clone())
    }
}
