//! [`Response`]: the body of response frames.

use bytes::{BufMut, Bytes, BytesMut};
use bytestring::ByteString;

use crate::frame::wire::{BodyReader, check_len, metadata_len, put_metadata};
use crate::frame::{FrameError, MessageType, MetadataLimits};
use crate::{Code, Metadata, Status};

/// The value of the origin mark ([`ORIGIN_KEY`](crate::ORIGIN_KEY)).
const FRAMEWORK_MARK: &str = "framework";

/// The answer to a request.
///
/// Body layout (big-endian):
///
/// | size | field |
/// |---|---|
/// | 1 | status code |
/// | 2 | message length L |
/// | L | message, UTF-8 (empty on success) |
/// | 2+ | metadata block |
/// | rest | payload: the reply when the code is ok; otherwise the status's details (usually empty) |
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The outcome.
    pub code: Code,
    /// A human-readable explanation when the code is not ok.
    pub message: ByteString,
    /// Reply metadata.
    pub metadata: Metadata,
    /// The encoded (and possibly compressed) reply.
    pub payload: Bytes,
}

impl Response {
    /// A successful response carrying `payload`.
    pub fn ok(payload: Bytes) -> Response {
        Response {
            code: Code::Ok,
            message: ByteString::new(),
            metadata: Metadata::new(),
            payload,
        }
    }

    /// A failed response carrying `status`.
    ///
    /// A message longer than the 65,535 bytes its length prefix allows is cut
    /// at a character boundary, so that an error can always be answered.
    ///
    /// A status the framework decided carries the origin mark
    /// ([`ORIGIN_KEY`](crate::ORIGIN_KEY)); any such key already in the
    /// metadata of an application's status is dropped, so a handler cannot
    /// pass a downstream server's verdict off as its own server's.
    ///
    /// The status's [details](Status::details) become the payload, as they
    /// are (uncompressed).
    pub fn from_status(mut status: Status) -> Response {
        let framework = status.is_framework();
        let details = status.take_details();
        let (code, message, mut metadata) = status.into_parts();
        metadata.remove(crate::ORIGIN_KEY);
        if framework {
            metadata.insert(crate::ORIGIN_KEY, FRAMEWORK_MARK);
        }
        let message = truncate_message(message);
        Response {
            code,
            message,
            metadata,
            payload: details,
        }
    }

    /// The payload when the code is ok, the status otherwise: decided by the
    /// peer's framework if the response carries the origin mark, by its
    /// application otherwise ([`Origin`](crate::Origin)). A failed
    /// response's payload becomes the status's [details](Status::details),
    /// still in the frame's compression.
    pub fn into_result(self) -> Result<(Metadata, Bytes), Status> {
        if self.code == Code::Ok {
            return Ok((self.metadata, self.payload));
        }
        let mut metadata = self.metadata;
        let framework = metadata.get(crate::ORIGIN_KEY) == Some(FRAMEWORK_MARK);
        metadata.remove(crate::ORIGIN_KEY);
        let origin = if framework {
            crate::Origin::Framework
        } else {
            crate::Origin::Application
        };
        Err(Status::new(self.code, self.message)
            .with_metadata(metadata)
            .with_details(self.payload)
            .with_origin(origin))
    }

    /// The body's encoded size, after checking every length prefix.
    pub(crate) fn encoded_len(&self) -> Result<usize, FrameError> {
        check_len("status message", self.message.len(), usize::from(u16::MAX))?;
        Ok(1 + 2 + self.message.len() + metadata_len(&self.metadata)? + self.payload.len())
    }

    /// Writes the body; [`Response::encoded_len`] must have succeeded.
    pub(crate) fn write(&self, dst: &mut BytesMut) {
        dst.put_u8(self.code.as_u8());
        dst.put_u16(self.message.len() as u16);
        dst.put_slice(self.message.as_bytes());
        put_metadata(dst, &self.metadata);
        dst.put_slice(&self.payload);
    }

    pub(crate) fn read(body: Bytes, limits: &MetadataLimits) -> Result<Response, FrameError> {
        let mut reader = BodyReader::new(body, MessageType::Response);
        let code = Code::from_u8(reader.u8("truncated status code")?);
        let message_len = usize::from(reader.u16("truncated status message length")?);
        let message = reader.string(message_len, "status message truncated or not UTF-8")?;
        let metadata = reader.metadata(limits)?;
        Ok(Response {
            code,
            message,
            metadata,
            payload: reader.rest(),
        })
    }
}

fn truncate_message(message: ByteString) -> ByteString {
    let max = usize::from(u16::MAX);
    if message.len() <= max {
        return message;
    }
    let mut end = max;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    ByteString::from(&message[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_status_messages_are_cut_at_a_char_boundary() {
        let long = "é".repeat(40_000); // 80,000 bytes
        let response = Response::from_status(Status::internal(long));
        assert_eq!(response.message.len(), 65_534);
        assert!(response.encoded_len().is_ok());
    }
}
