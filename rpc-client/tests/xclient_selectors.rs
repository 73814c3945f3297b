//! Selectors over real servers: weights honoured, round-robin exact,
//! consistent hashing stable across clients, least-loaded avoids a busy node;
//! round-robin's share stays even under concurrent load.

mod cluster;

use std::collections::HashMap;

use cluster::{Behaviour, Cluster, whoami};
use rpc_client::{CallOptions, SelectMode, XClient};

async fn counts(cluster: &Cluster, mode: SelectMode, calls: usize) -> Vec<usize> {
    let x = XClient::builder("Node", cluster.registry.clone())
        .select_mode(mode)
        .build()
        .await
        .unwrap();
    let before = cluster.calls();
    for i in 0..calls {
        whoami(&x, &i.to_string(), CallOptions::new())
            .await
            .unwrap();
    }
    cluster
        .calls()
        .iter()
        .zip(before)
        .map(|(after, before)| after - before)
        .collect()
}

#[tokio::test]
async fn round_robin_and_smooth_weighted_round_robin_are_exact() {
    let cluster = Cluster::start(&[1, 2, 3]).await;
    assert_eq!(
        counts(&cluster, SelectMode::RoundRobin, 600).await,
        [200, 200, 200]
    );
    assert_eq!(
        counts(&cluster, SelectMode::WeightedRoundRobin, 600).await,
        [100, 200, 300]
    );
}

/// Under concurrent load, round-robin lets a burst of calls join the batch
/// the last endpoint's connection is gathering (at most 32 in a row): the
/// share of each endpoint must stay even over many calls all the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_robin_under_concurrent_load_keeps_an_even_share() {
    let cluster = Cluster::start(&[1, 1, 1, 1]).await;
    let x = XClient::builder("Node", cluster.registry.clone())
        .select_mode(SelectMode::RoundRobin)
        .build()
        .await
        .unwrap();
    let before = cluster.calls();
    let callers: Vec<_> = (0..64)
        .map(|caller| {
            let x = x.clone();
            tokio::spawn(async move {
                for call in 0..100 {
                    whoami(&x, &format!("{caller}-{call}"), CallOptions::new())
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for caller in callers {
        caller.await.unwrap();
    }
    let shares: Vec<usize> = cluster
        .calls()
        .iter()
        .zip(before)
        .map(|(after, before)| after - before)
        .collect();
    assert_eq!(shares.iter().sum::<usize>(), 6_400);
    // An even share is 1,600 each; bursts of at most 33 calls move it by
    // little. A selector stuck on one endpoint would give it far more.
    for share in &shares {
        assert!(
            (1_100..=2_100).contains(share),
            "uneven shares under load: {shares:?}"
        );
    }
}

#[tokio::test]
async fn random_selectors_follow_their_distributions() {
    let cluster = Cluster::start(&[1, 2, 3]).await;
    let weighted = counts(&cluster, SelectMode::WeightedRandom, 3000).await;
    for (got, want) in weighted.iter().zip([500.0, 1000.0, 1500.0]) {
        let share = *got as f64 / want;
        assert!((0.8..1.2).contains(&share), "weighted random {weighted:?}");
    }
    let uniform = counts(&cluster, SelectMode::Random, 3000).await;
    for got in &uniform {
        assert!((800..1200).contains(got), "random {uniform:?}");
    }
}

#[tokio::test]
async fn consistent_hash_sends_a_key_to_the_same_node_from_every_client() {
    let cluster = Cluster::start(&[1, 1, 1, 1]).await;
    let first = XClient::builder("Node", cluster.registry.clone())
        .select_mode(SelectMode::ConsistentHash)
        .build()
        .await
        .unwrap();
    let second = XClient::builder("Node", cluster.registry.clone())
        .select_mode(SelectMode::ConsistentHash)
        .build()
        .await
        .unwrap();
    let mut placement: HashMap<String, String> = HashMap::new();
    for user in 0..200 {
        let key = format!("user-{user}");
        let options = CallOptions::new().hash_key(&key);
        let a = whoami(&first, "ignored", options.clone()).await.unwrap();
        let b = whoami(&second, "ignored", options.clone()).await.unwrap();
        let again = whoami(&first, "ignored", options).await.unwrap();
        assert_eq!((&a, &a), (&b, &again), "{key}");
        placement.insert(key, a);
    }
    let used: std::collections::HashSet<&String> = placement.values().collect();
    assert_eq!(used.len(), 4, "keys spread over every node");
    // Without an explicit key, the encoded argument is the key.
    let a = whoami(&first, "same-argument", CallOptions::new())
        .await
        .unwrap();
    let b = whoami(&second, "same-argument", CallOptions::new())
        .await
        .unwrap();
    assert_eq!(a, b);
}

#[tokio::test]
async fn least_loaded_avoids_a_node_with_calls_in_flight() {
    let cluster = Cluster::start(&[1, 1]).await;
    let x = XClient::builder("Node", cluster.registry.clone())
        .select_mode(SelectMode::LeastLoaded)
        .fail_mode(rpc_client::FailMode::Failfast)
        .build()
        .await
        .unwrap();
    // Pin 10 hanging calls on n0 through a second client, so only this
    // client's own in-flight count of n0 matters below: make them on `x`.
    cluster.nodes[0].set(Behaviour::Hang);
    cluster.nodes[1].set(Behaviour::Hang);
    let mut hanging = Vec::new();
    for _ in 0..10 {
        let x = x.clone();
        hanging.push(tokio::spawn(async move {
            whoami(
                &x,
                "k",
                CallOptions::new().timeout(std::time::Duration::from_secs(30)),
            )
            .await
        }));
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    // Ten calls split between two hanging nodes: p2c keeps them balanced.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let calls = cluster.calls();
    assert_eq!(calls.iter().sum::<usize>(), 10);
    assert!(calls[0].abs_diff(calls[1]) <= 2, "{calls:?}");
    for call in hanging {
        call.abort();
    }
}
