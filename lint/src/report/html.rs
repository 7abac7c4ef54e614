//! The report as one self-contained HTML page (`lint/templates/report.html`, compiled
//! with the crate by askama, which HTML-escapes every value it writes): no network
//! requests; the data map as a category × sink matrix with foldable groups and kinds and
//! an inline SVG diagram; each violation as an expandable entry (the page's script opens
//! the one an address `#violation-N` names); tables that sort (click a header) and filter (the search box);
//! locations linked to the code when `--source-url` says where it is.

use askama::Template;

use super::Report;
use super::detail::PolicyRef;
use super::links::SourceLinks;
use super::matrix::{Cell, DIAGRAM_EDGE_BUDGET, Diagram, Level, Matrix, describe_verdicts};
use crate::rules::RuleCode;

/// A `file:line`, linked when links are on.
struct Place {
    text: String,
    url: Option<String>,
}

impl Place {
    fn new(links: &SourceLinks, file: &str, line: u32) -> Self {
        Self {
            text: format!("{file}:{line}"),
            url: links.url(file, line),
        }
    }
}

struct TableCell {
    places: Vec<Place>,
    text: String,
}

impl TableCell {
    fn text(text: impl Into<String>) -> Self {
        Self {
            places: Vec::new(),
            text: text.into(),
        }
    }

    fn place(place: Place) -> Self {
        Self {
            places: vec![place],
            text: String::new(),
        }
    }
}

struct Row {
    flagged: bool,
    cells: Vec<TableCell>,
}

struct Table {
    id: &'static str,
    headers: &'static [&'static str],
    rows: Vec<Row>,
}

struct MatrixCell {
    flows: usize,
    worst: &'static str,
    title: String,
    kind: usize,
    /// `agg` (the kind's total, shown when the kind is folded) or `sink`.
    class: &'static str,
    hidden: bool,
}

struct MatrixRow {
    name: String,
    cells: Vec<MatrixCell>,
}

struct MatrixGroup {
    name: String,
    cells: Vec<MatrixCell>,
    categories: Vec<MatrixRow>,
}

struct MatrixKind {
    name: String,
    sinks: Vec<String>,
}

struct MatrixView {
    kinds: Vec<MatrixKind>,
    groups: Vec<MatrixGroup>,
}

struct SvgLine {
    x1: usize,
    y1: usize,
    x2: usize,
    y2: usize,
    color: &'static str,
    width: String,
    title: String,
}

struct SvgLabel {
    x: usize,
    y: usize,
    anchor: &'static str,
    header: bool,
    text: String,
}

struct DiagramView {
    caption: String,
    width: usize,
    height: usize,
    edges: Vec<SvgLine>,
    labels: Vec<SvgLabel>,
    left_out: String,
}

struct Step {
    place: Place,
    note: String,
}

struct ViolationView<'r> {
    category: &'r str,
    sink: &'r str,
    rule: &'r str,
    rule_summary: &'static str,
    message: &'r str,
    purpose: Option<&'r str>,
    place: Place,
    source: Place,
    sink_code: Option<&'r str>,
    tag_code: Option<&'r str>,
    decided_by: Option<&'r PolicyRef>,
    sink_rules: &'r [PolicyRef],
    trace: Vec<Step>,
}

#[derive(Template)]
#[template(path = "report.html")]
struct Page<'r> {
    inventory: usize,
    pairs: usize,
    exceptions: usize,
    coverage: String,
    problems: Table,
    matrix: MatrixView,
    diagram: DiagramView,
    budget: usize,
    map: Table,
    violations: Vec<ViolationView<'r>>,
    exceptions_table: Table,
    drift: Vec<(&'static str, String)>,
    unclassified: Table,
    inventory_table: Table,
}

fn matrix_cell(cell: &Cell, kind: usize, class: &'static str, hidden: bool) -> MatrixCell {
    MatrixCell {
        flows: cell.flows(),
        worst: cell.worst().unwrap_or(""),
        title: cell.describe(),
        kind,
        class,
        hidden,
    }
}

fn matrix_view(report: &Report) -> MatrixView {
    let matrix = Matrix::new(report);
    let kinds = &matrix.columns.headers;
    // Every row has, for each kind, its total (hidden until the kind is folded) and a
    // cell per sink.
    let cells = |categories: &[String]| -> Vec<MatrixCell> {
        let mut cells = Vec::new();
        for (kind, (_, sinks)) in kinds.iter().enumerate() {
            cells.push(matrix_cell(
                &matrix.cell(categories, sinks),
                kind,
                "agg",
                true,
            ));
            for sink in sinks {
                cells.push(matrix_cell(
                    &matrix.cell(categories, std::slice::from_ref(sink)),
                    kind,
                    "sink",
                    false,
                ));
            }
        }
        cells
    };
    MatrixView {
        kinds: kinds
            .iter()
            .map(|(name, sinks)| MatrixKind {
                name: name.clone(),
                sinks: sinks.clone(),
            })
            .collect(),
        groups: matrix
            .rows
            .headers
            .iter()
            .map(|(group, categories)| MatrixGroup {
                name: group.clone(),
                cells: cells(categories),
                categories: categories
                    .iter()
                    .map(|category| MatrixRow {
                        name: category.clone(),
                        cells: cells(std::slice::from_ref(category)),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Sources in a left column and targets in a right one, each under its group or kind
/// header; one line per edge, red for a violation, thicker for more flows.
fn diagram_view(report: &Report) -> DiagramView {
    let diagram = Diagram::new(report, DIAGRAM_EDGE_BUDGET);
    let row = 18;
    let mut labels = Vec::new();
    let mut place = |axis: &super::matrix::Axis, source: bool, x: usize, anchor: &'static str| {
        let mut positions = std::collections::BTreeMap::new();
        let mut y = 20;
        for (header, members) in &axis.headers {
            if diagram.level == Level::Pairs {
                labels.push(SvgLabel {
                    x,
                    y,
                    anchor,
                    header: true,
                    text: header.clone(),
                });
                y += row;
            }
            for member in members {
                let text = diagram.node_label(member, source);
                labels.push(SvgLabel {
                    x,
                    y,
                    anchor,
                    header: diagram.level == Level::Groups,
                    text,
                });
                positions.insert(member.clone(), y - 4);
                y += row;
            }
            y += row / 3;
        }
        (positions, y)
    };
    let (sources, left_height) = place(&diagram.sources, true, 235, "end");
    let (targets, right_height) = place(&diagram.targets, false, 525, "start");
    let edges = diagram
        .edges
        .iter()
        .filter_map(|edge| {
            let (y1, y2) = (sources.get(&edge.from)?, targets.get(&edge.to)?);
            let flows = edge.cell.flows();
            Some(SvgLine {
                x1: 240,
                y1: *y1,
                x2: 520,
                y2: *y2,
                color: if edge.cell.worst() == Some("violation") {
                    "#d33"
                } else {
                    "#999"
                },
                width: format!("{:.1}", 1.0 + (flows as f64).ln_1p().min(3.0)),
                title: format!("{} → {}: {}", edge.from, edge.to, edge.cell.describe()),
            })
        })
        .collect();
    let caption = match diagram.level {
        Level::Pairs => "Each category, under its group, to each sink it reaches, under its kind; red lines carry a violation.".to_owned(),
        Level::Groups => format!(
            "Category groups to sink kinds (the {} pairs would be more than {DIAGRAM_EDGE_BUDGET} lines); red lines carry a violation, thicker ones more flows.",
            report.data_map.len()
        ),
    };
    DiagramView {
        caption,
        width: 760,
        height: left_height.max(right_height),
        edges,
        labels,
        left_out: diagram
            .left_out
            .iter()
            .map(|edge| format!("{} → {} ({})", edge.from, edge.to, edge.cell.describe()))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn violations<'r>(report: &'r Report, links: &SourceLinks) -> Vec<ViolationView<'r>> {
    report
        .violations
        .iter()
        .map(|violation| {
            let flow = &violation.flow;
            ViolationView {
                category: &flow.category,
                sink: &flow.sink,
                rule: &flow.rule,
                rule_summary: RuleCode::from_name(&flow.rule)
                    .map(|code| code.doc().summary)
                    .unwrap_or_default(),
                message: &flow.message,
                purpose: flow.purpose.as_deref(),
                place: Place::new(links, &flow.file, flow.line),
                source: Place::new(links, &flow.source.file, flow.source.line),
                sink_code: violation.sink_code.as_deref(),
                tag_code: violation.tag_code.as_deref(),
                decided_by: violation.decided_by.as_ref(),
                sink_rules: &violation.sink_rules,
                trace: flow
                    .trace
                    .iter()
                    .map(|step| Step {
                        place: Place::new(links, &step.file, step.line),
                        note: step.note.clone(),
                    })
                    .collect(),
            }
        })
        .collect()
}

pub fn render(report: &Report, links: &SourceLinks) -> Result<String, askama::Error> {
    let problems = Table {
        id: "problems",
        headers: &["where", "problem"],
        rows: report
            .errors
            .iter()
            .map(|error| Row {
                flagged: true,
                cells: vec![
                    TableCell::place(Place {
                        text: format!("{}:{}:{}", error.file, error.line, error.column),
                        url: links.url(&error.file, error.line),
                    }),
                    TableCell::text(error.message.clone()),
                ],
            })
            .collect(),
    };
    let map = Table {
        id: "map",
        headers: &[
            "category", "sink", "vendor", "kind", "region", "purposes", "verdicts", "where",
        ],
        rows: report
            .data_map
            .iter()
            .map(|entry| Row {
                flagged: entry.verdicts.contains_key("violation"),
                cells: vec![
                    TableCell::text(entry.category.clone()),
                    TableCell::text(entry.sink.clone()),
                    TableCell::text(entry.vendor.clone().unwrap_or_default()),
                    TableCell::text(entry.kind.clone()),
                    TableCell::text(entry.region.clone().unwrap_or_default()),
                    TableCell::text(entry.purposes.join(", ")),
                    TableCell::text(describe_verdicts(&entry.verdicts)),
                    TableCell {
                        places: entry
                            .places()
                            .map(|(file, line)| Place::new(links, file, line))
                            .collect(),
                        text: String::new(),
                    },
                ],
            })
            .collect(),
    };
    let exceptions_table = Table {
        id: "exceptions",
        headers: &["flow", "path", "expires", "status", "reason"],
        rows: report
            .exceptions
            .iter()
            .map(|exception| Row {
                flagged: exception.status != "live",
                cells: vec![
                    TableCell::text(exception.flow.clone()),
                    TableCell::text(exception.path.clone().unwrap_or_default()),
                    TableCell::text(exception.expires.clone()),
                    TableCell::text(exception.status.clone()),
                    TableCell::text(exception.reason.clone()),
                ],
            })
            .collect(),
    };
    let list = |items: &[String]| {
        if items.is_empty() {
            "none".to_owned()
        } else {
            items.join(", ")
        }
    };
    let drift = &report.drift;
    let unclassified = Table {
        id: "unclassified",
        headers: &["field", "where", "probably wants"],
        rows: report
            .unclassified
            .iter()
            .map(|field| Row {
                flagged: false,
                cells: vec![
                    TableCell::text(field.item.clone()),
                    TableCell::place(Place::new(links, &field.file, field.line)),
                    TableCell::text(field.suggestion.clone()),
                ],
            })
            .collect(),
    };
    let inventory_table = Table {
        id: "inventory",
        headers: &[
            "item",
            "category",
            "subject",
            "purposes",
            "retention",
            "role",
            "where",
        ],
        rows: report
            .inventory
            .iter()
            .map(|entry| Row {
                flagged: false,
                cells: vec![
                    TableCell::text(entry.item.clone()),
                    TableCell::text(entry.category.clone()),
                    TableCell::text(entry.subject.clone().unwrap_or_default()),
                    TableCell::text(entry.purposes.join(", ")),
                    TableCell::text(entry.retention.clone().unwrap_or_default()),
                    TableCell::text(entry.role.clone().unwrap_or_default()),
                    TableCell::place(Place::new(links, &entry.file, entry.line)),
                ],
            })
            .collect(),
    };
    let page = Page {
        inventory: report.inventory.len(),
        pairs: report.data_map.len(),
        exceptions: report.exceptions.len(),
        coverage: report.coverage_line(),
        problems,
        matrix: matrix_view(report),
        diagram: diagram_view(report),
        budget: DIAGRAM_EDGE_BUDGET,
        map,
        violations: violations(report, links),
        exceptions_table,
        drift: vec![
            (
                "Sinks reached but not disclosed",
                list(&drift.undisclosed_sinks_reached),
            ),
            (
                "Disclosed sinks never reached",
                list(&drift.disclosed_sinks_never_reached),
            ),
            (
                "Policy categories never tagged",
                list(&drift.categories_never_tagged),
            ),
        ],
        unclassified,
        inventory_table,
    };
    let mut text = page.render()?;
    text.push('\n');
    Ok(text)
}
