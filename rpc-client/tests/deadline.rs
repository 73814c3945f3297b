//! The deadline budget: a handler that outlives it is cancelled, and a call
//! whose budget is spent before it runs is refused without running. On the
//! client, a call ends at its own deadline even behind calls with later
//! ones, and the server is told to cancel it.

mod support;

use std::task::{Context, Poll};
use std::time::Duration;

use rpc_client::{CallOptions, ClientConfig};
use rpc_core::frame::Message;
use rpc_core::server::Server;
use rpc_core::{BoxFuture, Code, ServiceCall, ServiceReply, Status};
use support::Counters;

#[tokio::test]
async fn a_handler_outliving_the_budget_is_cancelled() {
    let (server, counters) = support::start(Server::builder()).await;
    let client = support::client(&server, ClientConfig::default());
    let options = CallOptions::new().timeout(Duration::from_millis(100));
    let status = client
        .call_with::<u64, u64>("Test", "sleep", &30_000, options)
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status}");
    // The server stops the handler on its own (budget), without the 30 s sleep.
    wait_for(|| Counters::get(&counters.abandoned) == 1).await;
    assert_eq!(Counters::get(&counters.finished), 0);
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn the_server_answers_deadline_exceeded_when_the_handler_runs_out_of_budget() {
    let (server, counters) = support::start(Server::builder()).await;
    let mut raw = support::raw(&server).await;
    let mut frame = support::request(5, "sleep", b"30000");
    if let Message::Request(request) = &mut frame.message {
        request.deadline = Some(Duration::from_millis(50));
    }
    support::write_frame(&mut raw, &frame).await;
    let answer = support::read_frame(&mut raw).await.expect("an answer");
    let Message::Response(response) = answer.message else {
        panic!("expected a response, got {answer:?}")
    };
    assert_eq!(answer.request_id, 5);
    assert_eq!(response.code, Code::DeadlineExceeded);
    assert_eq!(Counters::get(&counters.abandoned), 1);
    server.shutdown_and_wait().await;
}

/// Holds every call for 50 ms before passing it on, as a queueing layer would.
#[derive(Clone)]
struct Delay<S>(S);

impl<S> tower::Service<ServiceCall> for Delay<S>
where
    S: tower::Service<ServiceCall, Response = ServiceReply, Error = Status>
        + Clone
        + Send
        + 'static,
    S::Future: Send,
{
    type Response = ServiceReply;
    type Error = Status;
    type Future = BoxFuture<Result<ServiceReply, Status>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Status>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, call: ServiceCall) -> Self::Future {
        let mut inner = self.0.clone();
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            inner.call(call).await
        })
    }
}

#[tokio::test]
async fn a_budget_spent_before_dispatch_is_refused_without_running_the_handler() {
    let builder = Server::builder().layer(tower::layer::layer_fn(Delay));
    let (server, counters) = support::start(builder).await;
    let mut raw = support::raw(&server).await;
    let mut frame = support::request(9, "sleep", b"0");
    if let Message::Request(request) = &mut frame.message {
        request.deadline = Some(Duration::from_millis(1));
    }
    support::write_frame(&mut raw, &frame).await;
    let answer = support::read_frame(&mut raw).await.expect("an answer");
    let Message::Response(response) = answer.message else {
        panic!("expected a response, got {answer:?}")
    };
    assert_eq!(
        response.code,
        Code::DeadlineExceeded,
        "{}",
        response.message
    );
    assert_eq!(Counters::get(&counters.started), 0, "the handler never ran");
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_shorter_deadline_behind_a_longer_one_ends_first() {
    let (server, counters) = support::start(Server::builder()).await;
    let client = support::client(&server, ClientConfig::default());
    let long = tokio::spawn({
        let client = client.clone();
        async move {
            let options = CallOptions::new().timeout(Duration::from_secs(30));
            client
                .call_with::<u64, u64>("Test", "sleep", &60_000, options)
                .await
        }
    });
    wait_for(|| Counters::get(&counters.started) == 1).await;
    let options = CallOptions::new().timeout(Duration::from_millis(100));
    let short = client.call_with::<u64, u64>("Test", "sleep", &60_000, options);
    // Not a timing threshold: 20 s only tells "ended at its own deadline"
    // from "waited for the 30 s call's deadline" (a lost wake-up).
    let status = tokio::time::timeout(Duration::from_secs(20), short)
        .await
        .expect("the 100 ms call waited for the 30 s call's deadline")
        .unwrap_err();
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status}");
    assert!(
        status.message().contains("no reply within 100ms"),
        "{status}"
    );
    assert!(
        !long.is_finished(),
        "the 30 s call ended with the 100 ms one"
    );
    long.abort();
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_call_whose_deadline_passes_is_cancelled_on_the_server() {
    use futures_util::StreamExt;
    use rpc_core::frame::FrameCodec;

    // A server that reads every frame and answers none.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (frames_tx, mut frames) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let mut read = tokio_util::codec::FramedRead::new(stream, FrameCodec::new());
        while let Some(Ok(frame)) = read.next().await {
            let _ = frames_tx.send(frame);
        }
    });
    let client = rpc_client::Client::with_config(
        rpc_client::Target::Tcp(addr.to_string()),
        ClientConfig::default(),
    );
    let options = CallOptions::new().timeout(Duration::from_millis(100));
    let status = client
        .call_with::<u64, u64>("Test", "sleep", &1, options)
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status}");

    let mut request_id = None;
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), frames.recv())
            .await
            .expect("the cancel frame comes")
            .expect("the server still reads");
        match frame.message {
            Message::Request(_) => request_id = Some(frame.request_id),
            Message::Cancel => {
                assert_eq!(Some(frame.request_id), request_id, "cancels the call sent");
                break;
            }
            _ => {}
        }
    }
}

async fn wait_for(condition: impl Fn() -> bool) {
    for _ in 0..1000 {
        if condition() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("condition not met within 10 s");
}
