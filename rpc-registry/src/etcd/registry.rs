//! [`EtcdRegistry`]: keys under one lease, kept alive in the background
//! (`keeper.rs`), and written again under a new lease whenever the old one
//! is lost.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use etcd_client::PutOptions;
use tokio::sync::{Mutex, Notify};
use tokio::task::JoinHandle;

use super::keeper::keeper_loop;
use super::{EtcdConfig, backend};
use crate::{Endpoint, Registry, RegistryError, RegistryFuture};

/// Registers endpoints in etcd under a lease with the configured TTL.
///
/// A background task keeps the lease alive (a keep-alive every third of the
/// TTL) and checks the keys once per TTL. A keep-alive that fails (a dead
/// member, a broken stream, no answer in time) is retried, on whichever
/// member answers, for as long as the lease's TTL has not run out. Only when
/// etcd says the lease is gone (wiped, restarted, revoked, expired while
/// etcd was frozen), or its TTL ran out unanswered, does the registry obtain
/// a new lease and write every registered key again: at once, and then with
/// backoff while etcd does not answer. Each step is logged. Dropping the
/// registry stops the keep-alives; its keys then expire after the TTL.
#[derive(Debug, Clone)]
pub struct EtcdRegistry {
    shared: Arc<Shared>,
    _keeper: Arc<AbortOnDrop>,
}

pub(super) struct Shared {
    pub(super) client: etcd_client::Client,
    pub(super) config: EtcdConfig,
    pub(super) state: Mutex<State>,
    pub(super) wake: Notify,
    leases_granted: AtomicU64,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
pub(super) struct State {
    /// The lease the keys are under, and until when etcd keeps it at least
    /// (the TTL counted from the last request that refreshed it).
    pub(super) lease: Option<(i64, Instant)>,
    /// Every registered key and its value: what must be in etcd.
    pub(super) keys: BTreeMap<String, String>,
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
            state: Mutex::new(State {
                lease: None,
                keys: BTreeMap::new(),
            }),
            wake: Notify::new(),
            leases_granted: AtomicU64::new(0),
        });
        let keeper = tokio::spawn(keeper_loop(Arc::clone(&shared)));
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
        self.shared.state.lock().await.lease.map(|(lease, _)| lease)
    }

    /// How many leases this registry has obtained, the first included: each
    /// one after the first means a lease was lost and every key rewritten.
    pub fn leases_granted(&self) -> u64 {
        self.shared.leases_granted.load(Ordering::Relaxed)
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
                    Some((lease, _)) => lease,
                    None => {
                        let granted = grant(&self.shared).await?;
                        state.lease = Some(granted);
                        granted.0
                    }
                };
                put(&self.shared, &key, &value, lease).await
            }
            .await;
            drop(state);
            if result.is_ok() {
                metrics::counter!("rpc_registry_registrations_total", "reason" => "register")
                    .increment(1);
            }
            self.shared.wake.notify_one();
            result.map_err(backend)
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
                && let Some((lease, _)) = state.lease.take()
            {
                let _ = client.lease_revoke(lease).await;
            }
            Ok(())
        })
    }
}

/// A new lease, and the moment before which etcd will not expire it.
pub(super) async fn grant(shared: &Shared) -> Result<(i64, Instant), etcd_client::Error> {
    let ttl = i64::try_from(shared.config.ttl.as_secs().max(1)).unwrap_or(i64::MAX);
    let mut client = shared.client.clone();
    let asked = Instant::now();
    let response = client.lease_grant(ttl, None).await?;
    shared.leases_granted.fetch_add(1, Ordering::Relaxed);
    let granted = std::time::Duration::from_secs(response.ttl().max(0).unsigned_abs());
    Ok((response.id(), asked + granted))
}

pub(super) async fn put(
    shared: &Shared,
    key: &str,
    value: &str,
    lease: i64,
) -> Result<(), etcd_client::Error> {
    let mut client = shared.client.clone();
    client
        .put(key, value, Some(PutOptions::new().with_lease(lease)))
        .await?;
    Ok(())
}
