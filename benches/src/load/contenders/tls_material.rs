//! Certificates for the TLS contenders: a CA and a server certificate for
//! `localhost`, made with rcgen once and kept in one file of the temporary
//! directory that the server and driver processes share.

use std::path::PathBuf;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

/// The PEM texts both sides need.
#[derive(Debug, Clone)]
pub struct TlsMaterial {
    /// The CA certificate clients trust.
    pub ca: String,
    /// The server certificate (for `localhost`).
    pub cert: String,
    /// The server's private key.
    pub key: String,
}

/// One file for the three texts, so one rename publishes them together.
fn file() -> PathBuf {
    std::env::temp_dir().join("rpc-bench-tls.pem")
}

const SEPARATOR: &str = "\n--- rpc-bench-tls ---\n";

/// The material in the shared file, made first if missing (once per
/// process). The server process runs this before it listens, so the driver
/// (which connects only after) always finds it complete.
pub fn material() -> std::io::Result<TlsMaterial> {
    static MATERIAL: std::sync::OnceLock<TlsMaterial> = std::sync::OnceLock::new();
    if let Some(material) = MATERIAL.get() {
        return Ok(material.clone());
    }
    let material = load_or_make()?;
    Ok(MATERIAL.get_or_init(|| material).clone())
}

fn load_or_make() -> std::io::Result<TlsMaterial> {
    if let Ok(text) = std::fs::read_to_string(file()) {
        let parts: Vec<&str> = text.split(SEPARATOR).collect();
        if let [ca, cert, key] = parts[..] {
            return Ok(TlsMaterial {
                ca: ca.to_owned(),
                cert: cert.to_owned(),
                key: key.to_owned(),
            });
        }
    }
    let made = generate().map_err(std::io::Error::other)?;
    let partial = file().with_extension(format!("{}", std::process::id()));
    std::fs::write(
        &partial,
        [made.ca.as_str(), &made.cert, &made.key].join(SEPARATOR),
    )?;
    std::fs::rename(&partial, file())?;
    Ok(made)
}

fn generate() -> Result<TlsMaterial, rcgen::Error> {
    let ca_key = KeyPair::generate()?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "rpc bench CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate()?;
    let params = CertificateParams::new(vec!["localhost".to_owned()])?;
    let cert = params.signed_by(&key, &issuer)?;
    Ok(TlsMaterial {
        ca: ca.pem(),
        cert: cert.pem(),
        key: key.serialize_pem(),
    })
}
