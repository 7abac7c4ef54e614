//! Channels: what is sent is what is received.

use std::sync::mpsc;

use flows_model::{Contact, Message, Order};
use flows_sinks::openai::{chat, complete};

// `std::sync::mpsc`: a tagged value sent and received.
pub fn std_channel(c: &Contact) {
    let (tx, rx) = mpsc::channel();
    tx.send(c.email.clone()).ok();
    if let Ok(got) = rx.recv() {
        println!("{got}"); // expect: contact.email -> logs (violation)
    }
}

// A channel that only ever carries ids.
pub fn std_channel_ids(c: &Contact) {
    let (tx, rx) = mpsc::channel::<u64>();
    tx.send(c.id).ok();
    for id in rx.try_iter() {
        println!("{id}"); // expect: none
    }
}

// The sender moves into a thread; the receiver is iterated.
pub fn channel_across_threads(m: Message) {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        tx.send(m.text).ok();
    });
    for text in rx {
        complete(&text); // expect: conversation.message -> ai.openai (violation)
    }
}

// A cloned sender, and `collect` from the receiver.
pub fn cloned_sender(c: &Contact) {
    let (tx, rx) = mpsc::channel();
    let tx2 = tx.clone();
    tx2.send(c.phone.clone().unwrap_or_default()).ok();
    drop(tx);
    drop(tx2);
    let all: Vec<String> = rx.iter().collect();
    chat("gpt-4o", &all); // expect: contact.phone -> ai.openai (violation)
}

// `sync_channel`.
pub fn sync_channel(o: &Order) {
    let (tx, rx) = mpsc::sync_channel(1);
    tx.send(o.number.clone()).ok();
    if let Ok(number) = rx.recv() {
        log::info!("{number}"); // expect: commerce.order -> logs (violation)
    }
}

// `tokio::sync::mpsc`.
pub async fn tokio_channel(c: Contact) {
    let (tx, mut rx) = tokio::sync::mpsc::channel(8);
    tx.send(c.name.clone()).await.ok();
    if let Some(name) = rx.recv().await {
        log::info!("{name}"); // expect: contact.name -> logs (violation)
    }
}

// `tokio::sync::oneshot`.
pub async fn tokio_oneshot(o: Order) {
    let (tx, rx) = tokio::sync::oneshot::channel();
    tx.send(o.total_cents).ok();
    if let Ok(total) = rx.await {
        println!("{total}"); // expect: commerce.amount -> logs (violation)
    }
}

// `tokio::sync::mpsc::unbounded_channel` with the sender in a spawned task.
pub async fn tokio_channel_from_task(m: Message) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        tx.send(m.text).ok();
    });
    while let Some(text) = rx.recv().await {
        tracing::info!(%text, "received"); // expect: conversation.message -> logs (violation)
    }
}
