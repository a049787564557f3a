//! Group commit for audit records of reads.
//!
//! A read of clinical data changes nothing, so its audit record need not share a transaction
//! with anything: what matters is that no data is returned before its audit record is
//! durable. Requests hand their records to one writer task, which appends whatever has
//! queued up as one transaction (one fsync, one lock of the chain's head) and then answers
//! every request in the batch. If the audit write fails, the read fails.

use crate::{AuditEntry, StoreError, StoreResult};
use std::future::Future;
use tokio::sync::{mpsc, oneshot};

type Reply = oneshot::Sender<Result<(), String>>;

/// A batch as handed to a writer: shared, so that the queue keeps it to retry record by
/// record without a copy.
pub(crate) type Batch = std::sync::Arc<[AuditEntry]>;

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
    /// Starts the writer task. `commit` appends a batch to the chain in one transaction.
    pub(crate) fn spawn<F, Fut>(commit: F) -> Self
    where
        F: FnMut(Batch) -> Fut + Send + 'static,
        Fut: Future<Output = StoreResult<()>> + Send + 'static,
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
        Fut: Future<Output = StoreResult<()>>,
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
            Ok(Err(message)) => Err(StoreError::AuditUnavailable(message)),
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
    Fut: Future<Output = StoreResult<()>>,
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
    Fut: Future<Output = StoreResult<()>>,
{
    let (entries, replies): (Vec<AuditEntry>, Vec<Reply>) = batch.into_iter().unzip();
    let batch: Batch = entries.into();
    match commit(Batch::clone(&batch)).await {
        Ok(()) => {
            for reply in replies {
                let _ = reply.send(Ok(()));
            }
        }
        Err(_) if batch.len() > 1 => {
            for (entry, reply) in batch.iter().zip(replies) {
                let result = commit(Batch::from([entry.clone()]))
                    .await
                    .map_err(|error| error.to_string());
                let _ = reply.send(result);
            }
        }
        Err(error) => {
            let message = error.to_string();
            for reply in replies {
                let _ = reply.send(Err(message.clone()));
            }
        }
    }
}
