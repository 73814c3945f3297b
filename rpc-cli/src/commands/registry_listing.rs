//! Services and endpoints as a registry has them. One service: any
//! registry, through discovery. Every service: etcd's key prefix, read
//! once (`{base}/{Service}/{network}@{address}` → metadata).

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
    use rpc::registry::etcd::EtcdConfig;

    if !url.starts_with("etcd://") {
        return Err(Failure::Usage(format!(
            "{url}: only an etcd registry can list every service; name one: rpc list --registry {url} SERVICE"
        )));
    }
    let failed = |error: &dyn std::fmt::Display| Failure::Local(format!("registry {url}: {error}"));
    let config = EtcdConfig::from_url(url).map_err(|e| failed(&e))?;
    let mut options = etcd_client::ConnectOptions::new()
        .with_connect_timeout(config.timeout())
        .with_timeout(config.timeout());
    // TLS to etcd (`etcds://`) is not applied on this listing path yet.
    if let Some(credentials) = config.credentials() {
        options = options.with_user(credentials.user(), credentials.password());
    }
    let mut client = etcd_client::Client::connect(config.endpoints(), Some(options))
        .await
        .map_err(|e| failed(&e))?;
    let prefix = format!("{}/", config.base().trim_end_matches('/'));
    let response = client
        .get(
            prefix.as_str(),
            Some(etcd_client::GetOptions::new().with_prefix()),
        )
        .await
        .map_err(|e| failed(&e))?;
    let mut listing = Listing::new();
    for kv in response.kvs() {
        let (Ok(key), Ok(value)) = (kv.key_str(), kv.value_str()) else {
            continue;
        };
        let Some((service, endpoint)) = key
            .strip_prefix(&prefix)
            .and_then(|rest| rest.split_once('/'))
        else {
            continue;
        };
        listing
            .entry(service.to_owned())
            .or_default()
            .insert(endpoint.to_owned(), value.to_owned());
    }
    Ok(listing)
}

#[cfg(not(feature = "etcd"))]
async fn every_service(url: &str) -> Result<Listing, Failure> {
    Err(Failure::Usage(format!(
        "{url}: listing every service needs etcd support (build with --features etcd); name one service instead"
    )))
}
