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
    fn optional(value: Option<String>) -> String {
        match value {
            Some(v) => format!("+{}", v.replace('\u{1f}', "\u{1f}\u{1f}")),
            None => "-".to_string(),
        }
    }
    let fields = [
        record.prev_hash.clone(),
        record.seq.to_string(),
        record.at_millis.to_string(),
        optional(record.actor_id.map(|id| id.to_string())),
        optional(Some(record.actor_username.clone())),
        optional(record.actor_role.clone()),
        optional(record.team_id.map(|id| id.to_string())),
        optional(Some(record.action.clone())),
        optional(Some(record.outcome.clone())),
        optional(record.subject_kind.clone()),
        optional(record.subject_id.map(|id| id.to_string())),
        optional(Some(record.source.clone())),
        optional(record.break_glass_reason.clone()),
        optional(Some(record.detail.clone())),
    ];
    let mut hasher = Sha256::new();
    for field in fields {
        hasher.update(field.as_bytes());
        hasher.update([0x1f]);
    }
    hex::encode(hasher.finalize())
}

/// Where the chain first goes wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainFault {
    pub seq: i64,
    pub problem: String,
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
                seq: expected_seq,
                problem: format!(
                    "record {expected_seq} is missing (the next record found is {})",
                    record.seq
                ),
            });
        }
        if record.prev_hash != expected_prev {
            return Err(ChainFault {
                seq: record.seq,
                problem: format!(
                    "record {} does not follow the record before it (removed or reordered)",
                    record.seq
                ),
            });
        }
        if chain_hash(record) != record.hash {
            return Err(ChainFault {
                seq: record.seq,
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
