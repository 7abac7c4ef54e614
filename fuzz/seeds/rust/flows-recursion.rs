//! Recursion and mutual recursion.

use flows_model::{Contact, Message};
use flows_sinks::openai::chat;

/// Untagged, recursive, holding whole-type-tagged messages.
#[derive(Debug, Default)]
pub struct Thread {
    pub messages: Vec<Message>,
    pub parent: Option<Box<Thread>>,
}

fn join_names(cs: &[Contact]) -> String {
    match cs {
        [first, rest @ ..] => format!("{}, {}", first.name, join_names(rest)),
        [] => String::new(),
    }
}

// A recursive function builds a string from one field of each element.
pub fn recursive_join(cs: &[Contact]) {
    println!("{}", join_names(cs)); // expect: contact.name -> logs (violation)
}

fn depth(t: &Thread) -> usize {
    match &t.parent {
        Some(parent) => 1 + depth(parent),
        None => 1,
    }
}

// A recursive function whose result depends on structure, not data.
pub fn recursive_depth(t: &Thread) {
    println!("{}", depth(t)); // expect: none
}

fn flatten(t: &Thread, out: &mut Vec<String>) {
    for m in &t.messages {
        out.push(m.text.clone());
    }
    if let Some(parent) = &t.parent {
        flatten(parent, out);
    }
}

// A recursive function writes through `&mut`.
pub fn recursive_out_parameter(t: &Thread) {
    let mut texts = Vec::new();
    flatten(t, &mut texts);
    chat("gpt-4o", &texts); // expect: conversation.message -> ai.openai (violation)
}

fn even_hops(n: u32, value: String) -> String {
    if n == 0 {
        value
    } else {
        odd_hops(n - 1, value)
    }
}

fn odd_hops(n: u32, value: String) -> String {
    if n == 0 {
        String::new()
    } else {
        even_hops(n - 1, value)
    }
}

// Mutual recursion passes the value along.
pub fn mutual_recursion(c: &Contact) {
    let value = even_hops(4, c.email.clone());
    println!("{value}"); // expect: contact.email -> logs (violation)
}

fn log_chain(t: &Thread) {
    tracing::trace!(count = t.messages.len(), "thread level"); // expect: conversation.message -> logs (violation)
    if let Some(parent) = &t.parent {
        log_chain(parent);
    }
}

// A sink inside a recursive function (`len()` of tagged data keeps its category).
pub fn recursive_sink(t: &Thread) {
    log_chain(t);
}
