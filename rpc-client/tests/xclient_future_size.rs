//! An XClient call's future is the `Client` call it makes plus a few
//! hundred bytes, not a level of future (and a copy of the request) per
//! layer of the XClient: every call builds this future, copies it into the
//! task that awaits it, and touches its cache lines on every poll (issue
//! 11). Both futures are made, never polled, so no server is needed.

use std::time::Duration;

use bytes::Bytes;
use bytestring::ByteString;
use rpc_client::{CallOptions, Channel, Client, FailMode, RawRequest, XClient};
use rpc_codec::Codec;
use rpc_registry::StaticDiscovery;

fn request() -> RawRequest {
    RawRequest {
        service: ByteString::from_static("Test"),
        method: ByteString::from_static("echo"),
        codec: Codec::Raw,
        payload: Bytes::from_static(b"payload"),
        options: CallOptions::new(),
    }
}

#[tokio::test]
async fn an_xclient_call_future_is_its_client_call_future_plus_less_than_a_kib() {
    // Port 9 (discard): never connected to, since nothing is polled.
    let client = Client::new("127.0.0.1:9");
    let plain = std::mem::size_of_val(&client.call_raw(request()));
    let xclient = XClient::builder("Test", StaticDiscovery::single("127.0.0.1:9"))
        .fail_mode(FailMode::Failover { retries: 2 })
        .timeout(Duration::from_secs(10))
        .build()
        .await
        .expect("xclient");
    let cluster = std::mem::size_of_val(&xclient.call_raw(request()));
    println!("call future: Client {plain} bytes, XClient {cluster} bytes");
    // Kept once: the request (for a retry), the call's clock, the chosen
    // endpoint, the failover list (about 430 bytes). A level of futures per
    // layer (call, fail mode, try) made it 1,936 bytes more.
    assert!(
        cluster < plain + 1024,
        "XClient call future {cluster} bytes, Client's {plain} + 1,024 or more"
    );
}
