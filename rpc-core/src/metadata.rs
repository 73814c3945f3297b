//! [`Metadata`]: string key/value pairs that travel with requests and responses.

use std::fmt;

use bytestring::ByteString;

/// String key/value pairs carried by a request (auth tokens, trace ids, user
/// data) or a response.
///
/// Kept as a small vector in insertion order: calls carry a handful of entries,
/// where a linear scan beats hashing, and an empty set costs no allocation.
/// Keys are case-sensitive. Decoded entries share the frame's buffer, so
/// reading metadata off the wire copies nothing.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    entries: Vec<(ByteString, ByteString)>,
}

impl Metadata {
    /// No entries.
    pub const fn new() -> Metadata {
        Metadata {
            entries: Vec::new(),
        }
    }

    /// Room for `capacity` entries.
    pub fn with_capacity(capacity: usize) -> Metadata {
        Metadata {
            entries: Vec::with_capacity(capacity),
        }
    }

    /// The value of the first entry named `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| &**v)
    }

    /// Sets `key` to `value`, replacing every earlier entry of that name.
    pub fn insert(&mut self, key: impl Into<ByteString>, value: impl Into<ByteString>) {
        let key = key.into();
        self.entries.retain(|(k, _)| *k != key);
        self.entries.push((key, value.into()));
    }

    /// Adds an entry, keeping earlier entries of the same name.
    pub fn append(&mut self, key: impl Into<ByteString>, value: impl Into<ByteString>) {
        self.entries.push((key.into(), value.into()));
    }

    /// Removes every entry named `key`; returns whether there was one.
    pub fn remove(&mut self, key: &str) -> bool {
        let before = self.entries.len();
        self.entries.retain(|(k, _)| k != key);
        self.entries.len() != before
    }

    /// The entries in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (&**k, &**v))
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(crate) fn entries(&self) -> &[(ByteString, ByteString)] {
        &self.entries
    }

    pub(crate) fn push_decoded(&mut self, key: ByteString, value: ByteString) {
        self.entries.push((key, value));
    }
}

impl fmt::Debug for Metadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: Into<ByteString>, V: Into<ByteString>> FromIterator<(K, V)> for Metadata {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Metadata {
            entries: iter
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }
}

impl<K: Into<ByteString>, V: Into<ByteString>> Extend<(K, V)> for Metadata {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        self.entries
            .extend(iter.into_iter().map(|(k, v)| (k.into(), v.into())));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_replaces_and_append_keeps() {
        let mut md = Metadata::new();
        md.append("k", "1");
        md.append("k", "2");
        assert_eq!(md.get("k"), Some("1"));
        assert_eq!(md.len(), 2);
        md.insert("k", "3");
        assert_eq!(md.iter().collect::<Vec<_>>(), [("k", "3")]);
        assert!(md.remove("k"));
        assert!(!md.remove("k"));
        assert!(md.is_empty());
    }
}
