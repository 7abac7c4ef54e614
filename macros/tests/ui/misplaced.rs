use privflow::Classified;

#[privflow::sink("ai.openai")]
pub struct Client;

#[privflow::declassify]
impl Client {}

#[privflow::purpose("support")]
pub const LIMIT: usize = 3;

#[derive(Classified)]
#[data(nested)]
pub struct Contact {
    #[data("contact.email")]
    pub email: String,
}

fn main() {}
