//! Signed checkpoints of the audit trail, so that even someone with every right over the
//! database cannot quietly rewrite it.
//!
//! The hash chain shows any record changed, removed or reordered, but whoever can write to the
//! database could recompute every hash after an edit, remove the newest records and move the
//! head back, or put a whole new chain in its place, and the chain would check. So Cradle
//! signs checkpoints (the chain's length and its head's hash, with the time) with an Ed25519
//! key kept outside the database, and writes them where the operator chooses (a file by
//! default, and the log). `cradle audit verify` then checks the chain against every
//! checkpoint with the public key: a chain shorter than a checkpoint, or whose record at a
//! checkpoint's length has another hash, has been rewritten. Only the public key is needed to
//! verify, so an auditor can check without being able to sign.

use crate::{Actor, AppError, Cradle};
use cradle_domain::Permission;
use cradle_store::ChainFault;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// The key that signs checkpoints. Its secret never leaves the file it was read from.
pub struct AuditSigner {
    key: SigningKey,
}

impl std::fmt::Debug for AuditSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditSigner(public key {})", self.public_key())
    }
}

impl AuditSigner {
    /// Reads the key from `path` (64 hex digits), or makes one there, readable by its owner
    /// only, if there is no file yet.
    pub fn load_or_create(path: &Path) -> Result<Self, String> {
        if path.exists() {
            return Self::load(path);
        }
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| format!("no randomness: {e}"))?;
        crate::secrets::write_key_file(
            path,
            &format!("{}\n", hex::encode(seed)),
            "the audit signing key",
        )?;
        Ok(Self {
            key: SigningKey::from_bytes(&seed),
        })
    }

    /// A key held only in memory, for a check that has no checkpoint to verify.
    pub fn ephemeral() -> Self {
        let mut seed = [0u8; 32];
        // Without randomness the all-zero key serves: it signs nothing that is kept.
        let _ = getrandom::fill(&mut seed);
        Self {
            key: SigningKey::from_bytes(&seed),
        }
    }

    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the audit signing key {}: {e}", path.display()))?;
        let seed: [u8; 32] = hex::decode(text.trim())
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| {
                format!(
                    "{} is not an audit signing key (64 hexadecimal digits)",
                    path.display()
                )
            })?;
        Ok(Self {
            key: SigningKey::from_bytes(&seed),
        })
    }

    /// The public key, in hex: what an auditor needs to verify checkpoints.
    pub fn public_key(&self) -> String {
        hex::encode(self.key.verifying_key().to_bytes())
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }
}

/// Reads a public key given as 64 hex digits.
pub fn public_key_from_hex(text: &str) -> Result<VerifyingKey, String> {
    let bytes: [u8; 32] = hex::decode(text.trim())
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| "a public key is 64 hexadecimal digits".to_string())?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| "that is not an Ed25519 public key".to_string())
}

/// One checkpoint: the chain had `records` records and its newest had hash `head` at
/// `at_millis`, signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub records: i64,
    pub head: String,
    pub at_millis: i64,
    /// Which key signed it (for the reader; verification uses the key it is given).
    pub public_key: String,
    pub signature: String,
}

impl Checkpoint {
    fn message(records: i64, head: &str, at_millis: i64) -> String {
        format!("cradle audit checkpoint v1\n{records}\n{head}\n{at_millis}")
    }

    /// Whether `key` signed exactly this checkpoint.
    pub fn signed_by(&self, key: &VerifyingKey) -> bool {
        let Some(signature) = hex::decode(&self.signature)
            .ok()
            .and_then(|bytes| <[u8; 64]>::try_from(bytes).ok())
        else {
            return false;
        };
        key.verify(
            Self::message(self.records, &self.head, self.at_millis).as_bytes(),
            &Signature::from_bytes(&signature),
        )
        .is_ok()
    }

    fn when(&self) -> String {
        cradle_domain::dates::long_date_time(self.at_millis)
    }
}

/// Adds a checkpoint to the end of a file of checkpoints (one JSON object a line), on disk
/// before it returns.
pub fn append_checkpoint(path: &Path, checkpoint: &Checkpoint) -> Result<(), String> {
    let line = serde_json::to_string(checkpoint).map_err(|e| e.to_string())?;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("cannot write checkpoints to {}: {e}", path.display()))?;
    file.write_all(format!("{line}\n").as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("cannot write checkpoints to {}: {e}", path.display()))
}

/// Reads a file of checkpoints, naming the first line that is not one.
pub fn read_checkpoints(path: &Path) -> Result<Vec<Checkpoint>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read checkpoints from {}: {e}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(number, line)| {
            serde_json::from_str(line).map_err(|_| {
                format!(
                    "line {} of {} is not a checkpoint",
                    number + 1,
                    path.display()
                )
            })
        })
        .collect()
}

impl Cradle {
    /// Signs a checkpoint of the audit trail as it stands now.
    pub async fn sign_checkpoint(&self, signer: &AuditSigner) -> Result<Checkpoint, AppError> {
        let (records, head) = self.store.audit_head().await?;
        let at_millis = self.now();
        let signature = signer
            .key
            .sign(Checkpoint::message(records, &head, at_millis).as_bytes());
        Ok(Checkpoint {
            records,
            head,
            at_millis,
            public_key: signer.public_key(),
            signature: hex::encode(signature.to_bytes()),
        })
    }

    /// Signs a checkpoint, writes it to `path` and logs it.
    pub async fn write_checkpoint(
        &self,
        signer: &AuditSigner,
        path: &Path,
    ) -> Result<Checkpoint, AppError> {
        let checkpoint = self.sign_checkpoint(signer).await?;
        append_checkpoint(path, &checkpoint).map_err(AppError::Internal)?;
        tracing::info!(
            records = checkpoint.records,
            head = %checkpoint.head,
            at = checkpoint.at_millis,
            signature = %checkpoint.signature,
            "audit checkpoint"
        );
        Ok(checkpoint)
    }

    /// Writes a checkpoint now and then every `every`, for as long as the server runs.
    pub fn spawn_checkpoints(
        &self,
        signer: std::sync::Arc<AuditSigner>,
        path: std::path::PathBuf,
        every: std::time::Duration,
    ) -> tokio::task::JoinHandle<()> {
        let cradle = self.clone();
        crate::housekeeping::repeat(every, move || {
            let (cradle, signer, path) = (cradle.clone(), signer.clone(), path.clone());
            async move {
                if let Err(error) = cradle.write_checkpoint(&signer, &path).await {
                    tracing::error!(%error, "could not write an audit checkpoint");
                }
            }
        })
    }

    /// Checks the whole chain, then the chain against each checkpoint with `key`. Answers how
    /// many records and checkpoints were checked, or the first fault.
    pub async fn verify_audit_against(
        &self,
        actor: &Actor,
        checkpoints: &[Checkpoint],
        key: &VerifyingKey,
    ) -> Result<Result<(u64, usize), ChainFault>, AppError> {
        actor.require(Permission::VerifyAuditTrail)?;
        let records = match cradle_store::verify_audit_trail(self.store.as_ref()).await? {
            Ok(records) => records,
            Err(fault) => return Ok(Err(fault)),
        };
        let (length, _) = self.store.audit_head().await?;
        for checkpoint in checkpoints {
            if !checkpoint.signed_by(key) {
                return Ok(Err(ChainFault {
                    seq: Some(checkpoint.records),
                    problem: format!(
                        "the checkpoint of {} is not signed with this key: it was altered or forged, or the key given is not the one that signs this Cradle's checkpoints",
                        checkpoint.when()
                    ),
                }));
            }
            if length < checkpoint.records {
                return Ok(Err(ChainFault {
                    seq: Some(length + 1),
                    problem: format!(
                        "the chain has {length} records, but the checkpoint signed {} says it had {} then: records have been removed from the end",
                        checkpoint.when(),
                        checkpoint.records
                    ),
                }));
            }
            let at_checkpoint = self
                .store
                .audit_records_after(checkpoint.records - 1, 1)
                .await?;
            let hash = at_checkpoint
                .first()
                .filter(|r| r.seq == checkpoint.records)
                .map(|r| r.hash.as_str());
            if checkpoint.records > 0 && hash != Some(checkpoint.head.as_str()) {
                return Ok(Err(ChainFault {
                    seq: Some(checkpoint.records),
                    problem: format!(
                        "it is not the record the checkpoint signed {} saw: the chain up to it has been rewritten (its hashes recomputed, or the chain replaced)",
                        checkpoint.when()
                    ),
                }));
            }
        }
        Ok(Ok((records, checkpoints.len())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_verifies_only_with_its_key_and_unaltered() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("audit.key");
        let signer = AuditSigner::load_or_create(&path).unwrap();
        let again = AuditSigner::load_or_create(&path).unwrap();
        assert_eq!(signer.public_key(), again.public_key(), "the key is kept");
        assert!(!format!("{signer:?}")
            .contains(&std::fs::read_to_string(&path).unwrap().trim().to_string()));
        let signature = signer
            .key
            .sign(Checkpoint::message(12, "abc", 7).as_bytes());
        let checkpoint = Checkpoint {
            records: 12,
            head: "abc".into(),
            at_millis: 7,
            public_key: signer.public_key(),
            signature: hex::encode(signature.to_bytes()),
        };
        assert!(checkpoint.signed_by(&signer.verifying_key()));
        let moved_back = Checkpoint {
            records: 11,
            ..checkpoint.clone()
        };
        assert!(!moved_back.signed_by(&signer.verifying_key()));
        let other = AuditSigner::load_or_create(&folder.path().join("other.key")).unwrap();
        assert!(!checkpoint.signed_by(&other.verifying_key()));

        let file = folder.path().join("checkpoints.jsonl");
        append_checkpoint(&file, &checkpoint).unwrap();
        append_checkpoint(&file, &moved_back).unwrap();
        assert_eq!(
            read_checkpoints(&file).unwrap(),
            vec![checkpoint, moved_back]
        );
        std::fs::write(&file, "{}\nnot json\n").unwrap();
        assert!(read_checkpoints(&file).unwrap_err().contains("line 1"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "the key is readable by its owner only");
        }
    }
}
