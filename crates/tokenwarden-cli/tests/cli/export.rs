//! The `tokenwarden export` contract without a keychain: an empty vault's
//! exports, and the exit codes. The full run (tokens in a real Secret
//! Service, node_exporter, promtool, Python's icalendar) is
//! tests/exports/, a step of scripts/test.sh.

use crate::support::cli::Cli;

#[tokio::test]
async fn an_empty_vault_exports_every_family_and_an_empty_calendar() {
    let cli = Cli::new("export-empty");
    let prom = cli.run(&["export", "--format", "prometheus"], None).await;
    assert_eq!(prom.code, 0, "{}", prom.stderr);
    assert_eq!(prom.stdout.matches("# HELP tokenwarden_token_").count(), 4);
    assert_eq!(prom.stdout.matches("# TYPE tokenwarden_token_").count(), 4);
    assert!(!prom.stdout.contains("# EOF"));

    let path = cli.data_dir.path().join("tokens.ics");
    let ics = cli
        .run(
            &[
                "export",
                "--format",
                "ics",
                "--output",
                path.to_str().unwrap(),
            ],
            None,
        )
        .await;
    assert_eq!(ics.code, 0, "{}", ics.stderr);
    assert!(ics.stdout.is_empty());
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n") && !text.contains("VEVENT"));
}

#[tokio::test]
async fn a_bad_format_is_64_and_an_unwritable_output_is_74() {
    let cli = Cli::new("export-codes");
    assert_eq!(cli.run(&["export", "--format", "csv"], None).await.code, 64);
    assert_eq!(cli.run(&["export"], None).await.code, 64);
    let missing = cli.data_dir.path().join("no/such/folder/tokenwarden.prom");
    let run = cli
        .run(
            &[
                "export",
                "--format",
                "prometheus",
                "--output",
                missing.to_str().unwrap(),
            ],
            None,
        )
        .await;
    assert_eq!(run.code, 74);
    assert!(run.stderr.contains("cannot write"), "{}", run.stderr);
}
