//! Tag types and functions with the personal data they hold and the parties they
//! reach; `cargo privflow check` follows the tagged data through the code.
//!
//! ```
//! use privflow::Classified;
//!
//! #[derive(Classified)]
//! #[data(subject = "end_customer")]
//! pub struct Contact {
//!     pub id: u64,
//!     #[data("contact.email", purposes = ["service", "support"])]
//!     pub email: String,
//! }
//!
//! #[privflow::sink("channel.email", args = ["body"])]
//! pub fn send_mail(to: &str, body: &str) -> bool { !to.is_empty() && !body.is_empty() }
//!
//! assert!(Contact::CLASSIFICATION.carries("contact.email"));
//! ```
//!
//! Everything here is zero-cost: the derive only implements [`Classified`] with const
//! data, and the attributes leave the functions they annotate as they are. The macros
//! check every id against the policy in force (the nearest `privflow.toml` above the
//! crate, else the built-in `axodesk` pack) and fail the build on unknown ids.

#![no_std]

extern crate alloc;

use alloc::{boxed::Box, rc::Rc, sync::Arc, vec::Vec};

pub use privflow_macros::{Classified, allow, declassify, purpose, sink};

#[cfg(feature = "build")]
extern crate std;

#[cfg(feature = "build")]
pub mod build;

/// A type whose values carry data categories. Implemented by `#[derive(Classified)]`.
pub trait Classified {
    /// What the type carries, as const data (for tooling and build-time checks).
    const CLASSIFICATION: Classification;
}

/// The categories a type carries: its whole-type tags, its tagged fields, and the
/// classifications of fields marked `#[data(nested)]`.
#[derive(Debug, Clone, Copy)]
pub struct Classification {
    pub type_name: &'static str,
    /// Whole-type categories: every value of the type, and all inside it, carries them.
    pub categories: &'static [&'static str],
    pub purposes: &'static [&'static str],
    pub subject: Option<&'static str>,
    pub retention: Option<&'static str>,
    /// Tagged fields and variants (`email`, `Reply::text`, `Reply::0`).
    pub fields: &'static [Field],
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub categories: &'static [&'static str],
    pub purposes: &'static [&'static str],
    pub subject: Option<&'static str>,
    pub retention: Option<&'static str>,
    /// The field's own classification, for fields marked `#[data(nested)]`.
    pub nested: Option<&'static Classification>,
}

impl Classification {
    /// Whether a value of the type can carry `category`.
    pub const fn carries(&self, category: &str) -> bool {
        self.find(&[category]).is_some()
    }

    /// The first of `categories` that a value of the type can carry.
    pub const fn find(&self, categories: &[&str]) -> Option<&'static str> {
        if let Some(found) = first_in(self.categories, categories) {
            return Some(found);
        }
        let mut index = 0;
        while index < self.fields.len() {
            let field = &self.fields[index];
            if let Some(found) = first_in(field.categories, categories) {
                return Some(found);
            }
            if let Some(nested) = field.nested
                && let Some(found) = nested.find(categories)
            {
                return Some(found);
            }
            index += 1;
        }
        None
    }
}

/// The first of `carried` that is also in `wanted`.
const fn first_in(carried: &[&'static str], wanted: &[&str]) -> Option<&'static str> {
    let mut index = 0;
    while index < carried.len() {
        let mut other = 0;
        while other < wanted.len() {
            if str_eq(carried[index], wanted[other]) {
                return Some(carried[index]);
            }
            other += 1;
        }
        index += 1;
    }
    None
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut index = 0;
    while index < a.len() {
        if a[index] != b[index] {
            return false;
        }
        index += 1;
    }
    true
}

/// Containers carry what their contents carry.
macro_rules! classified_like_inner {
    ($($container:ty),* $(,)?) => {$(
        impl<T: Classified + ?Sized> Classified for $container {
            const CLASSIFICATION: Classification = T::CLASSIFICATION;
        }
    )*};
}

classified_like_inner!(&T, &mut T, Box<T>, Rc<T>, Arc<T>);

impl<T: Classified> Classified for [T] {
    const CLASSIFICATION: Classification = T::CLASSIFICATION;
}

impl<T: Classified> Classified for Vec<T> {
    const CLASSIFICATION: Classification = T::CLASSIFICATION;
}

impl<T: Classified> Classified for Option<T> {
    const CLASSIFICATION: Classification = T::CLASSIFICATION;
}

impl<T: Classified, const N: usize> Classified for [T; N] {
    const CLASSIFICATION: Classification = T::CLASSIFICATION;
}

#[doc(hidden)]
pub mod __private {
    use super::Classification;

    const MESSAGE_CAPACITY: usize = 400;

    /// Fails const evaluation (so compilation) when `classification` carries one of
    /// `forbidden`, the categories the policy never lets into `sink`. Called by
    /// `#[privflow::sink]` on each `T: Classified` parameter of a generic sink.
    #[allow(
        clippy::panic,
        reason = "failing const evaluation is how the build is refused"
    )]
    pub const fn refuse_forbidden(classification: &Classification, sink: &str, forbidden: &[&str]) {
        let Some(category) = classification.find(forbidden) else {
            return;
        };
        let mut buffer = [0u8; MESSAGE_CAPACITY];
        let mut length = 0;
        let parts = [
            "privflow: `",
            classification.type_name,
            "` carries `",
            category,
            "`, which the policy never allows into sink `",
            sink,
            "`",
        ];
        let mut part = 0;
        while part < parts.len() {
            let bytes = parts[part].as_bytes();
            let mut index = 0;
            while index < bytes.len() && length < MESSAGE_CAPACITY {
                buffer[length] = bytes[index];
                length += 1;
                index += 1;
            }
            part += 1;
        }
        let (message, _) = buffer.split_at(length);
        match core::str::from_utf8(message) {
            Ok(message) => panic!("{}", message),
            Err(_) => panic!("privflow: a generic sink was instantiated with a forbidden type"),
        }
    }
}
