//! Macros: the `format!` family (with implicit `{name}` captures), `write!`, `anyhow!`,
//! `bail!`, `serde_json::json!`, `vec!`, the print macros and `dbg!`.

use std::fmt::Write as _;

use flows_model::{Contact, Message};
use flows_sinks::analytics::track;
use flows_sinks::openai::{chat, complete};
use flows_sinks::sms::send_sms;
use serde_json::json;

// `format!` carries every argument.
pub fn format_result(c: &Contact) {
    let line = format!("{} <{}>", c.name, c.email);
    complete(&line); // expect: contact.name -> ai.openai (violation); contact.email -> ai.openai (violation)
}

// An implicit capture `{email}`.
pub fn implicit_capture(c: &Contact) {
    let email = &c.email;
    println!("mail {email}"); // expect: contact.email -> logs (violation)
}

// An implicit capture with a format spec, `{phone:?}`.
pub fn implicit_capture_debug(c: &Contact) {
    let phone = &c.phone;
    eprintln!("{phone:?}"); // expect: contact.phone -> logs (violation)
}

// An implicit capture inside `format!`, sent elsewhere.
pub fn implicit_capture_in_format(c: &Contact) {
    let name = &c.name;
    let id = c.id;
    let line = format!("{id}: {name}");
    complete(&line); // expect: contact.name -> ai.openai (violation)
}

// Positional indexes: only the tagged argument counts.
pub fn positional_index(c: &Contact) {
    println!("{1} {0}", c.id, c.name); // expect: contact.name -> logs (violation)
}

// A named argument `who = expr`.
pub fn named_argument(c: &Contact) {
    println!("{who}", who = c.email); // expect: contact.email -> logs (violation)
}

// `write!` into a `String`.
pub fn write_into_string(c: &Contact) -> std::fmt::Result {
    let mut out = String::new();
    write!(out, "{}", c.address.street)?;
    send_sms("+15550100", &out); // expect: commerce.customer_profile -> channel.sms (violation)
    Ok(())
}

// `writeln!` of an untagged value into a `String`.
pub fn writeln_untagged(c: &Contact) -> std::fmt::Result {
    let mut out = String::new();
    writeln!(out, "contact {}", c.id)?;
    send_sms("+15550100", &out); // expect: none
    Ok(())
}

// `anyhow!` builds an error that carries its arguments.
pub fn anyhow_error(c: &Contact) {
    let err = anyhow::anyhow!("no account for {}", c.email);
    tracing::error!("{err:#}"); // expect: contact.email -> logs (violation)
}

fn require_phone(c: &Contact) -> anyhow::Result<&str> {
    if c.phone.is_none() {
        anyhow::bail!("contact {} has no phone", c.name);
    }
    Ok("ok")
}

// `bail!` in a callee; the caller logs the error.
pub fn bail_in_callee(c: &Contact) {
    if let Err(e) = require_phone(c) {
        log::warn!("{e}"); // expect: contact.name -> logs (violation)
    }
}

// `json!` with a tagged value.
pub fn json_value(c: &Contact) {
    let props = json!({ "email": c.email, "plan": "free" });
    track("signup", &props); // expect: contact.email -> vendor.analytics (violation)
}

// Nested `json!` objects and arrays.
pub fn json_nested(c: &Contact) {
    let props = json!({ "user": { "name": c.name, "id": c.id }, "tags": [c.phone] });
    track("profile", &props); // expect: contact.name -> vendor.analytics (violation); contact.phone -> vendor.analytics (violation)
}

// `json!` with untagged values only.
pub fn json_untagged(c: &Contact) {
    let props = json!({ "id": c.id, "kind": "contact" });
    track("opened", &props); // expect: none
}

// `vec!` of values.
pub fn vec_values(c: &Contact) {
    let messages = vec![c.name.clone(), String::from("Say hello")];
    chat("gpt-4o", &messages); // expect: contact.name -> ai.openai (violation)
}

// `vec![value; n]` with an untagged value.
pub fn vec_repeat_untagged(c: &Contact) {
    let messages = vec![c.id.to_string(); 2];
    chat("gpt-4o", &messages); // expect: none
}

// `format_args!` nested in `println!`.
pub fn format_args_nested(c: &Contact) {
    println!("{}", format_args!("[{}]", c.name)); // expect: contact.name -> logs (violation)
}

// `print!` with a tagged value.
pub fn print_macro(c: &Contact) {
    print!("{}", c.email); // expect: contact.email -> logs (violation)
}

// `eprint!` with an untagged value.
pub fn eprint_macro(c: &Contact) {
    eprint!("{}", c.id); // expect: none
}

// `dbg!` prints its argument.
pub fn dbg_macro(c: &Contact) {
    dbg!(&c.phone); // expect: contact.phone -> logs (violation)
}

// `std::println!` written with its path.
pub fn qualified_println(m: &Message) {
    std::println!("{}", m.text); // expect: conversation.message -> logs (violation)
}

// `{:#?}` of a whole tagged value into a prompt.
pub fn pretty_debug_prompt(c: &Contact) {
    let dump = format!("{c:#?}");
    complete(&dump); // expect: contact.name -> ai.openai (violation); contact.email -> ai.openai (violation); contact.phone -> ai.openai (violation); commerce.customer_profile -> ai.openai (violation)
}

// A string literal with braces escaped: nothing is captured.
pub fn escaped_braces(c: &Contact) {
    let email = &c.email;
    println!("{{email}}"); // expect: none
}

// `panic!` formats its arguments into no sink; the later sink gets the id only.
pub fn panic_message(c: &Contact) {
    if c.phone.is_none() {
        panic!("no phone for {}", c.email);
    }
    println!("{}", c.id); // expect: none
}

// A macro given a type's name (`stringify!`, `sqlx::query_as!(Contact, ..)`): a name is
// not a value, and carries no data.
pub fn type_name_in_macro() {
    println!("{}", stringify!(Contact)); // expect: none
    log::debug!("{}", stringify!(flows_model::Contact)); // expect: none
}
