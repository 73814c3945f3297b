//! Durations on the command line: `250ms`, `5s`, `2m`.

use std::time::Duration;

/// Parses a number followed by `ms`, `s` or `m`.
pub(crate) fn parse(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => return Err(format!("{text:?} needs a unit: ms, s or m")),
    };
    let value: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} does not start with a whole number"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(value)),
        "s" => Ok(Duration::from_secs(value)),
        "m" => Ok(Duration::from_secs(value.saturating_mul(60))),
        other => Err(format!(
            "unknown unit {other:?} in {text:?}: use ms, s or m"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_required_and_understood() {
        assert_eq!(parse("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse("2m"), Ok(Duration::from_secs(120)));
        assert!(parse("5").is_err());
        assert!(parse("s").is_err());
        assert!(parse("5h").is_err());
    }
}
