//! A server whose limits cannot work is refused when it starts, with the
//! setting named, whether the limit came from `ServerConfig::builder()` or
//! from the server builder's own setters (which skip that check).

use std::io;
use std::time::Duration;

use rpc_core::ConfigError;
use rpc_core::server::Server;

#[tokio::test]
async fn a_zero_limit_set_on_the_server_builder_is_refused_at_bind() {
    let refused = [
        (Server::builder().max_calls(0), "max_calls"),
        (
            Server::builder().idle_timeout(Duration::ZERO),
            "idle_timeout",
        ),
        (Server::builder().max_inflating(0), "max_inflating"),
    ];
    for (builder, setting) in refused {
        let error = builder.bind("127.0.0.1:0").await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput, "{setting}");
        let cause = error
            .get_ref()
            .and_then(|e| e.downcast_ref::<ConfigError>());
        assert_eq!(cause, Some(&ConfigError::Zero { setting }), "{error}");
    }
}

#[tokio::test]
async fn the_defaults_bind() {
    let server = Server::builder().bind("127.0.0.1:0").await.unwrap();
    server.shutdown_and_wait().await;
}
