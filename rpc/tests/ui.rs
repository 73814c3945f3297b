//! Compile-time behaviour of `#[rpc::service]`: the services in `ui/pass`
//! compile (and their `main`s run), each file in `ui/fail` is one misuse that
//! must fail with the error committed next to it in a `.stderr` file.
//!
//! After changing a message: `TRYBUILD=overwrite cargo test -p rpc --test ui`,
//! then read every changed `.stderr`.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
}
