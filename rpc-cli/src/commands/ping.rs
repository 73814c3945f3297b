//! `rpc ping ADDR`: protocol pings (message type 3) answered with pongs,
//! on one fresh connection, timed.

use std::time::{Duration, Instant};

use futures_util::{SinkExt as _, StreamExt as _};
use rpc::Status;
use rpc::core::frame::{Frame, FrameCodec, Message};
use tokio_util::codec::Framed;

use crate::args::PingArgs;
use crate::exit::Failure;

pub(crate) async fn run(args: PingArgs) -> Result<(), Failure> {
    let unavailable = |what: String| Failure::from(Status::unavailable(what));
    let connect = Instant::now();
    let stream = tokio::time::timeout(args.timeout, tokio::net::TcpStream::connect(&args.addr))
        .await
        .map_err(|_| {
            unavailable(format!(
                "no connection to {} within {:?}",
                args.addr, args.timeout
            ))
        })?
        .map_err(|error| unavailable(format!("cannot connect to {}: {error}", args.addr)))?;
    let _ = stream.set_nodelay(true);
    println!(
        "connected to {} in {}",
        args.addr,
        millis(connect.elapsed())
    );
    let mut frames = Framed::new(stream, FrameCodec::new());
    for seq in 1..=args.count {
        let sent = Instant::now();
        frames
            .send(Frame::control(seq, Message::Ping))
            .await
            .map_err(|error| unavailable(format!("ping {seq}: {error}")))?;
        let pong = tokio::time::timeout(args.timeout, wait_for_pong(&mut frames, seq)).await;
        match pong {
            Ok(Ok(())) => println!(
                "pong from {}: seq={seq} time={}",
                args.addr,
                millis(sent.elapsed())
            ),
            Ok(Err(failure)) => return Err(failure),
            Err(_) => {
                return Err(Failure::from(Status::deadline_exceeded(format!(
                    "no pong to ping {seq} within {:?}",
                    args.timeout
                ))));
            }
        }
    }
    Ok(())
}

async fn wait_for_pong(
    frames: &mut Framed<tokio::net::TcpStream, FrameCodec>,
    seq: u32,
) -> Result<(), Failure> {
    loop {
        match frames.next().await {
            Some(Ok(frame)) if frame.request_id == seq && frame.message == Message::Pong => {
                return Ok(());
            }
            // The server's own heartbeat pings, or a stale pong: not ours.
            Some(Ok(_)) => continue,
            Some(Err(error)) => {
                return Err(Failure::from(Status::unavailable(format!(
                    "the server sent a bad frame: {error}"
                ))));
            }
            None => {
                return Err(Failure::from(Status::unavailable(
                    "the server closed the connection",
                )));
            }
        }
    }
}

fn millis(elapsed: Duration) -> String {
    format!("{:.3} ms", elapsed.as_secs_f64() * 1000.0)
}
