//! The report as Markdown that renders on GitHub, with a Mermaid diagram of the data map.
//! Every string from the analysed code or the policy goes through [`code`] or [`text`],
//! so none of it can become raw HTML, a Markdown link, or a broken table row. (GitHub
//! still autolinks a bare `https://` address in prose; it shows as written.)

use std::fmt::Write as _;

use super::Report;

/// Table cells: pipes and newlines would break the row.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// Prose: HTML-escaped (Markdown passes raw HTML through) and with the characters that
/// start links, code or emphasis escaped.
fn text(raw: &str) -> String {
    let escaped = super::html::escape(raw);
    let mut out = String::with_capacity(escaped.len());
    for c in escaped.chars() {
        if matches!(c, '[' | ']' | '`' | '*' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    cell(&out)
}

/// A code span: nothing inside is HTML, so the text stays literal. The fence is one
/// backtick longer than the longest run inside (CommonMark), padded when the text
/// starts or ends with one. Line breaks become spaces.
fn code(raw: &str) -> String {
    fenced(&raw.replace(['\n', '\r'], " "))
}

/// A code span in a table cell: a pipe would end the cell, and GitHub's table parser
/// reads `\|` as a pipe even inside code (elsewhere it would show the backslash).
fn code_in_cell(raw: &str) -> String {
    fenced(&cell(raw))
}

fn fenced(raw: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in raw.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if raw.starts_with('`') || raw.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{raw}{pad}{fence}")
}

/// Mermaid labels: quotes and angle brackets as Mermaid's entity codes.
fn label(raw: &str) -> String {
    cell(raw)
        .replace('#', "#35;")
        .replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
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
    let _ = writeln!(out, "Coverage: {}\n", text(&report.coverage_line()));
    if !report.errors.is_empty() {
        let _ = writeln!(
            out,
            "## Problems\n\nFiles that could not be read or parsed were not analysed, and the report may miss flows through them; invalid privflow attributes were ignored.\n"
        );
        for error in &report.errors {
            let _ = writeln!(
                out,
                "- {}: {}",
                code(&format!("{}:{}:{}", error.file, error.line, error.column)),
                text(&error.message)
            );
        }
        out.push('\n');
    }
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
                let _ = writeln!(out, "- {}", code(item));
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
            label(&entry.category),
            node(&entry.sink),
            label(&entry.sink)
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
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            code_in_cell(&entry.category),
            code_in_cell(&entry.sink),
            text(entry.vendor.as_deref().unwrap_or("-")),
            text(&entry.kind),
            text(entry.region.as_deref().unwrap_or("-")),
            text(&entry.purposes.join(", ")),
            text(&verdicts.join(", ")),
            text(&entry.locations.join(", "))
        );
    }
    let _ = writeln!(out, "\n## Violations\n");
    if report.violations.is_empty() {
        let _ = writeln!(out, "None.");
    }
    for flow in &report.violations {
        let _ = writeln!(
            out,
            "- **{}** {} → {} at {}: {} (tagged at {})",
            text(&flow.rule),
            code(&flow.category),
            code(&flow.sink),
            code(&format!("{}:{}", flow.file, flow.line)),
            text(&flow.message),
            code(&format!("{}:{}", flow.source.file, flow.source.line))
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
            "- {} in {} until {}{warning}: {}",
            code(&exception.flow),
            code(exception.path.as_deref().unwrap_or("everywhere")),
            text(&exception.expires),
            text(&exception.reason)
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
                .map(|item| code(item))
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
            "- {} ({}): probably {}",
            code(&field.item),
            code(&format!("{}:{}", field.file, field.line)),
            code(&field.suggestion)
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
            "| {} | {} | {} | {} | {} | {} | {} |",
            code_in_cell(&entry.item),
            code_in_cell(&entry.category),
            text(entry.subject.as_deref().unwrap_or("-")),
            text(&entry.purposes.join(", ")),
            text(entry.retention.as_deref().unwrap_or("-")),
            text(entry.role.as_deref().unwrap_or("-")),
            code_in_cell(&format!("{}:{}", entry.file, entry.line))
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{code, code_in_cell, label, text};

    #[test]
    fn code_spans_outlast_the_backticks_inside() {
        assert_eq!(code("a::b"), "`a::b`");
        assert_eq!(code("x ` y"), "``x ` y``");
        assert_eq!(code("`<b>`"), "`` `<b>` ``");
        assert_eq!(code("a|b\nc"), "`a|b c`");
        assert_eq!(code_in_cell("a|b\nc"), "`a\\|b c`");
    }

    #[test]
    fn prose_has_no_markup_left() {
        assert_eq!(
            text("<img src=x> & [a](javascript:b) `c`"),
            "&lt;img src=x&gt; &amp; \\[a\\](javascript:b) \\`c\\`"
        );
        assert_eq!(label("a\"<b>#"), "a#quot;#lt;b#gt;#35;");
    }
}
