//! [`MetadataTally`]: an rpcx metadata block counted against its limits as it
//! is read, by the server's decoder and the client's reply reader alike.

use crate::frame::MetadataLimits;
use crate::rpcx::RpcxError;

/// The entries and bytes of one metadata block read so far, checked against
/// [`MetadataLimits`] before each entry and after its key and value.
#[derive(Debug)]
pub struct MetadataTally<'a> {
    limits: &'a MetadataLimits,
    entries: usize,
    bytes: usize,
}

impl<'a> MetadataTally<'a> {
    /// An empty tally under `limits`.
    pub fn new(limits: &'a MetadataLimits) -> Self {
        MetadataTally {
            limits,
            entries: 0,
            bytes: 0,
        }
    }

    /// Counts the next entry before it is read: refused when it would be one
    /// past `max_entries`.
    pub fn begin_entry(&mut self) -> Result<(), RpcxError> {
        let max = usize::from(self.limits.max_entries);
        if self.entries >= max {
            return Err(RpcxError::MetadataLimit {
                what: "entries",
                found: self.entries + 1,
                max,
            });
        }
        self.entries += 1;
        Ok(())
    }

    /// Counts an entry's key and value once they are read: refused when the
    /// block's bytes pass `max_bytes`.
    pub fn add_bytes(&mut self, key: usize, value: usize) -> Result<(), RpcxError> {
        self.bytes = self.bytes.saturating_add(key).saturating_add(value);
        if self.bytes > self.limits.max_bytes {
            return Err(RpcxError::MetadataLimit {
                what: "bytes",
                found: self.bytes,
                max: self.limits.max_bytes,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_past_the_limit_are_refused_before_they_are_read() {
        let limits = MetadataLimits::new(2, 1024);
        let mut tally = MetadataTally::new(&limits);
        tally.begin_entry().unwrap();
        tally.begin_entry().unwrap();
        let refused = tally.begin_entry().unwrap_err();
        assert!(matches!(
            refused,
            RpcxError::MetadataLimit {
                what: "entries",
                found: 3,
                max: 2
            }
        ));
    }

    #[test]
    fn bytes_past_the_limit_are_refused_with_the_total_found() {
        let limits = MetadataLimits::new(8, 10);
        let mut tally = MetadataTally::new(&limits);
        tally.add_bytes(3, 7).unwrap();
        let refused = tally.add_bytes(1, 0).unwrap_err();
        assert!(matches!(
            refused,
            RpcxError::MetadataLimit {
                what: "bytes",
                found: 11,
                max: 10
            }
        ));
    }
}
