//! Flow-sensitive locals: shadowing, reassignment, branches, loops.

use flows_model::{Contact, Message};
use flows_sinks::openai::complete;
use flows_sinks::sms::send_sms;

// A binding shadowed by an untagged value before the sink.
pub fn shadowed(c: &Contact) {
    let label = c.email.clone();
    let label = format!("contact #{}", c.id);
    println!("{label}"); // expect: none
}

// An untagged binding shadowed by a tagged one.
pub fn shadowed_by_tagged(c: &Contact) {
    let label = String::from("anonymous");
    let label = c.name.clone();
    println!("{label}"); // expect: contact.name -> logs (violation)
}

// A shadow in an inner block ends with the block.
pub fn shadow_in_inner_block(c: &Contact) {
    let label = c.name.clone();
    {
        let label = c.id;
        println!("{label}"); // expect: none
    }
    println!("{label}"); // expect: contact.name -> logs (violation)
}

// Reassigned from untagged to tagged.
pub fn reassigned_to_tagged(c: &Contact) {
    let mut shown = String::from("anonymous");
    shown = c.name.clone();
    println!("{shown}"); // expect: contact.name -> logs (violation)
}

// Tagged, sent, then reassigned to a constant and sent again.
pub fn reassigned_away(c: &Contact) {
    let mut shown = c.email.clone();
    println!("{shown}"); // expect: contact.email -> logs (violation)
    shown = String::from("redacted");
    println!("{shown}"); // expect: none
}

// Overwritten on one branch only: the tagged value survives the join.
pub fn overwritten_on_one_branch(c: &Contact, redact: bool) {
    let mut shown = c.email.clone();
    if redact {
        shown = String::from("***");
    }
    println!("{shown}"); // expect: contact.email -> logs (violation)
}

// Assigned on both branches, neither tagged.
pub fn assigned_on_both_branches(c: &Contact, redact: bool) {
    let shown;
    if redact {
        shown = String::from("***");
    } else {
        shown = format!("#{}", c.id);
    }
    println!("{shown}"); // expect: none
}

// A branch picks one of two tagged fields: both reach the sink.
pub fn branch_value(c: &Contact, by_phone: bool) {
    let target = if by_phone {
        c.phone.clone().unwrap_or_default()
    } else {
        c.email.clone()
    };
    complete(&target); // expect: contact.phone -> ai.openai (violation); contact.email -> ai.openai (violation)
}

// `push_str` appends: the string keeps what it had and gains the argument.
pub fn appended(c: &Contact) {
    let mut line = String::from("to: ");
    line.push_str(&c.email);
    println!("{line}"); // expect: contact.email -> logs (violation)
}

// `+=` on a `String` in a loop.
pub fn loop_accumulates(cs: &[Contact]) {
    let mut all = String::new();
    for c in cs {
        all += c.phone.as_deref().unwrap_or("");
    }
    send_sms("+15550100", &all); // expect: contact.phone -> channel.sms (violation)
}

// Loop-carried: the sink at the top of the body sees the previous iteration's value.
pub fn loop_carried(cs: &[Contact]) {
    let mut previous = String::new();
    for c in cs {
        println!("{previous}"); // expect: contact.name -> logs (violation)
        previous = c.name.clone();
    }
}

// A counter incremented in a `while` loop over tagged values stays untagged.
pub fn loop_counter(messages: &[Message]) {
    let mut sent = 0_u32;
    let mut i = 0;
    while i < 3 {
        sent += 1;
        i += 1;
    }
    println!("{sent}"); // expect: none
}

// `loop` with `break value`.
pub fn loop_break_value(messages: &[Message]) {
    let mut i = 0;
    let found = loop {
        if i >= messages.len() {
            break String::new();
        }
        if messages[i].sent_at > 0 {
            break messages[i].text.clone();
        }
        i += 1;
    };
    complete(&found); // expect: conversation.message -> ai.openai (violation)
}
