//! The HTML report in a real headless Chromium (Debian's `chromium`, installed by this
//! test when missing): no console messages (errors, CSP-blocked requests), the data map
//! and a violation in the rendered page, and a screenshot kept in
//! `target/privflow-artifacts/report.png`.

mod common;

use std::path::Path;
use std::process::Command;

use common::run;

const CHROMIUM: &str = "/usr/bin/chromium";

fn ensure_chromium() {
    if Path::new(CHROMIUM).is_file() {
        return;
    }
    let (ok, text) = run(Command::new("apt-get").args(["update", "-qq"]));
    assert!(ok, "apt-get update failed:\n{text}");
    let (ok, text) = run(Command::new("apt-get")
        .args(["install", "-y", "-qq", "chromium"])
        .env("DEBIAN_FRONTEND", "noninteractive"));
    assert!(ok, "cannot install chromium:\n{text}");
}

fn chromium(profile: &Path) -> Command {
    let mut command = Command::new(CHROMIUM);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=1",
            "--window-size=1280,1600",
        ])
        .arg(format!("--user-data-dir={}", profile.display()));
    command
}

#[test]
fn the_html_report_renders_in_chromium() {
    ensure_chromium();
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html-report");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap_or_else(|error| unreachable!("{error}"));
    let page = scratch.join("report.html");
    let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/axodesk/Cargo.toml");
    let (ok, text) = run(Command::new(env!("CARGO_BIN_EXE_cargo-privflow"))
        .args(["report", "--workspace", "--format", "html", "--output"])
        .arg(&page)
        .arg("--manifest-path")
        .arg(&reference));
    assert!(ok, "report failed:\n{text}");
    let url = format!("file://{}", page.display());

    let output = chromium(&scratch.join("profile-dom"))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap_or_else(|error| unreachable!("cannot run chromium: {error}"));
    let dom = String::from_utf8_lossy(&output.stdout);
    let log = String::from_utf8_lossy(&output.stderr);
    let console: Vec<&str> = log
        .lines()
        .filter(|line| line.contains(":CONSOLE"))
        .collect();
    assert!(
        console.is_empty(),
        "the page logged to the console (errors, blocked requests):\n{}",
        console.join("\n")
    );
    assert!(
        dom.contains("id=\"data-map\""),
        "the data map is in the rendered page"
    );
    assert!(
        dom.contains("<tr class=\"violation\">"),
        "a violation is in the rendered page"
    );
    assert!(
        dom.contains("account.session"),
        "the violations' categories are shown"
    );

    let artifacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/privflow-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap_or_else(|error| unreachable!("{error}"));
    let screenshot = artifacts.join("report.png");
    let _ = std::fs::remove_file(&screenshot);
    let (ok, text) = run(chromium(&scratch.join("profile-shot"))
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(&url));
    assert!(ok, "screenshot failed:\n{text}");
    let size = std::fs::metadata(&screenshot)
        .map(|meta| meta.len())
        .unwrap_or(0);
    assert!(size > 10_000, "a real screenshot was taken ({size} bytes)");
}
