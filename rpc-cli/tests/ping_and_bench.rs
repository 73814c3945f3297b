//! `rpc ping` and `rpc bench` against a real server.

mod support;

use support::{calc_server, run};

#[tokio::test]
async fn ping_prints_a_pong_per_ping_and_fails_on_a_closed_port() {
    let (server, addr) = calc_server().await;
    let ping = run(&["ping", &addr, "-c", "3"]).await;
    assert_eq!(ping.code, 0, "{ping:?}");
    for seq in 1..=3 {
        assert!(
            ping.stdout.contains(&format!("seq={seq} time=")),
            "{ping:?}"
        );
    }
    server.shutdown_and_wait().await;
    let closed = run(&["ping", &addr]).await;
    assert_eq!(closed.code, 20, "{closed:?}");
}

#[tokio::test]
async fn bench_completes_and_draws_its_histogram() {
    let (server, addr) = calc_server().await;
    let bench = run(&[
        "bench",
        &addr,
        "Calc.Mul",
        r#"{"a":2,"b":3}"#,
        "-n",
        "300",
        "-c",
        "6",
        "--conns",
        "2",
        "--quiet",
    ])
    .await;
    assert_eq!(bench.code, 0, "{bench:?}");
    assert!(
        bench.stdout.contains("300 calls to Calc.Mul"),
        "{}",
        bench.stdout
    );
    assert!(
        bench.stdout.contains("300 ok, 0 failed"),
        "{}",
        bench.stdout
    );
    assert!(bench.stdout.contains("throughput: "), "{}", bench.stdout);
    assert!(bench.stdout.contains("p99 "), "{}", bench.stdout);
    assert!(bench.stdout.contains('█'), "{}", bench.stdout);

    // Failing calls are counted by status, and the exit status says which.
    let failing = run(&[
        "bench",
        &addr,
        "Calc.Div",
        r#"{"a":1,"b":0}"#,
        "-n",
        "20",
        "-c",
        "2",
        "--quiet",
    ])
    .await;
    assert_eq!(failing.code, 22, "{failing:?}");
    assert!(
        failing.stdout.contains("0 ok, 20 failed"),
        "{}",
        failing.stdout
    );
    assert!(
        failing.stdout.contains("application: 20"),
        "{}",
        failing.stdout
    );
    server.shutdown_and_wait().await;
}
