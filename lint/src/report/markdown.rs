//! The report as Markdown that renders on GitHub, with a Mermaid diagram of the data map.

use std::fmt::Write as _;

use super::Report;

/// Table cells: pipes and newlines would break the row.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Mermaid node ids: letters, digits and underscores only.
fn node(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Privacy data report\n");
    let _ = writeln!(
        out,
        "{} tagged fields and types · {} category → sink pairs · {} violations · {} exceptions\n",
        report.inventory.len(),
        report.data_map.len(),
        report.violations.len(),
        report.exceptions.len()
    );
    if let Some(changes) = &report.changes {
        let _ = writeln!(out, "## What changed\n");
        let sections = [
            ("New flows", &changes.new_flows),
            ("Removed flows", &changes.removed_flows),
            ("New sinks", &changes.new_sinks),
            ("Removed sinks", &changes.removed_sinks),
            ("New vendors", &changes.new_vendors),
            ("New categories", &changes.new_categories),
            ("Removed categories", &changes.removed_categories),
            ("New exceptions", &changes.new_exceptions),
        ];
        let mut any = false;
        for (title, items) in sections {
            if items.is_empty() {
                continue;
            }
            any = true;
            let _ = writeln!(out, "**{title}**\n");
            for item in items {
                let _ = writeln!(out, "- `{}`", cell(item));
            }
            out.push('\n');
        }
        if !any {
            let _ = writeln!(
                out,
                "No change in flows, sinks, vendors, categories or exceptions.\n"
            );
        }
    }
    let _ = writeln!(out, "## Data map\n\n```mermaid\ngraph LR");
    for entry in &report.data_map {
        let style = if entry.verdicts.contains_key("violation") {
            "-. violation .->"
        } else {
            "-->"
        };
        let _ = writeln!(
            out,
            "  c_{}[\"{}\"] {style} s_{}([\"{}\"])",
            node(&entry.category),
            entry.category,
            node(&entry.sink),
            entry.sink
        );
    }
    let _ = writeln!(out, "```\n");
    let _ = writeln!(
        out,
        "| category | sink | vendor | kind | region | purposes | verdicts | where |"
    );
    let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- | --- | --- |");
    for entry in &report.data_map {
        let verdicts: Vec<String> = entry
            .verdicts
            .iter()
            .map(|(verdict, count)| format!("{count} {verdict}"))
            .collect();
        let _ = writeln!(
            out,
            "| `{}` | `{}` | {} | {} | {} | {} | {} | {} |",
            cell(&entry.category),
            cell(&entry.sink),
            cell(entry.vendor.as_deref().unwrap_or("-")),
            entry.kind,
            cell(entry.region.as_deref().unwrap_or("-")),
            cell(&entry.purposes.join(", ")),
            verdicts.join(", "),
            cell(&entry.locations.join(", "))
        );
    }
    let _ = writeln!(out, "\n## Violations\n");
    if report.violations.is_empty() {
        let _ = writeln!(out, "None.");
    }
    for flow in &report.violations {
        let _ = writeln!(
            out,
            "- **{}** `{}` → `{}` at `{}:{}`: {} (tagged at `{}:{}`)",
            flow.rule,
            cell(&flow.category),
            cell(&flow.sink),
            cell(&flow.file),
            flow.line,
            cell(&flow.message),
            cell(&flow.source.file),
            flow.source.line
        );
    }
    let _ = writeln!(out, "\n## Exceptions\n");
    if report.exceptions.is_empty() {
        let _ = writeln!(out, "None.");
    }
    for exception in &report.exceptions {
        let warning = match exception.status.as_str() {
            "expired" => " — **expired**",
            "expiring" => " — **expires within 30 days**",
            _ => "",
        };
        let _ = writeln!(
            out,
            "- `{}` in `{}` until {}{warning}: {}",
            cell(&exception.flow),
            cell(exception.path.as_deref().unwrap_or("everywhere")),
            exception.expires,
            cell(&exception.reason)
        );
    }
    let _ = writeln!(out, "\n## Drift from the published policy\n");
    let drift = &report.drift;
    let list = |items: &[String]| {
        if items.is_empty() {
            "none".to_owned()
        } else {
            items
                .iter()
                .map(|item| format!("`{item}`"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let _ = writeln!(
        out,
        "- Sinks reached but not disclosed: {}",
        list(&drift.undisclosed_sinks_reached)
    );
    let _ = writeln!(
        out,
        "- Disclosed sinks never reached: {}",
        list(&drift.disclosed_sinks_never_reached)
    );
    let _ = writeln!(
        out,
        "- Policy categories never tagged: {}",
        list(&drift.categories_never_tagged)
    );
    let _ = writeln!(out, "\n## Unclassified personal data\n");
    if report.unclassified.is_empty() {
        let _ = writeln!(out, "None found.");
    }
    for field in &report.unclassified {
        let _ = writeln!(
            out,
            "- `{}` (`{}:{}`): probably `{}`",
            cell(&field.item),
            cell(&field.file),
            field.line,
            field.suggestion
        );
    }
    let _ = writeln!(out, "\n## Inventory\n");
    let _ = writeln!(
        out,
        "| item | category | subject | purposes | retention | role | where |"
    );
    let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- | --- |");
    for entry in &report.inventory {
        let _ = writeln!(
            out,
            "| `{}` | `{}` | {} | {} | {} | {} | `{}:{}` |",
            cell(&entry.item),
            cell(&entry.category),
            cell(entry.subject.as_deref().unwrap_or("-")),
            cell(&entry.purposes.join(", ")),
            cell(entry.retention.as_deref().unwrap_or("-")),
            entry.role.as_deref().unwrap_or("-"),
            cell(&entry.file),
            entry.line
        );
    }
    out
}
