#[privflow::purpose("support")]
mod elsewhere;

fn main() {}
