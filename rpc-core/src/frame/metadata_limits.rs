//! [`MetadataLimits`]: how much metadata one frame may carry.

/// The most metadata a receiver accepts in one frame.
///
/// Metadata is parsed entry by entry into the frame's buffer, so its cost
/// grows with the number of entries: without a limit, one frame of 65,535
/// empty entries costs a receiver a few milliseconds and megabytes. A frame
/// over a limit is refused on its own (its call is answered `bad_request`);
/// the connection goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct MetadataLimits {
    /// Entries per frame. Default: 128.
    pub max_entries: u16,
    /// Bytes of keys and values together per frame (length prefixes not
    /// counted). Default: 16 KiB.
    pub max_bytes: usize,
}

impl MetadataLimits {
    /// At most `max_entries` entries of `max_bytes` bytes in all per frame.
    pub const fn new(max_entries: u16, max_bytes: usize) -> MetadataLimits {
        MetadataLimits {
            max_entries,
            max_bytes,
        }
    }

    /// What the protocol itself allows: 65,535 entries, each key and value
    /// up to 65,535 bytes. For tools and tests, not for servers.
    pub const UNLIMITED: MetadataLimits = MetadataLimits {
        max_entries: u16::MAX,
        max_bytes: usize::MAX,
    };
}

impl Default for MetadataLimits {
    fn default() -> Self {
        MetadataLimits {
            max_entries: 128,
            max_bytes: 16 * 1024,
        }
    }
}
