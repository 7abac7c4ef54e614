#[privflow::allow("contact.email -> channel.email")]
pub fn no_reason() {}

#[privflow::allow("contact.email to channel.email", reason = "typo in the arrow")]
pub fn no_arrow() {}

#[privflow::allow("contact.emial -> channel.email", reason = "unknown category")]
pub fn unknown_category() {}

#[privflow::allow("contact.email -> channel.email", reason = "")]
pub fn empty_reason() {}

fn main() {}
