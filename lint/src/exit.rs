//! Exit codes are API (SPEC §3).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// The job was done and found no violation.
    Clean,
    /// The job was done and found violations.
    Violations,
    /// The tool could not do its job: bad arguments, bad policy, unreadable workspace.
    Error,
}

impl ExitCode {
    pub fn as_u8(self) -> u8 {
        match self {
            ExitCode::Clean => 0,
            ExitCode::Violations => 1,
            ExitCode::Error => 2,
        }
    }
}
