//! "Did you mean" suggestions for unknown ids and keys.

/// The candidate closest to `unknown`, if it is close enough to be a likely typo.
pub fn closest<'a, I>(unknown: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(unknown, candidate), candidate))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, candidate)| candidate)
}

/// A help line for an unknown id: the closest known one, else where the known ones are.
pub fn did_you_mean<'a, I>(unknown: &str, candidates: I, kind: &str) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    help_line(closest(unknown, candidates), unknown, kind)
}

fn help_line(closest: Option<&str>, unknown: &str, kind: &str) -> String {
    match closest {
        Some(candidate) => format!("did you mean `{candidate}`?"),
        None => format!(
            "declare it under [{kind}.\"{unknown}\"] in privflow.toml, or pick one from `cargo privflow explain {kind}`"
        ),
    }
}

/// Suggestions with a bound on the comparisons spent over a whole run: each unknown id
/// is compared with every known one, so N unknown ids among N known would be quadratic
/// (20,000 of each took minutes). Past the bound, help lines name no candidate.
pub struct Suggestions {
    comparisons_left: usize,
}

impl Default for Suggestions {
    fn default() -> Self {
        Self {
            comparisons_left: 500_000,
        }
    }
}

impl Suggestions {
    pub fn closest<'a, I>(&mut self, unknown: &str, candidates: I) -> Option<&'a str>
    where
        I: IntoIterator<Item = &'a str>,
    {
        // One candidate past the bound tells that it ran out: no suggestion then, rather
        // than the best of a part.
        let mut seen = 0;
        let counted = candidates
            .into_iter()
            .take(self.comparisons_left.saturating_add(1))
            .inspect(|_| seen += 1);
        let found = closest(unknown, counted);
        match self.comparisons_left.checked_sub(seen) {
            Some(left) => {
                self.comparisons_left = left;
                found
            }
            None => {
                self.comparisons_left = 0;
                None
            }
        }
    }

    /// [`did_you_mean`] within the bound.
    pub fn did_you_mean<'a, I>(&mut self, unknown: &str, candidates: I, kind: &str) -> String
    where
        I: IntoIterator<Item = &'a str>,
    {
        let found = self.closest(unknown, candidates);
        help_line(found, unknown, kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos() {
        let known = ["contact.email", "contact.phone", "contact.name"];
        assert_eq!(closest("contact.emial", known), Some("contact.email"));
        assert_eq!(closest("contact.phon", known), Some("contact.phone"));
        assert_eq!(closest("billing.invoice", known), None);
    }

    #[test]
    fn the_bound_stops_suggesting_and_says_where_to_look() {
        let known = ["contact.email", "contact.phone", "contact.name"];
        let mut suggestions = Suggestions {
            comparisons_left: 4,
        };
        assert_eq!(
            suggestions.closest("contact.emial", known),
            Some("contact.email")
        );
        assert_eq!(
            suggestions.closest("contact.emial", known),
            None,
            "1 left < 3"
        );
        assert!(
            suggestions
                .did_you_mean("contact.emial", known, "categories")
                .starts_with("declare it under [categories.")
        );
    }
}
