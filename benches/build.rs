//! Generates the tonic client and server of `proto/benchmark.proto` (the load
//! benchmark's gRPC contender), reusing `crate::BenchmarkMessage` instead of
//! generating a second message type. Needs `protoc` on the `PATH` (or `PROTOC`).

fn main() -> std::io::Result<()> {
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .extern_path(".bench.BenchmarkMessage", "crate::BenchmarkMessage")
        .compile_protos(&["proto/benchmark.proto"], &["proto"])
}
