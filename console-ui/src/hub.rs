//! The websocket hub: one task per counter drives that counter's agent
//! session and fans its masked events out to the consoles.
//!
//! Each counter task owns its [`Session`] (and so the only label → value
//! map) and is driven by a closed enum of commands over a bounded channel.
//! Frames for consoles are JSON built from masked types only. Overload
//! policy: a console that falls behind the broadcast channel is sent the
//! session's backlog again (it resynchronises; nothing is lost to it); a
//! counter PC whose command channel is full waits (its unacknowledged
//! segments stay buffered on the counter PC).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use madoguchi_agent::llm::LlmConfig;
use madoguchi_agent::mask::MaskedText;
use madoguchi_agent::session::{Agent, Event, Segment, Session};
use madoguchi_wire::{SegmentMsg, Speaker};
use serde_json::json;
use tokio::sync::{broadcast, mpsc, oneshot, watch};

use crate::metrics::Metrics;
use crate::store::Store;

/// A frame for consoles, already JSON.
pub type Frame = Arc<str>;

/// Frames of a live session kept for consoles that connect later.
const BACKLOG: usize = 4000;

/// What a counter's task can be asked to do.
pub enum Cmd {
    /// A final segment; answered with the seq to acknowledge once processed.
    Segment(SegmentMsg, Instant, oneshot::Sender<u64>),
    Partial {
        speaker: Speaker,
        text: String,
    },
    /// A console (or supervisor) joins: the backlog and the live stream.
    Subscribe(oneshot::Sender<(Vec<Frame>, broadcast::Receiver<Frame>)>),
    Feedback {
        id: usize,
        helpful: bool,
        account: String,
    },
    Consult {
        on: bool,
        account: String,
    },
    Pause(bool),
    /// 終了: store the summary.
    End {
        account: String,
    },
    /// A supervisor's note (unmasked as typed; masked here).
    Note {
        text: String,
        from: String,
    },
    /// What the LLM said about a question of this counter's session (the
    /// key) — tokens, the finished draft, or its failure — from the task
    /// that asked it.
    Llm(String, Event),
    /// The server is stopping: store what is live.
    Shutdown(oneshot::Sender<()>),
}

/// Optional LLM drafting: the client and where to reach the model.
#[derive(Clone)]
pub struct Llm {
    pub client: reqwest::Client,
    pub config: LlmConfig,
}

/// One counter as the rest of the server sees it.
pub struct CounterHandle {
    pub id: String,
    pub name: String,
    pub department: String,
    /// SHA-256 of the counter PC's bearer token.
    pub token_hash: String,
    pub tx: mpsc::Sender<Cmd>,
    /// `true` while a clerk has paused capture; the counter PC follows it.
    pub paused: watch::Receiver<bool>,
}

/// What every counter task is started with.
#[derive(Clone)]
pub struct Shared {
    pub agent: Agent,
    pub store: Arc<Store>,
    pub metrics: Arc<Metrics>,
    pub idle: Duration,
    pub llm: Option<Llm>,
}

pub struct Hub {
    counters: std::sync::RwLock<HashMap<String, Arc<CounterHandle>>>,
    shared: Shared,
    /// The glossary for the counters' whisper prompts.
    pub glossary: watch::Sender<Arc<Vec<String>>>,
}

#[derive(Debug, Clone)]
pub struct CounterSpec {
    pub id: String,
    pub name: String,
    pub department: String,
    /// SHA-256 of the token (see [`crate::auth::token_hash`]).
    pub token_hash: String,
}

impl Hub {
    pub fn start(specs: Vec<CounterSpec>, shared: Shared, glossary: Vec<String>) -> Hub {
        let hub = Hub {
            counters: Default::default(),
            shared,
            glossary: watch::channel(Arc::new(glossary)).0,
        };
        for s in specs {
            if let Err(e) = hub.add(s) {
                tracing::warn!("{e}");
            }
        }
        hub
    }

    /// Starts a counter's task; an id already in use is refused.
    pub fn add(&self, s: CounterSpec) -> Result<Arc<CounterHandle>, String> {
        let mut counters = self.counters.write().unwrap_or_else(|e| e.into_inner());
        if counters.contains_key(&s.id) {
            return Err(format!("counter {:?} exists already", s.id));
        }
        let (tx, rx) = mpsc::channel(256);
        let (pause_tx, paused) = watch::channel(false);
        let (frames, _) = broadcast::channel(1024);
        let sh = &self.shared;
        let task = CounterTask {
            id: Arc::from(s.id.as_str()),
            me: tx.downgrade(),
            llm: sh.llm.clone(),
            department: s.department.clone(),
            agent: sh.agent.clone(),
            store: sh.store.clone(),
            metrics: sh.metrics.clone(),
            frames,
            pause: pause_tx,
            live: None,
            last_seq: 0,
            consult: false,
            idle: sh.idle,
        };
        tokio::spawn(task.run(rx));
        let h = Arc::new(CounterHandle {
            id: s.id.clone(),
            name: s.name,
            department: s.department,
            token_hash: s.token_hash,
            tx,
            paused,
        });
        counters.insert(s.id, h.clone());
        Ok(h)
    }

    pub fn counter(&self, id: &str) -> Option<Arc<CounterHandle>> {
        self.counters
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned()
    }

    /// Every counter, by id.
    pub fn counters(&self) -> Vec<Arc<CounterHandle>> {
        let mut v: Vec<_> = self
            .counters
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    }

    /// The counter a bearer token belongs to.
    pub fn by_token(&self, token: &str) -> Option<Arc<CounterHandle>> {
        let hash = crate::auth::token_hash(token);
        self.counters
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .find(|c| crate::auth::same_secret(&c.token_hash, &hash))
            .cloned()
    }

    /// Stores every live session's summary (a graceful stop).
    pub async fn shutdown(&self) {
        for c in self.counters() {
            let (tx, rx) = oneshot::channel();
            if c.tx.send(Cmd::Shutdown(tx)).await.is_ok() {
                let _ = rx.await;
            }
        }
    }
}

struct Live {
    key: String,
    started: i64,
    session: Session,
    backlog: Vec<Frame>,
    last_activity: Instant,
}

struct CounterTask {
    id: Arc<str>,
    /// This task's own channel, for the LLM tasks it starts (weak, so the
    /// task still ends when the hub goes).
    me: mpsc::WeakSender<Cmd>,
    llm: Option<Llm>,
    department: String,
    agent: Agent,
    store: Arc<Store>,
    metrics: Arc<Metrics>,
    frames: broadcast::Sender<Frame>,
    pause: watch::Sender<bool>,
    live: Option<Live>,
    last_seq: u64,
    consult: bool,
    idle: Duration,
}

fn frame(v: serde_json::Value) -> Frame {
    Arc::from(v.to_string())
}

fn event_frame(e: &Event) -> Frame {
    Arc::from(serde_json::to_string(e).unwrap_or_default())
}

impl CounterTask {
    async fn run(mut self, mut rx: mpsc::Receiver<Cmd>) {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                cmd = rx.recv() => match cmd {
                    Some(cmd) => self.handle(cmd).await,
                    None => {
                        self.end("server").await;
                        return;
                    }
                },
                _ = tick.tick() => {
                    if self.live.as_ref().is_some_and(|l| l.last_activity.elapsed() >= self.idle) {
                        tracing::info!(counter = %self.id, "session idle: ending it");
                        self.end("idle").await;
                    }
                }
            }
        }
    }

    /// Sends a frame to this counter's consoles and supervisors; keeps it
    /// for late joiners when `keep`.
    fn publish(&mut self, f: Frame, keep: bool) {
        if keep {
            if let Some(live) = self.live.as_mut() {
                if live.backlog.len() >= BACKLOG {
                    live.backlog.drain(..BACKLOG / 4);
                }
                live.backlog.push(f.clone());
            }
        }
        let _ = self.frames.send(f);
    }

    fn state_frame(&self) -> Frame {
        frame(json!({
            "event": "state",
            "counter": &*self.id,
            "live": self.live.is_some(),
            "session": self.live.as_ref().map(|l| l.key.clone()),
            "paused": *self.pause.borrow(),
            "consult": self.consult,
        }))
    }

    fn new_live(&self) -> Live {
        let started = chrono::Utc::now();
        let key = format!("{}-{}", self.id, started.format("%Y%m%d%H%M%S%3f"));
        tracing::info!(counter = %self.id, session = %key, "session started");
        Live {
            key,
            started: started.timestamp(),
            session: self.agent.session(&self.id),
            backlog: Vec::new(),
            last_activity: Instant::now(),
        }
    }

    async fn handle(&mut self, cmd: Cmd) {
        match cmd {
            Cmd::Segment(m, received, ack) => {
                if m.seq <= self.last_seq {
                    Metrics::inc(&self.metrics.segments_duplicate);
                    let _ = ack.send(m.seq);
                    return;
                }
                if *self.pause.borrow() {
                    // Paused: the clerk asked for nothing to be heard.
                    self.last_seq = m.seq;
                    let _ = ack.send(m.seq);
                    return;
                }
                Metrics::inc(&self.metrics.segments_in);
                let was_live = self.live.is_some();
                let mut live = match self.live.take() {
                    Some(l) => l,
                    None => self.new_live(),
                };
                live.last_activity = Instant::now();
                let seg = Segment {
                    seq: m.seq,
                    speaker: m.speaker,
                    start_ms: m.start_ms,
                    end_ms: m.end_ms,
                    text: m.text,
                };
                let (live, events) = match tokio::task::spawn_blocking(move || {
                    let r = live.session.push(seg);
                    (live, r)
                })
                .await
                {
                    Ok(x) => x,
                    Err(_) => {
                        tracing::error!(counter = %self.id, "agent task failed; session lost");
                        return;
                    }
                };
                self.live = Some(live);
                if !was_live {
                    let f = self.state_frame();
                    self.publish(f, false);
                }
                match events {
                    Ok(events) => {
                        for e in &events {
                            if let Event::Draft { id, draft } = e {
                                Metrics::inc(&self.metrics.drafts_out);
                                if draft.answered {
                                    self.ask_llm(*id);
                                }
                            }
                            self.publish(event_frame(e), true);
                        }
                    }
                    Err(e) => {
                        tracing::error!(counter = %self.id, "knowledge base error while drafting: {e}");
                        self.publish(
                            frame(json!({"event": "error", "message": "マニュアルの検索に失敗しました。管理者に連絡してください。"})),
                            false,
                        );
                    }
                }
                self.last_seq = m.seq;
                self.metrics.segment_to_console.observe(received.elapsed());
                let _ = ack.send(m.seq);
            }
            Cmd::Partial { speaker, text } => {
                if *self.pause.borrow() || self.live.is_none() {
                    return;
                }
                Metrics::inc(&self.metrics.partials_in);
                let Some(live) = self.live.as_mut() else {
                    return;
                };
                let masked = live.session.mask(&text);
                self.publish(
                    frame(json!({"event": "partial", "speaker": speaker, "text": masked})),
                    false,
                );
            }
            Cmd::Subscribe(reply) => {
                let mut backlog = vec![self.state_frame()];
                if let Some(l) = &self.live {
                    backlog.extend(l.backlog.iter().cloned());
                }
                let _ = reply.send((backlog, self.frames.subscribe()));
            }
            Cmd::Feedback {
                id,
                helpful,
                account,
            } => {
                let Some(live) = &self.live else { return };
                let Some((q, d)) = live.session.question(id) else {
                    return;
                };
                let (q, d, key) = (q.clone(), d.draft.clone(), live.key.clone());
                let counter = self.id.to_string();
                let verdict = if helpful { "helpful" } else { "wrong" };
                self.store_op(move |s| s.add_feedback(&key, &counter, &q, &d, verdict, &account))
                    .await;
                self.publish(
                    frame(json!({"event": "feedback", "id": id, "verdict": verdict})),
                    true,
                );
            }
            Cmd::Consult { on, account } => {
                self.consult = on;
                let target = self.id.to_string();
                self.store_op(move |s| {
                    s.audit(
                        &account,
                        if on { "consult" } else { "consult_off" },
                        &target,
                    )
                })
                .await;
                let f = self.state_frame();
                self.publish(f, false);
            }
            Cmd::Pause(p) => {
                let _ = self.pause.send(p);
                let f = self.state_frame();
                self.publish(f, false);
            }
            Cmd::End { account } => self.end(&account).await,
            Cmd::Note { text, from } => {
                let masked: MaskedText = match self.live.as_mut() {
                    Some(l) => l.session.mask(&text),
                    None => self.agent.mask_alone(&text),
                };
                self.publish(
                    frame(json!({"event": "note", "from": from, "text": masked})),
                    true,
                );
            }
            Cmd::Shutdown(done) => {
                self.end("server").await;
                let _ = done.send(());
            }
            Cmd::Llm(key, e) => {
                if self.live.as_ref().is_none_or(|l| l.key != key) {
                    return; // that session ended meanwhile
                }
                if matches!(e, Event::LlmFailed { .. }) {
                    Metrics::inc(&self.metrics.llm_failures);
                }
                let keep = !matches!(e, Event::DraftToken { .. });
                self.publish(event_frame(&e), keep);
            }
        }
    }

    /// Starts the LLM on question `id` of the live session, off this task:
    /// only the masked question and its cited sections go out; tokens and
    /// the result come back as [`Cmd::Llm`]. The extractive draft is already
    /// on screen and stays if the LLM fails.
    fn ask_llm(&self, id: usize) {
        let (Some(llm), Some(live), Some(me)) = (self.llm.clone(), &self.live, self.me.upgrade())
        else {
            return;
        };
        let Some((question, draft)) = live.session.question(id) else {
            return;
        };
        let (question, sections) = (question.clone(), draft.sections.clone());
        let key = live.key.clone();
        tokio::spawn(async move {
            let tokens = me.clone();
            let r =
                madoguchi_agent::llm::draft(&llm.client, &llm.config, &question, &sections, |t| {
                    // Best effort: the finished draft follows anyway.
                    let _ = tokens.try_send(Cmd::Llm(
                        key.clone(),
                        Event::DraftToken {
                            id,
                            token: t.to_owned(),
                        },
                    ));
                })
                .await;
            let e = match r {
                Ok(draft) => Event::LlmDraft { id, draft },
                Err(e) => {
                    tracing::warn!(id, "LLM draft failed; the extractive draft stands: {e}");
                    Event::LlmFailed {
                        id,
                        error: "LLMの回答案は使えませんでした（マニュアルからの回答案を表示しています）".into(),
                    }
                }
            };
            let _ = me.send(Cmd::Llm(key, e)).await;
        });
    }

    async fn store_op<T: Send + 'static>(
        &self,
        op: impl FnOnce(&Store) -> Result<T, crate::store::StoreError> + Send + 'static,
    ) -> Option<T> {
        match self.store.call(op).await {
            Ok(v) => Some(v),
            Err(e) => {
                Metrics::inc(&self.metrics.store_errors);
                tracing::error!(counter = %self.id, "{e}");
                None
            }
        }
    }

    /// Ends the live session, if any: the summary is stored (the only thing
    /// kept), the consoles are shown it, and the label map is dropped.
    async fn end(&mut self, by: &str) {
        let Some(live) = self.live.take() else { return };
        self.consult = false;
        let summary = live.session.end();
        let (key, started, dept) = (live.key.clone(), live.started, self.department.clone());
        let s2 = summary.clone();
        let id = self
            .store_op(move |s| s.save_summary(&key, &dept, started, &s2))
            .await;
        if id.is_some() {
            Metrics::inc(&self.metrics.sessions_stored);
        }
        tracing::info!(counter = %self.id, session = %live.key, by, stored = id.is_some(), "session ended");
        self.publish(
            frame(json!({"event": "summary", "id": id, "session": live.key, "summary": summary})),
            false,
        );
        let f = self.state_frame();
        self.publish(f, false);
    }
}
