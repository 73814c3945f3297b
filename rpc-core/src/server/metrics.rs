//! The server's metric handles, resolved once (at bind time, per service and
//! method) so that a call touches only atomics: no label allocation and no
//! registry look-up per call. Names and labels: `docs/OBSERVABILITY.md`.
//!
//! Handles come from the `metrics` recorder installed when the server is
//! built; with none installed they are no-ops.

use metrics::{Counter, Gauge, Histogram, SharedString};

use crate::Code;
use crate::code_counters::CodeCounters;

/// Per-server counts: connections and refusals.
#[derive(Debug)]
pub(crate) struct ServerMetrics {
    pub(crate) connections_open: Gauge,
    pub(crate) connections_accepted: Counter,
    /// Connections closed at once because `max_connections` were open.
    pub(crate) connections_refused: Counter,
    /// Calls answered `overloaded` by a call or byte limit, before dispatch.
    pub(crate) calls_refused_limit: Counter,
    /// Calls answered `unavailable` while draining for shutdown.
    pub(crate) calls_refused_draining: Counter,
}

impl ServerMetrics {
    pub(crate) fn new() -> ServerMetrics {
        let refused = |reason: &'static str| metrics::counter!("rpc_server_calls_refused_total", "reason" => reason);
        ServerMetrics {
            connections_open: metrics::gauge!("rpc_server_connections_open"),
            connections_accepted: metrics::counter!("rpc_server_connections_accepted_total"),
            connections_refused: metrics::counter!("rpc_server_connections_refused_total"),
            calls_refused_limit: refused("limit"),
            calls_refused_draining: refused("draining"),
        }
    }

    /// Handles that record nothing (instrumentation off).
    pub(crate) fn noop() -> ServerMetrics {
        ServerMetrics {
            connections_open: Gauge::noop(),
            connections_accepted: Counter::noop(),
            connections_refused: Counter::noop(),
            calls_refused_limit: Counter::noop(),
            calls_refused_draining: Counter::noop(),
        }
    }
}

/// The handles of one (service, method).
#[derive(Debug)]
pub(crate) struct MethodMetrics {
    pub(crate) in_flight: Gauge,
    pub(crate) duration: Histogram,
    pub(crate) request_bytes: Counter,
    pub(crate) reply_bytes: Counter,
    /// `rpc_server_calls_total` by code.
    calls: CodeCounters,
}

impl MethodMetrics {
    pub(crate) fn new(service: &'static str, method: &'static str) -> MethodMetrics {
        let labels = [("service", service), ("method", method)];
        MethodMetrics {
            in_flight: metrics::gauge!("rpc_server_in_flight", &labels),
            duration: metrics::histogram!("rpc_server_call_duration_seconds", &labels),
            request_bytes: metrics::counter!("rpc_server_request_bytes_total", &labels),
            reply_bytes: metrics::counter!("rpc_server_reply_bytes_total", &labels),
            calls: CodeCounters::new(
                "rpc_server_calls_total",
                vec![
                    ("service", SharedString::const_str(service)),
                    ("method", SharedString::const_str(method)),
                ],
            ),
        }
    }

    /// The calls counter of `code`.
    pub(crate) fn calls(&self, code: Code) -> &Counter {
        self.calls.of(code)
    }
}
