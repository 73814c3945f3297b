//! The `otel` feature against OpenTelemetry's in-memory exporter: one trace
//! spans three services (A → B → C) with every exported span's parent the
//! span that called it, across real connections.
//!
//! One test in this file: the subscriber is process-wide.

#![cfg(feature = "otel")]

use bytes::Bytes;
use opentelemetry::trace::{SpanId, TracerProvider as _};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use rpc_client::{CallOptions, Channel, Client, RawRequest};
use rpc_core::server::{Server, ServerHandle};
use rpc_core::{BoxFuture, RpcService, ServiceCall, ServiceReply, Status};
use tracing_subscriber::Registry;
use tracing_subscriber::layer::SubscriberExt;

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
        Box::pin(async move {
            if let Some((client, service)) = next {
                client.call_raw(request(service)).await?;
            }
            Ok(ServiceReply::default())
        })
    }
}

fn request(service: &str) -> RawRequest {
    RawRequest {
        service: service.into(),
        method: "hop".into(),
        codec: rpc_codec::Codec::Raw,
        payload: Bytes::new(),
        options: CallOptions::new(),
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

fn service_of(span: &SpanData) -> String {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == "rpc.service")
        .map(|kv| kv.value.to_string())
        .unwrap_or_default()
}

fn one<'a>(spans: &'a [SpanData], name: &str, service: &str) -> &'a SpanData {
    let found: Vec<&SpanData> = spans
        .iter()
        .filter(|s| s.name == name && service_of(s) == service)
        .collect();
    assert_eq!(found.len(), 1, "{name} {service}: {spans:#?}");
    found[0]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exported_spans_form_one_trace_across_three_services() {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("test"));
    tracing::subscriber::set_global_default(Registry::default().with(layer))
        .expect("the only subscriber of this test binary");

    let (_c, to_c) = serve(Hop {
        name: "C",
        next: None,
    })
    .await;
    let (_b, to_b) = serve(Hop {
        name: "B",
        next: Some((to_c, "C")),
    })
    .await;
    let (_a, to_a) = serve(Hop {
        name: "A",
        next: Some((to_b, "B")),
    })
    .await;
    to_a.call_raw(request("A")).await.unwrap();
    // Spans are exported when they close; the servers' close as their
    // answers leave, which may be just after the caller has them.
    let mut spans = Vec::new();
    for _ in 0..200 {
        provider.force_flush().unwrap();
        spans = exporter.get_finished_spans().unwrap();
        if spans.len() >= 6 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }

    let chain = [
        one(&spans, "rpc.client", "A"),
        one(&spans, "rpc.server", "A"),
        one(&spans, "rpc.client", "B"),
        one(&spans, "rpc.server", "B"),
        one(&spans, "rpc.client", "C"),
        one(&spans, "rpc.server", "C"),
    ];
    let trace_id = chain[0].span_context.trace_id();
    assert_eq!(
        chain[0].parent_span_id,
        SpanId::INVALID,
        "the caller starts the trace"
    );
    for pair in chain.windows(2) {
        assert_eq!(pair[1].span_context.trace_id(), trace_id);
        assert_eq!(
            pair[1].parent_span_id,
            pair[0].span_context.span_id(),
            "{} {} should be the child of {} {}",
            pair[1].name,
            service_of(pair[1]),
            pair[0].name,
            service_of(pair[0])
        );
    }
}
