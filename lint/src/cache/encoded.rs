//! Values read back from a cache but decoded only when something reads them: a warm
//! run reads few of the function bodies and summaries it keeps.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Values read back that did not decode: the run reports them. Entries are sealed and
/// written by the same build, so this would be a bug, but it is never silent.
static NOT_DECODED: AtomicUsize = AtomicUsize::new(0);

/// How many values did not decode since the last call (and starts counting again).
pub fn not_decoded() -> usize {
    NOT_DECODED.swap(0, Ordering::Relaxed)
}

/// Trace notes ("passed to `app::handle`"), categories and sinks repeat thousands of
/// times in a memo chunk: while a chunk is written, each distinct one is written once,
/// in a table beside it, and referred to by number; while it is read, the table's
/// strings are shared ([`shared`]).
enum Strings {
    Writing {
        numbers: std::collections::HashMap<std::sync::Arc<str>, u32>,
        table: Vec<std::sync::Arc<str>>,
    },
    Reading(Vec<std::sync::Arc<str>>),
}

thread_local! {
    static STRINGS: std::cell::RefCell<Option<Strings>> = const { std::cell::RefCell::new(None) };
}

/// Runs `write` with a string table, and returns the table with what it wrote.
pub fn with_string_table<T>(write: impl FnOnce() -> T) -> (T, Vec<std::sync::Arc<str>>) {
    let outer = STRINGS.with(|strings| {
        strings.replace(Some(Strings::Writing {
            numbers: std::collections::HashMap::new(),
            table: Vec::new(),
        }))
    });
    let written = write();
    let table = match STRINGS.with(|strings| strings.replace(outer)) {
        Some(Strings::Writing { table, .. }) => table,
        _ => Vec::new(),
    };
    (written, table)
}

/// Runs `read` with the string table a chunk was written with.
pub fn reading_strings<T>(table: Vec<std::sync::Arc<str>>, read: impl FnOnce() -> T) -> T {
    let outer = STRINGS.with(|strings| strings.replace(Some(Strings::Reading(table))));
    let read = read();
    STRINGS.with(|strings| strings.replace(outer));
    read
}

/// Runs `work` with no string table: an encoded value stands alone (it is decoded later,
/// with no chunk around it).
fn without_strings<T>(work: impl FnOnce() -> T) -> T {
    let outer = STRINGS.with(|strings| strings.replace(None));
    let done = work();
    STRINGS.with(|strings| strings.replace(outer));
    done
}

/// The number of `text` in the table being written, if one is.
pub fn string_number(text: &std::sync::Arc<str>) -> Option<u32> {
    STRINGS.with(|strings| match &mut *strings.borrow_mut() {
        Some(Strings::Writing { numbers, table }) => {
            let next = u32::try_from(table.len()).ok()?;
            Some(*numbers.entry(text.clone()).or_insert_with(|| {
                table.push(text.clone());
                next
            }))
        }
        _ => None,
    })
}

/// String `number` of the table being read.
pub fn numbered_string(number: u32) -> Option<std::sync::Arc<str>> {
    STRINGS.with(|strings| match &*strings.borrow() {
        Some(Strings::Reading(table)) => table.get(usize::try_from(number).ok()?).cloned(),
        _ => None,
    })
}

/// `#[serde(with = "shared")]` for an `Arc<str>` that repeats: a number in the table of
/// the chunk being written (see [`with_string_table`]), or the text where there is none.
pub mod shared {
    use std::sync::Arc;

    #[derive(serde::Serialize, serde::Deserialize)]
    enum Shared<'a> {
        Numbered(u32),
        Text(std::borrow::Cow<'a, str>),
    }

    pub fn serialize<S: serde::Serializer>(
        text: &Arc<str>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let shared = match super::string_number(text) {
            Some(number) => Shared::Numbered(number),
            None => Shared::Text(std::borrow::Cow::Borrowed(text)),
        };
        serde::Serialize::serialize(&shared, serializer)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Arc<str>, D::Error> {
        match <Shared<'_> as serde::Deserialize>::deserialize(deserializer)? {
            Shared::Numbered(number) => super::numbered_string(number)
                .ok_or_else(|| serde::de::Error::custom("a string not in the table")),
            Shared::Text(text) => Ok(Arc::from(text.as_ref())),
        }
    }
}

/// A value, or its encoding until it is first read. Written as its own encoding, so a
/// value read back is written again byte for byte without being decoded.
pub struct Encoded<T> {
    bytes: Option<Box<[u8]>>,
    value: OnceLock<T>,
}

impl<T> Encoded<T> {
    pub fn new(value: T) -> Self {
        Encoded {
            bytes: None,
            value: OnceLock::from(value),
        }
    }
}

impl<T: serde::de::DeserializeOwned + Default> Encoded<T> {
    /// The value (decoded now if it was read back undecoded; the default, counted in
    /// [`not_decoded`], if it does not decode).
    pub fn get(&self) -> &T {
        self.value.get_or_init(|| {
            let decoded = self
                .bytes
                .as_deref()
                .and_then(|bytes| postcard::from_bytes(bytes).ok());
            decoded.unwrap_or_else(|| {
                NOT_DECODED.fetch_add(1, Ordering::Relaxed);
                T::default()
            })
        })
    }
}

impl<T: Clone + serde::de::DeserializeOwned + Default> Clone for Encoded<T> {
    fn clone(&self) -> Self {
        match &self.bytes {
            Some(bytes) => Encoded {
                bytes: Some(bytes.clone()),
                value: self.value.clone(),
            },
            None => Encoded::new(self.get().clone()),
        }
    }
}

impl<T: std::fmt::Debug + serde::de::DeserializeOwned + Default> std::fmt::Debug for Encoded<T> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(formatter)
    }
}

impl<T: serde::Serialize> serde::Serialize for Encoded<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match (&self.bytes, self.value.get()) {
            (Some(bytes), _) => serializer.serialize_bytes(bytes),
            (None, Some(value)) => {
                let bytes = without_strings(|| postcard::to_stdvec(value))
                    .map_err(serde::ser::Error::custom)?;
                serializer.serialize_bytes(&bytes)
            }
            (None, None) => Err(serde::ser::Error::custom("a value with no encoding")),
        }
    }
}

impl<'de, T> serde::Deserialize<'de> for Encoded<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Bytes;
        impl serde::de::Visitor<'_> for Bytes {
            type Value = Box<[u8]>;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("an encoded value")
            }

            fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<Self::Value, E> {
                Ok(bytes.into())
            }

            fn visit_byte_buf<E: serde::de::Error>(self, bytes: Vec<u8>) -> Result<Self::Value, E> {
                Ok(bytes.into_boxed_slice())
            }
        }
        Ok(Encoded {
            bytes: Some(deserializer.deserialize_byte_buf(Bytes)?),
            value: OnceLock::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Encoded;

    #[test]
    fn a_value_reads_back_undecoded_and_writes_back_the_same_bytes() {
        let value: Encoded<Vec<String>> = Encoded::new(vec!["a".to_owned(), "b".to_owned()]);
        let written = postcard::to_stdvec(&value).unwrap_or_default();
        let back: Encoded<Vec<String>> =
            postcard::from_bytes(&written).unwrap_or_else(|_| unreachable!());
        assert_eq!(postcard::to_stdvec(&back).unwrap_or_default(), written);
        assert_eq!(back.get(), &["a", "b"]);
        // Three bytes that are not two strings: the default (the count is process-wide,
        // read by any check running beside this test, so it is not asserted here).
        let broken: Encoded<Vec<String>> =
            postcard::from_bytes(&[3, 9, 9, 9]).unwrap_or_else(|_| unreachable!());
        assert!(broken.get().is_empty());
    }
}
