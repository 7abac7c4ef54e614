use privflow::Classified;

#[derive(Classified)]
pub struct Contact {
    #[data(42)]
    pub email: String,
    #[data("contact.name", subject = ["end_customer", "prospect"])]
    pub name: String,
    #[data("contact.phone", purposes)]
    pub phone: String,
}

#[privflow::sink(ai.openai)]
pub fn complete(prompt: &str) -> usize {
    prompt.len()
}

fn main() {}
