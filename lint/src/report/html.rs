//! The report as one self-contained HTML page: no network requests, the data map as
//! inline SVG, tables that sort (click a header) and filter (the search box), and every
//! string from the analysed code or the policy escaped.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::Report;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;margin:1rem 0;width:100%}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;font-size:.9rem}th{cursor:pointer;background:#f3f3f3}tr.violation td{background:#fde8e8}code{font-size:.85rem}input{padding:.4rem;width:20rem}svg text{font-size:12px}";

const SCRIPT: &str = "document.querySelectorAll('table.sortable th').forEach(function(th,i){th.addEventListener('click',function(){var t=th.closest('table');var rows=Array.from(t.tBodies[0].rows);var asc=th.dataset.asc!=='1';th.dataset.asc=asc?'1':'0';rows.sort(function(a,b){var x=a.cells[i].textContent,y=b.cells[i].textContent;return asc?x.localeCompare(y,undefined,{numeric:true}):y.localeCompare(x,undefined,{numeric:true});});rows.forEach(function(r){t.tBodies[0].appendChild(r);});});});document.getElementById('filter').addEventListener('input',function(e){var q=e.target.value.toLowerCase();document.querySelectorAll('table.sortable tbody tr').forEach(function(r){r.style.display=r.textContent.toLowerCase().indexOf(q)<0?'none':'';});});";

fn table(out: &mut String, id: &str, headers: &[&str], rows: &[(bool, Vec<String>)]) {
    let _ = write!(out, "<table class=\"sortable\" id=\"{id}\"><thead><tr>");
    for header in headers {
        let _ = write!(out, "<th>{}</th>", escape(header));
    }
    out.push_str("</tr></thead><tbody>");
    for (violation, cells) in rows {
        out.push_str(if *violation {
            "<tr class=\"violation\">"
        } else {
            "<tr>"
        });
        for value in cells {
            let _ = write!(out, "<td>{}</td>", escape(value));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

/// Categories in a left column, sinks in a right one, one line per pair (red for a
/// violation).
fn diagram(report: &Report) -> String {
    let mut categories: BTreeMap<&str, usize> = BTreeMap::new();
    let mut sinks: BTreeMap<&str, usize> = BTreeMap::new();
    for entry in &report.data_map {
        let next = categories.len();
        categories.entry(&entry.category).or_insert(next);
        let next = sinks.len();
        sinks.entry(&entry.sink).or_insert(next);
    }
    let row = 18;
    let height = 20 + row * categories.len().max(sinks.len());
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"data-map\" width=\"760\" height=\"{height}\" role=\"img\" aria-label=\"data map\">"
    );
    for entry in &report.data_map {
        let (Some(left), Some(right)) = (
            categories.get(entry.category.as_str()),
            sinks.get(entry.sink.as_str()),
        ) else {
            continue;
        };
        let color = if entry.verdicts.contains_key("violation") {
            "#d33"
        } else {
            "#999"
        };
        let _ = write!(
            svg,
            "<line x1=\"240\" y1=\"{}\" x2=\"520\" y2=\"{}\" stroke=\"{color}\" stroke-width=\"1.2\"/>",
            16 + left * row,
            16 + right * row
        );
    }
    for (name, index) in &categories {
        let _ = write!(
            svg,
            "<text x=\"235\" y=\"{}\" text-anchor=\"end\">{}</text>",
            20 + index * row,
            escape(name)
        );
    }
    for (name, index) in &sinks {
        let _ = write!(
            svg,
            "<text x=\"525\" y=\"{}\">{}</text>",
            20 + index * row,
            escape(name)
        );
    }
    svg.push_str("</svg>");
    svg
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\"><title>Privacy data report</title><style>{STYLE}</style></head><body>"
    );
    let _ = write!(
        out,
        "<h1>Privacy data report</h1><p>{} tagged fields and types · {} category → sink pairs · {} violations · {} exceptions</p><p><input id=\"filter\" type=\"search\" placeholder=\"Filter the tables\"></p>",
        report.inventory.len(),
        report.data_map.len(),
        report.violations.len(),
        report.exceptions.len()
    );
    let _ = write!(
        out,
        "<p id=\"coverage\">Coverage: {}</p>",
        escape(&report.coverage_line())
    );
    if !report.errors.is_empty() {
        out.push_str("<h2>Problems</h2><p>Files that could not be read or parsed were not analysed, and the report may miss flows through them; invalid privflow attributes were ignored.</p>");
        let rows: Vec<(bool, Vec<String>)> = report
            .errors
            .iter()
            .map(|error| {
                (
                    true,
                    vec![
                        format!("{}:{}:{}", error.file, error.line, error.column),
                        error.message.clone(),
                    ],
                )
            })
            .collect();
        table(&mut out, "problems", &["where", "problem"], &rows);
    }
    out.push_str("<h2>Data map</h2>");
    out.push_str(&diagram(report));
    let rows: Vec<(bool, Vec<String>)> = report
        .data_map
        .iter()
        .map(|entry| {
            let verdicts: Vec<String> = entry
                .verdicts
                .iter()
                .map(|(verdict, count)| format!("{count} {verdict}"))
                .collect();
            (
                entry.verdicts.contains_key("violation"),
                vec![
                    entry.category.clone(),
                    entry.sink.clone(),
                    entry.vendor.clone().unwrap_or_default(),
                    entry.kind.clone(),
                    entry.region.clone().unwrap_or_default(),
                    entry.purposes.join(", "),
                    verdicts.join(", "),
                    entry.locations.join(", "),
                ],
            )
        })
        .collect();
    table(
        &mut out,
        "map",
        &[
            "category", "sink", "vendor", "kind", "region", "purposes", "verdicts", "where",
        ],
        &rows,
    );
    out.push_str("<h2>Violations</h2>");
    let rows: Vec<(bool, Vec<String>)> = report
        .violations
        .iter()
        .map(|flow| {
            (
                true,
                vec![
                    flow.rule.clone(),
                    flow.category.clone(),
                    flow.sink.clone(),
                    format!("{}:{}", flow.file, flow.line),
                    flow.message.clone(),
                    format!("{}:{}", flow.source.file, flow.source.line),
                ],
            )
        })
        .collect();
    table(
        &mut out,
        "violations",
        &["rule", "category", "sink", "where", "message", "tagged at"],
        &rows,
    );
    out.push_str("<h2>Exceptions</h2>");
    let rows: Vec<(bool, Vec<String>)> = report
        .exceptions
        .iter()
        .map(|exception| {
            (
                exception.status != "live",
                vec![
                    exception.flow.clone(),
                    exception.path.clone().unwrap_or_default(),
                    exception.expires.clone(),
                    exception.status.clone(),
                    exception.reason.clone(),
                ],
            )
        })
        .collect();
    table(
        &mut out,
        "exceptions",
        &["flow", "path", "expires", "status", "reason"],
        &rows,
    );
    out.push_str("<h2>Drift from the published policy</h2><ul>");
    let drift = &report.drift;
    for (title, items) in [
        (
            "Sinks reached but not disclosed",
            &drift.undisclosed_sinks_reached,
        ),
        (
            "Disclosed sinks never reached",
            &drift.disclosed_sinks_never_reached,
        ),
        (
            "Policy categories never tagged",
            &drift.categories_never_tagged,
        ),
    ] {
        let list = if items.is_empty() {
            "none".to_owned()
        } else {
            items.join(", ")
        };
        let _ = write!(out, "<li>{}: {}</li>", escape(title), escape(&list));
    }
    out.push_str("</ul><h2>Unclassified personal data</h2>");
    let rows: Vec<(bool, Vec<String>)> = report
        .unclassified
        .iter()
        .map(|field| {
            (
                false,
                vec![
                    field.item.clone(),
                    format!("{}:{}", field.file, field.line),
                    field.suggestion.clone(),
                ],
            )
        })
        .collect();
    table(
        &mut out,
        "unclassified",
        &["field", "where", "probably wants"],
        &rows,
    );
    out.push_str("<h2>Inventory</h2>");
    let rows: Vec<(bool, Vec<String>)> = report
        .inventory
        .iter()
        .map(|entry| {
            (
                false,
                vec![
                    entry.item.clone(),
                    entry.category.clone(),
                    entry.subject.clone().unwrap_or_default(),
                    entry.purposes.join(", "),
                    entry.retention.clone().unwrap_or_default(),
                    entry.role.clone().unwrap_or_default(),
                    format!("{}:{}", entry.file, entry.line),
                ],
            )
        })
        .collect();
    table(
        &mut out,
        "inventory",
        &[
            "item",
            "category",
            "subject",
            "purposes",
            "retention",
            "role",
            "where",
        ],
        &rows,
    );
    let _ = writeln!(out, "<script>{SCRIPT}</script></body></html>");
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn hostile_strings_are_escaped() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }
}
