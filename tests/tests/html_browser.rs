//! The HTML report in a real headless Chromium (Debian's `chromium`, installed by this
//! test when missing): no console messages (errors, CSP-blocked requests); the matrix,
//! a violation opened by its address with its detail, and a source link that opens the
//! code it names; screenshots of the overview and of the opened violation kept in
//! `target/privflow-artifacts/` (docs/reports.md shows them). And the Markdown report's
//! Mermaid diagram rendered by Mermaid itself (mermaid-cli, installed with npm under
//! `target/` when missing, driving the same Chromium), as GitHub renders it.

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

/// The page as Chromium renders it (after its scripts ran), and what it logged to the
/// console.
fn render(profile: &Path, url: &str) -> (String, Vec<String>) {
    let output = chromium(profile)
        .arg("--dump-dom")
        .arg(url)
        .output()
        .unwrap_or_else(|error| unreachable!("cannot run chromium: {error}"));
    let console = String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|line| line.contains(":CONSOLE"))
        .map(str::to_owned)
        .collect();
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        console,
    )
}

fn screenshot(profile: &Path, url: &str, file: &Path) {
    let _ = std::fs::remove_file(file);
    let (ok, text) = run(chromium(profile)
        .arg(format!("--screenshot={}", file.display()))
        .arg(url));
    assert!(ok, "screenshot failed:\n{text}");
    let size = std::fs::metadata(file).map(|meta| meta.len()).unwrap_or(0);
    assert!(size > 10_000, "a real screenshot was taken ({size} bytes)");
}

/// The `href` of the first source link after `from` in `dom`.
fn first_link_after<'d>(dom: &'d str, from: &str) -> &'d str {
    let start = dom
        .find(from)
        .unwrap_or_else(|| unreachable!("{from} is not in the page"));
    let rest = &dom[start..];
    let needle = "<a class=\"loc\" href=\"";
    let link = rest
        .find(needle)
        .map(|at| &rest[at + needle.len()..])
        .unwrap_or_else(|| unreachable!("no source link after {from}"));
    &link[..link.find('"').unwrap_or(link.len())]
}

#[test]
fn the_html_report_renders_in_chromium() {
    ensure_chromium();
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html-report");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap_or_else(|error| unreachable!("{error}"));
    let page = scratch.join("report.html");
    let repository = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap_or_else(|error| unreachable!("{error}"));
    let reference = repository.join("fixtures/axodesk");
    // `{path}` runs from the top of the git repository when there is one (a clone),
    // else from the workspace (a source archive).
    let base = if repository.join(".git").exists() {
        &repository
    } else {
        &reference
    };
    let (ok, text) = run(Command::new(env!("CARGO_BIN_EXE_cargo-privflow-e2e"))
        .args(["report", "--workspace", "--format", "html", "--output"])
        .arg(&page)
        .arg("--source-url")
        .arg(format!("file://{}/{{path}}#L{{line}}", base.display()))
        .arg("--manifest-path")
        .arg(reference.join("Cargo.toml"))
        .env_remove("GITHUB_SERVER_URL"));
    assert!(ok, "report failed:\n{text}");
    let url = format!("file://{}", page.display());

    let (dom, console) = render(&scratch.join("profile-dom"), &url);
    assert!(
        console.is_empty(),
        "the page logged to the console (errors, blocked requests):\n{}",
        console.join("\n")
    );
    assert!(
        dom.contains("<table id=\"matrix\">"),
        "the matrix is rendered"
    );
    assert!(
        dom.contains("class=\"sink v-violation\""),
        "a matrix cell is coloured as a violation"
    );
    assert!(
        dom.contains("<button type=\"button\" aria-expanded=\"true\">account ▾</button>"),
        "category groups are foldable headers"
    );
    assert!(dom.contains("id=\"data-map\""), "the diagram is rendered");
    assert!(
        dom.contains("<details class=\"violation\" data-address=\"violation-1\">"),
        "violations are folded entries until opened"
    );

    let opened = format!("{url}#violation-1");
    let (dom, console) = render(&scratch.join("profile-open"), &opened);
    assert!(console.is_empty(), "console: {}", console.join("\n"));
    assert!(
        dom.contains("<details class=\"violation\" data-address=\"violation-1\" open=\"\">"),
        "the violation its address names is opened"
    );
    for detail in [
        "<dt>Rule</dt>",
        "<dt>Policy</dt>",
        "<dt>Sink call</dt>",
        "<dt>Tagged</dt>",
        "<dt>Trace</dt>",
        "<ol><li>",
    ] {
        assert!(dom.contains(detail), "the opened violation shows {detail}");
    }

    // The sink call's link opens the file it names, at a line that holds the call.
    let link = first_link_after(&dom, "<dt>Sink call</dt>");
    assert!(link.starts_with("file://"), "a source link: {link}");
    let (source, _) = render(&scratch.join("profile-source"), link);
    let code = dom
        .split("<dt>Sink call</dt>")
        .nth(1)
        .and_then(|rest| rest.split("<pre><code>").nth(1))
        .and_then(|rest| rest.split("</code>").next())
        .unwrap_or_else(|| unreachable!("the sink call's code is shown"));
    assert!(
        !code.is_empty() && source.contains(code),
        "the link opens the code it names ({link}), which holds `{code}`"
    );

    let artifacts = repository.join("target/privflow-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap_or_else(|error| unreachable!("{error}"));
    screenshot(
        &scratch.join("profile-shot"),
        &url,
        &artifacts.join("report-overview.png"),
    );
    screenshot(
        &scratch.join("profile-shot-open"),
        &opened,
        &artifacts.join("report-violation.png"),
    );
}

/// The npm folder of mermaid-cli (its `mmdc`) and puppeteer-core (what
/// `browser/report.mjs` clicks with), installed under the test's target folder the first
/// time (no browser download: both drive the system Chromium).
fn ensure_node_tools() -> std::path::PathBuf {
    const PACKAGES: [&str; 2] = ["@mermaid-js/mermaid-cli@11.17.0", "puppeteer-core@24.43.1"];
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("node-tools");
    let ready = dir.join(".installed");
    let wanted = PACKAGES.join("\n");
    if std::fs::read_to_string(&ready).ok() == Some(wanted.clone()) {
        return dir;
    }
    if !Path::new("/usr/bin/npm").is_file() {
        let (ok, text) = run(Command::new("apt-get").args(["update", "-qq"]));
        assert!(ok, "apt-get update failed:\n{text}");
        let (ok, text) = run(Command::new("apt-get")
            .args(["install", "-y", "-qq", "nodejs", "npm"])
            .env("DEBIAN_FRONTEND", "noninteractive"));
        assert!(ok, "cannot install npm:\n{text}");
    }
    std::fs::create_dir_all(&dir).unwrap_or_else(|error| unreachable!("{error}"));
    let (ok, text) = run(Command::new("npm")
        .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
        .arg(&dir)
        .args(PACKAGES)
        .env("PUPPETEER_SKIP_DOWNLOAD", "1"));
    assert!(ok, "cannot install {PACKAGES:?}:\n{text}");
    std::fs::write(&ready, wanted).unwrap_or_else(|error| unreachable!("{error}"));
    dir
}

#[test]
fn the_markdown_diagram_renders_with_mermaid() {
    ensure_chromium();
    let mmdc = ensure_node_tools().join("node_modules/.bin/mmdc");
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mermaid-diagram");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap_or_else(|error| unreachable!("{error}"));
    let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/axodesk/Cargo.toml");
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-privflow-e2e"))
        .args(["report", "--workspace", "--manifest-path"])
        .arg(&reference)
        .output()
        .unwrap_or_else(|error| unreachable!("{error}"));
    let markdown = String::from_utf8_lossy(&output.stdout);
    let diagram = common::mermaid_diagram(&markdown);
    assert!(!diagram.is_empty(), "the report has a Mermaid diagram");
    let source = scratch.join("diagram.mmd");
    let svg = scratch.join("diagram.svg");
    let config = scratch.join("puppeteer.json");
    std::fs::write(&source, diagram).unwrap_or_else(|error| unreachable!("{error}"));
    std::fs::write(
        &config,
        format!(r#"{{"executablePath":"{CHROMIUM}","args":["--no-sandbox","--disable-gpu"]}}"#),
    )
    .unwrap_or_else(|error| unreachable!("{error}"));
    let (ok, text) = run(Command::new(&mmdc)
        .arg("--quiet")
        .arg("--puppeteerConfigFile")
        .arg(&config)
        .arg("--input")
        .arg(&source)
        .arg("--output")
        .arg(&svg));
    assert!(ok, "Mermaid cannot render the diagram:\n{text}\n{diagram}");
    let drawn = std::fs::read_to_string(&svg).unwrap_or_default();
    let edges = drawn.matches("flowchart-link\"").count();
    assert!(
        (1..=30).contains(&edges),
        "Mermaid drew {edges} edges (at most 30 stay legible)"
    );
    assert!(
        drawn.contains("contact · 37 flows"),
        "grouped nodes say how many flows they stand for"
    );
}

#[test]
fn the_matrix_folds_and_violations_open_when_clicked() {
    ensure_chromium();
    let tools = ensure_node_tools();
    let script = tools.join("report.mjs");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/report.mjs"),
        &script,
    )
    .unwrap_or_else(|error| unreachable!("{error}"));
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html-clicks");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap_or_else(|error| unreachable!("{error}"));
    let page = scratch.join("report.html");
    let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/axodesk/Cargo.toml");
    let (ok, text) = run(Command::new(env!("CARGO_BIN_EXE_cargo-privflow-e2e"))
        .args(["report", "--workspace", "--format", "html", "--output"])
        .arg(&page)
        .arg("--manifest-path")
        .arg(&reference));
    assert!(ok, "report failed:\n{text}");
    let output = Command::new("node")
        .arg(&script)
        .arg(CHROMIUM)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap_or_else(|error| unreachable!("cannot run node: {error}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the clicks failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let seen: serde_json::Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|error| unreachable!("{error}: {stdout}"));
    assert_eq!(
        seen["messages"],
        serde_json::json!([]),
        "no console messages"
    );
    // account: six categories; folded, only the group's row (its totals) stays.
    assert_eq!(seen["groupRowsBefore"], 6);
    assert_eq!(seen["groupRowsFolded"], 0);
    assert_eq!(seen["groupRowsUnfolded"], 6);
    // ai_provider: six sinks; folded, one column of totals.
    assert_eq!(seen["kindSinksBefore"], 6);
    assert_eq!(seen["kindTotalsBefore"], 0);
    assert_eq!(seen["kindSinksFolded"], 0);
    assert!(
        seen["kindTotalsFolded"].as_u64().unwrap_or(0) > 40,
        "{seen}"
    );
    assert_eq!(seen["kindColspanFolded"], 1);
    assert_eq!(seen["violationOpenBefore"], false);
    assert_eq!(seen["violationOpenAfter"], true);
    assert_eq!(seen["violationDetailShown"], true);
    assert_eq!(seen["inventorySortedByCategory"], true, "{seen}");
    assert!(seen["inventoryRows"].as_u64().unwrap_or(0) > 100, "{seen}");
}
