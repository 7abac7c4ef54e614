//! One module per pattern family. Every sink call carries a trailing `expect` marker on
//! the line of the sink's name: the flows it must produce, `CATEGORY -> SINK (VERDICT)`
//! separated by `; `, or `none`. See PATTERNS.md at the fixture's root.

#![allow(dead_code, unused)]

pub mod allow_exceptions;
pub mod basics;
pub mod channels;
pub mod closures;
pub mod config_tags;
pub mod containers;
pub mod cross_crate;
pub mod declassify;
pub mod destructuring;
pub mod enums;
pub mod error_conversion;
pub mod fields;
pub mod glob_imports;
pub mod handlers;
pub mod interprocedural;
pub mod locals;
pub mod outside_values;
pub mod platforms;
pub mod loops;
pub mod macro_rules;
pub mod macros;
pub mod mut_ref;
pub mod ordering;
pub mod purposes;
pub mod quiet;
pub mod recursion;
pub mod serde_debug;
pub mod shared_state;
pub mod statics;
pub mod std_methods;
pub mod structs_tuples;
pub mod threads_async;
pub mod tracing_log;
pub mod traits_generics;
