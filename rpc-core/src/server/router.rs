//! [`Router`]: the innermost `tower::Service` of the dispatch path: auth
//! hook, deadline check, then the named service.

use std::collections::HashMap;
use std::sync::Arc;
use std::task::Poll;
use std::time::Instant;

use crate::server::authenticator::{Authenticator, authenticate};
use crate::{BoxFuture, Context, RpcService, ServiceCall, ServiceReply, Status};

/// Decides from a call's context (its metadata: tokens) whether it may run.
pub type AuthHook = Arc<dyn Fn(&Context) -> Result<(), Status> + Send + Sync>;

/// Routes a call to the registered service of its name.
///
/// Before dispatch it runs the auth hook, then checks the deadline: a call
/// whose budget was spent while it waited (in the socket, in a rate limiter,
/// behind a concurrency limit) is refused with `deadline_exceeded` without
/// running its handler.
#[derive(Clone)]
pub struct Router {
    services: Arc<HashMap<&'static str, Arc<dyn RpcService>>>,
    auth: Option<AuthHook>,
    authenticator: Option<Arc<dyn Authenticator>>,
}

impl Router {
    pub(crate) fn new(
        services: HashMap<&'static str, Arc<dyn RpcService>>,
        auth: Option<AuthHook>,
    ) -> Router {
        Router {
            services: Arc::new(services),
            auth,
            authenticator: None,
        }
    }

    /// The same router checking bearer tokens before the auth hook.
    pub(crate) fn with_authenticator(
        mut self,
        authenticator: Option<Arc<dyn Authenticator>>,
    ) -> Router {
        self.authenticator = authenticator;
        self
    }
}

impl tower::Service<ServiceCall> for Router {
    type Response = ServiceReply;
    type Error = Status;
    type Future = BoxFuture<Result<ServiceReply, Status>>;

    fn poll_ready(&mut self, _: &mut std::task::Context<'_>) -> Poll<Result<(), Status>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut call: ServiceCall) -> Self::Future {
        if let Some(authenticator) = &self.authenticator {
            match authenticate(authenticator.as_ref(), &call.context) {
                Ok(identity) => call.context = call.context.with_identity(Some(identity)),
                Err(status) => return Box::pin(std::future::ready(Err(status))),
            }
        }
        if let Some(Err(status)) = self.auth.as_ref().map(|auth| auth(&call.context)) {
            return Box::pin(std::future::ready(Err(status)));
        }
        if call
            .context
            .deadline()
            .is_some_and(|deadline| deadline <= Instant::now())
        {
            let status = Status::deadline_exceeded(format!(
                "the deadline budget of {}.{} was spent before it could run",
                call.context.service(),
                call.context.method()
            ));
            return Box::pin(std::future::ready(Err(status)));
        }
        match self.services.get(call.context.service()) {
            Some(service) => service.call(call),
            None => {
                let status = Status::service_not_found(call.context.service());
                Box::pin(std::future::ready(Err(status)))
            }
        }
    }
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<_> = self.services.keys().collect();
        names.sort();
        f.debug_struct("Router")
            .field("services", &names)
            .field("auth", &self.auth.is_some())
            .field("authenticator", &self.authenticator.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use bytes::Bytes;
    use tower::Service as _;

    use super::*;
    use crate::Code;

    struct Flag(Arc<AtomicBool>);

    impl RpcService for Flag {
        fn name(&self) -> &'static str {
            "Flag"
        }
        fn methods(&self) -> &'static [&'static str] {
            &["set"]
        }
        fn call(&self, _: ServiceCall) -> crate::BoxFuture<Result<ServiceReply, Status>> {
            self.0.store(true, Ordering::SeqCst);
            Box::pin(std::future::ready(Ok(ServiceReply::default())))
        }
    }

    fn router(ran: &Arc<AtomicBool>, auth: Option<AuthHook>) -> Router {
        let service: Arc<dyn RpcService> = Arc::new(Flag(Arc::clone(ran)));
        Router::new(HashMap::from([("Flag", service)]), auth)
    }

    fn call(service: &str, deadline: Option<Instant>) -> ServiceCall {
        ServiceCall {
            context: Context::new(service.to_owned(), "set").with_deadline(deadline),
            codec: rpc_codec::Codec::Json,
            payload: Bytes::new(),
        }
    }

    #[tokio::test]
    async fn a_spent_deadline_is_refused_before_the_service_runs() {
        let ran = Arc::new(AtomicBool::new(false));
        let past = Instant::now().checked_sub(Duration::from_millis(1));
        let status = router(&ran, None)
            .call(call("Flag", past))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::DeadlineExceeded);
        assert!(status.message().contains("spent"), "{status}");
        assert!(!ran.load(Ordering::SeqCst));

        let future = Some(Instant::now() + Duration::from_secs(60));
        router(&ran, None).call(call("Flag", future)).await.unwrap();
        assert!(ran.load(Ordering::SeqCst));
    }

    #[tokio::test]
    async fn unknown_services_and_refused_auth_do_not_run_anything() {
        let ran = Arc::new(AtomicBool::new(false));
        let status = router(&ran, None)
            .call(call("Nope", None))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::ServiceNotFound);
        let deny: AuthHook = Arc::new(|_| Err(Status::unauthenticated("no token")));
        let status = router(&ran, Some(deny))
            .call(call("Flag", None))
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::Unauthenticated);
        assert!(!ran.load(Ordering::SeqCst));
    }
}
