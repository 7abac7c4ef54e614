//! Handlers handed to a framework (`webframe`, outside the workspace, like axum or
//! actix-web): the framework calls each one and turns its result into a reply with the
//! workspace's impl of its trait (`IntoReply`, like `IntoResponse` or `ResponseError`).
//! The impl runs on every handler's result, errors included.

use flows_model::Contact;
use webframe::{IntoReply, Json, Router};

pub enum ApiError {
    Storage(String),
    Forbidden,
}

/// The crate's result, its error defaulting to `ApiError` (as `axum` apps write it).
pub type ApiResult<T, E = ApiError> = Result<T, E>;

pub struct StoreError(String);

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        ApiError::Storage(error.0)
    }
}

impl IntoReply for ApiError {
    fn into_reply(self) -> String {
        match self {
            ApiError::Storage(detail) => {
                log::error!("storage failed: {detail}"); // expect: contact.email -> logs (violation); contact.phone -> logs (violation)
                "storage".to_owned()
            }
            ApiError::Forbidden => {
                log::warn!("forbidden"); // expect: none
                "forbidden".to_owned()
            }
        }
    }
}

/// A request body wrapping what it carries (`UserBody<NewUser>` in a RealWorld API).
#[derive(Default)]
pub struct Envelope<T> {
    pub body: T,
    pub request_id: u64,
}

fn store(email: &str) -> Result<u64, StoreError> {
    if email.is_empty() {
        return Ok(0);
    }
    Err(StoreError(format!("duplicate {email}")))
}

// `?` converts into the alias's default error type; nothing here logs.
fn create(Json(contact): Json<Contact>) -> ApiResult<String> {
    let id = store(&contact.email)?;
    Ok(id.to_string())
}

// The body's field is a `Contact`: its tags are read through the type argument.
fn update(Json(envelope): Json<Envelope<Contact>>) -> ApiResult<String> {
    log::info!("updating {}", envelope.body.name); // expect: contact.name -> logs (violation)
    log::info!("request {}", envelope.request_id); // expect: none
    Err(ApiError::Forbidden)
}

pub fn routes() -> Router {
    Router::new()
        .route("/contacts", create)
        .route("/contacts/update", update)
}

// A dependency's type tagged in privflow.toml (`webframe::RequestInfo`): its tagged
// field carries the tag wherever it is read, and a whole value carries it.
pub fn log_request(info: &webframe::RequestInfo) {
    log::info!("from {}", info.client_ip); // expect: website.ip_address -> logs (violation)
    log::info!("path {}", info.path); // expect: none
    log::debug!("{info:?}"); // expect: website.ip_address -> logs (violation)
}

// Handlers named in an outside macro (Rocket's `routes![..]`) are handed to the
// framework too: what they return goes through the same `IntoReply`.
fn lookup(Json(contact): Json<Contact>) -> ApiResult<String> {
    Err(ApiError::Storage(format!(
        "no row for {}",
        contact.phone.unwrap_or_default()
    )))
}

pub fn routes_by_macro() -> Vec<webframe::Route> {
    webframe::routes![lookup]
}
