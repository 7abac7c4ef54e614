use privflow::Classified;

#[derive(Classified)]
pub struct Session {
    #[data("account.session")]
    pub token: String,
}

#[derive(Classified)]
pub struct Request {
    #[data("conversation.message")]
    pub text: String,
    #[data(nested)]
    pub session: Option<Session>,
}

#[privflow::sink("ai.anthropic", args = ["value"])]
pub fn send<T>(value: &T, model: &str) -> usize
where
    T: privflow::Classified,
{
    let _ = value;
    model.len()
}

fn main() {
    let request = Request { text: String::new(), session: None };
    send(&request, "claude");
}
