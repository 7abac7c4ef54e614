//! Workspace `macro_rules!`: the analysis expands them at the call.

use flows_model::Contact;
use flows_sinks::openai::complete;

macro_rules! audit {
    ($($arg:tt)*) => {
        tracing::info!($($arg)*)
    };
}

macro_rules! log_contact {
    ($c:expr, quiet) => {
        println!("contact {}", $c.id)
    };
    ($c:expr) => {
        println!("contact {}", $c.email)
    };
}

macro_rules! ask_ai {
    ($($part:expr),+ $(,)?) => {
        complete(&[$($part.to_string()),+].join(" "))
    };
}

// A logging macro that forwards its tokens to `tracing::info!`.
pub fn forwarding_macro(c: &Contact) {
    audit!(name = %c.name, "seen"); // expect: contact.name -> logs (violation)
}

// A macro whose body reads a tagged field of its argument.
pub fn macro_reads_field(c: &Contact) {
    log_contact!(c); // expect: contact.email -> logs (violation)
}

// The same macro's other rule reads an untagged field.
pub fn macro_other_rule(c: &Contact) {
    log_contact!(c, quiet); // expect: none
}

// A macro with a repetition around a sink call.
pub fn macro_repetition(c: &Contact) {
    ask_ai!(c.name, "please summarise"); // expect: contact.name -> ai.openai (violation)
}
