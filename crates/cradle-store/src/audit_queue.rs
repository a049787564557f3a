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

/// The most records committed in one transaction.
const MAX_BATCH: usize = 256;

pub(crate) struct AuditQueue {
    sender: mpsc::Sender<(AuditEntry, Reply)>,
}

impl AuditQueue {
    /// Starts the writer task. `commit` appends a batch to the chain in one transaction.
    pub(crate) fn spawn<F, Fut>(commit: F) -> Self
    where
        F: Fn(Vec<AuditEntry>) -> Fut + Send + 'static,
        Fut: Future<Output = StoreResult<()>> + Send,
    {
        let (sender, mut receiver) = mpsc::channel::<(AuditEntry, Reply)>(4 * MAX_BATCH);
        tokio::spawn(async move {
            while let Some(batch) = next_batch(&mut receiver, MAX_BATCH).await {
                let (entries, replies): (Vec<AuditEntry>, Vec<Reply>) = batch.into_iter().unzip();
                match commit(entries.clone()).await {
                    Ok(()) => {
                        for reply in replies {
                            let _ = reply.send(Ok(()));
                        }
                    }
                    // One bad record must not fail the others: try each on its own.
                    Err(_) if entries.len() > 1 => {
                        for (entry, reply) in entries.into_iter().zip(replies) {
                            let result = commit(vec![entry]).await.map_err(|e| e.to_string());
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
        });
        Self { sender }
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
