//! A [`Client`](crate::Client)'s metrics and spans: handles resolved once
//! per client (its endpoint is the label), a `tracing` span per call, and
//! the W3C trace context injected into the request's metadata.
//!
//! The context sent is a child of the current one (the call a server
//! handler is serving, see [`rpc_core::trace::current`]); with none, a new
//! trace starts only when a subscriber wants this call's span, so an
//! unobserved client adds nothing to its requests.

use std::time::Instant;

use metrics::{Histogram, SharedString};
use rpc_core::code_counters::CodeCounters;
use rpc_core::trace::TraceContext;
use rpc_core::{Code, Status};
use tracing::field::Empty;

use crate::{RawReply, RawRequest};

/// One client's handles (label `endpoint`).
#[derive(Debug)]
pub(crate) struct ClientMetrics {
    endpoint: String,
    calls: CodeCounters,
    duration: Histogram,
}

impl ClientMetrics {
    pub(crate) fn new(endpoint: String) -> ClientMetrics {
        let label: SharedString = endpoint.clone().into();
        ClientMetrics {
            calls: CodeCounters::new("rpc_client_calls_total", vec![("endpoint", label.clone())]),
            duration: metrics::histogram!("rpc_client_call_duration_seconds", "endpoint" => label),
            endpoint,
        }
    }

    /// Starts observing a call of `request`: its span, and its trace
    /// context written into the request's metadata.
    pub(crate) fn begin(&self, request: &mut RawRequest, started: Instant) -> CallObservation {
        let span = tracing::info_span!(
            "rpc.client",
            otel.kind = "client",
            rpc.service = %request.service,
            rpc.method = %request.method,
            endpoint = %self.endpoint,
            codec = %request.codec,
            retry = request.options.retry,
            request_bytes = request.payload.len(),
            reply_bytes = Empty,
            status = Empty,
            trace_id = Empty,
            span_id = Empty,
            parent_span_id = Empty,
        );
        let parent = rpc_core::trace::current();
        // With OpenTelemetry in use, this span's own ids (its parent is the
        // span current here, e.g. the server span of a handler).
        #[cfg(feature = "otel")]
        let otel = (!span.is_disabled())
            .then(|| TraceContext::of_span(&span))
            .flatten();
        #[cfg(not(feature = "otel"))]
        let otel: Option<TraceContext> = None;
        let sent = match (otel, &parent) {
            (Some(otel), parent) => Some(otel.with_state_of(parent.as_ref())),
            (None, Some(parent)) => Some(parent.child()),
            (None, None) if !span.is_disabled() => Some(TraceContext::new_root()),
            (None, None) => None,
        };
        if let Some(sent) = &sent {
            sent.inject(&mut request.options.metadata);
            if !span.is_disabled() {
                span.record("trace_id", sent.trace_id_hex());
                span.record("span_id", sent.span_id_hex());
                if let Some(parent) = &parent {
                    span.record("parent_span_id", parent.span_id_hex());
                }
            }
        }
        CallObservation { span, started }
    }

    /// A call observed since `observation` ended with `result`.
    pub(crate) fn end(&self, observation: &CallObservation, result: &Result<RawReply, Status>) {
        let code = match result {
            Ok(reply) => {
                observation.span.record("reply_bytes", reply.payload.len());
                Code::Ok
            }
            Err(status) => status.code(),
        };
        observation.span.record("status", code.name());
        self.calls.of(code).increment(1);
        self.duration
            .record(observation.started.elapsed().as_secs_f64());
    }
}

/// A call being observed.
#[derive(Debug)]
pub(crate) struct CallObservation {
    pub(crate) span: tracing::Span,
    started: Instant,
}
