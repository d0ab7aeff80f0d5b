//! Live updates: every write notifies PostgreSQL (`pg_notify` at commit); one listener per server
//! process fans the incident ids out to the open event streams. Replicas each listen, so a
//! reply written through one replica reaches a page served by another.

use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio::sync::{broadcast, watch};

use super::store::ACTIVITY_CHANNEL;

#[derive(Clone)]
pub struct Activity {
    sender: broadcast::Sender<i64>,
    /// Flips once at shutdown: open event streams end, so a graceful shutdown does not wait on
    /// them forever.
    closing: watch::Sender<bool>,
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
        Self { sender, closing }
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
