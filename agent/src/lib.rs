//! # madoguchi-agent
//!
//! From conversation to masked, cited answer drafts: per-counter session
//! state, the personal-data masker (the privacy choke point), question
//! detection and grouping, retrieval through `madoguchi-knowledge`, drafting
//! (extractive, or an LLM over an OpenAI-compatible API) and summaries.
//!
//! # Layout
//! - [`mask`]: the personal-data masker and [`mask::MaskedText`], the only
//!   form conversation text leaves in.
//! - [`questions`]: requests and questions in spoken Japanese, follow-ups joined.
//! - [`draft`]: extractive drafts with citations; not-found below a threshold.
//! - [`session`]: a counter's session: segments in; masked segments,
//!   questions and drafts out; the summary at the end.
//! - [`llm`]: optional drafting over an OpenAI-compatible chat-completions
//!   API, streamed; only masked text and the retrieved sections go out;
//!   uncited sentences dropped; any failure leaves the extractive draft.
//!
//! # Invariants
//! - Only masked text leaves the agent; the label → value map lives only in
//!   the live session's memory.
//! - Only this crate knows the LLM wire format.

pub mod draft;
pub mod llm;
pub mod mask;
pub mod questions;
pub mod session;
