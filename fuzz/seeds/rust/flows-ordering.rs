//! Calls the analysis cannot order in advance (issue 8). The fixpoint orders its work by
//! a call graph read before any analysis, which leaves out method calls whose name many
//! workspace methods share. A caller analysed before such a callee must run again once
//! the callee's summary is known; a reader of a static written elsewhere likewise.

use std::sync::Mutex;

use flows_model::Contact;
use flows_sinks::openai::complete;

// Ten types with a method of the same name: too many for the ordering graph to follow.
pub struct Plain;
pub struct Bold;
pub struct Italic;
pub struct Code;
pub struct Quote;
pub struct Heading;
pub struct Link;
pub struct Strike;
pub struct Small;
pub struct Hidden;

impl Plain {
    pub fn render(&self, text: &str) -> String {
        text.to_owned()
    }
}
impl Bold {
    pub fn render(&self, text: &str) -> String {
        format!("**{text}**")
    }
}
impl Italic {
    pub fn render(&self, text: &str) -> String {
        format!("_{text}_")
    }
}
impl Code {
    pub fn render(&self, text: &str) -> String {
        format!("`{text}`")
    }
}
impl Quote {
    pub fn render(&self, text: &str) -> String {
        format!("> {text}")
    }
}
impl Heading {
    pub fn render(&self, text: &str) -> String {
        format!("# {text}")
    }
}
impl Link {
    // Holds a sink itself: whoever passes tagged text in reaches it.
    pub fn render(&self, text: &str) -> String {
        println!("link: {text}"); // expect: contact.phone -> logs (violation)
        String::from("<a>")
    }
}
impl Strike {
    pub fn render(&self, text: &str) -> String {
        format!("~~{text}~~")
    }
}
impl Small {
    pub fn render(&self, text: &str) -> String {
        format!("<small>{text}</small>")
    }
}
impl Hidden {
    // Drops what it is given.
    pub fn render(&self, _text: &str) -> String {
        String::from("...")
    }
}

// The result of a method the ordering graph does not see carries the argument.
pub fn rendered_to_ai(c: &Contact) {
    let html = Bold.render(&c.email);
    complete(&html); // expect: contact.email -> ai.openai (violation)
}

// The same through a local of the type, two calls deep.
pub fn rendered_twice(c: &Contact) {
    let heading = Heading;
    let quote = Quote;
    let html = quote.render(&heading.render(&c.name));
    println!("{html}"); // expect: contact.name -> logs (violation)
}

// A method that drops its argument stays quiet.
pub fn rendered_hidden(c: &Contact) {
    let html = Hidden.render(&c.email);
    complete(&html); // expect: none
}

// A sink inside such a method is reached from here (the marker is on its line).
pub fn rendered_link(c: &Contact) {
    let _ = Link.render(c.phone.as_deref().unwrap_or_default());
}

// A method (declared after the `render`s it calls) that logs what one returns.
pub struct Announcer;

impl Announcer {
    pub fn announce(&self, c: &Contact) {
        let html = Small.render(&c.name);
        println!("{html}"); // expect: contact.name -> logs (violation)
    }
}

static LAST_RENDERED: Mutex<String> = Mutex::new(String::new());

// One function stores rendered text in a static...
pub fn store_rendered(c: &Contact) {
    *LAST_RENDERED.lock().unwrap() = Italic.render(&c.email);
}

// ...another, with no call between them, reads it.
pub fn send_last_rendered() {
    let text = LAST_RENDERED.lock().unwrap().clone();
    complete(&text); // expect: contact.email -> ai.openai (violation)
}
