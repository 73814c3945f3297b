//! [`CallOptions`]: per-call choices of codec, compression, timeout and metadata.

use std::time::Duration;

use rpc_codec::{Codec, CompressionPolicy};
use rpc_core::Metadata;

/// Per-call settings; anything left unset falls back to the channel's defaults.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct CallOptions {
    /// The payload codec. Unset: the channel's default codec if both of the
    /// method's types support it, otherwise the best codec they share.
    pub codec: Option<Codec>,
    /// When and how to compress the argument. Unset: the channel's policy.
    pub compression: Option<CompressionPolicy>,
    /// The whole call's time limit (send, wait, receive), also sent to the
    /// server as the deadline budget. Unset: the channel's default timeout.
    pub timeout: Option<Duration>,
    /// Metadata sent with the request.
    pub metadata: Metadata,
    /// Marks the request as a retry (set by fail modes, and when a server
    /// passes on a retried request's context).
    pub retry: bool,
    /// What consistent hashing routes the call by. Unset: a hash of the
    /// encoded argument.
    pub hash_key: Option<u64>,
    /// A bearer token for this call, in place of the channel's
    /// [`ClientConfig::credential`](crate::ClientConfig).
    pub credential: Option<crate::Credential>,
}

impl CallOptions {
    /// The same options with a bearer token for this call.
    pub fn credential(mut self, credential: crate::Credential) -> CallOptions {
        self.credential = Some(credential);
        self
    }

    /// Default options.
    pub fn new() -> CallOptions {
        CallOptions::default()
    }

    /// With a payload codec.
    pub fn codec(mut self, codec: Codec) -> CallOptions {
        self.codec = Some(codec);
        self
    }

    /// With a compression policy.
    pub fn compression(mut self, compression: CompressionPolicy) -> CallOptions {
        self.compression = Some(compression);
        self
    }

    /// With a timeout.
    pub fn timeout(mut self, timeout: Duration) -> CallOptions {
        self.timeout = Some(timeout);
        self
    }

    /// With one more metadata entry.
    pub fn metadata(mut self, key: &str, value: &str) -> CallOptions {
        self.metadata.insert(key.to_owned(), value.to_owned());
        self
    }

    /// With the retry flag.
    pub fn retry(mut self, retry: bool) -> CallOptions {
        self.retry = retry;
        self
    }

    /// Routes the call by `key` under consistent hashing (e.g. a user id),
    /// so that calls with the same key reach the same endpoint.
    pub fn hash_key(mut self, key: impl AsRef<[u8]>) -> CallOptions {
        self.hash_key = Some(crate::xclient::selector::stable_hash(key.as_ref()));
        self
    }

    /// Options for a call made by a handler on behalf of the call it serves:
    /// the remaining deadline budget and the retry flag carry over, so
    /// a downstream call neither outlives its caller's deadline nor retries
    /// a request that is itself a retry.
    ///
    /// In the other direction, whatever the downstream call fails with, a
    /// handler that returns the failure (`?`, or a status of its own) returns
    /// an application's failure ([`Origin::Application`](rpc_core::Origin)):
    /// its caller sees the code and message (e.g. `unavailable: cannot
    /// connect to …` when the downstream is down) but its client neither
    /// retries this server nor counts the failure against this server's
    /// circuit breaker, since this server did answer. Retries and breakers
    /// act only on the framework's verdicts about the endpoint itself
    /// (unreachable, connection lost, no reply in time, refused before the
    /// handler ran). One round of retries per chain follows: the downstream
    /// call's own XClient retried where retrying made sense. Its error also
    /// carries the "no more retry" mark when its retries ran out
    /// ([`Status::no_retry`](rpc_core::Status::no_retry)), which matters for
    /// proxies that forward statuses without a handler in between.
    pub fn propagate(context: &rpc_core::Context) -> CallOptions {
        CallOptions {
            timeout: context.remaining(),
            retry: context.is_retry(),
            ..CallOptions::default()
        }
    }

    /// With the incoming call's metadata entries under `keys` copied in
    /// (those it has; a key it lacks is skipped, an entry already set here
    /// is replaced): the keys a service passes on to the calls it makes,
    /// e.g. a tenant or a request id. With
    /// `CallOptions::propagate(ctx).copy_metadata(ctx, ["tenant"])` a
    /// downstream call carries the deadline, the retry flag and the tenant.
    /// Nothing is copied unless named: metadata is the caller's to share.
    pub fn copy_metadata<'k>(
        mut self,
        context: &rpc_core::Context,
        keys: impl IntoIterator<Item = &'k str>,
    ) -> CallOptions {
        for key in keys {
            if let Some(value) = context.metadata().get(key) {
                self.metadata.insert(key.to_owned(), value.to_owned());
            }
        }
        self
    }
}
