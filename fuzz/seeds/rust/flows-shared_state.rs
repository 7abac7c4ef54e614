//! Shared state behind `Rc`/`Arc` with `Mutex`, `RwLock`, `RefCell`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::{Arc, Mutex, RwLock};

use flows_model::Contact;
use flows_sinks::openai::complete;

// `Arc<Mutex<Vec<_>>>`: pushed through the lock, read through the lock.
pub fn arc_mutex(c: &Contact) {
    let shared = Arc::new(Mutex::new(Vec::new()));
    if let Ok(mut items) = shared.lock() {
        items.push(c.email.clone());
    }
    if let Ok(items) = shared.lock() {
        println!("{:?}", *items); // expect: contact.email -> logs (violation)
    }
}

// Written through an `Arc` clone in another thread, read through the original.
pub fn arc_alias_across_thread(c: &Contact) {
    let shared = Arc::new(Mutex::new(String::new()));
    let writer = Arc::clone(&shared);
    let name = c.name.clone();
    std::thread::spawn(move || {
        if let Ok(mut text) = writer.lock() {
            text.push_str(&name);
        }
    })
    .join()
    .ok();
    if let Ok(text) = shared.lock() {
        println!("{}", *text); // expect: contact.name -> logs (violation)
    }
}

// `Rc<RefCell<_>>`: written through one handle, read through the other.
pub fn rc_refcell_alias(c: &Contact) {
    let cell = Rc::new(RefCell::new(String::new()));
    let alias = Rc::clone(&cell);
    *alias.borrow_mut() = c.phone.clone().unwrap_or_default();
    eprintln!("{}", cell.borrow()); // expect: contact.phone -> logs (violation)
}

// `RwLock<HashMap<_, _>>`: inserted under the write lock, read under the read lock.
pub fn rwlock_map(c: &Contact) {
    let cache: RwLock<HashMap<u64, String>> = RwLock::new(HashMap::new());
    if let Ok(mut map) = cache.write() {
        map.insert(c.id, c.address.street.clone());
    }
    if let Ok(map) = cache.read() {
        let street = map.get(&c.id).cloned().unwrap_or_default();
        complete(&street); // expect: commerce.customer_profile -> ai.openai (violation)
    }
}

// A counter behind `Arc<Mutex<_>>` stays untagged.
pub fn arc_counter(cs: &[Contact]) {
    let seen = Arc::new(Mutex::new(0_u64));
    for c in cs {
        if let Ok(mut n) = seen.lock() {
            *n += 1;
        }
    }
    if let Ok(n) = seen.lock() {
        println!("{}", *n); // expect: none
    }
}

// Two cells: the tagged write goes to one, the sink reads the other.
pub fn two_cells(c: &Contact) {
    let dirty = RefCell::new(String::new());
    let clean = RefCell::new(String::new());
    dirty.borrow_mut().push_str(&c.email);
    clean.borrow_mut().push_str("ok");
    println!("{}", clean.borrow()); // expect: none
}

/// Untagged state shared between methods.
#[derive(Debug, Clone, Default)]
pub struct Recent {
    inner: Arc<Mutex<Vec<String>>>,
}

impl Recent {
    pub fn remember(&self, value: String) {
        if let Ok(mut items) = self.inner.lock() {
            items.push(value);
        }
    }

    pub fn snapshot(&self) -> Vec<String> {
        self.inner
            .lock()
            .map(|items| items.clone())
            .unwrap_or_default()
    }
}

// One method stores into the shared state, another reads it back.
pub fn state_shared_between_methods(c: &Contact) {
    let recent = Recent::default();
    recent.remember(c.email.clone());
    let all = recent.snapshot();
    println!("{all:?}"); // expect: contact.email -> logs (violation)
}
