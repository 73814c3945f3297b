//! [`Context`]: what a handler knows about the call it serves.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytestring::ByteString;

use crate::{Identity, Metadata, PeerAddr, PeerCertificate};

/// The call a handler is serving: its names, the caller's metadata, the
/// deadline, the retry flag and the peer, plus the metadata to send back.
///
/// Handlers get it as `&Context`; reply metadata is set through
/// [`Context::set_reply_metadata`], which works through a shared reference.
pub struct Context {
    service: ByteString,
    method: ByteString,
    metadata: Metadata,
    deadline: Option<Instant>,
    retry: bool,
    peer: Option<PeerAddr>,
    peer_certificate: Option<Arc<PeerCertificate>>,
    identity: Option<Identity>,
    reply_metadata: Mutex<Metadata>,
}

impl Context {
    /// A context for a call of `service.method` with no metadata, deadline or
    /// peer: what tests and in-process callers start from.
    pub fn new(service: impl Into<ByteString>, method: impl Into<ByteString>) -> Context {
        Context {
            service: service.into(),
            method: method.into(),
            metadata: Metadata::new(),
            deadline: None,
            retry: false,
            peer: None,
            peer_certificate: None,
            identity: None,
            reply_metadata: Mutex::new(Metadata::new()),
        }
    }

    /// The same context with the caller's metadata.
    pub fn with_metadata(mut self, metadata: Metadata) -> Context {
        self.metadata = metadata;
        self
    }

    /// The same context with a deadline.
    pub fn with_deadline(mut self, deadline: Option<Instant>) -> Context {
        self.deadline = deadline;
        self
    }

    /// The same context with the retry flag set or cleared.
    pub fn with_retry(mut self, retry: bool) -> Context {
        self.retry = retry;
        self
    }

    /// The same context with the peer's address.
    pub fn with_peer(mut self, peer: Option<PeerAddr>) -> Context {
        self.peer = peer;
        self
    }

    /// The same context with the peer's verified client certificate.
    pub fn with_peer_certificate(mut self, certificate: Option<Arc<PeerCertificate>>) -> Context {
        self.peer_certificate = certificate;
        self
    }

    /// The same context with the identity an authenticator established.
    pub fn with_identity(mut self, identity: Option<Identity>) -> Context {
        self.identity = identity;
        self
    }

    /// The service's wire name.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The method's wire name.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The caller's metadata.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// When the caller stops waiting, if it said.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// How long until the deadline (zero once it has passed), if there is one.
    /// Pass it on to downstream calls made for this one.
    pub fn remaining(&self) -> Option<Duration> {
        self.deadline
            .map(|deadline| deadline.saturating_duration_since(Instant::now()))
    }

    /// Whether the caller marked this request as a retry. Downstream calls
    /// made for a retried request should not be retried again.
    pub fn is_retry(&self) -> bool {
        self.retry
    }

    /// The peer's address, when the call came over a connection.
    pub fn peer(&self) -> Option<&PeerAddr> {
        self.peer.as_ref()
    }

    /// The client certificate of a mutual-TLS connection, verified against
    /// the server's client CA; `None` on plaintext or one-way TLS.
    pub fn peer_certificate(&self) -> Option<&PeerCertificate> {
        self.peer_certificate.as_deref()
    }

    /// Who the server's authenticator says the caller is; `None` when the
    /// server has no authenticator.
    pub fn identity(&self) -> Option<&Identity> {
        self.identity.as_ref()
    }

    /// Sets a metadata entry on the reply (replacing an earlier one of that name).
    pub fn set_reply_metadata(&self, key: impl Into<ByteString>, value: impl Into<ByteString>) {
        self.reply_metadata
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(key, value);
    }

    /// Takes the reply metadata set so far, leaving it empty.
    pub fn take_reply_metadata(&self) -> Metadata {
        std::mem::take(
            &mut *self
                .reply_metadata
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("service", &&*self.service)
            .field("method", &&*self.method)
            .field("metadata", &self.metadata)
            .field("deadline", &self.deadline)
            .field("retry", &self.retry)
            .field("peer", &self.peer)
            .field("peer_certificate", &self.peer_certificate)
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}
