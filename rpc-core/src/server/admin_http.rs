//! The little HTTP/1.1 the admin listener speaks: one bounded request head
//! read, one response written, connection closed. Requests are hostile:
//! the head is capped at [`MAX_HEAD`] bytes, and anything but a plain
//! `GET`/`HEAD` with an origin-form path is refused with a status, never a
//! panic.

use tokio::io::{AsyncRead, AsyncReadExt};

/// The most bytes of request line plus headers read.
pub(crate) const MAX_HEAD: usize = 8 * 1024;

/// A request the admin listener can answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AdminRequest {
    /// `HEAD` (answer without a body) rather than `GET`.
    pub(crate) head_only: bool,
    /// The path, query string removed.
    pub(crate) path: String,
}

/// Why a request head was refused, with the HTTP status to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum HeadError {
    #[error("request head larger than {MAX_HEAD} bytes")]
    TooLarge,
    #[error("malformed request line")]
    Malformed,
    #[error("method not allowed")]
    Method,
    #[error("connection closed before the request head ended")]
    Closed,
}

impl HeadError {
    /// The status line's code and reason for this refusal (`None`: say nothing).
    pub(crate) fn status(self) -> Option<(u16, &'static str)> {
        match self {
            HeadError::TooLarge => Some((431, "Request Header Fields Too Large")),
            HeadError::Malformed => Some((400, "Bad Request")),
            HeadError::Method => Some((405, "Method Not Allowed")),
            HeadError::Closed => None,
        }
    }
}

/// Reads one request head (up to the blank line) from `reader`, at most
/// [`MAX_HEAD`] bytes. Any body is ignored (the connection closes after the
/// answer).
pub(crate) async fn read_head<R: AsyncRead + Unpin>(
    reader: &mut R,
) -> Result<AdminRequest, HeadError> {
    let mut head = Vec::with_capacity(512);
    let mut chunk = [0u8; 1024];
    loop {
        let read = reader
            .read(&mut chunk)
            .await
            .map_err(|_| HeadError::Closed)?;
        if read == 0 {
            return Err(HeadError::Closed);
        }
        head.extend_from_slice(&chunk[..read]);
        if let Some(end) = find_blank_line(&head) {
            return parse_head(&head[..end]);
        }
        if head.len() > MAX_HEAD {
            return Err(HeadError::TooLarge);
        }
    }
}

fn find_blank_line(bytes: &[u8]) -> Option<usize> {
    bytes.windows(4).position(|w| w == b"\r\n\r\n")
}

/// Parses a head (without the blank line): only its request line matters.
pub(crate) fn parse_head(head: &[u8]) -> Result<AdminRequest, HeadError> {
    if head.len() > MAX_HEAD {
        return Err(HeadError::TooLarge);
    }
    let line_end = head
        .windows(2)
        .position(|w| w == b"\r\n")
        .unwrap_or(head.len());
    let line = std::str::from_utf8(&head[..line_end]).map_err(|_| HeadError::Malformed)?;
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(HeadError::Malformed);
    };
    if version != "HTTP/1.1" && version != "HTTP/1.0" {
        return Err(HeadError::Malformed);
    }
    if !target.starts_with('/') || !target.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(HeadError::Malformed);
    }
    let head_only = match method {
        "GET" => false,
        "HEAD" => true,
        _ => return Err(HeadError::Method),
    };
    let path = target.split('?').next().unwrap_or(target).to_owned();
    Ok(AdminRequest { head_only, path })
}

/// A whole response: status line, headers, body (left out for `HEAD`).
pub(crate) fn response(
    code: u16,
    reason: &str,
    content_type: &str,
    body: &str,
    head_only: bool,
) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {code} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    if !head_only {
        out.extend_from_slice(body.as_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_gets_parse_and_everything_else_is_refused() {
        let ok = parse_head(b"GET /metrics?x=1 HTTP/1.1\r\nHost: a").unwrap();
        assert_eq!(ok.path, "/metrics");
        assert!(!ok.head_only);
        assert!(parse_head(b"HEAD /ready HTTP/1.0").unwrap().head_only);
        assert_eq!(parse_head(b"POST /ready HTTP/1.1"), Err(HeadError::Method));
        for bad in [
            &b"GET /ready"[..],
            b"GET  /ready HTTP/1.1",
            b"GET ready HTTP/1.1",
            b"GET /re\xffady HTTP/1.1",
            b"GET /ready HTTP/2",
            b"GET /ready HTTP/1.1 extra",
            b"",
        ] {
            assert_eq!(parse_head(bad), Err(HeadError::Malformed), "{bad:?}");
        }
    }

    #[tokio::test]
    async fn an_endless_head_stops_at_the_bound() {
        let endless = vec![b'a'; MAX_HEAD * 4];
        let mut reader = &endless[..];
        assert_eq!(read_head(&mut reader).await, Err(HeadError::TooLarge));
        let mut short = &b"GET / HTTP/1.1\r\n"[..];
        assert_eq!(read_head(&mut short).await, Err(HeadError::Closed));
        let mut whole = &b"GET /health HTTP/1.1\r\nHost: x\r\n\r\nbody"[..];
        assert_eq!(read_head(&mut whole).await.unwrap().path, "/health");
    }
}
