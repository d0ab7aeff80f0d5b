//! Command line for scripts: start, stop and prepare the embedded cluster in $EMBEDDED_PG_DIR.

use std::path::Path;
use std::process::ExitCode;

use embedded_pg::{connect_creating, EmbeddedPostgres};

const USAGE: &str = "usage: embedded-pg start [--no-fsync] | stop | destroy | migrate DATABASE
  start       start (creating if needed) the cluster in $EMBEDDED_PG_DIR (default .data/pg),
              leave it running and print its URL; --no-fsync for throw-away test clusters
  stop        stop it
  destroy     stop it and remove its folder
  migrate DB  create database DB if missing, apply ./migrations to it and print its URL";

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["start"] => start(false).await,
        ["start", "--no-fsync"] => start(true).await,
        ["stop"] => stop().await,
        ["destroy"] => destroy().await,
        ["migrate", database] => migrate(database).await,
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("embedded-pg: {err}");
            ExitCode::FAILURE
        }
    }
}

fn cluster() -> Result<EmbeddedPostgres, BoxError> {
    let dir = std::env::var_os("EMBEDDED_PG_DIR").unwrap_or_else(|| ".data/pg".into());
    Ok(EmbeddedPostgres::new(dir)?)
}

async fn destroy() -> Result<(), BoxError> {
    cluster()?.destroy().await?;
    Ok(())
}

async fn start(no_fsync: bool) -> Result<(), BoxError> {
    let mut pg = cluster()?;
    if no_fsync {
        pg = pg.without_fsync();
    }
    if let Some(note) = pg.relocation_note() {
        // stdout carries only the URL (scripts read it); the note goes to stderr.
        eprintln!("embedded-pg: {note}");
    }
    pg.start().await?;
    println!("{}", pg.url("postgres"));
    Ok(())
}

async fn stop() -> Result<(), BoxError> {
    cluster()?.stop().await?;
    Ok(())
}

async fn migrate(database: &str) -> Result<(), BoxError> {
    let pg = cluster()?;
    let pool = connect_creating(pg.connect_options(database), 1).await?;
    sqlx::migrate::Migrator::new(Path::new("migrations"))
        .await?
        .run(&pool)
        .await?;
    pool.close().await;
    println!("{}", pg.url(database));
    Ok(())
}
