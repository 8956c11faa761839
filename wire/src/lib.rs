//! The messages that cross the network between a counter PC (capture), the
//! server (console-ui) and the agent, defined once. This crate depends on
//! serde alone, so capture does not pull in the agent's manuals and the
//! server does not pull in whisper.
//!
//! # Layout
//! - [`Speaker`], [`Segment`]: one final piece of transcript.
//! - Counter → server: [`SegmentMsg`] (acknowledged), [`PartialMsg`] (not);
//!   [`StatsMsg`] (not); [`CounterFrame`] parses any of them.
//! - Server → counter: [`Ack`], [`GlossaryMsg`], [`PauseMsg`].

use serde::{Deserialize, Serialize};

/// Who spoke, as far as the microphone can tell. Never invented: one channel
/// means `unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Speaker {
    Staff,
    Resident,
    Unknown,
}

/// One final segment of text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub start_ms: u64,
    pub end_ms: u64,
    pub speaker: Speaker,
    pub text: String,
}

/// One segment on the wire: `{counter, seq, speaker, start_ms, end_ms, text}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentMsg {
    pub counter: String,
    pub seq: u64,
    pub speaker: Speaker,
    pub start_ms: u64,
    pub end_ms: u64,
    pub text: String,
}

/// The server's acknowledgement of every `seq` up to and including `ack`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Ack {
    pub ack: u64,
}

/// A glossary the server pushes for whisper's prompt:
/// `{"glossary": ["住民票の写し", …]}`, on connecting and whenever editors
/// change it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GlossaryMsg {
    pub glossary: Vec<String>,
}

/// The clerk paused (or resumed) the counter's capture: `{"pause": true}`.
/// While paused the counter PC transcribes nothing.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct PauseMsg {
    pub pause: bool,
}

/// Partial text of an utterance still being spoken, on the wire:
/// `{"counter", "partial": {start_ms, end_ms, speaker, text}}`. Not
/// acknowledged, not buffered: the final segment supersedes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PartialMsg {
    pub counter: String,
    pub partial: Segment,
}

/// The counter PC's health since its last report:
/// `{"counter", "dropped_audio_frames": n}` (frames dropped because
/// recognition fell behind). Not acknowledged.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsMsg {
    pub counter: String,
    pub dropped_audio_frames: u64,
}

/// Whatever a counter PC may send.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum CounterFrame {
    Segment(SegmentMsg),
    Partial(PartialMsg),
    Stats(StatsMsg),
}

/// Largest frame either side accepts, in bytes. A segment of a 30 s
/// utterance is well under 4 KiB.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_parse_by_shape() {
        let seg =
            r#"{"counter":"c1","seq":7,"speaker":"staff","start_ms":0,"end_ms":900,"text":"はい"}"#;
        assert!(
            matches!(serde_json::from_str(seg).unwrap(), CounterFrame::Segment(m) if m.seq == 7)
        );
        let part = r#"{"counter":"c1","partial":{"start_ms":0,"end_ms":900,"speaker":"unknown","text":"は"}}"#;
        assert!(matches!(
            serde_json::from_str(part).unwrap(),
            CounterFrame::Partial(_)
        ));
        for bad in [
            r#"{"counter":"c1"}"#,
            r#"{"seq":1}"#,
            "[]",
            r#"{"counter":"c1","seq":1,"speaker":"ghost","start_ms":0,"end_ms":1,"text":""}"#,
        ] {
            assert!(serde_json::from_str::<CounterFrame>(bad).is_err(), "{bad}");
        }
    }
}
