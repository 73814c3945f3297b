//! [`ServerBuilder`]: services, limits, middleware, then bind.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::ToSocketAddrs;
use tower::util::BoxCloneService;
use tower::{Layer, ServiceExt as _};

use crate::frame::MetadataLimits;
use crate::server::admin::MetricsRender;
use crate::server::authenticator::Authenticator;
use crate::server::connection::{Dispatch, Layered};
use crate::server::health::HealthService;
use crate::server::instrument::Instrumented;
use crate::server::router::{AuthHook, Router};
use crate::server::transport::Acceptor;
use crate::server::{
    Announcer, HEALTH_SERVICE, Health, OnRegistryFailure, ServerConfig, ServerHandle, listener,
};
use crate::{Context, RpcService, ServiceCall, ServiceReply, Status};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type LayerFn = Box<dyn FnOnce(Layered) -> Layered + Send>;

/// The entry point: `Server::builder()`.
#[derive(Debug, Clone, Copy)]
pub struct Server;

impl Server {
    /// A builder with the default [`ServerConfig`] and no services.
    pub fn builder() -> ServerBuilder {
        ServerBuilder {
            config: ServerConfig::default(),
            services: HashMap::new(),
            duplicate: None,
            auth: None,
            authenticator: None,
            tls: None,
            layers: Vec::new(),
            announcer: None,
            on_registry_failure: OnRegistryFailure::default(),
            reflection: true,
            http: None,
            admin: None,
        }
    }
}

/// Collects services, limits and middleware, then binds a listener.
pub struct ServerBuilder {
    config: ServerConfig,
    services: HashMap<&'static str, Arc<dyn RpcService>>,
    duplicate: Option<&'static str>,
    auth: Option<AuthHook>,
    authenticator: Option<Arc<dyn Authenticator>>,
    tls: Option<Acceptor>,
    layers: Vec<LayerFn>,
    announcer: Option<Arc<dyn Announcer>>,
    on_registry_failure: OnRegistryFailure,
    reflection: bool,
    http: Option<Arc<dyn super::HttpHandler>>,
    admin: Option<listener::AdminParts>,
}

impl ServerBuilder {
    /// Serves `service` under its wire name.
    pub fn service<S: RpcService>(mut self, service: S) -> Self {
        let name = service.name();
        if self.services.insert(name, Arc::new(service)).is_some() {
            self.duplicate = Some(name);
        }
        self
    }

    /// Replaces every limit and timeout at once.
    pub fn config(mut self, config: ServerConfig) -> Self {
        self.config = config;
        self
    }

    /// See [`ServerConfig::max_frame_size`].
    pub fn max_frame_size(mut self, bytes: u32) -> Self {
        self.config.max_frame_size = bytes;
        self
    }

    /// See [`ServerConfig::max_payload_size`].
    pub fn max_payload_size(mut self, bytes: usize) -> Self {
        self.config.max_payload_size = bytes;
        self
    }

    /// See [`ServerConfig::max_calls_per_connection`].
    pub fn max_calls_per_connection(mut self, calls: usize) -> Self {
        self.config.max_calls_per_connection = calls;
        self
    }

    /// See [`ServerConfig::max_calls`].
    pub fn max_calls(mut self, calls: usize) -> Self {
        self.config.max_calls = calls;
        self
    }

    /// See [`ServerConfig::max_inflight_bytes`].
    pub fn max_inflight_bytes(mut self, bytes: usize) -> Self {
        self.config.max_inflight_bytes = bytes;
        self
    }

    /// See [`ServerConfig::max_connections`].
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.config.max_connections = connections;
        self
    }

    /// See [`ServerConfig::idle_timeout`].
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.config.idle_timeout = timeout;
        self
    }

    /// See [`ServerConfig::max_inflating`].
    pub fn max_inflating(mut self, decompressions: usize) -> Self {
        self.config.max_inflating = decompressions;
        self
    }

    /// See [`ServerConfig::frame_timeout`].
    pub fn frame_timeout(mut self, timeout: Duration) -> Self {
        self.config.frame_timeout = timeout;
        self
    }

    /// See [`ServerConfig::rpcx`].
    pub fn rpcx(mut self, serve: bool) -> Self {
        self.config.rpcx = serve;
        self
    }

    /// See [`ServerConfig::first_frame_timeout`].
    pub fn first_frame_timeout(mut self, timeout: Duration) -> Self {
        self.config.first_frame_timeout = timeout;
        self
    }

    /// See [`ServerConfig::metadata_limits`].
    pub fn metadata_limits(mut self, limits: MetadataLimits) -> Self {
        self.config.metadata_limits = limits;
        self
    }

    /// See [`ServerConfig::handler_timeout`].
    pub fn handler_timeout(mut self, timeout: Duration) -> Self {
        self.config.handler_timeout = Some(timeout);
        self
    }

    /// See [`ServerConfig::grace_period`].
    pub fn grace_period(mut self, grace: Duration) -> Self {
        self.config.grace_period = grace;
        self
    }

    /// See [`ServerConfig::compression_threshold`].
    pub fn compression_threshold(mut self, bytes: usize) -> Self {
        self.config.compression_threshold = bytes;
        self
    }

    /// See [`ServerConfig::instrument`].
    pub fn instrument(mut self, on: bool) -> Self {
        self.config.instrument = on;
        self
    }

    /// Serves the admin HTTP endpoints (`/metrics`, `/health`, `/ready`) on
    /// `addr`, its own listener (port 0: see
    /// [`ServerHandle::admin_addr`]). `/metrics` answers what `render`
    /// returns, typically a Prometheus exporter's handle:
    ///
    /// ```no_run
    /// # async fn example(service: impl rpc_core::RpcService) -> std::io::Result<()> {
    /// let prometheus = metrics_exporter_prometheus::PrometheusBuilder::new()
    ///     .install_recorder()
    ///     .expect("no other recorder");
    /// let handle = rpc_core::server::Server::builder()
    ///     .service(service)
    ///     .admin("127.0.0.1:9090".parse().unwrap(), Some(std::sync::Arc::new(move || prometheus.render())))
    ///     .bind("127.0.0.1:8972")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn admin(mut self, addr: std::net::SocketAddr, render: Option<MetricsRender>) -> Self {
        self.admin = Some(listener::AdminParts { addr, render });
        self
    }

    /// Runs `hook` on every call before dispatch; an error (typically
    /// [`Status::unauthenticated`]) is the call's answer and its handler does
    /// not run. The hook sees the call's metadata, where tokens travel.
    pub fn auth<F>(mut self, hook: F) -> Self
    where
        F: Fn(&Context) -> Result<(), Status> + Send + Sync + 'static,
    {
        self.auth = Some(Arc::new(hook));
        self
    }

    /// Requires a bearer token on every call (see [`Authenticator`]): the
    /// identity it returns is set on the call's [`Context`] before the auth
    /// hook (if any) and the handler run.
    pub fn authenticator(mut self, authenticator: impl Authenticator) -> Self {
        self.authenticator = Some(Arc::new(authenticator));
        self
    }

    /// Serves TLS only (see [`crate::tls`]): the handshake runs on each
    /// connection's task within the first-frame timeout; a plaintext client
    /// is told that TLS is required. With a client CA, clients must present
    /// a certificate (mutual TLS), visible to handlers through
    /// [`Context::peer_certificate`].
    #[cfg(feature = "tls")]
    pub fn tls(mut self, tls: crate::tls::ServerTls) -> Self {
        self.tls = Some(tokio_rustls::TlsAcceptor::from(Arc::clone(
            tls.rustls_config(),
        )));
        self
    }

    /// Announces every served service through `registry` once bound, and
    /// withdraws them on graceful shutdown before the listener closes (see
    /// [`Announcer`]; `rpc_registry::Registration` adapts any registry).
    pub fn registry(mut self, registry: impl Announcer) -> Self {
        self.announcer = Some(Arc::new(registry));
        self
    }

    /// What to do when the registry cannot announce the server at startup
    /// (etcd unreachable, a wildcard address without an advertised one):
    /// serve unregistered and keep trying ([`OnRegistryFailure::KeepTrying`],
    /// the default), or fail `bind` with the [`AnnounceError`](crate::server::AnnounceError)
    /// ([`OnRegistryFailure::FailStartup`]). Both log the failure at WARN.
    ///
    /// ```no_run
    /// # async fn example(service: impl rpc_core::RpcService, registry: impl rpc_core::server::Announcer) {
    /// use rpc_core::server::{AnnounceError, OnRegistryFailure, Server};
    ///
    /// let started = Server::builder()
    ///     .service(service)
    ///     .registry(registry)
    ///     .on_registry_failure(OnRegistryFailure::FailStartup)
    ///     .bind("127.0.0.1:8972")
    ///     .await;
    /// if let Err(error) = &started
    ///     && let Some(unannounced) = error.get_ref().and_then(|e| e.downcast_ref::<AnnounceError>())
    /// {
    ///     eprintln!("{unannounced}");
    /// }
    /// # }
    /// ```
    pub fn on_registry_failure(mut self, policy: OnRegistryFailure) -> Self {
        self.on_registry_failure = policy;
        self
    }

    /// Whether the server answers the built-in reflection service
    /// (`rpc.Reflection`, see [`crate::reflection`]); on by default. It
    /// passes through the auth hook and layers like any other service.
    pub fn reflection(mut self, enabled: bool) -> Self {
        self.reflection = enabled;
        self
    }

    /// Serves HTTP/1.1 on the same port as the binary protocol: connections
    /// whose first byte starts an HTTP request go to `handler` (an HTTP/JSON
    /// gateway such as `rpc_gateway::Gateway`); see [`super::HttpHandler`].
    pub fn http(mut self, handler: impl super::HttpHandler) -> Self {
        self.http = Some(Arc::new(handler));
        self
    }

    /// Wraps the dispatch path in a tower layer (concurrency limit, rate
    /// limit, timeout, tracing...). The first layer added is the outermost.
    ///
    /// Errors of the layered service become statuses: a [`Status`] stays
    /// itself, tower's timeout becomes `deadline_exceeded`, its load-shed
    /// refusal `overloaded`, anything else `internal`.
    ///
    /// What layers may assume about readiness: the connection asks the stack
    /// once per call whether it is ready, and never waits for it on the
    /// connection's reader. A call that finds the stack not ready (a
    /// concurrency or rate limit without load shedding) waits on its own
    /// task, on the very stack it asked (so a place held in a limit's queue
    /// is kept), under its deadline and cancellable like a running call; the
    /// connection goes on with a clone, so pings, cancels and other calls are
    /// read meanwhile. Layers therefore keep shared state (the limit) behind
    /// their clones, as tower's own layers do.
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<Layered> + Send + 'static,
        L::Service: tower::Service<ServiceCall, Response = ServiceReply> + Clone + Send + 'static,
        <L::Service as tower::Service<ServiceCall>>::Error: Into<BoxError>,
        <L::Service as tower::Service<ServiceCall>>::Future: Send + 'static,
    {
        self.layers.push(Box::new(move |inner: Layered| {
            BoxCloneService::new(
                layer
                    .layer(inner)
                    .map_err(|error| status_from_error(error.into())),
            )
        }));
        self
    }

    /// Binds `addr` over TCP and serves in the background until the returned
    /// handle shuts the server down. With port 0 the system picks a free port:
    /// [`ServerHandle::local_addr`] tells which. Fails with `InvalidInput`
    /// (the [`ConfigError`](crate::ConfigError) as its inner error) on a
    /// limit [`ServerConfig::builder`] would refuse, set through this
    /// builder's own setters.
    pub async fn bind(self, addr: impl ToSocketAddrs) -> io::Result<ServerHandle> {
        let parts = self.finish()?;
        let listener = tokio::net::TcpListener::bind(addr).await?;
        listener::start(listener::Listener::Tcp(listener), parts).await
    }

    /// Serves on an already bound TCP listener (inherited from a supervisor,
    /// or bound by the caller to learn the port first).
    pub async fn listen(self, listener: tokio::net::TcpListener) -> io::Result<ServerHandle> {
        let parts = self.finish()?;
        listener::start(listener::Listener::Tcp(listener), parts).await
    }

    /// Binds a Unix socket at `path` (which must not exist yet) and serves in
    /// the background; the socket file is removed after shutdown.
    #[cfg(unix)]
    pub async fn bind_unix(self, path: impl AsRef<std::path::Path>) -> io::Result<ServerHandle> {
        let parts = self.finish()?;
        let path = path.as_ref().to_owned();
        let listener = tokio::net::UnixListener::bind(&path)?;
        listener::start(listener::Listener::Unix(listener, path), parts).await
    }

    /// Binds `addr` and serves until `signal` completes, then shuts down
    /// gracefully and returns once every connection is closed.
    pub async fn serve_with_shutdown(
        self,
        addr: impl ToSocketAddrs,
        signal: impl Future<Output = ()>,
    ) -> io::Result<()> {
        let handle = self.bind(addr).await?;
        tracing::info!(addr = %handle.addr(), "serving");
        signal.await;
        handle.shutdown_and_wait().await;
        Ok(())
    }

    /// Binds `addr` and serves until Ctrl-C (SIGINT), then shuts down gracefully.
    pub async fn serve(self, addr: impl ToSocketAddrs) -> io::Result<()> {
        self.serve_with_shutdown(addr, async {
            if let Err(error) = tokio::signal::ctrl_c().await {
                tracing::error!(%error, "cannot listen for Ctrl-C; serving until killed");
                std::future::pending::<()>().await;
            }
        })
        .await
    }

    fn finish(mut self) -> io::Result<listener::Parts> {
        if let Some(name) = self.duplicate {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("service {name:?} registered twice"),
            ));
        }
        // The wire carries names of 1 to 255 bytes (docs/PROTOCOL.md §3.1):
        // a service named otherwise could never be called.
        if let Some(name) = self.services.keys().find(|n| n.is_empty() || n.len() > 255) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("service name {name:?} is not 1 to 255 bytes long"),
            ));
        }
        // Limits set one at a time on this builder are checked as
        // `ServerConfig::builder()` checks them.
        self.config = self
            .config
            .to_builder()
            .build()
            .map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error))?;
        let mut names: Vec<&'static str> = self.services.keys().copied().collect();
        names.sort_unstable();
        // Every server answers `rpc.Health` (unless the application serves
        // its own under that name); it is not announced to registries.
        let health = Health::new(&names);
        names.retain(|name| *name != HEALTH_SERVICE);
        self.services
            .entry(HEALTH_SERVICE)
            .or_insert_with(|| Arc::new(HealthService::new(health.clone())));
        if self.reflection {
            crate::reflection::add_to(&mut self.services);
        }
        if self.config.instrument {
            for service in self.services.values_mut() {
                *service = Arc::new(Instrumented::new(Arc::clone(service)));
            }
        }
        let router = Router::new(self.services, self.auth).with_authenticator(self.authenticator);
        let dispatch = if self.layers.is_empty() {
            Dispatch::Direct(router)
        } else {
            let mut layered: Layered = BoxCloneService::new(router);
            for layer in self.layers.into_iter().rev() {
                layered = layer(layered);
            }
            Dispatch::Layered(layered)
        };
        Ok(listener::Parts {
            config: self.config,
            dispatch,
            services: names,
            announcer: self.announcer,
            on_registry_failure: self.on_registry_failure,
            http: self.http,
            health,
            admin: self.admin,
            stopped: tokio_util::sync::CancellationToken::new(),
            tls: self.tls,
        })
    }
}

/// The status a layered dispatch error stands for.
fn status_from_error(error: BoxError) -> Status {
    let error = match error.downcast::<Status>() {
        Ok(status) => return *status,
        Err(error) => error,
    };
    if error.is::<tower::timeout::error::Elapsed>() {
        return Status::deadline_exceeded("the server's timeout layer cancelled the call");
    }
    if error.is::<tower::load_shed::error::Overloaded>() {
        return Status::overloaded("the server's load-shed layer refused the call");
    }
    Status::internal(error.to_string())
}

impl fmt::Debug for ServerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<_> = self.services.keys().collect();
        names.sort();
        f.debug_struct("ServerBuilder")
            .field("config", &self.config)
            .field("services", &names)
            .field("auth", &self.auth.is_some())
            .field("authenticator", &self.authenticator.is_some())
            .field("tls", &self.tls.is_some())
            .field("layers", &self.layers.len())
            .field("registry", &self.announcer.is_some())
            .field("http", &self.http.is_some())
            .finish()
    }
}
