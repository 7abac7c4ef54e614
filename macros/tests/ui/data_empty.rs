use privflow::Classified;

#[derive(Classified)]
pub struct Contact {
    #[data]
    pub email: String,
    #[data()]
    pub name: String,
    #[data = "contact.phone"]
    pub phone: String,
}

fn main() {}
