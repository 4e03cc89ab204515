//! Joining a colleague's desk over HTTPS, trusting its certificate on first use: the app reads
//! the certificate the desk presents, shows its fingerprint for the agent to compare with the
//! one on the host's screen, and remembers it once the agent confirms. A desk whose certificate
//! later differs is refused with a warning, never joined. Pins live in `joined-desks.json` in
//! this app's own data folder.

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio_rustls::rustls;

const PINS: &str = "joined-desks.json";

/// What a desk presented, and what this app knew of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Probe {
    /// `https://host:port/`.
    pub url: String,
    pub fingerprint: String,
    /// The fingerprint trusted before for this address, if any.
    pub trusted: Option<String>,
    #[serde(skip)]
    pub certificate: Vec<u8>,
}

impl Probe {
    /// Trusted before, with this very certificate.
    pub fn known(&self) -> bool {
        self.trusted.as_deref() == Some(self.fingerprint.as_str())
    }

    /// Trusted before with another certificate: someone may be posing as the desk.
    pub fn changed(&self) -> bool {
        self.trusted.as_ref().is_some_and(|t| *t != self.fingerprint)
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Pins {
    /// "host:port" → fingerprint.
    desks: BTreeMap<String, String>,
}

/// Where a desk answers: `192.168.1.20`, `host:7878` or a full `https://` URL.
pub fn desk_url(address: &str) -> anyhow::Result<url::Url> {
    let address = address.trim();
    let with_scheme = if address.contains("://") { address.to_string() } else { format!("https://{address}") };
    let mut url = url::Url::parse(&with_scheme).with_context(|| format!("'{address}' is not a desk address"))?;
    if url.scheme() != "https" {
        bail!("a desk on the network is joined over https://, not {}://", url.scheme());
    }
    if url.host_str().is_none() {
        bail!("'{address}' names no host");
    }
    if url.port().is_none() {
        let _ = url.set_port(Some(crate::config::DEFAULT_PORT));
    }
    url.set_path("/");
    Ok(url)
}

fn key(url: &url::Url) -> String {
    format!("{}:{}", url.host_str().unwrap_or_default(), url.port_or_known_default().unwrap_or(443))
}

/// Connects to the desk and reads its certificate (no trust decided yet).
pub async fn probe(data_dir: &Path, address: &str) -> anyhow::Result<Probe> {
    let url = desk_url(address)?;
    let host = url.host_str().unwrap_or_default().to_string();
    let port = url.port_or_known_default().unwrap_or(443);
    let seen = Arc::new(std::sync::Mutex::new(None::<Vec<u8>>));
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Recorder { seen: seen.clone() }))
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::time::timeout(Duration::from_secs(5), tokio::net::TcpStream::connect((host.as_str(), port)))
        .await
        .map_err(|_| anyhow::anyhow!("no desk answered at {url} within 5 s"))?
        .with_context(|| format!("no desk answers at {url}"))?;
    let name = rustls::pki_types::ServerName::try_from(host.clone()).context("the desk's host name")?;
    tokio::time::timeout(Duration::from_secs(5), connector.connect(name, tcp))
        .await
        .map_err(|_| anyhow::anyhow!("{url} did not finish the TLS handshake within 5 s"))?
        .with_context(|| format!("{url} does not speak HTTPS: is it a Frontdesk desk started with --lan?"))?;
    let certificate = seen.lock().unwrap_or_else(|p| p.into_inner()).take().context("the desk sent no certificate")?;
    let trusted = read_pins(data_dir).desks.get(&key(&url)).cloned();
    Ok(Probe { url: url.to_string(), fingerprint: crate::lan::fingerprint(&certificate), trusted, certificate })
}

/// Remembers `fingerprint` for the desk at `url`.
pub fn trust(data_dir: &Path, url: &str, fingerprint: &str) -> anyhow::Result<()> {
    let url = desk_url(url)?;
    let mut pins = read_pins(data_dir);
    pins.desks.insert(key(&url), fingerprint.to_string());
    let path = pins_path(data_dir);
    let part = path.with_extension("json.part");
    std::fs::write(&part, serde_json::to_vec_pretty(&pins)?).with_context(|| format!("writing {}", part.display()))?;
    std::fs::rename(&part, &path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn pins_path(data_dir: &Path) -> PathBuf {
    data_dir.join(PINS)
}

fn read_pins(data_dir: &Path) -> Pins {
    std::fs::read(pins_path(data_dir)).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
}

/// The warning for a desk whose certificate changed.
pub fn changed_warning(p: &Probe) -> String {
    format!(
        "The desk at {} now presents a different certificate (fingerprint {}) from the one you trusted ({}). \
         Someone on the network may be posing as it. Do not join: ask the desk's admin whether its certificate \
         was renewed (the fingerprint shows on the host's Network screen and when it starts).",
        p.url,
        p.fingerprint,
        p.trusted.as_deref().unwrap_or("?")
    )
}

/// Accepts any certificate for the handshake and records it: trust is decided by the pin, not
/// by a certificate authority (the desk's certificate is its own).
#[derive(Debug)]
struct Recorder {
    seen: Arc<std::sync::Mutex<Option<Vec<u8>>>>,
}

impl rustls::client::danger::ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        *self.seen.lock().unwrap_or_else(|p| p.into_inner()) = Some(end_entity.to_vec());
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &rustls::crypto::ring::default_provider().signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &rustls::crypto::ring::default_provider().signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        rustls::crypto::ring::default_provider().signature_verification_algorithms.supported_schemes()
    }
}

/// `frontdesk join ADDRESS [--trust FINGERPRINT]`: what the join screen does, from a terminal.
/// Exit 0 when the desk is trusted, 3 when it waits for the agent's confirmation, 4 when refused.
pub fn join_cli(args: &crate::config::JoinArgs) -> anyhow::Result<std::process::ExitCode> {
    let data_dir = match &args.data_dir {
        Some(d) => d.clone(),
        None => crate::config::default_data_dir()?,
    };
    std::fs::create_dir_all(&data_dir)?;
    let probe = tokio::runtime::Runtime::new()?.block_on(probe(&data_dir, &args.address))?;
    println!("the desk at {} presents the certificate with fingerprint (SHA-256)\n  {}", probe.url, probe.fingerprint);
    if probe.changed() {
        eprintln!("refused: {}", changed_warning(&probe));
        return Ok(std::process::ExitCode::from(4));
    }
    if probe.known() {
        println!("trusted before: it is the same desk");
        return Ok(std::process::ExitCode::SUCCESS);
    }
    match &args.trust {
        Some(given) if normalize(given) == probe.fingerprint => {
            trust(&data_dir, &probe.url, &probe.fingerprint)?;
            println!("trusted: this app will join {} and refuse it if its certificate ever changes", probe.url);
            Ok(std::process::ExitCode::SUCCESS)
        }
        Some(_) => {
            eprintln!("refused: the fingerprint you gave is not the one the desk presents; nothing was trusted");
            Ok(std::process::ExitCode::from(4))
        }
        None => {
            println!(
                "compare it with the fingerprint shown on the host desk (its Network screen, or what `frontdesk serve --lan` printed); \
                 if they are the same, run again with --trust {}",
                probe.fingerprint
            );
            Ok(std::process::ExitCode::from(3))
        }
    }
}

/// Fingerprints as people copy them: any case, with or without colons or spaces.
fn normalize(fingerprint: &str) -> String {
    let hex: String = fingerprint.chars().filter(|c| c.is_ascii_hexdigit()).collect::<String>().to_uppercase();
    hex.as_bytes().chunks(2).map(|p| String::from_utf8_lossy(p).into_owned()).collect::<Vec<_>>().join(":")
}

/// The join screen's view of a desk.
#[derive(Debug, Clone, Serialize)]
pub struct ProbeView {
    pub url: String,
    pub fingerprint: String,
    pub known: bool,
    /// Set when the certificate differs from the trusted one: the screen shows it and no join.
    pub warning: Option<String>,
}

/// This app's data folder, for the pins.
pub struct JoinState {
    pub data_dir: PathBuf,
}

#[tauri::command]
pub async fn probe_desk(state: tauri::State<'_, JoinState>, address: String) -> Result<ProbeView, String> {
    let p = probe(&state.data_dir, &address).await.map_err(|e| format!("{e:#}"))?;
    let warning = p.changed().then(|| changed_warning(&p));
    Ok(ProbeView { known: p.known(), url: p.url, fingerprint: p.fingerprint, warning })
}

/// Joins after the agent confirmed `fingerprint` (or it was trusted before): checks the desk
/// presents it right now, remembers it, lets the window accept that certificate for that host,
/// and opens the desk in the window.
#[tauri::command]
pub async fn join_desk(
    app: tauri::AppHandle,
    state: tauri::State<'_, JoinState>,
    address: String,
    fingerprint: String,
) -> Result<(), String> {
    use tauri::Manager;
    let p = probe(&state.data_dir, &address).await.map_err(|e| format!("{e:#}"))?;
    if p.changed() {
        return Err(changed_warning(&p));
    }
    if normalize(&fingerprint) != p.fingerprint {
        return Err("the desk's certificate is not the one you confirmed: look again before joining".into());
    }
    if !p.known() {
        trust(&state.data_dir, &p.url, &p.fingerprint).map_err(|e| format!("{e:#}"))?;
    }
    let window = app.get_webview_window(crate::desktop::MAIN_WINDOW).ok_or("the window is closed")?;
    let url: tauri::Url = p.url.parse().map_err(|e| format!("{e}"))?;
    allow_certificate(&window, &p.certificate, url.host_str().unwrap_or_default())?;
    window.navigate(url).map_err(|e| e.to_string())
}

/// Tells the window's web engine to accept this one certificate for this host (WebKitGTK).
#[cfg(target_os = "linux")]
fn allow_certificate(window: &tauri::WebviewWindow, der: &[u8], host: &str) -> Result<(), String> {
    use base64::Engine;
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap_or_default()).collect();
    let pem = format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", lines.join("\n"));
    let host = host.to_string();
    let (done, outcome) = std::sync::mpsc::channel();
    window
        .with_webview(move |webview| {
            use webkit2gtk::{WebContextExt, WebViewExt};
            let allowed = gio::TlsCertificate::from_pem(&pem).map_err(|e| e.to_string()).and_then(|cert| {
                let context = webview.inner().context().ok_or("the window has no web context")?;
                context.allow_tls_certificate_for_host(&cert, &host);
                Ok(())
            });
            let _ = done.send(allowed);
        })
        .map_err(|e| e.to_string())?;
    outcome.recv_timeout(Duration::from_secs(5)).map_err(|_| "the window did not answer".to_string())?
}

#[cfg(not(target_os = "linux"))]
fn allow_certificate(_: &tauri::WebviewWindow, _: &[u8], _: &str) -> Result<(), String> {
    Err("joining a desk over HTTPS from this app is only available on Linux for now; use a browser".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_become_https_urls_on_the_desk_port() {
        assert_eq!(desk_url("192.168.1.20").unwrap().as_str(), "https://192.168.1.20:7878/");
        assert_eq!(desk_url(" desk.local:9000 ").unwrap().as_str(), "https://desk.local:9000/");
        assert!(desk_url("http://192.168.1.20:7878").unwrap_err().to_string().contains("over https://"));
    }

    #[test]
    fn fingerprints_compare_however_they_were_copied() {
        assert_eq!(normalize("ab:cd 0f"), "AB:CD:0F");
        assert_eq!(normalize("ABCD0F"), "AB:CD:0F");
    }

    #[test]
    fn pins_are_kept_per_host_and_port() {
        let dir = tempfile::tempdir().unwrap();
        trust(dir.path(), "192.168.1.20", "AA:BB").unwrap();
        let pins = read_pins(dir.path());
        assert_eq!(pins.desks.get("192.168.1.20:7878").map(String::as_str), Some("AA:BB"));
        assert!(!pins.desks.contains_key("192.168.1.20:9000"));
    }
}
