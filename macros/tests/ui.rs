//! Compile tests of the macros: every attribute form compiles (and its const data is
//! right, checked when the pass cases run), and every error kind fails with the
//! message in its `.stderr` beside it.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/pass/*.rs");
    cases.compile_fail("tests/ui/*.rs");
}
