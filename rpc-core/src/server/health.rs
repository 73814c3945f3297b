//! The built-in health service (`rpc.Health`, method `Check`), answering
//! over the ordinary protocol, and [`Health`], the handle that sets what it
//! says. Wire format: `docs/PROTOCOL.md` §12.2.
//!
//! Every service the server serves starts `serving`; the server itself
//! (service name `""`) is `serving` until graceful shutdown starts, then
//! every answer is `not_serving`. Readiness (for the admin listener's
//! `/ready`) is "announced to the registry (or no registry) and not
//! draining".

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use rpc_codec::PayloadCodec;
use serde::{Deserialize, Serialize};

use crate::dispatch::{decode_argument, encode_reply, unknown_method};
use crate::{BoxFuture, RpcService, ServiceCall, ServiceReply, Status};

/// The wire name of the health service.
pub const HEALTH_SERVICE: &str = "rpc.Health";

/// The wire name of its one method.
pub const HEALTH_CHECK: &str = "Check";

/// What `rpc.Health/Check` is asked: a service name, or `""` (or nothing)
/// for the server as a whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCheckRequest {
    /// The service asked about; empty for the whole server.
    #[serde(default)]
    pub service: String,
}

/// What `rpc.Health/Check` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCheckReply {
    /// The service's status.
    pub status: HealthStatus,
}

/// A service's health, as sent on the wire (snake case strings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum HealthStatus {
    /// Takes calls.
    Serving,
    /// Should not be sent calls (set by the application, or draining).
    NotServing,
    /// The server serves no service of that name.
    ServiceUnknown,
}

/// The health a server reports: per service, readiness, draining.
/// Cheap to clone; [`ServerHandle::health`](crate::server::ServerHandle::health)
/// returns the running server's.
#[derive(Debug, Clone, Default)]
pub struct Health {
    inner: Arc<HealthState>,
}

#[derive(Debug, Default)]
struct HealthState {
    /// `true` = serving, per served service.
    services: RwLock<HashMap<String, bool>>,
    /// The application's word on the whole server.
    server_serving: AtomicBool,
    /// Announced (or nothing to announce): set when the registry took the
    /// server's announcement, at `bind` or by a later retry.
    announced: AtomicBool,
    /// Graceful shutdown has started.
    draining: AtomicBool,
}

impl Health {
    /// Health for a server serving `services`, all serving.
    pub(crate) fn new(services: &[&'static str]) -> Health {
        let health = Health::default();
        health.inner.server_serving.store(true, Ordering::Relaxed);
        let mut map = health.write();
        for service in services {
            map.insert((*service).to_owned(), true);
        }
        drop(map);
        health
    }

    /// Sets whether `service` (one the server serves, or `""` for the whole
    /// server) takes calls. Unknown names are ignored and logged.
    pub fn set_serving(&self, service: &str, serving: bool) {
        if service.is_empty() {
            self.inner.server_serving.store(serving, Ordering::Relaxed);
        } else if let Some(state) = self.write().get_mut(service) {
            *state = serving;
        } else {
            tracing::warn!(service, "set_serving: this server serves no such service");
            return;
        }
        tracing::info!(service, serving, "health changed");
    }

    /// What `rpc.Health/Check` answers for `service` now.
    pub fn status(&self, service: &str) -> HealthStatus {
        let serving = match service {
            "" => Some(self.inner.server_serving.load(Ordering::Relaxed)),
            name => self
                .inner
                .services
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .get(name)
                .copied(),
        };
        match serving {
            None => HealthStatus::ServiceUnknown,
            Some(_) if self.is_draining() => HealthStatus::NotServing,
            Some(true) => HealthStatus::Serving,
            Some(false) => HealthStatus::NotServing,
        }
    }

    /// Announced to the registry (or none configured), not draining, and
    /// the server as a whole set serving.
    pub fn is_ready(&self) -> bool {
        self.inner.announced.load(Ordering::Acquire)
            && !self.is_draining()
            && self.inner.server_serving.load(Ordering::Relaxed)
    }

    /// Whether graceful shutdown has started.
    pub fn is_draining(&self) -> bool {
        self.inner.draining.load(Ordering::Acquire)
    }

    pub(crate) fn set_announced(&self) {
        self.inner.announced.store(true, Ordering::Release);
    }

    pub(crate) fn set_draining(&self) {
        self.inner.draining.store(true, Ordering::Release);
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, bool>> {
        self.inner
            .services
            .write()
            .unwrap_or_else(|p| p.into_inner())
    }
}

/// `rpc.Health` as an [`RpcService`](crate::RpcService).
#[derive(Debug)]
pub(crate) struct HealthService {
    health: Health,
}

impl HealthService {
    pub(crate) fn new(health: Health) -> HealthService {
        HealthService { health }
    }
}

const REQUEST: PayloadCodec<HealthCheckRequest> = PayloadCodec::serde();
const REPLY: PayloadCodec<HealthCheckReply> = PayloadCodec::serde();

impl RpcService for HealthService {
    fn name(&self) -> &'static str {
        HEALTH_SERVICE
    }

    fn methods(&self) -> &'static [&'static str] {
        &[HEALTH_CHECK]
    }

    fn describe(&self) -> crate::reflection::ServiceDescription {
        crate::reflection::ServiceDescription {
            name: HEALTH_SERVICE.to_owned(),
            methods: vec![crate::reflection::MethodDescription::new(
                HEALTH_CHECK,
                (&REQUEST, None),
                (&REPLY, None),
            )],
        }
    }

    fn call(&self, call: ServiceCall) -> BoxFuture<Result<ServiceReply, Status>> {
        if call.context.method() != HEALTH_CHECK {
            return unknown_method(&call);
        }
        // An empty payload asks about the whole server, in any codec.
        let result = if call.payload.is_empty() {
            Ok(HealthCheckRequest::default())
        } else {
            decode_argument(&call, &REQUEST, &REPLY)
        };
        let answer = result.and_then(|request| {
            let reply = HealthCheckReply {
                status: self.health.status(&request.service),
            };
            encode_reply(&call.context, call.codec, &reply, &REPLY)
        });
        Box::pin(std::future::ready(answer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Code, Context};

    fn check(health: &Health, codec: rpc_codec::Codec, payload: &[u8]) -> Result<Bytes, Status> {
        let service = HealthService::new(health.clone());
        let call = ServiceCall {
            context: Context::new(HEALTH_SERVICE, HEALTH_CHECK),
            codec,
            payload: Bytes::copy_from_slice(payload),
        };
        let mut future = service.call(call);
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        match future.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(result) => result.map(|reply| reply.payload),
            std::task::Poll::Pending => panic!("health answers at once"),
        }
    }

    use bytes::Bytes;

    #[test]
    fn answers_per_service_in_json() {
        let health = Health::new(&["Arith"]);
        let json = rpc_codec::Codec::Json;
        let ok = check(&health, json, br#"{"service":"Arith"}"#).unwrap();
        assert_eq!(&ok[..], br#"{"status":"serving"}"#);
        health.set_serving("Arith", false);
        let off = check(&health, json, br#"{"service":"Arith"}"#).unwrap();
        assert_eq!(&off[..], br#"{"status":"not_serving"}"#);
        let unknown = check(&health, json, br#"{"service":"Nope"}"#).unwrap();
        assert_eq!(&unknown[..], br#"{"status":"service_unknown"}"#);
        let whole = check(&health, json, b"").unwrap();
        assert_eq!(&whole[..], br#"{"status":"serving"}"#);
        let bad = check(&health, json, b"{").unwrap_err();
        assert_eq!(bad.code(), Code::BadRequest);
    }

    #[test]
    fn answers_in_msgpack_as_docs_protocol_shows() {
        let health = Health::new(&["Arith"]);
        // docs/PROTOCOL.md §12.2: {"service":"Arith"} -> {"status":"serving"}.
        let request = b"\x81\xa7service\xa5Arith";
        let reply = check(&health, rpc_codec::Codec::MsgPack, request).unwrap();
        assert_eq!(&reply[..], b"\x81\xa6status\xa7serving");
    }

    #[test]
    fn draining_makes_everything_not_serving_and_not_ready() {
        let health = Health::new(&["Arith"]);
        assert!(!health.is_ready(), "not ready before the announcement");
        health.set_announced();
        assert!(health.is_ready());
        health.set_draining();
        assert!(!health.is_ready());
        assert_eq!(health.status("Arith"), HealthStatus::NotServing);
        assert_eq!(health.status(""), HealthStatus::NotServing);
        assert_eq!(health.status("Nope"), HealthStatus::ServiceUnknown);
    }
}
