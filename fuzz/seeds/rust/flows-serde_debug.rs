//! Serialization honours `#[serde(skip)]` and `skip_serializing`; `{:?}` carries every
//! field unless the type's `Debug` is written by hand.

use flows_model::{Contact, ContactRef, Order, PageView, Profile, SessionEnvelope};
use flows_sinks::analytics::{serialize_to_analytics, track};
use flows_sinks::audit::audit_line;
use flows_sinks::storage::put_object;

// `serde_json::to_string` leaves out the skipped fields.
pub fn serialized_without_skipped(p: &Profile) {
    let json = serde_json::to_string(p).unwrap_or_default();
    println!("{json}"); // expect: contact.name -> logs (violation)
}

// A type whose only tagged field is skipped serializes to nothing tagged.
pub fn serialized_all_skipped(s: &SessionEnvelope) {
    let json = serde_json::to_string(s).unwrap_or_default();
    audit_line(&json); // expect: none
}

// `serde_json::to_value`, then an analytics sink.
pub fn to_value_tracked(p: &Profile) {
    let value = serde_json::to_value(p).unwrap_or_default();
    track("profile", &value); // expect: contact.name -> vendor.analytics (violation)
}

// `serde_json::to_vec`, then storage.
pub fn to_vec_stored(p: &Profile) {
    let bytes = serde_json::to_vec(p).unwrap_or_default();
    put_object("profiles/1.json", &bytes); // expect: contact.name -> vendor.hosting (allowed)
}

// The derived `Debug` prints the serde-skipped fields too.
pub fn derived_debug_ignores_serde_skip(p: &Profile) {
    println!("{p:?}"); // expect: contact.name -> logs (violation); account.session -> logs (violation); contact.email -> logs (violation)
}

// A hand-written `Debug` that prints only the id.
pub fn hand_written_debug(r: &ContactRef) {
    println!("{r:?}"); // expect: none
}

// A hand-written `Debug`, formatted into a string first.
pub fn hand_written_debug_formatted(r: &ContactRef) {
    let line = format!("{r:#?}");
    audit_line(&line); // expect: none
}

// The tagged field of the same type, read directly.
pub fn hand_written_debug_field(r: &ContactRef) {
    println!("{}", r.email); // expect: contact.email -> logs (violation)
}

// A serde-bounded generic sink with website data, under `analytics`.
#[privflow::purpose("analytics")]
pub fn page_view_tracked(v: &PageView) {
    serialize_to_analytics(v); // expect: website.ip_address -> vendor.analytics (allowed); website.referrer -> vendor.analytics (allowed)
}

// The same sink with commerce data.
pub fn order_to_analytics(o: &Order) {
    serialize_to_analytics(o); // expect: commerce.order -> vendor.analytics (violation); commerce.amount -> vendor.analytics (violation); commerce.line_item -> vendor.analytics (violation)
}

// The same sink with one tagged field only.
pub fn field_to_analytics(c: &Contact) {
    serialize_to_analytics(&c.email); // expect: contact.email -> vendor.analytics (violation)
}
