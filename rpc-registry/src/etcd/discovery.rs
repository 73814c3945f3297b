//! [`EtcdDiscovery`]: one initial read plus a prefix watch from the read's
//! revision per service, re-established after errors, with a fresh read
//! after a compaction.

use std::collections::BTreeMap;
use std::sync::Arc;

use etcd_client::{EventType, GetOptions, WatchOptions};
use tokio::sync::watch;

use super::watched::{Release, Watched};
use super::{EtcdConfig, backend, retry_delay};
use crate::{Discovery, Endpoint, EndpointSet, EndpointWatch, RegistryError, RegistryFuture};

/// Discovers endpoints from etcd.
///
/// The first [`Discovery::watch`] of a service reads its keys and starts a
/// background watch from the revision of that read, so no change between the
/// two is missed. When the watch breaks it is re-established from the last
/// revision seen, with backoff; when that revision has been compacted away,
/// or etcd answers from another store (its cluster id changed, or its
/// revision went below one already seen: wiped and restarted), the keys are
/// read afresh and watched from there. While etcd is unreachable the last known
/// endpoints stay in place, so clients keep calling them. When most of a
/// service's endpoints vanish at once, they stay published for a while
/// ([`EtcdConfig::self_preservation`], two TTLs by default). Keys whose value
/// does not parse are skipped with a warning.
///
/// Watchers of one service share its etcd watch. When the last of them is
/// dropped, the watch is cancelled and its task ends; a later watch of the
/// service starts afresh with a new read.
#[derive(Clone)]
pub struct EtcdDiscovery {
    client: etcd_client::Client,
    config: EtcdConfig,
    watched: Watched,
}

impl EtcdDiscovery {
    /// Connects to etcd.
    pub async fn connect(config: EtcdConfig) -> Result<EtcdDiscovery, RegistryError> {
        Ok(EtcdDiscovery {
            client: config.connect().await?,
            config,
            watched: Watched::default(),
        })
    }

    async fn start(&self, service: &str) -> Result<EndpointWatch, RegistryError> {
        if let Some(shared) = self.watched.join(service) {
            return Ok(shared);
        }
        let prefix = self.config.service_prefix(service);
        let (set, position) = read(&self.client, &prefix).await?;
        let (sender, _) = watch::channel(Arc::new(set));
        let published = self.config.self_preservation().publish(&sender);
        match self.watched.insert(service, published) {
            Ok((first, release)) => {
                let client = self.client.clone();
                tokio::spawn(watch_loop(client, prefix, position, sender, release));
                Ok(first)
            }
            // Another caller started it meanwhile: share theirs (dropping
            // `sender` ends the self-preservation task started for ours).
            Err(theirs) => Ok(theirs),
        }
    }

    /// Every service under the base path with its endpoints, read once
    /// (nothing is watched): for tools that show what a registry holds.
    /// Keys that are not endpoints are skipped, as a watch skips them.
    pub async fn list_every_service(&self) -> Result<BTreeMap<String, EndpointSet>, RegistryError> {
        let base = format!("{}/", self.config.base().trim_end_matches('/'));
        let mut client = self.client.clone();
        let response = client
            .get(base.as_str(), Some(GetOptions::new().with_prefix()))
            .await
            .map_err(backend)?;
        let mut services = BTreeMap::<String, EndpointSet>::new();
        for kv in response.kvs() {
            let service = std::str::from_utf8(kv.key())
                .ok()
                .and_then(|key| key.strip_prefix(&base))
                .and_then(|rest| rest.split_once('/'))
                .map(|(service, _)| service);
            let Some(service) = service else {
                continue;
            };
            let prefix = self.config.service_prefix(service);
            if let Some(endpoint) = parse(&prefix, kv.key(), kv.value()) {
                services
                    .entry(service.to_owned())
                    .or_default()
                    .insert(endpoint.id(), endpoint);
            }
        }
        Ok(services)
    }
}

impl Discovery for EtcdDiscovery {
    fn watch<'a>(
        &'a self,
        service: &'a str,
    ) -> RegistryFuture<'a, Result<EndpointWatch, RegistryError>> {
        Box::pin(self.start(service))
    }
}

/// Where in etcd's history a set of endpoints was read: which store (its
/// cluster id) and at which revision.
#[derive(Debug, Clone, Copy)]
struct Position {
    cluster_id: u64,
    revision: i64,
}

impl Position {
    fn of(header: Option<&etcd_client::ResponseHeader>) -> Position {
        Position {
            cluster_id: header.map_or(0, |h| h.cluster_id()),
            revision: header.map_or(0, |h| h.revision()),
        }
    }

    /// Whether `header` comes from another store than the one this position
    /// is in: another cluster id (etcd wiped and started as a new cluster),
    /// or a revision below one already seen (wiped, or restored from an
    /// older backup, with the same cluster id). Resuming a watch from this
    /// position there would wait for revisions that mean something else.
    fn is_replaced_by(&self, header: &etcd_client::ResponseHeader) -> bool {
        (self.cluster_id != 0 && header.cluster_id() != self.cluster_id)
            || header.revision() < self.revision
    }
}

/// Reads every endpoint under `prefix`, with the store's position.
async fn read(
    client: &etcd_client::Client,
    prefix: &str,
) -> Result<(EndpointSet, Position), RegistryError> {
    let mut client = client.clone();
    let response = client
        .get(prefix, Some(GetOptions::new().with_prefix()))
        .await
        .map_err(backend)?;
    let position = Position::of(response.header());
    let mut set = EndpointSet::new();
    for kv in response.kvs() {
        if let Some(endpoint) = parse(prefix, kv.key(), kv.value()) {
            set.insert(endpoint.id(), endpoint);
        }
    }
    Ok((set, position))
}

fn parse(prefix: &str, key: &[u8], value: &[u8]) -> Option<Endpoint> {
    let key = std::str::from_utf8(key).ok()?;
    let id = key.strip_prefix(prefix)?;
    let value = String::from_utf8_lossy(value);
    match Endpoint::parse(id, &value) {
        Ok(endpoint) => Some(endpoint),
        Err(error) => {
            tracing::warn!(key, %error, "skipping an etcd key that is not an endpoint");
            None
        }
    }
}

/// How one watch stream ended.
enum WatchEnd {
    /// Broken or refused: resume from the last revision, after a pause.
    Broken,
    /// The position is no longer valid: read afresh, then watch from there.
    Resync,
    /// Nobody listens any more.
    Unwatched,
}

/// Keeps `sender` up to date until the service is released (its last
/// watcher gone); returning drops the etcd watch stream (cancelling the
/// watch) and `sender` (ending the self-preservation task that follows it).
async fn watch_loop(
    client: etcd_client::Client,
    prefix: String,
    mut position: Position,
    sender: watch::Sender<Arc<EndpointSet>>,
    release: Release,
) {
    let mut failures: u32 = 0;
    loop {
        if release.release() {
            return;
        }
        match watch_from(
            &client,
            &prefix,
            &mut position,
            &sender,
            &release,
            &mut failures,
        )
        .await
        {
            WatchEnd::Unwatched => return,
            WatchEnd::Broken => {
                failures += 1;
                tokio::time::sleep(retry_delay(failures)).await;
            }
            WatchEnd::Resync => match read(&client, &prefix).await {
                Ok((set, fresh)) => {
                    position = fresh;
                    sender.send_replace(Arc::new(set));
                }
                Err(error) => {
                    tracing::warn!(%prefix, %error, "fresh read failed; retrying");
                    failures += 1;
                    tokio::time::sleep(retry_delay(failures)).await;
                    // Still invalid: the next watch finds out again.
                }
            },
        }
    }
}

/// One watch stream from `position`, applying its events to the published
/// set until it ends.
async fn watch_from(
    client: &etcd_client::Client,
    prefix: &str,
    position: &mut Position,
    sender: &watch::Sender<Arc<EndpointSet>>,
    release: &Release,
    failures: &mut u32,
) -> WatchEnd {
    let options = WatchOptions::new()
        .with_prefix()
        .with_start_revision(position.revision + 1);
    let mut stream = match client.clone().watch(prefix, Some(options)).await {
        Ok(stream) => stream,
        Err(error) => {
            tracing::warn!(%prefix, %error, "cannot watch etcd; keeping the last known endpoints");
            return WatchEnd::Broken;
        }
    };
    loop {
        let message = tokio::select! {
            message = stream.message() => message,
            () = release.unwatched() => return WatchEnd::Unwatched,
        };
        let response = match message {
            Ok(Some(response)) => response,
            Ok(None) => {
                tracing::warn!(%prefix, "etcd watch ended; re-establishing");
                return WatchEnd::Broken;
            }
            Err(error) => {
                tracing::warn!(%prefix, %error, "etcd watch failed; keeping the last known endpoints");
                return WatchEnd::Broken;
            }
        };
        *failures = 0;
        if let Some(header) = response.header()
            && position.is_replaced_by(header)
        {
            tracing::warn!(
                %prefix,
                cluster_id = header.cluster_id(),
                revision = header.revision(),
                seen_cluster_id = position.cluster_id,
                seen_revision = position.revision,
                "etcd's store was replaced (wiped or restored); reading afresh"
            );
            return WatchEnd::Resync;
        }
        if response.compact_revision() > 0 || response.canceled() {
            // The revision we would resume from is gone: read afresh.
            tracing::info!(%prefix, compacted = response.compact_revision(), "etcd watch restarted from a fresh read");
            return WatchEnd::Resync;
        }
        if let Some(header) = response.header() {
            position.cluster_id = header.cluster_id();
        }
        if response.events().is_empty() {
            continue;
        }
        let mut set = EndpointSet::clone(&sender.borrow());
        for event in response.events() {
            let Some(kv) = event.kv() else { continue };
            position.revision = position.revision.max(kv.mod_revision());
            let Ok(key) = std::str::from_utf8(kv.key()) else {
                continue;
            };
            let Some(id) = key.strip_prefix(prefix) else {
                continue;
            };
            match event.event_type() {
                EventType::Put => {
                    if let Some(endpoint) = parse(prefix, kv.key(), kv.value()) {
                        set.insert(endpoint.id(), endpoint);
                    }
                }
                EventType::Delete => {
                    set.remove(id);
                }
            }
        }
        if let Some(header) = response.header() {
            position.revision = position.revision.max(header.revision());
        }
        sender.send_replace(Arc::new(set));
    }
}

impl std::fmt::Debug for EtcdDiscovery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EtcdDiscovery")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}
