//! The check every contender's unit test runs: a real server on
//! 127.0.0.1:0 answers 50 concurrent calls over 2 connections correctly.

use std::future::Future;
use std::net::SocketAddr;

use tokio::net::TcpListener;

use crate::BenchmarkMessage;
use crate::load::{Caller, is_correct_reply};

/// Serves with `serve`, connects with `connect`, checks 50 calls.
pub(super) async fn answers_50_calls_over_2_connections<C, S, K>(
    serve: impl FnOnce(TcpListener) -> S,
    connect: impl FnOnce(SocketAddr, usize) -> K,
) where
    C: Caller,
    S: Future<Output = std::io::Result<()>> + Send + 'static,
    K: Future<Output = Result<Vec<C>, String>>,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(serve(listener));
    let conns = connect(addr, 2).await.unwrap();
    assert_eq!(conns.len(), 2);
    let request = BenchmarkMessage::filled();
    let calls = (0..50).map(|i| conns[i % 2].call(&request));
    for reply in futures_util::future::join_all(calls).await {
        assert!(is_correct_reply(&request, &reply.unwrap()));
    }
    server.abort();
}
