//! Typed application errors (`#[rpc(typed_error)]`): a handler's own error
//! type crosses the wire in the call's codec and comes back typed on the
//! stub, in every codec the types share; callers without the type see its
//! status; framework failures stay statuses; the details follow the reply's
//! compression.

use bytes::{Bytes, BytesMut};
use rpc::core::frame::{Frame, FrameCodec, Message, Request};
use rpc::core::tokio_util::codec::{Decoder, Encoder};
use rpc::{
    ApplicationError, CallError, CallOptions, Channel, Client, Code, Codec, Compression,
    CompressionPolicy, Origin, RawRequest, Server, ServerHandle, Status,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// An order for some units of a stock-keeping unit.
#[derive(Clone, PartialEq, prost::Message, serde::Serialize, serde::Deserialize)]
pub struct Order {
    /// The stock-keeping unit.
    #[prost(string, tag = "1")]
    pub sku: String,
    /// How many units.
    #[prost(uint32, tag = "2")]
    pub quantity: u32,
}

/// A reservation.
#[derive(Clone, PartialEq, prost::Message, serde::Serialize, serde::Deserialize)]
pub struct Ticket {
    /// The reservation's number.
    #[prost(uint64, tag = "1")]
    pub id: u64,
}

/// Why a reservation failed: a struct that speaks all three codecs.
#[derive(Clone, PartialEq, prost::Message, serde::Serialize, serde::Deserialize)]
pub struct StockError {
    /// The unit asked for.
    #[prost(string, tag = "1")]
    pub sku: String,
    /// How many are left.
    #[prost(uint32, tag = "2")]
    pub available: u32,
}

impl ApplicationError for StockError {
    fn status(&self) -> Status {
        Status::failed_precondition(format!("only {} left of {}", self.available, self.sku))
    }
}

/// Why a lookup failed: a serde enum (JSON and msgpack).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum LookupError {
    /// No such unit.
    UnknownSku(String),
    /// Not sold any more.
    Discontinued {
        /// Since when.
        since: String,
    },
}

impl ApplicationError for LookupError {
    fn status(&self) -> Status {
        match self {
            LookupError::UnknownSku(sku) => Status::not_found(format!("no sku {sku}")),
            LookupError::Discontinued { since } => {
                Status::failed_precondition(format!("discontinued since {since}"))
            }
        }
    }
}

/// A stock service.
#[rpc::service]
pub trait Inventory {
    /// Reserves units.
    #[rpc(typed_error)]
    async fn reserve(&self, order: Order) -> Result<Ticket, StockError>;
    /// Units in stock.
    #[rpc(typed_error)]
    async fn lookup(&self, sku: String) -> Result<u32, LookupError>;
    /// An untyped method that passes on a status carrying details.
    async fn forward(&self, sku: String) -> Result<u32, Status>;
}

struct Stock;

impl Inventory for Stock {
    async fn reserve(&self, order: Order) -> Result<Ticket, StockError> {
        if order.quantity <= 3 {
            return Ok(Ticket { id: 42 });
        }
        Err(StockError {
            sku: order.sku,
            available: 3,
        })
    }

    async fn lookup(&self, sku: String) -> Result<u32, LookupError> {
        match sku.as_str() {
            "apple" => Ok(3),
            "pear" => Err(LookupError::Discontinued {
                since: "2026-01-01".to_owned(),
            }),
            _ => Err(LookupError::UnknownSku(sku)),
        }
    }

    async fn forward(&self, sku: String) -> Result<u32, Status> {
        // As if from a downstream typed call: its details mean nothing to
        // this method's callers.
        Err(Status::not_found(sku).with_details(Bytes::from_static(b"downstream")))
    }
}

async fn serve() -> (ServerHandle, Client) {
    let server = Server::builder()
        .service(InventoryServer::new(Stock))
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let client = Client::new(server.local_addr().unwrap().to_string());
    (server, client)
}

#[tokio::test]
async fn a_typed_error_round_trips_in_every_codec() {
    let (_server, client) = serve().await;
    let inventory = InventoryClient::new(client);
    let order = Order {
        sku: "apple".to_owned(),
        quantity: 5,
    };
    for codec in [Codec::Json, Codec::MsgPack, Codec::Protobuf] {
        let options = CallOptions::new().codec(codec);
        let failed = inventory
            .reserve_with(&order, options.clone())
            .await
            .unwrap_err();
        let CallError::Application { error, status } = failed else {
            panic!("{codec}: expected the handler's error, got {failed:?}");
        };
        assert_eq!(
            error,
            StockError {
                sku: "apple".to_owned(),
                available: 3
            },
            "{codec}"
        );
        assert_eq!(status.code(), Code::FailedPrecondition, "{codec}");
        assert_eq!(status.message(), "only 3 left of apple", "{codec}");
        assert_eq!(status.origin(), Origin::Application, "{codec}");

        let small = Order {
            sku: "apple".to_owned(),
            quantity: 2,
        };
        let reply = inventory.reserve_with(&small, options).await.unwrap();
        assert_eq!(reply.value, Ticket { id: 42 }, "{codec}");
    }
}

#[tokio::test]
async fn a_serde_enum_error_round_trips_in_json_and_msgpack() {
    let (_server, client) = serve().await;
    let inventory = InventoryClient::new(client);
    for codec in [Codec::Json, Codec::MsgPack] {
        let options = CallOptions::new().codec(codec);
        let unknown = inventory
            .lookup_with(&"kiwi".to_owned(), options.clone())
            .await
            .unwrap_err();
        assert_eq!(
            unknown.application(),
            Some(&LookupError::UnknownSku("kiwi".to_owned())),
            "{codec}"
        );
        assert_eq!(unknown.status().code(), Code::NotFound, "{codec}");
        let gone = inventory
            .lookup_with(&"pear".to_owned(), options.clone())
            .await
            .unwrap_err();
        assert_eq!(
            gone.application(),
            Some(&LookupError::Discontinued {
                since: "2026-01-01".to_owned()
            }),
            "{codec}"
        );
        assert_eq!(
            inventory
                .lookup_with(&"apple".to_owned(), options)
                .await
                .unwrap()
                .value,
            3
        );
    }
    // The error type has no protobuf: the call is refused before it is sent.
    let refused = inventory
        .lookup_with(
            &"kiwi".to_owned(),
            CallOptions::new().codec(Codec::Protobuf),
        )
        .await
        .unwrap_err();
    let CallError::Status(status) = refused else {
        panic!("expected a local refusal, got {refused:?}");
    };
    assert_eq!(status.code(), Code::UnsupportedCodec);
    assert!(status.message().contains("error: "), "{status}");
}

#[tokio::test]
async fn an_untyped_caller_sees_the_status_and_the_encoded_error() {
    let (_server, client) = serve().await;
    let status = client
        .call_raw(RawRequest {
            service: "Inventory".into(),
            method: "Reserve".into(),
            codec: Codec::Json,
            payload: Bytes::from_static(br#"{"sku":"fig","quantity":9}"#),
            options: CallOptions::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert_eq!(status.message(), "only 3 left of fig");
    assert_eq!(status.origin(), Origin::Application);
    assert!(!status.is_retryable());
    assert_eq!(&status.details()[..], br#"{"sku":"fig","available":3}"#);
}

#[tokio::test]
async fn framework_failures_are_statuses_not_application_errors() {
    // A server without the service: the framework refuses the call.
    let empty = Server::builder().bind("127.0.0.1:0").await.unwrap();
    let client = Client::new(empty.local_addr().unwrap().to_string());
    let failed = InventoryClient::new(client)
        .reserve(&Order {
            sku: "apple".to_owned(),
            quantity: 5,
        })
        .await
        .unwrap_err();
    let CallError::Status(status) = &failed else {
        panic!("expected a status, got {failed:?}");
    };
    assert_eq!(status.code(), Code::ServiceNotFound);
    assert_eq!(status.origin(), Origin::Framework);
    assert_eq!(failed.application(), None);
    // `?` in a handler returning `Status` keeps the status.
    assert_eq!(Status::from(failed).code(), Code::ServiceNotFound);
}

#[tokio::test]
async fn an_untyped_method_sends_no_details() {
    let (_server, client) = serve().await;
    let status = client
        .call_raw(RawRequest {
            service: "Inventory".into(),
            method: "Forward".into(),
            codec: Codec::Json,
            payload: Bytes::from_static(br#""fig""#),
            options: CallOptions::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    assert!(status.details().is_empty(), "{status:?}");
}

#[tokio::test]
async fn large_details_are_compressed_like_a_reply() {
    let (server, client) = serve().await;
    let sku = "x".repeat(8_000);
    let order = Order {
        sku: sku.clone(),
        quantity: 9,
    };

    // Through the stub: the error comes back whole.
    let inventory = InventoryClient::new(client);
    let gzip = CompressionPolicy::new(Compression::Gzip).with_threshold(0);
    let failed = inventory
        .reserve_with(
            &order,
            CallOptions::new().codec(Codec::Json).compression(gzip),
        )
        .await
        .unwrap_err();
    assert_eq!(failed.application().map(|error| &error.sku), Some(&sku));

    // On the wire: the error response says gzip and its payload inflates
    // to the encoded error.
    let mut stream = tokio::net::TcpStream::connect(server.local_addr().unwrap())
        .await
        .unwrap();
    let mut frames = FrameCodec::new();
    let argument = serde_json::to_vec(&order).unwrap();
    let request = Frame {
        request_id: 7,
        codec: Codec::Json,
        compression: Compression::Gzip,
        message: Message::Request(Request {
            service: "Inventory".into(),
            method: "Reserve".into(),
            payload: Compression::Gzip.compress(&argument).unwrap(),
            ..Request::default()
        }),
    };
    let mut out = BytesMut::new();
    frames.encode(&request, &mut out).unwrap();
    stream.write_all(&out).await.unwrap();
    let mut input = BytesMut::new();
    let response = loop {
        if let Some(frame) = frames.decode(&mut input).unwrap() {
            break frame;
        }
        assert!(stream.read_buf(&mut input).await.unwrap() > 0, "closed");
    };
    assert_eq!(response.request_id, 7);
    assert_eq!(response.compression, Compression::Gzip);
    let Message::Response(response_body) = response.message else {
        panic!("not a response: {response:?}");
    };
    assert_eq!(response_body.code, Code::FailedPrecondition);
    assert!(response_body.payload.len() < 1_000);
    let details = Compression::Gzip
        .decompress(response_body.payload, 1 << 20)
        .unwrap();
    let error: StockError = serde_json::from_slice(&details).unwrap();
    assert_eq!(error.sku, sku);
}
