//! The XClient's metric handles (label `service`), resolved when it is
//! built: calls by code and their duration (every try included), retries
//! and retries the budget refused, endpoints known, and circuit-breaker
//! state changes per endpoint. Per-endpoint latency and errors come from
//! each endpoint's own `Client` (`rpc_client_*`, label `endpoint`).

use metrics::{Counter, Gauge, Histogram, SharedString};

use rpc_core::code_counters::CodeCounters;

/// One XClient's handles.
#[derive(Debug)]
pub(crate) struct XClientMetrics {
    pub(crate) calls: CodeCounters,
    pub(crate) duration: Histogram,
    pub(crate) retries: Counter,
    pub(crate) retries_refused: Counter,
    pub(crate) endpoints: Gauge,
    pub(crate) unhealthy: Gauge,
    service: SharedString,
}

impl XClientMetrics {
    pub(crate) fn new(service: &str) -> XClientMetrics {
        let service: SharedString = service.to_owned().into();
        let label = || service.clone();
        XClientMetrics {
            calls: CodeCounters::new("rpc_xclient_calls_total", vec![("service", label())]),
            duration: metrics::histogram!("rpc_xclient_call_duration_seconds", "service" => label()),
            retries: metrics::counter!("rpc_xclient_retries_total", "service" => label()),
            retries_refused: metrics::counter!(
                "rpc_xclient_retries_refused_total",
                "service" => label()
            ),
            endpoints: metrics::gauge!("rpc_xclient_endpoints", "service" => label()),
            unhealthy: metrics::gauge!("rpc_xclient_endpoints_not_serving", "service" => label()),
            service,
        }
    }

    /// What a breaker of `endpoint` reports its changes to.
    pub(crate) fn breaker_observer(&self, endpoint: &str) -> BreakerObserver {
        let counter = |state: &'static str| {
            metrics::counter!(
                "rpc_xclient_breaker_transitions_total",
                "service" => self.service.clone(),
                "endpoint" => endpoint.to_owned(),
                "state" => state,
            )
        };
        BreakerObserver {
            service: self.service.clone(),
            endpoint: endpoint.to_owned(),
            opened: counter("open"),
            closed: counter("closed"),
        }
    }
}

/// Counts (and logs) one breaker's openings and closings.
#[derive(Debug)]
pub(crate) struct BreakerObserver {
    service: SharedString,
    endpoint: String,
    opened: Counter,
    closed: Counter,
}

impl BreakerObserver {
    pub(crate) fn changed(&self, open: bool) {
        if open {
            self.opened.increment(1);
            tracing::info!(service = %self.service, endpoint = %self.endpoint, "circuit breaker opened");
        } else {
            self.closed.increment(1);
            tracing::info!(service = %self.service, endpoint = %self.endpoint, "circuit breaker closed");
        }
    }
}
