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
