//! Attack (e): on the bystander's *own* connection, between its calls, a
//! request frame longer than the server's maximum (4 MiB + 64 KiB, sent
//! whole). A server that skips such a frame (answering it with an error, or
//! not at all) keeps the connection, and the calls after it succeed; one
//! that closes the connection fails the calls in flight and forces a
//! reconnect. Each close is counted and the bystander reconnects, so the
//! phase always runs its full number of cycles.

use std::time::{Duration, Instant};

use bytes::Bytes;
use prost::Message as _;
use rpc_codec::Compression;
use rpc_core::Metadata;
use rpc_core::frame::{DEFAULT_MAX_FRAME_SIZE, FrameCodec, Message};

use crate::BenchmarkMessage;
use crate::hostile::attacker::AttackerStats;
use crate::hostile::bystander::BystanderStats;
use crate::hostile::report::Measurement;
use crate::hostile::{Scale, wire};
use crate::load::is_correct_reply;

/// Bytes past the server's default maximum frame size.
const OVER: usize = 64 * 1024;

/// How long one call may take before it counts as failed.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// A request frame of `DEFAULT_MAX_FRAME_SIZE + 64 KiB` bytes.
pub fn frame() -> Bytes {
    let target = DEFAULT_MAX_FRAME_SIZE as usize + OVER;
    let empty = wire::request_frame(1, Metadata::new(), Compression::None, Bytes::new());
    wire::request_frame(
        1,
        Metadata::new(),
        Compression::None,
        Bytes::from(vec![0; target - empty.len()]),
    )
}

/// One frame-level connection with its next request id.
struct Connection {
    reader: wire::FrameReader,
    write: tokio::net::tcp::OwnedWriteHalf,
    next_id: u32,
}

impl Connection {
    async fn open(addr: &str) -> Result<Connection, String> {
        let (reader, write) = wire::connect(addr).await?;
        Ok(Connection {
            reader,
            write,
            next_id: 1,
        })
    }

    fn id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }

    /// One benchmark call; answers to earlier oversized frames that arrive
    /// first are counted in `attacker`. `Err((true, _))`: the connection is lost.
    async fn call(&mut self, attacker: &mut AttackerStats) -> Result<(), (bool, String)> {
        let id = self.id();
        let lost = |error| (true, error);
        wire::write_with_id(&mut self.write, &wire::benchmark_call(id), id, CALL_TIMEOUT)
            .await
            .map_err(lost)?;
        let request = BenchmarkMessage::filled();
        let wrong = |error: String| (false, error);
        loop {
            let frame = self.reader.next(CALL_TIMEOUT).await.map_err(lost)?;
            if frame.request_id != id {
                attacker.record_reply(&frame.message);
                continue;
            }
            let Message::Response(response) = frame.message else {
                return Err(wrong("answer is not a response".to_owned()));
            };
            let (_, payload) = response.into_result().map_err(|s| wrong(s.to_string()))?;
            let reply = BenchmarkMessage::decode(payload).map_err(|e| wrong(e.to_string()))?;
            return if is_correct_reply(&request, &reply) {
                Ok(())
            } else {
                Err(wrong("wrong reply".to_owned()))
            };
        }
    }
}

/// `scale.oversized_cycles` cycles of call, oversized frame, call.
pub async fn run(addr: &str, scale: &Scale) -> Vec<Measurement> {
    let oversized = frame();
    debug_assert!(oversized.len() as u64 > u64::from(FrameCodec::new().max_frame_size()));
    let start = Instant::now();
    let mut bystander = BystanderStats::new();
    let mut attacker = AttackerStats::default();
    let mut connection = match Connection::open(addr).await {
        Ok(connection) => Some(connection),
        Err(error) => {
            bystander.record(Duration::ZERO, Err(error));
            None
        }
    };
    attacker.connections = 1;
    for _ in 0..scale.oversized_cycles {
        for after_oversized in [false, true] {
            let Some(open) = connection.as_mut() else {
                break;
            };
            let mut write_failed = None;
            if after_oversized {
                let id = open.id();
                match wire::write_with_id(&mut open.write, &oversized, id, CALL_TIMEOUT).await {
                    Ok(()) => attacker.sent += 1,
                    Err(error) => write_failed = Some(format!("oversized frame: {error}")),
                }
            }
            let sent = Instant::now();
            // The call after a refused write cannot succeed on this connection.
            let outcome = match write_failed {
                Some(error) => Err((true, error)),
                None => open.call(&mut attacker).await,
            };
            let lost = matches!(outcome, Err((true, _)));
            bystander.record(sent.elapsed(), outcome.map_err(|(_, error)| error));
            if lost {
                attacker.closed_at.push(start.elapsed());
                connection = reconnect(addr, &mut attacker, &mut bystander).await;
            }
        }
    }
    attacker.open_at_end = u64::from(connection.is_some());
    let survived = attacker.closed_at.is_empty() && bystander.errors == 0;
    vec![Measurement {
        attack: "oversized_frame".to_owned(),
        bystander,
        attacker: Some(attacker),
        extra: vec![
            ("oversized_bytes".to_owned(), oversized.len().to_string()),
            ("cycles".to_owned(), scale.oversized_cycles.to_string()),
            ("connection_survived".to_owned(), survived.to_string()),
        ],
    }]
}

/// A new connection after the server closed the last one (a failed connect
/// counts as a failed call, and the phase goes on without a connection).
async fn reconnect(
    addr: &str,
    attacker: &mut AttackerStats,
    bystander: &mut BystanderStats,
) -> Option<Connection> {
    match Connection::open(addr).await {
        Ok(connection) => {
            attacker.connections += 1;
            Some(connection)
        }
        Err(error) => {
            bystander.record(Duration::ZERO, Err(error));
            None
        }
    }
}
