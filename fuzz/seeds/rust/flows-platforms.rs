//! Code for another platform is not part of the build: privflow reads `#[cfg]` on items
//! and modules the way `cargo check` does for the machine it runs on (target predicates
//! only; features and custom flags are all analysed).

use flows_model::Contact;
use flows_sinks::openai::complete;

// Two definitions of one function, one per platform: only this platform's is analysed,
// and the call below reaches it alone.
#[cfg(target_os = "solaris")]
fn platform_notify(c: &Contact) {
    complete(&c.email); // expect: none
}

#[cfg(not(target_os = "solaris"))]
fn platform_notify(c: &Contact) {
    println!("{}", c.email); // expect: contact.email -> logs (violation)
}

pub fn notify_on_platform(c: &Contact) {
    platform_notify(c);
}

// A whole item for a target this code never builds for.
#[cfg(all(target_arch = "sparc64", not(feature = "audit")))]
pub fn sparc_only(c: &Contact) {
    println!("{}", c.email); // expect: none
}

// A feature is not a platform: code behind one is analysed (every feature on).
#[cfg(feature = "audit")]
pub fn audit_trail(c: &Contact) {
    println!("{}", c.email); // expect: contact.email -> logs (violation)
}

// Test-only code stays out, however its condition is written.
#[cfg(all(test, unix))]
pub fn test_helper(c: &Contact) {
    println!("{}", c.email); // expect: none
}

// A platform-specific module: its file is not loaded on other platforms.
#[cfg(target_os = "solaris")]
mod solaris;

// An impl's methods are items too.
pub struct Notifier;

impl Notifier {
    #[cfg(windows)]
    pub fn send(&self, c: &Contact) {
        complete(&c.email); // expect: none
    }

    #[cfg(not(windows))]
    pub fn send(&self, c: &Contact) {
        println!("{}", c.email); // expect: contact.email -> logs (violation)
    }
}
