//! [`RpcxMessage`]: one decoded rpcx message, and its body layout.
//!
//! The body after the header is four u32-length-prefixed fields: service
//! path, service method, metadata (inside: u32-length-prefixed key, value,
//! key, value...) and payload. Every prefix is checked against what is left
//! of the message before it is used.

use bytes::{Buf, BufMut, Bytes, BytesMut};
use rpc_codec::CompressionError;

use crate::frame::MetadataLimits;
use crate::rpcx::{MetadataTally, RpcxCompression, RpcxError, RpcxHeader};

/// A decoded rpcx message: the header's fields plus the body.
///
/// The payload is kept as it travels (compressed if the header says so);
/// [`RpcxMessage::decompressed_payload`] inflates it within a bound. Metadata
/// keeps the order it had on the wire, so a message re-encodes byte-exact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcxMessage {
    /// The header's fields.
    pub header: RpcxHeader,
    /// The service (`Arith`); empty in heartbeats.
    pub service_path: String,
    /// The method (`Mul`); empty in heartbeats.
    pub service_method: String,
    /// Metadata entries, in wire order.
    pub metadata: Vec<(String, String)>,
    /// The payload as on the wire.
    pub payload: Bytes,
}

impl RpcxMessage {
    /// The first value of metadata `key`.
    pub fn metadata_value(&self, key: &str) -> Option<&str> {
        self.metadata
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The payload decompressed, refused if it would exceed `max_output` bytes.
    pub fn decompressed_payload(&self, max_output: usize) -> Result<Bytes, CompressionError> {
        self.header
            .compression
            .compression()
            .decompress(self.payload.clone(), max_output)
    }

    /// The size of the metadata block (without its own prefix).
    fn metadata_len(&self) -> usize {
        self.metadata
            .iter()
            .map(|(k, v)| 8 + k.len() + v.len())
            .sum()
    }

    /// The size of everything after the header, checked against u32 prefixes.
    pub fn body_len(&self) -> Result<usize, RpcxError> {
        let fields = [
            ("service path", self.service_path.len()),
            ("service method", self.service_method.len()),
            ("metadata", self.metadata_len()),
            ("payload", self.payload.len()),
        ];
        let mut total = 0usize;
        for (field, length) in fields {
            if u32::try_from(length).is_err() {
                return Err(RpcxError::FieldTooLong { field, length });
            }
            total = total.saturating_add(4 + length);
        }
        Ok(total)
    }

    /// Appends the body (everything after the header) to `dst`. Lengths must
    /// have been checked with [`RpcxMessage::body_len`].
    pub(crate) fn write_body(&self, dst: &mut BytesMut) {
        put_field(dst, self.service_path.as_bytes());
        put_field(dst, self.service_method.as_bytes());
        dst.put_u32(self.metadata_len() as u32);
        for (key, value) in &self.metadata {
            put_field(dst, key.as_bytes());
            put_field(dst, value.as_bytes());
        }
        put_field(dst, &self.payload);
    }

    /// Reads the body that followed `header`.
    pub(crate) fn read(
        header: RpcxHeader,
        body: Bytes,
        limits: &MetadataLimits,
    ) -> Result<RpcxMessage, RpcxError> {
        let mut reader = Reader(body);
        let service_path = utf8(reader.field("service path")?, "service path")?;
        let service_method = utf8(reader.field("service method")?, "service method")?;
        let metadata = read_metadata(reader.field("metadata")?, limits)?;
        let payload = reader.field("payload")?;
        if !reader.0.is_empty() {
            return Err(RpcxError::TrailingBytes(reader.0.len()));
        }
        Ok(RpcxMessage {
            header,
            service_path,
            service_method,
            metadata,
            payload,
        })
    }

    /// A heartbeat or request's reply skeleton: same seq, version and
    /// serialize type, response bit set, no compression, normal status.
    pub fn reply_header(&self) -> RpcxHeader {
        RpcxHeader {
            message_type: crate::rpcx::RpcxMessageType::Response,
            compression: RpcxCompression::None,
            status: crate::rpcx::RpcxStatus::Normal,
            oneway: false,
            ..self.header
        }
    }
}

fn put_field(dst: &mut BytesMut, bytes: &[u8]) {
    dst.put_u32(bytes.len() as u32);
    dst.put_slice(bytes);
}

fn utf8(bytes: Bytes, field: &'static str) -> Result<String, RpcxError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| RpcxError::NotUtf8(field))
}

fn read_metadata(
    block: Bytes,
    limits: &MetadataLimits,
) -> Result<Vec<(String, String)>, RpcxError> {
    let mut reader = Reader(block);
    let mut entries = Vec::new();
    let mut tally = MetadataTally::new(limits);
    while !reader.0.is_empty() {
        tally.begin_entry()?;
        let key = reader.field("metadata key")?;
        let value = reader.field("metadata value")?;
        tally.add_bytes(key.len(), value.len())?;
        entries.push((utf8(key, "metadata key")?, utf8(value, "metadata value")?));
    }
    Ok(entries)
}

/// A cursor over a body whose every length prefix is checked.
struct Reader(Bytes);

impl Reader {
    fn field(&mut self, field: &'static str) -> Result<Bytes, RpcxError> {
        if self.0.len() < 4 {
            return Err(RpcxError::FieldOverrun {
                field,
                length: 4,
                remaining: self.0.len(),
            });
        }
        let length = self.0.get_u32();
        if length as usize > self.0.len() {
            return Err(RpcxError::FieldOverrun {
                field,
                length: u64::from(length),
                remaining: self.0.len(),
            });
        }
        Ok(self.0.split_to(length as usize))
    }
}
