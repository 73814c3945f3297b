//! One [`Measurement`] per phase, printed as a `key=value` line when it is
//! taken and gathered into a table at the end.

use std::future::Future;

use crate::hostile::attacker::AttackerStats;
use crate::hostile::bystander::{Bystander, BystanderStats};

/// What one phase measured.
#[derive(Debug)]
pub struct Measurement {
    /// The phase: `baseline`, `metadata_burst`, `slowloris`…
    pub attack: String,
    /// The well-behaved connection's calls during the phase.
    pub bystander: BystanderStats,
    /// The attacking side, if there was one.
    pub attacker: Option<AttackerStats>,
    /// Attack-specific `key=value` fields.
    pub extra: Vec<(String, String)>,
}

impl Measurement {
    /// The machine-readable line.
    pub fn line(&self) -> String {
        let mut line = format!("hostile attack={} {}", self.attack, self.bystander.fields());
        if let Some(attacker) = &self.attacker {
            line.push(' ');
            line.push_str(&attacker.fields());
        }
        for (key, value) in &self.extra {
            line.push_str(&format!(" {key}={value}"));
        }
        line
    }
}

/// Runs `attack` while `bystander` calls; the bystander starts first and
/// stops when the attack ends.
pub async fn during<F: Future<Output = AttackerStats>>(
    name: &str,
    bystander: &Bystander,
    attack: F,
) -> Measurement {
    let running = bystander.start();
    let attacker = attack.await;
    Measurement {
        attack: name.to_owned(),
        bystander: running.stop().await,
        attacker: Some(attacker),
        extra: Vec::new(),
    }
}

/// The closing table of every measurement.
pub fn print_table(measurements: &[Measurement]) {
    if measurements.is_empty() {
        return;
    }
    println!();
    println!(
        "| phase | bystander ok | errors | p50 µs | p99 µs | max µs | attacker conns | sent | replies | server closed | first close ms | last close ms | open at end |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for m in measurements {
        let b = &m.bystander;
        let q = |q: f64| {
            if b.ok == 0 {
                "-".to_owned()
            } else {
                b.latency_us.value_at_quantile(q).to_string()
            }
        };
        let max = if b.ok == 0 {
            "-".to_owned()
        } else {
            b.latency_us.max().to_string()
        };
        let attacker = m.attacker.as_ref().map_or_else(
            || "| - | - | - | - | - | - | - |".to_owned(),
            |a| {
                let mut closed = a.closed_at.clone();
                closed.sort();
                let ms = |d: Option<&std::time::Duration>| {
                    d.map_or("-".to_owned(), |d| d.as_millis().to_string())
                };
                format!(
                    "| {} | {} | {} | {} | {} | {} | {} |",
                    a.connections,
                    a.sent,
                    a.replies,
                    closed.len(),
                    ms(closed.first()),
                    ms(closed.last()),
                    a.open_at_end
                )
            },
        );
        println!(
            "| {} | {} | {} | {} | {} | {max} {attacker}",
            m.attack,
            b.ok,
            b.errors,
            q(0.5),
            q(0.99)
        );
    }
}
