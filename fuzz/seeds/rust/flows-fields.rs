//! Field sensitivity: a field carries its own tags, a value carries every tagged field,
//! recursively through nested tagged types; whole-type tags cover everything.

use flows_model::{Agent, Contact, Conversation, Message, Order};
use flows_sinks::openai::complete;
use flows_sinks::storage::put_object;

// One field of a nested tagged type.
pub fn nested_field(c: &Contact) {
    println!("{}", c.address.street); // expect: commerce.customer_profile -> logs (violation)
}

// The untagged field of a nested tagged type.
pub fn nested_untagged_field(c: &Contact) {
    println!("{}", c.address.city); // expect: none
}

// The nested value as a whole.
pub fn nested_whole(c: &Contact) {
    println!("{:?}", c.address); // expect: commerce.customer_profile -> logs (violation)
}

// Two levels of nesting: conversation -> contact -> address.
pub fn two_levels(conv: &Conversation) {
    complete(&conv.contact.address.street); // expect: commerce.customer_profile -> ai.openai (violation)
}

// A nested struct as a whole, one level down.
pub fn nested_contact_whole(conv: &Conversation) {
    let dump = format!("{:?}", conv.contact);
    complete(&dump); // expect: contact.name -> ai.openai (violation); contact.email -> ai.openai (violation); contact.phone -> ai.openai (violation); commerce.customer_profile -> ai.openai (violation)
}

// The untagged fields of the outer and the nested values.
pub fn untagged_at_every_level(conv: &Conversation) {
    let line = format!(
        "{} {} {}",
        conv.id, conv.contact.id, conv.contact.address.city
    );
    complete(&line); // expect: none
}

// The whole conversation, serialized: every category, nested ones included.
pub fn whole_value_serialized(conv: &Conversation) {
    let body = serde_json::to_vec(conv).unwrap_or_default();
    put_object("conversations/1.json", &body); // expect: contact.name -> vendor.hosting (allowed); contact.email -> vendor.hosting (allowed); contact.phone -> vendor.hosting (allowed); commerce.customer_profile -> vendor.hosting (allowed); conversation.message -> vendor.hosting (allowed); conversation.channel_id -> vendor.hosting (allowed)
}

// A `Vec` of a whole-type-tagged type inside a tagged struct.
pub fn nested_vec_whole_type(conv: &Conversation) {
    tracing::info!(messages = ?conv.messages, "loaded"); // expect: conversation.message -> logs (violation)
}

// A tagged field whose type is an untagged collection.
pub fn tagged_collection_field(o: &Order) {
    println!("{:?}", o.items); // expect: commerce.line_item -> logs (violation)
}

// Two tagged fields of one value in one call, the third not read.
pub fn two_of_three_fields(o: &Order) {
    println!("{} {}", o.number, o.total_cents); // expect: commerce.order -> logs (violation); commerce.amount -> logs (violation)
}

// A nested `Option<Session>` inside a tagged struct: the token field only.
pub fn nested_option_field(a: &Agent) {
    if let Some(s) = &a.session {
        println!("{}", s.token); // expect: account.session -> logs (violation)
    }
}

// A nested `Option<Session>` as a whole.
pub fn nested_option_whole(a: &Agent) {
    println!("{:?}", a.session); // expect: account.session -> logs (violation); website.ip_address -> logs (violation)
}

// A whole-type tagged value as a whole.
pub fn whole_type_value(m: &Message) {
    eprintln!("{m:?}"); // expect: conversation.message -> logs (violation)
}
