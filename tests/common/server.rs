//! The real server binary as a child process, for what only a whole process shows: its memory,
//! its settings read from the environment, and a `kill -9`. Everything else starts the
//! application in-process with [`super::spawn_app`].

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::PgPool;

/// A `vouchgraph serve` child process, killed when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Kills the process at once (SIGKILL) and waits for it: a crash, not a shutdown.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL is sent");
        self.child.wait().expect("the killed server is reaped");
    }

    /// The process id, to read its memory in `/proc`.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its resident memory now, in KiB (`VmRSS` of `/proc/PID/status`).
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .expect("the server process is alive");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("a VmRSS line")
    }
}

fn database_url(pool: &PgPool) -> String {
    let options = pool.connect_options();
    format!(
        "postgres://{}@{}:{}/{}",
        options.get_username(),
        options.get_host(),
        options.get_port(),
        options
            .get_database()
            .expect("the test database has a name")
    )
}

/// Starts `vouchgraph serve` over the test's database, listening on `host` (a free port), with
/// `env` on top of a clean environment of VOUCHGRAPH_ settings; waits until it is ready.
pub async fn start(pool: &PgPool, host: &str, env: &[(&str, &str)]) -> Server {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_vouchgraph"));
    command.arg("serve");
    for (name, _) in std::env::vars() {
        if name.starts_with("VOUCHGRAPH_") {
            command.env_remove(name);
        }
    }
    command
        .env("DATABASE_URL", database_url(pool))
        .env("VOUCHGRAPH_ADDR", format!("{host}:{port}"))
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let server = Server {
        child: command.spawn().expect("the server binary starts"),
        address: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        let ready = client
            .get(format!("{}/readyz", server.address))
            .send()
            .await;
        if matches!(&ready, Ok(r) if r.status().is_success()) {
            return server;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server never got ready"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
