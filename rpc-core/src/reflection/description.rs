//! The descriptions reflection answers with, as they cross the wire (JSON
//! or msgpack maps keyed by these field names).

use rpc_codec::{Codec, PayloadCodec};
use serde::{Deserialize, Serialize};

/// One service: its wire name and its methods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceDescription {
    /// The service's wire name.
    pub name: String,
    /// Its methods, in the order the trait declares them.
    pub methods: Vec<MethodDescription>,
}

impl ServiceDescription {
    /// A description made of names alone, for a [`RpcService`](crate::RpcService)
    /// implemented by hand: the types are unknown and every codec may work.
    pub fn from_names(name: &str, methods: &[&str]) -> ServiceDescription {
        ServiceDescription {
            name: name.to_owned(),
            methods: methods
                .iter()
                .map(|method| MethodDescription {
                    name: (*method).to_owned(),
                    argument: TypeDescription::unknown(),
                    reply: TypeDescription::unknown(),
                    codecs: Vec::new(),
                    oneway: false,
                    error: None,
                })
                .collect(),
        }
    }

    /// The method of that wire name.
    pub fn method(&self, name: &str) -> Option<&MethodDescription> {
        self.methods.iter().find(|method| method.name == name)
    }
}

/// One method of a service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodDescription {
    /// The method's wire name.
    pub name: String,
    /// The argument's type (`()` for a method without one).
    pub argument: TypeDescription,
    /// The reply's type.
    pub reply: TypeDescription,
    /// The codecs both argument and reply support, by their short names
    /// (`raw`, `json`, `protobuf`, `msgpack`); empty when unknown.
    pub codecs: Vec<String>,
    /// Whether the method is called oneway (no reply is sent).
    pub oneway: bool,
    /// The typed application error a failed call may carry as its status's
    /// details (`#[rpc(typed_error)]`), in the call's codec; `None` when
    /// the method's errors are plain statuses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<TypeDescription>,
}

impl MethodDescription {
    /// What `#[service]` generates for one method: the type names from
    /// `std::any::type_name`, the codecs from the two codec tables the
    /// dispatch uses, the schemas if the types have one.
    pub fn new<A, R>(
        name: &str,
        argument: (&PayloadCodec<A>, Option<serde_json::Value>),
        reply: (&PayloadCodec<R>, Option<serde_json::Value>),
    ) -> MethodDescription {
        let codecs = Codec::ALL
            .into_iter()
            .filter(|codec| argument.0.supports(*codec) && reply.0.supports(*codec))
            .map(|codec| codec.name().to_owned())
            .collect();
        MethodDescription {
            name: name.to_owned(),
            argument: TypeDescription {
                name: std::any::type_name::<A>().to_owned(),
                schema: argument.1,
            },
            reply: TypeDescription {
                name: std::any::type_name::<R>().to_owned(),
                schema: reply.1,
            },
            codecs,
            oneway: false,
            error: None,
        }
    }

    /// The same method, declaring the typed application error `E` (and
    /// its JSON Schema, if it has one).
    pub fn with_error<E>(mut self, schema: Option<serde_json::Value>) -> MethodDescription {
        self.error = Some(TypeDescription {
            name: std::any::type_name::<E>().to_owned(),
            schema,
        });
        self
    }

    /// Whether the method speaks `codec` (an empty list means unknown: maybe).
    pub fn speaks(&self, codec: Codec) -> bool {
        self.codecs.is_empty() || self.codecs.iter().any(|name| name == codec.name())
    }
}

/// A payload type: its Rust name and, if known, its JSON Schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypeDescription {
    /// The type's Rust path, as `std::any::type_name` gives it (`"?"` when unknown).
    pub name: String,
    /// The type's JSON Schema (draft 2020-12), when the type implements
    /// `schemars::JsonSchema` and the server was built with the `schemars` feature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<serde_json::Value>,
}

impl TypeDescription {
    /// A type nothing is known about.
    pub fn unknown() -> TypeDescription {
        TypeDescription {
            name: "?".to_owned(),
            schema: None,
        }
    }
}

/// The answer to `rpc.Reflection.List`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceList {
    /// Every service the server answers, by name, reflection included.
    pub services: Vec<ServiceSummary>,
}

/// A service's name and its methods' names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceSummary {
    /// The service's wire name.
    pub name: String,
    /// Its methods' wire names.
    pub methods: Vec<String>,
}

/// The argument of `rpc.Reflection.Describe`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DescribeRequest {
    /// The wire name of the service to describe.
    pub service: String,
}
