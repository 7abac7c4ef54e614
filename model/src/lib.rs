//! privflow's shared grammar.
//!
//! One model of the policy — taxonomy, sinks, rules, exceptions — and one parser of the
//! tagging attributes, used alike by the proc macros (`privflow-macros`) and the linter
//! (`cargo-privflow`), so that both read `#[data(...)]` and `privflow.toml` the same way.
//! The crate does no I/O beyond reading a policy file.

pub mod attr;
pub mod glob;
pub mod id;
pub mod policy;
pub mod suggest;

pub use glob::IdGlob;
pub use policy::{Decision, Policy, PolicyError, PolicyErrors};
