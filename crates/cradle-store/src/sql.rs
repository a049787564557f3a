//! What the SQL in `backend/` shares whichever database it is compiled for: column lists,
//! the session lookup, the caseload's queries and errors. The SQL is written in the dialect
//! SQLite and PostgreSQL both accept (`$1` placeholders, `LIMIT … OFFSET …`, `ON CONFLICT`).

use crate::{FamilyQuery, FamilySearch, PagePosition, StoreError, SEARCH_COUNT_LIMIT};
use cradle_domain::TeamId;
use uuid::Uuid;

pub(crate) const FAMILY_COLUMNS: &str = "id, team_id, mother_name, mother_nhs_number, mother_date_of_birth, mother_postcode, mother_language, mother_interpreter_needed, stage, referral_date, child_protection, created_at, version";
pub(crate) const BABY_COLUMNS: &str =
    "id, family_id, name, date_of_birth, due_date, gestation_days, nhs_number";

pub(crate) const AUDIT_COLUMNS: &str = "seq, at, actor_id, actor_username, actor_role, team_id, action, outcome, subject_kind, subject_id, source, break_glass_reason, detail, prev_hash, hash";
pub(crate) const API_TOKEN_COLUMNS: &str =
    "id, staff_id, label, created_at, expires_at, last_used_at, revoked_at";
pub(crate) const STAFF_COLUMNS: &str =
    "id, username, display_name, role, password_hash, disabled, service_account";
pub(crate) const PERSON_COLUMNS: &str = "p.id, p.name, p.phone, p.email, p.postcode, p.preferred_language, p.interpreter_needed, p.ethnicity, p.religion, p.cultural_notes, p.contact_consent, p.version, p.date_of_birth, p.age_band, p.sex";
pub(crate) const RELATIONSHIP_COLUMNS: &str = "id, person_id, baby_id, kind, lives_with_baby, care_share, contact_frequency, nature, parental_responsibility, started_on, ended_on, end_reason, version";

/// Turns a unique-constraint failure into a plain conflict naming what was duplicated.
pub(crate) fn conflict_or(error: sqlx::Error, what: &'static str) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::Database(error),
    }
}

/// A value bound to a query built at run time, in placeholder order.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Bind {
    Id(Uuid),
    Text(String),
}

/// Binds each of a list of [`Bind`]s to a query, in order.
macro_rules! bind_all {
    ($query:expr, $binds:expr) => {
        $binds.into_iter().fold($query, |query, bind| match bind {
            $crate::sql::Bind::Id(id) => query.bind(id),
            $crate::sql::Bind::Text(text) => query.bind(text),
        })
    };
}
pub(crate) use bind_all;

/// The queries behind one caseload page, written once for both databases. Each team's
/// families are walked along the `(team_id, mother_name_lower, id)` index (or the key
/// worker's) in name order and the walk stops at the page's end, so a page costs the same at
/// 100 families and at 100,000, and at the first page and the last. On SQLite the indexes
/// also hold each family's change count, so a walk reads its index alone (see the test
/// `each_caseload_walk_reads_its_index_alone`).
pub(crate) struct CaseloadPlan<'a> {
    query: &'a FamilyQuery,
}

impl<'a> CaseloadPlan<'a> {
    pub fn new(query: &'a FamilyQuery) -> Self {
        Self { query }
    }

    /// `team_id = $1` and the key worker and search conditions, with their binds.
    fn conditions(&self, team: TeamId) -> (String, Vec<Bind>) {
        let mut sql = String::from("team_id = $1");
        let mut binds = vec![Bind::Id(team.0)];
        if let Some(key_worker) = self.query.key_worker {
            binds.push(Bind::Id(key_worker.0));
            sql.push_str(&format!(" AND key_worker = ${}", binds.len()));
        }
        match &self.query.search {
            None => {}
            Some(FamilySearch::NamePrefix(prefix)) => {
                // Every name that starts with the prefix sorts between it and the prefix
                // followed by the highest code point (names compare by their bytes).
                binds.push(Bind::Text(prefix.clone()));
                binds.push(Bind::Text(format!("{prefix}\u{10FFFF}")));
                sql.push_str(&format!(
                    " AND mother_name_lower >= ${} AND mother_name_lower < ${}",
                    binds.len() - 1,
                    binds.len()
                ));
            }
            Some(FamilySearch::NhsNumber(number)) => {
                binds.push(Bind::Text(number.clone()));
                let n = binds.len();
                sql.push_str(&format!(
                    " AND (mother_nhs_number = ${n} OR id IN (SELECT family_id FROM babies WHERE nhs_number = ${n}))"
                ));
            }
            Some(FamilySearch::Postcode(postcode)) => {
                binds.push(Bind::Text(postcode.clone()));
                let n = binds.len();
                sql.push_str(&format!(
                    " AND (mother_postcode = ${n} OR id IN (SELECT fp.family_id FROM family_people fp \
                     JOIN people p ON p.id = fp.person_id WHERE p.postcode = ${n}))"
                ));
            }
        }
        (sql, binds)
    }

    /// How many families the list holds in one team: the running count without a search,
    /// the matches (counted up to one past [`SEARCH_COUNT_LIMIT`]) with one. Written with
    /// the same placeholders as [`Self::conditions`].
    fn team_count(&self, conditions: &str) -> String {
        if self.query.search.is_none() {
            let key_worker = if self.query.key_worker.is_some() {
                " AND key_worker = $2"
            } else {
                ""
            };
            format!(
                "SELECT CAST(COALESCE(SUM(families), 0) AS BIGINT) FROM caseload_counts WHERE team_id = $1{key_worker}"
            )
        } else {
            let cap = SEARCH_COUNT_LIMIT + 1;
            format!("SELECT COUNT(*) FROM (SELECT 1 FROM families WHERE {conditions} LIMIT {cap}) AS matches")
        }
    }

    /// One query for one team's part of the page: the mother's name, id and record stamp of
    /// up to a page and one more of its families from the page's position (one more tells
    /// whether another page follows), each row carrying the team's count. The team's
    /// settings count is read once for the walk (`$1` is the team), not once a row.
    pub fn page_sql(&self, team: TeamId) -> (String, Vec<Bind>) {
        let (conditions, mut binds) = self.conditions(team);
        let count = self.team_count(&conditions);
        let mut sql = conditions;
        let cursor = match self.query.position {
            PagePosition::After(id) => Some((">", id)),
            PagePosition::Before(id) => Some(("<", id)),
            _ => None,
        };
        if let Some((direction, id)) = cursor {
            binds.push(Bind::Id(id.0));
            let n = binds.len();
            sql.push_str(&format!(
                " AND (mother_name_lower, id) {direction} ((SELECT mother_name_lower FROM families WHERE id = ${n}), ${n})"
            ));
        }
        let order = if self.backwards() { "DESC" } else { "ASC" };
        let take = u64::from(self.query.limit) + 1 + self.offset();
        (
            format!(
                "SELECT mother_name_lower, id, \
                 changes + (SELECT t.settings_changes FROM teams t WHERE t.id = $1), \
                 ({count}) AS total FROM families WHERE {sql} \
                 ORDER BY mother_name_lower {order}, id {order} LIMIT {take}"
            ),
            binds,
        )
    }

    /// One team's count alone, for a page that came back empty.
    pub fn count_sql(&self, team: TeamId) -> (String, Vec<Bind>) {
        let (conditions, binds) = self.conditions(team);
        (format!("SELECT ({})", self.team_count(&conditions)), binds)
    }

    fn backwards(&self) -> bool {
        matches!(self.query.position, PagePosition::Before(_))
    }

    fn offset(&self) -> u64 {
        match self.query.position {
            PagePosition::Offset(offset) => u64::from(offset),
            _ => 0,
        }
    }

    /// Merges the teams' walks into the page: its ids in name order, and whether there are
    /// pages before and after it.
    pub fn take_page(&self, mut keys: Vec<(String, Uuid, i64)>) -> (Vec<(Uuid, i64)>, bool, bool) {
        let limit = usize::try_from(self.query.limit).unwrap_or(usize::MAX);
        keys.sort();
        let resumed = matches!(
            self.query.position,
            PagePosition::After(_) | PagePosition::Before(_)
        );
        if self.backwards() {
            // The families just before the cursor, nearest first: keep the page's worth
            // nearest to it.
            let more_before = keys.len() > limit;
            let skip = keys.len().saturating_sub(limit);
            let ids = keys
                .into_iter()
                .skip(skip)
                .map(|(_, id, changes)| (id, changes))
                .collect();
            return (ids, more_before, true);
        }
        let offset = usize::try_from(self.offset()).unwrap_or(usize::MAX);
        let has_previous = resumed || offset > 0;
        let mut ids: Vec<(Uuid, i64)> = keys
            .into_iter()
            .skip(offset)
            .map(|(_, id, changes)| (id, changes))
            .collect();
        let has_next = ids.len() > limit;
        ids.truncate(limit);
        (ids, has_previous, has_next)
    }
}

/// The columns `SessionStaffRow` reads, in its order, from sessions `s`, staff `st`, their
/// teams `t` and the family asked about `f`: one list for the lookup of one session and of
/// many (`session_lookups.rs`).
macro_rules! session_staff_columns {
    () => {
        "s.token_hash, s.staff_id, s.csrf_token, s.created_at, s.last_seen_at, s.source, \
         st.id, st.username, st.display_name, st.role, st.password_hash, st.disabled, st.service_account, t.team_id, \
         f.team_id AS family_team_id, \
         f.changes + (SELECT ft.settings_changes FROM teams ft WHERE ft.id = f.team_id) AS family_changes, \
         st.changes AS staff_changes"
    };
}
pub(crate) use session_staff_columns;

/// What every signed-in request reads first: a session, its account with the account's
/// teams (a row a team), and, when the request is about one family (`$2`, else null), that
/// family's team and change count: what an access check reads, in the same statement and so
/// the same snapshot as the session.
pub(crate) const SESSION_WITH_STAFF: &str = concat!(
    "SELECT ",
    session_staff_columns!(),
    " FROM sessions s JOIN staff st ON st.id = s.staff_id LEFT JOIN staff_teams t ON t.staff_id = st.id \
     LEFT JOIN families f ON f.id = $2 \
     WHERE s.token_hash = $1 ORDER BY t.team_id"
);

/// A family's team and the stamp of what its record shows: what an access check reads.
///
/// The stamp is the family's own change count (raised by every change to its record) plus its
/// team's settings count (raised by every change to a team setting the record shows, such as
/// the sessions between reviews). Both only ever rise and a family never changes team, so
/// the stamp rises whenever either does: a copy held at one stamp is never shown for a record
/// that has changed since (`cache.rs`), and a team setting changes no family's row.
pub(crate) const FAMILY_STAMP: &str = "SELECT team_id, changes + (SELECT t.settings_changes FROM teams t WHERE t.id = families.team_id) \
     FROM families WHERE id = $1";

#[cfg(test)]
mod tests {
    use super::CaseloadPlan;
    use crate::{FamilyQuery, FamilySearch, PagePosition};
    use cradle_domain::{FamilyId, StaffId, TeamId};
    use uuid::Uuid;

    /// A SQLite database with every migration applied: the migrations the store embeds and
    /// runs at start-up, in their order.
    fn migrated_sqlite() -> rusqlite::Connection {
        let connection = rusqlite::Connection::open_in_memory().unwrap();
        for migration in sqlx::migrate!("./migrations/sqlite").iter() {
            connection.execute_batch(&migration.sql).unwrap();
        }
        connection
    }

    /// How SQLite would run a statement: each step's parent and description.
    fn plan(connection: &rusqlite::Connection, sql: &str) -> Vec<(i64, String)> {
        let mut statement = connection
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        // Parameters left unbound are null; the plan is the same for any value.
        let mut rows = statement.raw_query();
        let mut steps = Vec::new();
        while let Some(row) = rows.next().unwrap() {
            steps.push((row.get(1).unwrap(), row.get(3).unwrap()));
        }
        steps
    }

    /// Every caseload walk (a team's families, a key worker's, from the start, from a page
    /// number, either side of a family, by the start of a name) is answered from its index
    /// alone and in the index's order: no family is fetched from the table and nothing is
    /// sorted, whatever the size of the caseload.
    #[test]
    fn each_caseload_walk_reads_its_index_alone() {
        let connection = migrated_sqlite();
        let team = TeamId(Uuid::from_u128(1));
        let family = FamilyId(Uuid::from_u128(2));
        let positions = [
            PagePosition::Start,
            PagePosition::Offset(50),
            PagePosition::After(family),
            PagePosition::Before(family),
        ];
        for key_worker in [None, Some(StaffId(Uuid::from_u128(3)))] {
            let index = if key_worker.is_some() {
                "families_by_key_worker"
            } else {
                "families_by_team"
            };
            for search in [None, Some(FamilySearch::NamePrefix("ada".into()))] {
                for position in positions {
                    let query = FamilyQuery {
                        teams: vec![team],
                        key_worker,
                        search: search.clone(),
                        position,
                        limit: 25,
                    };
                    let (sql, _) = CaseloadPlan::new(&query).page_sql(team);
                    let steps = plan(&connection, &sql);
                    let walk: Vec<&String> = steps
                        .iter()
                        .filter(|(parent, step)| *parent == 0 && step.contains(" families "))
                        .map(|(_, step)| step)
                        .collect();
                    assert_eq!(
                        walk.len(),
                        1,
                        "one walk of the families table in {steps:?} for {query:?}"
                    );
                    assert!(
                        walk[0].contains(&format!("USING COVERING INDEX {index} ")),
                        "the walk reads {index} alone, not {steps:?}, for {query:?}"
                    );
                    assert!(
                        !steps.iter().any(|(_, step)| step.contains("TEMP B-TREE")),
                        "the walk sorts nothing: {steps:?} for {query:?}"
                    );
                }
            }
        }
    }
}
