//! A private PostgreSQL cluster for running the desk with no database set up: created on first
//! use under a project folder, reached only through a unix socket inside that folder, started
//! and stopped by the server. Needs the machine's PostgreSQL server programs (initdb, pg_ctl).

use std::os::unix::fs::{chown, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use nix::unistd::{Gid, Uid, User};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions as _, Connection as _, PgPool};
use tokio::process::Command;

/// The cluster's superuser, whoever owns the files.
pub const SUPERUSER: &str = "postgres";
/// Linux caps unix socket paths at 107 bytes.
const MAX_SOCKET_PATH: usize = 107;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("PostgreSQL server programs not found (looked for initdb in /usr/lib/postgresql/*/bin and on PATH); install them, e.g. `apt-get install postgresql`, or set PG_BIN_DIR")]
    NoServerPrograms,
    #[error("running as root, but no unprivileged account (postgres or nobody) exists to run PostgreSQL")]
    NoUnprivilegedAccount,
    #[error("the socket path {0} is longer than {MAX_SOCKET_PATH} bytes; set EMBEDDED_PG_DIR to a shorter folder")]
    SocketPathTooLong(PathBuf),
    #[error("{command} failed: {detail}")]
    Command { command: String, detail: String },
    #[error("I/O error on {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

/// The account PostgreSQL runs as when the server itself runs as root (PostgreSQL refuses root).
#[derive(Debug, Clone)]
struct Account {
    uid: Uid,
    gid: Gid,
}

#[derive(Debug, Clone)]
pub struct EmbeddedPostgres {
    data_dir: PathBuf,
    /// Set when the asked-for folder was out of PostgreSQL's reach and the cluster lives
    /// elsewhere: the folder that was asked for.
    relocated_from: Option<PathBuf>,
    bin_dir: PathBuf,
    run_as: Option<Account>,
    durable: bool,
}

impl EmbeddedPostgres {
    /// A cluster living in `data_dir` (created on start when missing). When the server runs as
    /// root and the account PostgreSQL runs as cannot pass through one of `data_dir`'s parent
    /// folders (a clone in root's home or in a `mktemp -d` folder), the cluster lives instead
    /// in a folder of its own under `/var/lib/incident-desk` (or the system temp folder), named
    /// after `data_dir`, so the same project folder always finds the same cluster.
    pub fn new(data_dir: impl AsRef<Path>) -> Result<Self, Error> {
        let asked = std::path::absolute(data_dir.as_ref()).map_err(io_err(data_dir.as_ref()))?;
        let run_as = run_as_account()?;
        let (data_dir, relocated_from) = match &run_as {
            Some(account) if !reachable_by(&asked, account) => (relocated_dir(&asked), Some(asked)),
            _ => (asked, None),
        };
        let socket = data_dir.join(".s.PGSQL.5432");
        if socket.as_os_str().len() > MAX_SOCKET_PATH {
            return Err(Error::SocketPathTooLong(socket));
        }
        Ok(Self {
            data_dir,
            relocated_from,
            bin_dir: find_bin_dir().ok_or(Error::NoServerPrograms)?,
            run_as,
            durable: true,
        })
    }

    /// The folder that was asked for, when the cluster had to live elsewhere (see [`Self::new`]).
    pub fn relocated_from(&self) -> Option<&Path> {
        self.relocated_from.as_deref()
    }

    /// The sentence telling where the cluster lives when it had to move, for start-up output.
    pub fn relocation_note(&self) -> Option<String> {
        self.relocated_from.as_ref().map(|asked| {
            format!(
                "{} is out of reach of the PostgreSQL account; the cluster lives in {}",
                asked.display(),
                self.data_dir.display()
            )
        })
    }

    /// Stops the cluster and removes its folder: for throw-away clusters of tests and benchmarks.
    pub async fn destroy(&self) -> Result<(), Error> {
        self.stop().await?;
        match std::fs::remove_dir_all(&self.data_dir) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                Err(io_err(&self.data_dir)(err))
            }
            _ => Ok(()),
        }
    }

    /// Trade crash safety for speed: for throw-away test clusters only.
    pub fn without_fsync(mut self) -> Self {
        self.durable = false;
        self
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn connect_options(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(&self.data_dir)
            .username(SUPERUSER)
            .database(database)
    }

    /// The same as [`Self::connect_options`], as a URL for other tools.
    pub fn url(&self, database: &str) -> String {
        self.connect_options(database).to_url_lossy().to_string()
    }

    /// Creates the cluster if needed and starts it, or adopts one left running by an earlier
    /// process. A lock file left by a crash is cleared.
    pub async fn start(&self) -> Result<(), Error> {
        if !self.data_dir.join("PG_VERSION").exists() {
            self.init().await?;
        }
        if self.pg_ctl(&["status"]).await?.status.success() {
            if self.accepts_connections().await {
                tracing::info!(dir = %self.data_dir.display(), "adopting running embedded PostgreSQL");
                return Ok(());
            }
            // The pid file names a live process that is not our postmaster (pid reuse after
            // a crash or reboot): the file is stale.
            self.remove_stale_pid_file()?;
        }
        let log = self.data_dir.join("server.log");
        let log = log.to_string_lossy();
        let output = self
            .pg_ctl(&["start", "-w", "-t", "60", "-l", &log])
            .await?;
        if output.status.success() {
            return Ok(());
        }
        if self.data_dir.join("postmaster.pid").exists() {
            tracing::warn!(
                "embedded PostgreSQL did not start; clearing its lock file and retrying"
            );
            self.remove_stale_pid_file()?;
            let retry = self
                .pg_ctl(&["start", "-w", "-t", "60", "-l", &log])
                .await?;
            if retry.status.success() {
                return Ok(());
            }
        }
        Err(self.failure("pg_ctl start", &output))
    }

    /// Stops the cluster (fast shutdown: open sessions are ended, nothing committed is lost).
    pub async fn stop(&self) -> Result<(), Error> {
        if !self.is_running().await? {
            return Ok(());
        }
        let output = self
            .pg_ctl(&["stop", "-w", "-t", "60", "-m", "fast"])
            .await?;
        if output.status.success() {
            Ok(())
        } else {
            Err(self.failure("pg_ctl stop", &output))
        }
    }

    pub async fn is_running(&self) -> Result<bool, Error> {
        Ok(self.data_dir.join("PG_VERSION").exists()
            && self.pg_ctl(&["status"]).await?.status.success())
    }

    async fn init(&self) -> Result<(), Error> {
        self.prepare_dir()?;
        let data = self.data_dir.to_string_lossy();
        let output = self
            .command("initdb")
            .args([
                "-D",
                &data,
                "-U",
                SUPERUSER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
            ])
            .output()
            .await
            .map_err(io_err(&self.bin_dir))?;
        if !output.status.success() {
            // Leave no half-made cluster behind: the next start begins afresh.
            let _ = std::fs::remove_dir_all(&self.data_dir);
            return Err(self.failure("initdb", &output));
        }
        let socket_dir = data.replace('\'', "''");
        let mut settings = format!(
            "\n# Written by incident desk: socket only, inside the data folder.\n\
             listen_addresses = ''\n\
             unix_socket_directories = '{socket_dir}'\n\
             max_connections = 200\n"
        );
        if !self.durable {
            settings.push_str("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n");
        }
        let conf = self.data_dir.join("postgresql.conf");
        let mut existing = std::fs::read_to_string(&conf).map_err(io_err(&conf))?;
        existing.push_str(&settings);
        std::fs::write(&conf, existing).map_err(io_err(&conf))?;
        Ok(())
    }

    /// Creates the data folder owned by the account PostgreSQL runs as, and checks that the
    /// account can reach it.
    fn prepare_dir(&self) -> Result<(), Error> {
        if let Some(parent) = self.data_dir.parent() {
            std::fs::create_dir_all(parent).map_err(io_err(parent))?;
            if self.relocated_from.is_some() {
                // Ours, made for the account to pass through whatever the umask.
                std::fs::set_permissions(parent, std::fs::Permissions::from_mode(0o755))
                    .map_err(io_err(parent))?;
            }
        }
        std::fs::create_dir_all(&self.data_dir).map_err(io_err(&self.data_dir))?;
        std::fs::set_permissions(&self.data_dir, std::fs::Permissions::from_mode(0o700))
            .map_err(io_err(&self.data_dir))?;
        let Some(account) = &self.run_as else {
            return Ok(());
        };
        chown(
            &self.data_dir,
            Some(account.uid.as_raw()),
            Some(account.gid.as_raw()),
        )
        .map_err(io_err(&self.data_dir))
    }

    fn remove_stale_pid_file(&self) -> Result<(), Error> {
        let pid_file = self.data_dir.join("postmaster.pid");
        match std::fs::remove_file(&pid_file) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(io_err(&pid_file)(err)),
            _ => Ok(()),
        }
    }

    async fn accepts_connections(&self) -> bool {
        let options = self.connect_options("postgres");
        match tokio::time::timeout(Duration::from_secs(5), options.connect()).await {
            Ok(Ok(conn)) => {
                let _ = conn.close().await;
                true
            }
            _ => false,
        }
    }

    async fn pg_ctl(&self, args: &[&str]) -> Result<Output, Error> {
        let data = self.data_dir.to_string_lossy();
        let mut command = self.command("pg_ctl");
        command.args(["-D", &data, "-s"]).args(args);
        // Its own process group: a Ctrl-C in the terminal reaches the server, which then stops
        // PostgreSQL in order, instead of reaching PostgreSQL directly.
        command.process_group(0);
        command.output().await.map_err(io_err(&self.bin_dir))
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(self.bin_dir.join(program));
        command
            .current_dir("/")
            .env_remove("PGDATA")
            .kill_on_drop(false);
        if let Some(account) = &self.run_as {
            command.uid(account.uid.as_raw()).gid(account.gid.as_raw());
        }
        command
    }

    fn failure(&self, command: &str, output: &Output) -> Error {
        let mut detail = String::from_utf8_lossy(&output.stderr).trim().to_owned();
        if let Ok(log) = std::fs::read_to_string(self.data_dir.join("server.log")) {
            let tail: Vec<&str> = log.lines().rev().take(5).collect();
            for line in tail.into_iter().rev() {
                detail.push_str("\n  ");
                detail.push_str(line);
            }
        }
        Error::Command {
            command: command.to_owned(),
            detail,
        }
    }
}

/// When running as root: the unprivileged account PostgreSQL runs as (it refuses root).
fn run_as_account() -> Result<Option<Account>, Error> {
    if !Uid::effective().is_root() {
        return Ok(None);
    }
    let user = ["postgres", "nobody"]
        .into_iter()
        .find_map(|name| User::from_name(name).ok().flatten())
        .ok_or(Error::NoUnprivilegedAccount)?;
    Ok(Some(Account {
        uid: user.uid,
        gid: user.gid,
    }))
}

/// Whether `account` may pass through every existing parent folder of `dir` (search
/// permission as owner, group or other, whichever applies to it).
fn reachable_by(dir: &Path, account: &Account) -> bool {
    use std::os::unix::fs::MetadataExt;
    dir.ancestors().skip(1).all(|ancestor| {
        let Ok(meta) = std::fs::metadata(ancestor) else {
            // Not made yet: it will be made by root with the usual 0755.
            return true;
        };
        let mode = meta.mode();
        if meta.uid() == account.uid.as_raw() {
            mode & 0o100 != 0
        } else if meta.gid() == account.gid.as_raw() {
            mode & 0o010 != 0
        } else {
            mode & 0o001 != 0
        }
    })
}

/// Where a cluster lives when the folder asked for is out of the PostgreSQL account's reach:
/// named after that folder, so the same project always finds the same cluster, under
/// `/var/lib/incident-desk` (the system temp folder where there is no `/var/lib`). Nothing is
/// made here: `prepare_dir` makes it when the cluster is created.
fn relocated_dir(asked: &Path) -> PathBuf {
    let root = if Path::new("/var/lib").is_dir() {
        PathBuf::from("/var/lib/incident-desk")
    } else {
        std::env::temp_dir().join("incident-desk")
    };
    root.join(format!(
        "pg-{:016x}",
        fnv1a(asked.as_os_str().as_encoded_bytes())
    ))
}

/// FNV-1a: a stable name for a path, the same in every build and on every run.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `PG_BIN_DIR`, else the newest `/usr/lib/postgresql/<major>/bin` (Debian's layout), else PATH.
fn find_bin_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("PG_BIN_DIR") {
        return Some(PathBuf::from(dir));
    }
    let debian = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let major: u32 = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((major, bin))
        })
        .max_by_key(|(major, _)| *major)
        .map(|(_, bin)| bin);
    debian.or_else(|| {
        std::env::var_os("PATH")
            .and_then(|paths| std::env::split_paths(&paths).find(|dir| dir.join("initdb").exists()))
    })
}

/// Opens a pool on `options`, creating the database first when it does not exist yet.
pub async fn connect_creating(
    options: PgConnectOptions,
    max_connections: u32,
) -> Result<PgPool, sqlx::Error> {
    let database = options.get_database().unwrap_or("postgres").to_owned();
    let mut admin = options.clone().database("postgres").connect().await?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&database)
            .fetch_one(&mut admin)
            .await?;
    if !exists {
        // Identifiers cannot be bound; quote it as PostgreSQL would.
        let quoted = format!("\"{}\"", database.replace('"', "\"\""));
        sqlx::query(&format!("CREATE DATABASE {quoted}"))
            .execute(&mut admin)
            .await?;
    }
    admin.close().await?;
    PgPoolOptions::new()
        .max_connections(max_connections)
        .connect_with(options)
        .await
}
