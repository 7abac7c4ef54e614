//! `cargo-privflow`: `cargo privflow <command>` and `cargo-privflow <command>` parse
//! the same arguments; everything else lives in the library.

#[global_allocator]
static ALLOCATOR: cargo_privflow::Allocator = cargo_privflow::Allocator;

fn main() -> std::process::ExitCode {
    let code = cargo_privflow::run(std::env::args_os().collect());
    std::process::ExitCode::from(code.as_u8())
}
