use privflow::Classified;

#[derive(Classified)]
#[data(subject = "end_customers")]
pub struct Contact {
    #[data("contact.email")]
    pub email: String,
}

fn main() {}
