//! A tiny command-line reader for the examples: positional arguments and
//! `--name value` options.

use std::collections::HashMap;

/// The parsed command line.
#[derive(Debug, Default)]
pub struct CommandLine {
    /// Arguments that are not options, in order.
    pub positional: Vec<String>,
    options: HashMap<String, String>,
}

impl CommandLine {
    /// Reads the process's arguments; `--name value` pairs become options.
    pub fn from_env() -> Result<CommandLine, String> {
        CommandLine::parse(std::env::args().skip(1))
    }

    /// Parses `args`.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<CommandLine, String> {
        let mut line = CommandLine::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.strip_prefix("--") {
                Some(name) => {
                    let value = args
                        .next()
                        .ok_or_else(|| format!("--{name} needs a value"))?;
                    line.options.insert(name.to_owned(), value);
                }
                None => line.positional.push(arg),
            }
        }
        Ok(line)
    }

    /// The value of `--name`.
    pub fn option(&self, name: &str) -> Option<&str> {
        self.options.get(name).map(String::as_str)
    }
}

impl CommandLine {
    /// The registry URL of `--registry`, with `--ttl` (e.g. `5s`) added as
    /// the URL's `ttl` parameter. `--ttl` needs an `etcd://` registry and
    /// must not repeat a `ttl` the URL already has.
    pub fn registry_url(&self) -> Result<Option<String>, String> {
        let Some(url) = self.option("registry") else {
            return match self.option("ttl") {
                Some(_) => Err("--ttl needs --registry etcd://…".into()),
                None => Ok(None),
            };
        };
        let Some(ttl) = self.option("ttl") else {
            return Ok(Some(url.to_owned()));
        };
        if !url.starts_with("etcd://") {
            return Err(format!("--ttl applies to an etcd registry, not {url}"));
        }
        let query = url.split_once('?').map_or("", |(_, query)| query);
        if query.split('&').any(|pair| pair.starts_with("ttl=")) {
            return Err("the TTL is given twice: --ttl and the URL's ttl=".into());
        }
        let separator = if url.contains('?') { '&' } else { '?' };
        Ok(Some(format!("{url}{separator}ttl={ttl}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(args: &[&str]) -> CommandLine {
        CommandLine::parse(args.iter().map(|a| (*a).to_owned())).unwrap()
    }

    #[test]
    fn ttl_joins_the_registry_url() {
        let url = |args: &[&str]| line(args).registry_url();
        assert_eq!(url(&[]), Ok(None));
        assert_eq!(
            url(&["--registry", "etcd://h:1", "--ttl", "5s"])
                .unwrap()
                .unwrap(),
            "etcd://h:1?ttl=5s"
        );
        assert_eq!(
            url(&["--registry", "etcd://h:1/b?hold=4s", "--ttl", "2s"])
                .unwrap()
                .unwrap(),
            "etcd://h:1/b?hold=4s&ttl=2s"
        );
        assert!(url(&["--registry", "etcd://h:1?ttl=3s", "--ttl", "2s"]).is_err());
        assert!(url(&["--registry", "static://h:1", "--ttl", "2s"]).is_err());
        assert!(url(&["--ttl", "2s"]).is_err());
    }
}
