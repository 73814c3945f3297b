//! [`ServerProcess`]: a `bench-server` child process, started and stopped
//! by the load suite and by the hostile-traffic harness.

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};

/// `key=value` fields of one output line.
pub type Fields = BTreeMap<String, String>;

/// Splits `key=value key=value…` into fields (words without `=` are skipped).
pub fn parse_fields(line: &str) -> Fields {
    line.split_whitespace()
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// A running `bench-server`, killed (SIGKILL) if dropped without [`ServerProcess::stop`].
#[derive(Debug)]
pub struct ServerProcess {
    child: Option<Child>,
    addr: String,
    stdout: BufReader<ChildStdout>,
}

impl ServerProcess {
    /// Starts `bin_dir/bench-server KIND ARGS…` on 127.0.0.1 and waits for
    /// the address it prints.
    pub fn start(bin_dir: &Path, kind: &str, args: &[String]) -> io::Result<ServerProcess> {
        let mut child = Command::new(bin_dir.join("bench-server"))
            .arg(kind)
            .args(args)
            .stdout(Stdio::piped())
            .spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| io::Error::other("no stdout"))?;
        let mut process = ServerProcess {
            child: Some(child),
            addr: String::new(),
            stdout: BufReader::new(stdout),
        };
        let mut line = String::new();
        process.stdout.read_line(&mut line)?;
        process.addr = line
            .trim()
            .strip_prefix("listening on ")
            .ok_or_else(|| io::Error::other(format!("unexpected server output {line:?}")))?
            .to_owned();
        Ok(process)
    }

    /// The address it listens on, `127.0.0.1:PORT`.
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// Whether it has exited (crashed, or was killed).
    pub fn has_exited(&mut self) -> bool {
        self.child
            .as_mut()
            .is_none_or(|child| !matches!(child.try_wait(), Ok(None)))
    }

    /// Stops it with SIGTERM and returns its `server-stats` fields.
    pub fn stop(mut self) -> io::Result<Fields> {
        let Some(mut child) = self.child.take() else {
            return Ok(Fields::new());
        };
        Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status()?;
        let mut line = String::new();
        self.stdout.read_line(&mut line)?;
        child.wait()?;
        Ok(parse_fields(
            line.trim().strip_prefix("server-stats ").unwrap_or(""),
        ))
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            // Only this child, by its own handle; an error means it is gone already.
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
