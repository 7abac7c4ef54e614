//! Stage 2, indexing: each file lowered to an item tree ([`ir`]) in its worker, then
//! names resolved across the workspace.

pub mod ir;
pub mod lower;
