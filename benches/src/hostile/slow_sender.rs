//! The pace shared by the slow attacks: one connection writing a frame a
//! little at a time, noting when the server closes it.

use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::hostile::wire;

/// How one slow connection ended.
#[derive(Debug)]
pub enum SlowEnd {
    /// The server closed it (EOF, reset, or a write refused) this long after the phase started.
    ClosedByServer(Duration),
    /// Still open when the phase ended.
    OpenAtEnd,
    /// Could not connect.
    ConnectFailed,
}

/// Connects to `addr` and writes `frame` `chunk` bytes every `pace`
/// (looping over the frame if it ends) until `until` or the server closes
/// the connection. Returns how it ended and the bytes written.
pub async fn send_slowly(
    addr: &str,
    frame: Bytes,
    chunk: usize,
    pace: Duration,
    phase_start: Instant,
    until: Instant,
) -> (SlowEnd, u64) {
    let Ok(stream) = tokio::net::TcpStream::connect(addr).await else {
        return (SlowEnd::ConnectFailed, 0);
    };
    let _ = stream.set_nodelay(true);
    let (mut read, mut write) = stream.into_split();
    let mut ticks = tokio::time::interval(pace);
    let mut offset = 0;
    let mut written = 0_u64;
    let mut scratch = [0_u8; 4096];
    let deadline = tokio::time::Instant::from_std(until);
    loop {
        tokio::select! {
            () = tokio::time::sleep_until(deadline) => return (SlowEnd::OpenAtEnd, written),
            // A server that answers (an error status, say) before closing is
            // still read; only EOF or a reset counts as the close.
            read = read.read(&mut scratch) => match read {
                Ok(0) | Err(_) => return (SlowEnd::ClosedByServer(phase_start.elapsed()), written),
                Ok(_) => {}
            },
            _ = ticks.tick() => {
                let end = (offset + chunk).min(frame.len());
                let write_timeout = until.saturating_duration_since(Instant::now());
                match tokio::time::timeout(write_timeout, write.write_all(&frame[offset..end])).await {
                    Ok(Ok(())) => written += (end - offset) as u64,
                    Ok(Err(_)) => return (SlowEnd::ClosedByServer(phase_start.elapsed()), written),
                    Err(_) => return (SlowEnd::OpenAtEnd, written),
                }
                offset = if end == frame.len() { 0 } else { end };
            }
        }
    }
}

/// A call frame for the slow attacks: the benchmark call (a valid frame,
/// delivered too slowly).
pub fn call_frame() -> Bytes {
    wire::benchmark_call(1)
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncReadExt;
    use tokio::net::TcpListener;

    use super::*;

    #[tokio::test]
    async fn a_close_by_the_server_is_seen_and_timed() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let server = tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut first = [0; 3];
            stream.read_exact(&mut first).await.unwrap();
            // Closing with nothing unread: the sender sees EOF.
        });
        let start = Instant::now();
        let (end, written) = send_slowly(
            &addr,
            call_frame(),
            1,
            Duration::from_millis(20),
            start,
            start + Duration::from_secs(10),
        )
        .await;
        server.await.unwrap();
        assert!(matches!(end, SlowEnd::ClosedByServer(at) if at < Duration::from_secs(10)));
        assert!(written >= 3);
    }

    #[tokio::test]
    async fn a_connection_held_to_the_end_is_reported_open() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let server = tokio::spawn(async move { listener.accept().await.unwrap() });
        let start = Instant::now();
        let (end, written) = send_slowly(
            &addr,
            call_frame(),
            1,
            Duration::from_millis(20),
            start,
            start + Duration::from_millis(200),
        )
        .await;
        drop(server.await.unwrap());
        assert!(matches!(end, SlowEnd::OpenAtEnd));
        assert!(written > 0);
    }
}
