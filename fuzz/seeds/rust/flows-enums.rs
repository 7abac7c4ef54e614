//! Enum variants: tagged variants and variant fields, untagged enums built from tagged
//! data, `match` arms.

use flows_model::{Contact, Inbound};
use flows_sinks::openai::complete;
use flows_sinks::sms::send_sms;

/// An untagged enum: each variant's fields carry what was put in them.
#[derive(Debug, Clone)]
pub enum Outgoing {
    Sms(String),
    Email { to: String, body: String },
    Noop,
}

// A whole-variant tag (`Text`).
pub fn tagged_variant(m: &Inbound) {
    if let Inbound::Text(text) = m {
        complete(text); // expect: conversation.message -> ai.openai (violation)
    }
}

// Fields of a struct-like variant keep their own tags, one sink per arm.
pub fn variant_fields(m: &Inbound) {
    match m {
        Inbound::Email { from, body } => {
            println!("{from}"); // expect: contact.email -> logs (violation)
            complete(body); // expect: conversation.email_content -> ai.openai (violation)
        }
        Inbound::Call(info, seconds) => {
            println!("{seconds}"); // expect: none
            complete(info); // expect: conversation.call_info -> ai.openai (violation)
        }
        Inbound::Text(_) | Inbound::Ping => println!("other"), // expect: none
    }
}

// The whole tagged enum, formatted with `Debug`: every variant's tags.
pub fn whole_enum_debug(m: &Inbound) {
    tracing::warn!(?m, "unexpected inbound"); // expect: conversation.message -> logs (violation); contact.email -> logs (violation); conversation.email_content -> logs (violation); conversation.call_info -> logs (violation)
}

// A tagged variant built from other tagged data carries both.
pub fn tagged_variant_built(c: &Contact) {
    let m = Inbound::Text(c.name.clone());
    if let Inbound::Text(text) = &m {
        complete(text); // expect: contact.name -> ai.openai (violation); conversation.message -> ai.openai (violation)
    }
}

// An untagged enum variant built from tagged data: `to` is tagged, `body` is not.
pub fn untagged_variant_parts(c: &Contact) {
    let out = Outgoing::Email {
        to: c.email.clone(),
        body: format!("Order #{}", c.id),
    };
    if let Outgoing::Email { to, body } = &out {
        println!("{body}"); // expect: none
        println!("{to}"); // expect: contact.email -> logs (violation)
    }
}

// An untagged tuple variant.
pub fn untagged_tuple_variant(c: &Contact) {
    let out = Outgoing::Sms(c.phone.clone().unwrap_or_default());
    if let Outgoing::Sms(text) = out {
        send_sms("+15550100", &text); // expect: contact.phone -> channel.sms (violation)
    }
}

// A variant chosen by a branch: the match arm binds whichever was built.
pub fn variant_from_branch(c: &Contact, by_sms: bool) {
    let out = if by_sms {
        Outgoing::Sms(c.name.clone())
    } else {
        Outgoing::Noop
    };
    match out {
        Outgoing::Sms(text) => {
            send_sms("+15550100", &text); // expect: contact.name -> channel.sms (violation)
        }
        Outgoing::Email { body, .. } => {
            send_sms("+15550100", &body); // expect: none
        }
        Outgoing::Noop => {}
    }
}
