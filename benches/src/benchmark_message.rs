//! rpcx's benchmark message, the payload every benchmark here measures.

use serde::{Deserialize, Serialize};

/// The 54-byte UTF-8 text of every string field (18 three-byte characters), as
/// in rpcx's benchmarks.
pub const TEXT: &str = "许多往事在眼前一幕一幕，变的那麼模糊";

/// rpcx's `BenchmarkMessage` (proto3 form of its benchmark suite): 40 fields,
/// 8 strings, 21 integers, 10 bools and one repeated fixed64. Filled by
/// [`BenchmarkMessage::filled`] it is 581 bytes as protobuf. It derives both
/// prost and serde, so one value feeds every codec's benchmark.
// The fields are named after their protobuf tags and mean nothing beyond them.
#[allow(missing_docs)]
#[derive(Clone, PartialEq, Serialize, Deserialize, prost::Message)]
pub struct BenchmarkMessage {
    #[prost(string, tag = "1")]
    pub field1: String,
    #[prost(string, tag = "9")]
    pub field9: String,
    #[prost(string, tag = "18")]
    pub field18: String,
    #[prost(bool, tag = "80")]
    pub field80: bool,
    #[prost(bool, tag = "81")]
    pub field81: bool,
    #[prost(int32, tag = "2")]
    pub field2: i32,
    #[prost(int32, tag = "3")]
    pub field3: i32,
    #[prost(int32, tag = "280")]
    pub field280: i32,
    #[prost(int32, tag = "6")]
    pub field6: i32,
    #[prost(int64, tag = "22")]
    pub field22: i64,
    #[prost(string, tag = "4")]
    pub field4: String,
    #[prost(fixed64, repeated, tag = "5")]
    pub field5: Vec<u64>,
    #[prost(bool, tag = "59")]
    pub field59: bool,
    #[prost(string, tag = "7")]
    pub field7: String,
    #[prost(int32, tag = "16")]
    pub field16: i32,
    #[prost(int32, tag = "130")]
    pub field130: i32,
    #[prost(bool, tag = "12")]
    pub field12: bool,
    #[prost(bool, tag = "17")]
    pub field17: bool,
    #[prost(bool, tag = "13")]
    pub field13: bool,
    #[prost(bool, tag = "14")]
    pub field14: bool,
    #[prost(int32, tag = "104")]
    pub field104: i32,
    #[prost(int32, tag = "100")]
    pub field100: i32,
    #[prost(int32, tag = "101")]
    pub field101: i32,
    #[prost(string, tag = "102")]
    pub field102: String,
    #[prost(string, tag = "103")]
    pub field103: String,
    #[prost(int32, tag = "29")]
    pub field29: i32,
    #[prost(bool, tag = "30")]
    pub field30: bool,
    #[prost(int32, tag = "60")]
    pub field60: i32,
    #[prost(int32, tag = "271")]
    pub field271: i32,
    #[prost(int32, tag = "272")]
    pub field272: i32,
    #[prost(int32, tag = "150")]
    pub field150: i32,
    #[prost(int32, tag = "23")]
    pub field23: i32,
    #[prost(bool, tag = "24")]
    pub field24: bool,
    #[prost(int32, tag = "25")]
    pub field25: i32,
    #[prost(bool, tag = "78")]
    pub field78: bool,
    #[prost(int32, tag = "67")]
    pub field67: i32,
    #[prost(int32, tag = "68")]
    pub field68: i32,
    #[prost(int32, tag = "128")]
    pub field128: i32,
    #[prost(string, tag = "129")]
    pub field129: String,
    #[prost(int32, tag = "131")]
    pub field131: i32,
}

impl BenchmarkMessage {
    /// The message as rpcx's benchmarks send it: strings [`TEXT`], integers
    /// 100000, bools true, the repeated field empty.
    pub fn filled() -> BenchmarkMessage {
        BenchmarkMessage {
            field1: TEXT.to_owned(),
            field9: TEXT.to_owned(),
            field18: TEXT.to_owned(),
            field80: true,
            field81: true,
            field2: 100_000,
            field3: 100_000,
            field280: 100_000,
            field6: 100_000,
            field22: 100_000,
            field4: TEXT.to_owned(),
            field5: Vec::new(),
            field59: true,
            field7: TEXT.to_owned(),
            field16: 100_000,
            field130: 100_000,
            field12: true,
            field17: true,
            field13: true,
            field14: true,
            field104: 100_000,
            field100: 100_000,
            field101: 100_000,
            field102: TEXT.to_owned(),
            field103: TEXT.to_owned(),
            field29: 100_000,
            field30: true,
            field60: 100_000,
            field271: 100_000,
            field272: 100_000,
            field150: 100_000,
            field23: 100_000,
            field24: true,
            field25: 100_000,
            field78: true,
            field67: 100_000,
            field68: 100_000,
            field128: 100_000,
            field129: TEXT.to_owned(),
            field131: 100_000,
        }
    }
}

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::*;

    #[test]
    fn filled_message_is_581_bytes_of_protobuf_like_rpcx() {
        assert_eq!(TEXT.len(), 54);
        assert_eq!(BenchmarkMessage::filled().encoded_len(), 581);
    }
}
