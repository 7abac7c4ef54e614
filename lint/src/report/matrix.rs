//! The data map at a glance, for every rendering: the category × sink matrix (category
//! groups and sink kinds as headers) and the diagram's edges, grouped when the pairs
//! would not stay legible.

use std::collections::BTreeMap;

use super::{MapEntry, Report};

/// Edges a diagram draws at most: beyond this a Mermaid graph or an SVG of two columns
/// is a hairball.
pub const DIAGRAM_EDGE_BUDGET: usize = 30;

/// The verdicts of a cell, worst first: what its colour says.
pub const SEVERITY: [&str; 3] = ["violation", "excepted", "allowed"];

/// The flows of one or more category → sink pairs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cell {
    pub verdicts: BTreeMap<String, usize>,
}

impl Cell {
    fn add(&mut self, entry: &MapEntry) {
        for (verdict, count) in &entry.verdicts {
            *self.verdicts.entry(verdict.clone()).or_default() += count;
        }
    }

    pub fn flows(&self) -> usize {
        self.verdicts.values().sum()
    }

    /// The worst verdict among its flows (`violation`, `excepted`, `allowed`).
    pub fn worst(&self) -> Option<&'static str> {
        SEVERITY
            .into_iter()
            .find(|verdict| self.verdicts.get(*verdict).is_some_and(|count| *count > 0))
    }

    /// `2 allowed, 1 violation`.
    pub fn describe(&self) -> String {
        describe_verdicts(&self.verdicts)
    }
}

/// Flows counted by verdict, as every rendering writes them: `2 allowed, 1 violation`.
pub fn describe_verdicts(verdicts: &BTreeMap<String, usize>) -> String {
    verdicts
        .iter()
        .map(|(verdict, count)| format!("{count} {verdict}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The group a category belongs to: its first segment (`contact` for `contact.email`),
/// as the policy's `[groups]` are named.
pub fn group_of(category: &str) -> &str {
    category.split('.').next().unwrap_or(category)
}

/// Headers of one axis: groups (or kinds) in order, each with its members in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Axis {
    pub headers: Vec<(String, Vec<String>)>,
}

impl Axis {
    fn from_pairs<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Self {
        let mut grouped: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (header, member) in pairs {
            let members = grouped.entry(header).or_default();
            if !members.contains(&member) {
                members.push(member);
            }
        }
        Self {
            headers: grouped
                .into_iter()
                .map(|(header, mut members)| {
                    members.sort_unstable();
                    (
                        header.to_owned(),
                        members.into_iter().map(str::to_owned).collect(),
                    )
                })
                .collect(),
        }
    }
}

/// Categories (rows, by group) × sinks (columns, by kind), the pairs the code reaches.
pub struct Matrix<'r> {
    pub rows: Axis,
    pub columns: Axis,
    entries: BTreeMap<(&'r str, &'r str), &'r MapEntry>,
}

impl<'r> Matrix<'r> {
    pub fn new(report: &'r Report) -> Self {
        Self {
            rows: Axis::from_pairs(
                report
                    .data_map
                    .iter()
                    .map(|entry| (group_of(&entry.category), entry.category.as_str())),
            ),
            columns: Axis::from_pairs(
                report
                    .data_map
                    .iter()
                    .map(|entry| (entry.kind.as_str(), entry.sink.as_str())),
            ),
            entries: report
                .data_map
                .iter()
                .map(|entry| ((entry.category.as_str(), entry.sink.as_str()), entry))
                .collect(),
        }
    }

    /// The flows of every pair of `categories` × `sinks`.
    pub fn cell(&self, categories: &[String], sinks: &[String]) -> Cell {
        let mut cell = Cell::default();
        for category in categories {
            for sink in sinks {
                if let Some(entry) = self.entries.get(&(category.as_str(), sink.as_str())) {
                    cell.add(entry);
                }
            }
        }
        cell
    }
}

/// How finely a diagram draws the data map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// One edge per category → sink pair.
    Pairs,
    /// One edge per category group → sink kind.
    Groups,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub cell: Cell,
}

/// The diagram of a data map: its level, the nodes of each side by their header (group
/// or kind), the edges drawn, and the edges left out to stay within the budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagram {
    pub level: Level,
    pub sources: Axis,
    pub targets: Axis,
    pub edges: Vec<Edge>,
    /// Pairs not drawn (the least severe, fewest flows first to go): the matrix has them.
    pub left_out: Vec<Edge>,
}

impl Diagram {
    /// Pairs when they fit the budget; else category groups → sink kinds, and if even
    /// those do not fit, the most severe and busiest of them, naming the rest.
    pub fn new(report: &Report, budget: usize) -> Self {
        let matrix = Matrix::new(report);
        if report.data_map.len() <= budget {
            let edges = report
                .data_map
                .iter()
                .map(|entry| {
                    let mut cell = Cell::default();
                    cell.add(entry);
                    Edge {
                        from: entry.category.clone(),
                        to: entry.sink.clone(),
                        cell,
                    }
                })
                .collect();
            return Self {
                level: Level::Pairs,
                sources: matrix.rows,
                targets: matrix.columns,
                edges,
                left_out: Vec::new(),
            };
        }
        let mut edges = Vec::new();
        for (group, categories) in &matrix.rows.headers {
            for (kind, sinks) in &matrix.columns.headers {
                let cell = matrix.cell(categories, sinks);
                if cell.flows() > 0 {
                    edges.push(Edge {
                        from: group.clone(),
                        to: kind.clone(),
                        cell,
                    });
                }
            }
        }
        let mut left_out = Vec::new();
        if edges.len() > budget {
            let severity = |edge: &Edge| {
                edge.cell
                    .worst()
                    .and_then(|worst| SEVERITY.iter().position(|verdict| *verdict == worst))
                    .unwrap_or(SEVERITY.len())
            };
            let mut ranked = edges;
            ranked.sort_by(|a, b| {
                severity(a)
                    .cmp(&severity(b))
                    .then(b.cell.flows().cmp(&a.cell.flows()))
                    .then_with(|| (&a.from, &a.to).cmp(&(&b.from, &b.to)))
            });
            left_out = ranked.split_off(budget);
            ranked.sort_by(|a, b| (&a.from, &a.to).cmp(&(&b.from, &b.to)));
            left_out.sort_by(|a, b| (&a.from, &a.to).cmp(&(&b.from, &b.to)));
            edges = ranked;
        }
        let headers = |axis: &Axis| Axis {
            headers: axis
                .headers
                .iter()
                .map(|(header, _)| (header.clone(), vec![header.clone()]))
                .collect(),
        };
        Self {
            level: Level::Groups,
            sources: headers(&matrix.rows),
            targets: headers(&matrix.columns),
            edges,
            left_out,
        }
    }
}

impl Diagram {
    /// What a node says: its name, and grouped, how many flows it stands for.
    pub fn node_label(&self, node: &str, source: bool) -> String {
        match self.level {
            Level::Pairs => node.to_owned(),
            Level::Groups => format!("{node} · {} flows", self.flows_through(node, source)),
        }
    }

    /// The flows into or out of `node` (a source when `source`), drawn or left out.
    pub fn flows_through(&self, node: &str, source: bool) -> usize {
        self.edges
            .iter()
            .chain(&self.left_out)
            .filter(|edge| {
                if source {
                    edge.from == node
                } else {
                    edge.to == node
                }
            })
            .map(|edge| edge.cell.flows())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::{Diagram, Level, Matrix};
    use crate::report::testing::{entry, report};

    #[test]
    fn cells_add_up_groups_and_take_the_worst_verdict() {
        let report = report(vec![
            entry("contact.email", "logs", "logs", "allowed", 2),
            entry("contact.phone", "logs", "logs", "violation", 1),
            entry("contact.phone", "ai.openai", "ai_provider", "excepted", 1),
        ]);
        let matrix = Matrix::new(&report);
        assert_eq!(matrix.rows.headers.len(), 1);
        assert_eq!(
            matrix.columns.headers[0],
            ("ai_provider".to_owned(), vec!["ai.openai".to_owned()])
        );
        let (_, categories) = &matrix.rows.headers[0];
        let all = matrix.cell(categories, &["logs".to_owned(), "ai.openai".to_owned()]);
        assert_eq!(all.flows(), 4);
        assert_eq!(all.worst(), Some("violation"));
        assert_eq!(all.describe(), "2 allowed, 1 excepted, 1 violation");
        let one = matrix.cell(&["contact.phone".to_owned()], &["ai.openai".to_owned()]);
        assert_eq!(one.worst(), Some("excepted"));
    }

    #[test]
    fn a_diagram_over_budget_groups_then_keeps_the_worst() {
        let mut entries = Vec::new();
        for group in ["a", "b", "c"] {
            for kind in ["k1", "k2"] {
                for n in 0..2 {
                    let verdict = if group == "c" && kind == "k2" {
                        "violation"
                    } else {
                        "allowed"
                    };
                    entries.push(entry(
                        &format!("{group}.x{n}"),
                        &format!("{kind}.s{n}"),
                        kind,
                        verdict,
                        if group == "a" { 5 } else { 1 },
                    ));
                }
            }
        }
        let report = report(entries);
        assert_eq!(Diagram::new(&report, 12).level, Level::Pairs);
        let grouped = Diagram::new(&report, 6);
        assert_eq!(grouped.level, Level::Groups);
        assert_eq!(grouped.edges.len(), 6);
        assert!(grouped.left_out.is_empty());
        let trimmed = Diagram::new(&report, 3);
        let drawn: Vec<(&str, &str)> = trimmed
            .edges
            .iter()
            .map(|edge| (edge.from.as_str(), edge.to.as_str()))
            .collect();
        assert_eq!(drawn, [("a", "k1"), ("a", "k2"), ("c", "k2")]);
        assert_eq!(trimmed.left_out.len(), 3);
        // a: 2 kinds × 2 pairs × 5 flows, whether drawn or not.
        assert_eq!(trimmed.flows_through("a", true), 20);
        assert_eq!(trimmed.flows_through("k2", false), 10 + 2 + 2);
    }
}
