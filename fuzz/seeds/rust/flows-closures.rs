//! Closures: captures, parameters, results, closures passed to helpers.

use flows_model::{Contact, Message};
use flows_sinks::openai::complete;
use flows_sinks::sms::send_sms;

// A closure captures a tagged field; the sink is in its body.
pub fn captured_field(c: &Contact) {
    let say = || println!("{}", c.email); // expect: contact.email -> logs (violation)
    say();
}

// A closure's parameter, called with tagged data.
pub fn closure_parameter(c: &Contact) {
    let text = |body: &str| send_sms("+15550100", body); // expect: contact.name -> channel.sms (violation)
    text(&c.name);
}

// A `move` closure owns a tagged clone.
pub fn move_closure(c: &Contact) {
    let phone = c.phone.clone();
    let ask = move || complete(phone.as_deref().unwrap_or("")); // expect: contact.phone -> ai.openai (violation)
    ask();
}

// A closure returns a tagged field; the sink is outside.
pub fn closure_result(c: &Contact) {
    let street = || c.address.street.clone();
    println!("{}", street()); // expect: commerce.customer_profile -> logs (violation)
}

// A closure captures an untagged field only.
pub fn captured_untagged(c: &Contact) {
    let id = c.id;
    let say = move || println!("{id}"); // expect: none
    say();
}

fn with_text<F: Fn() -> String>(make: F) -> String {
    make()
}

// A closure passed to a generic helper that calls it.
pub fn closure_through_helper(m: &Message) {
    let text = with_text(|| m.text.clone());
    complete(&text); // expect: conversation.message -> ai.openai (violation)
}

// `fold` with a closure that appends a field.
pub fn fold_closure(cs: &[Contact]) {
    let all = cs.iter().fold(String::new(), |acc, c| acc + &c.name);
    complete(&all); // expect: contact.name -> ai.openai (violation)
}

// A closure that writes into a captured variable.
pub fn closure_writes_capture(c: &Contact) {
    let mut log = String::new();
    let mut add = |s: &str| log.push_str(s);
    add(&c.email);
    println!("{log}"); // expect: contact.email -> logs (violation)
}

// A boxed closure stored in a variable and called later.
pub fn boxed_closure(c: &Contact) {
    let make: Box<dyn Fn() -> String + '_> = Box::new(|| c.phone.clone().unwrap_or_default());
    let phone = make();
    tracing::info!(phone = %phone, "callback"); // expect: contact.phone -> logs (violation)
}

// A closure that ignores its parameter, called with tagged data.
pub fn closure_ignores_parameter(c: &Contact) {
    let greet = |_who: &str| String::from("hello");
    let shown = greet(&c.email);
    println!("{shown}"); // expect: none
}
