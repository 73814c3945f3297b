//! [`RpcxLimits`]: how large an rpcx message a receiver accepts.

use crate::frame::{DEFAULT_MAX_FRAME_SIZE, MetadataLimits};
use crate::rpcx::HEADER_LEN;

/// The bounds an rpcx decoder enforces before it allocates.
///
/// The total length field is checked against `max_message_size` as soon as
/// the 16 header bytes are there, before any room is reserved for the body
/// (rpcx itself allocated whatever the field said: its issue #210 reports
/// 1.8 GB allocations from one bad header). The same values as the native
/// protocol's are used when a server serves both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RpcxLimits {
    /// The largest message, header included. Default: the native protocol's
    /// [`DEFAULT_MAX_FRAME_SIZE`] (4 MiB).
    pub max_message_size: u32,
    /// Entries and bytes of metadata per message.
    pub metadata: MetadataLimits,
}

impl RpcxLimits {
    /// Limits with `max_message_size` (raised to the header size if below it)
    /// and the given metadata limits.
    pub const fn new(max_message_size: u32, metadata: MetadataLimits) -> RpcxLimits {
        let floor = HEADER_LEN as u32;
        RpcxLimits {
            max_message_size: if max_message_size < floor {
                floor
            } else {
                max_message_size
            },
            metadata,
        }
    }
}

impl Default for RpcxLimits {
    fn default() -> Self {
        RpcxLimits::new(DEFAULT_MAX_FRAME_SIZE, MetadataLimits::default())
    }
}
