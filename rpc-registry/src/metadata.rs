//! [`EndpointMetadata`]: an endpoint's weight, group, version, state and
//! free-form keys, stored as a URL query string (rpcx's format).

use std::collections::BTreeMap;

/// Endpoint metadata. Well-known keys: `weight` (positive integer, default
/// 1), `group`, `version`, `state` (`active` by default; `inactive` takes the
/// endpoint out of selection). Any other key is kept as is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointMetadata {
    entries: BTreeMap<String, String>,
}

impl EndpointMetadata {
    /// No entries (weight 1, active).
    pub fn new() -> EndpointMetadata {
        EndpointMetadata::default()
    }

    /// Parses a URL query string (`a=1&b=x%20y`). Malformed pairs are kept
    /// as best the decoder can; this never fails, because a value written
    /// by another implementation must not hide the endpoint.
    pub fn from_query(query: &str) -> EndpointMetadata {
        EndpointMetadata {
            entries: form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        }
    }

    /// The URL query string, keys in sorted order.
    pub fn to_query(&self) -> String {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(self.entries.iter())
            .finish()
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries.get(key).map(String::as_str)
    }

    /// Sets `key` to `value`.
    pub fn set(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.entries.insert(key.into(), value.into());
        self
    }

    /// The same metadata with `key` set to `value`.
    pub fn with(mut self, key: impl Into<String>, value: impl Into<String>) -> EndpointMetadata {
        self.set(key, value);
        self
    }

    /// The `weight`, 1 when absent or not a positive integer.
    pub fn weight(&self) -> u32 {
        self.get("weight")
            .and_then(|w| w.parse().ok())
            .filter(|w| *w > 0)
            .unwrap_or(1)
    }

    /// The `group`, if any.
    pub fn group(&self) -> Option<&str> {
        self.get("group")
    }

    /// The `version`, if any.
    pub fn version(&self) -> Option<&str> {
        self.get("version")
    }

    /// Whether the endpoint takes calls: `state` is absent or not `inactive`.
    pub fn is_active(&self) -> bool {
        self.get("state") != Some("inactive")
    }

    /// Every entry, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_round_trip_with_escaping() {
        let metadata = EndpointMetadata::new()
            .with("weight", "10")
            .with("group", "blue team")
            .with("note", "a&b=c");
        let query = metadata.to_query();
        assert_eq!(query, "group=blue+team&note=a%26b%3Dc&weight=10");
        assert_eq!(EndpointMetadata::from_query(&query), metadata);
    }

    #[test]
    fn well_known_keys_have_defaults() {
        let empty = EndpointMetadata::new();
        assert_eq!(empty.weight(), 1);
        assert!(empty.is_active());
        assert_eq!(EndpointMetadata::from_query("weight=0").weight(), 1);
        assert_eq!(EndpointMetadata::from_query("weight=x").weight(), 1);
        assert!(!EndpointMetadata::from_query("state=inactive").is_active());
        assert_eq!(
            EndpointMetadata::from_query("version=1.2").version(),
            Some("1.2")
        );
    }
}
