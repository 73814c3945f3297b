//! A latency histogram drawn with text bars: log-spaced buckets from the
//! fastest to the slowest call, each bar as long as its share of calls.

use hdrhistogram::Histogram;

/// Buckets drawn at most.
const BUCKETS: usize = 12;

/// Characters of the longest bar.
const WIDTH: usize = 40;

/// The lines of the drawing, latencies in microseconds.
pub(crate) fn draw(histogram: &Histogram<u64>) -> Vec<String> {
    if histogram.is_empty() {
        return vec!["(no successful calls)".to_owned()];
    }
    let low = histogram.min().max(1) as f64;
    let high = histogram.max().max(1) as f64;
    let buckets = if high <= low { 1 } else { BUCKETS };
    let ratio = (high / low).powf(1.0 / buckets as f64);
    let upper: Vec<f64> = (1..=buckets).map(|i| low * ratio.powi(i as i32)).collect();
    let mut counts = vec![0u64; buckets];
    for value in histogram.iter_recorded() {
        let micros = value.value_iterated_to() as f64;
        let index = upper
            .iter()
            .position(|bound| micros <= *bound)
            .unwrap_or(buckets - 1);
        counts[index] += value.count_at_value();
    }
    let most = counts.iter().copied().max().unwrap_or(1).max(1);
    let mut lower = low;
    let mut lines = Vec::with_capacity(buckets);
    for (bound, count) in upper.iter().zip(&counts) {
        let bar = "█".repeat(((*count as f64 / most as f64) * WIDTH as f64).round() as usize);
        let share = 100.0 * *count as f64 / histogram.len() as f64;
        lines.push(format!(
            "{:>10} – {:>10} │{bar:<WIDTH$}│ {count} ({share:.1}%)",
            micros(lower),
            micros(*bound)
        ));
        lower = *bound;
    }
    lines
}

/// A latency for people: µs below a millisecond, else ms.
pub(crate) fn micros(value: f64) -> String {
    if value < 1000.0 {
        format!("{value:.0} µs")
    } else {
        format!("{:.2} ms", value / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_call_lands_in_one_bucket_and_the_fullest_bar_is_full() {
        let mut histogram = Histogram::<u64>::new(3).unwrap();
        for value in [100, 110, 120, 130, 5_000] {
            histogram.record(value).unwrap();
        }
        let lines = draw(&histogram);
        assert_eq!(lines.len(), BUCKETS);
        let total: u64 = lines
            .iter()
            .map(|line| {
                line.rsplit("│ ")
                    .next()
                    .unwrap()
                    .split(' ')
                    .next()
                    .unwrap()
                    .parse::<u64>()
                    .unwrap()
            })
            .sum();
        assert_eq!(total, 5);
        assert!(lines[0].contains(&"█".repeat(WIDTH)), "{lines:#?}");
        assert!(lines[BUCKETS - 1].contains(" 1 (20.0%)"), "{lines:#?}");
    }
}
