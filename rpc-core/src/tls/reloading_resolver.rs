//! Certificate resolvers: a fixed pair, and one that follows its files.
//!
//! Rotation without restart: the reloading resolver looks at the files'
//! modification times at most once per interval, on a handshake (no
//! background task, no file watcher), and swaps the pair in when they
//! changed. Connections already established keep the pair they shook hands
//! with; the next handshake gets the new one. A pair that fails to load (a
//! half-written file, a key that does not match) is logged and skipped: the
//! previous pair stays in service and the files are tried again later.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

use crate::tls::server_tls::certified_key;
use crate::tls::{TlsError, pem};

/// Always the same pair.
#[derive(Debug)]
pub(crate) struct FixedResolver(Arc<CertifiedKey>);

impl FixedResolver {
    pub(crate) fn new(key: CertifiedKey) -> FixedResolver {
        FixedResolver(Arc::new(key))
    }
}

impl ResolvesServerCert for FixedResolver {
    fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(Arc::clone(&self.0))
    }
}

/// The pair of two files, reloaded when they change.
pub(crate) struct ReloadingResolver {
    chain: PathBuf,
    key: PathBuf,
    check_every: Duration,
    provider: Arc<rustls::crypto::CryptoProvider>,
    state: Mutex<State>,
}

struct State {
    current: Arc<CertifiedKey>,
    /// The files' modification times when `current` was loaded (or when a
    /// failed load was last tried, so a broken pair is not re-read on every
    /// handshake).
    seen: (Option<SystemTime>, Option<SystemTime>),
    checked_at: Instant,
}

impl ReloadingResolver {
    pub(crate) fn new(
        chain: PathBuf,
        key: PathBuf,
        check_every: Duration,
        provider: Arc<rustls::crypto::CryptoProvider>,
    ) -> Result<ReloadingResolver, TlsError> {
        let seen = (modified(&chain), modified(&key));
        let current = Arc::new(load(&chain, &key, &provider)?);
        Ok(ReloadingResolver {
            chain,
            key,
            check_every,
            provider,
            state: Mutex::new(State {
                current,
                seen,
                checked_at: Instant::now(),
            }),
        })
    }

    fn current(&self) -> Arc<CertifiedKey> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if state.checked_at.elapsed() < self.check_every {
            return Arc::clone(&state.current);
        }
        state.checked_at = Instant::now();
        let seen = (modified(&self.chain), modified(&self.key));
        if seen != state.seen {
            state.seen = seen;
            match load(&self.chain, &self.key, &self.provider) {
                Ok(fresh) => {
                    tracing::info!(chain = %self.chain.display(), "TLS certificate reloaded");
                    state.current = Arc::new(fresh);
                }
                Err(error) => {
                    tracing::warn!(chain = %self.chain.display(), %error, "TLS certificate files changed but do not load; keeping the previous pair");
                }
            }
        }
        Arc::clone(&state.current)
    }
}

impl ResolvesServerCert for ReloadingResolver {
    fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current())
    }
}

fn modified(path: &std::path::Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn load(
    chain: &std::path::Path,
    key: &std::path::Path,
    provider: &rustls::crypto::CryptoProvider,
) -> Result<CertifiedKey, TlsError> {
    let what = chain.display().to_string();
    certified_key(
        &pem::read_file(chain)?,
        &pem::read_file(key)?,
        &what,
        provider,
    )
}

impl fmt::Debug for ReloadingResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReloadingResolver")
            .field("chain", &self.chain)
            .field("key", &self.key)
            .field("check_every", &self.check_every)
            .finish_non_exhaustive()
    }
}
