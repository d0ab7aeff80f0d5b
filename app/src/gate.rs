//! A bound on costly work done at once (password hashes, image decodes): one at a time per
//! core, a short queue, and past it a refusal as busy, instead of memory and latency piling up
//! for everyone.

use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{Semaphore, SemaphorePermit};

use crate::error::AppError;

pub struct Gate {
    running: Semaphore,
    waiting: AtomicUsize,
    max_waiting: usize,
    retry_after_secs: u64,
}

impl Gate {
    /// As many at once as the machine has cores; `max_waiting` more may queue, and those past
    /// that are told to retry after `retry_after_secs`.
    pub fn per_core(max_waiting: usize, retry_after_secs: u64) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        Self {
            running: Semaphore::new(cores),
            waiting: AtomicUsize::new(0),
            max_waiting,
            retry_after_secs,
        }
    }

    /// A turn, held until the permit is dropped; `Busy` when the queue is full.
    pub async fn enter(&self) -> Result<SemaphorePermit<'_>, AppError> {
        if let Ok(permit) = self.running.try_acquire() {
            return Ok(permit);
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(AppError::Busy {
                retry_after_secs: self.retry_after_secs,
            });
        }
        let permit = self.running.acquire().await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        permit.map_err(|_| AppError::Internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn past_the_queue_work_is_refused_as_busy() {
        let gate = Gate {
            running: Semaphore::new(1),
            waiting: AtomicUsize::new(0),
            max_waiting: 1,
            retry_after_secs: 3,
        };
        let first = gate.enter().await.expect("runs");
        let mut queued = Box::pin(gate.enter());
        // The second waits in the queue; the third finds it full.
        let waited = tokio::time::timeout(std::time::Duration::from_millis(20), &mut queued).await;
        assert!(
            waited.is_err(),
            "the second ran while the first held the only turn"
        );
        assert_eq!(
            gate.enter().await.err(),
            Some(AppError::Busy {
                retry_after_secs: 3
            })
        );
        drop(first);
        assert!(queued.await.is_ok());
    }
}
