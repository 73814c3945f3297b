//! Certificates made at test time with rcgen: a CA, servers and clients it
//! signs, and the bad cases (another CA, expired, another name).
//!
//! Shared by the TLS tests of several crates (included with `#[path]`), and
//! by the `rpc-certs` example binary.
#![allow(dead_code, unreachable_pub)]

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

/// A certificate and its private key, as PEM text.
#[derive(Clone)]
pub struct Pem {
    pub cert: String,
    pub key: String,
}

/// A certificate authority that can sign leaves.
pub struct Ca {
    pub pem: Pem,
    issuer: Issuer<'static, KeyPair>,
}

/// What a leaf certificate is for.
#[derive(Clone, Copy)]
pub enum Role {
    Server,
    Client,
}

/// How long a leaf is valid.
#[derive(Clone, Copy)]
pub enum Validity {
    /// From yesterday-ish to years ahead.
    Current,
    /// Ended long ago.
    Expired,
}

impl Ca {
    /// A fresh self-signed CA named `name`.
    pub fn new(name: &str) -> Ca {
        let key = KeyPair::generate().expect("CA key");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let cert = params.self_signed(&key).expect("self-signed CA");
        let pem = Pem {
            cert: cert.pem(),
            key: key.serialize_pem(),
        };
        Ca {
            pem,
            issuer: Issuer::new(params, key),
        }
    }

    /// A leaf for `names` (DNS names or IP addresses; the first is also the
    /// common name), signed by this CA.
    pub fn leaf(&self, role: Role, names: &[&str], validity: Validity) -> Pem {
        let key = KeyPair::generate().expect("leaf key");
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let mut params = CertificateParams::new(names.clone()).expect("leaf params");
        if let Some(first) = names.first() {
            params.distinguished_name.push(DnType::CommonName, first);
        }
        params.is_ca = IsCa::NoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![match role {
            Role::Server => ExtendedKeyUsagePurpose::ServerAuth,
            Role::Client => ExtendedKeyUsagePurpose::ClientAuth,
        }];
        match validity {
            Validity::Current => {
                params.not_before = rcgen::date_time_ymd(2020, 1, 1);
                params.not_after = rcgen::date_time_ymd(2100, 1, 1);
            }
            Validity::Expired => {
                params.not_before = rcgen::date_time_ymd(2001, 1, 1);
                params.not_after = rcgen::date_time_ymd(2002, 1, 1);
            }
        }
        let cert = params.signed_by(&key, &self.issuer).expect("signed leaf");
        Pem {
            cert: cert.pem(),
            key: key.serialize_pem(),
        }
    }

    /// A current server certificate for `localhost` and 127.0.0.1.
    pub fn server(&self) -> Pem {
        self.leaf(Role::Server, &["localhost", "127.0.0.1"], Validity::Current)
    }

    /// A current client certificate named `name`.
    pub fn client(&self, name: &str) -> Pem {
        self.leaf(Role::Client, &[name], Validity::Current)
    }
}
