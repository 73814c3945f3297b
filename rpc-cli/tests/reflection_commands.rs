//! `rpc list ADDR` and `rpc describe ADDR SERVICE` against a real server:
//! what reflection says, as text and JSON, with and without JSON Schemas.

mod support;

use support::{calc_server, run};

#[tokio::test]
async fn list_names_every_service_and_method() {
    let (server, addr) = calc_server().await;
    let text = run(&["list", &addr]).await;
    assert_eq!(text.code, 0, "{text:?}");
    assert!(
        text.stdout
            .starts_with("Calc\n  Calc.Mul\n  Calc.Div\n  Calc.Shout\n  Calc.Sleep\n"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("rpc.Reflection\n  rpc.Reflection.List"),
        "{}",
        text.stdout
    );

    let json = run(&["list", &addr, "--json"]).await.json();
    assert_eq!(json["services"][0]["name"], "Calc");
    assert_eq!(json["services"][0]["methods"][3], "Sleep");
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn describe_gives_types_codecs_and_schemas_where_types_have_one() {
    let (server, addr) = calc_server().await;
    let json = run(&["describe", &addr, "Calc", "--json"]).await.json();
    let mul = &json["methods"][0];
    assert_eq!(mul["name"], "Mul");
    assert!(
        mul["argument"]["name"]
            .as_str()
            .unwrap()
            .ends_with("::Args")
    );
    assert_eq!(mul["codecs"], serde_json::json!(["json", "msgpack"]));
    assert_eq!(
        mul["argument"]["schema"]["properties"]["a"]["type"],
        "integer"
    );
    let shout = &json["methods"][2];
    assert_eq!(shout["name"], "Shout");
    assert!(shout["argument"].get("schema").is_none(), "{shout}");
    assert!(shout["reply"].get("schema").is_none(), "{shout}");
    assert!(mul.get("error").is_none(), "{mul}");
    let take = &json["methods"][4];
    assert_eq!(take["name"], "Take");
    assert!(
        take["error"]["name"]
            .as_str()
            .unwrap()
            .ends_with("::Shortage"),
        "{take}"
    );
    assert_eq!(
        take["error"]["schema"]["properties"]["left"]["type"],
        "integer"
    );

    let text = run(&["describe", &addr, "Calc"]).await;
    assert_eq!(text.code, 0, "{text:?}");
    assert!(text.stdout.contains("  Mul("), "{}", text.stdout);
    assert!(
        text.stdout.contains("codecs: json, msgpack"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("argument schema:"), "{}", text.stdout);
    assert!(text.stdout.contains("typed error: "), "{}", text.stdout);
    assert!(text.stdout.contains("error schema:"), "{}", text.stdout);
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn describing_a_missing_service_exits_with_its_status() {
    let (server, addr) = calc_server().await;
    let missing = run(&["describe", &addr, "Nope"]).await;
    assert_eq!(missing.code, 11, "{missing:?}");
    assert!(missing.stderr.contains("service_not_found"), "{missing:?}");
    let usage = run(&["describe", "Calc"]).await;
    assert_eq!(usage.code, 2, "{usage:?}");
    server.shutdown_and_wait().await;
}
