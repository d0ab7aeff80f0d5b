//! The business databases rules read, each named in the environment: `MONITOR_SOURCE_<NAME>`
//! holds its connection URL (`postgres://…` or `mysql://…`, MySQL or MariaDB; best an account
//! that may only read). Its connections open read-only by default and are made when a rule
//! first needs them.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Executor, MySqlPool, PgPool};

/// The environment variables that name sources start with this.
pub const ENV_PREFIX: &str = "MONITOR_SOURCE_";

/// Connections one source may hold at once: rules run one at a time per replica, and a
/// reconciliation reads one or two sources.
const MAX_CONNECTIONS: u32 = 3;
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
const IDLE_TIMEOUT: Duration = Duration::from_secs(300);

#[derive(Clone)]
pub struct Source {
    name: String,
    masked_url: String,
    connections: Connections,
}

/// A source's connections, by the kind of database it is.
#[derive(Clone, Debug)]
pub enum Connections {
    Postgres(PgPool),
    MySql(MySqlPool),
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("name", &self.name)
            .field("url", &self.masked_url)
            .finish()
    }
}

impl Source {
    /// A source from its URL; the answer to a URL that cannot be one names the source, never
    /// the URL (it may hold a password).
    pub fn new(name: &str, url: &str) -> Result<Self, String> {
        let refuse = |why: &str| format!("{ENV_PREFIX}{}: {why}", name.to_uppercase());
        let not_a_url = || refuse("not a connection URL");
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options: PgConnectOptions = url.parse().map_err(|_| not_a_url())?;
            Ok(Self::with_options(name, options, masked(url)))
        } else if url.starts_with("mysql://") || url.starts_with("mariadb://") {
            let url = url.replacen("mariadb://", "mysql://", 1);
            let options: MySqlConnectOptions = url.parse().map_err(|_| not_a_url())?;
            Ok(Self::with_mysql_options(name, options, masked(&url)))
        } else {
            Err(refuse(
                "only PostgreSQL (postgres://…) and MySQL or MariaDB (mysql://…) sources are supported",
            ))
        }
    }

    /// A source from connection options (a database beside the app's own, say), shown as
    /// `label`.
    pub fn with_options(name: &str, options: PgConnectOptions, label: String) -> Self {
        let options = options
            .application_name("incident-desk-monitor")
            .options([("default_transaction_read_only", "on")]);
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .min_connections(0)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .idle_timeout(IDLE_TIMEOUT)
            .connect_lazy_with(options);
        Self::named(name, label, Connections::Postgres(pool))
    }

    /// A MySQL or MariaDB source, shown as `label`: each connection's transactions are
    /// read-only before it is handed out.
    pub fn with_mysql_options(name: &str, options: MySqlConnectOptions, label: String) -> Self {
        let pool = MySqlPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .min_connections(0)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .idle_timeout(IDLE_TIMEOUT)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute("SET SESSION TRANSACTION READ ONLY").await?;
                    Ok(())
                })
            })
            .connect_lazy_with(options);
        Self::named(name, label, Connections::MySql(pool))
    }

    fn named(name: &str, label: String, connections: Connections) -> Self {
        Self {
            name: name.to_lowercase(),
            masked_url: label,
            connections,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The URL with its password hidden, for the admin page.
    pub fn masked_url(&self) -> &str {
        &self.masked_url
    }

    pub fn connections(&self) -> &Connections {
        &self.connections
    }

    /// Closes its connections (a test dropping the database, say).
    pub async fn close(&self) {
        match &self.connections {
            Connections::Postgres(pool) => pool.close().await,
            Connections::MySql(pool) => pool.close().await,
        }
    }
}

/// The sources by name.
#[derive(Clone, Default, Debug)]
pub struct Sources(Arc<BTreeMap<String, Source>>);

impl Sources {
    /// Every `MONITOR_SOURCE_<NAME>` among `vars`.
    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> Result<Self, String> {
        let mut sources = BTreeMap::new();
        for (key, url) in vars {
            let Some(name) = key.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!("{key}: a source's name is letters, digits and _"));
            }
            let source = Source::new(name, &url)?;
            sources.insert(source.name.clone(), source);
        }
        Ok(Self(Arc::new(sources)))
    }

    pub fn with(self, source: Source) -> Self {
        let mut sources = (*self.0).clone();
        sources.insert(source.name.clone(), source);
        Self(Arc::new(sources))
    }

    pub fn get(&self, name: &str) -> Option<&Source> {
        self.0.get(name)
    }

    pub fn all(&self) -> impl Iterator<Item = &Source> {
        self.0.values()
    }
}

/// `postgres://user:secret@host/db?password=x` as `postgres://user:•••@host/db?password=•••`.
fn masked(url: &str) -> String {
    const HIDDEN: &str = "•••";
    let (head, query) = url
        .split_once('?')
        .map_or((url, None), |(h, q)| (h, Some(q)));
    let mut out = match head.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((userinfo, host)) => {
                let user = userinfo.split_once(':').map_or(userinfo, |(user, _)| user);
                let hidden = if userinfo.contains(':') {
                    format!(":{HIDDEN}")
                } else {
                    String::new()
                };
                format!("{scheme}://{user}{hidden}@{host}")
            }
            None => head.to_owned(),
        },
        None => head.to_owned(),
    };
    if let Some(query) = query {
        let params: Vec<String> = query
            .split('&')
            .map(|param| match param.split_once('=') {
                Some((name, _)) if name.eq_ignore_ascii_case("password") => {
                    format!("{name}={HIDDEN}")
                }
                _ => param.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&params.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        assert_eq!(
            masked("postgres://reader:s3cret@db.example:5432/trading?sslmode=require"),
            "postgres://reader:•••@db.example:5432/trading?sslmode=require"
        );
        assert_eq!(
            masked("postgres://reader@db/x?password=s3cret&sslmode=disable"),
            "postgres://reader@db/x?password=•••&sslmode=disable"
        );
        assert_eq!(masked("postgres:///x?host=/run"), "postgres:///x?host=/run");
    }

    #[tokio::test]
    async fn sources_come_from_their_variables_and_bad_ones_are_named() {
        let vars = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<Vec<_>>()
        };
        let sources = Sources::from_vars(vars(&[
            (
                "MONITOR_SOURCE_TRADING",
                "postgres://r:pw@localhost/trading",
            ),
            ("PATH", "/usr/bin"),
        ]))
        .expect("sources");
        let trading = sources.get("trading").expect("trading");
        assert_eq!(trading.masked_url(), "postgres://r:•••@localhost/trading");
        assert!(!format!("{trading:?}").contains("pw"));
        let core = Sources::from_vars(vars(&[(
            "MONITOR_SOURCE_CORE",
            "mariadb://r:pw@h/core?socket=/run/mysqld.sock",
        )]))
        .expect("mysql");
        let core = core.get("core").expect("core");
        assert!(matches!(core.connections(), Connections::MySql(_)));
        assert_eq!(
            core.masked_url(),
            "mysql://r:•••@h/core?socket=/run/mysqld.sock"
        );
        for url in ["oracle://r:pw@h/core", "mysql://r:pw@h:port/core"] {
            let refused =
                Sources::from_vars(vars(&[("MONITOR_SOURCE_CORE", url)])).expect_err("refused");
            assert!(refused.starts_with("MONITOR_SOURCE_CORE"), "{refused}");
            assert!(!refused.contains("pw"), "{refused}");
        }
    }
}
