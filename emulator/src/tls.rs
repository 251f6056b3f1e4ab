//! TLS: a CA and a leaf certificate (SANs `localhost`, `127.0.0.1`; CA:FALSE) made with rcgen at
//! start-up, and a rustls 0.23 server configuration on the ring provider.

use std::io;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The server side of TLS: configuration plus the PEM of the CA clients must trust.
pub struct TlsSetup {
    /// rustls server configuration (leaf + CA chain).
    pub config: Arc<ServerConfig>,
    /// PEM of the CA certificate that signed the leaf.
    pub ca_pem: String,
}

fn other<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> io::Error + '_ {
    move |e| io::Error::other(format!("{what}: {e}"))
}

/// Makes a fresh CA and leaf certificate and the server configuration.
pub fn make() -> io::Result<TlsSetup> {
    let ca_key = KeyPair::generate().map_err(other("CA key"))?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(other("CA params"))?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "sfmfa-emulator test CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params.self_signed(&ca_key).map_err(other("CA cert"))?;
    let issuer = Issuer::new(ca_params, ca_key);

    let leaf_key = KeyPair::generate().map_err(other("leaf key"))?;
    let mut leaf_params =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .map_err(other("leaf params"))?;
    leaf_params.is_ca = IsCa::ExplicitNoCa;
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    leaf_params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf_cert = leaf_params
        .signed_by(&leaf_key, &issuer)
        .map_err(other("leaf cert"))?;

    let chain: Vec<CertificateDer<'static>> = vec![leaf_cert.der().clone(), ca_cert.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let config =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(other("TLS versions"))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(other("TLS certificate"))?;
    Ok(TlsSetup {
        config: Arc::new(config),
        ca_pem: ca_cert.pem(),
    })
}
