//! Writes through `&mut`: a callee that writes tagged data into a parameter, and one
//! that leaves it alone.

use flows_model::{Contact, Envelope, Message};
use flows_sinks::openai::{chat, complete};

fn fill_email(out: &mut String, c: &Contact) {
    out.push_str(&c.email);
}

// A callee writes a tagged field into a `&mut String`.
pub fn callee_writes(c: &Contact) {
    let mut buf = String::new();
    fill_email(&mut buf, c);
    println!("{buf}"); // expect: contact.email -> logs (violation)
}

fn count_only(counter: &mut u32, _c: &Contact) {
    *counter += 1;
}

// A callee takes `&mut` but writes no tagged data into it.
pub fn callee_leaves_untouched(c: &Contact) {
    let mut n = 0;
    count_only(&mut n, c);
    println!("{n}"); // expect: none
}

fn set_label(env: &mut Envelope, c: &Contact) {
    env.label = c.name.clone();
}

// A callee writes one field of an untagged struct.
pub fn callee_writes_field(c: &Contact) {
    let mut env = Envelope::default();
    set_label(&mut env, c);
    println!("{}", env.label); // expect: contact.name -> logs (violation)
}

// The field the callee does not write stays clean.
pub fn callee_leaves_other_field(c: &Contact) {
    let mut env = Envelope::default();
    set_label(&mut env, c);
    println!("{}", env.count); // expect: none
}

fn collect_phones(out: &mut Vec<String>, cs: &[Contact]) {
    for c in cs {
        if let Some(phone) = &c.phone {
            out.push(phone.clone());
        }
    }
}

// A callee pushes into a `&mut Vec`.
pub fn callee_pushes(cs: &[Contact]) {
    let mut phones = Vec::new();
    collect_phones(&mut phones, cs);
    chat("gpt-4o", &phones); // expect: contact.phone -> ai.openai (violation)
}

fn outer_fill(out: &mut String, m: &Message) {
    inner_fill(out, m);
}

fn inner_fill(out: &mut String, m: &Message) {
    *out = m.text.clone();
}

// The write happens two calls down.
pub fn write_two_levels_down(m: &Message) {
    let mut text = String::new();
    outer_fill(&mut text, m);
    complete(&text); // expect: conversation.message -> ai.openai (violation)
}

/// Untagged; its method writes through `&mut self`.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub text: String,
    pub edits: u32,
}

impl Draft {
    pub fn append(&mut self, s: &str) {
        self.text.push_str(s);
        self.edits += 1;
    }
}

// A method writes its argument into `self`.
pub fn method_writes_self(m: &Message) {
    let mut draft = Draft::default();
    draft.append(&m.text);
    complete(&draft.text); // expect: conversation.message -> ai.openai (violation)
}

// A `&mut` local reference written directly.
pub fn local_mut_reference(c: &Contact) {
    let mut line = String::new();
    let target = &mut line;
    target.push_str(&c.name);
    println!("{line}"); // expect: contact.name -> logs (violation)
}

// `std::mem::take` moves the tagged value out and leaves an empty one.
pub fn mem_take(c: &Contact) {
    let mut email = c.email.clone();
    let taken = std::mem::take(&mut email);
    println!("{taken}"); // expect: contact.email -> logs (violation)
}
