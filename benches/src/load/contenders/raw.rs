//! The floor: the least a framed, multiplexed RPC over TCP must do. Frames
//! are `u32 length | u32 request id | protobuf bytes`; the server decodes the
//! protobuf, answers, re-encodes, all inline in the connection's reader, and
//! a writer task batches replies into few writes; the client multiplexes
//! callers over the connection by request id, also with a batching writer.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use bytes::{Buf, BufMut, Bytes, BytesMut};
use prost::Message;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};

use crate::BenchmarkMessage;
use crate::load::{Caller, answer};

const MAX_FRAME: usize = 1 << 20;

/// Serves the floor on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        tokio::spawn(serve_connection(stream));
    }
}

async fn serve_connection(stream: TcpStream) {
    let (mut reader, writer) = stream.into_split();
    let (replies, queue) = mpsc::channel::<Bytes>(4096);
    tokio::spawn(write_batches(queue, writer));
    let mut buf = BytesMut::with_capacity(64 * 1024);
    loop {
        while let Some((id, body)) = next_frame(&mut buf) {
            let Ok(request) = BenchmarkMessage::decode(body) else {
                return;
            };
            let reply = answer(request);
            let mut out = BytesMut::with_capacity(8 + reply.encoded_len());
            out.put_u32((4 + reply.encoded_len()) as u32);
            out.put_u32(id);
            if reply.encode(&mut out).is_err() || replies.send(out.freeze()).await.is_err() {
                return;
            }
        }
        match reader.read_buf(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

/// Takes one complete frame off `buf`: its id and protobuf body.
fn next_frame(buf: &mut BytesMut) -> Option<(u32, Bytes)> {
    if buf.len() < 4 {
        return None;
    }
    let length = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
    if !(4..=MAX_FRAME).contains(&length) || buf.len() < 4 + length {
        return None;
    }
    buf.advance(4);
    let mut frame = buf.split_to(length).freeze();
    let id = frame.get_u32();
    Some((id, frame))
}

async fn write_batches(
    mut queue: mpsc::Receiver<Bytes>,
    mut writer: tokio::net::tcp::OwnedWriteHalf,
) {
    let mut batch = BytesMut::with_capacity(64 * 1024);
    while let Some(first) = queue.recv().await {
        batch.extend_from_slice(&first);
        while batch.len() < 64 * 1024 {
            match queue.try_recv() {
                Ok(more) => batch.extend_from_slice(&more),
                Err(_) => break,
            }
        }
        if writer.write_all(&batch).await.is_err() {
            return;
        }
        batch.clear();
    }
}

type Waiting = Arc<Mutex<HashMap<u32, oneshot::Sender<Bytes>>>>;

/// One multiplexed floor connection.
#[derive(Debug)]
pub struct RawConnection {
    requests: mpsc::Sender<Bytes>,
    waiting: Waiting,
    next_id: AtomicU32,
}

/// `connections` floor connections to `addr`.
pub async fn connect(addr: SocketAddr, connections: usize) -> Result<Vec<RawConnection>, String> {
    let mut all = Vec::new();
    for _ in 0..connections.max(1) {
        let stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let (mut reader, writer) = stream.into_split();
        let (requests, queue) = mpsc::channel(4096);
        tokio::spawn(write_batches(queue, writer));
        let waiting: Waiting = Arc::default();
        let completions = Arc::clone(&waiting);
        tokio::spawn(async move {
            let mut buf = BytesMut::with_capacity(64 * 1024);
            loop {
                while let Some((id, body)) = next_frame(&mut buf) {
                    let waiter = completions
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .remove(&id);
                    if let Some(waiter) = waiter {
                        let _ = waiter.send(body);
                    }
                }
                match reader.read_buf(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        });
        all.push(RawConnection {
            requests,
            waiting,
            next_id: AtomicU32::new(1),
        });
    }
    Ok(all)
}

impl Caller for RawConnection {
    async fn call(&self, request: &BenchmarkMessage) -> Result<BenchmarkMessage, String> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.waiting
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, tx);
        let mut out = BytesMut::with_capacity(8 + request.encoded_len());
        out.put_u32((4 + request.encoded_len()) as u32);
        out.put_u32(id);
        request.encode(&mut out).map_err(|e| e.to_string())?;
        self.requests
            .send(out.freeze())
            .await
            .map_err(|_| "connection closed".to_owned())?;
        let body = rx.await.map_err(|_| "connection closed".to_owned())?;
        BenchmarkMessage::decode(body).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_50_calls_over_2_connections() {
        super::super::test_support::answers_50_calls_over_2_connections(serve, connect).await;
    }
}
