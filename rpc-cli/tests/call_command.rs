//! `rpc call` against a real server: each codec, standard input, metadata
//! both ways, and the exit status of each kind of failure.

mod support;

use support::{calc_server, calc_server_rpcx, run, run_with_stdin};

#[tokio::test]
async fn calls_in_json_and_msgpack_print_the_reply_as_json() {
    let (server, addr) = calc_server().await;
    for codec in ["json", "msgpack"] {
        let reply = run(&[
            "call",
            &addr,
            "Calc.Mul",
            r#"{"a":6,"b":7}"#,
            "--codec",
            codec,
        ])
        .await;
        assert_eq!(
            (reply.code, reply.stdout.as_str()),
            (0, "42\n"),
            "{codec}: {reply:?}"
        );
        let note = run(&[
            "call",
            &addr,
            "Calc.Shout",
            r#"{"text":"hi"}"#,
            "--codec",
            codec,
        ])
        .await;
        assert_eq!(note.json(), serde_json::json!({"text": "HI"}), "{codec}");
    }
    // Pretty-printed.
    let note = run(&["call", &addr, "Calc.Shout", r#"{"text":"x"}"#]).await;
    assert_eq!(note.stdout, "{\n  \"text\": \"X\"\n}\n");
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn the_argument_can_come_from_standard_input() {
    let (server, addr) = calc_server().await;
    let reply = run_with_stdin(&["call", &addr, "Calc.Mul"], r#"{"a":3,"b":5}"#).await;
    assert_eq!(
        (reply.code, reply.stdout.as_str()),
        (0, "15\n"),
        "{reply:?}"
    );
    let dash = run_with_stdin(&["call", &addr, "Calc.Mul", "-"], r#"{"a":2,"b":5}"#).await;
    assert_eq!(dash.stdout, "10\n");
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn metadata_goes_out_with_dash_h_and_comes_back_with_dash_v() {
    let (server, addr) = calc_server().await;
    let reply = run(&[
        "call",
        &addr,
        "Calc.Mul",
        r#"{"a":1,"b":1}"#,
        "-H",
        "trace=abc",
        "-v",
    ])
    .await;
    assert_eq!(reply.code, 0, "{reply:?}");
    assert!(reply.stderr.contains("< trace: abc"), "{reply:?}");
    let quiet = run(&[
        "call",
        &addr,
        "Calc.Mul",
        r#"{"a":1,"b":1}"#,
        "-H",
        "trace=abc",
    ])
    .await;
    assert!(!quiet.stderr.contains("trace"), "{quiet:?}");
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn failures_exit_with_distinct_statuses() {
    let (server, addr) = calc_server().await;
    let cases: [(&[&str], i32, &str); 9] = [
        (
            &["call", &addr, "Calc.Div", r#"{"a":1,"b":0}"#],
            22,
            "application: division by zero",
        ),
        (
            &["call", &addr, "Calc.Take", r#"{"a":5,"b":2}"#],
            26,
            "failed_precondition: only 2 left\ndetails: {\"left\":2,\"wanted\":5}",
        ),
        (
            &[
                "call",
                &addr,
                "Calc.Take",
                r#"{"a":7,"b":1}"#,
                "--codec",
                "msgpack",
            ],
            26,
            "details: {\"left\":1,\"wanted\":7}",
        ),
        (
            &["call", &addr, "Calc.Nope", "null"],
            12,
            "method_not_found",
        ),
        (
            &["call", &addr, "Nope.Mul", "null"],
            11,
            "service_not_found",
        ),
        (
            &["call", &addr, "Calc.Mul", r#"{"a":"x"}"#],
            13,
            "bad_request",
        ),
        (
            &["call", &addr, "Calc.Sleep", "2000", "--timeout", "200ms"],
            15,
            "deadline_exceeded",
        ),
        (&["call", &addr, "Calc.Mul", "{not json"], 1, "not JSON"),
        (
            &["call", &addr, "Calc.Mul", "{}", "--codec", "protobuf"],
            2,
            "--codec protobuf needs",
        ),
    ];
    for (args, code, message) in cases {
        let failed = run(args).await;
        assert_eq!(failed.code, code, "{args:?}: {failed:?}");
        assert!(failed.stderr.contains(message), "{args:?}: {failed:?}");
        // Only typed errors bring details.
        assert_eq!(
            failed.stderr.contains("details:"),
            message.contains("details:"),
            "{args:?}: {failed:?}"
        );
        assert!(failed.stdout.is_empty(), "{args:?}: {failed:?}");
    }
    server.shutdown_and_wait().await;
    // Nobody listens there any more.
    let gone = run(&["call", &addr, "Calc.Mul", "{}", "--timeout", "2s"]).await;
    assert_eq!(gone.code, 20, "{gone:?}");
}

#[tokio::test]
async fn dash_dash_rpcx_speaks_go_rpcx_s_protocol() {
    let (server, addr) = calc_server_rpcx().await;
    for codec in ["json", "msgpack"] {
        let reply = run(&[
            "call",
            "--rpcx",
            &addr,
            "Calc.Mul",
            r#"{"a":6,"b":7}"#,
            "--codec",
            codec,
        ])
        .await;
        assert_eq!(
            (reply.code, reply.stdout.as_str()),
            (0, "42\n"),
            "{codec}: {reply:?}"
        );
    }
    server.shutdown_and_wait().await;
    // A server without rpcx closes the connection: the call fails.
    let (native, addr) = calc_server().await;
    let refused = run(&["call", "--rpcx", &addr, "Calc.Mul", r#"{"a":6,"b":7}"#]).await;
    assert_ne!(refused.code, 0, "{refused:?}");
    assert!(refused.stderr.contains("unavailable"), "{refused:?}");
    native.shutdown_and_wait().await;
}
