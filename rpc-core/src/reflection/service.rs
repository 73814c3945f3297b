//! [`ReflectionService`]: the built-in service that lists and describes
//! the services of a server.

use std::collections::HashMap;
use std::sync::Arc;

use rpc_codec::PayloadCodec;

use crate::dispatch::{decode_argument, encode_result, unknown_method};
use crate::reflection::{
    DescribeRequest, MethodDescription, ServiceDescription, ServiceList, ServiceSummary,
};
use crate::{BoxFuture, RpcService, ServiceCall, ServiceReply, Status};

/// The wire name every server answers reflection under.
pub const REFLECTION_SERVICE: &str = "rpc.Reflection";

/// Answers `rpc.Reflection.List` and `rpc.Reflection.Describe` from the
/// descriptions collected when the server was built (so each call is a
/// lookup and an encoding, nothing more).
#[derive(Debug, Clone)]
pub struct ReflectionService {
    services: Arc<Vec<ServiceDescription>>,
}

impl ReflectionService {
    /// Reflection over `services` (its own description is added).
    pub fn new(services: impl IntoIterator<Item = ServiceDescription>) -> ReflectionService {
        let mut services: Vec<ServiceDescription> = services
            .into_iter()
            .filter(|service| service.name != REFLECTION_SERVICE)
            .collect();
        services.push(own_description());
        services.sort_by(|a, b| a.name.cmp(&b.name));
        ReflectionService {
            services: Arc::new(services),
        }
    }

    fn list(&self) -> ServiceList {
        ServiceList {
            services: self
                .services
                .iter()
                .map(|service| ServiceSummary {
                    name: service.name.clone(),
                    methods: service.methods.iter().map(|m| m.name.clone()).collect(),
                })
                .collect(),
        }
    }

    fn describe_one(&self, request: &DescribeRequest) -> Result<ServiceDescription, Status> {
        self.services
            .iter()
            .find(|service| service.name == request.service)
            .cloned()
            .ok_or_else(|| Status::service_not_found(&request.service))
    }
}

/// Adds reflection over `services` to them, unless one of them already
/// has its name (the user's own reflection wins).
pub(crate) fn add_to(services: &mut HashMap<&'static str, Arc<dyn RpcService>>) {
    if services.contains_key(REFLECTION_SERVICE) {
        return;
    }
    let reflection = ReflectionService::new(services.values().map(|service| service.describe()));
    services.insert(REFLECTION_SERVICE, Arc::new(reflection));
}

fn own_description() -> ServiceDescription {
    ServiceDescription {
        name: REFLECTION_SERVICE.to_owned(),
        methods: vec![
            MethodDescription::new(
                "List",
                (&PayloadCodec::<()>::serde(), None),
                (&PayloadCodec::<ServiceList>::serde(), None),
            ),
            MethodDescription::new(
                "Describe",
                (&PayloadCodec::<DescribeRequest>::serde(), None),
                (&PayloadCodec::<ServiceDescription>::serde(), None),
            ),
        ],
    }
}

impl RpcService for ReflectionService {
    fn name(&self) -> &'static str {
        REFLECTION_SERVICE
    }

    fn methods(&self) -> &'static [&'static str] {
        &["List", "Describe"]
    }

    fn describe(&self) -> ServiceDescription {
        own_description()
    }

    fn call(&self, call: ServiceCall) -> BoxFuture<Result<ServiceReply, Status>> {
        let outcome = match call.context.method() {
            "List" => {
                let (argument, reply) = (PayloadCodec::<()>::serde(), PayloadCodec::serde());
                decode_argument(&call, &argument, &reply).and_then(|()| {
                    encode_result(
                        &call.context,
                        call.codec,
                        Ok::<_, Status>(self.list()),
                        &reply,
                    )
                })
            }
            "Describe" => {
                let (argument, reply) = (PayloadCodec::serde(), PayloadCodec::serde());
                decode_argument(&call, &argument, &reply).and_then(|request| {
                    let result = self.describe_one(&request);
                    encode_result(&call.context, call.codec, result, &reply)
                })
            }
            _ => return unknown_method(&call),
        };
        Box::pin(std::future::ready(outcome))
    }
}
