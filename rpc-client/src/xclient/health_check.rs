//! Periodic health checks: every `XClientConfig::health_check` interval, the
//! XClient asks each endpoint's `rpc.Health/Check` about its service, and
//! calls skip the endpoints that answer `not_serving` (or
//! `service_unknown`) until one answers `serving` again.
//!
//! Why polling rather than reacting to failed calls: a server set not
//! serving still answers calls correctly (it may be draining, or its
//! operator is moving traffic away), so nothing in the calls' outcomes
//! would tell; the breakers already handle endpoints that fail. An endpoint
//! that does not answer the check (unreachable, or a server without
//! `rpc.Health`, such as an rpcx server) keeps its last state: reachability
//! is the breakers' business, and a server without the service is never
//! skipped for it.

use std::sync::{Arc, Weak};
use std::time::Duration;

use rpc_codec::Codec;
use rpc_core::server::{
    HEALTH_CHECK, HEALTH_SERVICE, HealthCheckReply, HealthCheckRequest, HealthStatus,
};

use super::Shared;
use super::pool::Member;
use crate::{CallOptions, typed};

/// Checks every endpoint of the XClient behind `shared` every `interval`,
/// until the XClient is dropped.
pub(super) async fn run(shared: Weak<Shared>, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let Some(strong) = shared.upgrade() else {
            return;
        };
        let service = strong.service.to_string();
        let members = strong.pool.members();
        let metrics = strong.metrics.clone();
        drop(strong);
        let checks = members
            .iter()
            .map(|member| check(member, &service, interval));
        futures_util::future::join_all(checks).await;
        if let Some(metrics) = metrics {
            let not_serving = members.iter().filter(|m| !m.is_serving()).count();
            metrics.unhealthy.set(not_serving as f64);
        }
    }
}

/// Asks one endpoint and records its answer.
async fn check(member: &Arc<Member>, service: &str, timeout: Duration) {
    let request = HealthCheckRequest {
        service: service.to_owned(),
    };
    let options = CallOptions::new().codec(Codec::Json).timeout(timeout);
    let answer = typed::call_dynamic::<_, _, HealthCheckReply>(
        &member.client,
        HEALTH_SERVICE,
        HEALTH_CHECK,
        &request,
        options,
    )
    .await;
    let serving = match answer {
        Ok(reply) => reply.value.status == HealthStatus::Serving,
        Err(status) => {
            tracing::debug!(endpoint = %member.id, %status, "health check got no answer");
            return;
        }
    };
    if member.set_serving(serving) {
        tracing::info!(endpoint = %member.id, service, serving, "endpoint health changed");
    }
}
