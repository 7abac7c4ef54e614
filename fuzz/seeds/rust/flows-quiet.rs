//! Sink calls that must stay quiet.

use flows_model::{Contact, Conversation, Envelope, Message, Order, Patient, Session};
use flows_sinks::email::Mailer;
use flows_sinks::openai::complete;
use flows_sinks::sms::send_sms;
use flows_sinks::storage::put_object;

// Tagged data only in a parameter the sink does not check (`to` of `send_sms`).
pub fn unchecked_argument(c: &Contact) {
    let to = c.phone.as_deref().unwrap_or("");
    send_sms(to, "Your order has shipped"); // expect: none
}

// Tagged data only in the mail subject, which the sink does not check.
pub fn unchecked_subject(c: &Contact, mailer: &Mailer) {
    mailer.send("ops@example.com", &c.email, "A contact changed"); // expect: none
}

// A branch sends a constant; the other branch sends nothing.
pub fn constant_branch(c: &Contact, urgent: bool) {
    if urgent {
        send_sms("+15550100", "Please call us back"); // expect: none
    }
}

// A prompt overwritten with a constant before the sink.
pub fn overwritten_prompt(m: &Message) {
    let mut prompt = m.text.clone();
    prompt = String::from("Say hello");
    complete(&prompt); // expect: none
}

// Untagged ids of every tagged type.
pub fn untagged_ids(o: &Order, p: &Patient, s: &Session) {
    let line = format!("{} {} {}", o.id, p.id, s.user_id);
    complete(&line); // expect: none
}

// An untagged helper struct that never received tagged data.
pub fn untouched_helper_struct(c: &Contact) {
    let env = Envelope {
        label: String::from("weekly digest"),
        count: 3,
    };
    put_object("digest", env.label.as_bytes()); // expect: none
}

// A conversation's untagged status field.
pub fn untagged_status(conv: &Conversation) {
    tracing::info!(status = %conv.status, "conversation updated"); // expect: none
}

// A constant prompt.
pub fn constant_prompt() {
    complete("What is the capital of France?"); // expect: none
}
