//! The one-process quickstart: starts a server, calls it with each codec.
//!
//! The server and the typed client are not built yet, so for now this shows
//! the part of the stack that exists: one call encoded as a frame in each
//! codec, decoded again, as the server will see it.

use rpc::core::frame::{Frame, FrameCodec, Message, Request};
use rpc::core::tokio_util::codec::Decoder;
use rpc::{Codec, Compression};

fn main() {
    println!("rpc quickstart: the server and typed client are not yet implemented;");
    println!("showing how a call to Arith.Mul(7, 8) looks on the wire in each codec.\n");
    let mut codec = FrameCodec::new();
    let payloads: [(Codec, &[u8]); 3] = [
        (Codec::Json, br#"{"a":7,"b":8}"#),
        (Codec::MsgPack, &[0x82, 0xa1, b'a', 7, 0xa1, b'b', 8]),
        (Codec::Protobuf, &[0x08, 7, 0x10, 8]),
    ];
    for (payload_codec, payload) in payloads {
        let frame = Frame {
            request_id: 1,
            codec: payload_codec,
            compression: Compression::None,
            message: Message::Request(Request {
                service: "Arith".into(),
                method: "Mul".into(),
                payload: payload.to_vec().into(),
                ..Request::default()
            }),
        };
        let mut buf = Default::default();
        if let Err(error) = codec.encode_frame(&frame, &mut buf) {
            eprintln!("{payload_codec}: cannot encode: {error}");
            std::process::exit(1);
        }
        println!("{payload_codec:>9}: {} bytes: {:02x?}", buf.len(), &buf[..]);
        match codec.decode(&mut buf) {
            Ok(Some(decoded)) if decoded == frame => {}
            other => {
                eprintln!("{payload_codec}: the frame did not decode back: {other:?}");
                std::process::exit(1);
            }
        }
    }
}
