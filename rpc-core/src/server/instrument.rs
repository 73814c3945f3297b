//! [`Instrumented`]: a service wrapped, at bind time, with its metric
//! handles and a `tracing` span per call, and the trace context of each call
//! made current for its handler.
//!
//! Cost per call with no recorder and no subscriber: a method look-up over
//! the service's few names, a few no-op handle calls, two clock reads and one
//! more boxed future; with instrumentation off (`ServerConfig::instrument`)
//! services are not wrapped at all.

use std::sync::Arc;
use std::time::Instant;

use tracing::Instrument as _;
use tracing::field::Empty;

use crate::server::metrics::MethodMetrics;
use crate::trace::TraceContext;
use crate::{BoxFuture, Code, RpcService, ServiceCall, ServiceReply, Status};

/// The label of method names a service does not have: a peer chooses them,
/// so they must not create series of their own.
const UNKNOWN_METHOD: &str = "_unknown";

/// A service with its metrics and spans.
pub(crate) struct Instrumented {
    inner: Arc<dyn RpcService>,
    /// One entry per method: services have few, so a scan beats hashing.
    methods: Box<[(&'static str, Arc<MethodMetrics>)]>,
    unknown: Arc<MethodMetrics>,
}

impl Instrumented {
    pub(crate) fn new(inner: Arc<dyn RpcService>) -> Instrumented {
        let service = inner.name();
        let methods = inner
            .methods()
            .iter()
            .map(|method| (*method, Arc::new(MethodMetrics::new(service, method))))
            .collect();
        Instrumented {
            unknown: Arc::new(MethodMetrics::new(service, UNKNOWN_METHOD)),
            inner,
            methods,
        }
    }

    fn metrics_of(&self, method: &str) -> &Arc<MethodMetrics> {
        self.methods
            .iter()
            .find(|(name, _)| *name == method)
            .map_or(&self.unknown, |(_, metrics)| metrics)
    }
}

impl RpcService for Instrumented {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn methods(&self) -> &'static [&'static str] {
        self.inner.methods()
    }

    fn call(&self, call: ServiceCall) -> BoxFuture<Result<ServiceReply, Status>> {
        let metrics = Arc::clone(self.metrics_of(call.context.method()));
        let span = tracing::info_span!(
            "rpc.server",
            otel.kind = "server",
            rpc.service = %call.context.service(),
            rpc.method = %call.context.method(),
            peer = Empty,
            codec = %call.codec,
            retry = call.context.is_retry(),
            request_bytes = call.payload.len(),
            reply_bytes = Empty,
            status = Empty,
            trace_id = Empty,
            span_id = Empty,
            parent_span_id = Empty,
        );
        // A caller's trace goes on even through a server nobody watches;
        // a new trace starts only where a subscriber wants the span.
        let parent = TraceContext::from_metadata(call.context.metadata());
        // With OpenTelemetry in use, its ids (the parent adopted first).
        #[cfg(feature = "otel")]
        let otel = crate::trace::otel::adopt(&span, parent.as_ref());
        #[cfg(not(feature = "otel"))]
        let otel: Option<TraceContext> = None;
        let trace = match (otel, &parent) {
            (Some(otel), _) => Some(otel),
            (None, Some(parent)) => Some(parent.child()),
            (None, None) if !span.is_disabled() => Some(TraceContext::new_root()),
            (None, None) => None,
        };
        if !span.is_disabled() {
            if let Some(peer) = call.context.peer() {
                span.record("peer", tracing::field::display(peer));
            }
            if let Some(trace) = &trace {
                span.record("trace_id", trace.trace_id_hex());
                span.record("span_id", trace.span_id_hex());
            }
            if let Some(parent) = &parent {
                span.record("parent_span_id", parent.span_id_hex());
            }
        }
        metrics.request_bytes.increment(call.payload.len() as u64);
        metrics.in_flight.increment(1.0);
        let guard = CallGuard {
            metrics,
            started: Instant::now(),
            span: span.clone(),
            done: false,
        };
        let inner = {
            let _entered = span.enter();
            self.inner.call(call)
        };
        let call = async move {
            let mut guard = guard;
            let result = inner.await;
            guard.finish(&result);
            result
        };
        match trace {
            Some(trace) => Box::pin(trace.scope(call).instrument(span)),
            None => Box::pin(call.instrument(span)),
        }
    }
}

/// Records a call's end: its outcome, or, dropped before one (a deadline,
/// a cancel, a shutdown, a panic), `cancelled` or `internal`.
struct CallGuard {
    metrics: Arc<MethodMetrics>,
    started: Instant,
    span: tracing::Span,
    done: bool,
}

impl CallGuard {
    fn finish(&mut self, result: &Result<ServiceReply, Status>) {
        let code = match result {
            Ok(reply) => {
                self.metrics
                    .reply_bytes
                    .increment(reply.payload.len() as u64);
                self.span.record("reply_bytes", reply.payload.len());
                Code::Ok
            }
            Err(status) => status.code(),
        };
        self.record(code);
    }

    fn record(&mut self, code: Code) {
        self.done = true;
        self.metrics.in_flight.decrement(1.0);
        self.metrics.calls(code).increment(1);
        self.metrics
            .duration
            .record(self.started.elapsed().as_secs_f64());
        self.span.record("status", code.name());
    }
}

impl Drop for CallGuard {
    fn drop(&mut self) {
        if !self.done {
            let code = if std::thread::panicking() {
                Code::Internal
            } else {
                Code::Cancelled
            };
            self.record(code);
        }
    }
}
