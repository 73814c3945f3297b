//! What an XClient call allocates beyond the `Client` call it makes, counted
//! over many calls made one at a time (client and server in this process,
//! one thread, so every count repeats from run to run).
//!
//! The request is built as a typed stub builds it: a payload encoded into a
//! buffer of its own and metadata from owned strings, so that any copy of
//! it allocates (the first clone of such a `Bytes` allocates the shared
//! header both handles then point to).

mod support;

use std::time::Duration;

use bytes::Bytes;
use bytestring::ByteString;
use rpc_client::{CallOptions, Channel, ClientConfig, FailMode, RawRequest, XClient};
use rpc_codec::Codec;
use rpc_core::server::Server;
use rpc_registry::StaticDiscovery;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

const CALLS: usize = 2_000;
const METADATA_ENTRIES: usize = 2;

fn request(retry: bool) -> RawRequest {
    let mut options = CallOptions::new().retry(retry);
    for i in 0..METADATA_ENTRIES {
        options = options.metadata(&format!("key-{i}"), "a value");
    }
    RawRequest {
        service: ByteString::from_static("Test"),
        method: ByteString::from_static("echo"),
        codec: Codec::Raw,
        payload: Bytes::from(vec![7u8; 581]),
        options,
    }
}

/// Allocations (and reallocations) per call, the request's own making left
/// out.
async fn allocations_per_call<C: Channel>(channel: &C, retry: bool) -> f64 {
    for _ in 0..200 {
        channel
            .call_raw(request(retry))
            .await
            .expect("warm-up call");
    }
    let mut total = 0;
    for _ in 0..CALLS {
        let request = request(retry);
        let region = Region::new(GLOBAL);
        channel.call_raw(request).await.expect("call");
        let change = region.change();
        total += change.allocations + change.reallocations;
    }
    total as f64 / CALLS as f64
}

async fn xclient(addr: &str, mode: FailMode) -> XClient {
    XClient::builder("Test", StaticDiscovery::single(addr))
        .fail_mode(mode)
        .timeout(Duration::from_secs(10))
        .build()
        .await
        .expect("xclient")
}

// One test function: the allocator's counts are process-wide, and tests of
// one file run in parallel threads.
#[tokio::test]
async fn an_xclient_call_allocates_what_its_client_call_does_plus_a_copy_only_if_it_may_retry() {
    let (server, _) = support::start(Server::builder()).await;
    let addr = server.local_addr().expect("tcp").to_string();
    let client = support::client(&server, ClientConfig::default());
    let plain = allocations_per_call(&client, false).await;
    let flagged_plain = allocations_per_call(&client, true).await;

    let failfast = allocations_per_call(&xclient(&addr, FailMode::Failfast).await, false).await;
    let no_retries = allocations_per_call(
        &xclient(&addr, FailMode::Failover { retries: 0 }).await,
        false,
    )
    .await;
    // A request that is itself a retry is tried once whatever the mode.
    let flagged = allocations_per_call(&xclient(&addr, FailMode::default()).await, true).await;
    let failover = allocations_per_call(&xclient(&addr, FailMode::default()).await, false).await;
    let failtry = allocations_per_call(
        &xclient(&addr, FailMode::Failtry { retries: 2 }).await,
        false,
    )
    .await;
    println!(
        "allocations per call: client {plain:.2} (retry-flagged {flagged_plain:.2}); xclient: \
         failfast {failfast:.2}, failover without retries {no_retries:.2}, retry-flagged \
         {flagged:.2}, failover {failover:.2}, failtry {failtry:.2}"
    );
    // A plain call's own count varies by a few tenths from pass to pass
    // (buffers growing and shrinking with what the reads return); the
    // smallest copy of a request (its payload alone) would be 1 more.
    let noise = 0.5;
    // Without a possible retry nothing is copied; a copy of this request
    // would be 2 + 2 × METADATA_ENTRIES more per call.
    assert!(failfast <= plain + noise, "{failfast} > {plain}");
    assert!(no_retries <= plain + noise, "{no_retries} > {plain}");
    assert!(
        flagged <= flagged_plain + noise,
        "{flagged} > {flagged_plain}"
    );
    // A call that may retry keeps one copy for it and nothing more: the
    // payload's shared header, the metadata vector, each key's and value's
    // shared header.
    let copy = (2 + 2 * METADATA_ENTRIES) as f64;
    assert!(
        failover <= plain + copy + noise,
        "{failover} > {plain} + {copy}"
    );
    assert!(
        failtry <= plain + copy + noise,
        "{failtry} > {plain} + {copy}"
    );
}
