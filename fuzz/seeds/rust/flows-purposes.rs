//! Purposes: from `#[privflow::purpose]` on the enclosing fn, impl or inline module, and
//! from callers; a field's `purposes` list.

use flows_model::{Contact, Conversation, Message, Order, Patient, Session, SupportTicket};
use flows_sinks::ads::upload_audience;
use flows_sinks::email::Mailer;
use flows_sinks::llm::{ClaudeClient, LlmProvider};
use flows_sinks::openai::complete;
use flows_sinks::sms::send_sms;

// Workspace data to an AI provider under `customer_features.ai`.
#[privflow::purpose("customer_features.ai")]
pub fn suggest_reply(conv: &Conversation) {
    let last = conv
        .messages
        .last()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    let prompt = format!("{}: {}", conv.contact.name, last);
    complete(&prompt); // expect: contact.name -> ai.openai (allowed); conversation.message -> ai.openai (allowed)
}

// A session token to an AI provider, even under `customer_features.ai`.
#[privflow::purpose("customer_features.ai")]
pub fn session_to_ai(s: &Session) {
    complete(&s.token); // expect: account.session -> ai.openai (violation)
}

// Health data under `customer_features.ai`.
#[privflow::purpose("customer_features.ai")]
pub fn health_to_ai(p: &Patient) {
    complete(&p.diagnosis); // expect: sensitive.health -> ai.openai (violation)
}

// The parent purpose does not satisfy a rule written for `customer_features.ai`.
#[privflow::purpose("customer_features")]
pub fn parent_purpose(m: &Message) {
    complete(&m.text); // expect: conversation.message -> ai.openai (violation)
}

// The same data with no purpose at all.
pub fn no_purpose(m: &Message) {
    complete(&m.text); // expect: conversation.message -> ai.openai (violation)
}

pub struct ReplyBot;

#[privflow::purpose("customer_features.ai")]
impl ReplyBot {
    // A purpose on the impl block covers its methods.
    pub fn draft(&self, m: &Message) {
        let provider = ClaudeClient::new("claude-sonnet");
        provider.complete(&m.text); // expect: conversation.message -> ai.anthropic (allowed)
    }
}

#[privflow::purpose("customer_features.channels")]
pub mod channels {
    use flows_model::{Contact, Message};
    use flows_sinks::sms::send_sms;

    // A purpose on an inline module covers its functions.
    pub fn reply_by_sms(c: &Contact, m: &Message) {
        let to = c.phone.as_deref().unwrap_or("");
        send_sms(to, &m.text); // expect: conversation.message -> channel.sms (allowed)
    }
}

fn summarize_for_caller(m: &Message) {
    complete(&m.text); // expect: conversation.message -> ai.openai
}

// The purpose of the only caller reaches the helper (marker above, without a verdict).
#[privflow::purpose("customer_features.ai")]
pub fn summarize(m: &Message) {
    summarize_for_caller(m);
}

// Contact and order data by email under `service`.
#[privflow::purpose("service")]
pub fn order_confirmation(c: &Contact, o: &Order, mailer: &Mailer) {
    let body = format!("Order {} total {}", o.number, o.total_cents);
    mailer.send(&c.email, "Your order", &body); // expect: contact.email -> channel.email (allowed); commerce.order -> channel.email (allowed); commerce.amount -> channel.email (allowed)
}

// Contact data by email with no purpose.
pub fn email_without_purpose(c: &Contact, mailer: &Mailer) {
    mailer.send(&c.email, "Hello", "Welcome aboard"); // expect: contact.email -> channel.email (violation)
}

// Contacts to Meta custom audiences under `customer_features.campaigns`.
#[privflow::purpose("customer_features.campaigns")]
pub fn campaign_audience(cs: &[Contact]) {
    let emails: Vec<String> = cs.iter().map(|c| c.email.clone()).collect();
    upload_audience(&emails); // expect: contact.email -> ads.meta (allowed)
}

// A field purpose that matches the code's purpose.
#[privflow::purpose("service")]
pub fn ticket_reply(t: &SupportTicket, mailer: &Mailer) {
    mailer.send(&t.reply_to, "Re: your ticket", "We replied"); // expect: contact.email -> channel.email (allowed)
}

// A field purpose that does not: the rules allow the flow, the field does not.
#[privflow::purpose("customer_features.campaigns")]
pub fn ticket_campaign(t: &SupportTicket, mailer: &Mailer) {
    mailer.send(&t.reply_to, "Spring sale", "20% off"); // expect: contact.email -> channel.email (violation)
}

// A field purpose listing `customer_features.ai`, used for AI.
#[privflow::purpose("customer_features.ai")]
pub fn ticket_to_ai(t: &SupportTicket) {
    complete(&t.body); // expect: conversation.message -> ai.openai (allowed)
}

// A field purpose not listing `customer_features.channels`, used on a channel.
#[privflow::purpose("customer_features.channels")]
pub fn ticket_body_by_sms(t: &SupportTicket) {
    send_sms("+15550100", &t.body); // expect: conversation.message -> channel.sms (violation)
}

// Several purposes on one function: one of them satisfies the rule.
#[privflow::purpose("support", "customer_features.ai")]
pub fn several_purposes(m: &Message) {
    complete(&m.text); // expect: conversation.message -> ai.openai (allowed)
}

// Health data under `support`.
#[privflow::purpose("support")]
pub fn health_in_support_logs(p: &Patient) {
    tracing::info!("{}", p.diagnosis); // expect: sensitive.health -> logs (violation)
}
