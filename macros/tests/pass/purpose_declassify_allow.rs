use privflow::Classified;

#[derive(Classified)]
pub struct Contact {
    #[data("contact.email")]
    pub email: String,
}

#[privflow::purpose("customer_features.ai")]
pub fn suggest_reply(contact: &Contact) -> String {
    contact.email.clone()
}

#[privflow::purpose("support", "security")]
pub async fn investigate(contact: &Contact) -> usize {
    contact.email.len()
}

pub struct Campaigns;

#[privflow::purpose("customer_features.campaigns")]
impl Campaigns {
    pub fn audience(&self) -> usize {
        0
    }
}

#[privflow::purpose("service")]
pub mod billing {
    pub fn total(cents: &[u64]) -> u64 {
        cents.iter().sum()
    }
}

pub trait Summarize {
    #[privflow::purpose("customer_features.ai")]
    fn summarize(&self) -> String;
}

#[privflow::declassify(to = "contact.pseudonymous_id")]
pub fn pseudonymize(email: &str) -> String {
    format!("user-{}", email.len())
}

#[privflow::declassify]
pub fn count(contacts: &[Contact]) -> usize {
    contacts.len()
}

#[privflow::allow("contact.email -> channel.email", reason = "transactional mail to the contact")]
pub fn send_receipt(contact: &Contact) -> usize {
    contact.email.len()
}

#[privflow::allow("contact.* -> logs", reason = "local debugging module, never built in release")]
pub mod debugging {}

#[privflow::allow("contact.email -> integration.shopify", reason = "customer sync")]
impl Contact {
    pub fn domain(&self) -> &str {
        self.email.split('@').nth(1).unwrap_or_default()
    }
}

#[privflow::allow("contact.email -> channel.email", reason = "every mailer sends to the contact")]
pub trait Mailer {
    fn send(&self, contact: &Contact);
}

fn main() {
    let contact = Contact { email: "a@b.c".into() };
    assert_eq!(suggest_reply(&contact), "a@b.c");
    assert_eq!(pseudonymize("a@b.c"), "user-5");
    assert_eq!(count(&[]), 0);
    assert_eq!(send_receipt(&contact), 5);
    assert_eq!(contact.domain(), "b.c");
    assert_eq!(billing::total(&[1, 2]), 3);
    assert_eq!(Campaigns.audience(), 0);
    let _ = investigate(&contact);
}
