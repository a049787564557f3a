//! Group commit for audit records of reads.
//!
//! A read of clinical data changes nothing, so its audit record need not share a transaction
//! with anything: what matters is that no data is returned before its audit record is
//! durable. Requests hand their records to one writer task, which appends whatever has
//! queued up as one transaction (one fsync, one lock of the chain's head) and then answers
//! every request in the batch. If the audit write fails, the read fails.

use crate::provisional::SignInFacts;
use crate::{AuditEntry, StoreError, StoreResult};
use cradle_domain::FamilyId;
use std::future::Future;
use tokio::sync::{mpsc, oneshot};

type Reply = oneshot::Sender<Result<(), Failed>>;

enum Failed {
    /// The remembered sign-in the record rested on no longer holds: it was not written.
    SignInChanged,
    Unavailable(String),
}

/// One record of a batch, with what its remembered sign-in relied on when the batch was
/// gathered (`None` for a sign-in looked up in the request itself).
#[derive(Clone)]
pub(crate) struct Checked {
    pub entry: AuditEntry,
    pub check: Option<SignInFacts>,
}

impl Checked {
    pub(crate) fn new(entry: AuditEntry) -> Self {
        let check = entry.provisional.as_ref().map(|p| p.facts_so_far());
        Self { entry, check }
    }
}

/// Which records of a batch were refused (`true`) because their check no longer holds: a
/// session (with its account's change count) by `session_stands`, a family's change count by
/// `family_stands`, each asked once a batch however many records rely on it (the answers
/// come from one transaction, so they cannot differ). A record without a check is never
/// refused.
pub(crate) fn refusals<E>(
    batch: &[Checked],
    mut session_stands: impl FnMut(&SignInFacts) -> Result<bool, E>,
    mut family_stands: impl FnMut(FamilyId, i64) -> Result<bool, E>,
) -> Result<Vec<bool>, E> {
    let mut sessions: Vec<(&SignInFacts, bool)> = Vec::new();
    let mut families: Vec<(FamilyId, i64, bool)> = Vec::new();
    let mut refused = Vec::with_capacity(batch.len());
    for checked in batch {
        let Some(check) = &checked.check else {
            refused.push(false);
            continue;
        };
        let known = sessions.iter().find(|(seen, _)| {
            seen.token_hash == check.token_hash
                && seen.staff_id == check.staff_id
                && seen.staff_changes == check.staff_changes
        });
        let mut holds = match known {
            Some((_, holds)) => *holds,
            None => {
                let holds = session_stands(check)?;
                sessions.push((check, holds));
                holds
            }
        };
        for (id, changes) in &check.families {
            if !holds {
                break;
            }
            let known = families
                .iter()
                .find(|(seen, at, _)| seen == id && at == changes);
            holds = match known {
                Some((_, _, holds)) => *holds,
                None => {
                    let family = family_stands(*id, *changes)?;
                    families.push((*id, *changes, family));
                    family
                }
            };
        }
        refused.push(!holds);
    }
    Ok(refused)
}

/// The entries to write: those not refused, in order, marked as checked.
pub(crate) fn kept(batch: &[Checked], refused: &[bool]) -> Vec<AuditEntry> {
    batch
        .iter()
        .zip(refused)
        .filter(|(_, refused)| !**refused)
        .map(|(checked, _)| AuditEntry {
            provisional: None,
            ..checked.entry.clone()
        })
        .collect()
}

/// A batch as handed to a writer: shared, so that the queue keeps it to answer from (and to
/// retry record by record) without a copy.
pub(crate) type Batch = std::sync::Arc<[Checked]>;

/// Waits for the next job, then takes whatever else has queued up meanwhile, up to `most`
/// in all; `None` once every sender has gone.
pub(crate) async fn next_batch<T>(receiver: &mut mpsc::Receiver<T>, most: usize) -> Option<Vec<T>> {
    let first = receiver.recv().await?;
    let mut batch = vec![first];
    while batch.len() < most {
        match receiver.try_recv() {
            Ok(job) => batch.push(job),
            Err(_) => break,
        }
    }
    Some(batch)
}

/// Hands a job (made around its reply channel) to a task that answers jobs in groups, and
/// waits for its answer; `task` names the task in errors.
pub(crate) async fn ask<J, T>(
    sender: &mpsc::Sender<J>,
    job: impl FnOnce(oneshot::Sender<Result<T, String>>) -> J,
    task: &str,
) -> StoreResult<T> {
    let (reply, answer) = oneshot::channel();
    sender
        .send(job(reply))
        .await
        .map_err(|_| StoreError::Lookup(format!("the {task} has stopped")))?;
    match answer.await {
        Ok(Ok(found)) => Ok(found),
        Ok(Err(message)) => Err(StoreError::Lookup(message)),
        Err(_) => Err(StoreError::Lookup(format!(
            "the {task} stopped before answering"
        ))),
    }
}

/// The most records committed in one transaction.
const MAX_BATCH: usize = 256;

pub(crate) struct AuditQueue {
    sender: mpsc::Sender<(AuditEntry, Reply)>,
}

impl AuditQueue {
    /// Starts the writer task. `commit` appends a batch to the chain in one transaction,
    /// leaving out (and answering which are) the records whose check no longer holds.
    pub(crate) fn spawn<F, Fut>(commit: F) -> Self
    where
        F: FnMut(Batch) -> Fut + Send + 'static,
        Fut: Future<Output = StoreResult<Vec<bool>>> + Send + 'static,
    {
        let (sender, receiver) = mpsc::channel::<(AuditEntry, Reply)>(4 * MAX_BATCH);
        tokio::spawn(serve(receiver, commit, || {}));
        Self { sender }
    }

    /// As [`AuditQueue::spawn`], for a writer whose `commit` blocks: the queue runs on a
    /// thread of its own, so the runtime's threads go on serving requests while it waits on
    /// the disk. `idle` is called each time the queue is about to wait for a record, so the
    /// writer can let go of what it holds whenever batches stop following one another.
    pub(crate) fn spawn_on_thread<F, Fut>(
        commit: F,
        idle: impl Fn() + Send + 'static,
    ) -> StoreResult<Self>
    where
        F: FnMut(Batch) -> Fut + Send + 'static,
        Fut: Future<Output = StoreResult<Vec<bool>>>,
    {
        let (sender, receiver) = mpsc::channel::<(AuditEntry, Reply)>(4 * MAX_BATCH);
        let runtime = tokio::runtime::Handle::current();
        std::thread::Builder::new()
            .name("cradle-audit".into())
            .spawn(move || runtime.block_on(serve(receiver, commit, idle)))
            .map_err(|error| {
                StoreError::AuditUnavailable(format!("the audit writer cannot start: {error}"))
            })?;
        Ok(Self { sender })
    }

    /// Appends one record and waits until it is committed.
    pub(crate) async fn append(&self, entry: AuditEntry) -> StoreResult<()> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send((entry, reply))
            .await
            .map_err(|_| StoreError::AuditUnavailable("the audit writer has stopped".into()))?;
        match answer.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(Failed::SignInChanged)) => Err(StoreError::SignInChanged),
            Ok(Err(Failed::Unavailable(message))) => Err(StoreError::AuditUnavailable(message)),
            Err(_) => Err(StoreError::AuditUnavailable(
                "the audit writer stopped before answering".into(),
            )),
        }
    }
}

/// The writer's loop: gathers each batch, commits it and answers its records, until every
/// sender has gone; `idle` is called each time it is about to wait for a record.
async fn serve<F, Fut>(
    mut receiver: mpsc::Receiver<(AuditEntry, Reply)>,
    mut commit: F,
    idle: impl Fn(),
) where
    F: FnMut(Batch) -> Fut,
    Fut: Future<Output = StoreResult<Vec<bool>>>,
{
    loop {
        if receiver.is_empty() {
            idle();
        }
        let Some(batch) = next_batch(&mut receiver, MAX_BATCH).await else {
            break;
        };
        commit_and_answer(batch, &mut commit).await;
    }
}

/// Commits a batch and answers each of its records; if the batch fails, each record is
/// tried on its own, so that one bad record does not fail the others.
async fn commit_and_answer<F, Fut>(batch: Vec<(AuditEntry, Reply)>, commit: &mut F)
where
    F: FnMut(Batch) -> Fut,
    Fut: Future<Output = StoreResult<Vec<bool>>>,
{
    let (entries, replies): (Vec<AuditEntry>, Vec<Reply>) = batch.into_iter().unzip();
    let batch: Batch = entries.into_iter().map(Checked::new).collect();
    match commit(Batch::clone(&batch)).await {
        Ok(refused) => {
            for ((checked, refused), reply) in batch.iter().zip(&refused).zip(replies) {
                let _ = reply.send(answer(checked, *refused));
            }
        }
        Err(_) if batch.len() > 1 => {
            for (checked, reply) in batch.iter().zip(replies) {
                let result = match commit(Batch::from([checked.clone()])).await {
                    Ok(refused) => answer(checked, refused.first().copied().unwrap_or(true)),
                    Err(error) => Err(Failed::Unavailable(error.to_string())),
                };
                let _ = reply.send(result);
            }
        }
        Err(error) => {
            let message = error.to_string();
            for reply in replies {
                let _ = reply.send(Err(Failed::Unavailable(message.clone())));
            }
        }
    }
}

/// A committed batch's answer for one record: a refused record's request is refused; a
/// written record's check is confirmed.
fn answer(checked: &Checked, refused: bool) -> Result<(), Failed> {
    if refused {
        return Err(Failed::SignInChanged);
    }
    if let (Some(sign_in), Some(check)) = (&checked.entry.provisional, &checked.check) {
        sign_in.confirmed(check);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provisional::ProvisionalSignIn;
    use cradle_domain::{AuditAction, AuditOutcome, StaffId};
    use std::sync::Arc;
    use uuid::Uuid;

    fn read_on(sign_in: Option<&Arc<ProvisionalSignIn>>) -> Checked {
        Checked::new(AuditEntry {
            at_millis: 1,
            actor_id: None,
            actor_username: "test".into(),
            actor_role: None,
            team_id: None,
            action: AuditAction::FamilyViewed,
            outcome: AuditOutcome::Allowed,
            subject_kind: None,
            subject_id: None,
            source: "test".into(),
            break_glass_reason: None,
            detail: String::new(),
            provisional: sign_in.cloned(),
        })
    }

    #[test]
    fn each_fact_is_checked_once_a_batch_and_each_record_answered_for_its_own() {
        let staff = StaffId(Uuid::from_u128(9));
        let kept = FamilyId(Uuid::from_u128(1));
        let moved = FamilyId(Uuid::from_u128(2));
        let sign_in = |hash: &str, families: &[FamilyId]| {
            let sign_in = Arc::new(ProvisionalSignIn::new(hash, staff, 4));
            for family in families {
                sign_in.rely_on_family(*family, 7);
            }
            sign_in
        };
        let live = sign_in("live", &[kept]);
        let live_moved = sign_in("live", &[kept, moved]);
        let ended = sign_in("ended", &[kept]);
        let batch = vec![
            read_on(Some(&live)),
            read_on(None),
            read_on(Some(&live_moved)),
            read_on(Some(&ended)),
            read_on(Some(&live)),
            read_on(Some(&live_moved)),
        ];
        let (mut sessions_asked, mut families_asked) = (0, 0);
        let refused = refusals::<()>(
            &batch,
            |check| {
                sessions_asked += 1;
                Ok(check.token_hash == "live")
            },
            |family, _| {
                families_asked += 1;
                Ok(family == kept)
            },
        )
        .unwrap();
        assert_eq!(refused, [false, false, true, true, false, true]);
        assert_eq!(sessions_asked, 2, "one question a session");
        assert_eq!(families_asked, 2, "one question a family");
    }
}
