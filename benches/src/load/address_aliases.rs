//! Several spellings of one IPv4 address, so that a client which opens one
//! connection per endpoint (the `XClient`'s pool) can be given N endpoints
//! that are all the same server.
//!
//! The resolver (`getaddrinfo`, through `inet_aton`) reads each dotted part
//! as decimal, as hex with `0x`, or as octal with a leading `0`: `127.0.0.1`,
//! `0x7f.0.0.1` and `0177.0.0.01` are one address but three endpoint ids.

use std::net::SocketAddrV4;

/// `count` distinct spellings of `addr` (the first is the usual one); up to
/// 81 (three forms for each of the four parts).
pub fn aliases(addr: SocketAddrV4, count: usize) -> Vec<String> {
    let octets = addr.ip().octets();
    let spell = |octet: u8, form: usize| match form {
        0 => octet.to_string(),
        1 => format!("{octet:#x}"),
        _ => format!("0{octet:o}"),
    };
    (0..count.min(81))
        .map(|n| {
            // Digit i of n in base 3 picks the form of part 3 - i, so the
            // last part varies first and n = 0 is all decimal.
            let parts: Vec<String> = (0..4)
                .map(|i| spell(octets[i], (n / 3_usize.pow(3 - i as u32)) % 3))
                .collect();
            format!("{}:{}", parts.join("."), addr.port())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::net::{SocketAddr, ToSocketAddrs};

    use super::*;

    #[test]
    fn sixteen_distinct_spellings_all_resolve_to_the_address() {
        let addr: SocketAddrV4 = "127.0.0.1:8972".parse().unwrap();
        let spellings = aliases(addr, 16);
        assert_eq!(spellings[0], "127.0.0.1:8972");
        assert_eq!(spellings.iter().collect::<HashSet<_>>().len(), 16);
        for spelling in &spellings {
            let resolved: Vec<SocketAddr> = spelling.to_socket_addrs().unwrap().collect();
            assert_eq!(resolved, vec![SocketAddr::V4(addr)], "{spelling}");
        }
    }
}
