//! The command line of `load-suite`.

use std::error::Error;

use benches::load::contenders::Contender;

/// What to run.
pub(crate) struct Options {
    pub(crate) runs: usize,
    pub(crate) concurrency: Vec<usize>,
    pub(crate) total: usize,
    pub(crate) conns: Vec<usize>,
    pub(crate) contenders: Vec<Contender>,
    pub(crate) idle: Option<usize>,
    /// CPU each handler spends before answering, in µs (0: trivial handler).
    pub(crate) work_us: u64,
}

fn list<T: std::str::FromStr>(value: &str) -> Result<Vec<T>, T::Err> {
    value.split(',').map(str::parse).collect()
}

impl Options {
    pub(crate) fn parse() -> Result<Options, Box<dyn Error>> {
        let mut options = Options {
            runs: 3,
            concurrency: vec![100, 1000],
            total: 200_000,
            conns: vec![1],
            contenders: Contender::ALL.to_vec(),
            idle: None,
            work_us: 0,
        };
        let mut args = std::env::args().skip(1);
        while let Some(flag) = args.next() {
            if flag == "--smoke" {
                // Short, and over two connections so that the multi-connection
                // path of every contender (the XClient's aliases too) is checked.
                options.runs = 1;
                options.concurrency = vec![50];
                options.total = 2_000;
                options.conns = vec![2];
                continue;
            }
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            match flag.as_str() {
                "--runs" => options.runs = value.parse()?,
                "-c" => options.concurrency = list(&value)?,
                "-n" => options.total = value.parse()?,
                "--conns" => options.conns = list(&value)?,
                "--only" => options.contenders = list(&value)?,
                "--idle" => options.idle = Some(value.parse()?),
                "--work-us" => options.work_us = value.parse()?,
                other => return Err(format!("unknown flag {other}").into()),
            }
        }
        if options.conns.contains(&0) || options.concurrency.contains(&0) {
            return Err("--conns and -c must be at least 1".into());
        }
        Ok(options)
    }
}
