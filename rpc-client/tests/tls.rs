//! TLS and mutual TLS between `Client` and the server, with certificates
//! made by rcgen at test time: calls that work, and each failure with its
//! own message (wrong CA, expired certificate, wrong name, no or untrusted
//! client certificate, plaintext against TLS both ways).
#![cfg(feature = "tls")]

mod support;

use std::time::Duration;

use rpc_client::{Client, ClientConfig, ClientTls};
use rpc_core::Code;
use rpc_core::server::{Server, ServerHandle};
use rpc_core::tls::ServerTls;
use support::certs::{Ca, Pem, Role, Validity};

fn server_tls(server: &Pem, client_ca: Option<&Ca>) -> ServerTls {
    let builder = ServerTls::from_pem(server.cert.clone(), server.key.clone());
    let builder = match client_ca {
        Some(ca) => builder.client_ca_pem(ca.pem.cert.clone()),
        None => builder,
    };
    builder.build().expect("server TLS")
}

fn client_config(ca: &Ca, identity: Option<&Pem>) -> ClientConfig {
    let builder = ClientTls::from_ca_pem(ca.pem.cert.clone());
    let builder = match identity {
        Some(pem) => builder.identity_pem(pem.cert.clone(), pem.key.clone()),
        None => builder,
    };
    ClientConfig::builder()
        .tls(Some(builder.build().expect("client TLS")))
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

async fn tls_server(tls: ServerTls) -> ServerHandle {
    support::start(Server::builder().tls(tls)).await.0
}

/// Calls `Test.who` and returns the reply metadata, or the error.
async fn who(client: &Client) -> Result<rpc_core::Metadata, rpc_core::Status> {
    client
        .call_with::<(), ()>("Test", "who", &(), Default::default())
        .await
        .map(|reply| reply.metadata)
}

fn expect_error(result: Result<rpc_core::Metadata, rpc_core::Status>, words: &str) {
    let status = result.expect_err("the call must fail");
    assert!(
        status.message().contains(words),
        "expected {words:?} in: {} ({:?})",
        status.message(),
        status.code()
    );
}

#[tokio::test]
async fn a_call_over_tls_works_and_has_no_peer_certificate() {
    let ca = Ca::new("test CA");
    let server = tls_server(server_tls(&ca.server(), None)).await;
    let client = support::client(&server, client_config(&ca, None));
    let metadata = who(&client).await.expect("call over TLS");
    assert_eq!(metadata.get("subject"), None);
    let doubled: support::Numbers = client
        .call(
            "Test",
            "double",
            &support::Numbers {
                values: vec![1, 2, 3],
                label: String::new(),
            },
        )
        .await
        .unwrap();
    assert_eq!(doubled.values, vec![2, 4, 6]);
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn mutual_tls_accepts_a_client_of_the_ca_and_shows_its_names_to_the_handler() {
    let ca = Ca::new("test CA");
    let clients = Ca::new("client CA");
    let server = tls_server(server_tls(&ca.server(), Some(&clients))).await;
    let identity = clients.client("billing-worker");
    let client = support::client(&server, client_config(&ca, Some(&identity)));
    let metadata = who(&client).await.expect("mutual TLS call");
    assert_eq!(metadata.get("subject"), Some("CN=billing-worker"));
    assert_eq!(metadata.get("dns"), Some("billing-worker"));
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn mutual_tls_refuses_a_client_without_a_certificate() {
    let ca = Ca::new("test CA");
    let clients = Ca::new("client CA");
    let server = tls_server(server_tls(&ca.server(), Some(&clients))).await;
    let client = support::client(&server, client_config(&ca, None));
    expect_error(who(&client).await, "requires a client certificate");
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn mutual_tls_refuses_a_client_certificate_of_another_ca() {
    let ca = Ca::new("test CA");
    let clients = Ca::new("client CA");
    let strangers = Ca::new("another CA");
    let server = tls_server(server_tls(&ca.server(), Some(&clients))).await;
    let identity = strangers.client("intruder");
    let client = support::client(&server, client_config(&ca, Some(&identity)));
    expect_error(who(&client).await, "refused this side's certificate");
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_server_certificate_of_another_ca_is_an_unknown_issuer() {
    let ca = Ca::new("test CA");
    let other = Ca::new("another CA");
    let server = tls_server(server_tls(&ca.server(), None)).await;
    let client = support::client(&server, client_config(&other, None));
    let result = who(&client).await;
    assert_eq!(result.as_ref().unwrap_err().code(), Code::Unavailable);
    expect_error(result, "unknown issuer");
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn an_expired_server_certificate_is_reported_as_expired() {
    let ca = Ca::new("test CA");
    let expired = ca.leaf(Role::Server, &["localhost", "127.0.0.1"], Validity::Expired);
    let server = tls_server(server_tls(&expired, None)).await;
    let client = support::client(&server, client_config(&ca, None));
    expect_error(who(&client).await, "certificate expired");
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_certificate_for_another_name_is_reported_as_such() {
    let ca = Ca::new("test CA");
    let elsewhere = ca.leaf(Role::Server, &["billing.example"], Validity::Current);
    let server = tls_server(server_tls(&elsewhere, None)).await;
    // Dialled as 127.0.0.1: the certificate only names billing.example.
    let client = support::client(&server, client_config(&ca, None));
    expect_error(who(&client).await, "not valid for the server name");
    // The same server, with the name set explicitly, is fine.
    let named = ClientConfig::builder()
        .tls(Some(
            ClientTls::from_ca_pem(ca.pem.cert.clone())
                .server_name("billing.example")
                .build()
                .unwrap(),
        ))
        .build()
        .unwrap();
    let client = support::client(&server, named);
    who(&client).await.expect("server name set explicitly");
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_plaintext_client_on_a_tls_server_is_told_tls_is_required() {
    let ca = Ca::new("test CA");
    let server = tls_server(server_tls(&ca.server(), None)).await;
    let client = support::client(
        &server,
        ClientConfig::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap(),
    );
    expect_error(who(&client).await, "this server requires TLS");
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_tls_client_on_a_plaintext_server_is_told_the_server_does_not_speak_tls() {
    let ca = Ca::new("test CA");
    let (server, _) = support::start(Server::builder()).await;
    let client = support::client(&server, client_config(&ca, None));
    expect_error(who(&client).await, "does it speak TLS?");
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_stalled_handshake_is_closed_after_the_first_frame_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let ca = Ca::new("test CA");
    let (server, _) = support::start(
        Server::builder()
            .tls(server_tls(&ca.server(), None))
            .first_frame_timeout(Duration::from_millis(300)),
    )
    .await;
    let mut raw = support::raw(&server).await;
    // The first byte of a ClientHello, then nothing.
    raw.write_all(&[0x16]).await.unwrap();
    let mut buffer = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(20), raw.read(&mut buffer))
        .await
        .expect("the server closes a stalled handshake");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    server.shutdown_and_wait().await;
}
