//! The payload codec numbers carried in the frame header.

use std::fmt;

use crate::error::UnknownNumber;

/// How a payload is serialized. The number is the header's codec byte.
///
/// Numbers follow rpcx: 0 raw bytes, 1 JSON, 2 protobuf, 3 msgpack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
#[non_exhaustive]
pub enum Codec {
    /// The payload is opaque bytes, passed through untouched.
    Raw = 0,
    /// JSON text (serde_json).
    Json = 1,
    /// Protocol Buffers (prost).
    Protobuf = 2,
    /// MessagePack with structs encoded as maps keyed by field name (rmp-serde).
    MsgPack = 3,
}

impl Codec {
    /// Every codec, in wire-number order.
    pub const ALL: [Codec; 4] = [Codec::Raw, Codec::Json, Codec::Protobuf, Codec::MsgPack];

    /// The header byte for this codec.
    pub const fn as_u8(self) -> u8 {
        self as u8
    }

    /// A short lowercase name, as used in logs and command lines.
    pub const fn name(self) -> &'static str {
        match self {
            Codec::Raw => "raw",
            Codec::Json => "json",
            Codec::Protobuf => "protobuf",
            Codec::MsgPack => "msgpack",
        }
    }
}

impl TryFrom<u8> for Codec {
    type Error = UnknownNumber;

    fn try_from(value: u8) -> Result<Self, Self::Error> {
        match value {
            0 => Ok(Codec::Raw),
            1 => Ok(Codec::Json),
            2 => Ok(Codec::Protobuf),
            3 => Ok(Codec::MsgPack),
            other => Err(UnknownNumber(other)),
        }
    }
}

impl fmt::Display for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// A set of codecs: the ones a payload type can be encoded with.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CodecSet(u8);

impl CodecSet {
    /// No codec at all.
    pub const EMPTY: CodecSet = CodecSet(0);
    /// JSON and msgpack: what a serde type supports.
    pub const SERDE: CodecSet = CodecSet::EMPTY.with(Codec::Json).with(Codec::MsgPack);
    /// Protobuf only: what a prost message supports.
    pub const PROTOBUF: CodecSet = CodecSet::EMPTY.with(Codec::Protobuf);
    /// Raw bytes only.
    pub const RAW: CodecSet = CodecSet::EMPTY.with(Codec::Raw);

    /// This set plus `codec`.
    pub const fn with(self, codec: Codec) -> CodecSet {
        CodecSet(self.0 | (1 << codec as u8))
    }

    /// The union of two sets.
    pub const fn union(self, other: CodecSet) -> CodecSet {
        CodecSet(self.0 | other.0)
    }

    /// Whether `codec` is in the set.
    pub const fn contains(self, codec: Codec) -> bool {
        self.0 & (1 << codec as u8) != 0
    }

    /// The codecs in the set, in wire-number order.
    pub fn iter(self) -> impl Iterator<Item = Codec> {
        Codec::ALL.into_iter().filter(move |c| self.contains(*c))
    }
}

impl fmt::Debug for CodecSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl fmt::Display for CodecSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for codec in self.iter() {
            if !first {
                f.write_str(", ")?;
            }
            first = false;
            f.write_str(codec.name())?;
        }
        if first {
            f.write_str("none")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_unknown_numbers_are_refused() {
        for codec in Codec::ALL {
            assert_eq!(Codec::try_from(codec.as_u8()), Ok(codec));
        }
        for n in 4..=u8::MAX {
            assert_eq!(Codec::try_from(n), Err(UnknownNumber(n)));
        }
    }

    #[test]
    fn sets_hold_what_was_put_in() {
        assert!(CodecSet::SERDE.contains(Codec::Json));
        assert!(CodecSet::SERDE.contains(Codec::MsgPack));
        assert!(!CodecSet::SERDE.contains(Codec::Protobuf));
        assert!(!CodecSet::SERDE.contains(Codec::Raw));
        let all = CodecSet::SERDE.union(CodecSet::PROTOBUF);
        assert_eq!(all.to_string(), "json, protobuf, msgpack");
        assert_eq!(CodecSet::EMPTY.to_string(), "none");
    }
}
