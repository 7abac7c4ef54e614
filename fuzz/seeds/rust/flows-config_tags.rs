//! Tags and sinks from privflow.toml: `[types]` for types without attributes, and sink
//! functions listed under `[sinks."integration.shopify"] functions`.

use flows_model::Contact;
use flows_model::external::{CarrierEvent, WebhookPayload};
use flows_sinks::crm::{CrmClient, push_contact};
use flows_sinks::openai::complete;
use serde_json::json;

// A field tagged in privflow.toml.
pub fn config_tagged_field(p: &WebhookPayload) {
    println!("{}", p.from); // expect: contact.phone -> logs (violation)
}

// Another field tagged in privflow.toml, to another sink.
pub fn config_tagged_text(p: &WebhookPayload) {
    complete(&p.text); // expect: conversation.message -> ai.openai (violation)
}

// A field privflow.toml leaves untagged.
pub fn config_untagged_field(p: &WebhookPayload) {
    println!("{}", p.event_id); // expect: none
}

// The whole value with `Debug`.
pub fn config_whole_value(p: &WebhookPayload) {
    println!("{p:?}"); // expect: contact.phone -> logs (violation); conversation.message -> logs (violation)
}

// A `let` annotation with a type tagged in privflow.toml.
pub fn config_let_annotation(raw: &str) -> serde_json::Result<()> {
    let p: WebhookPayload = serde_json::from_str(raw)?;
    complete(&p.from); // expect: contact.phone -> ai.openai (violation)
    Ok(())
}

// A whole-type tag from privflow.toml.
pub fn config_whole_type(e: &CarrierEvent) {
    tracing::info!(?e, "carrier event"); // expect: integration.webhook_event -> logs (violation)
}

// A whole-type tag from privflow.toml covers every field.
pub fn config_whole_type_field(e: &CarrierEvent) {
    println!("{}", e.attempts); // expect: integration.webhook_event -> logs (violation)
}

// A sink function declared only in privflow.toml, with no purpose.
pub fn config_sink_function(c: &Contact) {
    push_contact(&c.name, &c.email); // expect: contact.name -> integration.shopify (violation); contact.email -> integration.shopify (violation)
}

// The same sink under `service`.
#[privflow::purpose("service")]
pub fn config_sink_function_service(c: &Contact) {
    flows_sinks::crm::push_contact(&c.name, &c.email); // expect: contact.name -> integration.shopify (allowed); contact.email -> integration.shopify (allowed)
}

// A sink method declared only in privflow.toml.
pub fn config_sink_method(c: &Contact) {
    let crm = CrmClient::default();
    let record = json!({ "phone": c.phone });
    crm.upsert(&record); // expect: contact.phone -> integration.shopify (violation)
}

// The config-only sink with untagged arguments.
pub fn config_sink_untagged(c: &Contact) {
    push_contact("unknown", &c.id.to_string()); // expect: none
}
