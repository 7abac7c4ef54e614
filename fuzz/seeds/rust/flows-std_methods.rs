//! Standard-library methods: `clone`, `as_ref`, `as_deref`, `unwrap*`, `ok_or*`, `?`,
//! `iter`/`into_iter`, adaptor closures' parameters, `collect`.

use flows_model::{Contact, Message};
use flows_sinks::openai::{chat, complete};
use flows_sinks::sms::send_sms;

// `clone` keeps the category.
pub fn cloned(c: &Contact) {
    let email = c.email.clone();
    println!("{email}"); // expect: contact.email -> logs (violation)
}

// `as_ref` + `map` + `unwrap_or` with a literal.
pub fn as_ref_map(c: &Contact) {
    let phone = c.phone.as_ref().map(|p| p.as_str()).unwrap_or("-");
    println!("{phone}"); // expect: contact.phone -> logs (violation)
}

// `as_deref` + `unwrap_or_default`.
pub fn as_deref_default(c: &Contact) {
    let phone = c.phone.as_deref().unwrap_or_default();
    complete(phone); // expect: contact.phone -> ai.openai (violation)
}

// `unwrap_or_else` whose closure returns another tagged field: both categories.
pub fn unwrap_or_else_other_field(c: &Contact) {
    let reach = c.phone.clone().unwrap_or_else(|| c.email.clone());
    send_sms("+15550100", &reach); // expect: contact.phone -> channel.sms (violation); contact.email -> channel.sms (violation)
}

// `ok_or` and `?` in a function returning `Result`.
pub fn ok_or_question(c: &Contact) -> Result<(), String> {
    let phone = c.phone.clone().ok_or("no phone")?;
    eprintln!("{phone}"); // expect: contact.phone -> logs (violation)
    Ok(())
}

// `ok_or_else` with an `anyhow` error and `?`.
pub fn ok_or_else_question(c: &Contact) -> anyhow::Result<()> {
    let phone = c
        .phone
        .as_deref()
        .ok_or_else(|| anyhow::anyhow!("contact {} has no phone", c.id))?;
    send_sms("+15550100", phone); // expect: contact.phone -> channel.sms (violation)
    Ok(())
}

// `iter().map(|c| field).collect()`: only the mapped field's category.
pub fn iter_map_collect(cs: &[Contact]) {
    let emails: Vec<String> = cs.iter().map(|c| c.email.clone()).collect();
    chat("gpt-4o", &emails); // expect: contact.email -> ai.openai (violation)
}

// `into_iter().filter().map()`: the filter reads `id`, the map keeps `name`.
pub fn into_iter_filter_map(cs: Vec<Contact>) {
    let names: Vec<String> = cs
        .into_iter()
        .filter(|c| c.id > 10)
        .map(|c| c.name)
        .collect();
    println!("{}", names.join(", ")); // expect: contact.name -> logs (violation)
}

// A sink inside a `for_each` closure: the closure's parameter is an element.
pub fn for_each_sink(cs: &[Contact]) {
    cs.iter().for_each(|c| {
        log::info!("{}", c.address.street); // expect: commerce.customer_profile -> logs (violation)
    });
}

// `find` then `map` to a field.
pub fn find_then_map(cs: &[Contact]) {
    let found = cs.iter().find(|c| c.id == 3).map(|c| c.name.clone());
    println!("{found:?}"); // expect: contact.name -> logs (violation)
}

// `last()` of a `Vec` of a whole-type-tagged type.
pub fn last_message(messages: &[Message]) {
    let last = messages.last().map(|m| m.text.as_str()).unwrap_or("");
    complete(last); // expect: conversation.message -> ai.openai (violation)
}

// `filter_map` over `Option` fields, then `collect` into a `String`.
pub fn filter_map_collect_string(cs: &[Contact]) {
    let phones: String = cs.iter().filter_map(|c| c.phone.as_deref()).collect();
    println!("{phones}"); // expect: contact.phone -> logs (violation)
}

// `to_lowercase`/`trim` on a tagged string: methods of external types keep what the
// receiver carried.
pub fn string_methods(c: &Contact) {
    let normalized = c.email.trim().to_lowercase();
    tracing::info!("{normalized}"); // expect: contact.email -> logs (violation)
}

// `len()` of a tagged string is data derived from it: it keeps the category.
pub fn length_of_tagged(c: &Contact) {
    let n = c.email.len();
    println!("{n}"); // expect: contact.email -> logs (violation)
}

// `unwrap` and `expect`.
pub fn unwrap_and_expect(c: &Contact) {
    let phone = c.phone.clone().unwrap();
    let local_part = c.email.split('@').next().expect("split yields one part");
    println!("{phone} {local_part}"); // expect: contact.phone -> logs (violation); contact.email -> logs (violation)
}
