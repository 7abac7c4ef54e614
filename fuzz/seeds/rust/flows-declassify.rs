//! Declassifiers: `to = ...` leaves only that category, a bare declassifier nothing.

use flows_model::privacy::{count_messages, hash_token, pseudonymize};
use flows_model::{Contact, Conversation, Message, Session};
use flows_sinks::openai::complete;

// `declassify(to = "contact.pseudonymous_id")` from the model crate.
pub fn pseudonymized(c: &Contact) {
    let pseudonym = pseudonymize(&c.email);
    println!("{pseudonym}"); // expect: contact.pseudonymous_id -> logs (allowed)
}

// A bare declassifier: the count carries nothing.
pub fn counted(messages: &[Message]) {
    let n = count_messages(messages);
    println!("{n}"); // expect: none
}

// A declassifier method.
pub fn declassifier_method(c: &Contact) {
    tracing::info!(contact = %c.pseudonym(), "opened"); // expect: contact.pseudonymous_id -> logs (allowed)
}

// Declassified and clear data in one call.
pub fn declassified_and_clear(c: &Contact) {
    println!("{} {}", pseudonymize(&c.email), c.name); // expect: contact.pseudonymous_id -> logs (allowed); contact.name -> logs (violation)
}

// A bare declassifier on a session token.
pub fn hashed_token(s: &Session) {
    let h = hash_token(&s.token);
    log::debug!("session {h}"); // expect: none
}

#[privflow::declassify]
fn message_count(conv: &Conversation) -> usize {
    conv.messages.len()
}

// A declassifier in the same crate.
pub fn local_declassifier(conv: &Conversation) {
    tracing::info!(count = message_count(conv), "loaded"); // expect: none
}

#[privflow::declassify(to = ["contact.pseudonymous_id", "operations.diagnostics"])]
fn failure_key(c: &Contact, code: u32) -> String {
    format!("{}-{code}", c.id)
}

// A declassifier to two categories.
pub fn declassified_to_two(c: &Contact) {
    let key = failure_key(c, 500);
    eprintln!("{key}"); // expect: contact.pseudonymous_id -> logs (allowed); operations.diagnostics -> logs (allowed)
}

// A pseudonym to an AI provider outside `customer_features.ai`.
pub fn pseudonym_to_ai(c: &Contact) {
    complete(&pseudonymize(&c.email)); // expect: contact.pseudonymous_id -> ai.openai (violation)
}

// A declassified value overwritten by clear data before the sink.
pub fn declassified_then_replaced(c: &Contact) {
    let mut shown = pseudonymize(&c.email);
    shown = c.email.clone();
    println!("{shown}"); // expect: contact.email -> logs (violation)
}
