//! The etcd registry against a real etcd secured two ways: TLS (with and
//! without client certificates) and user/password auth. Each is refused
//! without the right setting and works with it; the XClient then calls TLS
//! servers it discovered there.

#![cfg(all(feature = "etcd", feature = "tls"))]

#[path = "../../rpc-client/tests/support/certs.rs"]
mod certs;
#[path = "support/secure_etcd.rs"]
#[allow(unreachable_pub)]
mod secure_etcd;

use std::time::Duration;

use rpc_client::{ClientConfig, ClientTls, XClient, XClientConfig};
use rpc_core::server::Server;
use rpc_core::tls::ServerTls;
use rpc_registry::etcd::{EtcdConfig, EtcdCredentials, EtcdDiscovery, EtcdRegistry, EtcdTls};
use rpc_registry::{Discovery, Endpoint, Registration, Registry};
use secure_etcd::{SecureEtcd, Security};

fn config(etcd: &SecureEtcd) -> EtcdConfig {
    EtcdConfig::builder([etcd.url.clone()])
        .timeout(Duration::from_secs(3))
        .build()
        .unwrap()
}

fn tls_to(etcd: &SecureEtcd) -> EtcdTls {
    EtcdTls::from_ca_pem(etcd.ca.as_ref().unwrap().pem.cert.clone())
}

/// Writes a key through the registry and reads it back through discovery.
async fn round_trip(config: EtcdConfig) -> Result<(), String> {
    let registry = EtcdRegistry::connect(config.clone())
        .await
        .map_err(|e| e.to_string())?;
    registry
        .register("Secured", &Endpoint::tcp("127.0.0.1:9"))
        .await
        .map_err(|e| e.to_string())?;
    let discovery = EtcdDiscovery::connect(config)
        .await
        .map_err(|e| e.to_string())?;
    let view = discovery
        .watch("Secured")
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(view.current().keys().count(), 1);
    Ok(())
}

#[tokio::test]
async fn tls_etcd_works_with_its_ca_and_refuses_plaintext() {
    let etcd = SecureEtcd::start(Security::Tls {
        client_certificates: false,
    })
    .await;
    let secured = config(&etcd)
        .to_builder()
        .tls(tls_to(&etcd))
        .build()
        .unwrap();
    round_trip(secured).await.expect("TLS to etcd");

    let plain = EtcdConfig::builder([etcd.url.replace("https://", "http://")])
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    assert!(
        round_trip(plain).await.is_err(),
        "plaintext to a TLS etcd must fail"
    );
}

#[tokio::test]
async fn etcd_with_client_cert_auth_needs_a_client_certificate() {
    let etcd = SecureEtcd::start(Security::Tls {
        client_certificates: true,
    })
    .await;
    let without = config(&etcd)
        .to_builder()
        .tls(tls_to(&etcd))
        .build()
        .unwrap();
    assert!(round_trip(without).await.is_err(), "no client certificate");

    let identity = etcd.client_identity("registry");
    let with = config(&etcd)
        .to_builder()
        .tls(tls_to(&etcd).identity_pem(identity.cert, identity.key))
        .build()
        .unwrap();
    round_trip(with)
        .await
        .expect("TLS with a client certificate");
}

#[tokio::test]
async fn etcd_with_auth_needs_the_password_and_never_prints_it() {
    let etcd = SecureEtcd::start(Security::Auth {
        root_password: "r00t-s3cr3t",
    })
    .await;
    let anonymous = config(&etcd);
    assert!(round_trip(anonymous).await.is_err(), "no credentials");

    let wrong = config(&etcd)
        .to_builder()
        .credentials(EtcdCredentials::new("root", "guess"))
        .build()
        .unwrap();
    let error = round_trip(wrong).await.unwrap_err();
    assert!(!error.contains("guess"), "{error}");

    let right = config(&etcd)
        .to_builder()
        .credentials(EtcdCredentials::new("root", "r00t-s3cr3t"))
        .build()
        .unwrap();
    let shown = format!("{right:?}");
    assert!(!shown.contains("r00t-s3cr3t"), "{shown}");
    round_trip(right).await.expect("user and password");
}

#[tokio::test]
async fn the_xclient_calls_tls_servers_it_discovered_in_a_tls_etcd() {
    let etcd = SecureEtcd::start(Security::Tls {
        client_certificates: true,
    })
    .await;
    let identity = etcd.client_identity("registry");
    let etcd_config = config(&etcd)
        .to_builder()
        .tls(tls_to(&etcd).identity_pem(identity.cert, identity.key))
        .build()
        .unwrap();

    // The services' own CA, apart from etcd's.
    let services = certs::Ca::new("services CA");
    let mut servers = Vec::new();
    for name in ["a", "b"] {
        let pem = services.server();
        let registry = EtcdRegistry::connect(etcd_config.clone()).await.unwrap();
        let server = Server::builder()
            .tls(ServerTls::from_pem(pem.cert, pem.key).build().unwrap())
            .service(support_who::Who(name))
            .registry(Registration::new(registry))
            .grace_period(Duration::from_millis(100))
            .bind("127.0.0.1:0")
            .await
            .unwrap();
        servers.push(server);
    }
    let discovery = EtcdDiscovery::connect(etcd_config).await.unwrap();
    let xclient = XClient::builder("Who", discovery)
        .config(
            XClientConfig::builder()
                .client(
                    ClientConfig::builder()
                        .tls(Some(
                            ClientTls::from_ca_pem(services.pem.cert.clone())
                                .build()
                                .unwrap(),
                        ))
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .build()
        .await
        .unwrap();
    let mut seen = std::collections::BTreeSet::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while seen.len() < 2 && std::time::Instant::now() < deadline {
        match support_who::call_who(&xclient).await {
            Ok(reply) => {
                seen.insert(String::from_utf8(reply.to_vec()).unwrap());
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), ["a", "b"]);
    for server in servers {
        server.shutdown_and_wait().await;
    }
}

#[path = "support/who.rs"]
#[allow(dead_code, unreachable_pub)]
mod support_who;
