//! The audit trail's hash chain. Each record's hash covers its own fields and the previous
//! record's hash, so editing, removing or reordering any record breaks every link after it.

use cradle_domain::{AuditAction, AuditOutcome, Role, StaffId, SubjectKind, TeamId};
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An audit record as stored, with its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub seq: i64,
    pub at_millis: i64,
    pub actor_id: Option<StaffId>,
    pub actor_username: String,
    pub actor_role: Option<String>,
    pub team_id: Option<TeamId>,
    pub action: String,
    pub outcome: String,
    pub subject_kind: Option<String>,
    pub subject_id: Option<Uuid>,
    pub source: String,
    pub break_glass_reason: Option<String>,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRecord {
    pub fn action(&self) -> Option<AuditAction> {
        AuditAction::from_code(&self.action)
    }
    pub fn role(&self) -> Option<Role> {
        self.actor_role
            .as_deref()
            .and_then(|code| Role::parse("role", code).ok())
    }
    pub fn subject(&self) -> Option<SubjectKind> {
        self.subject_kind
            .as_deref()
            .and_then(SubjectKind::from_code)
    }
    pub fn was_denied(&self) -> bool {
        self.outcome == AuditOutcome::Denied.code()
    }
}

/// Links new entries onto the chain whose newest record is `seq` with `hash`: each gets the
/// next sequence number, the previous record's hash and its own.
pub(crate) fn link(
    mut seq: i64,
    mut hash: String,
    entries: Vec<crate::AuditEntry>,
) -> Vec<AuditRecord> {
    let mut records = Vec::with_capacity(entries.len());
    for entry in entries {
        let mut record = AuditRecord {
            seq: seq + 1,
            at_millis: entry.at_millis,
            actor_id: entry.actor_id,
            actor_username: entry.actor_username,
            actor_role: entry.actor_role.map(|r| r.code().to_string()),
            team_id: entry.team_id,
            action: entry.action.code().to_string(),
            outcome: entry.outcome.code().to_string(),
            subject_kind: entry.subject_kind.map(|k| k.code().to_string()),
            subject_id: entry.subject_id,
            source: entry.source,
            break_glass_reason: entry.break_glass_reason,
            detail: entry.detail,
            prev_hash: hash,
            hash: String::new(),
        };
        record.hash = chain_hash(&record);
        seq = record.seq;
        hash = record.hash.clone();
        records.push(record);
    }
    records
}

/// Inserts one record; its values in the order of [`AuditRecord`]'s fields.
pub(crate) const INSERT_AUDIT_RECORD: &str = "INSERT INTO audit_events (seq, at, actor_id, actor_username, actor_role, team_id, action, outcome, subject_kind, subject_id, source, break_glass_reason, detail, prev_hash, hash) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";

/// Moves the chain's head to its newest record.
pub(crate) const MOVE_AUDIT_HEAD: &str = "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1";

/// The hash of one record given the previous record's hash. Fields are separated by a
/// character that cannot appear in them unescaped, and absent values differ from empty ones.
pub fn chain_hash(record: &AuditRecord) -> String {
    // Every field is written as text and ended by a unit separator (0x1f); an optional field
    // is "-" when absent, or "+" and its text with each separator doubled. The hasher is fed
    // piece by piece rather than from a copy of each field, as every audited request hashes
    // one record.
    struct Fields(Sha256);
    impl Fields {
        fn plain(&mut self, text: &str) {
            self.0.update(text.as_bytes());
            self.0.update([0x1f]);
        }
        fn optional(&mut self, value: Option<&str>) {
            match value {
                Some(text) => {
                    self.0.update(b"+");
                    let mut pieces = text.split('\u{1f}');
                    if let Some(first) = pieces.next() {
                        self.0.update(first.as_bytes());
                    }
                    for piece in pieces {
                        self.0.update([0x1f, 0x1f]);
                        self.0.update(piece.as_bytes());
                    }
                }
                None => self.0.update(b"-"),
            }
            self.0.update([0x1f]);
        }
        fn optional_id(&mut self, value: Option<Uuid>) {
            let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
            self.optional(value.map(|id| &*id.as_hyphenated().encode_lower(&mut text)));
        }
    }
    let mut fields = Fields(Sha256::new());
    fields.plain(&record.prev_hash);
    fields.plain(&record.seq.to_string());
    fields.plain(&record.at_millis.to_string());
    fields.optional_id(record.actor_id.map(|id| id.0));
    fields.optional(Some(&record.actor_username));
    fields.optional(record.actor_role.as_deref());
    fields.optional_id(record.team_id.map(|id| id.0));
    fields.optional(Some(&record.action));
    fields.optional(Some(&record.outcome));
    fields.optional(record.subject_kind.as_deref());
    fields.optional_id(record.subject_id);
    fields.optional(Some(&record.source));
    fields.optional(record.break_glass_reason.as_deref());
    fields.optional(Some(&record.detail));
    hex::encode(fields.0.finalize())
}

/// Where the chain first goes wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainFault {
    /// The record where the chain first goes wrong; `None` when it is the chain's head (the
    /// newest link, kept apart so that removing records from the end is seen).
    pub seq: Option<i64>,
    pub problem: String,
}

impl ChainFault {
    /// "record 3" or "its head", for "the audit trail is broken at …".
    pub fn place(&self) -> String {
        match self.seq {
            Some(seq) => format!("record {seq}"),
            None => "its head".to_string(),
        }
    }
}

/// Checks a run of records that follows `previous` (or the start of the chain).
pub fn verify_chain(
    previous: Option<&AuditRecord>,
    records: &[AuditRecord],
) -> Result<(), ChainFault> {
    let mut expected_prev = previous
        .map(|r| r.hash.clone())
        .unwrap_or_else(|| GENESIS_HASH.to_string());
    let first_seq = previous.map(|r| r.seq + 1).unwrap_or(1);
    for (expected_seq, record) in (first_seq..).zip(records) {
        if record.seq != expected_seq {
            return Err(ChainFault {
                seq: Some(expected_seq),
                problem: format!(
                    "record {expected_seq} is missing (the next record found is {})",
                    record.seq
                ),
            });
        }
        if record.prev_hash != expected_prev {
            return Err(ChainFault {
                seq: Some(record.seq),
                problem: format!(
                    "record {} does not follow the record before it (removed or reordered)",
                    record.seq
                ),
            });
        }
        if chain_hash(record) != record.hash {
            return Err(ChainFault {
                seq: Some(record.seq),
                problem: format!(
                    "record {} has been changed since it was written",
                    record.seq
                ),
            });
        }
        expected_prev = record.hash.clone();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(optional: bool, detail: &str) -> AuditRecord {
        let id = |text: &str| Uuid::parse_str(text).unwrap();
        AuditRecord {
            seq: 42,
            at_millis: 1_795_700_000_123,
            actor_id: optional.then(|| StaffId(id("01a21b3d-b125-75b2-a0fd-8baf88f20918"))),
            actor_username: "clinician".to_string(),
            actor_role: optional.then(|| "clinician".to_string()),
            team_id: optional.then(|| TeamId(id("01a21b3d-b0e3-72c9-be86-ad947458e0ff"))),
            action: "family.viewed".to_string(),
            outcome: "allowed".to_string(),
            subject_kind: optional.then(|| "family".to_string()),
            subject_id: optional.then(|| id("01a21b3d-b312-73a4-9e31-e77fbad851d4")),
            source: "http 127.0.0.1".to_string(),
            break_glass_reason: optional.then(|| "urgent\u{1f}safeguarding".to_string()),
            detail: detail.to_string(),
            prev_hash: GENESIS_HASH.to_string(),
            hash: String::new(),
        }
    }

    /// The hashes of records written by earlier versions must still verify: these two were
    /// computed by the first implementation (every field formatted into its own string).
    #[test]
    fn a_record_hashes_as_it_always_has() {
        assert_eq!(
            chain_hash(&record(true, "a\u{1f}b\u{1f}\u{1f}c")),
            "8a4ddb886f09a5db63f6966f8b6a6ba31b4cde6bfa338cc6d6dc5ee75359a9f9"
        );
        assert_eq!(
            chain_hash(&record(false, "")),
            "ccd94a94ac62b34b5f2b4965a3cf34f1d28332b29259da546164356776d6a234"
        );
        let mut negative = record(false, "");
        negative.at_millis = -5;
        negative.seq = i64::MIN;
        let old_way = {
            let mut hasher = Sha256::new();
            for field in [
                GENESIS_HASH.to_string(),
                i64::MIN.to_string(),
                "-5".to_string(),
                "-".into(),
                "+clinician".into(),
                "-".into(),
                "-".into(),
                "+family.viewed".into(),
                "+allowed".into(),
                "-".into(),
                "-".into(),
                "+http 127.0.0.1".into(),
                "-".into(),
                "+".into(),
            ] {
                hasher.update(field.as_bytes());
                hasher.update([0x1f]);
            }
            hex::encode(hasher.finalize())
        };
        assert_eq!(chain_hash(&negative), old_way);
    }
}
