//! A mail catcher: a real SMTP listener (mailin-embedded) that accepts every message and hands
//! it to a sink instead of delivering it. `vouchgraph mail-catcher` runs it for the demo, with
//! a folder of `.eml` files as the sink; tests run it in-process and read what arrived.

use std::io;
use std::net::{IpAddr, TcpListener};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use mailin_embedded::response::{INTERNAL_ERROR, OK};
use mailin_embedded::{Handler, Response, Server, SslConfig};

/// A message as it arrived.
#[derive(Clone, Debug)]
pub struct Caught {
    /// The envelope sender.
    pub from: String,
    /// The envelope recipients.
    pub to: Vec<String>,
    /// The raw message: headers and body.
    pub data: Vec<u8>,
}

impl Caught {
    /// The raw message as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }

    /// The value of the first header called `name` (case-insensitive), unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let text = self.text();
        let head = text.split("\r\n\r\n").next().unwrap_or("");
        let mut lines = head.split("\r\n").peekable();
        while let Some(line) = lines.next() {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            if key.eq_ignore_ascii_case(name) {
                let mut value = value.trim().to_string();
                while let Some(next) = lines.peek().filter(|l| l.starts_with([' ', '\t'])) {
                    value.push(' ');
                    value.push_str(next.trim());
                    lines.next();
                }
                return Some(value);
            }
        }
        None
    }
}

/// Where caught messages go. Returns false when the message could not be kept, which the
/// catcher answers with a temporary failure, so the sender keeps it and tries again.
pub type Sink = Arc<dyn Fn(Caught) -> bool + Send + Sync>;

#[derive(Clone)]
struct Catcher {
    sink: Sink,
    current: Option<Caught>,
}

impl Handler for Catcher {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Some(Caught {
            from: from.to_string(),
            to: to.to_vec(),
            data: Vec::new(),
        });
        OK
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        if let Some(current) = &mut self.current {
            current.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        match self.current.take().map(|caught| (self.sink)(caught)) {
            Some(true) => OK,
            _ => INTERNAL_ERROR,
        }
    }

    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> Response {
        OK
    }
}

/// Serves SMTP on `listener` on a thread of its own, for as long as the process lives.
pub fn spawn(listener: TcpListener, sink: Sink) -> anyhow::Result<()> {
    let mut server = Server::new(Catcher {
        sink,
        current: None,
    });
    server
        .with_name("vouchgraph-mail-catcher")
        .with_ssl(SslConfig::None)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .with_num_threads(4)
        .with_tcp_listener(listener);
    std::thread::Builder::new()
        .name("mail-catcher".into())
        .spawn(move || {
            if let Err(error) = server.serve() {
                tracing::error!(%error, "the mail catcher stopped");
            }
        })?;
    Ok(())
}

/// A sink that writes each message to `dir` as `<arrival>-<n>.eml`, written aside and renamed
/// into place, so a reader never sees half a message.
pub fn folder(dir: PathBuf) -> anyhow::Result<Sink> {
    std::fs::create_dir_all(&dir)?;
    let seq = AtomicU64::new(0);
    Ok(Arc::new(move |caught: Caught| {
        let n = seq.fetch_add(1, Ordering::Relaxed);
        let stamp = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
        let name = format!("{stamp}-{n:04}.eml");
        let partial = dir.join(format!(".{name}.part"));
        let kept = std::fs::write(&partial, &caught.data)
            .and_then(|()| std::fs::rename(&partial, dir.join(&name)));
        match kept {
            Ok(()) => {
                tracing::info!(to = ?caught.to, file = %name, "caught an email");
                true
            }
            Err(error) => {
                tracing::error!(%error, "could not keep a caught email");
                false
            }
        }
    }))
}

/// A sink that keeps messages in memory, and the list it keeps them in (for tests).
pub fn memory() -> (Sink, Arc<parking_lot::Mutex<Vec<Caught>>>) {
    let kept = Arc::new(parking_lot::Mutex::new(Vec::new()));
    let list = kept.clone();
    (
        Arc::new(move |caught| {
            list.lock().push(caught);
            true
        }),
        kept,
    )
}
