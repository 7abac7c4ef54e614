#[privflow::sink("ai.openia")]
pub fn complete(prompt: &str) -> usize {
    prompt.len()
}

#[privflow::sink("ai.deepseek")]
pub fn deepseek(prompt: &str) -> usize {
    prompt.len()
}

fn main() {}
