//! Sending final segments to the server over a websocket, without losing
//! any while the server is away.
//!
//! Protocol: the client sends each segment as one JSON text frame
//! `{counter, seq, speaker, start_ms, end_ms, text}`; the server answers
//! `{"ack": seq}` once it has stored it. Unacknowledged segments wait in a
//! bounded in-memory queue and are sent again, in order, after reconnecting
//! (with backoff). The server ignores a `seq` it has seen, so a resend never
//! duplicates. Only text frames are ever sent: no audio leaves. The server
//! may send `{"glossary": [terms]}` at any time; the recognizer's prompt
//! follows it.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};

use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::pipeline::Segment;

pub use madoguchi_wire::{Ack, GlossaryMsg, PartialMsg, PauseMsg, SegmentMsg, StatsMsg};

/// Sender settings.
#[derive(Debug, Clone)]
pub struct SendConfig {
    /// `ws://host:port/path` of the server's counter endpoint.
    pub url: String,
    pub counter: String,
    /// The counter's token, sent as `Authorization: Bearer <token>`.
    pub token: String,
    /// Segments held while the server is away; beyond this the oldest are
    /// dropped and counted.
    pub buffer: usize,
    pub backoff_min: Duration,
    pub backoff_max: Duration,
}

impl SendConfig {
    pub fn new(url: &str, counter: &str, token: &str) -> Self {
        SendConfig {
            url: url.into(),
            counter: counter.into(),
            token: token.into(),
            buffer: 10_000,
            backoff_min: Duration::from_millis(100),
            backoff_max: Duration::from_secs(5),
        }
    }
}

/// Counters the sender keeps (for logs and metrics).
#[derive(Debug, Default)]
pub struct SendStats {
    pub sent: AtomicU64,
    pub acked: AtomicU64,
    pub dropped: AtomicU64,
    pub reconnects: AtomicU64,
    /// Dropped audio frames the server has not heard of yet.
    pub dropped_audio_unreported: AtomicU64,
}

/// The newest glossary from the server, not yet taken by the recognizer.
pub type GlossarySlot = Arc<std::sync::Mutex<Option<Vec<String>>>>;

/// The handle the recognizer pushes segments into.
pub struct SegmentSender {
    tx: mpsc::Sender<Segment>,
    ptx: mpsc::Sender<Segment>,
    pub stats: Arc<SendStats>,
    /// Filled when the server sends a glossary.
    pub glossary: GlossarySlot,
    /// Set while the clerk has paused this counter (the server says
    /// `{"pause": true}`): nothing is recognized or sent.
    pub paused: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl SegmentSender {
    /// Starts the sending task on the current tokio runtime.
    pub fn start(cfg: SendConfig) -> Self {
        let (tx, rx) = mpsc::channel(256);
        let (ptx, prx) = mpsc::channel(4);
        let stats = Arc::new(SendStats::default());
        let glossary = GlossarySlot::default();
        let paused = Arc::new(AtomicBool::new(false));
        let shared = Shared {
            stats: stats.clone(),
            glossary: glossary.clone(),
            paused: paused.clone(),
        };
        let task = tokio::spawn(run(cfg, rx, prx, shared));
        SegmentSender {
            tx,
            ptx,
            stats,
            glossary,
            paused,
            task,
        }
    }

    /// Whether the clerk has paused this counter.
    pub fn is_paused(&self) -> bool {
        self.paused.load(Ordering::Relaxed)
    }

    /// Counts audio frames dropped because recognition fell behind; the
    /// server hears of them (for /metrics) at the next report.
    pub fn add_dropped_audio(&self, frames: u64) {
        self.stats
            .dropped_audio_unreported
            .fetch_add(frames, Ordering::Relaxed);
    }

    /// Sends partial text if the server is connected and the sender keeps
    /// up; otherwise it is dropped (the final segment follows anyway).
    pub fn send_partial(&self, seg: Segment) {
        let _ = self.ptx.try_send(seg);
    }

    /// Queues a segment from a thread outside the runtime (the recognizer's).
    /// Returns false once the sender has stopped.
    pub fn send_blocking(&self, seg: Segment) -> bool {
        self.tx.blocking_send(seg).is_ok()
    }

    /// Queues a segment. Waits only if the hand-over channel is full.
    pub async fn send(&self, seg: Segment) {
        let _ = self.tx.send(seg).await;
    }

    /// Stops taking segments and waits (at most `timeout`) until every queued
    /// segment is acknowledged. Returns true when all were.
    pub async fn finish(self, timeout: Duration) -> bool {
        drop(self.tx);
        let mut task = self.task;
        match tokio::time::timeout(timeout, &mut task).await {
            Ok(_) => true,
            Err(_) => {
                task.abort();
                false
            }
        }
    }
}

/// `seq` numbers start at the current time in microseconds, so they keep
/// increasing across restarts of the capture process.
fn first_seq() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_micros() as u64)
}

/// What the sending task shares with the recognizer.
struct Shared {
    stats: Arc<SendStats>,
    glossary: GlossarySlot,
    paused: Arc<AtomicBool>,
}

async fn run(
    cfg: SendConfig,
    mut rx: mpsc::Receiver<Segment>,
    mut prx: mpsc::Receiver<Segment>,
    shared: Shared,
) {
    let Shared {
        stats,
        glossary,
        paused,
    } = shared;
    let mut report = tokio::time::interval(Duration::from_secs(5));
    let mut pending: VecDeque<SegmentMsg> = VecDeque::new();
    let mut next_seq = first_seq();
    let mut input_open = true;
    let mut partials_open = true;
    let mut backoff = cfg.backoff_min;
    let mut enqueue = |seg: Segment, pending: &mut VecDeque<SegmentMsg>| {
        if pending.len() >= cfg.buffer {
            pending.pop_front();
            let n = stats.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            tracing::warn!(dropped = n, "segment buffer full: oldest segment dropped");
        }
        pending.push_back(SegmentMsg {
            counter: cfg.counter.clone(),
            seq: next_seq,
            speaker: seg.speaker,
            start_ms: seg.start_ms,
            end_ms: seg.end_ms,
            text: seg.text,
        });
        next_seq += 1;
    };
    loop {
        if !input_open && pending.is_empty() {
            return;
        }
        // Connect.
        let mut req = match cfg.url.as_str().into_client_request() {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(url = %cfg.url, "invalid server URL: {e}");
                return;
            }
        };
        if let Ok(v) = format!("Bearer {}", cfg.token).parse() {
            req.headers_mut().insert("authorization", v);
        }
        let ws = match tokio_tungstenite::connect_async(req).await {
            Ok((ws, _)) => ws,
            Err(e) => {
                tracing::warn!(url = %cfg.url, backoff_ms = backoff.as_millis() as u64, "server unreachable: {e}");
                // Keep taking segments while waiting.
                let wait = tokio::time::sleep(backoff);
                tokio::pin!(wait);
                loop {
                    tokio::select! {
                        _ = &mut wait => break,
                        seg = rx.recv(), if input_open => match seg {
                            Some(s) => enqueue(s, &mut pending),
                            None => input_open = false,
                        },
                        // No server: partial text has nowhere to go.
                        p = prx.recv(), if partials_open => partials_open = p.is_some(),
                    }
                }
                backoff = (backoff * 2).min(cfg.backoff_max);
                stats.reconnects.fetch_add(1, Ordering::Relaxed);
                continue;
            }
        };
        backoff = cfg.backoff_min;
        let (mut sink, mut stream) = ws.split();
        // Everything not yet acknowledged goes (again), in order.
        let mut sent_upto = 0u64;
        let mut ok = true;
        for m in &pending {
            if send_msg(&mut sink, m).await.is_err() {
                ok = false;
                break;
            }
            stats.sent.fetch_add(1, Ordering::Relaxed);
            sent_upto = m.seq;
        }
        while ok {
            if !input_open && pending.is_empty() {
                let _ = sink.close().await;
                return;
            }
            tokio::select! {
                seg = rx.recv(), if input_open => match seg {
                    Some(s) => {
                        enqueue(s, &mut pending);
                        if let Some(m) = pending.back() {
                            if m.seq > sent_upto {
                                if send_msg(&mut sink, m).await.is_err() {
                                    ok = false;
                                } else {
                                    stats.sent.fetch_add(1, Ordering::Relaxed);
                                    sent_upto = m.seq;
                                }
                            }
                        }
                    }
                    None => input_open = false,
                },
                p = prx.recv(), if partials_open => match p {
                    Some(p) => {
                        let msg = PartialMsg { counter: cfg.counter.clone(), partial: p };
                        if let Ok(json) = serde_json::to_string(&msg) {
                            if sink.send(Message::Text(json.into())).await.is_err() {
                                ok = false;
                            }
                        }
                    }
                    None => partials_open = false,
                },
                _ = report.tick() => {
                            let n = stats.dropped_audio_unreported.swap(0, Ordering::Relaxed);
                            if n > 0 {
                                let m = StatsMsg { counter: cfg.counter.clone(), dropped_audio_frames: n };
                                let json = serde_json::to_string(&m).unwrap_or_default();
                                if sink.send(Message::Text(json.into())).await.is_err() {
                                    stats.dropped_audio_unreported.fetch_add(n, Ordering::Relaxed);
                                    ok = false;
                                }
                            }
                },
                msg = stream.next() => match msg {
                    Some(Ok(Message::Text(t))) => {
                        if let Ok(a) = serde_json::from_str::<Ack>(&t) {
                            while pending.front().is_some_and(|m| m.seq <= a.ack) {
                                pending.pop_front();
                                stats.acked.fetch_add(1, Ordering::Relaxed);
                            }
                        } else if let Ok(g) = serde_json::from_str::<GlossaryMsg>(&t) {
                            tracing::info!(terms = g.glossary.len(), "glossary from the server");
                            *glossary.lock().unwrap_or_else(|e| e.into_inner()) = Some(g.glossary);
                        } else if let Ok(p) = serde_json::from_str::<PauseMsg>(&t) {
                            if p.pause != paused.swap(p.pause, Ordering::Relaxed) {
                                tracing::info!(paused = p.pause, "the clerk paused or resumed this counter");
                            }
                        } else {
                            tracing::warn!(bytes = t.len(), "unknown message from the server ignored");
                        }
                    }
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => ok = false,
                    Some(Ok(_)) => {}
                },
            }
        }
        tracing::warn!(
            pending = pending.len(),
            "connection to the server lost; reconnecting"
        );
        stats.reconnects.fetch_add(1, Ordering::Relaxed);
    }
}

async fn send_msg<S>(sink: &mut S, m: &SegmentMsg) -> Result<(), ()>
where
    S: futures_util::Sink<Message> + Unpin,
{
    let json = serde_json::to_string(m).map_err(|_| ())?;
    sink.send(Message::Text(json.into())).await.map_err(|_| ())
}

/// A minimal receiver speaking the protocol, for tests and for trying a
/// counter PC before the console server exists: checks the token, stores
/// each new `seq` once, acknowledges.
pub mod reference {
    use std::collections::BTreeSet;
    use std::sync::{Arc, Mutex};

    use futures_util::{SinkExt, StreamExt};
    use tokio::net::TcpListener;
    use tokio::task::JoinSet;
    use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
    use tokio_tungstenite::tungstenite::Message;

    use super::{Ack, GlossaryMsg, SegmentMsg};

    /// What the reference server saw, across restarts.
    #[derive(Default)]
    pub struct Seen {
        /// Stored segments, deduplicated by seq, in arrival order.
        pub stored: Vec<SegmentMsg>,
        pub seqs: BTreeSet<u64>,
        pub text_frames: usize,
        pub other_frames: usize,
        /// Text frames that were not a segment (nor partial text).
        pub bad_frames: usize,
        /// Partial-text frames.
        pub partials: Vec<super::PartialMsg>,
        pub rejected: usize,
        /// Sent to each client on connecting, when set.
        pub glossary: Option<Vec<String>>,
    }

    /// Serves until dropped: checks the token, stores new seqs, acknowledges.
    pub async fn serve(listener: TcpListener, seen: Arc<Mutex<Seen>>, token: &'static str) {
        let mut conns = JoinSet::new();
        while let Ok((stream, _)) = listener.accept().await {
            let seen = seen.clone();
            conns.spawn(async move {
                // The signature is tungstenite's handshake callback's.
                #[allow(clippy::result_large_err)]
                let check = |req: &Request, resp: Response| -> Result<Response, ErrorResponse> {
                    let ok = req
                        .headers()
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        == Some(&format!("Bearer {token}"));
                    if ok {
                        Ok(resp)
                    } else {
                        let mut e = ErrorResponse::new(Some("wrong token".into()));
                        *e.status_mut() =
                            tokio_tungstenite::tungstenite::http::StatusCode::UNAUTHORIZED;
                        Err(e)
                    }
                };
                let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(stream, check).await else {
                    seen.lock().unwrap_or_else(|e| e.into_inner()).rejected += 1;
                    return;
                };
                let glossary = seen
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .glossary
                    .clone();
                if let Some(glossary) = glossary {
                    let msg = serde_json::to_string(&GlossaryMsg { glossary }).unwrap();
                    if ws.send(Message::Text(msg.into())).await.is_err() {
                        return;
                    }
                }
                while let Some(Ok(msg)) = ws.next().await {
                    let seq = match msg {
                        Message::Text(t) => {
                            let mut s = seen.lock().unwrap_or_else(|e| e.into_inner());
                            s.text_frames += 1;
                            let Ok(m) = serde_json::from_str::<SegmentMsg>(&t) else {
                                match serde_json::from_str::<super::PartialMsg>(&t) {
                                    Ok(p) => s.partials.push(p),
                                    Err(_) => s.bad_frames += 1,
                                }
                                continue;
                            };
                            if s.seqs.insert(m.seq) {
                                s.stored.push(m.clone());
                            }
                            m.seq
                        }
                        Message::Close(_) => break,
                        _ => {
                            seen.lock().unwrap_or_else(|e| e.into_inner()).other_frames += 1;
                            continue;
                        }
                    };
                    let ack = serde_json::to_string(&Ack { ack: seq }).unwrap();
                    if ws.send(Message::Text(ack.into())).await.is_err() {
                        break;
                    }
                }
            });
        }
    }
}
