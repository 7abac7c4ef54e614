#[privflow::declassify("contact.pseudonymous_id")]
pub fn pseudonymize(email: &str) -> String {
    email.to_owned()
}

#[privflow::declassify(to = "contact.pseudonym")]
pub fn pseudonymize_typo(email: &str) -> String {
    email.to_owned()
}

fn main() {}
