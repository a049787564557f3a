//! Cradle's use-cases. Each one checks who is asking and whether they may, then asks the
//! store to make the change and write its audit record in one transaction.
//!
//! The web pages, the JSON API and the command line all come through here, so the rules are
//! the same whichever door a request uses.

pub mod access;
pub mod admin;
pub mod auth;
pub mod care_plans;
pub mod checkpoints;
pub mod clock;
pub mod coding;
pub mod concerns;
pub mod conversations;
pub mod demo;
pub mod enquiries;
pub mod enrolment;
mod error;
pub mod families;
pub mod filming;
pub mod groups;
pub mod housekeeping;
pub mod interventions;
pub mod lockouts;
pub mod network;
pub mod observations;
pub mod pathway;
pub mod questionnaires;
pub mod recordings;
pub mod second_factor;
pub mod secrets;
pub mod tokens;

pub use access::{Actor, FamilyAccess, FamilyLookup};
pub use clock::{Clock, ManualClock, SystemClock};
pub use cradle_store::Sections;
pub use error::AppError;

use cradle_store::Store;
use std::sync::Arc;

/// Timeouts and limits. The defaults are the ones Cradle runs with in production.
#[derive(Debug, Clone)]
pub struct Settings {
    /// A session not used for this long ends (a ward computer left signed in).
    pub idle_timeout_millis: i64,
    /// No session lasts longer than this, however busy.
    pub absolute_timeout_millis: i64,
    /// Failed sign-ins allowed for one username before it is locked (see
    /// [`Settings::account_locked_until`]).
    pub max_failures_per_account: u32,
    /// How long an account's failed sign-ins count, unless a sign-in, an unlock or a new
    /// password clears them sooner.
    pub account_failure_memory_millis: i64,
    /// The first lockout of an account; each further failure after one doubles it.
    pub first_lockout_millis: i64,
    /// No lockout lasts longer than this, however many failures.
    pub longest_lockout_millis: i64,
    /// Failed sign-ins allowed from one address within the window.
    pub max_failures_per_address: u32,
    pub failure_window_millis: i64,
    /// How long emergency access to another team's record lasts.
    pub break_glass_millis: i64,
}

impl Settings {
    /// Until when an account with `failures` failed sign-ins, the newest at `last_failure`,
    /// is locked; `None` when it is not. The lockout grows with each failure past the limit
    /// (15 minutes, 30, an hour, …) up to the longest, so guessing gets slower and slower,
    /// while no lockout outlasts the longest one once the guessing stops.
    pub fn account_locked_until(&self, failures: u32, last_failure: i64) -> Option<i64> {
        let past_limit = failures.checked_sub(self.max_failures_per_account)?;
        let lockout = self
            .first_lockout_millis
            .saturating_mul(1i64 << past_limit.min(32))
            .min(self.longest_lockout_millis);
        Some(last_failure.saturating_add(lockout))
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            idle_timeout_millis: 30 * 60 * 1000,
            absolute_timeout_millis: 12 * 60 * 60 * 1000,
            max_failures_per_account: 5,
            account_failure_memory_millis: 24 * 60 * 60 * 1000,
            first_lockout_millis: 15 * 60 * 1000,
            longest_lockout_millis: 4 * 60 * 60 * 1000,
            max_failures_per_address: 30,
            failure_window_millis: 15 * 60 * 1000,
            break_glass_millis: 60 * 60 * 1000,
        }
    }
}

/// The application: the store, the clock and the settings, shared by every request.
#[derive(Clone)]
pub struct Cradle {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub settings: Settings,
    team_names: TeamNames,
    definitions: questionnaires::LoadedDefinitions,
    /// Where recordings rest and the keys that seal them; none where recordings are not set
    /// up.
    media: Option<Arc<recordings::Media>>,
}

/// Team names already read (see [`Cradle::team_name`]).
#[derive(Clone, Default)]
struct TeamNames(Arc<std::sync::RwLock<std::collections::HashMap<cradle_domain::TeamId, String>>>);

impl TeamNames {
    fn get(&self, id: cradle_domain::TeamId) -> Option<String> {
        let names = self
            .0
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        names.get(&id).cloned()
    }

    fn keep(&self, teams: &[cradle_domain::Team]) {
        let mut names = self
            .0
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for team in teams {
            names.insert(team.id, team.name.clone());
        }
    }
}

impl Cradle {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            clock: Arc::new(SystemClock),
            settings: Settings::default(),
            team_names: TeamNames::default(),
            definitions: Default::default(),
            media: None,
        }
    }

    /// Recordings kept in `media`.
    pub fn with_media(mut self, media: recordings::Media) -> Self {
        self.media = Some(Arc::new(media));
        self
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn now(&self) -> i64 {
        self.clock.now_millis()
    }

    /// Today's date in the UK, by the clock tests can move.
    pub fn today(&self) -> time::Date {
        cradle_domain::dates::uk_date(self.now())
    }
}
