//! The `cradle` command as an administrator uses it on the server.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cradle_testkit::{on_both_backends, Backend, TestDatabase};
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn cradle(url: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let files = tempfile::tempdir().unwrap();
    cradle_with_files(url, files.path(), args, stdin)
}

/// Runs `cradle` with its data folder (the audit signing key and checkpoints) in `files`.
fn cradle_with_files(
    url: &str,
    files: &std::path::Path,
    args: &[&str],
    stdin: Option<&str>,
) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cradle"))
        .args(args)
        .env("CRADLE_DATABASE_URL", url)
        .env("CRADLE_DATA_DIR", files)
        .env("CRADLE_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn every_subcommand_has_help() {
    for args in [
        vec!["--help"],
        vec!["demo", "--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["user", "--help"],
        vec!["user", "add", "--help"],
        vec!["user", "disable", "--help"],
        vec!["user", "enable", "--help"],
        vec!["user", "list", "--help"],
        vec!["user", "token", "--help"],
        vec!["user", "teams", "--help"],
        vec!["team", "--help"],
        vec!["team", "add", "--help"],
        vec!["team", "list", "--help"],
        vec!["audit", "--help"],
        vec!["audit", "verify", "--help"],
        vec!["questionnaire", "check", "--help"],
        vec!["recordings", "--help"],
        vec!["recordings", "rewrap-keys", "--help"],
        vec!["housekeeping", "--help"],
    ] {
        let output = cradle("sqlite::memory:", &args, None);
        assert!(output.status.success(), "{args:?}: {}", text(&output));
        assert!(text(&output).contains("Usage:"), "{args:?}");
    }
    let serve = text(&cradle("sqlite::memory:", &["serve", "--help"], None));
    for setting in [
        "CRADLE_LISTEN",
        "CRADLE_DATABASE_URL",
        "CRADLE_DATA_DIR",
        "CRADLE_RECORDINGS_URL",
        "CRADLE_FFPROBE",
    ] {
        assert!(serve.contains(setting), "serve --help documents {setting}");
    }
}

#[test]
fn a_service_checks_its_own_questionnaire_definition_before_importing_it() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let example = format!("{root}/docs/instruments/example-confidence-scale.json");
    let checked = cradle(
        "sqlite::memory:",
        &["questionnaire", "check", &example],
        None,
    );
    assert!(checked.status.success(), "{}", text(&checked));
    assert!(
        text(&checked).contains("Example confidence scale (version 0.1.0) can be imported: 5 questions, 3 scores, 1 safety alerts")
            && text(&checked).contains("not to be given away"),
        "{}",
        text(&checked)
    );

    // The same file with a link id used twice and a score over a question it lacks.
    let mut broken: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&example).unwrap()).unwrap();
    broken["questionnaire"]["item"][1]["item"][1]["linkId"] = "c1".into();
    broken["scores"][1]["questions"] = serde_json::json!(["c1", "c9"]);
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("broken.json");
    std::fs::write(&path, broken.to_string()).unwrap();
    let refused = cradle(
        "sqlite::memory:",
        &["questionnaire", "check", path.to_str().unwrap()],
        None,
    );
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    let said = text(&refused);
    assert!(said.contains("cannot be imported"), "{said}");
    assert!(said.contains("two items share the linkId \"c1\""), "{said}");
    assert!(said.contains("sums question \"c9\""), "{said}");
}

on_both_backends!(
    accounts_teams_and_the_audit_trail_from_the_command_line,
    |backend: Backend| async move {
        let db = TestDatabase::new(backend).await.unwrap();
        let url = db.url.clone();
        let migrated = cradle(&url, &["migrate"], None);
        assert!(migrated.status.success(), "{}", text(&migrated));

        let team = cradle(
            &url,
            &["team", "add", "North Perinatal Community Team"],
            None,
        );
        assert!(team.status.success(), "{}", text(&team));
        assert!(
            text(&cradle(&url, &["team", "list"], None)).contains("North Perinatal Community Team")
        );

        let added = cradle(
            &url,
            &[
                "user",
                "add",
                "--username",
                "Priya.Shah",
                "--name",
                "Priya Shah",
                "--role",
                "clinician",
                "--team",
                "North Perinatal Community Team",
                "--password-stdin",
            ],
            Some("a long enough password\n"),
        );
        assert!(added.status.success(), "{}", text(&added));
        assert!(
            !text(&added).contains("a long enough password"),
            "a typed password is never printed"
        );

        let short = cradle(
            &url,
            &[
                "user",
                "add",
                "--username",
                "x.y",
                "--name",
                "X Y",
                "--role",
                "clinician",
                "--team",
                "North Perinatal Community Team",
                "--password-stdin",
            ],
            Some("short\n"),
        );
        assert!(!short.status.success());
        assert!(text(&short).contains("at least 12 characters"));
        let no_team = cradle(
            &url,
            &[
                "user",
                "add",
                "--username",
                "x.y",
                "--name",
                "X Y",
                "--role",
                "clinician",
                "--team",
                "Nowhere",
            ],
            None,
        );
        assert!(!no_team.status.success());
        assert!(text(&no_team).contains("There is no team called \"Nowhere\""));

        let generated = cradle(
            &url,
            &[
                "user",
                "add",
                "--username",
                "sam",
                "--name",
                "Sam Lewis",
                "--role",
                "administrator",
                "--public-url",
                "https://cradle.example.nhs.uk/",
            ],
            None,
        );
        let printed = text(&generated);
        assert!(
            printed.contains("Enrolment link for Sam Lewis")
                && printed.contains("https://cradle.example.nhs.uk/password/"),
            "{printed}"
        );
        let reset = text(&cradle(&url, &["user", "link", "priya.shah"], None));
        assert!(
            reset.contains("Password reset link for Priya Shah") && reset.contains("/password/"),
            "{reset}"
        );

        let list = text(&cradle(&url, &["user", "list"], None));
        assert!(
            list.contains(
                "priya.shah\tPriya Shah\tclinician\tactive\tNorth Perinatal Community Team"
            ),
            "{list}"
        );
        assert!(cradle(&url, &["user", "disable", "priya.shah"], None)
            .status
            .success());
        assert!(text(&cradle(&url, &["user", "list"], None))
            .contains("priya.shah\tPriya Shah\tclinician\tdisabled"));
        let moved = cradle(&url, &["user", "teams", "priya.shah"], None);
        assert!(moved.status.success(), "{}", text(&moved));
        assert!(text(&cradle(&url, &["user", "list"], None))
            .contains("priya.shah\tPriya Shah\tclinician\tdisabled\t\n"));
        let nowhere = cradle(
            &url,
            &["user", "teams", "priya.shah", "--team", "Nowhere"],
            None,
        );
        assert!(!nowhere.status.success());
        assert!(text(&nowhere).contains("There is no team called \"Nowhere\""));
        let token = text(&cradle(
            &url,
            &["user", "token", "sam", "--label", "reporting extract"],
            None,
        ));
        assert!(
            token.contains("cradle_") && token.contains("works until"),
            "{token}"
        );
        let listed = text(&cradle(&url, &["user", "tokens"], None));
        let line = listed
            .lines()
            .find(|l| l.contains("reporting extract"))
            .unwrap_or_else(|| panic!("{listed}"));
        assert!(
            line.contains("last used never") && line.ends_with("Active"),
            "{line}"
        );
        let id = line.split('\t').next().unwrap();
        let revoked = cradle(&url, &["user", "revoke-token", id], None);
        assert!(revoked.status.success(), "{}", text(&revoked));
        assert!(text(&cradle(&url, &["user", "tokens"], None)).contains("Revoked"));
        let twice = cradle(&url, &["user", "revoke-token", id], None);
        assert!(!twice.status.success());
        assert!(text(&twice).contains("already revoked"));
        let swept = cradle(&url, &["housekeeping"], None);
        assert!(
            text(&swept).contains("Removed 0 expired sessions"),
            "{}",
            text(&swept)
        );
        let unknown = cradle(&url, &["user", "disable", "nobody"], None);
        assert!(!unknown.status.success());

        let verified = cradle(&url, &["audit", "verify"], None);
        assert!(verified.status.success(), "{}", text(&verified));
        assert!(text(&verified).contains("The audit trail is intact"));

        db.allow_audit_rewriting().await;
        db.execute_raw("UPDATE audit_events SET detail = 'edited later' WHERE seq = 3")
            .await;
        let broken = cradle(&url, &["audit", "verify"], None);
        assert_eq!(broken.status.code(), Some(1));
        assert!(
            text(&broken).contains("broken at record 3"),
            "{}",
            text(&broken)
        );
        db.cleanup().await;
    }
);

#[test]
fn an_unusable_database_url_is_explained() {
    let output = cradle("mysql://localhost/cradle", &["migrate"], None);
    assert!(!output.status.success());
    assert!(text(&output).contains("use sqlite://"), "{}", text(&output));
    let output = cradle(
        "postgres://cradle:secret-password@127.0.0.1:1/none",
        &["migrate"],
        None,
    );
    assert!(!output.status.success());
    assert!(
        !text(&output).contains("secret-password"),
        "passwords never reach the terminal: {}",
        text(&output)
    );
}

/// A database with some audit trail, a signed checkpoint of it, and then more records.
async fn trail_with_a_checkpoint(backend: Backend, files: &std::path::Path) -> (TestDatabase, i64) {
    let db = TestDatabase::new(backend).await.unwrap();
    let run = |args: &[&str]| {
        let output = cradle_with_files(&db.url, files, args, None);
        assert!(output.status.success(), "{args:?}: {}", text(&output));
        text(&output)
    };
    run(&["migrate"]);
    for team in [
        "North Perinatal Community Team",
        "Riverside Mother and Baby Unit",
    ] {
        run(&["team", "add", team]);
    }
    let signed = run(&["audit", "checkpoint"]);
    let records: i64 = signed
        .split(" at ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{signed}"));
    run(&["team", "add", "South Perinatal Community Team"]);
    (db, records)
}

/// Rewrites the trail from record `from` as someone with every right over the database
/// could: `change` alters each record, then every hash from there on, and the head, is
/// recomputed so that the chain checks again.
async fn rewrite_from(
    db: &TestDatabase,
    from: i64,
    change: impl Fn(&mut cradle_store::AuditRecord),
) {
    let store = db.open().await;
    let mut records = store.audit_records_after(0, 10_000).await.unwrap();
    db.allow_audit_rewriting().await;
    let mut previous = records
        .iter()
        .find(|r| r.seq == from - 1)
        .map(|r| r.hash.clone())
        .unwrap_or_else(|| cradle_store::GENESIS_HASH.to_string());
    let mut sql = String::new();
    for record in records.iter_mut().filter(|r| r.seq >= from) {
        change(record);
        record.prev_hash = previous.clone();
        record.hash = cradle_store::chain_hash(record);
        previous = record.hash.clone();
        sql.push_str(&format!(
            "UPDATE audit_events SET actor_username = '{}', detail = '{}', prev_hash = '{}', hash = '{}' WHERE seq = {};",
            record.actor_username.replace('\'', "''"),
            record.detail.replace('\'', "''"),
            record.prev_hash,
            record.hash,
            record.seq
        ));
    }
    let last = records.last().unwrap().seq;
    sql.push_str(&format!(
        "UPDATE audit_head SET hash = '{previous}', seq = {last};"
    ));
    db.execute_raw(&sql).await;
}

on_both_backends!(
    signed_checkpoints_catch_a_trail_truncated_recomputed_or_replaced,
    |backend: Backend| async move {
        let files = tempfile::tempdir().unwrap();
        let (db, signed_at) = trail_with_a_checkpoint(backend, files.path()).await;
        let verify = |extra: &[&str]| {
            let mut args = vec!["audit", "verify"];
            args.extend_from_slice(extra);
            cradle_with_files(&db.url, files.path(), &args, None)
        };
        let intact = verify(&[]);
        assert!(intact.status.success(), "{}", text(&intact));
        assert!(
            text(&intact).contains("and 1 signed checkpoints"),
            "{}",
            text(&intact)
        );
        // An auditor verifies with the public key alone; another key does not verify.
        let public = text(&cradle_with_files(
            &db.url,
            files.path(),
            &["audit", "public-key"],
            None,
        ));
        assert_eq!(public.trim().len(), 64, "{public}");
        assert!(verify(&["--public-key", public.trim()]).status.success());
        let stranger = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
        let forged = verify(&["--public-key", stranger]);
        assert_eq!(forged.status.code(), Some(1));
        assert!(
            text(&forged).contains("not signed with this key"),
            "{}",
            text(&forged)
        );

        // 1. The newest records removed and the head moved back to an earlier record.
        let store = db.open().await;
        let keep = signed_at - 1;
        let kept = store
            .audit_records_after(keep - 1, 1)
            .await
            .unwrap()
            .remove(0);
        db.allow_audit_rewriting().await;
        db.execute_raw(&format!(
            "DELETE FROM audit_events WHERE seq > {keep}; UPDATE audit_head SET seq = {keep}, hash = '{}';",
            kept.hash
        ))
        .await;
        let without_checkpoints = cradle_with_files(
            &db.url,
            files.path(),
            &[
                "audit",
                "verify",
                "--audit-checkpoints",
                "/nonexistent/none.jsonl",
            ],
            None,
        );
        assert!(
            without_checkpoints.status.success(),
            "the chain alone cannot tell: {}",
            text(&without_checkpoints)
        );
        let truncated = verify(&[]);
        assert_eq!(truncated.status.code(), Some(1));
        assert!(
            text(&truncated).contains("records have been removed from the end"),
            "{}",
            text(&truncated)
        );
        db.cleanup().await;

        // 2. A record edited and every hash after it recomputed.
        let files = tempfile::tempdir().unwrap();
        let (db, signed_at) = trail_with_a_checkpoint(backend, files.path()).await;
        rewrite_from(&db, 2, |record| {
            if record.seq == 2 {
                record.detail = "nothing to see here".into();
            }
        })
        .await;
        let recomputed = cradle_with_files(&db.url, files.path(), &["audit", "verify"], None);
        assert_eq!(recomputed.status.code(), Some(1));
        assert!(
            text(&recomputed).contains(&format!("broken at record {signed_at}"))
                && text(&recomputed).contains("rewritten"),
            "{}",
            text(&recomputed)
        );
        db.cleanup().await;

        // 3. The whole chain up to the checkpoint replaced by another of the same length.
        let files = tempfile::tempdir().unwrap();
        let (db, _) = trail_with_a_checkpoint(backend, files.path()).await;
        rewrite_from(&db, 1, |record| {
            record.actor_username = "someone else".into();
        })
        .await;
        let replaced = cradle_with_files(&db.url, files.path(), &["audit", "verify"], None);
        assert_eq!(replaced.status.code(), Some(1));
        assert!(text(&replaced).contains("rewritten"), "{}", text(&replaced));
        db.cleanup().await;
    }
);
