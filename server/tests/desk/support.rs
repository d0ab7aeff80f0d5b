//! A whole desk (router, sessions, database) driven request by request, without a socket.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use leptos::prelude::LeptosOptions;
use sqlx::PgPool;
use tower::ServiceExt as _;
use tower_sessions_sqlx_store::PostgresStore;

use app::auth::{password, store, Role};
use server::http::{router, session_layer, AppState, Settings};

pub const PASSWORD: &str = "correct horse 42";

pub struct Desk {
    router: Router,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .find(|pair| pair.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }
}

impl Desk {
    /// A desk on `pool` with one user of each role, logins named after the role.
    pub async fn new(pool: PgPool) -> Self {
        let hash = password::hash(PASSWORD.to_owned()).await.expect("hash");
        for role in Role::ALL {
            store::create(
                &pool,
                store::NewUser {
                    login: role.as_str(),
                    display_name: role.as_str(),
                    role,
                    password_hash: &hash,
                },
            )
            .await
            .expect("create user");
        }
        let sessions = PostgresStore::new(pool.clone());
        sessions.migrate().await.expect("session schema");
        let state = AppState {
            pool,
            leptos_options: LeptosOptions::builder()
                .output_name("incident-desk")
                .build(),
        };
        let settings = Settings {
            cookie_secure: false,
        };
        Self {
            router: router(state, session_layer(sessions, &settings)),
        }
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        cookie: Option<&str>,
        form: Option<&str>,
        from: [u8; 4],
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        if form.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        } else {
            // As a browser navigating: pages then answer redirects with a real 302.
            request = request.header(header::ACCEPT, "text/html");
        }
        let request = request
            .body(Body::from(form.unwrap_or_default().to_owned()))
            .expect("request");
        let response = self
            .router
            .clone()
            .layer(MockConnectInfo(SocketAddr::from((from, 40000))))
            .oneshot(request)
            .await
            .expect("response");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// Calls a server function the way the browser does (form-encoded POST).
    pub async fn call(&self, endpoint: &str, cookie: Option<&str>, form: &str) -> Reply {
        self.request(
            Method::POST,
            &format!("/api/{endpoint}"),
            cookie,
            Some(form),
            [127, 0, 0, 1],
        )
        .await
    }

    pub async fn page(&self, path: &str, cookie: Option<&str>) -> Reply {
        self.request(Method::GET, path, cookie, None, [127, 0, 0, 1])
            .await
    }

    pub async fn sign_in_from(&self, login: &str, password: &str, from: [u8; 4]) -> Reply {
        let form = format!(
            "login={login}&password={}&next=",
            password.replace(' ', "+")
        );
        self.request(Method::POST, "/api/login", None, Some(&form), from)
            .await
    }

    /// Signs in as the user of `role`; returns the session cookie.
    pub async fn session_of(&self, role: Role) -> String {
        let reply = self
            .sign_in_from(role.as_str(), PASSWORD, [127, 0, 0, 1])
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "sign-in failed: {}",
            reply.body
        );
        reply.cookie("desk_session").expect("session cookie")
    }
}
