use privflow::Classified;

#[derive(Classified)]
pub struct Contact {
    #[data("contact.emial")]
    pub email: String,
    #[data("billing.credit_card")]
    pub card: String,
}

fn main() {}
