//! Values returned by outside calls (SPEC §6, field sensitivity): the value as a whole
//! carries what went into the call, a named field read from it carries only its own
//! tags, and the halves of a tuple it returns are pieces of it.

use flows_model::Contact;

#[derive(Debug, serde::Deserialize)]
pub struct Reply {
    pub answer: String,
    pub model: String,
}

pub fn reply_from_outside(c: &Contact) {
    let reply: Reply = serde_json::from_str(&c.email).unwrap_or(Reply {
        answer: String::new(),
        model: String::new(),
    });
    println!("{}", reply.answer); // expect: none
    println!("model {}", reply.model); // expect: none
    println!("{reply:?}"); // expect: contact.email -> logs (violation)
}

pub fn tuple_halves(c: &Contact) {
    let (user, domain) = c.email.split_once('@').unwrap_or_default();
    println!("{user}"); // expect: contact.email -> logs (violation)
    println!("{domain}"); // expect: contact.email -> logs (violation)
}

// A part of an outside JSON value read by name is like a field of it.
pub fn json_by_name(c: &Contact) {
    let parsed: serde_json::Value = serde_json::from_str(&c.email).unwrap_or_default();
    println!("{}", parsed["prompt"]); // expect: none
    println!("{}", parsed); // expect: contact.email -> logs (violation)
}

// An outside generic type of one argument (an extractor such as `web::Data<T>` or
// `Json<T>`, here `ManuallyDrop<T>`) derefs to it: its fields are the argument's.
pub fn held_contact(held: &std::mem::ManuallyDrop<Contact>) {
    println!("{}", held.name); // expect: contact.name -> logs (violation)
    println!("{}", held.id); // expect: none
}

// A helper that logs the error of the outcome it is given: each caller's outcome, an
// outside call's result, carries its request on both sides, nested ones included.
fn report_outcome(outcome: Result<Result<(), String>, String>) {
    match outcome {
        Ok(Ok(())) => println!("done"), // expect: none
        Ok(Err(failed)) => println!("{failed}"), // expect: contact.email -> logs (violation)
        Err(crashed) => println!("{crashed:?}"), // expect: contact.email -> logs (violation)
    }
}

pub fn outcome_of_request(c: &Contact) {
    report_outcome(serde_json::from_str(&c.email).map_err(|error| error.to_string()));
}
