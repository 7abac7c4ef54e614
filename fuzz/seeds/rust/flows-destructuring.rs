//! Destructuring with `let`, `if let`, `let else`, `match` and parameter patterns: each
//! binding carries its own part's categories.

use flows_model::{Address, Contact, Order};
use flows_sinks::openai::complete;
use flows_sinks::sms::send_sms;

// `let` with a struct pattern.
pub fn let_struct_pattern(c: &Contact) {
    let Contact { id, email, .. } = c;
    println!("{email}"); // expect: contact.email -> logs (violation)
    println!("{id}"); // expect: none
}

// `let` with a tuple pattern.
pub fn let_tuple_pattern(c: &Contact) {
    let (name, id) = (c.name.clone(), c.id);
    complete(&name); // expect: contact.name -> ai.openai (violation)
    complete(&id.to_string()); // expect: none
}

// `if let Some(..)` on a tagged `Option` field.
pub fn if_let_some(c: &Contact) {
    if let Some(phone) = &c.phone {
        send_sms("+15550100", phone); // expect: contact.phone -> channel.sms (violation)
    }
}

// `let else`.
pub fn let_else(c: &Contact) {
    let Some(phone) = c.phone.as_deref() else {
        return;
    };
    eprintln!("{phone}"); // expect: contact.phone -> logs (violation)
}

// `match` with a nested struct pattern.
pub fn match_nested_pattern(c: &Contact) {
    match c {
        Contact {
            address: Address { street, city, .. },
            ..
        } => {
            println!("{street}"); // expect: commerce.customer_profile -> logs (violation)
            println!("{city}"); // expect: none
        }
    }
}

// `match` on a tuple of fields, with a guard.
pub fn match_tuple_guard(o: &Order) {
    match (o.id, o.total_cents) {
        (id, total) if total > 10_000 => println!("{total}"), // expect: commerce.amount -> logs (violation)
        (id, _) => println!("{id}"),                          // expect: none
    }
}

fn show_pair((label, n): (String, u64)) {
    println!("{label}"); // expect: contact.email -> logs (violation)
    println!("{n}"); // expect: none
}

// A tuple pattern in a parameter (the callee's markers, above, are for this call).
pub fn parameter_pattern(c: &Contact) {
    show_pair((c.email.clone(), c.id));
}

// A reference pattern with `ref` in a `for` loop.
pub fn for_pattern(cs: &[Contact]) {
    for &Contact { ref name, id, .. } in cs {
        log::debug!("{name}"); // expect: contact.name -> logs (violation)
    }
}

// Destructuring assignment into existing bindings.
pub fn destructuring_assignment(c: &Contact) {
    let (mut left, mut right) = (String::new(), String::new());
    (left, right) = (c.name.clone(), String::from("fixed"));
    println!("{right}"); // expect: none
    println!("{left}"); // expect: contact.name -> logs (violation)
}

// A pattern naming a workspace type reads its fields with the type's tags, also when the
// value came from an outside call whose type only the pattern says.
pub fn destructure_decoded(text: &str) {
    let Contact { name, id, .. } = serde_json::from_str(text).unwrap_or_default();
    println!("{name}"); // expect: contact.name -> logs (violation)
    println!("{id}"); // expect: none
}
