//! From tracks to final segments: VAD per channel, the speaker by the channel
//! that carries the utterance, whisper per utterance. The same code serves
//! `madoguchi transcribe` and the live path.

use crate::asr::{AsrError, Transcriber};
use crate::audio::Tracks;
use crate::vad::{segment, Span, VadConfig};

pub use madoguchi_wire::{Segment, Speaker};

/// Which input channel is the clerk's (the other is the resident's).
#[derive(Debug, Clone, Copy, Default)]
pub struct Channels {
    /// 0 (default) or 1.
    pub staff: usize,
}

fn energy(x: &[f32]) -> f32 {
    x.iter().map(|s| s * s).sum()
}

/// Who said an utterance heard on channel `c`, given every channel's audio
/// over its time span; `None` when another channel is louder there (it is
/// that channel's utterance, heard faintly here). Shared by the batch and
/// the live paths.
pub fn attribute(span_audio: &[&[f32]], c: usize, ch: Channels) -> Option<Speaker> {
    let own = energy(span_audio[c]);
    let louder_elsewhere = span_audio
        .iter()
        .enumerate()
        .any(|(o, other)| o != c && energy(other) > own);
    if louder_elsewhere {
        return None;
    }
    Some(match (span_audio.len(), c == ch.staff) {
        (2, true) => Speaker::Staff,
        (2, false) => Speaker::Resident,
        _ => Speaker::Unknown,
    })
}

/// The utterances of all channels, in time order, each with its speaker.
/// On two channels an utterance belongs to the channel where it is louder;
/// its echo on the other channel is not a second utterance.
pub fn utterances(tracks: &Tracks, vad: &VadConfig, ch: Channels) -> Vec<(Span, usize, Speaker)> {
    let mut out = Vec::new();
    for (c, track) in tracks.channels.iter().enumerate() {
        for span in segment(track, vad) {
            let audio: Vec<&[f32]> = tracks
                .channels
                .iter()
                .map(|t| &t[span.start.min(t.len())..span.end.min(t.len())])
                .collect();
            if let Some(speaker) = attribute(&audio, c, ch) {
                out.push((span, c, speaker));
            }
        }
    }
    out.sort_by_key(|(s, c, _)| (s.start, *c));
    out
}

/// Transcribes every utterance of `tracks`. Utterances with no credible
/// text (whisper's guards) give no segment.
pub fn transcribe(
    asr: &Transcriber,
    tracks: &Tracks,
    vad: &VadConfig,
    ch: Channels,
) -> Result<Vec<Segment>, AsrError> {
    let mut out = Vec::new();
    for (span, c, speaker) in utterances(tracks, vad, ch) {
        let text = asr.transcribe(&tracks.channels[c][span.start..span.end])?;
        if text.is_empty() {
            continue;
        }
        out.push(Segment {
            start_ms: span.start_ms(),
            end_ms: span.end_ms(),
            speaker,
            text,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn burst(len: usize, at: usize, ms: usize, amp: f32) -> Vec<f32> {
        let mut v = vec![0.0005; len];
        for (i, s) in v.iter_mut().enumerate().skip(at * 16).take(ms * 16) {
            *s = amp * (i as f32 * 0.07).sin();
        }
        v
    }

    #[test]
    fn stereo_speakers_come_from_the_louder_channel() {
        let len = 16 * 6000;
        // Clerk speaks at 0.5 s on the left (echo on the right), the resident at 3 s on the right.
        let mut left = burst(len, 500, 1500, 0.4);
        let mut right = burst(len, 500, 1500, 0.05);
        for (i, s) in burst(len, 3000, 1500, 0.4).into_iter().enumerate() {
            if s.abs() > 0.001 {
                right[i] = s;
                left[i] = s * 0.1;
            }
        }
        let tracks = Tracks {
            channels: vec![left, right],
        };
        let vad = VadConfig::default();
        let got: Vec<Speaker> = utterances(&tracks, &vad, Channels::default())
            .into_iter()
            .map(|u| u.2)
            .collect();
        assert_eq!(got, [Speaker::Staff, Speaker::Resident]);
        let swapped: Vec<Speaker> = utterances(&tracks, &vad, Channels { staff: 1 })
            .into_iter()
            .map(|u| u.2)
            .collect();
        assert_eq!(swapped, [Speaker::Resident, Speaker::Staff]);
        let mono = Tracks {
            channels: vec![tracks.channels[0].clone()],
        };
        assert!(utterances(&mono, &vad, Channels::default())
            .iter()
            .all(|u| u.2 == Speaker::Unknown));
    }
}
