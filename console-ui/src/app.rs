//! The router: one table of route × access builds it (and drives the
//! exhaustive authorization test), a guard in front of every route, and the
//! handlers.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{DefaultBodyLimit, Form, Path, Query, Request, State};
use axum::handler::Handler;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::{Extension, Router};
use futures_util::{SinkExt, StreamExt};
use madoguchi_agent::session::Agent;
use madoguchi_knowledge::KnowledgeBase;
use madoguchi_wire::{Ack, CounterFrame, GlossaryMsg, PauseMsg, MAX_FRAME_BYTES};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::{broadcast, oneshot};

use crate::auth::{self, Access, Role};
use crate::config::Config;
use crate::hub::{Cmd, CounterHandle, Frame, Hub};
use crate::metrics::{Gauge, Metrics};
use crate::store::{Account, ReviewFilter, Store};
use crate::{editor, pages};

/// Everything the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Arc<Store>,
    pub hub: Arc<Hub>,
    pub kb: Arc<KnowledgeBase>,
    pub agent: Agent,
    pub metrics: Arc<Metrics>,
    /// Manuals being previewed by editors, not yet published.
    pub drafts: Arc<crate::editor::Drafts>,
    /// Failed logins by account name.
    pub throttle: Arc<auth::Throttle>,
}

/// What a route answers, which decides how a refusal looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An HTML page: without a login, a redirect to the login page.
    Page,
    /// JSON or a form post: without a login, 401.
    Api,
    /// A websocket upgrade: Origin is checked first.
    Socket,
}

/// One row of the route table.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub kind: Kind,
}

const CLERK: &[Role] = &[Role::Clerk];
const SUPERVISOR: &[Role] = &[Role::Supervisor];
const EDITOR: &[Role] = &[Role::Editor];
const ADMIN: &[Role] = &[Role::Admin];
const READERS: &[Role] = &[Role::Clerk, Role::Supervisor, Role::Editor];
const ANYONE: &[Role] = &[Role::Clerk, Role::Supervisor, Role::Editor, Role::Admin];

fn entry<H, T>(
    method: Method,
    path: &'static str,
    access: Access,
    kind: Kind,
    h: H,
) -> (RouteSpec, MethodRouter<AppState>)
where
    H: Handler<T, AppState>,
    T: 'static,
{
    let filter = MethodFilter::try_from(method.clone()).expect("a routable method");
    (
        RouteSpec {
            method,
            path,
            access,
            kind,
        },
        on(filter, h),
    )
}

/// The route table: every route the server has, who may use it.
pub fn table() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    use Access::*;
    use Kind::*;
    let (g, p) = (Method::GET, Method::POST);
    vec![
        entry(g.clone(), "/", Public, Page, root),
        entry(g.clone(), "/login", Public, Page, login_page),
        entry(p.clone(), "/login", Public, Page, login),
        entry(p.clone(), "/logout", Staff(ANYONE), Page, logout),
        entry(g.clone(), "/static/app.css", Public, Api, asset_css),
        entry(
            g.clone(),
            "/static/console.js",
            Public,
            Api,
            asset_console_js,
        ),
        entry(
            g.clone(),
            "/static/supervisor.js",
            Public,
            Api,
            asset_supervisor_js,
        ),
        entry(g.clone(), "/healthz", Public, Api, healthz),
        entry(g.clone(), "/metrics", Public, Api, metrics),
        entry(g.clone(), "/ws/counter", Counter, Socket, counter_ws),
        entry(g.clone(), "/console", Staff(CLERK), Page, console_list),
        entry(
            g.clone(),
            "/console/{counter}",
            Staff(CLERK),
            Page,
            console_page,
        ),
        entry(
            g.clone(),
            "/ws/console/{counter}",
            Staff(CLERK),
            Socket,
            console_ws,
        ),
        entry(g.clone(), "/manual", Staff(READERS), Page, manual_page),
        entry(
            g.clone(),
            "/supervisor",
            Staff(SUPERVISOR),
            Page,
            supervisor_page,
        ),
        entry(
            g.clone(),
            "/ws/supervisor",
            Staff(SUPERVISOR),
            Socket,
            supervisor_ws,
        ),
        entry(
            g.clone(),
            "/supervisor/sessions",
            Staff(SUPERVISOR),
            Page,
            review_list,
        ),
        entry(
            g.clone(),
            "/supervisor/sessions/{id}",
            Staff(SUPERVISOR),
            Page,
            review_one,
        ),
        entry(
            g.clone(),
            "/supervisor/quality",
            Staff(SUPERVISOR),
            Page,
            quality_page,
        ),
        entry(g.clone(), "/editor", Staff(EDITOR), Page, editor::home),
        entry(
            p.clone(),
            "/editor/preview",
            Staff(EDITOR),
            Page,
            editor::preview,
        ),
        entry(
            g.clone(),
            "/editor/drafts/{id}",
            Staff(EDITOR),
            Page,
            editor::draft_page,
        ),
        entry(
            p.clone(),
            "/editor/drafts/{id}/publish",
            Staff(EDITOR),
            Page,
            editor::publish,
        ),
        entry(
            p.clone(),
            "/editor/drafts/{id}/discard",
            Staff(EDITOR),
            Page,
            editor::discard,
        ),
        entry(
            p.clone(),
            "/editor/withdraw",
            Staff(EDITOR),
            Page,
            editor::withdraw,
        ),
        entry(g.clone(), "/editor/edit", Staff(EDITOR), Page, editor::edit),
        entry(
            g.clone(),
            "/editor/maps/{which}",
            Staff(EDITOR),
            Page,
            editor::map_page,
        ),
        entry(
            p.clone(),
            "/editor/maps/{which}",
            Staff(EDITOR),
            Page,
            editor::save_map,
        ),
        entry(g.clone(), "/static/editor.js", Public, Api, asset_editor_js),
        entry(g.clone(), "/admin", Staff(ADMIN), Page, admin_page),
        entry(
            p.clone(),
            "/admin/accounts",
            Staff(ADMIN),
            Page,
            admin_account,
        ),
        entry(
            p.clone(),
            "/admin/counters",
            Staff(ADMIN),
            Page,
            admin_counter,
        ),
        entry(
            p.clone(),
            "/admin/retention",
            Staff(ADMIN),
            Page,
            admin_retention,
        ),
        entry(p, "/admin/purge", Staff(ADMIN), Page, admin_purge),
    ]
}

/// The route table without handlers (for tests and docs).
pub fn routes() -> Vec<RouteSpec> {
    table().into_iter().map(|(s, _)| s).collect()
}

/// The whole server as a router.
pub fn app(state: AppState) -> Router {
    let mut router = Router::new();
    for (spec, handler) in table() {
        let guarded = handler.layer(middleware::from_fn_with_state(
            (state.clone(), spec.clone()),
            guard,
        ));
        router = router.route(spec.path, guarded);
    }
    router
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(4 * 1024 * 1024))
        .with_state(state)
}

// ---- errors

/// The error catalogue: a code, its HTTP status, a message for the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    NotLoggedIn,
    Forbidden,
    NotFound,
    BadRequest,
    BadOrigin,
    BadToken,
    Internal,
}

impl ErrorCode {
    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::NotLoggedIn | ErrorCode::BadToken => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden | ErrorCode::BadOrigin => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::BadRequest => StatusCode::BAD_REQUEST,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NotLoggedIn => "not_logged_in",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::BadOrigin => "bad_origin",
            ErrorCode::BadToken => "bad_token",
            ErrorCode::Internal => "internal",
        }
    }

    fn message(self) -> &'static str {
        match self {
            ErrorCode::NotLoggedIn => "ログインしてください。",
            ErrorCode::Forbidden => "このページを見る権限がありません。",
            ErrorCode::NotFound => "ページが見つかりません。",
            ErrorCode::BadRequest => "入力が正しくありません。",
            ErrorCode::BadOrigin => "この接続元からは接続できません。",
            ErrorCode::BadToken => "窓口端末のトークンが正しくありません。",
            ErrorCode::Internal => "サーバーで問題が起きました。管理者に連絡してください。",
        }
    }
}

/// A refusal: JSON for APIs and sockets, a Japanese page for pages.
pub struct ApiError {
    code: ErrorCode,
    detail: String,
    page: bool,
}

impl ApiError {
    pub fn new(code: ErrorCode) -> Self {
        ApiError {
            code,
            detail: String::new(),
            page: true,
        }
    }

    /// What to do, shown to the user (never internals or personal data).
    pub fn detail(mut self, d: impl Into<String>) -> Self {
        self.detail = d.into();
        self
    }

    fn json(mut self) -> Self {
        self.page = false;
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let msg = if self.detail.is_empty() {
            self.code.message().to_owned()
        } else {
            format!("{} {}", self.code.message(), self.detail)
        };
        if self.page {
            (
                self.code.status(),
                pages::error(self.code.status().as_u16(), &msg),
            )
                .into_response()
        } else {
            (
                self.code.status(),
                axum::Json(json!({"error": {"code": self.code.as_str(), "message": msg}})),
            )
                .into_response()
        }
    }
}

pub(crate) fn internal(e: impl std::fmt::Display) -> ApiError {
    tracing::error!("{e}");
    ApiError::new(ErrorCode::Internal)
}

// ---- the guard

/// The counter PC a socket belongs to (set by the guard).
#[derive(Clone)]
struct CounterId(Arc<CounterHandle>);

async fn guard(
    State((st, spec)): State<(AppState, RouteSpec)>,
    mut req: Request,
    next: Next,
) -> Response {
    if spec.kind == Kind::Socket && !origin_ok(&st.config, req.headers(), spec.access) {
        return ApiError::new(ErrorCode::BadOrigin).json().into_response();
    }
    match spec.access {
        Access::Public => {}
        Access::Counter => {
            let token = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or("");
            let found = st.hub.by_token(token);
            match found {
                Some(c) => {
                    req.extensions_mut().insert(CounterId(c));
                }
                None => {
                    tracing::warn!(path = spec.path, "counter connection refused: wrong token");
                    return ApiError::new(ErrorCode::BadToken).json().into_response();
                }
            }
        }
        Access::Staff(roles) => {
            let account = match current_account(&st, req.headers()).await {
                Ok(a) => a,
                Err(e) => return e.into_response(),
            };
            match account {
                None if spec.kind == Kind::Page && req.method() == Method::GET => {
                    let next = req
                        .uri()
                        .path_and_query()
                        .map(|p| p.as_str())
                        .unwrap_or("/");
                    return Redirect::to(&format!("/login?next={}", pages::percent(next, true)))
                        .into_response();
                }
                None => return ApiError::new(ErrorCode::NotLoggedIn).json().into_response(),
                Some(a) if !roles.contains(&a.role) => {
                    let e = ApiError::new(ErrorCode::Forbidden);
                    return if spec.kind == Kind::Page { e } else { e.json() }.into_response();
                }
                Some(a) => {
                    req.extensions_mut().insert(a);
                }
            }
        }
    }
    next.run(req).await
}

/// Websockets from browsers must come from this server's own pages (or a
/// configured origin); counter PCs send no Origin.
fn origin_ok(cfg: &Config, headers: &HeaderMap, access: Access) -> bool {
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match origin {
        None => access == Access::Counter,
        Some(o) => {
            cfg.allowed_origins.iter().any(|a| a == o)
                || host.is_some_and(|h| o == format!("http://{h}") || o == format!("https://{h}"))
        }
    }
}

async fn current_account(st: &AppState, headers: &HeaderMap) -> Result<Option<Account>, ApiError> {
    let Some(token) = login_token(headers) else {
        return Ok(None);
    };
    let hash = auth::token_hash(token);
    store(st, move |s| s.login(&hash)).await
}

async fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound)
}

/// A store operation for a handler: failures are counted and logged, and
/// the user sees the internal-error page.
pub(crate) async fn store<T: Send + 'static>(
    st: &AppState,
    op: impl FnOnce(&Store) -> Result<T, crate::store::StoreError> + Send + 'static,
) -> Result<T, ApiError> {
    st.store.call(op).await.map_err(|e| {
        Metrics::inc(&st.metrics.store_errors);
        internal(e)
    })
}

/// Blocking work (the knowledge base) for a handler, off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(internal)?
}

/// The login token in the request's cookies.
fn login_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(auth::token_from_cookies)
}

// ---- public

async fn root(State(st): State<AppState>, headers: HeaderMap) -> Result<Redirect, ApiError> {
    Ok(match current_account(&st, &headers).await? {
        Some(a) => Redirect::to(a.role.home()),
        None => Redirect::to("/login"),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NextQuery {
    next: String,
}

async fn login_page(Query(q): Query<NextQuery>) -> Html<String> {
    pages::login(&q.next, None)
}

#[derive(Deserialize)]
struct LoginForm {
    name: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// A hash to verify against when the name is unknown.
fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| auth::hash_password("no such account").unwrap_or_default())
}

/// Only a path on this server is a place to go after logging in.
fn safe_next(next: &str) -> Option<&str> {
    (next.starts_with('/') && !next.starts_with("//") && !next.contains('\\')).then_some(next)
}

async fn login(State(st): State<AppState>, Form(f): Form<LoginForm>) -> Result<Response, ApiError> {
    let name = f.name.trim().to_owned();
    if st.throttle.blocked(&name) {
        tracing::warn!(account = %name, "login refused: too many failures");
        return Ok((
            StatusCode::TOO_MANY_REQUESTS,
            pages::login(
                &f.next,
                Some("ログインに続けて失敗したため、しばらく受け付けません。10分ほどしてからお試しください。"),
            ),
        )
            .into_response());
    }
    let found = {
        let name = name.clone();
        store(&st, move |s| s.account(&name)).await?
    };
    let password = f.password;
    let ok = match found {
        Some((account, hash)) => tokio::task::spawn_blocking(move || {
            auth::verify_password(&password, &hash).then_some(account)
        })
        .await
        .map_err(internal)?,
        None => {
            // Same work for an unknown name, so timing does not tell.
            let _ =
                tokio::task::spawn_blocking(move || auth::verify_password(&password, dummy_hash()))
                    .await;
            None
        }
    };
    let Some(account) = ok else {
        st.throttle.failed(&name);
        tracing::warn!(account = %name, "login failed");
        return Ok((
            StatusCode::UNAUTHORIZED,
            pages::login(&f.next, Some("ユーザー名またはパスワードが違います。")),
        )
            .into_response());
    };
    st.throttle.succeeded(&name);
    let token = auth::new_token();
    let (hash, who, hours) = (
        auth::token_hash(&token),
        account.name.clone(),
        st.config.login_hours,
    );
    store(&st, move |s| s.create_login(&hash, &who, hours)).await?;
    tracing::info!(account = %account.name, role = account.role.as_str(), "login");
    let to = safe_next(&f.next).unwrap_or(account.role.home()).to_owned();
    Ok((
        [(
            header::SET_COOKIE,
            auth::login_cookie(&token, hours, st.config.secure_cookies),
        )],
        Redirect::to(&to),
    )
        .into_response())
}

async fn logout(State(st): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(t) = login_token(&headers) {
        let hash = auth::token_hash(t);
        store(&st, move |s| s.delete_login(&hash)).await?;
    }
    Ok((
        [(
            header::SET_COOKIE,
            auth::logout_cookie(st.config.secure_cookies),
        )],
        Redirect::to("/login"),
    )
        .into_response())
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

async fn asset_css() -> Response {
    asset("text/css; charset=utf-8", include_str!("../assets/app.css"))
}

async fn asset_console_js() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../assets/console.js"),
    )
}

async fn asset_supervisor_js() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../assets/supervisor.js"),
    )
}

async fn asset_editor_js() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../assets/editor.js"),
    )
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn metrics(State(st): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        st.metrics.render(),
    )
        .into_response()
}

// ---- counter PCs

async fn counter_ws(
    State(st): State<AppState>,
    Extension(CounterId(counter)): Extension<CounterId>,
    ws: WebSocketUpgrade,
) -> Response {
    ws.max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .on_upgrade(move |socket| counter_conn(st, counter, socket))
}

async fn counter_conn(st: AppState, counter: Arc<CounterHandle>, socket: WebSocket) {
    let _gauge = Gauge::up(&st.metrics.counters_connected);
    tracing::info!(counter = %counter.id, "counter PC connected");
    let (mut sink, mut stream) = socket.split();
    let mut glossary = st.hub.glossary.subscribe();
    let mut paused = counter.paused.clone();
    let first = [
        json!(GlossaryMsg {
            glossary: glossary.borrow_and_update().to_vec()
        }),
        json!(PauseMsg {
            pause: *paused.borrow_and_update()
        }),
    ];
    for m in first {
        if sink
            .send(Message::Text(m.to_string().into()))
            .await
            .is_err()
        {
            return;
        }
    }
    loop {
        let reply = tokio::select! {
            msg = stream.next() => match msg {
                Some(Ok(Message::Text(t))) => counter_frame(&st, &counter, &t).await,
                Some(Ok(Message::Binary(_))) => {
                    Metrics::inc(&st.metrics.frames_rejected);
                    Some(json!({"error": "binary frames are not accepted: send segments as JSON text"}))
                }
                Some(Ok(_)) => None,
                Some(Err(e)) => {
                    // Oversized frames end here too (tungstenite's limit).
                    let m = e.to_string();
                    if m.contains("too long") || m.contains("too big") {
                        Metrics::inc(&st.metrics.frames_rejected);
                    }
                    tracing::warn!(counter = %counter.id, "counter connection closed: {e}");
                    break;
                }
                None => break,
            },
            r = glossary.changed() => match r {
                Ok(()) => Some(json!(GlossaryMsg { glossary: glossary.borrow_and_update().to_vec() })),
                Err(_) => break,
            },
            r = paused.changed() => match r {
                Ok(()) => Some(json!(PauseMsg { pause: *paused.borrow_and_update() })),
                Err(_) => break,
            },
        };
        if let Some(r) = reply {
            if sink
                .send(Message::Text(r.to_string().into()))
                .await
                .is_err()
            {
                break;
            }
        }
    }
    tracing::info!(counter = %counter.id, "counter PC disconnected");
}

/// One frame from a counter PC → the answer to send back, if any.
async fn counter_frame(
    st: &AppState,
    counter: &CounterHandle,
    text: &str,
) -> Option<serde_json::Value> {
    let received = Instant::now();
    let frame = match serde_json::from_str::<CounterFrame>(text) {
        Ok(f) => f,
        Err(_) => {
            Metrics::inc(&st.metrics.frames_rejected);
            tracing::warn!(counter = %counter.id, bytes = text.len(), "malformed frame from counter PC");
            return Some(
                json!({"error": "malformed frame: expected {counter, seq, speaker, start_ms, end_ms, text}"}),
            );
        }
    };
    match frame {
        CounterFrame::Segment(m) => {
            if m.counter != counter.id {
                Metrics::inc(&st.metrics.frames_rejected);
                return Some(
                    json!({"error": "segment for another counter: this token belongs to a different counter"}),
                );
            }
            let (tx, rx) = oneshot::channel();
            counter.tx.send(Cmd::Segment(m, received, tx)).await.ok()?;
            let seq = rx.await.ok()?;
            Some(json!(Ack { ack: seq }))
        }
        CounterFrame::Partial(p) => {
            if p.counter == counter.id {
                let _ = counter.tx.try_send(Cmd::Partial {
                    speaker: p.partial.speaker,
                    text: p.partial.text,
                });
            }
            None
        }
        CounterFrame::Stats(s) => {
            st.metrics
                .dropped_audio_frames
                .fetch_add(s.dropped_audio_frames, std::sync::atomic::Ordering::Relaxed);
            None
        }
    }
}

// ---- consoles

fn visible_counter(
    st: &AppState,
    account: &Account,
    id: &str,
) -> Result<Arc<CounterHandle>, ApiError> {
    let c = st.hub.counter(id).ok_or_else(|| {
        ApiError::new(ErrorCode::NotFound).detail("その窓口は登録されていません。")
    })?;
    if !auth::may_see_counter(account, &c.id, &c.department) {
        return Err(ApiError::new(ErrorCode::Forbidden).detail("この窓口の担当ではありません。"));
    }
    Ok(c.clone())
}

async fn console_list(
    State(st): State<AppState>,
    Extension(account): Extension<Account>,
) -> Response {
    let mine: Vec<Arc<CounterHandle>> = account
        .counters
        .iter()
        .filter_map(|c| st.hub.counter(c))
        .collect();
    if let [only] = mine.as_slice() {
        return Redirect::to(&format!("/console/{}", only.id)).into_response();
    }
    pages::console_list(&account, &mine).into_response()
}

async fn console_page(
    State(st): State<AppState>,
    Extension(account): Extension<Account>,
    Path(id): Path<String>,
) -> Result<Html<String>, ApiError> {
    let c = visible_counter(&st, &account, &id)?;
    let (who, target) = (account.name.clone(), c.id.clone());
    store(&st, move |s| s.audit(&who, "open_console", &target)).await?;
    Ok(pages::console(&account, &c))
}

async fn console_ws(
    State(st): State<AppState>,
    Extension(account): Extension<Account>,
    Path(id): Path<String>,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let c = visible_counter(&st, &account, &id).map_err(ApiError::json)?;
    Ok(ws
        .max_message_size(MAX_FRAME_BYTES)
        .on_upgrade(move |socket| console_conn(st, account, c, socket)))
}

#[derive(Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
enum ConsoleAction {
    Feedback { id: usize, verdict: String },
    Consult { on: bool },
    Pause { paused: bool },
    End,
}

async fn subscribe(c: &CounterHandle) -> Option<(Vec<Frame>, broadcast::Receiver<Frame>)> {
    let (tx, rx) = oneshot::channel();
    c.tx.send(Cmd::Subscribe(tx)).await.ok()?;
    rx.await.ok()
}

async fn console_conn(st: AppState, account: Account, c: Arc<CounterHandle>, socket: WebSocket) {
    let _gauge = Gauge::up(&st.metrics.consoles_connected);
    let (mut sink, mut stream) = socket.split();
    let Some((backlog, mut rx)) = subscribe(&c).await else {
        return;
    };
    for f in backlog {
        if sink.send(Message::Text((&*f).into())).await.is_err() {
            return;
        }
    }
    loop {
        tokio::select! {
            f = rx.recv() => {
                let frames = match f {
                    Ok(f) => vec![f],
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        // Fell behind: start again from the backlog.
                        let Some((backlog, new_rx)) = subscribe(&c).await else { return };
                        rx = new_rx;
                        let mut v: Vec<Frame> = vec![Arc::from(r#"{"event":"reset"}"#)];
                        v.extend(backlog);
                        v
                    }
                    Err(_) => return,
                };
                for f in frames {
                    if sink.send(Message::Text((&*f).into())).await.is_err() {
                        return;
                    }
                }
            }
            msg = stream.next() => match msg {
                Some(Ok(Message::Text(t))) => {
                    let cmd = match serde_json::from_str::<ConsoleAction>(&t) {
                        Ok(ConsoleAction::Feedback { id, verdict }) if verdict == "helpful" || verdict == "wrong" => {
                            Cmd::Feedback { id, helpful: verdict == "helpful", account: account.name.clone() }
                        }
                        Ok(ConsoleAction::Consult { on }) => Cmd::Consult { on, account: account.name.clone() },
                        Ok(ConsoleAction::Pause { paused }) => Cmd::Pause(paused),
                        Ok(ConsoleAction::End) => Cmd::End { account: account.name.clone() },
                        _ => {
                            Metrics::inc(&st.metrics.frames_rejected);
                            let e = json!({"event": "error", "message": "操作を理解できませんでした。画面を再読み込みしてください。"});
                            if sink.send(Message::Text(e.to_string().into())).await.is_err() {
                                return;
                            }
                            continue;
                        }
                    };
                    if c.tx.send(cmd).await.is_err() {
                        return;
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            }
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ManualQuery {
    document: String,
    version: String,
}

async fn manual_page(
    State(st): State<AppState>,
    Query(q): Query<ManualQuery>,
) -> Result<Html<String>, ApiError> {
    let kb = st.kb.clone();
    let (doc, ver) = (q.document.clone(), q.version.clone());
    let chunks = blocking(move || {
        kb.version_chunks(&doc, &ver).map_err(|_| {
            ApiError::new(ErrorCode::NotFound).detail("その文書または版はありません。")
        })
    })
    .await?;
    Ok(pages::manual(&q.document, &q.version, &chunks))
}

// ---- supervisors

fn supervised(st: &AppState, account: &Account) -> Vec<Arc<CounterHandle>> {
    st.hub
        .counters()
        .into_iter()
        .filter(|c| auth::may_see_counter(account, &c.id, &c.department))
        .collect()
}

async fn supervisor_page(
    State(st): State<AppState>,
    Extension(account): Extension<Account>,
) -> Html<String> {
    pages::supervisor(&account, &supervised(&st, &account))
}

#[derive(Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
enum SupervisorAction {
    Note { counter: String, text: String },
}

async fn supervisor_ws(
    State(st): State<AppState>,
    Extension(account): Extension<Account>,
    ws: WebSocketUpgrade,
) -> Response {
    ws.max_message_size(MAX_FRAME_BYTES)
        .on_upgrade(move |socket| supervisor_conn(st, account, socket))
}

/// Aborts the tasks it holds when dropped (a closed page's forwarders).
struct AbortOnDrop(Vec<tokio::task::JoinHandle<()>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        for t in &self.0 {
            t.abort();
        }
    }
}

/// Forwards one counter's frames, tagged with the counter, into `tx`: the
/// session's backlog, then the live frames (LLM tokens left out); after
/// falling behind, a reset and the backlog again.
async fn forward_counter(c: Arc<CounterHandle>, tx: tokio::sync::mpsc::Sender<String>) {
    let tag = |f: &str| format!(r#"{{"counter":{},"frame":{}}}"#, json!(c.id), f);
    loop {
        let Some((backlog, mut frames)) = subscribe(&c).await else {
            return;
        };
        for f in backlog {
            if tx.send(tag(&f)).await.is_err() {
                return;
            }
        }
        loop {
            match frames.recv().await {
                Ok(f) if f.contains(r#""event":"draft_token""#) => {}
                Ok(f) => {
                    if tx.send(tag(&f)).await.is_err() {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    if tx.send(tag(r#"{"event":"reset"}"#)).await.is_err() {
                        return;
                    }
                    break;
                }
                Err(_) => return,
            }
        }
    }
}

async fn supervisor_conn(st: AppState, account: Account, socket: WebSocket) {
    let _gauge = Gauge::up(&st.metrics.consoles_connected);
    let (mut sink, mut stream) = socket.split();
    let counters = supervised(&st, &account);
    let (tx, mut rx) = tokio::sync::mpsc::channel::<String>(1024);
    let _forwarders = AbortOnDrop(
        counters
            .iter()
            .map(|c| tokio::spawn(forward_counter(c.clone(), tx.clone())))
            .collect(),
    );
    drop(tx);
    loop {
        tokio::select! {
            f = rx.recv() => match f {
                Some(tagged) => {
                    if sink.send(Message::Text(tagged.into())).await.is_err() {
                        return;
                    }
                }
                None => return,
            },
            msg = stream.next() => match msg {
                Some(Ok(Message::Text(t))) => match serde_json::from_str::<SupervisorAction>(&t) {
                    Ok(SupervisorAction::Note { counter, text }) if !text.trim().is_empty() && text.chars().count() <= 500 => {
                        if let Some(c) = counters.iter().find(|c| c.id == counter) {
                            let _ = c.tx.send(Cmd::Note { text, from: account.name.clone() }).await;
                        }
                    }
                    _ => {
                        Metrics::inc(&st.metrics.frames_rejected);
                        let e = json!({"frame": {"event": "error", "message": "メモは1〜500文字で、担当の窓口あてに送ってください。"}});
                        if sink.send(Message::Text(e.to_string().into())).await.is_err() {
                            return;
                        }
                    }
                },
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            }
        }
    }
}

fn departments(account: &Account) -> Vec<String> {
    if account.department.is_empty() {
        Vec::new()
    } else {
        vec![account.department.clone()]
    }
}

async fn review_list(
    State(st): State<AppState>,
    Extension(account): Extension<Account>,
    Query(mut f): Query<ReviewFilter>,
) -> Result<Html<String>, ApiError> {
    f.departments = departments(&account);
    let f2 = f.clone();
    let rows = store(&st, move |s| s.summaries(&f2)).await?;
    Ok(pages::review_list(&account, &f, &rows))
}

async fn review_one(
    State(st): State<AppState>,
    Extension(account): Extension<Account>,
    Path(id): Path<i64>,
) -> Result<Html<String>, ApiError> {
    let row = store(&st, move |s| s.summary(id)).await?.ok_or_else(|| {
        ApiError::new(ErrorCode::NotFound)
            .detail("その記録はありません（保存期間を過ぎて削除された可能性があります）。")
    })?;
    let depts = departments(&account);
    if !depts.is_empty() && !depts.contains(&row.department) {
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    let (who, target, session) = (
        account.name.clone(),
        format!("summary:{id}"),
        row.session.clone(),
    );
    let target2 = target.clone();
    let (feedback, trail) = store(&st, move |s| {
        s.audit(&who, "view_session", &target)?;
        Ok((s.feedback_for(&session)?, s.audit_trail(&target2)?))
    })
    .await?;
    Ok(pages::review_one(&account, &row, &feedback, &trail))
}

async fn quality_page(
    State(st): State<AppState>,
    Extension(account): Extension<Account>,
) -> Result<Html<String>, ApiError> {
    let (gaps, wrong) = store(&st, |s| Ok((s.gaps()?, s.wrong_drafts()?))).await?;
    Ok(pages::quality(&account, &gaps, &wrong))
}

// ---- editors and admins

/// The admin page, with an optional notice on top.
async fn admin_view(
    st: &AppState,
    account: &Account,
    notice: Option<&str>,
) -> Result<Html<String>, ApiError> {
    let default_days = st.config.retention_days;
    let (accounts, days) = store(st, move |s| {
        Ok((s.accounts()?, s.retention_days(default_days)?))
    })
    .await?;
    Ok(pages::admin(
        account,
        &accounts,
        &st.hub.counters(),
        days,
        notice,
    ))
}

async fn admin_page(
    State(st): State<AppState>,
    Extension(account): Extension<Account>,
) -> Result<Html<String>, ApiError> {
    admin_view(&st, &account, None).await
}

#[derive(Deserialize)]
struct CounterForm {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    department: String,
}

/// Adds a counter; its token is shown once, to be set on the counter PC.
async fn admin_counter(
    State(st): State<AppState>,
    Extension(admin): Extension<Account>,
    Form(f): Form<CounterForm>,
) -> Result<Html<String>, ApiError> {
    let id = f.id.trim().to_owned();
    if !crate::config::valid_id(&id) {
        return Err(ApiError::new(ErrorCode::BadRequest)
            .detail("窓口IDは半角英数字・-・_ の1〜32文字にしてください。"));
    }
    if st.hub.counter(&id).is_some() {
        return Err(ApiError::new(ErrorCode::BadRequest).detail("その窓口IDはもう使われています。"));
    }
    let token = auth::new_token();
    let spec = crate::hub::CounterSpec {
        id: id.clone(),
        name: f.name.trim().to_owned(),
        department: f.department.trim().to_owned(),
        token_hash: auth::token_hash(&token),
    };
    let (who, stored) = (admin.name.clone(), spec.clone());
    store(&st, move |s| {
        s.add_counter(&stored)?;
        s.audit(&who, "add_counter", &stored.id)
    })
    .await?;
    st.hub
        .add(spec)
        .map_err(|e| ApiError::new(ErrorCode::BadRequest).detail(e))?;
    tracing::info!(counter = %id, "counter added on the admin page");
    admin_view(
        &st,
        &admin,
        Some(&format!(
            "窓口 {id} を登録しました。窓口端末の MADOGUCHI_COUNTER_TOKEN に次のトークンを設定してください（この画面でしか表示されません）: {token}"
        )),
    )
    .await
}

#[derive(Deserialize)]
struct RetentionForm {
    days: String,
}

async fn admin_retention(
    State(st): State<AppState>,
    Extension(admin): Extension<Account>,
    Form(f): Form<RetentionForm>,
) -> Result<Html<String>, ApiError> {
    let days: u32 = f
        .days
        .trim()
        .parse()
        .ok()
        .filter(|d| (1..=3650).contains(d))
        .ok_or_else(|| {
            ApiError::new(ErrorCode::BadRequest)
                .detail("保存期間は1〜3650日の数字で入力してください。")
        })?;
    let who = admin.name.clone();
    store(&st, move |s| {
        s.set_retention_days(days)?;
        s.audit(&who, "set_retention", &days.to_string())
    })
    .await?;
    admin_view(
        &st,
        &admin,
        Some(&format!("保存期間を {days} 日にしました。")),
    )
    .await
}

#[derive(Deserialize)]
struct AccountForm {
    name: String,
    role: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    counters: String,
    #[serde(default)]
    password: String,
}

async fn admin_account(
    State(st): State<AppState>,
    Extension(admin): Extension<Account>,
    Form(f): Form<AccountForm>,
) -> Result<Response, ApiError> {
    let bad = |m: &str| ApiError::new(ErrorCode::BadRequest).detail(m.to_owned());
    let name = f.name.trim().to_owned();
    if !crate::config::valid_id(&name) {
        return Err(bad(
            "ユーザー名は半角英数字・-・_ の1〜32文字にしてください。",
        ));
    }
    let role = Role::parse(&f.role).ok_or_else(|| bad("役割を選んでください。"))?;
    let counters: Vec<String> = f
        .counters
        .split([',', ' ', '、'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if let Some(c) = counters.iter().find(|c| st.hub.counter(c).is_none()) {
        return Err(bad(&format!("窓口 {c} は登録されていません。")));
    }
    let exists = {
        let n = name.clone();
        store(&st, move |s| s.account(&n)).await?.is_some()
    };
    let hash = if f.password.is_empty() {
        if !exists {
            return Err(bad("新しいアカウントにはパスワードが必要です。"));
        }
        None
    } else if f.password.chars().count() < 8 {
        return Err(bad("パスワードは8文字以上にしてください。"));
    } else {
        let p = f.password.clone();
        Some(
            tokio::task::spawn_blocking(move || auth::hash_password(&p))
                .await
                .map_err(internal)?
                .map_err(internal)?,
        )
    };
    let account = Account {
        name: name.clone(),
        role,
        department: f.department.trim().to_owned(),
        counters,
    };
    let who = admin.name.clone();
    store(&st, move |s| {
        s.put_account(&account, hash.as_deref())?;
        s.audit(&who, "put_account", &account.name)
    })
    .await?;
    Ok(Redirect::to("/admin").into_response())
}

async fn admin_purge(
    State(st): State<AppState>,
    Extension(admin): Extension<Account>,
) -> Result<Html<String>, ApiError> {
    let default_days = st.config.retention_days;
    let who = admin.name.clone();
    let (n, days) = store(&st, move |s| {
        let days = s.retention_days(default_days)?;
        let n = s.purge(days)?;
        s.audit(&who, "purge", &format!("{n} records"))?;
        Ok((n, days))
    })
    .await?;
    admin_view(
        &st,
        &admin,
        Some(&format!(
            "保存期間（{days}日）を過ぎた記録 {n} 件を削除しました。"
        )),
    )
    .await
}
