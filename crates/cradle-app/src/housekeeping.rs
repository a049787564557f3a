//! Housekeeping: what no longer counts for anything is removed, by a background job on every
//! server (and `cradle housekeeping` on demand). Sessions past their idle or absolute limit,
//! failed sign-ins too old to count towards any lockout, and sign-ins that waited too long for
//! their code. Each run is logged with what it removed; none of it is clinical data, and the
//! audit trail keeps every sign-in and failure. Recordings that may no longer be kept (their
//! consent withdrawn or ended, their upload abandoned) are deleted with their keys, each with
//! an audit record and the record of what was deleted and why.

use crate::{AppError, Cradle};
use std::time::Duration;

/// What one run removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    pub sessions: u64,
    pub sign_in_failures: u64,
    pub sign_in_challenges: u64,
    pub recordings: u64,
}

impl Cradle {
    /// One run of housekeeping, at the clock's now.
    pub async fn housekeeping(&self) -> Result<Swept, AppError> {
        let now = self.now();
        let settings = &self.settings;
        let failures_count_since = now
            - settings
                .account_failure_memory_millis
                .max(settings.failure_window_millis);
        Ok(Swept {
            sessions: self
                .store
                .remove_expired_sessions(
                    now - settings.idle_timeout_millis,
                    now - settings.absolute_timeout_millis,
                )
                .await?,
            sign_in_failures: self
                .store
                .remove_login_failures_before(failures_count_since)
                .await?,
            sign_in_challenges: self.store.remove_sign_in_challenges_before(now).await?,
            recordings: self.delete_recordings_due().await?,
        })
    }

    /// Runs housekeeping now and then every `every`, for as long as the server runs. A run
    /// that fails (the database unreachable) is logged and the next one tries again.
    pub fn spawn_housekeeping(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let cradle = self.clone();
        repeat(every, move || {
            let cradle = cradle.clone();
            async move {
                match cradle.housekeeping().await {
                    Ok(swept) => tracing::info!(
                        sessions = swept.sessions,
                        sign_in_failures = swept.sign_in_failures,
                        sign_in_challenges = swept.sign_in_challenges,
                        recordings = swept.recordings,
                        "housekeeping removed what no longer counts"
                    ),
                    Err(error) => {
                        tracing::warn!(%error, "housekeeping failed; it runs again later")
                    }
                }
            }
        })
    }
}

/// Runs `task` now and then every `every` (a late run delays the next rather than bunching),
/// for as long as the server runs.
pub(crate) fn repeat<F, Run>(every: Duration, mut task: F) -> tokio::task::JoinHandle<()>
where
    F: FnMut() -> Run + Send + 'static,
    Run: std::future::Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            task().await;
        }
    })
}
