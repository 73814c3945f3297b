//! From an accepted socket to the read and write halves a connection serves:
//! the first-byte check, and the TLS handshake when the server has TLS.
//!
//! This runs on the connection's own task (the accept loop only accepts),
//! bounded by the first-frame timeout: a peer that opens a socket and says
//! nothing, or stalls its handshake, costs a task until then and no more.
//! Whatever comes after (frame decoding, protocol detection) gets plain
//! halves, decrypted or not.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};

use crate::PeerCertificate;
use crate::frame::MAGIC;

/// The read half a connection serves.
pub(crate) type BoxRead = Box<dyn AsyncRead + Unpin + Send>;
/// The write half a connection serves.
pub(crate) type BoxWrite = Box<dyn AsyncWrite + Unpin + Send>;

/// The first byte of a TLS record carrying a handshake (the ClientHello).
const TLS_HANDSHAKE_RECORD: u8 = 0x16;

/// A socket fresh from `accept`.
pub(crate) enum Accepted {
    Tcp(tokio::net::TcpStream),
    #[cfg(unix)]
    Unix(tokio::net::UnixStream),
}

/// The server's TLS acceptor, or nothing when built without the `tls` feature.
#[cfg(feature = "tls")]
pub(crate) type Acceptor = tokio_rustls::TlsAcceptor;
/// The server's TLS acceptor, or nothing when built without the `tls` feature.
#[cfg(not(feature = "tls"))]
#[derive(Clone)]
pub(crate) enum Acceptor {}

/// A connection ready to serve.
pub(crate) struct Opened {
    pub(crate) reader: BoxRead,
    pub(crate) writer: BoxWrite,
    /// The verified client certificate of a mutual-TLS connection.
    pub(crate) peer_certificate: Option<Arc<PeerCertificate>>,
}

/// Checks the first byte and runs the handshake, within `limit`. The error
/// is the reason to log; the socket is closed by dropping it.
pub(crate) async fn open(
    accepted: Accepted,
    tls: Option<&Acceptor>,
    limit: Duration,
) -> Result<Opened, String> {
    match tokio::time::timeout(limit, open_unbounded(accepted, tls)).await {
        Ok(result) => result,
        Err(_) => Err(format!(
            "no protocol start or TLS handshake within the first-frame timeout ({limit:?})"
        )),
    }
}

async fn open_unbounded(accepted: Accepted, tls: Option<&Acceptor>) -> Result<Opened, String> {
    match accepted {
        Accepted::Tcp(stream) => {
            let mut first = [0u8; 1];
            let seen = stream
                .peek(&mut first)
                .await
                .map_err(|error| format!("reading the first byte: {error}"))?;
            if seen == 0 {
                return Err("the peer closed the connection before sending anything".to_owned());
            }
            match (tls, first[0]) {
                (None, TLS_HANDSHAKE_RECORD) => Err(
                    "a TLS ClientHello arrived but this server has no TLS configured; closing"
                        .to_owned(),
                ),
                (None, _) => {
                    let (reader, writer) = stream.into_split();
                    Ok(plain(reader, writer))
                }
                (Some(acceptor), TLS_HANDSHAKE_RECORD) => handshake(acceptor, stream).await,
                (Some(_), byte) if byte == MAGIC[0] => {
                    refuse_plaintext(stream).await;
                    Err(
                        "a plaintext client on a TLS server; answered that TLS is required"
                            .to_owned(),
                    )
                }
                (Some(_), crate::rpcx::MAGIC) => Err(
                    "a plaintext rpcx client on a TLS server; closing (rpcx has no way to say why)"
                        .to_owned(),
                ),
                (Some(_), byte) => Err(format!(
                    "first byte {byte:#04x} is neither a TLS handshake nor this protocol"
                )),
            }
        }
        #[cfg(unix)]
        Accepted::Unix(stream) => match tls {
            // No peek on Unix sockets: a TLS server expects TLS there too.
            Some(acceptor) => handshake(acceptor, stream).await,
            None => {
                let (reader, writer) = stream.into_split();
                Ok(plain(reader, writer))
            }
        },
    }
}

fn plain(
    reader: impl AsyncRead + Unpin + Send + 'static,
    writer: impl AsyncWrite + Unpin + Send + 'static,
) -> Opened {
    Opened {
        reader: Box::new(reader),
        writer: Box::new(writer),
        peer_certificate: None,
    }
}

#[cfg(feature = "tls")]
async fn handshake<S>(acceptor: &Acceptor, stream: S) -> Result<Opened, String>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let stream = acceptor.accept(stream).await.map_err(|error| {
        format!(
            "TLS handshake failed: {}",
            crate::tls::describe_tls_error(&error)
        )
    })?;
    let peer_certificate = stream
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|chain| chain.first())
        .and_then(|leaf| crate::tls::peer_certificate_from_der(leaf))
        .map(Arc::new);
    let (reader, writer) = tokio::io::split(stream);
    Ok(Opened {
        reader: Box::new(reader),
        writer: Box::new(writer),
        peer_certificate,
    })
}

#[cfg(not(feature = "tls"))]
async fn handshake<S>(acceptor: &Acceptor, _: S) -> Result<Opened, String> {
    match *acceptor {}
}

/// Tells a plaintext client, in its own protocol, that TLS is required: a
/// response to request id 0 (never a call's id), which clients report as
/// the reason the connection closed.
async fn refuse_plaintext(mut stream: tokio::net::TcpStream) {
    use tokio::io::AsyncWriteExt;
    use tokio_util::codec::Encoder;

    let frame = crate::frame::Frame::control(
        0,
        crate::frame::Message::Response(crate::frame::Response::from_status(
            crate::Status::unauthenticated(
                "this server requires TLS: connect with a TLS client configuration",
            ),
        )),
    );
    let mut bytes = bytes::BytesMut::new();
    if crate::frame::FrameCodec::default()
        .encode(frame, &mut bytes)
        .is_ok()
    {
        let _ = stream.write_all(&bytes).await;
        let _ = stream.shutdown().await;
    }
    // Closing with the client's unread bytes (its first ping) in the buffer
    // would send a reset, which can destroy the answer before the client
    // reads it: read what it sends until it closes, a little and briefly.
    let mut sink = [0u8; 4096];
    let drain = async {
        let mut left: usize = 64 * 1024;
        while left > 0 {
            match tokio::io::AsyncReadExt::read(&mut stream, &mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(n) => left = left.saturating_sub(n),
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), drain).await;
}
