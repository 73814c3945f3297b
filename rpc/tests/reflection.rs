//! Reflection over a real server: `rpc.Reflection.List` and `Describe` say
//! which services, methods, types and codecs the server has, in JSON and
//! msgpack, and (with the `schemars` feature) the JSON Schemas of types
//! that have one.

use rpc::core::bytes::Bytes;
use rpc::core::reflection::{DescribeRequest, REFLECTION_SERVICE, ServiceDescription, ServiceList};
use rpc::{CallOptions, Client, Code, Codec, Server, Status};

/// Serde and prost: every typed codec.
#[derive(Clone, PartialEq, prost::Message, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct Args {
    /// The first operand.
    #[prost(int64, tag = "1")]
    pub a: i64,
    /// The second operand.
    #[prost(int64, tag = "2")]
    pub b: i64,
}

/// Serde only, and no JSON Schema even with the feature on.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Opaque {
    /// Anything.
    pub text: String,
}

/// The service reflection is asked about.
#[rpc::service]
pub trait Catalog {
    /// Serde and prost types.
    async fn sum(&self, args: Args) -> Result<i64, Status>;
    /// A serde-only argument and a custom wire name.
    #[rpc(name = "echo_text")]
    async fn echo(&self, text: Opaque) -> Result<Opaque, Status>;
    /// Raw bytes.
    async fn blob(&self, bytes: Bytes) -> Result<Bytes, Status>;
    /// No argument.
    async fn ping(&self) -> Result<(), Status>;
}

struct Impl;

impl Catalog for Impl {
    async fn sum(&self, args: Args) -> Result<i64, Status> {
        Ok(args.a + args.b)
    }
    async fn echo(&self, text: Opaque) -> Result<Opaque, Status> {
        Ok(text)
    }
    async fn blob(&self, bytes: Bytes) -> Result<Bytes, Status> {
        Ok(bytes)
    }
    async fn ping(&self) -> Result<(), Status> {
        Ok(())
    }
}

async fn describe(
    client: &Client,
    service: &str,
    codec: Codec,
) -> Result<ServiceDescription, Status> {
    let request = DescribeRequest {
        service: service.to_owned(),
    };
    let options = CallOptions::new().codec(codec);
    client
        .call_with(REFLECTION_SERVICE, "Describe", &request, options)
        .await
        .map(|reply| reply.value)
}

#[tokio::test]
async fn list_and_describe_tell_names_types_and_codecs() {
    let server = Server::builder()
        .service(CatalogServer::new(Impl))
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let client = Client::new(server.local_addr().unwrap().to_string());

    let list: ServiceList = client.call(REFLECTION_SERVICE, "List", &()).await.unwrap();
    let names: Vec<_> = list.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Catalog", "rpc.Health", "rpc.Reflection"]);
    assert_eq!(
        list.services[0].methods,
        ["Sum", "echo_text", "Blob", "Ping"]
    );

    for codec in [Codec::Json, Codec::MsgPack] {
        let catalog = describe(&client, "Catalog", codec).await.unwrap();
        assert_eq!(catalog.name, "Catalog");
        let sum = catalog.method("Sum").unwrap();
        assert!(
            sum.argument.name.ends_with("::Args"),
            "{}",
            sum.argument.name
        );
        assert_eq!(sum.reply.name, "i64");
        assert_eq!(sum.codecs, ["json", "protobuf", "msgpack"]);
        assert!(!sum.oneway);
        let echo = catalog.method("echo_text").unwrap();
        assert_eq!(echo.codecs, ["json", "msgpack"]);
        assert!(echo.argument.schema.is_none() && echo.reply.schema.is_none());
        assert_eq!(catalog.method("Blob").unwrap().codecs, ["raw"]);
        let ping = catalog.method("Ping").unwrap();
        assert_eq!(
            (ping.argument.name.as_str(), ping.reply.name.as_str()),
            ("()", "()")
        );

        let health = describe(&client, "rpc.Health", codec).await.unwrap();
        let check = health.method("Check").unwrap();
        assert!(
            check.argument.name.ends_with("::HealthCheckRequest")
                && check.reply.name.ends_with("::HealthCheckReply"),
            "{check:?}"
        );
        assert_eq!(check.codecs, ["json", "msgpack"]);

        let own = describe(&client, REFLECTION_SERVICE, codec).await.unwrap();
        let methods: Vec<_> = own.methods.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(methods, ["List", "Describe"]);
    }

    let missing = describe(&client, "Nope", Codec::Json).await.unwrap_err();
    assert_eq!(missing.code(), Code::ServiceNotFound);
    server.shutdown_and_wait().await;
}

#[cfg(feature = "schemars")]
#[tokio::test]
async fn types_with_a_json_schema_are_described_with_it() {
    let server = Server::builder()
        .service(CatalogServer::new(Impl))
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let client = Client::new(server.local_addr().unwrap().to_string());
    let catalog = describe(&client, "Catalog", Codec::Json).await.unwrap();
    let sum = catalog.method("Sum").unwrap();
    let schema = sum
        .argument
        .schema
        .as_ref()
        .expect("Args derives JsonSchema");
    assert_eq!(schema["title"], "Args");
    assert_eq!(schema["properties"]["a"]["type"], "integer");
    assert_eq!(sum.reply.schema.as_ref().unwrap()["type"], "integer");
    // A type without JsonSchema has its name alone.
    assert!(
        catalog
            .method("echo_text")
            .unwrap()
            .argument
            .schema
            .is_none()
    );
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn reflection_can_be_turned_off() {
    let server = Server::builder()
        .service(CatalogServer::new(Impl))
        .reflection(false)
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let client = Client::new(server.local_addr().unwrap().to_string());
    let error = client
        .call::<_, ServiceList>(REFLECTION_SERVICE, "List", &())
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::ServiceNotFound);
    server.shutdown_and_wait().await;
}
