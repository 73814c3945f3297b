//! W3C trace context across real servers, seen by a test subscriber that
//! records every span's fields: one trace spans three services (A → B → C)
//! with each span's parent the span that called it, and a `traceparent`
//! sent by a foreign client (one that does not instrument) is adopted.
//!
//! One test in this file: the subscriber is process-wide.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use rpc_client::{CallOptions, Channel, Client, ClientConfig, RawRequest, Target};
use rpc_core::server::{Server, ServerHandle};
use rpc_core::{BoxFuture, RpcService, ServiceCall, ServiceReply, Status};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::{Layer, Registry};

/// A span's name and recorded fields.
#[derive(Debug, Clone, Default)]
struct Captured {
    name: String,
    fields: HashMap<String, String>,
}

impl Captured {
    fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

struct Fields<'a>(&'a mut HashMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(
            field.name().to_owned(),
            format!("{value:?}").trim_matches('"').to_owned(),
        );
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

/// Keeps every span, by id.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<HashMap<u64, Captured>>>);

impl<S: tracing::Subscriber> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _: Context<'_, S>) {
        let mut span = Captured {
            name: attrs.metadata().name().to_owned(),
            ..Captured::default()
        };
        attrs.record(&mut Fields(&mut span.fields));
        self.0.lock().unwrap().insert(id.into_u64(), span);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        if let Some(span) = self.0.lock().unwrap().get_mut(&id.into_u64()) {
            values.record(&mut Fields(&mut span.fields));
        }
    }
}

/// Service `name` (method `hop`): calls `next`'s `hop` when there is one.
struct Hop {
    name: &'static str,
    next: Option<(Client, &'static str)>,
}

impl RpcService for Hop {
    fn name(&self) -> &'static str {
        self.name
    }
    fn methods(&self) -> &'static [&'static str] {
        &["hop"]
    }
    fn call(&self, _: ServiceCall) -> BoxFuture<Result<ServiceReply, Status>> {
        let next = self.next.clone();
        let name = self.name;
        Box::pin(async move {
            let mut path = name.to_owned();
            if let Some((client, service)) = next {
                let reply = client
                    .call_raw(raw_request(service, CallOptions::new()))
                    .await?;
                path = format!("{path}>{}", String::from_utf8_lossy(&reply.payload));
            }
            Ok(ServiceReply {
                payload: Bytes::from(path),
                ..ServiceReply::default()
            })
        })
    }
}

fn raw_request(service: &str, options: CallOptions) -> RawRequest {
    RawRequest {
        service: service.into(),
        method: "hop".into(),
        codec: rpc_codec::Codec::Raw,
        payload: Bytes::new(),
        options,
    }
}

async fn serve(hop: Hop) -> (ServerHandle, Client) {
    let handle = Server::builder()
        .service(hop)
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let client = Client::new(handle.local_addr().unwrap().to_string());
    (handle, client)
}

fn spans_named<'a>(spans: &'a [Captured], name: &str, service: &str) -> Vec<&'a Captured> {
    spans
        .iter()
        .filter(|s| s.name == name && s.field("rpc.service") == service)
        .collect()
}

fn one<'a>(spans: &'a [Captured], name: &str, service: &str) -> &'a Captured {
    let found = spans_named(spans, name, service);
    assert_eq!(found.len(), 1, "{name} {service}: {spans:#?}");
    found[0]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_trace_crosses_three_services_and_a_foreign_parent_is_adopted() {
    let capture = Capture::default();
    tracing::subscriber::set_global_default(Registry::default().with(capture.clone()))
        .expect("the only subscriber of this test binary");

    let (c_handle, to_c) = serve(Hop {
        name: "C",
        next: None,
    })
    .await;
    let (_b_handle, to_b) = serve(Hop {
        name: "B",
        next: Some((to_c, "C")),
    })
    .await;
    let (_a_handle, to_a) = serve(Hop {
        name: "A",
        next: Some((to_b, "B")),
    })
    .await;

    let reply = to_a
        .call_raw(raw_request("A", CallOptions::new()))
        .await
        .unwrap();
    assert_eq!(&reply.payload[..], b"A>B>C");

    let spans: Vec<Captured> = capture.0.lock().unwrap().values().cloned().collect();
    let client_a = one(&spans, "rpc.client", "A");
    let server_a = one(&spans, "rpc.server", "A");
    let client_b = one(&spans, "rpc.client", "B");
    let server_b = one(&spans, "rpc.server", "B");
    let client_c = one(&spans, "rpc.client", "C");
    let server_c = one(&spans, "rpc.server", "C");
    let chain = [client_a, server_a, client_b, server_b, client_c, server_c];
    let trace_id = client_a.field("trace_id");
    assert_eq!(trace_id.len(), 32, "{client_a:?}");
    for span in chain {
        assert_eq!(span.field("trace_id"), trace_id, "{span:?}");
        assert_eq!(span.field("span_id").len(), 16, "{span:?}");
    }
    assert_eq!(
        client_a.field("parent_span_id"),
        "",
        "the caller starts the trace"
    );
    // Each span's parent is the span before it in the chain.
    for pair in chain.windows(2) {
        assert_eq!(
            pair[1].field("parent_span_id"),
            pair[0].field("span_id"),
            "{:?} should be the child of {:?}",
            pair[1],
            pair[0]
        );
    }
    assert_eq!(server_c.field("status"), "ok");

    // A foreign caller: a client that adds no trace context of its own,
    // sending a traceparent it made up.
    let foreign = Client::with_config(
        Target::Tcp(c_handle.local_addr().unwrap().to_string()),
        ClientConfig::builder().instrument(false).build().unwrap(),
    );
    let options = CallOptions::new().metadata(
        "traceparent",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    );
    foreign.call_raw(raw_request("C", options)).await.unwrap();
    let spans: Vec<Captured> = capture.0.lock().unwrap().values().cloned().collect();
    let adopted: Vec<&Captured> = spans_named(&spans, "rpc.server", "C")
        .into_iter()
        .filter(|s| s.field("trace_id") == "0af7651916cd43dd8448eb211c80319c")
        .collect();
    assert_eq!(adopted.len(), 1, "{spans:#?}");
    assert_eq!(adopted[0].field("parent_span_id"), "b7ad6b7169203331");
    assert_ne!(adopted[0].field("span_id"), "b7ad6b7169203331");
}
