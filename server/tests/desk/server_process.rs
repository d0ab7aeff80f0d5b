//! Server processes of this build on the test's database, for what only separate processes
//! show: a crash mid-work, and replicas sharing the work exactly once.

use std::process::Stdio;
use std::time::{Duration, Instant};

use sqlx::PgPool;
use tokio::process::{Child, Command};

use crate::support::TEST_IDENTITY_KEYS;

/// A server process of this build, serving on a free port with its workers on.
pub struct ServerProcess {
    child: Child,
}

impl ServerProcess {
    /// Starts one with `vars` added to its environment.
    pub async fn start(pool: &PgPool, vars: &[(&str, &str)]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("free port")
            .port();
        let uploads = std::env::temp_dir().join(format!("desk-uploads-{port}"));
        let child = Command::new(env!("CARGO_BIN_EXE_server"))
            .env("DATABASE_URL", database_url(pool))
            .env("IDENTITY_KEYS", TEST_IDENTITY_KEYS)
            .env("DEMO_DATA", "0")
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_SITE_ROOT", "target/site")
            .env("UPLOAD_DIR", uploads)
            .envs(vars.iter().copied())
            // Every replica links to the one public address.
            .env("PUBLIC_ORIGIN", "https://desk.example.com")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("server process");
        let deadline = Instant::now() + Duration::from_secs(60);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "server did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Self { child }
    }

    /// SIGKILL: no shutdown, no chance to finish a send or roll anything back by hand.
    pub async fn kill(mut self) {
        self.child.kill().await.expect("kill");
    }
}

/// The URL of the test's own database.
pub fn database_url(pool: &PgPool) -> String {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let name = pool
        .connect_options()
        .get_database()
        .unwrap_or("postgres")
        .to_owned();
    base.replacen("/postgres?", &format!("/{name}?"), 1)
}

pub async fn wait_until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
