use privflow::Classified;

#[derive(Classified)]
pub struct Contact {
    #[data("contact.email", purposes = ["suport"])]
    pub email: String,
}

#[privflow::purpose("customer_feature.ai")]
pub fn suggest_reply() {}

fn main() {}
