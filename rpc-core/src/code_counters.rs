//! [`CodeCounters`]: one `metrics` counter per status code, registered on
//! the code's first use, so that a scrape shows only the codes that
//! happened and a call touches one atomic. Shared by the server's, the
//! client's and the XClient's instrumentation.

use std::sync::OnceLock;

use metrics::{Counter, Label, SharedString};

use crate::Code;

/// Counters named `name`, labelled `labels` plus `code`.
#[derive(Debug)]
pub struct CodeCounters {
    name: &'static str,
    labels: Vec<(&'static str, SharedString)>,
    counters: [OnceLock<Counter>; Code::ALL.len()],
}

impl CodeCounters {
    /// No counter is registered until its code is first counted.
    pub fn new(name: &'static str, labels: Vec<(&'static str, SharedString)>) -> CodeCounters {
        CodeCounters {
            name,
            labels,
            counters: Default::default(),
        }
    }

    /// The counter of `code`, registered with the recorder installed now on
    /// its first use.
    pub fn of(&self, code: Code) -> &Counter {
        self.counters[code_index(code)].get_or_init(|| {
            let mut labels: Vec<Label> = self
                .labels
                .iter()
                .map(|(key, value)| Label::new(*key, value.clone()))
                .collect();
            labels.push(Label::new("code", code.name()));
            metrics::counter!(self.name, labels)
        })
    }
}

/// `code`'s place in [`Code::ALL`]: its wire number while the numbers are
/// contiguous (they are, `Unknown` last), a scan otherwise.
fn code_index(code: Code) -> usize {
    let direct = usize::from(code.as_u8()).min(Code::ALL.len() - 1);
    if Code::ALL[direct] == code {
        return direct;
    }
    Code::ALL
        .iter()
        .position(|known| *known == code)
        .unwrap_or(Code::ALL.len() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_its_own_counter_slot() {
        for (index, code) in Code::ALL.into_iter().enumerate() {
            assert_eq!(code_index(code), index, "{code}");
        }
    }
}
