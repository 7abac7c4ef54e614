use privflow::Classified;

#[derive(Classified)]
pub struct Contact {
    #[data("contact.email", purpose = ["support"])]
    pub email: String,
    #[data("contact.name", retension = "30 days")]
    pub name: String,
}

#[privflow::sink("channel.sms", arguments = ["body"])]
pub fn send_sms(to: &str, body: &str) -> usize {
    to.len() + body.len()
}

fn main() {}
