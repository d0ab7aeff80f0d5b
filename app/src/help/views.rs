//! Article views, counted once a browser session without touching the database on the read.
//!
//! Which articles a browser has seen rides in a cookie of short tags (no session row is made
//! for an anonymous reader); the counts gather in memory and reach the database in one
//! statement every few seconds, so a page served from the cache stays a memory read.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::HeaderMap;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

pub const SEEN_COOKIE: &str = "help_seen";
/// Tags kept in the cookie; the oldest go first (about 600 bytes at most).
const REMEMBERED: usize = 64;
const FLUSH_EVERY: Duration = Duration::from_secs(5);

/// Views not yet written, by article slug.
#[derive(Clone, Default)]
pub struct ViewTally {
    pending: Arc<Mutex<HashMap<String, i64>>>,
}

impl ViewTally {
    /// Counts a view of `slug` unless this browser saw it already this session; the answer is
    /// the cookie to set when it was counted.
    pub fn look(&self, request: &HeaderMap, slug: &str) -> Option<String> {
        let tag = tag(slug);
        let mut seen = seen_tags(request);
        if seen.contains(&tag) {
            return None;
        }
        if let Ok(mut pending) = self.pending.lock() {
            *pending.entry(slug.to_owned()).or_default() += 1;
        }
        if seen.len() >= REMEMBERED {
            seen.drain(..=seen.len() - REMEMBERED);
        }
        seen.push(tag);
        Some(format!(
            "{SEEN_COOKIE}={}; Path=/help; HttpOnly; SameSite=Lax",
            seen.join(".")
        ))
    }

    /// Writes what was counted. On failure the counts go back, to be tried again.
    pub async fn flush(&self, pool: &PgPool) {
        let taken = match self.pending.lock() {
            Ok(mut pending) => std::mem::take(&mut *pending),
            Err(_) => return,
        };
        if taken.is_empty() {
            return;
        }
        let (slugs, counts): (Vec<String>, Vec<i64>) =
            taken.iter().map(|(s, n)| (s.clone(), *n)).unzip();
        let written = sqlx::query!(
            "UPDATE help_articles a SET views = a.views + t.n
               FROM unnest($1::text[], $2::bigint[]) AS t(slug, n)
              WHERE a.slug = t.slug AND a.state = 'published'",
            &slugs,
            &counts
        )
        .execute(pool)
        .await;
        if let Err(err) = written {
            tracing::warn!(error = %err, "article views not written; kept for the next try");
            if let Ok(mut pending) = self.pending.lock() {
                for (slug, n) in taken {
                    *pending.entry(slug).or_default() += n;
                }
            }
        }
    }

    /// Runs for the life of the process.
    pub async fn run(self, pool: PgPool) {
        let mut every = tokio::time::interval(FLUSH_EVERY);
        loop {
            every.tick().await;
            self.flush(&pool).await;
        }
    }
}

/// Eight hex digits of the slug's hash: enough to tell a browser's few dozen articles apart.
fn tag(slug: &str) -> String {
    let digest = Sha256::digest(slug.as_bytes());
    digest[..4].iter().map(|b| format!("{b:02x}")).collect()
}

fn seen_tags(request: &HeaderMap) -> Vec<String> {
    request
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SEEN_COOKIE)
        .map(|(_, tags)| {
            tags.split('.')
                .filter(|t| t.len() == 8 && t.bytes().all(|b| b.is_ascii_hexdigit()))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_cookie(cookie: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Ok(value) = http::HeaderValue::from_str(cookie) {
            headers.insert(http::header::COOKIE, value);
        }
        headers
    }

    fn pending(tally: &ViewTally, slug: &str) -> i64 {
        tally
            .pending
            .lock()
            .map(|p| p.get(slug).copied().unwrap_or(0))
            .unwrap_or(-1)
    }

    #[test]
    fn a_browser_counts_once_per_article() {
        let tally = ViewTally::default();
        let first = tally.look(&HeaderMap::new(), "reset-password");
        let cookie = first.expect("first look counts");
        let value = cookie.split(';').next().unwrap_or_default();
        assert_eq!(tally.look(&with_cookie(value), "reset-password"), None);
        assert!(tally.look(&with_cookie(value), "open-account").is_some());
        assert_eq!(pending(&tally, "reset-password"), 1);
        assert_eq!(pending(&tally, "open-account"), 1);
    }

    #[test]
    fn the_cookie_keeps_only_the_latest_articles() {
        let tally = ViewTally::default();
        let mut cookie = String::new();
        for n in 0..(REMEMBERED + 5) {
            let set = tally.look(&with_cookie(&cookie), &format!("article-{n}"));
            cookie = set
                .expect("new article counts")
                .split(';')
                .next()
                .unwrap_or_default()
                .to_owned();
        }
        assert_eq!(seen_tags(&with_cookie(&cookie)).len(), REMEMBERED);
        // The first ones were forgotten, the last one is still known.
        assert!(tally.look(&with_cookie(&cookie), "article-0").is_some());
        assert!(tally
            .look(
                &with_cookie(&cookie),
                &format!("article-{}", REMEMBERED + 4)
            )
            .is_none());
    }

    #[test]
    fn a_forged_cookie_is_ignored() {
        let tags = seen_tags(&with_cookie("help_seen=zz; other=1"));
        assert!(tags.is_empty());
    }
}
