use privflow::Classified;

#[derive(Classified)]
pub struct Contact {
    #[data("contact.email", "contact.email")]
    pub email: String,
    #[data("contact.name")]
    #[data("contact.phone")]
    pub name: String,
    #[data("contact.phone", purposes = ["support"], purposes = ["service"])]
    pub phone: String,
}

#[privflow::sink("ai.openai")]
#[privflow::sink("ai.anthropic")]
pub fn complete(prompt: &str) -> usize {
    prompt.len()
}

fn main() {}
