//! Progress on stderr while a long run works: which stage, and how far through it.
//!
//! Off unless a command calls [`start`], and then only when stderr is a terminal; it
//! appears once the run has taken a second, so a quick run prints nothing, and it is
//! cleared when the run ends. Nothing goes to stdout. The stages report through the
//! free functions here, which do nothing while progress is off: the analysis does not
//! know whether anyone is watching.

use std::sync::OnceLock;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

static BAR: OnceLock<ProgressBar> = OnceLock::new();

/// How long a run goes before its progress shows: a second, or
/// `PRIVFLOW_PROGRESS_AFTER_MS` milliseconds (the tests show it at once).
fn quiet_for() -> Duration {
    std::env::var("PRIVFLOW_PROGRESS_AFTER_MS")
        .ok()
        .and_then(|millis| millis.parse().ok())
        .map_or(Duration::from_secs(1), Duration::from_millis)
}

/// Clears the progress line when dropped: at the end of the run, or in a panic.
pub struct Shown;

impl Drop for Shown {
    fn drop(&mut self) {
        finish();
    }
}

/// Turns progress on for this process when stderr is a terminal, until the returned
/// guard is dropped.
#[must_use = "progress is cleared when the guard is dropped"]
pub fn start() -> Shown {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return Shown;
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    if BAR.set(bar.clone()).is_err() {
        return Shown;
    }
    // Drawn only after a second; a bar already finished stays hidden.
    let _ = std::thread::Builder::new()
        .name("privflow-progress".into())
        .spawn(move || {
            std::thread::sleep(quiet_for());
            if !bar.is_finished() {
                bar.set_draw_target(ProgressDrawTarget::stderr());
                bar.enable_steady_tick(Duration::from_millis(120));
                bar.force_draw();
            }
        });
    Shown
}

/// How a stage measures its progress.
pub enum Measure {
    /// Only that it is under way.
    Nothing,
    /// A count of what is done so far (files parsed).
    Count,
    /// Steps done of a known total (functions analysed).
    Of(usize),
}

/// A new stage.
pub fn stage(message: &'static str, measure: Measure) {
    let Some(bar) = BAR.get() else { return };
    let (template, total) = match measure {
        Measure::Nothing => ("{spinner} {msg}", 0),
        Measure::Count => ("{spinner} {msg}: {pos}", 0),
        Measure::Of(total) => ("{spinner} {msg} [{bar:30}] {pos}/{len}", total),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(message);
    bar.set_length(u64::try_from(total).unwrap_or(u64::MAX));
    bar.set_position(0);
    // Each stage is drawn when it starts (redraws are rate-limited, and a short stage
    // could pass unseen); a hidden bar draws nothing.
    bar.force_draw();
}

/// `steps` more of the current stage are done.
pub fn advance(steps: usize) {
    if let Some(bar) = BAR.get() {
        bar.inc(u64::try_from(steps).unwrap_or(u64::MAX));
    }
}

/// Clears the progress line now: before a diagnostic is printed (the guard clears it
/// at the end of the run).
pub fn finish() {
    if let Some(bar) = BAR.get() {
        bar.finish_and_clear();
    }
}
