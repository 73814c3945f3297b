//! [`Request`]: the body of request and oneway frames.

use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use bytestring::ByteString;

use crate::Metadata;
use crate::frame::wire::{BodyReader, check_len, metadata_len, put_metadata};
use crate::frame::{FrameError, MessageType, MetadataLimits};

/// Flag bit: this request is itself a retry of an earlier attempt.
const FLAG_RETRY: u8 = 0b0000_0001;

/// A call: which method of which service, with what budget, metadata and payload.
///
/// Body layout (big-endian):
///
/// | size | field |
/// |---|---|
/// | 1 | flags: bit 0 = retry; other bits reserved, sent as 0, ignored |
/// | 4 | deadline budget in milliseconds, 0 = no deadline |
/// | 1 | service name length S |
/// | S | service name, UTF-8 |
/// | 1 | method name length M |
/// | M | method name, UTF-8 |
/// | 2+ | metadata block |
/// | rest | payload, in the header's codec and compression |
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Request {
    /// The service's wire name.
    pub service: ByteString,
    /// The method's wire name.
    pub method: ByteString,
    /// How long the caller will still wait, measured when the frame was sent.
    /// Relative, so the peers' clocks need not agree. `None`: no deadline.
    pub deadline: Option<Duration>,
    /// Whether this request is a retry; servers do not retry downstream calls
    /// made on behalf of a retried request.
    pub retry: bool,
    /// Caller metadata.
    pub metadata: Metadata,
    /// The encoded (and possibly compressed) argument.
    pub payload: Bytes,
}

impl Request {
    /// The body's encoded size, after checking every length prefix.
    pub(crate) fn encoded_len(&self) -> Result<usize, FrameError> {
        check_len("service name", self.service.len(), usize::from(u8::MAX))?;
        check_len("method name", self.method.len(), usize::from(u8::MAX))?;
        Ok(1 + 4
            + 1
            + self.service.len()
            + 1
            + self.method.len()
            + metadata_len(&self.metadata)?
            + self.payload.len())
    }

    /// Writes the body; [`Request::encoded_len`] must have succeeded.
    pub(crate) fn write(&self, dst: &mut BytesMut) {
        dst.put_u8(if self.retry { FLAG_RETRY } else { 0 });
        dst.put_u32(self.deadline.map_or(0, deadline_millis));
        dst.put_u8(self.service.len() as u8);
        dst.put_slice(self.service.as_bytes());
        dst.put_u8(self.method.len() as u8);
        dst.put_slice(self.method.as_bytes());
        put_metadata(dst, &self.metadata);
        dst.put_slice(&self.payload);
    }

    pub(crate) fn read(
        body: Bytes,
        message_type: MessageType,
        limits: &MetadataLimits,
    ) -> Result<Request, FrameError> {
        let mut reader = BodyReader::new(body, message_type);
        let flags = reader.u8("truncated flags")?;
        let deadline = match reader.u32("truncated deadline")? {
            0 => None,
            millis => Some(Duration::from_millis(u64::from(millis))),
        };
        let service_len = usize::from(reader.u8("truncated service name length")?);
        let service = reader.string(service_len, "service name truncated or not UTF-8")?;
        let method_len = usize::from(reader.u8("truncated method name length")?);
        let method = reader.string(method_len, "method name truncated or not UTF-8")?;
        let metadata = reader.metadata(limits)?;
        Ok(Request {
            service,
            method,
            deadline,
            retry: flags & FLAG_RETRY != 0,
            metadata,
            payload: reader.rest(),
        })
    }
}

/// A budget in whole milliseconds, rounded up so that a budget of a fraction
/// of a millisecond is not mistaken for "no deadline", saturating at the field's maximum.
fn deadline_millis(budget: Duration) -> u32 {
    let millis = budget.as_nanos().div_ceil(1_000_000).max(1);
    u32::try_from(millis).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadline_rounds_up_and_saturates() {
        assert_eq!(deadline_millis(Duration::from_nanos(1)), 1);
        assert_eq!(deadline_millis(Duration::ZERO), 1);
        assert_eq!(deadline_millis(Duration::from_micros(1500)), 2);
        assert_eq!(deadline_millis(Duration::from_millis(500)), 500);
        assert_eq!(deadline_millis(Duration::from_secs(u64::MAX)), u32::MAX);
    }
}
