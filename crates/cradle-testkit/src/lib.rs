//! Test support: a fresh database on each backend, a running Cradle on port 0 with a clock
//! the test can move, and an HTTP client that keeps cookies like a browser.
//!
//! PostgreSQL runs when `TEST_DATABASE_URL` is set (the README's test command and CI set it);
//! each test then gets a database of its own, dropped afterwards.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cradle_app::{Cradle, ManualClock};
use cradle_store::{PostgresStore, SqliteStore, Store};
use cradle_web::proxy::TrustedProxies;
use cradle_web::{WebParts, WebState};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database made for one test. Dropping it removes the SQLite folder; PostgreSQL
/// databases are dropped by [`TestDatabase::cleanup`] or at the next run's start.
pub struct TestDatabase {
    pub url: String,
    pub backend: Backend,
    _folder: Option<tempfile::TempDir>,
    admin_url: Option<String>,
    name: Option<String>,
}

/// The PostgreSQL server for tests, if this run has one.
pub fn postgres_url() -> Option<String> {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            // In CI a missing PostgreSQL must fail the run, never pass as skipped.
            assert!(
                std::env::var("CI").is_err(),
                "TEST_DATABASE_URL must be set in CI so storage tests run on PostgreSQL"
            );
            None
        }
    }
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let root = match base.rfind('/') {
        Some(i) if i > base.find("://").map(|s| s + 2).unwrap_or(0) => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

impl TestDatabase {
    /// A fresh database on `backend`, or `None` for PostgreSQL when this run has none.
    pub async fn new(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => {
                let folder = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", folder.path().join("cradle.db").display());
                Some(Self {
                    url,
                    backend,
                    _folder: Some(folder),
                    admin_url: None,
                    name: None,
                })
            }
            Backend::Postgres => {
                let admin_url = postgres_url()?;
                let name = format!("cradle_test_{}", uuid::Uuid::now_v7().simple());
                let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url)
                    .await
                    .expect("PostgreSQL at TEST_DATABASE_URL must accept connections");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .unwrap();
                Some(Self {
                    url: with_database(&admin_url, &name),
                    backend,
                    _folder: None,
                    admin_url: Some(admin_url),
                    name: Some(name),
                })
            }
        }
    }

    /// Opens the store (running migrations), as Cradle itself does.
    pub async fn open(&self) -> Arc<dyn Store> {
        cradle_store::open(&self.url).await.unwrap()
    }

    pub async fn open_sqlite(&self) -> SqliteStore {
        SqliteStore::open(&self.url).await.unwrap()
    }

    pub async fn open_postgres(&self) -> PostgresStore {
        PostgresStore::open(&self.url).await.unwrap()
    }

    /// Runs raw SQL under the store, as an attacker with database access (or a failing disk)
    /// would. Used to tamper with the audit trail and to make audit writes fail.
    pub async fn execute_raw(&self, sql: &str) {
        match self.backend {
            Backend::Sqlite => {
                let store = self.open_sqlite().await;
                sqlx::raw_sql(sql).execute(store.raw_pool()).await.unwrap();
            }
            Backend::Postgres => {
                let store = self.open_postgres().await;
                sqlx::raw_sql(sql).execute(store.raw_pool()).await.unwrap();
            }
        }
    }

    /// As [`TestDatabase::execute_raw`], answering the database's refusal instead of failing.
    pub async fn try_raw(&self, sql: &str) -> Result<(), String> {
        let result = match self.backend {
            Backend::Sqlite => {
                let store = self.open_sqlite().await;
                sqlx::raw_sql(sql).execute(store.raw_pool()).await.map(drop)
            }
            Backend::Postgres => {
                let store = self.open_postgres().await;
                sqlx::raw_sql(sql).execute(store.raw_pool()).await.map(drop)
            }
        };
        result.map_err(|e| e.to_string())
    }

    /// Drops the triggers that keep the audit trail append-only, as someone with full rights
    /// over the database could, so that a test can rewrite the trail as they would.
    pub async fn allow_audit_rewriting(&self) {
        let sql = match self.backend {
            Backend::Sqlite => {
                "DROP TRIGGER audit_events_never_change; DROP TRIGGER audit_events_never_removed; \
                 DROP TRIGGER audit_head_only_forward; DROP TRIGGER audit_head_never_removed;"
            }
            Backend::Postgres => {
                "DROP TRIGGER audit_events_append_only ON audit_events; \
                 DROP TRIGGER audit_events_never_emptied ON audit_events; \
                 DROP TRIGGER audit_head_only_forward ON audit_head; \
                 DROP TRIGGER audit_head_never_emptied ON audit_head;"
            }
        };
        self.execute_raw(sql).await;
    }

    pub async fn cleanup(self) {
        if let (Some(admin_url), Some(name)) = (&self.admin_url, &self.name) {
            if let Ok(mut admin) =
                <sqlx::PgConnection as sqlx::Connection>::connect(admin_url).await
            {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await;
            }
        }
    }
}

/// A Cradle server running for one test.
pub struct TestApp {
    pub address: String,
    pub app: Cradle,
    pub clock: Arc<ManualClock>,
    pub database: TestDatabase,
    pub demo: cradle_app::demo::DemoData,
    /// The folder the recordings' sealed films rest in, for tests that look at the disk.
    pub recordings: tempfile::TempDir,
    /// The master keys file's text (one `name=key` line, the master key named "test").
    pub master_keys: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A client that keeps cookies and does not follow redirects, so tests see them.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// Signs `username` in with the demo password and returns the client holding the session.
    /// An account with a second factor (the demo administrator) is asked for its code, which
    /// this enters as the person's authenticator app would show it.
    pub async fn signed_in(&self, username: &str) -> reqwest::Client {
        let client = self.client();
        let response = self
            .login(&client, username, cradle_app::demo::DEMO_PASSWORD)
            .await;
        let response = self.enter_code(&client, username, response).await;
        assert_eq!(
            response.status(),
            303,
            "sign-in as {username} should redirect"
        );
        client
    }

    /// The code an account's authenticator app shows now, after moving the clock to a fresh
    /// 30-second step (Cradle accepts a step's code once).
    pub async fn fresh_code(&self, username: &str) -> String {
        let staff = self
            .app
            .store
            .staff_by_username(username)
            .await
            .unwrap()
            .expect("account exists");
        let secret = self
            .app
            .store
            .second_factor(staff.id)
            .await
            .unwrap()
            .expect("account has a second factor");
        self.code_for_key(&secret)
    }

    /// Gives an account a second factor, as if its owner had set one up; answers the key.
    pub async fn give_second_factor(&self, username: &str) -> String {
        let staff = self
            .app
            .store
            .staff_by_username(username)
            .await
            .unwrap()
            .expect("account exists");
        let key = cradle_app::second_factor::new_secret().unwrap();
        let entry = cradle_app::Actor::command_line().audit(
            self.app.now(),
            cradle_domain::AuditAction::SecondFactorSetUp,
            Some((cradle_domain::SubjectKind::Staff, staff.id.0)),
        );
        self.app
            .store
            .set_second_factor(staff.id, Some(&key), entry)
            .await
            .unwrap();
        key
    }

    /// The code for `key` in a fresh 30-second step (see [`TestApp::fresh_code`]).
    pub fn code_for_key(&self, key: &str) -> String {
        self.clock.advance_seconds(30);
        cradle_app::second_factor::current_code(key, self.app.now()).expect("a valid key")
    }

    /// Finishes a sign-in that answered with the page asking for a second-factor code (and,
    /// where the account must set one up, the new key on it); any other answer is returned
    /// as it is.
    pub async fn enter_code(
        &self,
        client: &reqwest::Client,
        username: &str,
        response: reqwest::Response,
    ) -> reqwest::Response {
        if response.status() != 200 {
            return response;
        }
        let page = response.text().await.unwrap();
        assert!(
            page.contains("action=\"/login/code\""),
            "a sign-in that neither redirects nor asks for a code: {page}"
        );
        let key = hidden_field(&page, "key");
        let code = match &key {
            Some(key) => self.code_for_key(key),
            None => self.fresh_code(username).await,
        };
        let token = hidden_field(&page, "csrf_token").expect("the code form has a CSRF token");
        let next = hidden_field(&page, "next").unwrap_or_else(|| "/".into());
        client
            .post(self.url("/login/code"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("code", code.as_str()),
                ("key", key.as_deref().unwrap_or("")),
                ("next", next.as_str()),
                ("username", username),
            ])
            .send()
            .await
            .unwrap()
    }

    /// Submits the sign-in form the way a browser does (fetching it first for its token).
    pub async fn login(
        &self,
        client: &reqwest::Client,
        username: &str,
        password: &str,
    ) -> reqwest::Response {
        self.login_returning_to(client, username, password, "/")
            .await
    }

    /// Signs in through the sign-in form, asking to return to `next` afterwards.
    pub async fn login_returning_to(
        &self,
        client: &reqwest::Client,
        username: &str,
        password: &str,
        next: &str,
    ) -> reqwest::Response {
        self.login_with_header(client, username, password, next, None)
            .await
    }

    /// Signs in through the sign-in form, sending `header` (name, value) with the form and
    /// with the sign-in: what a reverse proxy adds, for example.
    pub async fn login_with_header(
        &self,
        client: &reqwest::Client,
        username: &str,
        password: &str,
        next: &str,
        header: Option<(&str, &str)>,
    ) -> reqwest::Response {
        let with_header = |request: reqwest::RequestBuilder| match header {
            Some((name, value)) => request.header(name, value),
            None => request,
        };
        let form = with_header(client.get(self.url("/login")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let token = hidden_field(&form, "csrf_token").expect("sign-in form has a CSRF token");
        with_header(client.post(self.url("/login")))
            .form(&[
                ("csrf_token", token.as_str()),
                ("username", username),
                ("password", password),
                ("next", next),
            ])
            .send()
            .await
            .unwrap()
    }

    /// The CSRF token of the signed-in session, read from a page as a browser would.
    pub async fn csrf_token(&self, client: &reqwest::Client) -> String {
        let page = client
            .get(self.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        hidden_field(&page, "csrf_token").expect("signed-in pages carry a CSRF token")
    }

    pub fn staff_id(&self, username: &str) -> cradle_domain::StaffId {
        self.demo
            .staff
            .iter()
            .find(|s| s.username == username)
            .map(|s| s.id)
            .expect("demo account exists")
    }

    pub fn team_id(&self, name: &str) -> cradle_domain::TeamId {
        self.demo
            .teams
            .iter()
            .find(|t| t.name == name)
            .map(|t| t.id)
            .expect("demo team exists")
    }
}

/// The value of a hidden input in a page.
pub fn hidden_field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

/// Starts Cradle with the demo teams, accounts and families on a fresh database.
pub async fn spawn_app(backend: Backend, secure_cookies: bool) -> Option<TestApp> {
    spawn_app_behind(backend, secure_cookies, TrustedProxies::default()).await
}

/// As [`spawn_app`], behind reverse proxies whose `X-Forwarded-For` is believed.
pub async fn spawn_app_behind(
    backend: Backend,
    secure_cookies: bool,
    trusted_proxies: TrustedProxies,
) -> Option<TestApp> {
    let database = TestDatabase::new(backend).await?;
    let clock = Arc::new(ManualClock::default());
    let recordings = tempfile::tempdir().unwrap();
    let master_keys = cradle_media::keys::Keyring::new_master_entry("test").unwrap();
    let keyring = cradle_media::keys::Keyring::parse(&master_keys).unwrap();
    let films = cradle_media::films::Films::on_disk(recordings.path()).unwrap();
    let app = Cradle::new(database.open().await)
        .with_clock(clock.clone())
        .with_media(cradle_app::recordings::Media::new(
            keyring,
            films,
            cradle_media::probe::Tools::default(),
        ));
    let demo = cradle_app::demo::seed(&app).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let state = WebState::new(WebParts {
        app: app.clone(),
        secure_cookies,
        demo: true,
        family_json: Default::default(),
        trusted_proxies,
    });
    tokio::spawn(async move {
        let _ = cradle_web::serve(state, listener).await;
    });
    Some(TestApp {
        address,
        app,
        clock,
        database,
        demo,
        recordings,
        master_keys,
    })
}

/// Runs one test body on SQLite, then on PostgreSQL when this run has it.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                ($body)($crate::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::postgres_url().is_none() {
                    eprintln!("TEST_DATABASE_URL is not set: PostgreSQL not tested here");
                    return;
                }
                ($body)($crate::Backend::Postgres).await;
            }
        }
    };
}

/// How much picture a test film carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilmDetail {
    /// A plain test pattern: small (about 130 KB a second).
    Plain,
    /// With moving noise at 640 × 360: about 2.3 MB a second, so that a few seconds span
    /// several stored parts.
    Busy,
    /// With moving noise at 1280 × 720: about 9 MB a second, more than any buffer between
    /// the server and a player holds.
    Large,
}

/// A test recording made by ffmpeg (which the test command installs): a moving test
/// pattern and a tone, `seconds` long, with `marker` written into its metadata so that a
/// test can search the disk for it. The index is at the start, as a phone's "optimised for
/// sharing" export has it.
pub fn test_film(marker: &str, seconds: u32, detail: FilmDetail) -> Vec<u8> {
    let folder = tempfile::tempdir().expect("a temporary folder for the test film");
    let path = folder.path().join("film.mp4");
    let size = if detail == FilmDetail::Large {
        "1280x720"
    } else {
        "640x360"
    };
    let picture = format!("testsrc=duration={seconds}:size={size}:rate=25");
    let tone = format!("sine=frequency=440:duration={seconds}");
    let comment = format!("comment={marker}");
    let mut args = vec![
        "-loglevel",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        &picture,
        "-f",
        "lavfi",
        "-i",
        &tone,
        "-metadata",
        &comment,
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-movflags",
        "+faststart",
        "-shortest",
    ];
    match detail {
        FilmDetail::Plain => {}
        FilmDetail::Busy => args.extend_from_slice(&["-vf", "noise=alls=40:allf=t", "-b:v", "16M"]),
        FilmDetail::Large => {
            args.extend_from_slice(&["-vf", "noise=alls=40:allf=t", "-b:v", "64M"])
        }
    }
    let path_text = path.to_str().expect("a temporary path in UTF-8");
    args.push(path_text);
    let made = std::process::Command::new("ffmpeg")
        .args(&args)
        .status()
        .expect("ffmpeg is installed by the test command (scripts/test)");
    assert!(made.success(), "ffmpeg could not make the test film");
    std::fs::read(&path).expect("the test film ffmpeg made")
}
