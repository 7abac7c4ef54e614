#[privflow::sink("channel.sms", args = ["bdy", "message"])]
pub fn send_sms(to: &str, body: &str) -> usize {
    to.len() + body.len()
}

fn main() {}
