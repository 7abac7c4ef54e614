//! Deep input must not crash the process. Parsing (syn), lowering, analysis and the
//! drop of the trees they build all recurse as deep as the source nests, so every
//! thread that touches them gets a large stack: the command's own thread and rayon's
//! workers. The stack is reserved address space; only the pages a deep input really
//! uses are ever touched, so ordinary code pays nothing for it.

use std::sync::Once;

/// Enough for a 10,000-deep nested expression parsed, lowered and analysed in a debug
/// build (`tests/tests/deep_input.rs`).
pub const STACK_SIZE: usize = 1 << 30;

static POOL: Once = Once::new();

/// Runs `job` on a thread with a [`STACK_SIZE`] stack, after giving rayon's global pool
/// workers the same stack (once per process; a pool someone else built first is kept).
/// Errors only if the operating system refuses the thread.
pub fn with_large_stack<T: Send>(job: impl FnOnce() -> T + Send) -> Result<T, String> {
    POOL.call_once(|| {
        // An error means the global pool already exists; the job still runs, with
        // whatever stacks that pool has.
        let _ = rayon::ThreadPoolBuilder::new()
            .stack_size(STACK_SIZE)
            .build_global();
    });
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("privflow".into())
            .stack_size(STACK_SIZE)
            .spawn_scoped(scope, job)
            .map_err(|error| format!("cannot start the analysis thread: {error}"))?;
        match handle.join() {
            Ok(value) => Ok(value),
            Err(payload) => std::panic::resume_unwind(payload),
        }
    })
}
