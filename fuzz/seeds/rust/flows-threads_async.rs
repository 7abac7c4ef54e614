//! Threads and async: `std::thread::spawn`, scoped threads, `tokio::spawn`, `.await`.

use flows_model::{Contact, Message, Order};
use flows_sinks::openai::complete_async;

// `thread::spawn` with a `move` closure.
pub fn thread_spawn(c: &Contact) {
    let email = c.email.clone();
    let handle = std::thread::spawn(move || {
        println!("{email}"); // expect: contact.email -> logs (violation)
    });
    handle.join().ok();
}

// A thread returns a tagged value through `join`.
pub fn thread_join_value(c: Contact) {
    let handle = std::thread::spawn(move || c.name);
    let name = handle.join().unwrap_or_default();
    println!("{name}"); // expect: contact.name -> logs (violation)
}

// A scoped thread borrows a tagged value.
pub fn scoped_thread(c: &Contact) {
    std::thread::scope(|scope| {
        scope.spawn(|| {
            eprintln!("{}", c.address.street); // expect: commerce.customer_profile -> logs (violation)
        });
    });
}

// `tokio::spawn` with an `async move` block around a sink.
pub async fn tokio_spawn(m: Message) {
    let handle = tokio::spawn(async move {
        complete_async(m.text).await // expect: conversation.message -> ai.openai (violation)
    });
    handle.await.ok();
}

// `tokio::spawn` with a logging sink inside.
pub async fn tokio_spawn_log(o: Order) {
    let handle = tokio::spawn(async move {
        tracing::info!(total = o.total_cents, "paid"); // expect: commerce.amount -> logs (violation)
    });
    handle.await.ok();
}

async fn fetch_contact(id: u64) -> Contact {
    Contact {
        id,
        ..Contact::default()
    }
}

// An `async fn` returning a tagged type, awaited.
pub async fn awaited_result(id: u64) {
    let c = fetch_contact(id).await;
    tracing::info!(phone = ?c.phone, "fetched"); // expect: contact.phone -> logs (violation)
}

// An async sink awaited with `?`.
pub async fn async_sink_question(c: &Contact) -> anyhow::Result<()> {
    let reply = complete_async(c.email.clone()).await?; // expect: contact.email -> ai.openai (violation)
    Ok(())
}

async fn echo(text: String) -> String {
    text
}

// An async helper passes its argument through `.await`.
pub async fn async_pass_through(c: &Contact) {
    let echoed = echo(c.name.clone()).await;
    println!("{echoed}"); // expect: contact.name -> logs (violation)
}

// An async block assigned to a variable, awaited later.
pub async fn async_block(m: &Message) {
    let pending = async { m.text.to_uppercase() };
    let upper = pending.await;
    log::info!("{upper}"); // expect: conversation.message -> logs (violation)
}

// `tokio::select!`: one branch runs with what its future resolved to; a sink in a
// handler is reported at its own line.
async fn name_of(c: &Contact) -> String {
    c.name.clone()
}

pub async fn first_of(c: &Contact, mut replies: tokio::sync::mpsc::Receiver<String>) {
    tokio::select! {
        Some(reply) = replies.recv() => {
            println!("reply {reply}"); // expect: none
        }
        name = name_of(c) => {
            println!("{name}"); // expect: contact.name -> logs (violation)
        }
        else => {
            log::warn!("nothing for {}", c.id); // expect: none
        }
    }
}

// A helper given a task's outcome: the task's own error is the `Ok(Err(..))` part of
// what its caller passes, read there (not the join error's side).
async fn deliver(c: &Contact) -> Result<(), String> {
    Err(format!("bounced: {}", c.email))
}

fn report_task(outcome: Result<Result<(), String>, tokio::task::JoinError>) {
    match outcome {
        Ok(Ok(())) => println!("delivered"), // expect: none
        Ok(Err(failure)) => println!("{failure}"), // expect: contact.email -> logs (violation)
        Err(join) => println!("task died: {join}"), // expect: none
    }
}

pub async fn delivered(c: Contact) {
    let task = tokio::spawn(async move { deliver(&c).await });
    report_task(task.await);
}
