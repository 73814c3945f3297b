//! What an attack did and saw: frames sent, replies read, and when the
//! server closed the attacking connections ([`AttackerStats`]); and
//! [`flood`], the sender shared by the attacks that repeat one costly frame.

use std::time::{Duration, Instant};

use bytes::Bytes;
use rpc_core::Code;
use rpc_core::frame::Message;
use tokio::sync::mpsc;

use crate::hostile::wire;

/// The attacking side of one phase.
#[derive(Debug, Default)]
pub struct AttackerStats {
    /// Connections opened (a flood reconnects when the server closes one).
    pub connections: u64,
    /// Frames (or, for the slow attacks, bytes) fully written.
    pub sent: u64,
    /// Responses read.
    pub replies: u64,
    /// Responses with a status other than ok, by the first one's text.
    pub error_replies: u64,
    /// The first non-ok status seen.
    pub first_error_reply: Option<String>,
    /// When the server closed an attacking connection (EOF or reset seen by
    /// the attacker), measured from the start of the phase.
    pub closed_at: Vec<Duration>,
    /// Attacking connections still open when the phase ended.
    pub open_at_end: u64,
}

impl AttackerStats {
    /// `attacker_… ` key=value fields.
    pub fn fields(&self) -> String {
        let mut closed = self.closed_at.clone();
        closed.sort();
        let ms = |d: Option<&Duration>| d.map_or("-".to_owned(), |d| d.as_millis().to_string());
        format!(
            "attacker_conns={} sent={} replies={} error_replies={} server_closed={} \
             first_close_ms={} median_close_ms={} last_close_ms={} open_at_end={}",
            self.connections,
            self.sent,
            self.replies,
            self.error_replies,
            closed.len(),
            ms(closed.first()),
            ms(closed.get(closed.len() / 2)),
            ms(closed.last()),
            self.open_at_end,
        )
    }

    /// Counts one frame read from the server.
    pub fn record_reply(&mut self, message: &Message) {
        if let Message::Response(response) = message {
            self.replies += 1;
            if response.code != Code::Ok {
                self.error_replies += 1;
                self.first_error_reply
                    .get_or_insert_with(|| format!("{:?}: {}", response.code, response.message));
            }
        }
    }
}

/// Sends `frame` (a whole request frame, each copy under a new request id)
/// up to `max_frames` times as fast as the server reads, until `until`. When the
/// server closes the connection, records when and opens another. With
/// `wait_for_replies`, once every frame is written it waits (until
/// `until`) for as many replies as frames sent on the open connection.
pub async fn flood(
    addr: &str,
    frame: Bytes,
    max_frames: u64,
    until: Instant,
    wait_for_replies: bool,
) -> AttackerStats {
    let start = Instant::now();
    let mut stats = AttackerStats::default();
    while stats.sent < max_frames && Instant::now() < until {
        let Ok((mut reader, mut write)) = wire::connect(addr).await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        stats.connections += 1;
        // The reader runs beside the writer: replies are read as they come,
        // so that the attack is the frames, not unread replies.
        let (seen, mut replies) = mpsc::unbounded_channel();
        let reading = tokio::spawn(async move {
            loop {
                let left = until.saturating_duration_since(Instant::now());
                match reader.next(left.max(Duration::from_millis(1))).await {
                    Ok(frame) => {
                        if seen.send(Ok(frame.message)).is_err() {
                            return;
                        }
                    }
                    Err(error) => {
                        let _ = seen.send(Err((start.elapsed(), error)));
                        return;
                    }
                }
            }
        });
        let mut sent_here = 0;
        let mut replies_here = 0;
        let mut closed = false;
        while stats.sent < max_frames && Instant::now() < until {
            let left = until.saturating_duration_since(Instant::now());
            let id = (stats.sent + 1) as u32;
            if wire::write_with_id(&mut write, &frame, id, left)
                .await
                .is_err()
            {
                break;
            }
            stats.sent += 1;
            sent_here += 1;
            while let Ok(event) = replies.try_recv() {
                closed |= note(&mut stats, &mut replies_here, event);
            }
            if closed {
                break;
            }
        }
        if wait_for_replies && !closed {
            while replies_here < sent_here {
                let left = until.saturating_duration_since(Instant::now());
                match tokio::time::timeout(left, replies.recv()).await {
                    Ok(Some(event)) => closed |= note(&mut stats, &mut replies_here, event),
                    _ => break,
                }
                if closed {
                    break;
                }
            }
        }
        // Whatever is already there still counts; a close seen now was the server's.
        while let Ok(event) = replies.try_recv() {
            closed |= note(&mut stats, &mut replies_here, event);
        }
        reading.abort();
        if !closed {
            if stats.sent >= max_frames || Instant::now() >= until {
                stats.open_at_end += 1;
            } else {
                // A write failed without a close seen: the server reset the connection.
                stats.closed_at.push(start.elapsed());
            }
        }
    }
    stats
}

type ReadEvent = Result<Message, (Duration, String)>;

/// Counts a read event; true when it was the connection's end.
fn note(stats: &mut AttackerStats, replies_here: &mut u64, event: ReadEvent) -> bool {
    match event {
        Ok(message) => {
            stats.record_reply(&message);
            *replies_here += 1;
            false
        }
        // The reader stops at the end of the phase: not the server's doing.
        Err((_, error)) if error.starts_with("no frame within") => false,
        Err((at, _)) => {
            stats.closed_at.push(at);
            true
        }
    }
}

/// The two phases of a flood attack, each with the bystander measured: a
/// burst of `burst` copies of `frame`, then the sustained flood; `extra`
/// fields are added to both measurements.
pub async fn burst_then_sustained(
    name: &str,
    addr: &str,
    bystander: &crate::hostile::bystander::Bystander,
    scale: &crate::hostile::Scale,
    frame: bytes::Bytes,
    burst: u64,
    extra: Vec<(String, String)>,
) -> Vec<crate::hostile::report::Measurement> {
    use crate::hostile::report::during;
    let size = frame.len().to_string();
    let burst = during(
        &format!("{name}_burst"),
        bystander,
        flood(
            addr,
            frame.clone(),
            burst,
            std::time::Instant::now() + scale.burst_limit,
            true,
        ),
    )
    .await;
    let sustained = during(
        &format!("{name}_sustained"),
        bystander,
        flood(
            addr,
            frame,
            scale.max_sustained_frames,
            std::time::Instant::now() + scale.sustained,
            false,
        ),
    )
    .await;
    [burst, sustained]
        .into_iter()
        .map(|mut m| {
            m.extra.push(("frame_bytes".to_owned(), size.clone()));
            m.extra.extend(extra.iter().cloned());
            m
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncReadExt;
    use tokio::net::TcpListener;

    use super::*;

    /// A server that reads one frame per connection, then closes it: every
    /// connection the flood opened must be seen closed, none left open.
    /// The frames are 4 MiB, so that five of them cannot all sit in the
    /// sockets' buffers: the flood has to reconnect at least once.
    #[tokio::test]
    async fn flood_records_each_close_and_reconnects() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let frame = crate::hostile::slow_body::frame();
        let frame_len = frame.len();
        let server = tokio::spawn(async move {
            loop {
                let (mut stream, _) = listener.accept().await.unwrap();
                let mut buf = vec![0; frame_len];
                let _ = stream.read_exact(&mut buf).await;
            }
        });
        let stats = flood(
            &addr,
            frame,
            5,
            Instant::now() + Duration::from_secs(20),
            true,
        )
        .await;
        server.abort();
        assert_eq!(stats.sent, 5);
        assert!(stats.connections >= 2, "{stats:?}");
        assert_eq!(stats.closed_at.len() as u64, stats.connections, "{stats:?}");
        assert_eq!(stats.open_at_end, 0);
        assert_eq!(stats.replies, 0);
    }
}
