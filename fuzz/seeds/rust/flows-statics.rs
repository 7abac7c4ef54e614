//! Global state: what one function stores in a `static`, another reads from it.

use std::sync::Mutex;

use flows_model::Contact;
use flows_sinks::openai::complete;

static RECENT_EMAILS: Mutex<Vec<String>> = Mutex::new(Vec::new());
static RECENT_IDS: Mutex<Vec<u64>> = Mutex::new(Vec::new());
static LAST_NAME: Mutex<String> = Mutex::new(String::new());

// Stores a tagged field in a global list.
pub fn remember(c: &Contact) {
    RECENT_EMAILS.lock().unwrap().push(c.email.clone());
    RECENT_IDS.lock().unwrap().push(c.id);
}

// Another function reads the global list and logs it.
pub fn dump_recent() {
    for email in RECENT_EMAILS.lock().unwrap().iter() {
        println!("{email}"); // expect: contact.email -> logs (violation)
    }
}

// The list of untagged ids stays quiet.
pub fn dump_ids() {
    for id in RECENT_IDS.lock().unwrap().iter() {
        println!("{id}"); // expect: none
    }
}

// A global written by assignment through the guard.
pub fn set_last(c: &Contact) {
    *LAST_NAME.lock().unwrap() = c.name.clone();
}

// ...and read elsewhere.
pub fn send_last() {
    let name = LAST_NAME.lock().unwrap().clone();
    complete(&name); // expect: contact.name -> ai.openai (violation)
}

static LAST_NOTE: Mutex<String> = Mutex::new(String::new());

// A helper stores its parameter: each caller stores what it passes.
fn store_note(text: &str) {
    *LAST_NOTE.lock().unwrap() = text.to_string();
}

pub fn note_constant() {
    store_note("nothing personal");
}

pub fn note_phone(c: &Contact) {
    store_note(c.phone.as_deref().unwrap_or_default());
}

// The reader's own parameter is a whole contact it never sends: what the static holds
// is what was stored (the phone), not what the reader's parameter carries.
pub fn send_note(c: &Contact) {
    let _ = c.id;
    complete(&LAST_NOTE.lock().unwrap()); // expect: contact.phone -> ai.openai (violation)
}
