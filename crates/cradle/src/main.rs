//! The `cradle` command: run the service, run it with demonstration data, and the
//! administrator's tasks that need no browser (accounts, teams, audit verification).

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use cradle_app::admin::StaffInput;
use cradle_app::{Actor, AppError, Cradle};
use cradle_web::{WebParts, WebState};
use std::io::Read;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "cradle",
    version,
    about = "Cradle: involving partners and families in the baby's care, for perinatal mental health teams and Mother and Baby Units"
)]
struct Cli {
    #[command(flatten)]
    storage: Storage,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct Storage {
    /// Folder for Cradle's own files (the SQLite database by default).
    #[arg(long, env = "CRADLE_DATA_DIR", default_value = "./data", global = true)]
    data_dir: PathBuf,
    /// Database: sqlite://path/to/file.db (default: cradle.db in the data folder) or
    /// postgres://user@host/database for several application servers.
    #[arg(
        long,
        env = "CRADLE_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    database_url: Option<String>,
    /// The key that signs checkpoints of the audit trail (made there if missing). Keep it
    /// away from the database and its backups: whoever holds both could rewrite the trail.
    /// Default: audit-signing.key in the data folder.
    #[arg(long, env = "CRADLE_AUDIT_SIGNING_KEY", global = true)]
    audit_signing_key: Option<PathBuf>,
    /// Where signed checkpoints of the audit trail are written (one a line), as well as to the
    /// log. Default: audit-checkpoints.jsonl in the data folder.
    #[arg(long, env = "CRADLE_AUDIT_CHECKPOINTS", global = true)]
    audit_checkpoints: Option<PathBuf>,
    /// Folder the video feedback recordings rest in, each sealed with a key of its own.
    /// Default: recordings in the data folder.
    #[arg(long, env = "CRADLE_RECORDINGS_DIR", global = true)]
    recordings_dir: Option<PathBuf>,
    /// S3-compatible storage for the recordings instead of a folder, for several application
    /// servers: s3://bucket or s3://bucket/folder. The endpoint, region and credentials come
    /// from AWS_ENDPOINT, AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY
    /// (AWS_ALLOW_HTTP=true for a plain-HTTP endpoint on a private network).
    #[arg(
        long,
        env = "CRADLE_RECORDINGS_URL",
        global = true,
        conflicts_with = "recordings_dir"
    )]
    recordings_url: Option<String>,
    /// The master keys that wrap each recording's key: a file of `name=key` lines, the newest
    /// first (made with one new key if missing). Keep it away from the database, its backups
    /// and the recordings. To bring in a new master key, put its line first and keep the old
    /// one until every recording's key has been wrapped again. Default: master-keys in the
    /// data folder.
    #[arg(long, env = "CRADLE_MASTER_KEYS_FILE", global = true)]
    master_keys_file: Option<PathBuf>,
    /// ffprobe, which says what an uploaded recording holds (checked by its content, never
    /// its name). Debian's package ffmpeg provides it.
    #[arg(long, env = "CRADLE_FFPROBE", global = true, default_value = "ffprobe")]
    ffprobe: PathBuf,
    /// ffmpeg, which reads an uploaded recording's last seconds (a film cut short is refused)
    /// and takes its poster frame.
    #[arg(long, env = "CRADLE_FFMPEG", global = true, default_value = "ffmpeg")]
    ffmpeg: PathBuf,
}

#[derive(Subcommand)]
enum RecordingsCommand {
    /// Wrap every recording's key again under the newest master key (the first line of the
    /// master keys file), each change audited, so that older master keys can be retired. No
    /// film is read or sealed again. Safe to run again, and while servers run.
    RewrapKeys,
}

#[derive(Args)]
struct Serving {
    /// Address and port to listen on; port 0 picks a free port.
    #[arg(long, env = "CRADLE_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    /// Send cookies without the Secure flag. Only for local development over plain HTTP.
    #[arg(long, env = "CRADLE_INSECURE_COOKIES")]
    insecure_cookies: bool,
    /// The reverse proxy in front of Cradle (an address such as 10.0.0.5 or a range such as
    /// 10.0.0.0/24; repeat, or separate with commas). Only from these is X-Forwarded-For
    /// believed, for sign-in limits and the audit; by default it is never believed.
    #[arg(
        long = "trusted-proxy",
        env = "CRADLE_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<String>,
    /// How often, in minutes, this server removes expired sessions, old failed sign-ins and
    /// abandoned sign-ins.
    #[arg(long, env = "CRADLE_HOUSEKEEPING_MINUTES", default_value_t = 60)]
    housekeeping_minutes: u64,
    /// How often, in minutes, this server signs a checkpoint of the audit trail.
    #[arg(long, env = "CRADLE_AUDIT_CHECKPOINT_MINUTES", default_value_t = 60)]
    audit_checkpoint_minutes: u64,
}

#[derive(Subcommand)]
enum Command {
    /// Create demonstration teams, accounts (one per role) and families, then serve.
    Demo {
        #[command(flatten)]
        serving: Serving,
        /// Also create this many invented families in the community team, for benchmarks
        /// (added once: a second run with the same number adds none).
        #[arg(long, default_value_t = 0)]
        families: u32,
        /// Give each invented family a care plan with this many weekly sessions (and the
        /// reviews they would have had), for benchmarks of the caseload's review-due figures.
        #[arg(long, default_value_t = 0)]
        sessions_per_family: u32,
    },
    /// Serve Cradle (applies database migrations first).
    Serve {
        #[command(flatten)]
        serving: Serving,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// PostgreSQL: give a role what Cradle needs to serve and no more (it may never change,
    /// remove or empty an audit record). Run as the tables' owner after `cradle migrate`,
    /// then serve with a database URL naming that role.
    GrantAppRole {
        /// The role Cradle serves as, already made (CREATE ROLE cradle_app LOGIN PASSWORD …).
        role: String,
    },
    /// Manage staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage teams.
    #[command(subcommand)]
    Team(TeamCommand),
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Video feedback recordings.
    #[command(subcommand)]
    Recordings(RecordingsCommand),
    /// Remove expired sessions, old failed sign-ins and abandoned sign-ins, and delete the
    /// recordings whose consent was withdrawn or ended, now (a server does this itself every
    /// hour).
    Housekeeping,
    /// Questionnaire definitions (docs/instruments/README.md).
    #[command(subcommand)]
    Questionnaire(QuestionnaireCommand),
}

#[derive(Subcommand)]
enum QuestionnaireCommand {
    /// Check a definition file (a FHIR Questionnaire with Cradle's scoring rules) and name
    /// every fault; exits 1 if there is any. Reads nothing from the database.
    Check {
        /// The definition file (JSON).
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a staff account. It has no password: an enrolment link is printed, through which
    /// the person chooses their own (or, with --password-stdin, it is read from standard
    /// input, for scripted set-ups).
    Add {
        #[arg(long)]
        username: String,
        /// Full name as shown on screens.
        #[arg(long)]
        name: String,
        /// clinician, nursery_nurse, mbu_staff, team_manager or administrator.
        #[arg(long)]
        role: String,
        /// Team name or id; repeat for several teams.
        #[arg(long = "team")]
        teams: Vec<String>,
        #[arg(long)]
        password_stdin: bool,
        /// An account for another system using the API with a bearer token; it cannot sign in to pages.
        #[arg(long)]
        service_account: bool,
        /// Cradle's web address, put in front of the printed link.
        #[arg(long, env = "CRADLE_PUBLIC_URL", default_value = "")]
        public_url: String,
    },
    /// Make a one-time link through which the person sets their own password: an enrolment
    /// link for an account without one, otherwise a password reset link (which also removes
    /// their second factor, for a lost phone). A newer link cancels an older one.
    Link {
        username: String,
        /// Cradle's web address, put in front of the printed link.
        #[arg(long, env = "CRADLE_PUBLIC_URL", default_value = "")]
        public_url: String,
    },
    /// Disable an account: its sessions end at once and it can no longer sign in.
    Disable { username: String },
    /// Enable a disabled account.
    Enable { username: String },
    /// List accounts.
    List,
    /// Set the teams an account belongs to (replacing its current teams).
    Teams {
        username: String,
        /// Team name or id; repeat for several teams; none removes every team.
        #[arg(long = "team")]
        teams: Vec<String>,
    },
    /// Issue an API bearer token for an account (printed once; only its hash is kept).
    Token {
        username: String,
        /// What the token is for, e.g. "reporting extract".
        #[arg(long)]
        label: String,
        /// How many days it lasts (1 to 365; 90 if not given).
        #[arg(long)]
        days: Option<u32>,
    },
    /// List every API token: its id, account, what it is for, expiry, last use and status.
    Tokens,
    /// Revoke an API token at once, by the id `cradle user tokens` shows.
    RevokeToken { id: String },
}

#[derive(Subcommand)]
enum TeamCommand {
    /// Add a team.
    Add { name: String },
    /// List teams.
    List,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check every record of the audit trail's hash chain, then the chain against every
    /// signed checkpoint (--audit-checkpoints). Exits 1 and names the first fault if any
    /// record was changed, removed or reordered, or the chain was rewritten since a
    /// checkpoint.
    Verify {
        /// The public key that signs the checkpoints (64 hex digits), as `cradle audit
        /// public-key` prints it; without it, the one of --audit-signing-key.
        #[arg(long)]
        public_key: Option<String>,
    },
    /// Sign a checkpoint of the audit trail now (a server does so every hour).
    Checkpoint,
    /// Print the public key of the audit signing key, for whoever verifies the trail.
    PublicKey,
}

impl Storage {
    fn signing_key_path(&self) -> PathBuf {
        self.audit_signing_key
            .clone()
            .unwrap_or_else(|| self.data_dir.join("audit-signing.key"))
    }

    fn checkpoints_path(&self) -> PathBuf {
        self.audit_checkpoints
            .clone()
            .unwrap_or_else(|| self.data_dir.join("audit-checkpoints.jsonl"))
    }

    fn signer(&self) -> Result<cradle_app::checkpoints::AuditSigner> {
        let path = self.signing_key_path();
        cradle_app::checkpoints::AuditSigner::load_or_create(&path)
            .map_err(|why| anyhow::anyhow!(why))
    }

    fn url(&self) -> Result<String> {
        if let Some(url) = self
            .database_url
            .as_deref()
            .filter(|u| !u.trim().is_empty())
        {
            return Ok(url.to_string());
        }
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("cannot create data folder {}", self.data_dir.display()))?;
        Ok(format!(
            "sqlite://{}",
            self.data_dir.join("cradle.db").display()
        ))
    }
}

/// The database URL without any password, for messages.
fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:****{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// mimalloc instead of the system allocator: a request builds and drops many small values
/// (rows, records, the page), and glibc's allocator was a sixth of a profiled request.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CRADLE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("cradle: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn open(storage: &Storage) -> Result<Cradle> {
    let url = storage.url()?;
    let store = cradle_store::open(&url)
        .await
        .with_context(|| format!("cannot open the database at {}", redacted(&url)))?;
    let keys = storage
        .master_keys_file
        .clone()
        .unwrap_or_else(|| storage.data_dir.join("master-keys"));
    let keyring = cradle_app::recordings::load_or_create_keyring(&keys)
        .map_err(|why| anyhow::anyhow!(why))?;
    let films = match &storage.recordings_url {
        Some(url) => cradle_media::films::Films::in_s3(url, &[])
            .with_context(|| format!("cannot use the recordings storage {url}"))?,
        None => {
            let folder = storage
                .recordings_dir
                .clone()
                .unwrap_or_else(|| storage.data_dir.join("recordings"));
            cradle_media::films::Films::on_disk(&folder)
                .with_context(|| format!("cannot use the recordings folder {}", folder.display()))?
        }
    };
    Ok(
        Cradle::new(store).with_media(cradle_app::recordings::Media::new(
            keyring,
            films,
            cradle_media::probe::Tools {
                ffprobe: storage.ffprobe.clone(),
                ffmpeg: storage.ffmpeg.clone(),
                ..cradle_media::probe::Tools::default()
            },
        )),
    )
}

fn explain(error: AppError) -> anyhow::Error {
    match error {
        AppError::Invalid(problems) => anyhow::anyhow!(
            "{}",
            problems
                .0
                .iter()
                .map(|p| format!("{}: {}", p.field, p.message))
                .collect::<Vec<_>>()
                .join("\n")
        ),
        AppError::NotFound => anyhow::anyhow!("not found"),
        other => anyhow::anyhow!("{other}"),
    }
}

async fn run(cli: Cli) -> Result<std::process::ExitCode> {
    let ok = std::process::ExitCode::SUCCESS;
    match cli.command {
        Command::Demo {
            serving,
            families,
            sessions_per_family,
        } => {
            let app = open(&cli.storage).await?;
            let demo = cradle_app::demo::seed(&app).await.map_err(explain)?;
            if families > 0 {
                synthetic(&app, &demo, families, sessions_per_family).await?;
            }
            // Demo runs are local: plain HTTP unless told otherwise.
            serve(app, &cli.storage, serving, true).await?;
        }
        Command::Serve { serving } => {
            let app = open(&cli.storage).await?;
            serve(app, &cli.storage, serving, false).await?;
        }
        Command::GrantAppRole { role } => {
            let url = cli.storage.url()?;
            if !url.starts_with("postgres") {
                anyhow::bail!("grant-app-role is for PostgreSQL; SQLite has no roles (its triggers keep the audit trail append-only)");
            }
            let store = cradle_store::PostgresStore::open(&url)
                .await
                .with_context(|| format!("cannot open the database at {}", redacted(&url)))?;
            store
                .grant_app_role(&role)
                .await
                .with_context(|| format!("cannot grant {role} its rights"))?;
            println!(
                "{role} may now serve Cradle, and may not change, remove or empty an audit record."
            );
        }
        Command::Recordings(RecordingsCommand::RewrapKeys) => {
            let app = open(&cli.storage).await?;
            let rewrapped = app
                .rewrap_recording_keys(&cradle_app::Actor::command_line())
                .await
                .map_err(explain)?;
            println!(
                "Wrapped {rewrapped} recordings' keys again under the newest master key. Every \
                 recording's key is now under it: older master keys may be removed from the file."
            );
        }
        Command::Housekeeping => {
            let app = open(&cli.storage).await?;
            let swept = app.housekeeping().await.map_err(explain)?;
            println!(
                "Removed {} expired sessions, {} old failed sign-ins and {} abandoned sign-ins; \
                 deleted {} recordings that may no longer be kept.",
                swept.sessions, swept.sign_in_failures, swept.sign_in_challenges, swept.recordings
            );
        }
        Command::Migrate => {
            let app = open(&cli.storage).await?;
            println!("The {} database is up to date.", app.store.backend().name());
        }
        Command::User(command) => {
            let app = open(&cli.storage).await?;
            user(&app, command).await?;
        }
        Command::Team(command) => {
            let app = open(&cli.storage).await?;
            let actor = Actor::command_line();
            match command {
                TeamCommand::Add { name } => {
                    let team = app.create_team(&actor, &name).await.map_err(explain)?;
                    println!("Added team \"{}\" ({})", team.name, team.id);
                }
                TeamCommand::List => {
                    for team in app.teams().await.map_err(explain)? {
                        println!("{}\t{}", team.id, team.name);
                    }
                }
            }
        }
        Command::Questionnaire(QuestionnaireCommand::Check { file }) => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("could not read {}", file.display()))?;
            match cradle_domain::questionnaires::Instrument::load(&text) {
                Ok(instrument) => println!(
                    "{} (version {}) can be imported: {} questions, {} scores, {} safety alerts, validated for {}. Licence: {}{}.",
                    instrument.name,
                    instrument.version,
                    instrument.questions.len(),
                    instrument.scores.len(),
                    instrument.alerts.len(),
                    instrument
                        .populations
                        .iter()
                        .map(|p| p.label.as_str())
                        .collect::<Vec<_>>()
                        .join("; "),
                    instrument.licence.name,
                    if instrument.licence.redistribution_allowed {
                        ""
                    } else {
                        " (not to be given away: keep it within the service)"
                    }
                ),
                Err(faults) => {
                    println!("{} cannot be imported:", file.display());
                    for fault in faults.0 {
                        println!("- {fault}");
                    }
                    return Ok(std::process::ExitCode::FAILURE);
                }
            }
        }
        Command::Audit(AuditCommand::Verify { public_key }) => {
            let app = open(&cli.storage).await?;
            let checkpoints_path = cli.storage.checkpoints_path();
            let checkpoints = if checkpoints_path.exists() {
                cradle_app::checkpoints::read_checkpoints(&checkpoints_path)
                    .map_err(|why| anyhow::anyhow!(why))?
            } else {
                Vec::new()
            };
            let key = match public_key {
                Some(hex) => cradle_app::checkpoints::public_key_from_hex(&hex)
                    .map_err(|why| anyhow::anyhow!("--public-key: {why}"))?,
                None if checkpoints.is_empty() => {
                    // Nothing to check against: any key will do, and none is made.
                    cradle_app::checkpoints::AuditSigner::ephemeral().verifying_key()
                }
                None => cradle_app::checkpoints::AuditSigner::load(&cli.storage.signing_key_path())
                    .map_err(|why| {
                        anyhow::anyhow!("{why}; give --public-key to check the checkpoints")
                    })?
                    .verifying_key(),
            };
            match app
                .verify_audit_against(&Actor::command_line(), &checkpoints, &key)
                .await
                .map_err(explain)?
            {
                Ok((records, checked)) => println!(
                    "The audit trail is intact: {records} records checked, and {checked} signed checkpoints{}.",
                    if checked == 0 {
                        format!(" (none found at {})", checkpoints_path.display())
                    } else {
                        String::new()
                    }
                ),
                Err(fault) => {
                    println!(
                        "The audit trail is broken at {}: {}",
                        fault.place(),
                        fault.problem
                    );
                    return Ok(std::process::ExitCode::FAILURE);
                }
            }
        }
        Command::Audit(AuditCommand::Checkpoint) => {
            let app = open(&cli.storage).await?;
            let signer = cli.storage.signer()?;
            let path = cli.storage.checkpoints_path();
            let checkpoint = app
                .write_checkpoint(&signer, &path)
                .await
                .map_err(explain)?;
            println!(
                "Signed a checkpoint of the audit trail at {} records, written to {}.",
                checkpoint.records,
                path.display()
            );
        }
        Command::Audit(AuditCommand::PublicKey) => {
            println!("{}", cli.storage.signer()?.public_key());
        }
    }
    Ok(ok)
}

async fn user(app: &Cradle, command: UserCommand) -> Result<()> {
    let actor = Actor::command_line();
    match command {
        UserCommand::Add {
            username,
            name,
            role,
            teams,
            password_stdin,
            service_account,
            public_url,
        } => {
            let password = if password_stdin && !service_account {
                let mut text = String::new();
                std::io::stdin()
                    .read_to_string(&mut text)
                    .context("cannot read the password from standard input")?;
                text.trim_end_matches(['\r', '\n']).to_string()
            } else {
                String::new()
            };
            let input = StaffInput {
                username,
                display_name: name,
                role,
                password: password.clone(),
                teams,
                service_account,
            };
            let staff = app.create_staff(&actor, &input).await.map_err(explain)?;
            println!(
                "Added {} ({}) as {}.",
                staff.display_name,
                staff.username,
                staff.role.label()
            );
            if password.is_empty() && !service_account {
                print_link(app, &actor, staff.id, &public_url).await?;
            }
        }
        UserCommand::Link {
            username,
            public_url,
        } => {
            let staff = app.find_staff(&actor, &username).await.map_err(explain)?;
            print_link(app, &actor, staff.id, &public_url).await?;
        }
        UserCommand::Disable { username } => {
            let staff = app.find_staff(&actor, &username).await.map_err(explain)?;
            app.set_staff_disabled(&actor, staff.id, true)
                .await
                .map_err(explain)?;
            println!("Disabled {}: their sessions have ended.", staff.username);
        }
        UserCommand::Enable { username } => {
            let staff = app.find_staff(&actor, &username).await.map_err(explain)?;
            app.set_staff_disabled(&actor, staff.id, false)
                .await
                .map_err(explain)?;
            println!("Enabled {}.", staff.username);
        }
        UserCommand::List => {
            let teams = app.teams().await.map_err(explain)?;
            for staff in app.list_staff(&actor).await.map_err(explain)? {
                let team_names: Vec<&str> = teams
                    .iter()
                    .filter(|t| staff.teams.contains(&t.id))
                    .map(|t| t.name.as_str())
                    .collect();
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    staff.username,
                    staff.display_name,
                    staff.role.code(),
                    if staff.disabled { "disabled" } else { "active" },
                    team_names.join(", ")
                );
            }
        }
        UserCommand::Teams { username, teams } => {
            let staff = app.find_staff(&actor, &username).await.map_err(explain)?;
            let known = app.teams().await.map_err(explain)?;
            let mut ids = Vec::new();
            for team in &teams {
                let found = known.iter().find(|t| {
                    t.name.eq_ignore_ascii_case(team.trim()) || t.id.to_string() == team.trim()
                });
                match found {
                    Some(t) => ids.push(t.id),
                    None => anyhow::bail!("There is no team called \"{}\"", team.trim()),
                }
            }
            app.set_staff_teams(&actor, staff.id, &ids)
                .await
                .map_err(explain)?;
            println!("{} now belongs to {} team(s).", staff.username, ids.len());
        }
        UserCommand::Token {
            username,
            label,
            days,
        } => {
            let staff = app.find_staff(&actor, &username).await.map_err(explain)?;
            let issued = app
                .issue_api_token(&actor, staff.id, &label, days)
                .await
                .map_err(explain)?;
            println!(
                "API token for {} (shown once; works until {}): {}",
                staff.username,
                cradle_domain::dates::long_date_time(issued.expires_at_millis),
                issued.token
            );
        }
        UserCommand::Tokens => {
            let now = app.now();
            for line in app.api_tokens(&actor).await.map_err(explain)? {
                println!(
                    "{}\t{}\t{}\texpires {}\tlast used {}\t{}",
                    line.token.id,
                    line.account
                        .as_ref()
                        .map(|a| a.username.as_str())
                        .unwrap_or("?"),
                    line.token.label,
                    cradle_domain::dates::long_date_time(line.token.expires_at_millis),
                    line.token
                        .last_used_at_millis
                        .map(cradle_domain::dates::long_date_time)
                        .unwrap_or_else(|| "never".into()),
                    line.status(now)
                );
            }
        }
        UserCommand::RevokeToken { id } => {
            let Ok(id) = id.trim().parse::<uuid::Uuid>() else {
                anyhow::bail!("\"{id}\" is not a token id: `cradle user tokens` lists them");
            };
            app.revoke_api_token(&actor, id)
                .await
                .map_err(|e| match e {
                    AppError::NotFound => {
                        anyhow::anyhow!("There is no token {id} that is not already revoked")
                    }
                    other => explain(other),
                })?;
            println!("Revoked token {id}: it no longer works.");
        }
    }
    Ok(())
}

/// Makes a one-time sign-in link and prints it, once, for the operator to hand over.
async fn print_link(
    app: &Cradle,
    actor: &Actor,
    id: cradle_domain::StaffId,
    public_url: &str,
) -> Result<()> {
    let link = app.make_account_link(actor, id).await.map_err(explain)?;
    let kind = if link.enrolment {
        "Enrolment link"
    } else {
        "Password reset link"
    };
    println!(
        "{kind} for {} (works once, until {}; give it to them only):",
        link.staff.display_name,
        cradle_domain::dates::long_date_time(link.expires_at_millis)
    );
    let base = public_url.trim_end_matches('/');
    if base.is_empty() {
        println!("  {}  (after Cradle's web address)", link.path());
    } else {
        println!("  {base}{}", link.path());
    }
    Ok(())
}

/// Tops the community team's caseload up with invented families, for benchmarks.
async fn synthetic(
    app: &Cradle,
    demo: &cradle_app::demo::DemoData,
    wanted: u32,
    sessions_per_family: u32,
) -> Result<()> {
    let (Some(team), Some(clinician)) = (
        demo.teams
            .iter()
            .find(|t| t.name == cradle_app::demo::COMMUNITY_TEAM),
        demo.staff.iter().find(|s| s.username == "clinician"),
    ) else {
        anyhow::bail!("the demo team and clinician are missing");
    };
    let actor = Actor::staff(clinician, "command line");
    let existing = app
        .list_families(&actor, None, 1)
        .await
        .map_err(explain)?
        .total;
    let demo_families = cradle_app::demo::demo_families()
        .iter()
        .filter(|f| f.team == cradle_app::demo::COMMUNITY_TEAM)
        .count() as u64;
    let missing = (u64::from(wanted) + demo_families).saturating_sub(existing);
    if missing > 0 {
        println!("Creating {missing} invented families for benchmarks…");
        let made = cradle_app::demo::synthetic_caseload(
            app,
            team.id,
            clinician,
            u32::try_from(missing).unwrap_or(u32::MAX),
            sessions_per_family,
        )
        .await
        .map_err(explain)?;
        println!("Created {made} families.");
    }
    Ok(())
}

async fn serve(app: Cradle, storage: &Storage, serving: Serving, demo: bool) -> Result<()> {
    let signer = std::sync::Arc::new(storage.signer()?);
    let listener = tokio::net::TcpListener::bind(&serving.listen)
        .await
        .with_context(|| format!("cannot listen on {}", serving.listen))?;
    let trusted_proxies = cradle_web::proxy::TrustedProxies::parse(&serving.trusted_proxies)
        .map_err(|why| anyhow::anyhow!("--trusted-proxy: {why}"))?;
    let address = listener.local_addr()?;
    let backend = app.store.backend().name();
    let app_for_housekeeping = app.clone();
    let state = WebState::new(WebParts {
        app,
        secure_cookies: !(serving.insecure_cookies || demo),
        demo,
        family_json: Default::default(),
        trusted_proxies,
    });
    println!("Cradle is listening on http://{address} ({backend} database)");
    if demo {
        println!("Demonstration data: every person and record is invented.");
        println!("Sign in at http://{address}/login with one of these usernames:");
        for (username, name, role, _) in cradle_app::demo::DEMO_STAFF {
            println!("  {username:<15} {name} ({})", role.label());
        }
        println!(
            "Password for every demo account: {}",
            cradle_app::demo::DEMO_PASSWORD
        );
        println!(
            "admin also needs a second-factor code: in the demonstration the sign-in page shows it."
        );
    }
    let housekeeping = app_for_housekeeping.spawn_housekeeping(std::time::Duration::from_secs(
        serving.housekeeping_minutes.max(1) * 60,
    ));
    let checkpoints = app_for_housekeeping.spawn_checkpoints(
        signer,
        storage.checkpoints_path(),
        std::time::Duration::from_secs(serving.audit_checkpoint_minutes.max(1) * 60),
    );
    let served = cradle_web::serve(state, listener).await;
    housekeeping.abort();
    checkpoints.abort();
    served.context("the web server stopped")?;
    Ok(())
}
