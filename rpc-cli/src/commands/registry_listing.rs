//! Services and endpoints as a registry has them. One service: any
//! registry, through discovery. Every service: etcd's key prefix, read
//! once (`{base}/{Service}/{network}@{address}` → metadata), over the same
//! connection as discovery's (TLS with `etcds://`, credentials).

use std::collections::BTreeMap;

use crate::commands::list::print_json;
use crate::exit::Failure;
use crate::reach::discovery;

/// Endpoint identity → metadata query string, per service.
type Listing = BTreeMap<String, BTreeMap<String, String>>;

pub(crate) async fn print(url: &str, service: Option<&str>, json: bool) -> Result<(), Failure> {
    let listing = match service {
        Some(service) => one_service(url, service).await?,
        None => every_service(url).await?,
    };
    if json {
        return print_json(&listing);
    }
    for (service, endpoints) in &listing {
        println!("{service}");
        for (endpoint, metadata) in endpoints {
            println!("  {endpoint}  {metadata}");
        }
    }
    Ok(())
}

async fn one_service(url: &str, service: &str) -> Result<Listing, Failure> {
    let watch = discovery(url)
        .await?
        .watch(service)
        .await
        .map_err(|error| Failure::Local(format!("registry {url}: {error}")))?;
    let endpoints = watch
        .current()
        .iter()
        .map(|(id, endpoint)| (id.clone(), endpoint.metadata.to_query()))
        .collect();
    Ok(BTreeMap::from([(service.to_owned(), endpoints)]))
}

#[cfg(feature = "etcd")]
async fn every_service(url: &str) -> Result<Listing, Failure> {
    use rpc::registry::etcd::{EtcdConfig, EtcdDiscovery};

    if !url.starts_with("etcd://") && !url.starts_with("etcds://") {
        return Err(Failure::Usage(format!(
            "{url}: only an etcd registry can list every service; name one: rpc list --registry {url} SERVICE"
        )));
    }
    let failed = |error: &dyn std::fmt::Display| Failure::Local(format!("registry {url}: {error}"));
    // The same connection as discovery's: credentials and TLS included.
    let config = EtcdConfig::from_url(url).map_err(|e| failed(&e))?;
    let discovery = EtcdDiscovery::connect(config)
        .await
        .map_err(|e| failed(&e))?;
    let services = discovery
        .list_every_service()
        .await
        .map_err(|e| failed(&e))?;
    Ok(services
        .into_iter()
        .map(|(service, endpoints)| {
            let endpoints = endpoints
                .into_iter()
                .map(|(id, endpoint)| (id, endpoint.metadata.to_query()))
                .collect();
            (service, endpoints)
        })
        .collect())
}

#[cfg(not(feature = "etcd"))]
async fn every_service(url: &str) -> Result<Listing, Failure> {
    Err(Failure::Usage(format!(
        "{url}: listing every service needs etcd support (build with --features etcd); name one service instead"
    )))
}
