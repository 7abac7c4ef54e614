//! The report as Markdown that renders on GitHub: the data map as a category × sink-kind
//! matrix and a Mermaid diagram small enough to read, each violation in detail, and
//! locations linked to the code when `--source-url` (or GitHub Actions) says where it is.
//! Every string from the analysed code or the policy goes through [`code`], [`text`] or
//! [`code_block`], so none of it can become raw HTML, a Markdown link, or a broken table
//! row. (GitHub still autolinks a bare `https://` address in prose; it shows as written.)

use std::fmt::Write as _;

use super::Report;
use super::detail::PolicyRef;
use super::links::SourceLinks;
use super::matrix::{Cell, DIAGRAM_EDGE_BUDGET, Diagram, Level, Matrix, describe_verdicts};
use crate::rules::RuleCode;

/// Table cells: pipes and newlines would break the row.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// Prose: HTML-escaped (Markdown passes raw HTML through) and with the characters that
/// start links, code or emphasis escaped.
fn text(raw: &str) -> String {
    let escaped = match askama::filters::escape(raw, askama::filters::Html) {
        Ok(escaped) => escaped.to_string(),
        Err(never) => match never {},
    };
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

/// The most backticks in a row in `raw`: a fence must be longer.
fn longest_backtick_run(raw: &str) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for c in raw.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

fn fenced(raw: &str) -> String {
    let fence = "`".repeat(longest_backtick_run(raw) + 1);
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

/// A fenced code block: the fence is longer than any backtick run inside.
fn code_block(raw: &str, indent: &str) -> String {
    let fence = "`".repeat((longest_backtick_run(raw) + 1).max(3));
    let mut block = format!("{indent}{fence}rust\n");
    for line in raw.lines() {
        let _ = writeln!(block, "{indent}{line}");
    }
    let _ = write!(block, "{indent}{fence}");
    block
}

/// A Markdown link destination in angle brackets: nothing in it may end the link.
fn destination(url: &str) -> String {
    url.replace('<', "%3C")
        .replace('>', "%3E")
        .replace(['\n', '\r'], "")
}

/// `file:line` as a code span, linked to the code when links are on.
fn location(links: &SourceLinks, file: &str, line: u32, in_cell: bool) -> String {
    linked(links, &format!("{file}:{line}"), file, line, in_cell)
}

/// `shown` as a code span, linked to `file` at `line` when links are on.
fn linked(links: &SourceLinks, shown: &str, file: &str, line: u32, in_cell: bool) -> String {
    let span = if in_cell {
        code_in_cell(shown)
    } else {
        code(shown)
    };
    match links.url(file, line) {
        Some(url) if in_cell => format!("[{span}](<{}>)", cell(&destination(&url))),
        Some(url) => format!("[{span}](<{}>)", destination(&url)),
        None => span,
    }
}

/// The mark of a verdict: a coloured circle GitHub shows in tables and prose.
fn mark(verdict: Option<&str>) -> &'static str {
    match verdict {
        Some("violation") => "🔴",
        Some("excepted") => "🟡",
        Some(_) => "🟢",
        None => "",
    }
}

/// A group's total for a kind, in bold.
fn group_total(cell: &Cell) -> String {
    if cell.flows() == 0 {
        return String::new();
    }
    format!("**{} {}**", mark(cell.worst()), cell.flows())
}

/// Rows by category group (the group's row adds up its categories), columns by sink kind;
/// a category's cell names the sinks of the kind it reaches, with their flows.
fn matrix(out: &mut String, report: &Report) {
    let matrix = Matrix::new(report);
    let kinds = &matrix.columns.headers;
    let _ = write!(out, "| category |");
    for (kind, _) in kinds {
        let _ = write!(out, " {} |", text(kind));
    }
    let _ = write!(out, "\n| --- |");
    for _ in kinds {
        out.push_str(" --- |");
    }
    out.push('\n');
    for (group, categories) in &matrix.rows.headers {
        let _ = write!(out, "| **{}** |", text(group));
        for (_, sinks) in kinds {
            let _ = write!(out, " {} |", group_total(&matrix.cell(categories, sinks)));
        }
        out.push('\n');
        for category in categories {
            let _ = write!(out, "| {} |", code_in_cell(category));
            for (_, sinks) in kinds {
                let reached: Vec<String> = sinks
                    .iter()
                    .filter_map(|sink| {
                        let cell =
                            matrix.cell(std::slice::from_ref(category), std::slice::from_ref(sink));
                        (cell.flows() > 0).then(|| {
                            format!(
                                "{} {} {}",
                                mark(cell.worst()),
                                code_in_cell(sink),
                                cell.flows()
                            )
                        })
                    })
                    .collect();
                let _ = write!(out, " {} |", reached.join("<br>"));
            }
            out.push('\n');
        }
    }
    let _ = writeln!(
        out,
        "\n🔴 a violation among the flows · 🟡 an exception · 🟢 allowed. Numbers count flows (sink calls reached).\n"
    );
}

/// The diagram: subgraphs of categories by group and sinks by kind, or, past the budget,
/// groups and kinds as nodes with their flows on the edges.
fn diagram(out: &mut String, report: &Report) {
    let diagram = Diagram::new(report, DIAGRAM_EDGE_BUDGET);
    let _ = writeln!(out, "```mermaid\ngraph LR");
    // Nodes are numbered (`c0`, `s3`, `cg1`): two ids that differ only in punctuation
    // (`a.b_c`, `a_b.c`) must stay two nodes. Names are only ever labels.
    let mut ids: [std::collections::BTreeMap<&str, usize>; 2] = Default::default();
    for (side, (prefix, axis, shape)) in [
        ("c", &diagram.sources, ('[', ']')),
        ("s", &diagram.targets, ('(', ')')),
    ]
    .into_iter()
    .enumerate()
    {
        for (group, (header, members)) in axis.headers.iter().enumerate() {
            if diagram.level == Level::Pairs {
                let _ = writeln!(out, "  subgraph {prefix}g{group}[\"{}\"]", label(header));
            }
            for member in members {
                let next = ids[side].len();
                let id = *ids[side].entry(member.as_str()).or_insert(next);
                // Grouped, a node says how many flows it stands for; edges stay bare,
                // as their labels would pile up where the edges converge.
                let shown = diagram.node_label(member, side == 0);
                let _ = writeln!(
                    out,
                    "    {prefix}{id}{}\"{}\"{}",
                    shape.0,
                    label(&shown),
                    shape.1
                );
            }
            if diagram.level == Level::Pairs {
                let _ = writeln!(out, "  end");
            }
        }
    }
    let mut red = Vec::new();
    let mut drawn = 0;
    for edge in &diagram.edges {
        let (Some(from), Some(to)) = (ids[0].get(edge.from.as_str()), ids[1].get(edge.to.as_str()))
        else {
            continue;
        };
        let _ = writeln!(out, "  c{from} --> s{to}");
        if edge.cell.worst() == Some("violation") {
            red.push(drawn.to_string());
        }
        drawn += 1;
    }
    if !red.is_empty() {
        let _ = writeln!(
            out,
            "  linkStyle {} stroke:#d33,stroke-width:2px",
            red.join(",")
        );
    }
    let _ = writeln!(out, "```\n");
    if diagram.level == Level::Groups {
        let _ = writeln!(
            out,
            "Category groups → sink kinds, each with the flows it stands for: the {} pairs would be more than {DIAGRAM_EDGE_BUDGET} edges; red edges carry a violation.\n",
            report.data_map.len()
        );
    }
    if !diagram.left_out.is_empty() {
        let left_out: Vec<String> = diagram
            .left_out
            .iter()
            .map(|edge| {
                format!(
                    "{} → {} ({})",
                    code(&edge.from),
                    code(&edge.to),
                    text(&edge.cell.describe())
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "Not drawn, to stay within {DIAGRAM_EDGE_BUDGET} edges (the matrix has them): {}.\n",
            left_out.join(", ")
        );
    }
}

fn policy_ref(entry: &PolicyRef) -> String {
    let mut line = format!("{} {}", text(&entry.kind), code(&entry.name));
    if let Some(section) = &entry.section {
        let _ = write!(line, " (privacy policy {})", text(section));
    }
    if let Some(reason) = &entry.text {
        let _ = write!(line, ": {}", text(reason));
    }
    let _ = write!(line, " — written at {}", code(&entry.written_at));
    line
}

fn violations(out: &mut String, report: &Report, links: &SourceLinks) {
    let _ = writeln!(out, "\n## Violations\n");
    if report.violations.is_empty() {
        let _ = writeln!(out, "None.");
    }
    for (number, violation) in report.violations.iter().enumerate() {
        let flow = &violation.flow;
        let _ = writeln!(
            out,
            "### {}. {} → {} ({})\n\n{}\n",
            number + 1,
            code(&flow.category),
            code(&flow.sink),
            text(&flow.rule),
            text(&flow.message)
        );
        let summary = RuleCode::from_name(&flow.rule)
            .map(|code| code.doc().summary)
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "- **Rule:** {}: {} (`cargo privflow explain {}`)",
            code(&flow.rule),
            text(summary),
            text(&flow.rule)
        );
        match &violation.decided_by {
            Some(entry) => {
                let _ = writeln!(out, "- **Policy:** {}", policy_ref(entry));
            }
            None => {
                let _ = writeln!(
                    out,
                    "- **Policy:** no rule allows this category into this sink"
                );
                for entry in &violation.sink_rules {
                    let _ = writeln!(out, "  - about this sink: {}", policy_ref(entry));
                }
            }
        }
        if let Some(purpose) = &flow.purpose {
            let _ = writeln!(out, "- **Purposes in force:** {}", text(purpose));
        }
        let _ = writeln!(
            out,
            "- **Sink call** at {}",
            location(links, &flow.file, flow.line, false)
        );
        if let Some(line) = &violation.sink_code {
            let _ = writeln!(out, "\n{}\n", code_block(line, "  "));
        }
        let _ = writeln!(
            out,
            "- **Tagged** at {}",
            location(links, &flow.source.file, flow.source.line, false)
        );
        if let Some(line) = &violation.tag_code {
            let _ = writeln!(out, "\n{}\n", code_block(line, "  "));
        }
        if !flow.trace.is_empty() {
            let _ = writeln!(out, "- **Trace:**");
            for (step, entry) in flow.trace.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "  {}. {} {}",
                    step + 1,
                    location(links, &entry.file, entry.line, false),
                    text(&entry.note)
                );
            }
        }
        out.push('\n');
    }
}

pub fn render(report: &Report, links: &SourceLinks) -> String {
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
                linked(
                    links,
                    &format!("{}:{}:{}", error.file, error.line, error.column),
                    &error.file,
                    error.line,
                    false
                ),
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
    let _ = writeln!(out, "## Data map\n");
    matrix(&mut out, report);
    diagram(&mut out, report);
    let _ = writeln!(
        out,
        "| category | sink | vendor | kind | region | purposes | verdicts | where |"
    );
    let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- | --- | --- |");
    for entry in &report.data_map {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            code_in_cell(&entry.category),
            code_in_cell(&entry.sink),
            text(entry.vendor.as_deref().unwrap_or("-")),
            text(&entry.kind),
            text(entry.region.as_deref().unwrap_or("-")),
            text(&entry.purposes.join(", ")),
            text(&describe_verdicts(&entry.verdicts)),
            entry
                .places()
                .map(|(file, line)| location(links, file, line, true))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    violations(&mut out, report, links);
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
            location(links, &field.file, field.line, false),
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
            location(links, &entry.file, entry.line, true)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{code, code_in_cell, diagram, label, text};
    use crate::report::testing::{entry, report};

    #[test]
    fn ids_that_differ_in_punctuation_stay_two_nodes() {
        let report = report(vec![
            entry("contact.loyalty_tier", "logs", "logs", "allowed", 1),
            entry("contact_loyalty.tier", "logs", "logs", "violation", 1),
        ]);
        let mut out = String::new();
        diagram(&mut out, &report);
        assert!(out.contains("c0[\"contact.loyalty_tier\"]"), "{out}");
        assert!(out.contains("c1[\"contact_loyalty.tier\"]"), "{out}");
        assert!(out.contains("  c0 --> s0\n  c1 --> s0\n"), "{out}");
        assert!(out.contains("linkStyle 1 stroke:#d33"), "{out}");
    }

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
            "&#60;img src=x&#62; &#38; \\[a\\](javascript:b) \\`c\\`"
        );
        assert_eq!(label("a\"<b>#"), "a#quot;#lt;b#gt;#35;");
    }
}
