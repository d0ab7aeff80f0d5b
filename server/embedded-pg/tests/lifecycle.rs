//! Start, stop and crash recovery of a real cluster made from the machine's PostgreSQL programs.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use embedded_pg::{connect_creating, EmbeddedPostgres};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// A scratch folder that PostgreSQL can reach even when it runs as another account.
fn scratch() -> (tempfile::TempDir, PathBuf) {
    scratch_with_mode(0o755, "pg")
}

/// A scratch folder with `mode`, and the data folder `data` inside it.
fn scratch_with_mode(mode: u32, data: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::Builder::new()
        .prefix("embpg")
        .tempdir_in("/tmp")
        .expect("tempdir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(mode)).expect("chmod");
    let data = dir.path().join(data);
    (dir, data)
}

async fn answer(pg: &EmbeddedPostgres) -> i32 {
    let pool = connect_creating(pg.connect_options("probe"), 1)
        .await
        .expect("connect");
    let value: i32 = sqlx::query_scalar("SELECT 41 + 1")
        .fetch_one(&pool)
        .await
        .expect("query");
    pool.close().await;
    value
}

#[tokio::test]
async fn starts_serves_stops_and_starts_again() {
    let (_dir, data) = scratch();
    let pg = EmbeddedPostgres::new(&data)
        .expect("programs")
        .without_fsync();
    assert!(!pg.is_running().await.expect("status"));

    pg.start().await.expect("first start");
    assert!(data.join("PG_VERSION").exists(), "cluster created");
    assert!(pg.is_running().await.expect("status"));
    assert_eq!(answer(&pg).await, 42);

    // Starting again while running adopts the running cluster.
    pg.start().await.expect("adopt");

    pg.stop().await.expect("stop");
    assert!(!pg.is_running().await.expect("status"));
    assert!(!data.join("postmaster.pid").exists());
    pg.stop().await.expect("stopping a stopped cluster is fine");

    pg.start().await.expect("second start");
    assert_eq!(answer(&pg).await, 42, "data survives a restart");
    pg.stop().await.expect("stop");
}

#[tokio::test]
async fn recovers_from_a_killed_cluster() {
    let (_dir, data) = scratch();
    let pg = EmbeddedPostgres::new(&data)
        .expect("programs")
        .without_fsync();
    pg.start().await.expect("start");

    // Kill the postmaster outright, as a crash or `kill -9` would: its lock file stays behind.
    let pid_file = std::fs::read_to_string(data.join("postmaster.pid")).expect("pid file");
    let pid: i32 = pid_file
        .lines()
        .next()
        .and_then(|l| l.trim().parse().ok())
        .expect("pid");
    kill(Pid::from_raw(pid), Signal::SIGKILL).expect("kill");
    for _ in 0..50 {
        if kill(Pid::from_raw(pid), None).is_err() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        data.join("postmaster.pid").exists(),
        "stale lock file left behind"
    );

    pg.start().await.expect("start after crash");
    assert_eq!(answer(&pg).await, 42);
    pg.stop().await.expect("stop");
}

#[tokio::test]
async fn a_lock_file_naming_a_foreign_live_process_is_cleared() {
    let (_dir, data) = scratch();
    let pg = EmbeddedPostgres::new(&data)
        .expect("programs")
        .without_fsync();
    pg.start().await.expect("start");
    pg.stop().await.expect("stop");

    // After a reboot the recorded pid may belong to an unrelated live process (here: us).
    let lock = format!("{}\n{}\n", std::process::id(), data.display());
    std::fs::write(data.join("postmaster.pid"), lock).expect("write lock");

    pg.start().await.expect("start over a stale lock");
    assert_eq!(answer(&pg).await, 42);
    pg.stop().await.expect("stop");
}

/// A clone in a folder only its owner may enter (root's home, a `mktemp -d` folder): when
/// PostgreSQL runs as another account, the cluster lives where that account can reach it, the
/// same place on every start, and `destroy` removes it.
#[tokio::test]
async fn a_project_in_a_private_folder_still_gets_its_cluster() {
    let (dir, asked) = scratch_with_mode(0o700, "project/.data/pg");
    let pg = EmbeddedPostgres::new(&asked)
        .expect("programs")
        .without_fsync();
    let as_root = nix::unistd::Uid::effective().is_root();
    if as_root {
        assert_eq!(pg.relocated_from(), Some(asked.as_path()));
        assert!(
            !pg.data_dir().starts_with(dir.path()),
            "{:?}",
            pg.data_dir()
        );
    } else {
        // PostgreSQL runs as this same user, who can reach the folder.
        assert_eq!(pg.relocated_from(), None);
        assert_eq!(pg.data_dir(), asked);
    }
    pg.start().await.expect("start");
    assert_eq!(answer(&pg).await, 42);

    let again = EmbeddedPostgres::new(&asked).expect("programs");
    assert_eq!(
        again.data_dir(),
        pg.data_dir(),
        "the same folder finds the same cluster"
    );
    assert!(again.is_running().await.expect("status"));

    pg.destroy().await.expect("destroy");
    assert!(!pg.data_dir().exists(), "destroy removes the cluster");
}
