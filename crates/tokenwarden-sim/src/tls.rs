//! HTTPS for the simulator: a certificate chain and key given as PEM, as a
//! self-hosted server behind a company's private certificate authority
//! would have. The tests make that authority themselves, so that a client
//! can be shown to refuse the server without it and accept it with it.

use std::io;
use std::sync::Arc;

use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::TlsAcceptor;

/// The server's certificate chain (leaf first) and private key, in PEM.
#[derive(Clone)]
pub struct TlsIdentity {
    pub cert_chain_pem: String,
    pub key_pem: String,
}

impl std::fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsIdentity")
            .field("cert_chain_pem", &self.cert_chain_pem)
            .field("key_pem", &"[redacted]")
            .finish()
    }
}

fn invalid(what: &str, error: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, format!("{what}: {error}"))
}

impl TlsIdentity {
    pub(crate) fn acceptor(&self) -> io::Result<TlsAcceptor> {
        let chain = CertificateDer::pem_slice_iter(self.cert_chain_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid("the certificate chain is not PEM", e))?;
        if chain.is_empty() {
            return Err(invalid("the certificate chain", "no certificate in it"));
        }
        let key = PrivateKeyDer::from_pem_slice(self.key_pem.as_bytes())
            .map_err(|e| invalid("the private key is not PEM", e))?;
        let config =
            ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(|e| invalid("TLS versions", e))?
                .with_no_client_auth()
                .with_single_cert(chain, key)
                .map_err(|e| invalid("the certificate or key", e))?;
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}
