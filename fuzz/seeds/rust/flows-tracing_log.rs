//! `tracing` and `log` macros and their field syntax: `key = %expr`, `key = ?expr`,
//! `?ident`, dotted keys, `target:`, levels.

use flows_model::{Contact, Diagnostics, Order, Session};
use tracing::{info, warn};

// `key = %expr`.
pub fn display_field(c: &Contact) {
    tracing::info!(email = %c.email, "login"); // expect: contact.email -> logs (violation)
}

// `key = ?expr`.
pub fn debug_field(c: &Contact) {
    tracing::warn!(phone = ?c.phone, "sms failed"); // expect: contact.phone -> logs (violation)
}

// The `?ident` shorthand: the whole value with `Debug`.
pub fn debug_shorthand(c: &Contact) {
    tracing::debug!(?c, "loaded"); // expect: contact.name -> logs (violation); contact.email -> logs (violation); contact.phone -> logs (violation); commerce.customer_profile -> logs (violation)
}

// The `%ident` shorthand.
pub fn display_shorthand(c: &Contact) {
    let name = &c.name;
    tracing::info!(%name, "renamed"); // expect: contact.name -> logs (violation)
}

// An untagged field value.
pub fn untagged_field_value(c: &Contact) {
    tracing::info!(contact_id = c.id, "loaded"); // expect: none
}

// A dotted key.
pub fn dotted_key(c: &Contact) {
    tracing::info!(contact.name = %c.name, "renamed"); // expect: contact.name -> logs (violation)
}

// `target:` and a field.
pub fn target_and_field(s: &Session) {
    tracing::info!(target: "auth", ip = %s.ip, "session started"); // expect: website.ip_address -> logs (violation)
}

// `event!` with a level.
pub fn event_with_level(s: &Session) {
    tracing::event!(tracing::Level::ERROR, token = %s.token, "bad token"); // expect: account.session -> logs (violation)
}

// Fields and then a format string with arguments.
pub fn fields_then_format(c: &Contact) {
    tracing::error!(id = c.id, "failed for {}", c.email); // expect: contact.email -> logs (violation)
}

// Imported macro names.
pub fn imported_macros(c: &Contact) {
    info!("{}", c.address.street); // expect: commerce.customer_profile -> logs (violation)
    warn!("contact {}", c.id); // expect: none
}

// `log::info!` with a format string.
pub fn log_format(c: &Contact) {
    log::info!("welcome {}", c.name); // expect: contact.name -> logs (violation)
}

// `log::warn!` with `target:`.
pub fn log_target(c: &Contact) {
    log::warn!(target: "billing", "retry {}", c.email); // expect: contact.email -> logs (violation)
}

// `log::log!` with a level.
pub fn log_with_level(o: &Order) {
    log::log!(log::Level::Info, "order {}", o.number); // expect: commerce.order -> logs (violation)
}

// `log::debug!` with an untagged value.
pub fn log_untagged(o: &Order) {
    log::debug!("order id {}", o.id); // expect: none
}

// Diagnostics may be logged under any purpose.
pub fn diagnostics_logged(d: &Diagnostics) {
    tracing::error!(?d, "worker crashed"); // expect: operations.diagnostics -> logs (allowed)
}

// IP addresses may be logged under `security`.
#[privflow::purpose("security")]
pub fn security_log(s: &Session) {
    tracing::warn!(ip = %s.ip, "suspicious sign-in"); // expect: website.ip_address -> logs (allowed)
}

// Under `security` too, a session token never reaches the logs.
#[privflow::purpose("security")]
pub fn security_log_token(s: &Session) {
    tracing::warn!(token = %s.token, "revoked"); // expect: account.session -> logs (violation)
}

// `#[tracing::instrument]` records the arguments it does not skip, and its fields, at the
// attribute.
#[tracing::instrument(skip(c, note), fields(channel = %c.email))] // expect: contact.email -> logs (violation); contact.name -> logs (violation)
pub fn instrumented(c: &Contact, name: &str, note: &str) {
    let _ = (c.id, note);
}

pub fn calls_instrumented(c: &Contact) {
    instrumented(c, &c.name, &c.phone.clone().unwrap_or_default());
}

#[tracing::instrument(skip_all)] // expect: none
pub fn instrumented_quietly(c: &Contact) {
    let _ = c.id;
}

// tracing's braced field block: each field is logged.
pub fn braced_fields(c: &Contact) {
    tracing::error!({ email = ?c.email, id = c.id }, "failed"); // expect: contact.email -> logs (violation)
}

// `Span::record`, declared a `logs` sink in privflow.toml, called on the span
// `Span::current()` made (and on one declared with its type): found by the receiver's
// outside type, not by the method's name.
pub fn recorded_fields(c: &Contact) {
    tracing::Span::current().record("email", tracing::field::display(&c.email)); // expect: contact.email -> logs (violation)
    let span: tracing::Span = tracing::info_span!("lookup");
    span.record("id", c.id); // expect: none
    span.record("name", c.name.as_str()); // expect: contact.name -> logs (violation)
}
