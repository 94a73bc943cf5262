//! Stand-ins for the outside services in benchmarks, cheap enough not to be what is measured
//! (the Python ones in `scripts/` and `bench/` cap at a few hundred messages a second on two
//! cores): a plain SMTP server that accepts every message, and an HTTP server that answers
//! Twilio's Messages API and Expo's push API as they do when they accept. Both only count.
//!
//!     standin --smtp 2525 --http 3099
//!
//! `GET /count` on the HTTP port answers `{"emails": n, "requests": m}`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

#[derive(Default)]
struct Counts {
    emails: AtomicU64,
    requests: AtomicU64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (smtp_port, http_port) = ports()?;
    let counts = Arc::new(Counts::default());
    let smtp = TcpListener::bind(("127.0.0.1", smtp_port))
        .await
        .context("SMTP port")?;
    let http = TcpListener::bind(("127.0.0.1", http_port))
        .await
        .context("HTTP port")?;
    let app = Router::new()
        .route("/count", get(count))
        .fallback(accept)
        .with_state(counts.clone());
    tokio::spawn(async move { axum::serve(http, app).await });
    loop {
        let (stream, _) = smtp.accept().await.context("SMTP accept")?;
        let counts = counts.clone();
        tokio::spawn(async move {
            if let Err(e) = converse(stream, &counts).await {
                eprintln!("smtp: {e:#}");
            }
        });
    }
}

fn ports() -> anyhow::Result<(u16, u16)> {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| -> anyhow::Result<u16> {
        let at = args
            .iter()
            .position(|a| a == flag)
            .with_context(|| format!("usage: standin --smtp PORT --http PORT (missing {flag})"))?;
        args.get(at + 1)
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("{flag} takes a port number"))
    };
    Ok((value("--smtp")?, value("--http")?))
}

/// One SMTP session (RFC 5321's commands a client sends; every message is accepted).
///
/// While a message comes in, every read is acknowledged at once (`TCP_QUICKACK`): lettre
/// writes the body and the closing `.` in two writes with Nagle's algorithm on, so a server
/// that delays its ACK (Linux: 40 ms) holds each message 40 ms. Real mail servers may do that;
/// `docs/architecture.md` says what it costs and what fixes it upstream.
async fn converse(stream: TcpStream, counts: &Counts) -> anyhow::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let mut line = String::new();
    write.write_all(b"220 standin ESMTP\r\n").await?;
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        let answer: &[u8] = match verb.as_str() {
            "EHLO" => b"250-standin\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
            "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
            "DATA" => {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    let socket: &TcpStream = lines.get_ref().as_ref();
                    let _ = socket2::SockRef::from(socket).set_tcp_quickack(true);
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                }
                counts.emails.fetch_add(1, Ordering::Relaxed);
                b"250 OK queued\r\n"
            }
            "QUIT" => {
                write.write_all(b"221 Bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 Command not implemented\r\n",
        };
        write.write_all(answer).await?;
    }
}

/// Any POST: Expo's push API answers an "ok" ticket per message, Twilio a queued message.
async fn accept(State(counts): State<Arc<Counts>>, uri: Uri, body: String) -> impl IntoResponse {
    let n = counts.requests.fetch_add(1, Ordering::Relaxed) + 1;
    if uri.path().ends_with("/push/send") {
        let messages = serde_json::from_str::<Vec<Value>>(&body).map_or(0, |m| m.len());
        let tickets: Vec<Value> = (0..messages)
            .map(|i| json!({"status": "ok", "id": i.to_string()}))
            .collect();
        (StatusCode::OK, Json(json!({ "data": tickets })))
    } else {
        (
            StatusCode::CREATED,
            Json(json!({"sid": format!("SM{n:032}"), "status": "queued"})),
        )
    }
}

async fn count(State(counts): State<Arc<Counts>>) -> Json<Value> {
    Json(json!({
        "emails": counts.emails.load(Ordering::Relaxed),
        "requests": counts.requests.load(Ordering::Relaxed),
    }))
}
