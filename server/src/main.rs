use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use axum::serve::ListenerExt as _;
use leptos::prelude::*;
use tower_sessions::ExpiredDeletion as _;
use tower_sessions_sqlx_store::PostgresStore;

use app::attachments::media::Media;
use app::help::cache::HelpPages;
use app::incidents::live::Activity;
use app::notifications::delivery::Deliverer;
use app::notifications::render::Links;
use app::notifications::wecom::WeCom;
use embedded_pg::EmbeddedPostgres;
use server::config::Config;
use server::forgery::PublicOrigin;
use server::http::{self, AppState, Settings};

const DATABASE: &str = "incident_desk";

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> ExitCode {
    server::telemetry::init();
    match serve().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err}");
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn serve() -> Result<(), BoxError> {
    let config = Config::from_env()?;
    // Before the database starts: a server that could not open customer identity stops here.
    app::incidents::sealed::install(server::identity_keys::load(
        std::env::var("IDENTITY_KEYS").ok().as_deref(),
        config.database_url.is_some(),
        &server::identity_keys::key_file_for(&config.embedded_pg_dir),
    )?);
    let embedded_pg = match &config.database_url {
        Some(_) => None,
        None => {
            let pg = EmbeddedPostgres::new(&config.embedded_pg_dir)?;
            if let Some(note) = pg.relocation_note() {
                tracing::warn!("{note}");
            }
            tracing::info!(dir = %pg.data_dir().display(), "starting embedded PostgreSQL");
            pg.start().await?;
            Some(pg)
        }
    };
    let result = run(&config, embedded_pg.as_ref()).await;
    if let Some(pg) = &embedded_pg {
        tracing::info!("stopping embedded PostgreSQL");
        if let Err(err) = pg.stop().await {
            tracing::error!("could not stop embedded PostgreSQL: {err}");
        }
    }
    result
}

async fn run(config: &Config, embedded_pg: Option<&EmbeddedPostgres>) -> Result<(), BoxError> {
    let options = match (&config.database_url, embedded_pg) {
        (Some(url), _) => url.parse()?,
        (None, Some(pg)) => pg.connect_options(DATABASE),
        (None, None) => return Err("no database configured".into()),
    };
    // No JIT: a report query the planner over-estimates spent 300 ms compiling to run 50 ms;
    // every query here is short enough that compiling never pays.
    let options = options.options([("jit", "off")]);
    let pool = embedded_pg::connect_creating(options, 20).await?;
    server::MIGRATOR.run(&pool).await?;
    let sealed =
        app::incidents::sealed::reseal_all(&pool, app::incidents::sealed::keyring()?).await?;
    if sealed > 0 {
        tracing::info!(
            incidents = sealed,
            "customer identity sealed under the current key"
        );
    }

    app::notifications::store::reseal_secrets(&pool, app::incidents::sealed::keyring()?).await?;
    let resealed =
        app::datagen::reseal::reseal_all(&pool, app::incidents::sealed::keyring()?).await?;
    if resealed > 0 {
        tracing::info!(
            rows = resealed,
            "test environments and test-data jobs sealed under the current key"
        );
    }

    let session_store = PostgresStore::new(pool.clone());
    session_store.migrate().await?;
    let deletion = tokio::spawn(
        session_store
            .clone()
            .continuously_delete_expired(Duration::from_secs(3600)),
    );

    if config.demo_data {
        if app::demo::seed_if_empty(&pool).await? {
            tracing::info!("demo data loaded");
        }
        print_demo_sign_ins();
    }

    let mut leptos_options = get_configuration(None)?.leptos_options;
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        // Started without cargo-leptos: use hashed asset names whenever the build wrote them.
        leptos_options.hash_files = std::env::current_exe()?
            .with_file_name(leptos_options.hash_file.as_ref())
            .exists();
    }
    let addr = leptos_options.site_addr;
    let media = match &config.media_url {
        Some(url) => Media::from_url(url)?,
        None => Media::local(&config.upload_dir)?,
    };
    let activity = Activity::new();
    let state_activity = activity.clone();
    let listener_task = tokio::spawn(activity.clone().listen(pool.clone()));
    let breach_task = tokio::spawn(watch_sla_breaches(pool.clone()));
    let counts_task = tokio::spawn(fold_rollups(pool.clone()));
    let cleanup_task = tokio::spawn(forget_old_records(
        pool.clone(),
        media.clone(),
        config.auth_audit_days,
    ));
    let help_pages = HelpPages::new();
    let help_listener_task = tokio::spawn(help_pages.clone().listen(pool.clone()));
    let views_task = tokio::spawn(help_pages.views.clone().run(pool.clone()));
    let views = help_pages.views.clone();
    let notifier = notifier(config, &pool, addr)?;
    let mail = app::mail::MailSettings::from_parts(
        config.smtp_url.clone(),
        config.mail_from.clone(),
        config.report_mail_to.clone(),
        &public_base(config, addr),
    )
    .map_err(|name| format!("{name} is not a usable mail setting"))?;
    let mailer_task = match &mail {
        Some(settings) => Some(tokio::spawn(
            app::mail::delivery::Mailer::new(pool.clone(), settings)?.run(),
        )),
        None => None,
    };
    let monitoring = app::monitor::schedule::Monitoring {
        sources: monitor_sources(config, &pool).await,
        runs: config.monitor_runs,
        alerts: app::monitor::alerts::Alerts {
            mail: mail.clone(),
            mail_to: app::mail::mailboxes(config.monitor_mail_to.as_deref(), "MONITOR_MAIL_TO")
                .map_err(|name| format!("{name} is not a usable mail setting"))?,
        },
    };
    let weekly_task = tokio::spawn(send_weekly_reports(pool.clone(), mail));
    app::datagen::recipe_store::seed_bundled(&pool).await?;
    let sandbox_task = match config.sandbox_addr {
        Some(addr) => start_sandbox(&pool, addr, config.demo_data).await?,
        None => None,
    };
    let datagen_task = tokio::spawn(
        app::datagen::worker::Workers::new(config.datagen_workers as usize).run(pool.clone()),
    );
    let monitor_task = tokio::spawn(run_monitor_rules(pool.clone(), monitoring.clone()));
    let worker_task = config
        .notifications_worker
        .then(|| tokio::spawn(notifier.clone().run()));
    let state = AppState {
        pool: pool.clone(),
        leptos_options,
        media,
        activity,
        notifier,
        help_pages,
        monitoring,
    };
    let settings = Settings {
        cookie_secure: config.cookie_secure,
        public_origin: PublicOrigin::new(config.public_origin.clone()),
        trusted_proxies: config.trusted_proxies.clone(),
        reveal_alert_per_hour: config.reveal_alert_per_hour,
    };
    let app = http::router(
        state,
        http::session_layer(session_store, &settings),
        &settings,
    );

    let listener = tokio::net::TcpListener::bind(addr)
        .await?
        // Responses written in several pieces (streamed pages, files) must not wait on Nagle.
        .tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
    tracing::info!("listening on http://{addr}");
    println!("incident desk is serving at http://{addr}  (Ctrl-C stops it)");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal(state_activity))
    .await?;

    deletion.abort();
    listener_task.abort();
    breach_task.abort();
    counts_task.abort();
    weekly_task.abort();
    monitor_task.abort();
    datagen_task.abort();
    if let Some(task) = sandbox_task {
        task.abort();
    }
    if let Some(task) = mailer_task {
        task.abort();
    }
    cleanup_task.abort();
    help_listener_task.abort();
    views_task.abort();
    if let Some(task) = worker_task {
        task.abort();
    }
    // Views counted since the last write.
    views.flush(&pool).await;
    pool.close().await;
    Ok(())
}

/// The outbox's sender: WeCom at its configured address, links to this app's public origin.
fn notifier(config: &Config, pool: &sqlx::PgPool, addr: SocketAddr) -> Result<Deliverer, BoxError> {
    let wecom = WeCom::new(
        &config.wecom_base_url,
        Duration::from_secs(config.wecom_timeout_secs.into()),
    )?;
    Ok(Deliverer::new(
        pool.clone(),
        wecom,
        Links::new(&public_base(config, addr)),
    ))
}

/// Where links in messages lead.
fn public_base(config: &Config, addr: SocketAddr) -> String {
    config
        .public_origin
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"))
}

/// Records SLA breaches as due times pass, so the queue's overdue filter and the breach time
/// do not wait for the next step on an incident. Any replica may run it: the update is atomic.
async fn watch_sla_breaches(pool: sqlx::PgPool) {
    let mut tick = tokio::time::interval(Duration::from_secs(30));
    loop {
        tick.tick().await;
        match app::sla::store::record_breaches(&pool).await {
            Ok(ids) if !ids.is_empty() => {
                tracing::info!(count = ids.len(), "SLA breaches recorded")
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(?error, "SLA breach check failed"),
        }
    }
}

/// Folds the changes incidents append to the queue's counts and the report's days, so reading
/// them stays a sum of a few hundred rows. Any replica may run it; one folds at a time.
async fn fold_rollups(pool: sqlx::PgPool) {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tick.tick().await;
        if let Err(error) = app::rollups::fold(&pool).await {
            tracing::warn!(?error, "folding the rollups failed");
        }
    }
}

/// Sends last week's report once its Monday 09:00 has come; any replica may, one does.
async fn send_weekly_reports(pool: sqlx::PgPool, mail: Option<app::mail::MailSettings>) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        match app::reports::weekly::send_if_due(&pool, mail.as_ref()).await {
            Ok(Some(week)) => tracing::info!(week = %week.first, "weekly report sent"),
            Ok(None) => {}
            Err(error) => tracing::warn!(?error, "weekly report failed"),
        }
    }
}

/// Serves the sandbox of the brokerage's business APIs at `addr`; with demo data, a test
/// environment pointing at it. A port already taken (another desk on this machine) leaves the
/// app running without it.
async fn start_sandbox(
    pool: &sqlx::PgPool,
    addr: SocketAddr,
    demo: bool,
) -> Result<Option<tokio::task::JoinHandle<()>>, BoxError> {
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(error) => {
            tracing::warn!(%error, "the brokerage sandbox cannot listen at {addr}; running without it");
            return Ok(None);
        }
    };
    let credentials = brokerage_sandbox::prepare(pool).await?;
    tracing::info!("brokerage sandbox at http://{addr}");
    if demo {
        let base = format!("http://{addr}");
        app::datagen::targets::ensure_demo(pool, &base, &sandbox_secrets(&credentials)).await?;
    }
    let pool = pool.clone();
    Ok(Some(tokio::spawn(async move {
        if let Err(error) = brokerage_sandbox::serve(listener, pool).await {
            tracing::error!(?error, "the brokerage sandbox stopped");
        }
    })))
}

/// The sandbox's credentials under the names recipes use.
fn sandbox_secrets(credentials: &brokerage_sandbox::Credentials) -> Vec<(String, String)> {
    [
        ("account", &credentials.account),
        ("custody", &credentials.custody),
        ("trading", &credentials.trading),
    ]
    .into_iter()
    .flat_map(|(system, app)| {
        [
            (format!("{system}_app_id"), app.app_id.clone()),
            (format!("{system}_app_secret"), app.app_secret.clone()),
        ]
    })
    .collect()
}

/// The sources of the environment, and with demo data the demo brokerage beside the database.
async fn monitor_sources(config: &Config, pool: &sqlx::PgPool) -> app::monitor::sources::Sources {
    let mut sources = config.monitor_sources.clone();
    if config.demo_data {
        match app::demo::brokerage::prepare(pool).await {
            Ok(demo) => {
                for source in demo {
                    sources = sources.with(source);
                }
            }
            Err(error) => tracing::warn!(?error, "the demo brokerage could not be prepared"),
        }
    }
    sources
}

/// Runs the monitoring rules that are due, every 15 seconds; any replica may, each due run
/// happens once.
async fn run_monitor_rules(pool: sqlx::PgPool, monitoring: app::monitor::schedule::Monitoring) {
    let mut tick = tokio::time::interval(Duration::from_secs(15));
    loop {
        tick.tick().await;
        let now = chrono::Utc::now();
        let ran = app::monitor::schedule::run_due(&pool, &monitoring, now);
        if let Err(error) = ran.await {
            tracing::warn!(?error, "monitoring rules could not run");
        }
    }
}

/// Keeps the authentication audit to its retention time and drops old sign-in failures, past
/// hours' write counts and abandoned uploads, hourly. Any replica may run it.
async fn forget_old_records(pool: sqlx::PgPool, media: Media, days: u32) {
    let mut tick = tokio::time::interval(Duration::from_secs(60 * 60));
    loop {
        tick.tick().await;
        match app::auth::audit::forget_older_than(&pool, days).await {
            Ok(0) => {}
            Ok(count) => tracing::info!(count, days, "old authentication events deleted"),
            Err(error) => tracing::warn!(?error, "authentication audit clean-up failed"),
        }
        if let Err(error) = app::auth::throttle::forget_old(&pool).await {
            tracing::warn!(?error, "sign-in failure clean-up failed");
        }
        if let Err(error) = app::limits::store::forget_past(&pool).await {
            tracing::warn!(?error, "write count clean-up failed");
        }
        match app::attachments::store::delete_unattached(&pool, &media).await {
            Ok(0) => {}
            Ok(count) => tracing::info!(count, "uploads never attached deleted"),
            Err(error) => tracing::warn!(?error, "upload clean-up failed"),
        }
    }
}

fn print_demo_sign_ins() {
    println!("demo sign-ins (password {}):", app::demo::DEMO_PASSWORD);
    for user in &app::demo::DEMO_USERS {
        println!(
            "  {:<10} {} ({})",
            user.login,
            user.display_name,
            user.role.as_str()
        );
    }
}

async fn shutdown_signal(activity: Activity) {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
    activity.close();
}
