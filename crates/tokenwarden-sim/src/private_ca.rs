//! A company's private certificate authority, made on the spot (rcgen), for
//! tests of self-hosted servers: it writes its certificate to `ca.pem` in
//! a folder of its own (what a user gives as `--ca-file`) and issues the
//! simulator's HTTPS identity (`Simulator::start_tls`). Behind the
//! `private-ca` feature, which only the tests enable.

use std::path::PathBuf;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};

use crate::TlsIdentity;

/// A private certificate authority, written to `ca.pem` in its folder.
pub struct PrivateCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
    dir: tempfile::TempDir,
}

impl PrivateCa {
    /// A new root CA called `name`. Panics when the machine cannot make a
    /// key or write a temporary file: it serves tests only.
    pub fn new(name: &str) -> PrivateCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("no names");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().expect("a key pair");
        let issuer = CertifiedIssuer::self_signed(params, key).expect("a self-signed CA");
        let dir = tempfile::tempdir().expect("a temporary folder");
        std::fs::write(dir.path().join("ca.pem"), issuer.pem()).expect("ca.pem written");
        PrivateCa { issuer, dir }
    }

    /// The CA's certificate file (PEM).
    pub fn file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// The CA's own folder, for tests that put other files beside it (a
    /// misspelt name, a corrupt file).
    pub fn folder(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// A server certificate for 127.0.0.1 and localhost, issued by this CA.
    pub fn server_identity(&self) -> TlsIdentity {
        let key = KeyPair::generate().expect("a key pair");
        let mut params =
            CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
                .expect("valid names");
        params
            .distinguished_name
            .push(DnType::CommonName, "ghe.internal");
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("a certificate issued by the CA");
        TlsIdentity {
            cert_chain_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }
}
