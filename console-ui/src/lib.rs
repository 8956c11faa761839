//! # madoguchi-console
//!
//! The server: accounts and roles, the websocket hub that joins counter PCs
//! to consoles through the agent, the staff console, supervisor and editor
//! pages, `/metrics`, and the SQLite session store.
//!
//! # Layout
//! - [`config`]: the TOML config, `MADOGUCHI_` environment overrides, defaults.
//! - [`app`]: the route × access table that builds the router, the guard
//!   (login cookie, role, counter token, websocket Origin), the handlers.
//! - [`hub`]: one task per counter driving its agent session; frames out to
//!   consoles and supervisors.
//! - [`store`]: SQLite: accounts, logins, masked summaries, feedback, audit,
//!   retention.
//! - [`auth`]: roles, argon2 passwords, login tokens and cookies.
//! - [`editor`]: the knowledge editors' pages (drafts, preview, publish,
//!   withdraw, the synonym file and the related map).
//! - [`pages`]: the server-rendered Japanese pages; `assets/` the scripts.
//! - [`metrics`]: Prometheus text.
//!
//! # Invariants
//! - Only this crate knows HTTP.
//! - What reaches a browser, the store or the logs is built from the
//!   masker's types ([`madoguchi_agent::mask::MaskedText`], the session
//!   summary); raw segment text goes no further than the counter's task.
//! - Every route is in [`app::table`], and the guard runs before its handler.

pub mod app;
pub mod auth;
pub mod config;
pub mod editor;
pub mod hub;
pub mod metrics;
pub mod pages;
pub mod store;

use std::sync::Arc;
use std::time::Duration;

use madoguchi_agent::session::Agent;
use madoguchi_knowledge::KnowledgeBase;

pub use app::{app, AppState};
pub use config::Config;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("knowledge base: {0}")]
    Knowledge(#[from] madoguchi_knowledge::KnowledgeError),
    #[error("cannot listen on {0}: {1}")]
    Listen(String, std::io::Error),
    #[error("{0}")]
    Account(String),
}

/// Builds the state: opens the store, creates the configured accounts that
/// do not exist yet, starts one task per counter.
pub fn state(config: Config, kb: Arc<KnowledgeBase>) -> Result<AppState, ServeError> {
    let store = Arc::new(store::Store::open(&config.database_path())?);
    // Drafts do not outlive the process that previewed them.
    let _ = std::fs::remove_dir_all(kb.dir().join(".drafts"));
    for a in &config.accounts {
        let hash = match (&a.password_hash, &a.password) {
            (Some(h), _) => h.clone(),
            (None, Some(p)) => {
                tracing::warn!(account = %a.name, "account with a plain password in the config (use password_hash outside demos)");
                auth::hash_password(p).map_err(ServeError::Account)?
            }
            (None, None) => unreachable!("validated"),
        };
        let account = store::Account {
            name: a.name.clone(),
            role: a.role,
            department: a.department.clone(),
            counters: a.counters.clone(),
        };
        if store.ensure_account(&account, &hash)? {
            tracing::info!(account = %a.name, role = a.role.as_str(), "account created from the config");
        }
    }
    let metrics = Arc::new(metrics::Metrics::default());
    let agent = Agent::new(kb.clone());
    let glossary = kb.glossary()?;
    let mut specs: Vec<hub::CounterSpec> = config
        .counters
        .iter()
        .map(|c| hub::CounterSpec {
            id: c.id.clone(),
            name: c.name.clone(),
            department: c.department.clone(),
            token_hash: auth::token_hash(&c.token),
        })
        .collect();
    // Counters an admin added on the admin page.
    specs.extend(
        store
            .counters()?
            .into_iter()
            .filter(|c| !config.counters.iter().any(|k| k.id == c.id)),
    );
    let llm = config.llm.as_ref().map(|l| hub::Llm {
        client: reqwest::Client::new(),
        config: madoguchi_agent::llm::LlmConfig {
            url: l.url.clone(),
            model: l.model.clone(),
            api_key: std::env::var(&l.key_env).unwrap_or_default(),
            azure_api_version: l.azure_api_version.clone(),
            deadline: Duration::from_millis(l.deadline_ms),
        },
    });
    if let Some(l) = &llm {
        tracing::info!(url = %l.config.url, "LLM drafting on");
    }
    let shared = hub::Shared {
        agent: agent.clone(),
        store: store.clone(),
        metrics: metrics.clone(),
        idle: Duration::from_secs(config.idle_minutes.max(1) * 60),
        llm,
    };
    let hub = hub::Hub::start(specs, shared, glossary);
    Ok(AppState {
        config: Arc::new(config),
        store,
        hub: Arc::new(hub),
        kb,
        agent,
        metrics,
        drafts: Arc::default(),
        throttle: Arc::default(),
    })
}

/// Serves until `shutdown` resolves; then stores every live session's
/// summary. Retention runs at start and then daily.
pub async fn serve(
    st: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let retention = {
        let (store, default_days) = (st.store.clone(), st.config.retention_days);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(24 * 3600));
            loop {
                every.tick().await;
                let purge = store
                    .call(move |s| {
                        let days = s.retention_days(default_days)?;
                        s.purge(days).map(|n| (n, days))
                    })
                    .await;
                match purge {
                    Ok((n, days)) => {
                        tracing::info!(deleted = n, days, "retention: old records deleted")
                    }
                    Err(e) => tracing::error!("retention: {e}"),
                }
            }
        })
    };
    let hub = st.hub.clone();
    let router = app(st);
    let r = axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await;
    retention.abort();
    hub.shutdown().await;
    r
}

/// Binds the configured address.
pub async fn bind(config: &Config) -> Result<tokio::net::TcpListener, ServeError> {
    tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|e| ServeError::Listen(config.listen.clone(), e))
}
