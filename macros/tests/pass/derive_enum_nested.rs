use privflow::Classified;

#[derive(Classified)]
#[data(subject = "end_customer")]
pub enum Inbound {
    #[data("conversation.message")]
    Text(String),
    Email {
        #[data("contact.email")]
        from: String,
        #[data("conversation.email_content")]
        body: String,
    },
    Call(#[data("conversation.call_info")] String, u32),
    Ping,
}

#[derive(Classified)]
pub struct Address {
    #[data("contact.custom_field")]
    pub street: String,
}

#[derive(Classified)]
pub struct Customer {
    #[data(nested)]
    pub address: Address,
    #[data(nested)]
    pub billing: Option<Address>,
    #[data("contact.name", nested)]
    pub history: Vec<Inbound>,
}

/// Nested generic contents: the bound is added by the derive.
#[derive(Classified)]
pub struct Batch<T> {
    #[data(nested)]
    pub items: Vec<T>,
}

fn main() {
    let inbound = Inbound::CLASSIFICATION;
    let names: Vec<&str> = inbound.fields.iter().map(|field| field.name).collect();
    assert_eq!(names, ["Text", "Email::from", "Email::body", "Call::0"]);
    assert_eq!(inbound.fields[0].categories, ["conversation.message"]);

    let customer = Customer::CLASSIFICATION;
    assert!(customer.carries("contact.custom_field"), "through a nested field");
    assert!(customer.carries("conversation.email_content"), "through Vec<Inbound>");
    assert!(customer.carries("contact.name"));
    assert!(!customer.carries("sensitive.health"));
    assert_eq!(customer.fields[0].nested.map(|nested| nested.type_name), Some("Address"));
    assert!(customer.fields[2].nested.is_some());

    assert!(<Batch<Address> as Classified>::CLASSIFICATION.carries("contact.custom_field"));
}
