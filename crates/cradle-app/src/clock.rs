//! Time, behind a trait so tests can move it forward instead of waiting.

use std::sync::atomic::{AtomicI64, Ordering};

pub trait Clock: Send + Sync + 'static {
    /// Milliseconds since the Unix epoch.
    fn now_millis(&self) -> i64;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now_millis(&self) -> i64 {
        cradle_domain::dates::now_millis()
    }
}

/// A clock that runs with the system clock plus an offset a test can add to.
#[derive(Default)]
pub struct ManualClock {
    offset_millis: AtomicI64,
}

impl ManualClock {
    pub fn advance_minutes(&self, minutes: i64) {
        self.advance_seconds(minutes * 60);
    }

    pub fn advance_seconds(&self, seconds: i64) {
        self.offset_millis
            .fetch_add(seconds * 1000, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_millis(&self) -> i64 {
        cradle_domain::dates::now_millis() + self.offset_millis.load(Ordering::SeqCst)
    }
}
