//! The desk on the office network: HTTPS with a certificate the desk made on its first start
//! (kept in `tls/` in the data folder), its fingerprint for colleagues to compare, and one port
//! that speaks TLS to everyone and plain HTTP only to this machine's own loopback (the window of
//! the host desk itself), unless plain HTTP on the network was asked for with `--insecure-http`.

use anyhow::Context;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls;
use tokio_rustls::TlsAcceptor;

/// The desk's certificate and key, DER.
pub struct DeskCertificate {
    pub certificate: Vec<u8>,
    key: Vec<u8>,
}

impl DeskCertificate {
    /// The certificate in `DATA/tls/`, made there (key readable by the owner only) if missing.
    pub fn load_or_create(data_dir: &Path) -> anyhow::Result<DeskCertificate> {
        let dir = data_dir.join("tls");
        let (cert_path, key_path) = (dir.join("certificate.der"), dir.join("private-key.der"));
        if cert_path.exists() && key_path.exists() {
            let certificate = std::fs::read(&cert_path).with_context(|| format!("reading {}", cert_path.display()))?;
            let key = std::fs::read(&key_path).with_context(|| format!("reading {}", key_path.display()))?;
            return Ok(DeskCertificate { certificate, key });
        }
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let host = crate::discovery::hostname();
        let names = vec![format!("frontdesk-{host}.local"), format!("{host}.local"), "localhost".to_string()];
        let made = rcgen::generate_simple_self_signed(names).context("making the desk's certificate")?;
        let certificate = made.cert.der().to_vec();
        let key = made.signing_key.serialize_der();
        write_private(&key_path, &key)?;
        std::fs::write(&cert_path, &certificate).with_context(|| format!("writing {}", cert_path.display()))?;
        tracing::info!("made the desk's certificate, fingerprint {}", fingerprint(&certificate));
        Ok(DeskCertificate { certificate, key })
    }

    pub fn fingerprint(&self) -> String {
        fingerprint(&self.certificate)
    }

    fn acceptor(&self) -> anyhow::Result<TlsAcceptor> {
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(self.key.clone().into());
        let cert = rustls::pki_types::CertificateDer::from(self.certificate.clone());
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .context("the desk's certificate")?;
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}

/// The URLs colleagues can join: each IPv4 address of this machine that is not loopback.
pub fn urls(addr: SocketAddr, scheme: &str) -> Vec<String> {
    let ips: Vec<std::net::IpAddr> = if addr.ip().is_unspecified() {
        if_addrs::get_if_addrs()
            .map(|all| all.into_iter().map(|i| i.ip()).filter(|ip| ip.is_ipv4() && !ip.is_loopback()).collect())
            .unwrap_or_default()
    } else {
        vec![addr.ip()]
    };
    ips.into_iter().map(|ip| format!("{scheme}://{ip}:{}/", addr.port())).collect()
}

/// "AB:CD:…": SHA-256 of the certificate, as browsers show it.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der).iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).with_context(|| format!("writing {}", path.display()))?;
    std::io::Write::write_all(&mut file, bytes)?;
    file.sync_all()?;
    Ok(())
}

/// A connection: TLS, or plain from this machine.
pub enum DeskStream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::server::TlsStream<TcpStream>>),
}

impl AsyncRead for DeskStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut TaskContext<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            DeskStream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            DeskStream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for DeskStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut TaskContext<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            DeskStream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            DeskStream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            DeskStream::Plain(s) => Pin::new(s).poll_flush(cx),
            DeskStream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            DeskStream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            DeskStream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// Accepts connections, finishes TLS handshakes off the accept loop, and hands over the ready ones.
pub struct LanListener {
    ready: tokio::sync::mpsc::Receiver<(DeskStream, SocketAddr)>,
    local: SocketAddr,
}

impl LanListener {
    pub fn new(tcp: TcpListener, certificate: &DeskCertificate, plain_from_anywhere: bool) -> anyhow::Result<Self> {
        let local = tcp.local_addr()?;
        let acceptor = certificate.acceptor()?;
        let (tx, ready) = tokio::sync::mpsc::channel(64);
        tokio::spawn(async move {
            loop {
                let (stream, peer) = match tcp.accept().await {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::warn!("accepting a connection failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let (acceptor, tx) = (acceptor.clone(), tx.clone());
                tokio::spawn(async move {
                    if let Some(ready) = handshake(stream, peer, acceptor, plain_from_anywhere).await {
                        let _ = tx.send((ready, peer)).await;
                    }
                });
            }
        });
        Ok(LanListener { ready, local })
    }
}

/// TLS when the client starts with a TLS record (0x16); plain HTTP from loopback; a short
/// plain answer saying to use https:// to anyone else.
async fn handshake(
    stream: TcpStream,
    peer: SocketAddr,
    acceptor: TlsAcceptor,
    plain_from_anywhere: bool,
) -> Option<DeskStream> {
    let mut first = [0u8; 1];
    let peeked = tokio::time::timeout(Duration::from_secs(10), stream.peek(&mut first)).await;
    if !matches!(peeked, Ok(Ok(1))) {
        return None;
    }
    if first[0] == 0x16 {
        return match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream)).await {
            Ok(Ok(tls)) => Some(DeskStream::Tls(Box::new(tls))),
            Ok(Err(e)) => {
                tracing::debug!("TLS handshake with {peer} failed: {e}");
                None
            }
            Err(_) => None,
        };
    }
    // The host's own window may reach it on its network address too: same machine, same IP.
    let same_machine = stream.local_addr().is_ok_and(|local| local.ip() == peer.ip());
    if peer.ip().is_loopback() || same_machine || plain_from_anywhere {
        return Some(DeskStream::Plain(stream));
    }
    let mut stream = stream;
    let body = "This Frontdesk desk answers on the network over HTTPS only: open https:// and this address instead.\n";
    let reply = format!(
        "HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(reply.as_bytes()).await;
    let _ = stream.shutdown().await;
    None
}

impl axum::serve::Listener for LanListener {
    type Io = DeskStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(c) => c,
            // The accept loop never ends while the listener lives; wait forever if it did.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}
