//! The wire-name rule (`docs/PROTOCOL.md` §3.1) against a real server on
//! 127.0.0.1: a macro-generated service answers to the trait's name and to
//! each method's UpperCamelCase name (`Arith.Mul`, as a Go rpcx client calls
//! it), names are case-sensitive, an explicit `name` is used as given, and an
//! empty name is answered as an unknown one, leaving the connection usable.

use rpc::{Client, Code, Server, ServerHandle, Status};

/// Methods whose Rust names exercise the conversion.
#[rpc::service]
pub trait Arith {
    /// `a * b`.
    async fn mul(&self, args: (i64, i64)) -> Result<i64, Status>;
    /// The user's name: several words.
    async fn get_user(&self, id: u32) -> Result<String, Status>;
    /// A digit inside a word.
    async fn div2(&self, x: i64) -> Result<i64, Status>;
    /// Named explicitly: used exactly as given, lower case included.
    #[rpc(name = "neg")]
    async fn negate(&self, x: i64) -> Result<i64, Status>;
}

/// A service named explicitly; its method names still follow the rule.
#[rpc::service(name = "tools.echo")]
pub trait Echo {
    /// Returns the argument.
    async fn say_it(&self, text: String) -> Result<String, Status>;
}

struct Calculator;

impl Arith for Calculator {
    async fn mul(&self, (a, b): (i64, i64)) -> Result<i64, Status> {
        Ok(a * b)
    }

    async fn get_user(&self, id: u32) -> Result<String, Status> {
        Ok(format!("user-{id}"))
    }

    async fn div2(&self, x: i64) -> Result<i64, Status> {
        Ok(x / 2)
    }

    async fn negate(&self, x: i64) -> Result<i64, Status> {
        Ok(-x)
    }
}

struct Parrot;

impl Echo for Parrot {
    async fn say_it(&self, text: String) -> Result<String, Status> {
        Ok(text)
    }
}

async fn start() -> (ServerHandle, Client) {
    let server = Server::builder()
        .service(ArithServer::new(Calculator))
        .service(EchoServer::new(Parrot))
        .bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = server.local_addr().expect("a TCP address");
    (server, Client::new(addr.to_string()))
}

/// The status of a call expected to fail.
async fn refused(client: &Client, service: &str, method: &str) -> Status {
    match client
        .call::<_, i64>(service, method, &(6_i64, 7_i64))
        .await
    {
        Ok(reply) => panic!("{service}.{method} answered {reply}; expected a refusal"),
        Err(status) => status,
    }
}

#[tokio::test]
async fn methods_answer_to_their_upper_camel_case_names() {
    let (server, client) = start().await;
    let product: i64 = client.call("Arith", "Mul", &(6_i64, 7_i64)).await.unwrap();
    assert_eq!(product, 42);
    let user: String = client.call("Arith", "GetUser", &7_u32).await.unwrap();
    assert_eq!(user, "user-7");
    let half: i64 = client.call("Arith", "Div2", &84_i64).await.unwrap();
    assert_eq!(half, 42);
    let echoed: String = client
        .call("tools.echo", "SayIt", &"hi".to_owned())
        .await
        .unwrap();
    assert_eq!(echoed, "hi");
    // The typed stub sends the same names.
    assert_eq!(ArithClient::new(client.clone()).mul(&(3, 4)).await, Ok(12));
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn names_are_case_sensitive() {
    let (server, client) = start().await;
    let mut failures = 0;
    for (service, method, code) in [
        ("Arith", "mul", Code::MethodNotFound),
        ("Arith", "MUL", Code::MethodNotFound),
        ("Arith", "get_user", Code::MethodNotFound),
        ("Arith", "Getuser", Code::MethodNotFound),
        ("arith", "Mul", Code::ServiceNotFound),
        ("tools.Echo", "SayIt", Code::ServiceNotFound),
    ] {
        let status = refused(&client, service, method).await;
        if status.code() != code {
            eprintln!("{service}.{method}: expected {code:?}, got {status}");
            failures += 1;
        }
    }
    assert_eq!(failures, 0);
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn an_explicit_name_is_used_exactly_as_given() {
    let (server, client) = start().await;
    let negated: i64 = client.call("Arith", "neg", &5_i64).await.unwrap();
    assert_eq!(negated, -5);
    for method in ["Neg", "Negate", "negate"] {
        let status = refused(&client, "Arith", method).await;
        assert_eq!(status.code(), Code::MethodNotFound, "{method}: {status}");
    }
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn an_empty_name_is_an_unknown_name_and_the_connection_stays() {
    let (server, client) = start().await;
    let status = refused(&client, "", "Mul").await;
    assert_eq!(status.code(), Code::ServiceNotFound, "{status}");
    let status = refused(&client, "Arith", "").await;
    assert_eq!(status.code(), Code::MethodNotFound, "{status}");
    let product: i64 = client.call("Arith", "Mul", &(2_i64, 3_i64)).await.unwrap();
    assert_eq!(product, 6);
    server.shutdown_and_wait().await;
}
