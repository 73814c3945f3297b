//! The suite's output: per contender, medians over the runs of one
//! (connections, concurrency) setting, as a markdown table and as one
//! `median key=value…` line each for scripts.

use std::collections::BTreeMap;

use benches::load::server_process::Fields;

/// Every run of one contender: (client fields, server fields).
pub(crate) type Runs = Vec<(Fields, Fields)>;

/// One setting of the matrix.
pub(crate) struct Setting {
    pub(crate) conns: usize,
    pub(crate) concurrency: usize,
    pub(crate) total: usize,
    pub(crate) runs: usize,
    pub(crate) work_us: u64,
    pub(crate) work_iters: u64,
}

pub(crate) fn number(fields: &Fields, key: &str) -> f64 {
    fields
        .get(key)
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.retain(|v| !v.is_nan());
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The figures of one contender's table row, each a median over its runs.
struct Row {
    throughput: f64,
    mean_us: f64,
    p50_us: f64,
    p99_us: f64,
    p999_us: f64,
    client_cpu_us_per_call: f64,
    server_cpu_us_per_call: f64,
    client_allocs_per_call: f64,
    server_allocs_per_call: f64,
    client_peak_rss_mib: f64,
    server_peak_rss_mib: f64,
}

impl Row {
    fn of(runs: &Runs) -> Row {
        let client = |key: &str| median(runs.iter().map(|(c, _)| number(c, key)).collect());
        let server = |key: &str| median(runs.iter().map(|(_, s)| number(s, key)).collect());
        // Per-call figures are medians of each run's own ratio.
        let per_call = |f: &dyn Fn(&Fields, &Fields) -> f64| {
            median(
                runs.iter()
                    .map(|(c, s)| f(c, s) / number(c, "ok").max(1.0))
                    .collect(),
            )
        };
        Row {
            throughput: client("throughput"),
            mean_us: client("mean_us"),
            p50_us: client("p50_us"),
            p99_us: client("p99_us"),
            p999_us: client("p999_us"),
            client_cpu_us_per_call: per_call(&|c, _| number(c, "client_cpu_ms") * 1000.0),
            server_cpu_us_per_call: per_call(&|c, _| number(c, "server_cpu_ms") * 1000.0),
            client_allocs_per_call: client("client_allocs_per_call"),
            server_allocs_per_call: median(
                runs.iter()
                    .map(|(_, s)| number(s, "allocations") / number(s, "answered").max(1.0))
                    .collect(),
            ),
            client_peak_rss_mib: client("client_peak_rss") / 1_048_576.0,
            server_peak_rss_mib: server("peak_rss") / 1_048_576.0,
        }
    }
}

/// Prints the table of `setting` for `order`'s contenders.
pub(crate) fn print(setting: &Setting, order: &[&'static str], results: &BTreeMap<&str, Runs>) {
    let rows: BTreeMap<&str, Row> = results.iter().map(|(k, v)| (*k, Row::of(v))).collect();
    let raw = rows.get("raw");
    let tonic = rows.get("tonic");
    let work = if setting.work_us > 0 {
        format!(
            ", handler work {} µs ({} iterations)",
            setting.work_us, setting.work_iters
        )
    } else {
        String::new()
    };
    println!(
        "\n### {} connection(s), c = {}, {} calls per run, median of {} run(s){work}\n",
        setting.conns, setting.concurrency, setting.total, setting.runs
    );
    println!(
        "| contender | calls/s | × raw | × tonic | mean µs | p50 µs | p99 µs | p99.9 µs | p99 × raw \
         | CPU µs/call client | CPU µs/call server | allocs/call client | allocs/call server \
         | peak RSS MiB client | peak RSS MiB server |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for name in order {
        let Some(row) = rows.get(name) else { continue };
        let ratio = |of: Option<&Row>, f: fn(&Row) -> f64| of.map_or(f64::NAN, |o| f(row) / f(o));
        let vs_raw = ratio(raw, |r| r.throughput);
        let vs_tonic = ratio(tonic, |r| r.throughput);
        let p99_vs_raw = ratio(raw, |r| r.p99_us);
        println!(
            "| {name} | {:.0} | {vs_raw:.2} | {vs_tonic:.2} | {:.0} | {:.0} | {:.0} | {:.0} | {p99_vs_raw:.2} \
             | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} |",
            row.throughput,
            row.mean_us,
            row.p50_us,
            row.p99_us,
            row.p999_us,
            row.client_cpu_us_per_call,
            row.server_cpu_us_per_call,
            row.client_allocs_per_call,
            row.server_allocs_per_call,
            row.client_peak_rss_mib,
            row.server_peak_rss_mib,
        );
    }
    println!();
    for name in order {
        let Some(row) = rows.get(name) else { continue };
        println!(
            "median contender={name} conns={} c={} work_us={} throughput={:.0} x_raw={:.3} p50_us={:.0} \
             p99_us={:.0} p999_us={:.0} client_cpu_us_per_call={:.2} server_cpu_us_per_call={:.2} \
             client_allocs_per_call={:.2} server_allocs_per_call={:.2} client_peak_rss_mib={:.1} \
             server_peak_rss_mib={:.1}",
            setting.conns,
            setting.concurrency,
            setting.work_us,
            row.throughput,
            raw.map_or(f64::NAN, |r| row.throughput / r.throughput),
            row.p50_us,
            row.p99_us,
            row.p999_us,
            row.client_cpu_us_per_call,
            row.server_cpu_us_per_call,
            row.client_allocs_per_call,
            row.server_allocs_per_call,
            row.client_peak_rss_mib,
            row.server_peak_rss_mib,
        );
    }
}
