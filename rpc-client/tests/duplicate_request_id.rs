//! A request id reused while the first call with it runs is a protocol
//! violation: the server closes the connection, and the first call gets
//! exactly one answer (`cancelled`), never two answers with one id.

mod support;

use rpc_core::Code;
use rpc_core::frame::Message;
use rpc_core::server::Server;

#[tokio::test]
async fn a_reused_id_in_flight_closes_the_connection_with_one_answer_per_id() {
    let (server, counters) = support::start(Server::builder()).await;
    let mut raw = support::raw(&server).await;
    support::write_frame(&mut raw, &support::request(7, "sleep", b"300")).await;
    support::write_frame(&mut raw, &support::request(7, "sleep", b"0")).await;
    let mut answers = Vec::new();
    while let Some(frame) = support::read_frame(&mut raw).await {
        match frame.message {
            Message::Response(response) => answers.push((frame.request_id, response.code)),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(answers, [(7, Code::Cancelled)]);
    assert_eq!(support::Counters::get(&counters.finished), 0);
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn an_id_may_be_reused_once_its_call_is_answered() {
    let (server, _) = support::start(Server::builder()).await;
    let mut raw = support::raw(&server).await;
    for _ in 0..3 {
        support::write_frame(&mut raw, &support::request(7, "sleep", b"10")).await;
        let frame = support::read_frame(&mut raw).await.expect("an answer");
        assert_eq!(frame.request_id, 7);
        assert!(matches!(frame.message, Message::Response(r) if r.code == Code::Ok));
    }
    server.shutdown_and_wait().await;
}
