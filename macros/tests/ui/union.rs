use privflow::Classified;

#[derive(Classified)]
pub union Raw {
    pub number: u64,
    pub bytes: [u8; 8],
}

fn main() {}
