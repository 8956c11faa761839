//! A counter's live session: segments in, events out. The console issue
//! drives it; `madoguchi ask` is one turn of it.
//!
//! Every segment is masked first (the session owns the only label map);
//! questions are found in the masked text, follow-ups join the open
//! question they follow (within [`FOLLOW_UP_TURNS`] turns) and re-draft it,
//! and the summary at the end — the requests and their cited answers — is
//! all that is kept of a session.

use std::sync::Arc;

use madoguchi_knowledge::{KnowledgeBase, KnowledgeError};
use serde::{Deserialize, Serialize};

use crate::draft::{draft, Citation, Draft};
use crate::llm::{LlmConfig, LlmDraft};
use crate::mask::{MaskSession, MaskedText, Masker};
use crate::questions;

pub use madoguchi_wire::Speaker;

/// A transcribed segment as it arrives (unmasked; it goes no further than
/// [`Session::push`]).
#[derive(Debug, Clone, Deserialize)]
pub struct Segment {
    pub seq: u64,
    pub speaker: Speaker,
    pub start_ms: u64,
    pub end_ms: u64,
    pub text: String,
}

/// What the agent tells the console.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A segment, masked, for the live transcript.
    Segment {
        seq: u64,
        speaker: Speaker,
        start_ms: u64,
        end_ms: u64,
        text: MaskedText,
    },
    /// A new open question, or an open question a follow-up extended.
    Question {
        id: usize,
        speaker: Speaker,
        text: MaskedText,
    },
    /// The draft for question `id` (sent again when the question changes).
    Draft { id: usize, draft: Draft },
    /// A piece of the LLM's draft for question `id`, as it streams.
    DraftToken { id: usize, token: String },
    /// The LLM's finished draft (cited sentences only).
    LlmDraft { id: usize, draft: LlmDraft },
    /// The LLM failed; the extractive draft stands.
    LlmFailed { id: usize, error: String },
}

/// A request of the session and its answer.
#[derive(Debug, Clone, Serialize)]
pub struct Request {
    pub id: usize,
    pub text: MaskedText,
    pub answered: bool,
    pub answer: String,
    pub citations: Vec<Citation>,
    pub related: Vec<String>,
}

/// All that is kept of a session.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub counter: String,
    pub segments: usize,
    pub requests: Vec<Request>,
}

/// Turns after which a follow-up no longer joins an open question.
pub const FOLLOW_UP_TURNS: usize = 4;

/// The agent: masker and manuals, shared by all sessions.
#[derive(Clone)]
pub struct Agent {
    masker: Masker,
    kb: Arc<KnowledgeBase>,
}

struct Open {
    id: usize,
    speaker: Speaker,
    text: MaskedText,
    turn: usize,
    draft: Draft,
}

/// One counter's session.
pub struct Session {
    agent: Agent,
    counter: String,
    masks: MaskSession,
    turns: usize,
    open: Vec<Open>,
    llm_failures: u64,
}

impl Agent {
    pub fn new(kb: Arc<KnowledgeBase>) -> Self {
        Agent {
            masker: Masker::new(kb.analyzer().clone()),
            kb,
        }
    }

    /// Masks a text that belongs to no session (a supervisor's note), with
    /// labels of its own.
    pub fn mask_alone(&self, text: &str) -> MaskedText {
        self.masker.session().mask(text).0
    }

    pub fn session(&self, counter: &str) -> Session {
        Session {
            agent: self.clone(),
            counter: counter.to_owned(),
            masks: self.masker.session(),
            turns: 0,
            open: Vec::new(),
            llm_failures: 0,
        }
    }
}

impl Session {
    /// Takes one segment; returns what the console should show.
    pub fn push(&mut self, seg: Segment) -> Result<Vec<Event>, KnowledgeError> {
        let (masked, _) = self.masks.mask(&seg.text);
        self.turns += 1;
        let mut events = vec![Event::Segment {
            seq: seg.seq,
            speaker: seg.speaker,
            start_ms: seg.start_ms,
            end_ms: seg.end_ms,
            text: masked.clone(),
        }];
        for q in masked.derive(questions::detect) {
            // A follow-up joins the latest open question of the same
            // speaker (the resident's いくら joins the resident's request,
            // not the clerk's confirmation in between).
            let turns = self.turns;
            let recent = self
                .open
                .iter_mut()
                .rev()
                .find(|o| o.speaker == seg.speaker && turns - o.turn <= FOLLOW_UP_TURNS);
            let target = match recent {
                Some(o) if questions::is_follow_up(q.as_str()) => {
                    o.text = MaskedText::join(&[o.text.clone(), q], "、");
                    o.turn = self.turns;
                    o.draft = draft(&self.agent.kb, o.text.as_str())?;
                    o
                }
                _ => {
                    let d = draft(&self.agent.kb, q.as_str())?;
                    self.open.push(Open {
                        id: self.open.len() + 1,
                        speaker: seg.speaker,
                        text: q,
                        turn: self.turns,
                        draft: d,
                    });
                    self.open.last_mut().expect("just pushed")
                }
            };
            events.push(Event::Question {
                id: target.id,
                speaker: seg.speaker,
                text: target.text.clone(),
            });
            events.push(Event::Draft {
                id: target.id,
                draft: target.draft.clone(),
            });
        }
        Ok(events)
    }

    /// Asks the LLM for question `id`'s draft, streaming `DraftToken`
    /// events, then `LlmDraft`, or `LlmFailed` (the extractive draft stands;
    /// counted). Only the masked question and its sections go out.
    pub async fn refine(
        &mut self,
        id: usize,
        client: &reqwest::Client,
        cfg: &LlmConfig,
        mut emit: impl FnMut(Event),
    ) {
        let Some(open) = self.open.iter().find(|o| o.id == id) else {
            return;
        };
        if !open.draft.answered {
            return; // never a guess where no manual answers
        }
        let r = crate::llm::draft(client, cfg, &open.text, &open.draft.sections, |t| {
            emit(Event::DraftToken {
                id,
                token: t.to_owned(),
            })
        })
        .await;
        match r {
            Ok(draft) => emit(Event::LlmDraft { id, draft }),
            Err(e) => {
                self.llm_failures += 1;
                tracing::warn!(id, "LLM draft failed; the extractive draft stands: {e}");
                emit(Event::LlmFailed {
                    id,
                    error: e.to_string(),
                });
            }
        }
    }

    /// Masks a text with this session's labels (partial text, notes), so
    /// the same person keeps the same label. It is no turn of the
    /// conversation: a name asked for in the last segment is still looked
    /// for in the next.
    pub fn mask(&mut self, text: &str) -> MaskedText {
        self.masks.mask_aside(text).0
    }

    /// Open question `id`: its masked text and current draft.
    pub fn question(&self, id: usize) -> Option<(&MaskedText, &Draft)> {
        self.open
            .iter()
            .find(|o| o.id == id)
            .map(|o| (&o.text, &o.draft))
    }

    /// LLM failures in this session so far.
    pub fn llm_failures(&self) -> u64 {
        self.llm_failures
    }

    /// Ends the session: the summary. The label map goes with the session.
    pub fn end(self) -> Summary {
        Summary {
            counter: self.counter,
            segments: self.turns,
            requests: self
                .open
                .into_iter()
                .map(|o| Request {
                    id: o.id,
                    text: o.text,
                    answered: o.draft.answered,
                    answer: o.draft.draft,
                    citations: o.draft.citations,
                    related: o.draft.related,
                })
                .collect(),
        }
    }
}
