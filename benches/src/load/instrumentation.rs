//! The "metrics and tracing on or off" switch of the load suite:
//! `RPC_BENCH_INSTRUMENT`, read by `bench-server` and `bench-client` (and so
//! passed down by `load-suite` to both, as every child inherits it).
//!
//! - `off`: `instrument(false)` on the server, the clients and the XClient:
//!   no metric handle, no span, no trace context touched per call;
//! - `on` (the default, the library's own default): instrumented, with no
//!   recorder and no subscriber installed, so handles are no-ops and spans
//!   disabled: the cost a user pays without using any of it;
//! - `prometheus`: instrumented, with the Prometheus recorder installed
//!   (counters and histograms really recorded, nobody scraping);
//! - `full`: as `prometheus`, plus a `tracing` subscriber that wants every
//!   span at INFO (formatted to nowhere), so spans are built, their fields
//!   recorded and trace context generated and sent on every call.
//!
//! Only `bench-server` and `bench-client` call [`install`]; the overhead is
//! the difference between runs of one contender under two settings.

/// One setting of `RPC_BENCH_INSTRUMENT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instrumentation {
    /// Not instrumented at all.
    Off,
    /// Instrumented, nothing installed to observe it.
    On,
    /// Instrumented, metrics recorded by the Prometheus recorder.
    Prometheus,
    /// Metrics recorded and every span observed.
    Full,
}

/// The environment variable that holds the setting.
pub const VARIABLE: &str = "RPC_BENCH_INSTRUMENT";

impl Instrumentation {
    /// The setting in the environment (`on` when unset).
    pub fn from_env() -> Result<Instrumentation, String> {
        Instrumentation::parse(std::env::var(VARIABLE).ok().as_deref())
    }

    /// The setting a value of the variable names (`None`: unset).
    pub fn parse(value: Option<&str>) -> Result<Instrumentation, String> {
        match value {
            None | Some("on") => Ok(Instrumentation::On),
            Some("off") => Ok(Instrumentation::Off),
            Some("prometheus") => Ok(Instrumentation::Prometheus),
            Some("full") => Ok(Instrumentation::Full),
            Some(other) => Err(format!(
                "{VARIABLE}={other}: expected off, on, prometheus or full"
            )),
        }
    }

    /// Whether servers and clients are built instrumented.
    pub fn enabled(self) -> bool {
        self != Instrumentation::Off
    }
}

/// Whether servers and clients are built instrumented (an invalid setting
/// was refused by [`install`] already).
pub fn enabled() -> bool {
    Instrumentation::from_env().is_ok_and(Instrumentation::enabled)
}

/// Installs what the setting asks for; call once, first thing in `main`,
/// before any server or client is built (they resolve their metric
/// handles from the recorder installed then).
pub fn install() -> Result<Instrumentation, Box<dyn std::error::Error>> {
    let setting = Instrumentation::from_env()?;
    if matches!(setting, Instrumentation::Prometheus | Instrumentation::Full) {
        // The handle is dropped: the recorder keeps recording, nobody
        // scrapes (a scrape is not per call).
        let _handle = metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder()?;
    }
    if setting == Instrumentation::Full {
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_writer(std::io::sink)
            .finish();
        tracing::subscriber::set_global_default(subscriber)?;
    }
    Ok(setting)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse_and_only_off_turns_instrumentation_off() {
        assert_eq!(Instrumentation::parse(None), Ok(Instrumentation::On));
        assert_eq!(
            Instrumentation::parse(Some("full")),
            Ok(Instrumentation::Full)
        );
        assert!(!Instrumentation::parse(Some("off")).unwrap().enabled());
        assert!(
            Instrumentation::parse(Some("prometheus"))
                .unwrap()
                .enabled()
        );
        assert!(Instrumentation::parse(Some("nope")).is_err());
    }
}
