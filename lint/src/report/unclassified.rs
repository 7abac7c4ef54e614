//! Struct fields whose names look personal but carry no tag, with the tag they
//! probably want.

use super::UnclassifiedField;
use crate::index::Index;

/// Name fragments and the category they suggest; the first match wins.
const SUGGESTIONS: &[(&[&str], &str)] = &[
    (&["email", "e_mail", "mail_address"], "contact.email"),
    (&["phone", "mobile", "msisdn", "telephone"], "contact.phone"),
    (
        &["ip_address", "ip_addr", "remote_addr", "client_ip"],
        "website.ip_address",
    ),
    (
        &[
            "password",
            "secret",
            "api_key",
            "access_token",
            "refresh_token",
        ],
        "integration.credential",
    ),
    (
        &["session_token", "session_id", "cookie"],
        "account.session",
    ),
    (&["birth", "dob", "birthday"], "sensitive.special_category"),
    (
        &["tax_id", "ssn", "passport", "national_id", "vat_number"],
        "sensitive.government_id",
    ),
    (
        &["diagnosis", "medical", "health", "symptom"],
        "sensitive.health",
    ),
    (
        &["iban", "card_number", "credit_card"],
        "sensitive.financial",
    ),
    (
        &["address", "street", "postcode", "zip_code"],
        "contact.custom_field",
    ),
    (
        &[
            "first_name",
            "last_name",
            "full_name",
            "display_name",
            "surname",
        ],
        "contact.name",
    ),
];

fn suggestion(field: &str) -> Option<&'static str> {
    let lower = field.to_ascii_lowercase();
    if lower == "name" {
        return Some("contact.name");
    }
    if lower == "ip" {
        return Some("website.ip_address");
    }
    SUGGESTIONS
        .iter()
        .find(|(fragments, _)| fragments.iter().any(|fragment| lower.contains(fragment)))
        .map(|(_, category)| *category)
}

pub fn fields(index: &Index) -> Vec<UnclassifiedField> {
    let mut found = Vec::new();
    for info in &index.types {
        // A whole-type tag covers every field.
        if info
            .def
            .tag
            .as_ref()
            .is_some_and(|tag| !tag.categories.is_empty())
        {
            continue;
        }
        let file = index
            .files
            .get(info.file)
            .map(|file| file.relative.clone())
            .unwrap_or_default();
        for field in info
            .def
            .fields
            .iter()
            .chain(info.def.variants.iter().flat_map(|variant| &variant.fields))
        {
            if field
                .tag
                .as_ref()
                .is_some_and(|tag| !tag.categories.is_empty() || tag.nested)
            {
                continue;
            }
            if let Some(category) = suggestion(&field.name) {
                found.push(UnclassifiedField {
                    item: format!("{}::{}", info.path, field.name),
                    file: file.clone(),
                    line: field.pos.line,
                    suggestion: format!("#[data(\"{category}\")]"),
                });
            }
        }
    }
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::suggestion;

    #[test]
    fn personal_names_get_suggestions() {
        assert_eq!(suggestion("email"), Some("contact.email"));
        assert_eq!(suggestion("billing_email"), Some("contact.email"));
        assert_eq!(suggestion("mobile_phone"), Some("contact.phone"));
        assert_eq!(suggestion("ip"), Some("website.ip_address"));
        assert_eq!(
            suggestion("date_of_birth"),
            Some("sensitive.special_category")
        );
        assert_eq!(suggestion("name"), Some("contact.name"));
        assert_eq!(suggestion("id"), None);
        assert_eq!(suggestion("created_at"), None);
    }
}
