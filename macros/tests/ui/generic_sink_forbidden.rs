use privflow::Classified;

#[derive(Classified)]
pub struct Patient {
    #[data("contact.name")]
    pub name: String,
    #[data("sensitive.health")]
    pub diagnosis: String,
}

#[privflow::sink("ai.openai")]
pub fn send<T: Classified>(value: &T) -> usize {
    let _ = value;
    0
}

fn main() {
    let patient = Patient { name: String::new(), diagnosis: String::new() };
    send(&patient);
}
