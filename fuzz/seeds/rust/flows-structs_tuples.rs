//! Struct literals, struct update syntax, tuples and tuple structs keep each part's own
//! categories; fields of untagged structs are tracked field by field.

use flows_model::{Contact, Envelope};
use flows_sinks::openai::complete;

/// An untagged tuple struct.
#[derive(Debug, Clone, Default)]
pub struct Labeled(pub String, pub u64);

// A tagged value in one field of an untagged struct literal.
pub fn untagged_struct_field(c: &Contact) {
    let env = Envelope {
        label: c.email.clone(),
        count: 1,
    };
    println!("{}", env.label); // expect: contact.email -> logs (violation)
}

// The other field of the same literal stays clean.
pub fn untagged_struct_other_field(c: &Contact) {
    let env = Envelope {
        label: c.email.clone(),
        count: 1,
    };
    println!("{}", env.count); // expect: none
}

// The untagged struct as a whole carries what its fields hold.
pub fn untagged_struct_whole(c: &Contact) {
    let env = Envelope {
        label: c.name.clone(),
        count: 2,
    };
    println!("{env:?}"); // expect: contact.name -> logs (violation)
}

// A field assigned after construction.
pub fn field_assigned_later(c: &Contact) {
    let mut env = Envelope::default();
    env.label = c.phone.clone().unwrap_or_default();
    complete(&env.label); // expect: contact.phone -> ai.openai (violation)
}

// A field overwritten with a constant before the sink.
pub fn field_overwritten(c: &Contact) {
    let mut env = Envelope {
        label: c.email.clone(),
        count: 0,
    };
    env.label = String::from("hidden");
    println!("{}", env.label); // expect: none
}

// Struct update syntax copies the tagged field from the base.
pub fn struct_update_copies(c: &Contact) {
    let base = Envelope {
        label: c.email.clone(),
        count: 0,
    };
    let next = Envelope { count: 5, ..base };
    println!("{}", next.label); // expect: contact.email -> logs (violation)
}

// Struct update syntax: the field given explicitly replaces the base's.
pub fn struct_update_replaces(c: &Contact) {
    let base = Envelope {
        label: c.email.clone(),
        count: 0,
    };
    let next = Envelope {
        label: String::from("none"),
        ..base
    };
    println!("{}", next.label); // expect: none
}

// Tuple parts: `.0` is tagged, `.1` is not.
pub fn tuple_parts(c: &Contact) {
    let pair = (c.name.clone(), c.id);
    println!("{}", pair.0); // expect: contact.name -> logs (violation)
    println!("{}", pair.1); // expect: none
}

// A tuple as a whole.
pub fn tuple_whole(c: &Contact) {
    let pair = (c.name.clone(), c.email.clone(), c.id);
    println!("{pair:?}"); // expect: contact.name -> logs (violation); contact.email -> logs (violation)
}

fn name_and_id(c: &Contact) -> (String, u64) {
    (c.name.clone(), c.id)
}

// A tuple returned by a function keeps its parts apart.
pub fn tuple_returned(c: &Contact) {
    let t = name_and_id(c);
    println!("{}", t.1); // expect: none
}

// Nested tuples.
pub fn nested_tuple(c: &Contact) {
    let t = ((c.id, c.phone.clone()), c.id);
    println!("{:?}", (t.0).1); // expect: contact.phone -> logs (violation)
}

// An untagged tuple struct.
pub fn tuple_struct(c: &Contact) {
    let labeled = Labeled(c.email.clone(), c.id);
    println!("{}", labeled.0); // expect: contact.email -> logs (violation)
    println!("{}", labeled.1); // expect: none
}

/// Fourteen fields, one built from tagged data.
pub struct Wide {
    pub label: String,
    pub email: String,
    pub a: u8, pub b: u8, pub c: u8, pub d: u8, pub e: u8, pub f: u8,
    pub g: u8, pub h: u8, pub i: u8, pub j: u8, pub k: u8, pub l: u8,
}

fn wide_of(c: &Contact) -> Wide {
    Wide {
        label: String::from("contact"),
        email: c.email.clone(),
        a: 0, b: 0, c: 0, d: 0, e: 0, f: 0,
        g: 0, h: 0, i: 0, j: 0, k: 0, l: 0,
    }
}

// A returned struct with more fields than a summary keeps one by one still keeps the
// one that carries data apart from the rest.
pub fn wide_struct_fields(c: &Contact) {
    let w = wide_of(c);
    println!("{}", w.label); // expect: none
    println!("{}", w.email); // expect: contact.email -> logs (violation)
}
