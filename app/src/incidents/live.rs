//! Live updates: every write notifies PostgreSQL (`pg_notify` at commit); one listener per server
//! process fans the incident ids out to the open event streams. Replicas each listen, so a
//! reply written through one replica reaches a page served by another.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio::sync::{broadcast, watch};

use super::store::ACTIVITY_CHANNEL;
use crate::error::AppError;

/// Event streams one user may hold open on one server: a few tabs and phones, not a leak.
pub const MAX_STREAMS_PER_USER: usize = 8;

#[derive(Clone)]
pub struct Activity {
    sender: broadcast::Sender<i64>,
    /// Flips once at shutdown: open event streams end, so a graceful shutdown does not wait on
    /// them forever.
    closing: watch::Sender<bool>,
    /// Open streams per user id.
    streams: Arc<Mutex<HashMap<i64, usize>>>,
    /// How often an open stream checks that its session still signs its user in.
    session_check_every: Duration,
}

impl Default for Activity {
    fn default() -> Self {
        Self::new()
    }
}

impl Activity {
    pub fn new() -> Self {
        let (sender, _) = broadcast::channel(1024);
        let (closing, _) = watch::channel(false);
        Self {
            sender,
            closing,
            streams: Arc::default(),
            session_check_every: Duration::from_secs(20),
        }
    }

    /// As `new`, checking sessions of open streams this often (tests need it quick).
    pub fn checking_sessions_every(mut self, every: Duration) -> Self {
        self.session_check_every = every;
        self
    }

    pub fn session_check_every(&self) -> Duration {
        self.session_check_every
    }

    /// A place for one more stream of `user_id`, held until the slot is dropped; refused when
    /// the user already holds `MAX_STREAMS_PER_USER`.
    pub fn admit(&self, user_id: i64) -> Result<StreamSlot, AppError> {
        let mut streams = self.streams.lock().map_err(|_| AppError::Internal)?;
        let open = streams.entry(user_id).or_default();
        if *open >= MAX_STREAMS_PER_USER {
            return Err(AppError::TooManyStreams);
        }
        *open += 1;
        Ok(StreamSlot {
            streams: self.streams.clone(),
            user_id,
        })
    }

    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Resolves when the server starts shutting down.
    pub fn closed(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut closing = self.closing.subscribe();
        async move {
            let _ = closing.wait_for(|closing| *closing).await;
        }
    }

    /// Ids of incidents that changed from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<i64> {
        self.sender.subscribe()
    }

    /// Runs for the life of the process. A lost connection is re-established (sqlx reconnects
    /// inside `recv`); pages refetch when their stream reconnects, so nothing stays stale.
    pub async fn listen(self, pool: PgPool) {
        loop {
            match PgListener::connect_with(&pool).await {
                Ok(mut listener) => {
                    if let Err(err) = listener.listen(ACTIVITY_CHANNEL).await {
                        tracing::warn!(error = %err, "cannot listen for incident activity");
                    } else {
                        self.forward(&mut listener).await;
                    }
                }
                Err(err) => tracing::warn!(error = %err, "activity listener cannot connect"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    async fn forward(&self, listener: &mut PgListener) {
        loop {
            match listener.recv().await {
                Ok(notification) => {
                    if let Ok(id) = notification.payload().parse::<i64>() {
                        // No subscriber is fine: nobody is watching.
                        let _ = self.sender.send(id);
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %err, "activity listener lost");
                    return;
                }
            }
        }
    }
}

/// One open stream of a user; dropping it (the stream ended) frees the place.
pub struct StreamSlot {
    streams: Arc<Mutex<HashMap<i64, usize>>>,
    user_id: i64,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        if let Ok(mut streams) = self.streams.lock() {
            if let Some(open) = streams.get_mut(&self.user_id) {
                *open = open.saturating_sub(1);
                if *open == 0 {
                    streams.remove(&self.user_id);
                }
            }
        }
    }
}
