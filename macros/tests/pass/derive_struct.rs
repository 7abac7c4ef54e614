use privflow::Classified;

#[derive(Clone, serde::Serialize, Classified)]
#[data(subject = "end_customer", retention = "until workspace deletion")]
pub struct Contact {
    pub id: u64,
    #[data("contact.name")]
    pub name: String,
    #[data("contact.email", purposes = ["service", "support"])]
    pub email: String,
    #[data("contact.phone", "contact.external_id")]
    pub phone: Option<String>,
}

/// A whole-type tag on a tuple struct.
#[derive(Classified)]
#[data("conversation.message")]
pub struct MessageBody(pub String);

/// A tuple struct with a tagged field.
#[derive(Classified)]
pub struct Pair(pub u64, #[data("contact.email", subject = "end_customer")] pub String);

/// Generic parameters and where clauses are kept.
#[derive(Classified)]
pub struct Envelope<T: Clone>
where
    T: Default,
{
    #[data("conversation.channel_id")]
    pub channel: String,
    pub payload: T,
}

fn main() {
    let contact = Contact::CLASSIFICATION;
    assert_eq!(contact.type_name, "Contact");
    assert_eq!(contact.subject, Some("end_customer"));
    assert_eq!(contact.retention, Some("until workspace deletion"));
    assert!(contact.categories.is_empty());
    let names: Vec<&str> = contact.fields.iter().map(|field| field.name).collect();
    assert_eq!(names, ["name", "email", "phone"], "untagged `id` is not listed");
    assert_eq!(contact.fields[1].purposes, ["service", "support"]);
    assert_eq!(contact.fields[2].categories, ["contact.phone", "contact.external_id"]);
    assert!(contact.carries("contact.external_id"));
    assert!(!contact.carries("conversation.message"));

    assert_eq!(MessageBody::CLASSIFICATION.categories, ["conversation.message"]);
    assert!(MessageBody::CLASSIFICATION.carries("conversation.message"));

    assert_eq!(Pair::CLASSIFICATION.fields[0].name, "1");
    assert_eq!(Pair::CLASSIFICATION.fields[0].subject, Some("end_customer"));

    assert!(<Envelope<String> as Classified>::CLASSIFICATION.carries("conversation.channel_id"));

    // The value still serializes as before: the derive adds nothing to the type.
    let _ = Contact { id: 1, name: String::new(), email: String::new(), phone: None }.clone();
}
