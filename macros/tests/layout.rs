//! Zero cost: a tagged type has the layout of its untagged twin, and a tagged function
//! behaves as before.

use std::mem::{align_of, size_of};

use privflow::Classified;

#[derive(Classified)]
#[data(subject = "end_customer")]
pub struct Tagged {
    pub id: u64,
    #[data("contact.email")]
    pub email: String,
    #[data("contact.phone", purposes = ["support"])]
    pub phone: Option<String>,
    pub flags: u8,
}

pub struct Untagged {
    pub id: u64,
    pub email: String,
    pub phone: Option<String>,
    pub flags: u8,
}

#[derive(Classified)]
#[data("conversation.message")]
pub struct TaggedBody(pub String);

pub struct UntaggedBody(pub String);

#[derive(Classified)]
pub enum TaggedEvent {
    #[data("conversation.message")]
    Text(String),
    Read(u64),
}

pub enum UntaggedEvent {
    Text(String),
    Read(u64),
}

#[privflow::sink("channel.sms", args = ["body"])]
fn send_sms(to: &str, body: &str) -> usize {
    to.len() + body.len()
}

#[privflow::declassify]
fn count(values: &[u8]) -> usize {
    values.len()
}

#[test]
fn tagged_types_have_the_layout_of_their_untagged_twins() {
    assert_eq!(size_of::<Tagged>(), size_of::<Untagged>());
    assert_eq!(align_of::<Tagged>(), align_of::<Untagged>());
    assert_eq!(size_of::<TaggedBody>(), size_of::<UntaggedBody>());
    assert_eq!(align_of::<TaggedBody>(), align_of::<UntaggedBody>());
    assert_eq!(size_of::<TaggedEvent>(), size_of::<UntaggedEvent>());
    assert_eq!(
        size_of::<Option<TaggedEvent>>(),
        size_of::<Option<UntaggedEvent>>()
    );
}

#[test]
fn tagged_functions_behave_as_written() {
    assert_eq!(send_sms("+44", "hello"), 8);
    assert_eq!(count(&[1, 2, 3]), 3);
}
