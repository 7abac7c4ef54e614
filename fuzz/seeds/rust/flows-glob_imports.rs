//! A module that reaches a sibling through the crate root's glob (`use crate::*; use
//! errors::*;`, as real services write it): the sibling's items, `log` and `println!`
//! still resolve to what they are.

use crate::*;
use error_conversion::*;
use flows_model::Contact;

pub fn through_the_glob(c: &Contact) {
    println!("{}", c.email); // expect: contact.email -> logs (violation)
    log::info!("{}", c.name); // expect: contact.name -> logs (violation)
    if let Err(failure) = std::fs::write("out.txt", &c.email).or_store_failure() {
        failure.report();
    }
}

// A `use` inside the function's body: the names it imports resolve there.
pub fn imported_in_the_body(c: &Contact) {
    use flows_sinks::openai::complete;
    complete(&c.email); // expect: contact.email -> ai.openai (violation)
}
