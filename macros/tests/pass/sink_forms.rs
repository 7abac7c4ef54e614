use privflow::Classified;

#[privflow::sink("ai.openai")]
pub async fn complete(prompt: &str) -> Result<String, String> {
    Ok(prompt.to_uppercase())
}

#[privflow::sink("channel.sms", args = ["body"])]
pub fn send_sms(to: &str, body: &str) -> bool {
    !to.is_empty() && !body.is_empty()
}

pub struct Mailer;

impl Mailer {
    #[privflow::sink("channel.email", args = ["self", "body"])]
    pub fn send(&self, body: &str) -> usize {
        body.len()
    }
}

pub trait Provider {
    /// A sink on a trait method without a body applies to every impl.
    #[privflow::sink("ai.anthropic")]
    fn chat(&self, prompt: &str) -> String;

    #[privflow::sink("ai.mistral", args = ["prompt"])]
    fn chat_default(&self, prompt: &str) -> String {
        prompt.to_owned()
    }
}

pub struct Claude;

impl Provider for Claude {
    fn chat(&self, prompt: &str) -> String {
        prompt.to_owned()
    }
}

#[derive(Classified)]
pub struct Message {
    #[data("conversation.message")]
    pub text: String,
}

/// A generic sink: compiles when every category of `T` may reach `ai.openai`.
#[privflow::sink("ai.openai")]
pub fn send_classified<T: Classified>(_value: &T) -> &'static str {
    T::CLASSIFICATION.type_name
}

#[privflow::sink("ai.openai", args = ["value"])]
pub fn send_where<T>(value: &[T], _label: &str) -> usize
where
    T: privflow::Classified,
{
    value.len()
}

fn main() {
    assert!(send_sms("+1", "hi"));
    assert_eq!(Mailer.send("four"), 4);
    assert_eq!(Claude.chat("x"), "x");
    assert_eq!(Claude.chat_default("y"), "y");
    let message = Message { text: "hello".into() };
    assert_eq!(send_classified(&message), "Message");
    assert_eq!(send_where(&[message], "label"), 1);
    let _future = complete("hi");
}
