//! W3C trace context (`traceparent` / `tracestate`) carried in call metadata,
//! so that one trace crosses every service of a call chain.
//!
//! The server adopts a caller's `traceparent` as the parent of its call and
//! runs the handler with the call's own [`TraceContext`] as the
//! [`current`] one (a task-local); a client called from inside the handler
//! sends a child of it. Ids are generated here, so traces join up without
//! OpenTelemetry; with it, these ids are the ones its spans carry.
//!
//! ```
//! use rpc_core::trace::TraceContext;
//!
//! let parent = TraceContext::parse_traceparent(
//!     "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
//! )
//! .unwrap();
//! let child = parent.child();
//! assert_eq!(child.trace_id(), parent.trace_id());
//! assert_ne!(child.span_id(), parent.span_id());
//! assert!(child.traceparent().ends_with("-01"));
//! ```
//!
//! With the `otel` feature and a `tracing_opentelemetry` layer installed,
//! OpenTelemetry's ids are used instead (see `TraceContext::of_span`), so
//! exported spans link across processes.
//!
//! Every byte of a `traceparent` comes from the network: parsing checks the
//! exact length and every character, and refuses all-zero ids, version
//! `ff` and (for version 00) anything past the four fields.

use std::fmt;
use std::future::Future;

use bytestring::ByteString;

use crate::Metadata;

#[cfg(feature = "otel")]
pub(crate) mod otel;

/// The metadata key of the W3C trace parent.
pub const TRACEPARENT: &str = "traceparent";

/// The metadata key of the W3C vendor trace state, passed on as it came.
pub const TRACESTATE: &str = "tracestate";

/// The longest `tracestate` passed on (the W3C limit is 32 members of up to
/// 256 bytes with separators, about 8 KiB; the metadata limits bound it
/// first). A longer one is dropped rather than truncated mid-member.
pub const MAX_TRACESTATE: usize = 8192;

/// Length of a version-00 `traceparent`: `vv-<32 hex>-<16 hex>-ff`.
const TRACEPARENT_LEN: usize = 55;

/// One span's place in a trace: the trace's id, the span's id, the sampled
/// flag and the vendor state.
#[derive(Clone, PartialEq, Eq)]
pub struct TraceContext {
    trace_id: [u8; 16],
    span_id: [u8; 8],
    flags: u8,
    state: Option<ByteString>,
}

/// Why a `traceparent` was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TraceParseError {
    /// Not 55 characters (or, for a future version, shorter than that).
    #[error("traceparent has the wrong length")]
    Length,
    /// A field is not lowercase hex, or a separator is not `-`.
    #[error("traceparent is not four dash-separated lowercase hex fields")]
    Syntax,
    /// Version `ff`, which the W3C forbids.
    #[error("traceparent version ff is invalid")]
    Version,
    /// An all-zero trace id or parent id.
    #[error("traceparent has an all-zero id")]
    ZeroId,
}

tokio::task_local! {
    static CURRENT: TraceContext;
}

impl TraceContext {
    /// A new trace: random trace and span ids, sampled.
    pub fn new_root() -> TraceContext {
        TraceContext {
            trace_id: nonzero_bytes(),
            span_id: nonzero_bytes(),
            flags: 0x01,
            state: None,
        }
    }

    /// A new span in the same trace (a fresh span id), with the same flags
    /// and state.
    pub fn child(&self) -> TraceContext {
        TraceContext {
            trace_id: self.trace_id,
            span_id: nonzero_bytes(),
            flags: self.flags,
            state: self.state.clone(),
        }
    }

    /// Parses a `traceparent` header value, strictly (see the module docs).
    pub fn parse_traceparent(value: &str) -> Result<TraceContext, TraceParseError> {
        let bytes = value.as_bytes();
        if bytes.len() < TRACEPARENT_LEN {
            return Err(TraceParseError::Length);
        }
        let version = hex_field::<1>(&bytes[0..2])?;
        if version[0] == 0xff {
            return Err(TraceParseError::Version);
        }
        // Version 00 is exactly four fields; a later version may append
        // fields after a dash, which this version ignores (W3C §4.3).
        let exact = bytes.len() == TRACEPARENT_LEN;
        if !exact && (version[0] == 0 || bytes[TRACEPARENT_LEN] != b'-') {
            return Err(TraceParseError::Length);
        }
        if bytes[2] != b'-' || bytes[35] != b'-' || bytes[52] != b'-' {
            return Err(TraceParseError::Syntax);
        }
        let trace_id = hex_field::<16>(&bytes[3..35])?;
        let span_id = hex_field::<8>(&bytes[36..52])?;
        let flags = hex_field::<1>(&bytes[53..55])?[0];
        if trace_id == [0; 16] || span_id == [0; 8] {
            return Err(TraceParseError::ZeroId);
        }
        Ok(TraceContext {
            trace_id,
            span_id,
            flags,
            state: None,
        })
    }

    /// The trace context a caller sent in `metadata`: `None` without a
    /// `traceparent`, or with one that does not parse (logged at DEBUG: a
    /// bad header starts a new trace, it does not fail the call).
    pub fn from_metadata(metadata: &Metadata) -> Option<TraceContext> {
        let value = metadata.get(TRACEPARENT)?;
        let mut context = match TraceContext::parse_traceparent(value) {
            Ok(context) => context,
            Err(error) => {
                tracing::debug!(%error, "ignoring a traceparent");
                return None;
            }
        };
        context.state = metadata
            .get(TRACESTATE)
            .filter(|state| state.len() <= MAX_TRACESTATE && state.is_ascii())
            .map(ByteString::from);
        Some(context)
    }

    /// Writes this context into outgoing `metadata` (replacing any there).
    pub fn inject(&self, metadata: &mut Metadata) {
        metadata.insert(TRACEPARENT, self.traceparent());
        if let Some(state) = &self.state {
            metadata.insert(TRACESTATE, state.clone());
        }
    }

    /// The `traceparent` value of this context (version 00).
    pub fn traceparent(&self) -> String {
        format!(
            "00-{}-{}-{:02x}",
            self.trace_id_hex(),
            self.span_id_hex(),
            self.flags
        )
    }

    /// The trace id.
    pub fn trace_id(&self) -> [u8; 16] {
        self.trace_id
    }

    /// The span id.
    pub fn span_id(&self) -> [u8; 8] {
        self.span_id
    }

    /// The trace id as 32 lowercase hex digits.
    pub fn trace_id_hex(&self) -> String {
        to_hex(&self.trace_id)
    }

    /// The span id as 16 lowercase hex digits.
    pub fn span_id_hex(&self) -> String {
        to_hex(&self.span_id)
    }

    /// Whether the caller sampled this trace (flag bit 0).
    pub fn is_sampled(&self) -> bool {
        self.flags & 0x01 != 0
    }

    /// The vendor `tracestate`, passed on unchanged.
    pub fn trace_state(&self) -> Option<&str> {
        self.state.as_deref()
    }

    /// This context with `other`'s `tracestate` (none if `other` is `None`).
    pub fn with_state_of(mut self, other: Option<&TraceContext>) -> TraceContext {
        self.state = other.and_then(|other| other.state.clone());
        self
    }

    /// Runs `future` with this context as the [`current`] one.
    pub fn scope<F: Future>(self, future: F) -> impl Future<Output = F::Output> {
        CURRENT.scope(self, future)
    }
}

/// The trace context of the call this task is serving (set by the server
/// around each handler, or by [`TraceContext::scope`]), if any.
pub fn current() -> Option<TraceContext> {
    CURRENT.try_with(TraceContext::clone).ok()
}

impl fmt::Debug for TraceContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TraceContext")
            .field("traceparent", &self.traceparent())
            .field("tracestate", &self.state)
            .finish()
    }
}

impl fmt::Display for TraceContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.traceparent())
    }
}

fn hex_field<const N: usize>(text: &[u8]) -> Result<[u8; N], TraceParseError> {
    let mut out = [0u8; N];
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        *byte = (hex_digit(pair[0])? << 4) | hex_digit(pair[1])?;
    }
    Ok(out)
}

fn hex_digit(c: u8) -> Result<u8, TraceParseError> {
    match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        _ => Err(TraceParseError::Syntax),
    }
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(DIGITS[usize::from(byte >> 4)] as char);
        out.push(DIGITS[usize::from(byte & 0x0f)] as char);
    }
    out
}

/// Random bytes, never all zero (an all-zero id is invalid).
fn nonzero_bytes<const N: usize>() -> [u8; N] {
    loop {
        let mut out = [0u8; N];
        out.iter_mut().for_each(|byte| *byte = fastrand::u8(..));
        if out != [0; N] {
            return out;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn a_valid_traceparent_round_trips() {
        let context = TraceContext::parse_traceparent(VALID).unwrap();
        assert_eq!(context.traceparent(), VALID);
        assert_eq!(context.trace_id_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(context.span_id_hex(), "00f067aa0ba902b7");
        assert!(context.is_sampled());
    }

    #[test]
    fn hostile_traceparents_are_refused_with_a_reason() {
        use TraceParseError::*;
        let cases = [
            ("", Length),
            (&VALID[..54], Length),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",
                Length,
            ),
            (
                "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                Version,
            ),
            (
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                Syntax,
            ),
            (
                "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                Syntax,
            ),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
                Syntax,
            ),
            (
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                ZeroId,
            ),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                ZeroId,
            ),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0é",
                Length,
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                TraceContext::parse_traceparent(input),
                Err(expected),
                "{input:?}"
            );
        }
    }

    #[test]
    fn a_later_version_may_append_fields() {
        let future = "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra";
        assert!(TraceContext::parse_traceparent(future).is_ok());
        let glued = "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x";
        assert!(TraceContext::parse_traceparent(glued).is_err());
    }

    #[test]
    fn metadata_carries_traceparent_and_tracestate() {
        let mut metadata = Metadata::new();
        metadata.insert(TRACEPARENT, VALID);
        metadata.insert(TRACESTATE, "vendor=abc");
        let context = TraceContext::from_metadata(&metadata).unwrap();
        assert_eq!(context.trace_state(), Some("vendor=abc"));
        let child = context.child();
        let mut out = Metadata::new();
        child.inject(&mut out);
        assert_eq!(out.get(TRACESTATE), Some("vendor=abc"));
        let back = TraceContext::from_metadata(&out).unwrap();
        assert_eq!(back.trace_id(), context.trace_id());
        assert_eq!(back.span_id(), child.span_id());

        metadata.insert(TRACEPARENT, "garbage");
        assert!(TraceContext::from_metadata(&metadata).is_none());
    }

    #[tokio::test]
    async fn the_current_context_is_the_scoped_one() {
        assert!(current().is_none());
        let root = TraceContext::new_root();
        let seen = root.clone().scope(async { current() }).await;
        assert_eq!(seen, Some(root));
    }
}
