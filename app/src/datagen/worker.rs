//! The workers of one server process: a few tasks that take jobs (any replica may take any job)
//! and run them, keeping each job's lease fresh while it runs. Woken by `pg_notify` when a job
//! is submitted, and looking every few seconds anyway.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio::sync::Notify;

use super::run::{Ending, Runner};
use super::store::{self, JOBS_CHANNEL};

#[derive(Clone)]
pub struct Workers {
    /// Jobs this process runs at once (each target also bounds its own).
    pub slots: usize,
    /// How long a job stays this process's without a sign of life.
    pub lease: Duration,
    pub http: reqwest::Client,
    /// Names this process in the jobs it holds.
    pub name: String,
}

/// How often a running job's lease is renewed (and its cancellation looked for).
const HEARTBEAT: Duration = Duration::from_secs(3);
/// How often idle workers look for work without being woken.
const IDLE_LOOK: Duration = Duration::from_secs(2);

impl Workers {
    pub fn new(slots: usize) -> Self {
        Self {
            slots,
            lease: Duration::from_secs(20),
            http: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_default(),
            name: format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple()),
        }
    }

    /// Runs until the process ends.
    pub async fn run(self, pool: PgPool) {
        let wake = Arc::new(Notify::new());
        let listener = tokio::spawn(listen(pool.clone(), wake.clone()));
        let slots: Vec<_> = (0..self.slots)
            .map(|_| tokio::spawn(self.clone().work(pool.clone(), wake.clone())))
            .collect();
        for slot in slots {
            let _ = slot.await;
        }
        listener.abort();
    }

    async fn work(self, pool: PgPool, wake: Arc<Notify>) {
        loop {
            // Registered before looking, so a job submitted meanwhile still wakes this slot.
            let woken = wake.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            match store::claim(&pool, &self.name, self.lease).await {
                Ok(Some(job)) => self.run_one(&pool, job).await,
                Ok(None) => {
                    let _ = tokio::time::timeout(IDLE_LOOK, woken).await;
                }
                Err(error) => {
                    tracing::warn!(?error, "test-data jobs could not be claimed");
                    tokio::time::sleep(IDLE_LOOK).await;
                }
            }
        }
    }

    async fn run_one(&self, pool: &PgPool, job: super::run::Claimed) {
        let id = job.id;
        let stop = Arc::new(AtomicBool::new(false));
        let heartbeat = tokio::spawn({
            let (pool, stop, name, lease) =
                (pool.clone(), stop.clone(), self.name.clone(), self.lease);
            async move {
                loop {
                    tokio::time::sleep(HEARTBEAT).await;
                    match store::renew(&pool, id, &name, lease).await {
                        Ok(true) => {}
                        Ok(false) => stop.store(true, Ordering::Relaxed),
                        Err(error) => tracing::warn!(?error, job = id, "lease not renewed"),
                    }
                }
            }
        });
        let runner = Runner {
            pool,
            http: &self.http,
            worker: &self.name,
            stop: &stop,
        };
        match runner.run(job).await {
            Ok(Ending::Success(_)) => tracing::info!(job = id, "test-data job built its account"),
            Ok(Ending::Failed { step, .. }) => {
                tracing::info!(job = id, step, "test-data job failed")
            }
            Ok(Ending::Cancelled) => tracing::info!(job = id, "test-data job cancelled"),
            Ok(Ending::Lost) => {
                tracing::warn!(job = id, "test-data job taken over by another worker")
            }
            // Its lease runs out and a worker takes it again from where it stood.
            Err(error) => tracing::warn!(?error, job = id, "test-data job interrupted"),
        }
        heartbeat.abort();
    }
}

async fn listen(pool: PgPool, wake: Arc<Notify>) {
    loop {
        let listening = async {
            let mut listener = PgListener::connect_with(&pool).await?;
            listener.listen(JOBS_CHANNEL).await?;
            loop {
                listener.recv().await?;
                wake.notify_waiters();
            }
        };
        let result: Result<(), sqlx::Error> = listening.await;
        if let Err(error) = result {
            tracing::warn!(?error, "job notifications lost; listening again");
        }
        tokio::time::sleep(IDLE_LOOK).await;
    }
}
