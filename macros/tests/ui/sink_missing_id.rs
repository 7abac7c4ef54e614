#[privflow::sink]
pub fn send(body: &str) -> usize {
    body.len()
}

#[privflow::sink("channel.sms", "channel.email")]
pub fn send_both(body: &str) -> usize {
    body.len()
}

fn main() {}
