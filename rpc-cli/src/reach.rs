//! Reaching services: a `Client` to an address, or discovery through a
//! registry URL (an `XClient` per service).

use std::sync::Arc;

use rpc::registry::{Discovery, discovery_from_url};
use rpc::{Channel, Client, ClientConfig, Protocol, RawReply, RawRequest, Status, Target, XClient};

use crate::exit::Failure;

/// Where calls go.
#[derive(Clone)]
pub(crate) enum Reach {
    /// One server.
    Addr(Client),
    /// A balanced cluster of one service.
    Cluster(XClient),
}

impl Reach {
    /// Sends one call.
    pub(crate) async fn call(&self, request: RawRequest) -> Result<RawReply, Status> {
        match self {
            Reach::Addr(client) => client.call_raw(request).await,
            Reach::Cluster(xclient) => xclient.call_raw(request).await,
        }
    }
}

/// The discovery a `--registry` URL names.
pub(crate) async fn discovery(url: &str) -> Result<Arc<dyn Discovery>, Failure> {
    discovery_from_url(url)
        .await
        .map_err(|error| Failure::Local(format!("registry {url}: {error}")))
}

/// A client of `addr` speaking `protocol`, otherwise with the defaults.
pub(crate) fn client(addr: &str, protocol: Protocol) -> Client {
    let config = ClientConfig::builder()
        .protocol(protocol)
        .build()
        .expect("the default settings are valid");
    Client::with_config(Target::Tcp(addr.to_owned()), config)
}

/// Calls to `service`: at `addr`, or through the registry at `registry`;
/// in `protocol` (through a registry: to endpoints that name none).
pub(crate) async fn reach(
    addr: Option<&str>,
    registry: Option<&str>,
    service: &str,
    protocol: Protocol,
) -> Result<Reach, Failure> {
    match (addr, registry) {
        (Some(addr), None) => Ok(Reach::Addr(client(addr, protocol))),
        (None, Some(url)) => {
            let xclient = XClient::builder_shared(service, discovery(url).await?)
                .protocol(protocol)
                .build()
                .await
                .map_err(|error| Failure::Local(format!("registry {url}: {error}")))?;
            if xclient.endpoints().is_empty() {
                return Err(Failure::from(Status::service_not_found(service)));
            }
            Ok(Reach::Cluster(xclient))
        }
        _ => Err(Failure::Usage(
            "give an address or --registry URL, not both".to_owned(),
        )),
    }
}

/// One server of `service` in the registry: the first endpoint.
pub(crate) async fn one_endpoint(url: &str, service: &str) -> Result<Client, Failure> {
    let discovery = discovery(url).await?;
    let watch = discovery
        .watch(service)
        .await
        .map_err(|error| Failure::Local(format!("registry {url}: {error}")))?;
    let current = watch.current();
    let endpoint = current
        .values()
        .next()
        .ok_or_else(|| Failure::from(Status::service_not_found(service)))?;
    Ok(Client::new(endpoint.address.clone()))
}
