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
    match closest(unknown, candidates) {
        Some(candidate) => format!("did you mean `{candidate}`?"),
        None => format!(
            "declare it under [{kind}.\"{unknown}\"] in privflow.toml, or pick one from `cargo privflow explain {kind}`"
        ),
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
}
