//! References, Box, Rc/Arc, Option, Result, Vec, slices and maps around tagged values.

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::sync::Arc;

use flows_model::{Contact, Order, Patient};
use flows_sinks::openai::{chat, complete};
use flows_sinks::sms::send_sms;

// A `Box` of a tagged type.
pub fn boxed(c: Box<Contact>) {
    println!("{}", c.email); // expect: contact.email -> logs (violation)
}

// An `Rc` of a tagged type, cloned before the read.
pub fn rc_cloned(c: Rc<Contact>) {
    let other = Rc::clone(&c);
    println!("{}", other.name); // expect: contact.name -> logs (violation)
}

// An `Arc` of a tagged type.
pub fn arc_field(p: Arc<Patient>) {
    complete(&p.diagnosis); // expect: sensitive.health -> ai.openai (violation)
}

// A double reference.
pub fn double_reference(c: &&Contact) {
    let inner: &Contact = c;
    println!("{}", inner.address.street); // expect: commerce.customer_profile -> logs (violation)
}

// An `Option<&T>` parameter, unwrapped with `if let`.
pub fn option_param(c: Option<&Contact>) {
    if let Some(c) = c {
        println!("{}", c.name); // expect: contact.name -> logs (violation)
    }
}

// A `Result<T, String>` parameter: the `Ok` side is tagged, the `Err` side is not.
pub fn result_param(r: Result<Contact, String>) {
    match r {
        Ok(c) => println!("{}", c.email), // expect: contact.email -> logs (violation)
        Err(e) => println!("{e}"),        // expect: none
    }
}

// A `Vec` parameter, indexed.
pub fn vec_index(cs: Vec<Contact>) {
    let phone = cs[0].phone.as_deref().unwrap_or("-");
    println!("{phone}"); // expect: contact.phone -> logs (violation)
}

// A slice parameter, iterated with `for`.
pub fn slice_loop(cs: &[Contact]) {
    for c in cs {
        tracing::debug!("{}", c.name); // expect: contact.name -> logs (violation)
    }
}

// A slice pattern.
pub fn slice_pattern(orders: &[Order]) {
    if let [first, ..] = orders {
        send_sms("+15550100", &first.number); // expect: commerce.order -> channel.sms (violation)
    }
}

// A `HashMap` of tagged values, read with `get`.
pub fn map_get(by_id: &HashMap<u64, Contact>) {
    if let Some(c) = by_id.get(&1) {
        println!("{}", c.email); // expect: contact.email -> logs (violation)
    }
}

// A `HashMap` of tagged values, iterated over `values()`.
pub fn map_values(by_id: &HashMap<u64, Contact>) {
    let names: Vec<String> = by_id.values().map(|c| c.name.clone()).collect();
    chat("gpt-4o", &names); // expect: contact.name -> ai.openai (violation)
}

// A `BTreeMap` filled with tagged keys: the map carries what was inserted.
pub fn map_built(cs: &[Contact]) {
    let mut index: BTreeMap<String, u64> = BTreeMap::new();
    for c in cs {
        index.insert(c.email.clone(), c.id);
    }
    println!("{index:?}"); // expect: contact.email -> logs (violation)
}

// A `Vec` filled with `push`: the vector carries what was pushed.
pub fn vec_pushed(c: &Contact) {
    let mut lines = Vec::new();
    lines.push(c.phone.clone().unwrap_or_default());
    chat("gpt-4o", &lines); // expect: contact.phone -> ai.openai (violation)
}

// A `Vec` of ids only, built from tagged values.
pub fn vec_of_ids(cs: &[Contact]) {
    let ids: Vec<u64> = cs.iter().map(|c| c.id).collect();
    println!("{ids:?}"); // expect: none
}

/// Contacts held by another value, reached through a parameter.
#[derive(Debug, Clone, Default, privflow::Classified)]
pub struct Team {
    #[data(nested)]
    pub members: Vec<Contact>,
}

fn newest_members(team: &Team) -> &[Contact] {
    &team.members[1..]
}

fn member_names(team: &Team) -> String {
    newest_members(team)
        .iter()
        .map(|member| member.name.clone())
        .collect::<Vec<_>>()
        .join(", ")
}

// An element of a parameter's collection field keeps its own fields apart: reading one
// field of it (three parts deep into the parameter) carries that field's category only.
pub fn member_names_to_ai(team: &Team) {
    complete(&member_names(team)); // expect: contact.name -> ai.openai (violation)
}

// An element pushed keeps its parts: a field read from an element carries what was
// stored in that field (a list of rows built field by field, then read by id).
pub fn pushed_rows_keep_parts(c: &Contact) {
    let mut rows = Vec::new();
    rows.push(Contact {
        id: c.id,
        name: c.name.clone(),
        ..Contact::default()
    });
    for row in &rows {
        println!("{}", row.id); // expect: none
        println!("{}", row.name); // expect: contact.name -> logs (violation)
    }
}

/// Options gathered from `(name, value)` pairs by the workspace's own `FromIterator`.
#[derive(Default)]
pub struct Options {
    pub prompt: String,
    pub model: String,
}

impl FromIterator<(String, String)> for Options {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(pairs: I) -> Options {
        let mut options = Options::default();
        for (name, value) in pairs {
            match name.as_str() {
                "prompt" => options.prompt = value,
                _ => options.model = value,
            }
        }
        options
    }
}

// `collect::<Options>()` runs that `FromIterator` impl with the iterator.
pub fn gathered_options(c: &Contact) {
    let options = vec![("prompt".to_owned(), c.name.clone())]
        .into_iter()
        .collect::<Options>();
    println!("{}", options.prompt); // expect: contact.name -> logs (violation)
}
