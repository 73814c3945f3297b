//! The bridge to OpenTelemetry (feature `otel`): with a
//! `tracing_opentelemetry` layer installed, the ids a call's span gets from
//! OpenTelemetry are the ones sent in `traceparent` and recorded, and an
//! adopted `traceparent` becomes the OpenTelemetry parent of the server's
//! span, so exported traces link across processes. Without such a layer
//! these functions find no span context and the plain ids of
//! [`TraceContext`] are used.

use opentelemetry::trace::{
    SpanContext, SpanId, TraceContextExt as _, TraceFlags, TraceId, TraceState,
};
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

use super::TraceContext;

impl TraceContext {
    /// This context as a remote OpenTelemetry parent.
    pub fn to_otel_context(&self) -> opentelemetry::Context {
        let span_context = SpanContext::new(
            TraceId::from_bytes(self.trace_id),
            SpanId::from_bytes(self.span_id),
            TraceFlags::new(self.flags),
            true,
            TraceState::default(),
        );
        opentelemetry::Context::new().with_remote_span_context(span_context)
    }

    /// The OpenTelemetry ids of `span`, if an OpenTelemetry layer gave it
    /// valid ones. Builds the span's OpenTelemetry side: set its parent
    /// first.
    pub fn of_span(span: &tracing::Span) -> Option<TraceContext> {
        let context = span.context();
        let otel_span = context.span();
        let ids = otel_span.span_context();
        ids.is_valid().then(|| TraceContext {
            trace_id: ids.trace_id().to_bytes(),
            span_id: ids.span_id().to_bytes(),
            flags: ids.trace_flags().to_u8(),
            state: None,
        })
    }
}

/// Makes `parent` (a caller's adopted context) the OpenTelemetry parent of
/// the server span `span`, and returns the span's own OpenTelemetry ids
/// (with the caller's `tracestate`), if OpenTelemetry is in use.
pub(crate) fn adopt(span: &tracing::Span, parent: Option<&TraceContext>) -> Option<TraceContext> {
    if span.is_disabled() {
        return None;
    }
    if let Some(parent) = parent {
        // Fails only if the span was already started: it was created just
        // before this call, so it was not.
        let _ = span.set_parent(parent.to_otel_context());
    }
    let mut own = TraceContext::of_span(span)?;
    own.state = parent.and_then(|parent| parent.state.clone());
    Some(own)
}
