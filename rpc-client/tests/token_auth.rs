//! Built-in bearer-token auth: the client's credential (set once or per
//! call) reaches the server's authenticator; refusals are `unauthenticated`
//! or `permission_denied`; the identity is visible to the handler; the older
//! auth hook still runs, after the authenticator.

mod support;

use std::time::Duration;

use rpc_client::{CallOptions, ClientConfig, Credential};
use rpc_core::server::{Server, ServerHandle};
use rpc_core::{Code, Context, Identity, Status};

/// `alice-token` is alice, who may call anything; `bob-token` is bob, who
/// may not call `Test.fail`.
fn authenticate(token: &str, context: &Context) -> Result<Identity, Status> {
    match token {
        "alice-token" => Ok(Identity::new("alice")),
        "bob-token" if context.method() == "fail" => {
            Err(Status::permission_denied("bob may not call Test.fail"))
        }
        "bob-token" => Ok(Identity::new("bob")),
        _ => Err(Status::unauthenticated("unknown token")),
    }
}

async fn server() -> ServerHandle {
    support::start(Server::builder().authenticator(authenticate))
        .await
        .0
}

fn config(credential: Option<Credential>) -> ClientConfig {
    ClientConfig::builder()
        .credential(credential)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

async fn who(client: &rpc_client::Client, options: CallOptions) -> Result<String, Status> {
    let reply = client
        .call_with::<(), ()>("Test", "who", &(), options)
        .await?;
    Ok(reply.metadata.get("identity").unwrap_or("").to_owned())
}

#[tokio::test]
async fn a_known_token_is_accepted_and_its_identity_reaches_the_handler() {
    let server = server().await;
    let client = support::client(&server, config(Some(Credential::bearer("alice-token"))));
    assert_eq!(who(&client, CallOptions::new()).await.unwrap(), "alice");
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_per_call_credential_wins_over_the_clients() {
    let server = server().await;
    let client = support::client(&server, config(Some(Credential::bearer("alice-token"))));
    let options = CallOptions::new().credential(Credential::bearer("bob-token"));
    assert_eq!(who(&client, options).await.unwrap(), "bob");
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn no_token_and_an_unknown_token_are_unauthenticated() {
    let server = server().await;
    let anonymous = support::client(&server, config(None));
    let status = who(&anonymous, CallOptions::new()).await.unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    assert!(status.message().contains("no credential"), "{status:?}");

    let stranger = support::client(&server, config(Some(Credential::bearer("guess"))));
    let status = who(&stranger, CallOptions::new()).await.unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    assert_eq!(status.message(), "unknown token");
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn a_known_caller_refused_a_method_gets_permission_denied() {
    let server = server().await;
    let bob = support::client(&server, config(Some(Credential::bearer("bob-token"))));
    let status = bob.call::<(), ()>("Test", "fail", &()).await.unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);
    server.shutdown_and_wait().await;
}

#[tokio::test]
async fn the_auth_hook_still_runs_and_sees_the_identity() {
    let (server, _) = support::start(Server::builder().authenticator(authenticate).auth(
        |context: &Context| match context.identity() {
            Some(identity) if identity.name() == "bob" => {
                Err(Status::permission_denied("the hook refuses bob"))
            }
            Some(_) => Ok(()),
            None => Err(Status::internal("the hook ran before the authenticator")),
        },
    ))
    .await;
    let alice = support::client(&server, config(Some(Credential::bearer("alice-token"))));
    assert_eq!(who(&alice, CallOptions::new()).await.unwrap(), "alice");
    let bob = support::client(&server, config(Some(Credential::bearer("bob-token"))));
    let status = who(&bob, CallOptions::new()).await.unwrap_err();
    assert_eq!(status.message(), "the hook refuses bob");
    server.shutdown_and_wait().await;
}
