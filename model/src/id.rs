//! Ids of categories, purposes, sinks and subjects: dot-separated lowercase segments.

/// `contact.email`, `customer_features.ai`, `logs`: one or more segments of
/// `[a-z0-9_]`, separated by single dots.
pub fn is_valid(id: &str) -> bool {
    !id.is_empty() && id.split('.').all(is_valid_segment)
}

fn is_valid_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Whether `id` is `ancestor` itself or lies below it (`customer_features.ai` lies
/// below `customer_features`).
pub fn is_within(id: &str, ancestor: &str) -> bool {
    id == ancestor
        || id
            .strip_prefix(ancestor)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// The first segment: `contact` for `contact.email`.
pub fn group(id: &str) -> &str {
    id.split('.').next().unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity() {
        assert!(is_valid("contact.email"));
        assert!(is_valid("logs"));
        assert!(is_valid("customer_features.ai"));
        assert!(!is_valid(""));
        assert!(!is_valid("contact..email"));
        assert!(!is_valid("contact.Email"));
        assert!(!is_valid("contact.e-mail"));
        assert!(!is_valid(".contact"));
    }

    #[test]
    fn within() {
        assert!(is_within("customer_features.ai", "customer_features"));
        assert!(is_within("service", "service"));
        assert!(!is_within("customer_featuresx", "customer_features"));
        assert!(!is_within("customer_features", "customer_features.ai"));
    }
}
