//! Certificate rotation without a restart: a server whose key pair comes
//! from files serves the new pair once the files change, and keeps the old
//! one while the new files do not load.
#![cfg(feature = "tls")]

mod support;

use std::time::{Duration, SystemTime};

use rpc_client::{ClientConfig, ClientTls};
use rpc_core::server::Server;
use rpc_core::tls::ServerTls;
use support::certs::{Ca, Pem};

fn trusting(ca: &Ca) -> ClientConfig {
    ClientConfig::builder()
        .tls(Some(
            ClientTls::from_ca_pem(ca.pem.cert.clone()).build().unwrap(),
        ))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// Writes the pair and moves the files' modification time forward, so the
/// change is seen whatever the file system's timestamp resolution.
fn write_pair(dir: &std::path::Path, pem: &Pem, generation: u64) {
    let stamp = SystemTime::now() + Duration::from_secs(10 * generation);
    for (name, text) in [("server.pem", &pem.cert), ("server.key", &pem.key)] {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let file = std::fs::File::options().write(true).open(&path).unwrap();
        file.set_modified(stamp).unwrap();
    }
}

async fn answers(
    config: ClientConfig,
    server: &rpc_core::server::ServerHandle,
) -> Result<(), String> {
    // A new client: each check is a new handshake.
    let client = support::client(server, config);
    client
        .call::<(), ()>("Test", "who", &())
        .await
        .map_err(|status| status.message().to_owned())
}

#[tokio::test]
async fn a_rotated_certificate_is_served_from_the_next_handshake() {
    let dir = std::env::temp_dir().join(format!("rpc-tls-rotation-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let old_ca = Ca::new("old CA");
    let new_ca = Ca::new("new CA");
    write_pair(&dir, &old_ca.server(), 0);
    let tls = ServerTls::from_pem_files(dir.join("server.pem"), dir.join("server.key"))
        .reload_check(Duration::ZERO)
        .build()
        .unwrap();
    let (server, _) = support::start(Server::builder().tls(tls)).await;

    answers(trusting(&old_ca), &server).await.expect("old pair");
    let refused = answers(trusting(&new_ca), &server).await.unwrap_err();
    assert!(refused.contains("unknown issuer"), "{refused}");

    write_pair(&dir, &new_ca.server(), 1);
    answers(trusting(&new_ca), &server)
        .await
        .expect("new pair after rotation");
    let refused = answers(trusting(&old_ca), &server).await.unwrap_err();
    assert!(refused.contains("unknown issuer"), "{refused}");

    // A broken write (half a rotation) is not served: the last good pair stays.
    std::fs::write(dir.join("server.pem"), "not a certificate").unwrap();
    let file = std::fs::File::options()
        .write(true)
        .open(dir.join("server.pem"))
        .unwrap();
    file.set_modified(SystemTime::now() + Duration::from_secs(100))
        .unwrap();
    answers(trusting(&new_ca), &server)
        .await
        .expect("kept the last good pair");

    server.shutdown_and_wait().await;
    let _ = std::fs::remove_dir_all(&dir);
}
