//! A failed connect reaches the caller as `unavailable` whose source is the
//! I/O error itself (typed, for `downcast_ref`), not only its text, both on
//! the attempt and while the client waits before the next one.

use std::error::Error as _;

use rpc_client::Client;
use rpc_core::Code;

#[tokio::test]
async fn a_refused_connection_keeps_the_io_error_as_the_status_source() {
    // A port that was free a moment ago: nothing listens there.
    let address = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let client = Client::new(address.to_string());
    for attempt in ["the attempt", "the backoff after it"] {
        let status = client.connect().await.unwrap_err();
        assert_eq!(status.code(), Code::Unavailable, "{attempt}: {status}");
        let io = status
            .source()
            .and_then(|source| source.downcast_ref::<std::io::Error>())
            .unwrap_or_else(|| panic!("{attempt}: no io::Error source in {status:?}"));
        assert_eq!(
            io.kind(),
            std::io::ErrorKind::ConnectionRefused,
            "{attempt}"
        );
    }
}
