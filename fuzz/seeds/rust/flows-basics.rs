//! Sources by type: parameters, `let` annotations, fields, constructors, return types,
//! `Self`.

use flows_model::{Contact, Inbox, Message, Patient};
use flows_sinks::openai::complete;

// A parameter of a tagged type: one tagged field to the logs.
pub fn param_field(c: &Contact) {
    println!("{}", c.email); // expect: contact.email -> logs (violation)
}

// A parameter of a tagged type: the untagged field carries nothing.
pub fn param_untagged_field(c: &Contact) {
    println!("{}", c.id); // expect: none
}

// A `let` with a tagged type annotation: the value comes from untagged JSON text.
pub fn let_annotation(raw: &str) -> serde_json::Result<()> {
    let c: Contact = serde_json::from_str(raw)?;
    println!("{}", c.name); // expect: contact.name -> logs (violation)
    Ok(())
}

// A value built by a constructor of the tagged type (`fn new(..) -> Self`).
pub fn constructor() {
    let c = Contact::new(7, "Ada", "ada@example.com");
    tracing::info!("created {}", c.email); // expect: contact.email -> logs (violation)
}

// A value built by `Default::default()` of the tagged type.
pub fn default_constructor() {
    let c = Contact::default();
    complete(&c.name); // expect: contact.name -> ai.openai (violation)
}

// A tagged struct literal built from constants: the field's tag still applies.
pub fn struct_literal_of_tagged_type() {
    let m = Message {
        id: 1,
        text: String::from("hello"),
        sent_at: 0,
    };
    complete(&m.text); // expect: conversation.message -> ai.openai (violation)
}

fn load_patient(id: u64) -> Patient {
    Patient {
        id,
        ..Patient::default()
    }
}

// The declared return type of a local function makes its result tagged.
pub fn return_type() {
    let p = load_patient(3);
    complete(&p.diagnosis); // expect: sensitive.health -> ai.openai (violation)
}

// A field of an untagged struct whose type is tagged.
pub fn field_of_tagged_type(inbox: &Inbox) {
    eprintln!("{}", inbox.owner.email); // expect: contact.email -> logs (violation)
}

// The untagged sibling field of the same struct carries nothing.
pub fn untagged_sibling_field(inbox: &Inbox) {
    eprintln!("{}", inbox.unread); // expect: none
}

// A whole-type tag covers an untagged field of the type.
pub fn whole_type_tag(m: &Message) {
    println!("{}", m.id); // expect: conversation.message -> logs (violation)
}

/// A tagged type local to the app crate, built and read through `Self`.
#[derive(Debug, Clone, Default, privflow::Classified)]
pub struct Lead {
    #[data("contact.email")]
    pub email: String,
    pub score: u32,
}

impl Lead {
    // A constructor written with `Self { .. }`.
    pub fn new(email: &str) -> Self {
        Self {
            email: email.to_owned(),
            score: 0,
        }
    }

    // A method returning `Self` with struct update syntax.
    pub fn upgraded(&self) -> Self {
        Self {
            score: self.score + 1,
            ..self.clone()
        }
    }

    // `&self` of a tagged type.
    pub fn log_self(&self) {
        println!("{}", self.email); // expect: contact.email -> logs (violation)
    }

    // `&self` of a tagged type: the untagged field.
    pub fn log_score(&self) {
        println!("{}", self.score); // expect: none
    }
}

// A value returned as `Self` from a constructor written with `Self { .. }`.
pub fn self_constructor() {
    let lead = Lead::new("lead@example.com").upgraded();
    log::info!("{}", lead.email); // expect: contact.email -> logs (violation)
}

// `Self::sample()` of a model type.
pub fn self_return_in_other_crate() {
    let c = Contact::sample();
    println!("{:?}", c.phone); // expect: contact.phone -> logs (violation)
}
