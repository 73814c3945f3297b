//! [`RpcService`]: the dispatch interface the `#[service]` macro implements.

use std::future::Future;
use std::pin::Pin;

use bytes::Bytes;
use rpc_codec::Codec;

use crate::{Context, Metadata, Status};

/// A boxed, sendable future, as dispatch returns.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// One call handed to an [`RpcService`]: its context, codec and (decompressed) payload.
#[derive(Debug)]
pub struct ServiceCall {
    /// Names, metadata, deadline, peer.
    pub context: Context,
    /// The codec of the payload; the reply is written in the same codec.
    pub codec: Codec,
    /// The encoded argument, already decompressed.
    pub payload: Bytes,
}

/// A successful call's result: the encoded reply and the reply metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceReply {
    /// The encoded reply, in the call's codec, not yet compressed.
    pub payload: Bytes,
    /// Metadata for the caller.
    pub metadata: Metadata,
}

/// A named set of methods the server can dispatch to, with no runtime
/// reflection: `#[service]` writes the implementation for each trait.
///
/// Named `Service` before issue 15; renamed because that name clashed with
/// `tower::Service`, which servers and clients use next to it. The old name
/// is still accepted as an alias (`rpc_core::Service`), hidden from the
/// docs, and will go.
pub trait RpcService: Send + Sync + 'static {
    /// The service's wire name.
    fn name(&self) -> &'static str;

    /// The wire names of its methods.
    fn methods(&self) -> &'static [&'static str];

    /// What reflection (`rpc.Reflection.Describe`) says about the service.
    /// `#[service]` generates it with type names, codecs and schemas; a
    /// hand-written service describes its method names alone unless it
    /// overrides this.
    fn describe(&self) -> crate::reflection::ServiceDescription {
        crate::reflection::ServiceDescription::from_names(self.name(), self.methods())
    }

    /// Runs the method `call.context.method()`: decodes the argument in the
    /// call's codec, runs the handler, encodes the reply in the same codec.
    /// An unknown method is [`Status::method_not_found`]; a codec the
    /// method's types do not support is `unsupported_codec`; an argument that
    /// does not decode is `bad_request`.
    fn call(&self, call: ServiceCall) -> BoxFuture<Result<ServiceReply, Status>>;
}

/// The name [`RpcService`] had before issue 15, kept so that code written
/// against it compiles (Rust cannot mark a re-export deprecated).
#[doc(hidden)]
pub use RpcService as Service;

#[cfg(test)]
mod tests {
    /// Code written before the rename still builds: the old name is the
    /// same trait, usable wherever the new one is (a compile-time check;
    /// the workspace itself only uses `RpcService`).
    #[test]
    fn the_old_name_is_the_same_trait() {
        fn as_new(service: &dyn crate::Service) -> &dyn crate::RpcService {
            service
        }
        let converts: fn(&dyn crate::Service) -> &dyn crate::RpcService = as_new;
        let _ = converts;
    }
}
