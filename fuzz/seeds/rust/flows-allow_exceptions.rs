//! `#[privflow::allow]` on fns, impls and inline modules, and the policy's exceptions.
//! privflow.toml excepts, in this file only, `contact.email -> logs` until 2099-12-31
//! (live) and `contact.phone -> logs` until 2020-01-01 (expired).

use flows_model::{Contact, Order};
use flows_sinks::email::Mailer;
use flows_sinks::openai::complete;
use flows_sinks::sms::send_sms;

// A live exception covers the flow.
pub fn live_exception(c: &Contact) {
    println!("{}", c.email); // expect: contact.email -> logs (excepted)
}

// An expired exception no longer does.
pub fn expired_exception(c: &Contact) {
    tracing::warn!(phone = ?c.phone, "retry"); // expect: contact.phone -> logs (violation)
}

// An exception covers its own category only.
pub fn exception_one_category(c: &Contact) {
    println!("{} {}", c.email, c.name); // expect: contact.email -> logs (excepted); contact.name -> logs (violation)
}

// An exception covers its own sink only.
pub fn exception_other_sink(c: &Contact) {
    complete(&c.email); // expect: contact.email -> ai.openai (violation)
}

// `allow` on a function.
#[privflow::allow(
    "contact.email -> channel.email",
    reason = "transactional receipt to the contact"
)]
pub fn allow_on_fn(c: &Contact, mailer: &Mailer) {
    mailer.send(&c.email, "Receipt", "Thanks for your order"); // expect: contact.email -> channel.email
}

// `allow` for another sink does not cover this one.
#[privflow::allow("contact.name -> logs", reason = "support debugging")]
pub fn allow_other_sink(c: &Contact) {
    complete(&c.name); // expect: contact.name -> ai.openai (violation)
}

pub struct Receipts;

#[privflow::allow(
    "commerce.* -> channel.sms",
    reason = "order texts the contact asked for"
)]
impl Receipts {
    // `allow` with a glob on an impl block covers its methods.
    pub fn text_total(&self, o: &Order) {
        let body = format!("Total: {}", o.total_cents);
        send_sms("+15550100", &body); // expect: commerce.amount -> channel.sms
    }
}

#[privflow::allow(
    "contact.name -> logs",
    reason = "debug tooling, never built in release"
)]
pub mod debugging {
    use flows_model::Contact;

    // `allow` on an inline module covers its functions.
    pub fn dump_name(c: &Contact) {
        println!("{}", c.name); // expect: contact.name -> logs
    }
}

// `allow` and an expired exception in one call: each flow on its own.
#[privflow::allow("contact.name -> logs", reason = "support debugging")]
pub fn allow_and_expired(c: &Contact) {
    println!("{} {:?}", c.name, c.phone); // expect: contact.name -> logs; contact.phone -> logs (violation)
}
