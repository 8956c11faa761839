//! # madoguchi-capture
//!
//! Hearing the counter: audio sources (microphone, WAV, PCM), resampling to
//! 16 kHz mono, voice-activity segmentation, whisper transcription and the
//! websocket client that sends text segments to the server.
//!
//! # Layout
//! Empty for now: issue 3 ("Hearing the counter") fills this crate.
//!
//! # Invariants
//! - Audio is never written to disk or sent off the counter PC; only text
//!   leaves the process.
