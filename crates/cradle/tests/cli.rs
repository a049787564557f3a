//! The `cradle` command as an administrator uses it on the server.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use cradle_testkit::{on_both_backends, Backend, TestDatabase};
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn cradle(url: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cradle"))
        .args(args)
        .env("CRADLE_DATABASE_URL", url)
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
    ] {
        let output = cradle("sqlite::memory:", &args, None);
        assert!(output.status.success(), "{args:?}: {}", text(&output));
        assert!(text(&output).contains("Usage:"), "{args:?}");
    }
    let serve = text(&cradle("sqlite::memory:", &["serve", "--help"], None));
    for setting in ["CRADLE_LISTEN", "CRADLE_DATABASE_URL", "CRADLE_DATA_DIR"] {
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
