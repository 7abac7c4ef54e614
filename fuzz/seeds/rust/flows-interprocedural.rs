//! Summaries across functions: results, pass-through, ignored arguments, helpers that
//! hold the sink, chains of calls.

use flows_model::{Address, Contact, Envelope, Message, Patient};
use flows_sinks::openai::complete;

fn email_of(c: &Contact) -> &str {
    &c.email
}

// A helper returns one field: only that field's category.
pub fn helper_returns_field(c: &Contact) {
    println!("{}", email_of(c)); // expect: contact.email -> logs (violation)
}

fn shout(text: &str) -> String {
    text.to_uppercase()
}

// A helper passes its argument through.
pub fn helper_passes_through(c: &Contact) {
    let loud = shout(&c.name);
    complete(&loud); // expect: contact.name -> ai.openai (violation)
}

fn ignore_argument(_c: &Contact) -> String {
    String::from("ok")
}

// A helper ignores its argument.
pub fn helper_ignores_argument(c: &Contact) {
    println!("{}", ignore_argument(c)); // expect: none
}

fn second<'a>(_first: &'a str, second: &'a str) -> &'a str {
    second
}

// The summary tells the parameters apart: each call gets its own result.
pub fn helper_picks_parameter(c: &Contact) {
    println!("{}", second(&c.email, "fixed")); // expect: none
    println!("{}", second("fixed", &c.name)); // expect: contact.name -> logs (violation)
}

fn log_line(line: &str) {
    tracing::info!("{line}"); // expect: contact.phone -> logs (violation)
}

// The sink is in the helper; its marker is the helper's, above.
pub fn helper_holds_sink(c: &Contact) {
    log_line(c.phone.as_deref().unwrap_or(""));
}

fn chain_one(c: &Contact) -> String {
    chain_two(&c.address)
}

fn chain_two(a: &Address) -> String {
    chain_three(&a.street)
}

fn chain_three(s: &str) -> String {
    format!("[{s}]")
}

// Three calls deep, one nested field.
pub fn helper_chain(c: &Contact) {
    eprintln!("{}", chain_one(c)); // expect: commerce.customer_profile -> logs (violation)
}

fn make_patient() -> Patient {
    Patient {
        id: 1,
        name: String::from("P"),
        diagnosis: String::from("flu"),
    }
}

// A helper returns a tagged type built from constants.
pub fn helper_returns_tagged_type() {
    let p = make_patient();
    tracing::info!(diagnosis = %p.diagnosis, "admitted"); // expect: sensitive.health -> logs (violation)
}

fn wrap(c: &Contact) -> Envelope {
    Envelope {
        label: c.email.clone(),
        count: 1,
    }
}

// A helper returns an untagged struct with one tagged field.
pub fn helper_returns_struct(c: &Contact) {
    let env = wrap(c);
    println!("{}", env.count); // expect: none
    println!("{}", env.label); // expect: contact.email -> logs (violation)
}

/// Untagged builder: what goes in comes out.
#[derive(Debug, Default)]
pub struct PromptBuilder {
    parts: Vec<String>,
}

impl PromptBuilder {
    pub fn add(mut self, part: &str) -> Self {
        self.parts.push(part.to_owned());
        self
    }

    pub fn build(self) -> String {
        self.parts.join("\n")
    }
}

// A by-value builder chain.
pub fn builder_chain(m: &Message) {
    let prompt = PromptBuilder::default()
        .add("Reply politely to:")
        .add(&m.text)
        .build();
    complete(&prompt); // expect: conversation.message -> ai.openai (violation)
}

// A builder chain with constants only.
pub fn builder_chain_constants(m: &Message) {
    let prompt = PromptBuilder::default().add("Say hello").build();
    complete(&prompt); // expect: none
}
