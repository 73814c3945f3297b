//! [`EtcdRegistry`]: keys under one lease, kept alive in the background, and
//! written again under a new lease whenever the old one is lost.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use etcd_client::PutOptions;
use tokio::sync::{Mutex, Notify};
use tokio::task::JoinHandle;

use super::{EtcdConfig, backend, retry_delay};
use crate::{Endpoint, Registry, RegistryError, RegistryFuture};

/// Registers endpoints in etcd under a lease with the configured TTL.
///
/// A background task keeps the lease alive (a keep-alive every third of the
/// TTL). When the lease is lost (etcd restarted or wiped, a partition longer
/// than the TTL, the keep-alive stream broken) it obtains a new lease and
/// writes every registered key again, logging that it did. Dropping the
/// registry stops the keep-alives; its keys then expire after the TTL.
#[derive(Debug, Clone)]
pub struct EtcdRegistry {
    shared: Arc<Shared>,
    _keeper: Arc<AbortOnDrop>,
}

struct Shared {
    client: etcd_client::Client,
    config: EtcdConfig,
    state: Mutex<State>,
    wake: Notify,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
struct State {
    lease: Option<i64>,
    /// Every registered key and its value: what must be in etcd.
    keys: BTreeMap<String, String>,
}

#[derive(Debug)]
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl EtcdRegistry {
    /// Connects to etcd and starts the keep-alive task.
    pub async fn connect(config: EtcdConfig) -> Result<EtcdRegistry, RegistryError> {
        let client = config.connect().await?;
        let shared = Arc::new(Shared {
            client,
            config,
            state: Mutex::new(State::default()),
            wake: Notify::new(),
        });
        let keeper = tokio::spawn(keep_alive_loop(Arc::clone(&shared)));
        Ok(EtcdRegistry {
            shared,
            _keeper: Arc::new(AbortOnDrop(keeper)),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &EtcdConfig {
        &self.shared.config
    }

    /// The lease the keys are under right now, if any.
    pub async fn lease(&self) -> Option<i64> {
        self.shared.state.lock().await.lease
    }
}

impl Registry for EtcdRegistry {
    fn register<'a>(
        &'a self,
        service: &'a str,
        endpoint: &'a Endpoint,
    ) -> RegistryFuture<'a, Result<(), RegistryError>> {
        Box::pin(async move {
            let key = self.shared.config.key(service, &endpoint.id());
            let value = endpoint.metadata.to_query();
            let mut state = self.shared.state.lock().await;
            state.keys.insert(key.clone(), value.clone());
            // Written now when etcd answers; otherwise the keeper writes it
            // as soon as etcd is back. Either way the key is wanted.
            let result = async {
                let lease = match state.lease {
                    Some(lease) => lease,
                    None => {
                        let lease = grant(&self.shared).await?;
                        state.lease = Some(lease);
                        lease
                    }
                };
                put(&self.shared, &key, &value, lease).await
            }
            .await;
            drop(state);
            self.shared.wake.notify_one();
            result
        })
    }

    fn deregister<'a>(
        &'a self,
        service: &'a str,
        endpoint: &'a Endpoint,
    ) -> RegistryFuture<'a, Result<(), RegistryError>> {
        Box::pin(async move {
            let key = self.shared.config.key(service, &endpoint.id());
            let mut state = self.shared.state.lock().await;
            state.keys.remove(&key);
            let mut client = self.shared.client.clone();
            client.delete(key, None).await.map_err(backend)?;
            if state.keys.is_empty()
                && let Some(lease) = state.lease.take()
            {
                let _ = client.lease_revoke(lease).await;
            }
            Ok(())
        })
    }
}

async fn grant(shared: &Shared) -> Result<i64, RegistryError> {
    let ttl = i64::try_from(shared.config.ttl.as_secs().max(1)).unwrap_or(i64::MAX);
    let mut client = shared.client.clone();
    let response = client.lease_grant(ttl, None).await.map_err(backend)?;
    Ok(response.id())
}

async fn put(shared: &Shared, key: &str, value: &str, lease: i64) -> Result<(), RegistryError> {
    let mut client = shared.client.clone();
    client
        .put(key, value, Some(PutOptions::new().with_lease(lease)))
        .await
        .map_err(backend)?;
    Ok(())
}

/// Obtains a new lease and writes every wanted key under it.
async fn renew(shared: &Shared) -> Result<(), RegistryError> {
    let mut state = shared.state.lock().await;
    if state.keys.is_empty() {
        state.lease = None;
        return Ok(());
    }
    let lease = grant(shared).await?;
    for (key, value) in &state.keys {
        put(shared, key, value, lease).await?;
    }
    state.lease = Some(lease);
    tracing::info!(
        lease,
        keys = state.keys.len(),
        "registered keys written under a new lease"
    );
    Ok(())
}

async fn keep_alive_loop(shared: Arc<Shared>) {
    let ttl = shared.config.ttl.max(Duration::from_secs(1));
    let interval = ttl / 3;
    let mut failures: u32 = 0;
    loop {
        let lease = {
            let state = shared.state.lock().await;
            if state.keys.is_empty() {
                None
            } else {
                Some(state.lease)
            }
        };
        let lease = match lease {
            None => {
                shared.wake.notified().await;
                continue;
            }
            Some(Some(lease)) => lease,
            Some(None) => {
                if let Err(error) = renew(&shared).await {
                    tracing::warn!(%error, "cannot register with etcd; retrying");
                    failures += 1;
                    tokio::time::sleep(retry_delay(failures)).await;
                }
                continue;
            }
        };
        match keep_alive(&shared, lease, interval).await {
            KeepAliveEnd::Lost(reason) => {
                tracing::warn!(lease, %reason, "etcd lease lost; registering again under a new lease");
                shared.state.lock().await.lease = None;
                failures += 1;
                tokio::time::sleep(retry_delay(failures)).await;
            }
            KeepAliveEnd::KeysChanged => failures = 0,
        }
    }
}

enum KeepAliveEnd {
    Lost(String),
    KeysChanged,
}

/// Checks that every wanted key is in etcd with its value under `lease`,
/// and writes those that are not. Keys can vanish or move without the lease
/// being lost: deleted by hand, or overwritten by a write of ours that etcd
/// applied late (a proposal forwarded across a leader change).
async fn reconcile(shared: &Shared, lease: i64) -> Result<(), RegistryError> {
    let state = shared.state.lock().await;
    if state.lease != Some(lease) {
        return Ok(());
    }
    let mut client = shared.client.clone();
    for (key, value) in &state.keys {
        let response = client.get(key.as_str(), None).await.map_err(backend)?;
        let intact = response
            .kvs()
            .first()
            .is_some_and(|kv| kv.lease() == lease && kv.value() == value.as_bytes());
        if !intact {
            tracing::warn!(
                key,
                lease,
                "registered key missing or changed in etcd; writing it again"
            );
            put(shared, key, value, lease).await?;
        }
    }
    Ok(())
}

/// Keeps `lease` alive until it is lost or the set of keys empties, and
/// checks the keys themselves once per TTL.
async fn keep_alive(shared: &Shared, lease: i64, interval: Duration) -> KeepAliveEnd {
    let mut client = shared.client.clone();
    let (mut keeper, mut stream) = match client.lease_keep_alive(lease).await {
        Ok(pair) => pair,
        Err(error) => return KeepAliveEnd::Lost(format!("keep-alive stream: {error}")),
    };
    let mut rounds: u32 = 0;
    loop {
        if let Err(error) = keeper.keep_alive().await {
            return KeepAliveEnd::Lost(format!("keep-alive request: {error}"));
        }
        match tokio::time::timeout(interval.max(Duration::from_millis(500)), stream.message()).await
        {
            Ok(Ok(Some(response))) if response.ttl() > 0 => {}
            Ok(Ok(Some(_))) => return KeepAliveEnd::Lost("etcd no longer knows the lease".into()),
            Ok(Ok(None)) => return KeepAliveEnd::Lost("keep-alive stream closed".into()),
            Ok(Err(error)) => return KeepAliveEnd::Lost(format!("keep-alive answer: {error}")),
            Err(_) => return KeepAliveEnd::Lost("no keep-alive answer in time".into()),
        }
        rounds = rounds.wrapping_add(1);
        if rounds.is_multiple_of(3)
            && let Err(error) = reconcile(shared, lease).await
        {
            return KeepAliveEnd::Lost(format!("checking the keys: {error}"));
        }
        tokio::select! {
            () = tokio::time::sleep(interval) => {}
            () = shared.wake.notified() => {}
        }
        let state = shared.state.lock().await;
        if state.keys.is_empty() || state.lease != Some(lease) {
            return KeepAliveEnd::KeysChanged;
        }
    }
}
