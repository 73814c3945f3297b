//! How a command fails, and the exit status each failure gives.

use rpc::{Code, Codec, Status};

/// A local failure: bad input, a registry that cannot be read.
pub(crate) const LOCAL: u8 = 1;

/// A usage error (clap uses the same number for its own).
pub(crate) const USAGE: u8 = 2;

/// Exit statuses of call statuses start here: `10 + code`.
const STATUS_BASE: u8 = 10;

/// A call's status this version does not know.
const UNKNOWN_STATUS: u8 = 9;

/// Why a command failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The command line asked for something impossible.
    Usage(String),
    /// Something on this side went wrong.
    Local(String),
    /// A call ended in a status; `verbose` prints its metadata too. The
    /// call's codec, when known, reads a typed error's details.
    Call {
        /// The call's status.
        status: Status,
        /// Print the status's metadata.
        verbose: bool,
        /// The call's codec.
        codec: Option<Codec>,
    },
}

impl Failure {
    /// The exit status of this failure.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) => USAGE,
            Failure::Local(_) => LOCAL,
            Failure::Call { status, .. } => status_exit_code(status.code()),
        }
    }

    /// Prints the failure on standard error.
    pub(crate) fn report(&self) {
        match self {
            Failure::Usage(message) => eprintln!("usage error: {message}"),
            Failure::Local(message) => eprintln!("error: {message}"),
            Failure::Call {
                status,
                verbose,
                codec,
            } => {
                eprintln!("error: {}: {}", status.code(), status.message());
                if let Some(details) = details_text(status.details(), *codec) {
                    eprintln!("details: {details}");
                }
                if *verbose {
                    for (key, value) in status.metadata().iter() {
                        eprintln!("< {key}: {value}");
                    }
                }
            }
        }
    }
}

impl From<Status> for Failure {
    fn from(status: Status) -> Failure {
        Failure::Call {
            status,
            verbose: false,
            codec: None,
        }
    }
}

/// A typed application error's details (`#[rpc(typed_error)]`) as JSON
/// text, or their size when the codec cannot be read here.
fn details_text(details: &[u8], codec: Option<Codec>) -> Option<String> {
    if details.is_empty() {
        return None;
    }
    let json = codec.and_then(|codec| crate::json_payload::decode(details, codec).ok());
    Some(match json {
        Some(value) => value.to_string(),
        None => format!("{} bytes this tool cannot read", details.len()),
    })
}

/// `10 + code` for every code this version knows, else 9.
pub(crate) fn status_exit_code(code: Code) -> u8 {
    match code {
        Code::Unknown => UNKNOWN_STATUS,
        code => STATUS_BASE.saturating_add(code.as_u8()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_its_own_exit_code_above_the_local_ones() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            let exit = status_exit_code(code);
            assert!(exit > USAGE, "{code}");
            assert!(seen.insert(exit), "{code} shares {exit}");
        }
        assert_eq!(status_exit_code(Code::Ok), 10);
        assert_eq!(status_exit_code(Code::ServiceNotFound), 11);
        assert_eq!(status_exit_code(Code::Application), 22);
    }
}
