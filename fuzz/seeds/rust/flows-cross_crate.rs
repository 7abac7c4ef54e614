//! Summaries across crates: model methods and functions, a sinks-crate wrapper, sinks
//! named by their full path.

use flows_model::directory::Directory;
use flows_model::{Contact, Message};
use flows_sinks::openai::complete;

// A model-crate method returns one field.
pub fn model_method_one_field(c: &Contact) {
    println!("{}", c.display_name()); // expect: contact.name -> logs (violation)
}

// A model-crate method combines two fields.
pub fn model_method_two_fields(c: &Contact) {
    complete(&c.mailbox()); // expect: contact.name -> ai.openai (violation); contact.email -> ai.openai (violation)
}

// A model-crate method returns a constant.
pub fn model_method_constant(c: &Contact) {
    println!("{}", c.kind()); // expect: none
}

// A model-crate method returns the untagged id only.
pub fn model_method_untagged(c: &Contact) {
    complete(&c.id_string()); // expect: none
}

// A model-crate free function returns one field.
pub fn model_free_function(c: &Contact) {
    println!("{}", flows_model::primary_email(c)); // expect: contact.email -> logs (violation)
}

// A model-crate repository returns `Option<&Contact>`.
pub fn model_repository(dir: &Directory) {
    if let Some(c) = dir.find(3) {
        tracing::info!(phone = ?c.phone, "found"); // expect: contact.phone -> logs (violation)
    }
}

// A model-crate repository returns a slice; one field per element.
pub fn model_repository_slice(dir: &Directory) {
    let names: Vec<&str> = dir.all().iter().map(|c| c.name.as_str()).collect();
    println!("{names:?}"); // expect: contact.name -> logs (violation)
}

// A sinks-crate wrapper holds the sink call (marker in crates/sinks/src/relay.rs).
pub fn sinks_crate_wrapper(m: &Message) {
    flows_sinks::relay::forward_to_ops(&m.text);
}

// A sink called by its full path.
pub fn sink_by_full_path(c: &Contact) {
    flows_sinks::mistral::embed(&c.name); // expect: contact.name -> ai.mistral (violation)
}

// A sink method with `args = ["self"]`: what was pushed into the receiver.
pub fn sink_on_receiver(c: &Contact) {
    let mut outbox = flows_sinks::webchat::Outbox::default();
    outbox.pending.push(c.name.clone());
    outbox.flush(); // expect: contact.name -> channel.webchat (violation)
}
