//! `rpc-spread-protobuf`: the control for the XClient contender. Plain
//! `Client`s on `connections` connections, every caller sending each call on
//! the next connection in turn, as the XClient's round-robin does, but
//! without the XClient (no selector, breaker, retry budget or fail mode).
//!
//! The plain `rpc-protobuf` contender pins caller `i` to connection `i % N`,
//! so one caller's calls, and one burst of replies, stay on one connection;
//! spreading them costs writes and reads of their own on every connection.
//! XClient ÷ this contender is the XClient's own cost; this contender ÷
//! `rpc-protobuf` is the cost of spreading calls at all.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::BenchmarkMessage;
use crate::load::Caller;

/// Callers that share `members`, each call on the next one in turn.
#[derive(Debug)]
pub struct Spread<C> {
    members: Vec<C>,
    next: AtomicUsize,
}

impl<C> Spread<C> {
    /// Spreads calls over `members` (at least one).
    pub fn new(members: Vec<C>) -> Spread<C> {
        assert!(!members.is_empty(), "at least one member");
        Spread {
            members,
            next: AtomicUsize::new(0),
        }
    }
}

impl<C: Caller> Caller for Spread<C> {
    async fn call(&self, request: &BenchmarkMessage) -> Result<BenchmarkMessage, String> {
        let turn = self.next.fetch_add(1, Ordering::Relaxed) % self.members.len();
        self.members[turn].call(request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts the calls it answers.
    #[derive(Default)]
    struct Counting(AtomicUsize);

    impl Caller for Counting {
        async fn call(&self, request: &BenchmarkMessage) -> Result<BenchmarkMessage, String> {
            self.0.fetch_add(1, Ordering::Relaxed);
            Ok(request.clone())
        }
    }

    #[tokio::test]
    async fn sends_each_call_to_the_next_member() {
        let spread = Spread::new(vec![
            Counting::default(),
            Counting::default(),
            Counting::default(),
        ]);
        let request = BenchmarkMessage::default();
        for _ in 0..7 {
            spread.call(&request).await.unwrap();
        }
        let counts: Vec<usize> = spread
            .members
            .iter()
            .map(|m| m.0.load(Ordering::Relaxed))
            .collect();
        assert_eq!(counts, [3, 2, 2]);
    }
}
