//! The live path: audio arrives in pieces (microphone callback, stdin, a WAV
//! played in real time) and utterances leave as soon as their closing pause
//! has passed. Everything here is in memory.
//!
//! - [`AudioRing`] sits between the audio callback and the recognizer: the
//!   callback only pushes (never blocks, never allocates beyond its reserve);
//!   when the recognizer falls behind, the oldest audio is dropped and counted.
//! - [`LiveSegmenter`] resamples to 16 kHz per channel as the audio comes,
//!   runs the streaming VAD on each channel and attributes each utterance to
//!   a speaker with the same rule as the batch path.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rubato::{FftFixedIn, Resampler};

use crate::audio::{AudioError, SAMPLE_RATE};
use crate::pipeline::{attribute, Channels, Speaker};
use crate::vad::{Span, StreamVad, VadConfig};

/// A bounded queue of interleaved samples between an audio callback and the
/// recognizer. Beyond its capacity the oldest samples go, counted.
pub struct AudioRing {
    queue: Mutex<VecDeque<f32>>,
    capacity: usize,
    channels: usize,
    dropped: AtomicU64,
}

impl AudioRing {
    /// A ring holding `seconds` of `channels`-channel audio at `rate`.
    pub fn new(rate: u32, channels: usize, seconds: f32) -> Arc<Self> {
        let channels = channels.max(1);
        let frames = (rate as f32 * seconds).max(1.0) as usize;
        Arc::new(AudioRing {
            queue: Mutex::new(VecDeque::with_capacity(frames * channels)),
            capacity: frames * channels,
            channels,
            dropped: AtomicU64::new(0),
        })
    }

    /// The writing end, for the audio callback.
    pub fn writer(self: &Arc<Self>) -> RingWriter {
        RingWriter {
            ring: self.clone(),
            pending: Vec::with_capacity(self.capacity),
        }
    }

    /// Moves everything queued into `out` (appending).
    pub fn take(&self, out: &mut Vec<f32>) {
        let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        out.extend(q.drain(..));
    }

    /// Samples dropped so far (per channel: frames).
    pub fn dropped_frames(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    fn drop_oldest(&self, len: usize) -> usize {
        // Whole frames only, so channels stay aligned.
        let over = len.saturating_sub(self.capacity);
        let over = over.div_ceil(self.channels) * self.channels;
        if over > 0 {
            self.dropped
                .fetch_add((over / self.channels) as u64, Ordering::Relaxed);
        }
        over
    }
}

/// The audio callback's end of an [`AudioRing`]. `push` never blocks: when
/// the recognizer holds the lock for its (short) copy, samples wait in this
/// writer's own reserve until the next callback.
pub struct RingWriter {
    ring: Arc<AudioRing>,
    pending: Vec<f32>,
}

impl RingWriter {
    /// Queues interleaved samples.
    pub fn push(&mut self, interleaved: &[f32]) {
        self.pending.extend_from_slice(interleaved);
        match self.ring.queue.try_lock() {
            Ok(mut q) => {
                q.extend(self.pending.drain(..));
                let over = self.ring.drop_oldest(q.len()).min(q.len());
                q.drain(..over);
            }
            Err(_) => {
                let over = self
                    .ring
                    .drop_oldest(self.pending.len())
                    .min(self.pending.len());
                self.pending.drain(..over);
            }
        }
    }
}

/// Resamples one channel to 16 kHz as pieces arrive (the same FFT
/// resampler as the WAV path, its delay removed).
struct StreamResampler {
    inner: Option<FftFixedIn<f32>>,
    input: Vec<f32>,
    /// Output samples still to discard (the filter's delay).
    skip: usize,
}

const RESAMPLE_CHUNK: usize = 1024;

impl StreamResampler {
    fn new(from: u32) -> Result<Self, AudioError> {
        if from == SAMPLE_RATE {
            return Ok(StreamResampler {
                inner: None,
                input: Vec::new(),
                skip: 0,
            });
        }
        let r = FftFixedIn::<f32>::new(from as usize, SAMPLE_RATE as usize, RESAMPLE_CHUNK, 2, 1)
            .map_err(|e| AudioError::Resample(e.to_string()))?;
        Ok(StreamResampler {
            skip: r.output_delay(),
            inner: Some(r),
            input: Vec::with_capacity(RESAMPLE_CHUNK * 2),
        })
    }

    fn push(&mut self, samples: &[f32], out: &mut Vec<f32>) -> Result<(), AudioError> {
        let Some(r) = self.inner.as_mut() else {
            out.extend_from_slice(samples);
            return Ok(());
        };
        self.input.extend_from_slice(samples);
        let mut pos = 0;
        while self.input.len() - pos >= r.input_frames_next() {
            let n = r.input_frames_next();
            let block = r
                .process(&[&self.input[pos..pos + n]], None)
                .map_err(|e| AudioError::Resample(e.to_string()))?;
            pos += n;
            let skip = self.skip.min(block[0].len());
            self.skip -= skip;
            out.extend_from_slice(&block[0][skip..]);
        }
        self.input.drain(..pos);
        Ok(())
    }

    fn finish(&mut self, out: &mut Vec<f32>) -> Result<(), AudioError> {
        let Some(r) = self.inner.as_mut() else {
            return Ok(());
        };
        let rest = std::mem::take(&mut self.input);
        let block = r
            .process_partial(Some(&[&rest[..]]), None)
            .map_err(|e| AudioError::Resample(e.to_string()))?;
        let skip = self.skip.min(block[0].len());
        self.skip -= skip;
        out.extend_from_slice(&block[0][skip..]);
        Ok(())
    }
}

/// An utterance ready for whisper.
#[derive(Debug, Clone)]
pub struct Utterance {
    /// Sample range (16 kHz) from the start of the stream.
    pub span: Span,
    pub speaker: Speaker,
    /// The carrying channel's audio, 16 kHz.
    pub samples: Vec<f32>,
}

/// Audio kept per channel: enough for the longest utterance, its closing
/// pause and some margin.
const KEEP_SECONDS: usize = 30;

/// Interleaved audio in, utterances out, as it happens.
pub struct LiveSegmenter {
    channels: usize,
    ch: Channels,
    resamplers: Vec<StreamResampler>,
    vads: Vec<StreamVad>,
    /// Recent 16 kHz audio per channel; `base` is the stream index of its
    /// first sample.
    recent: Vec<VecDeque<f32>>,
    base: usize,
    scratch: Vec<Vec<f32>>,
}

impl LiveSegmenter {
    /// For `channels` (1 or 2) interleaved channels at `rate` Hz.
    pub fn new(
        rate: u32,
        channels: usize,
        vad: VadConfig,
        ch: Channels,
    ) -> Result<Self, AudioError> {
        if !(1..=2).contains(&channels) {
            return Err(AudioError::Format(format!(
                "{channels} channels (use mono, or stereo from a two-channel counter microphone)"
            )));
        }
        if !(8_000..=192_000).contains(&rate) {
            return Err(AudioError::Format(format!("sample rate {rate} Hz")));
        }
        Ok(LiveSegmenter {
            channels,
            ch,
            resamplers: (0..channels)
                .map(|_| StreamResampler::new(rate))
                .collect::<Result<_, _>>()?,
            vads: (0..channels).map(|_| StreamVad::new(vad)).collect(),
            recent: vec![VecDeque::new(); channels],
            base: 0,
            scratch: vec![Vec::new(); channels],
        })
    }

    /// Feeds interleaved samples; returns the utterances that ended.
    pub fn push(&mut self, interleaved: &[f32]) -> Result<Vec<Utterance>, AudioError> {
        let n = self.channels;
        for (c, buf) in self.scratch.iter_mut().enumerate() {
            buf.clear();
            // A broken driver or file can deliver NaN or ±inf; they must
            // not reach the resampler's FFT.
            buf.extend(interleaved.iter().skip(c).step_by(n).map(|s| {
                if s.is_finite() {
                    s.clamp(-1.0, 1.0)
                } else {
                    0.0
                }
            }));
        }
        let mut resampled = vec![Vec::new(); n];
        for ((r, input), out) in self
            .resamplers
            .iter_mut()
            .zip(&self.scratch)
            .zip(&mut resampled)
        {
            r.push(input, out)?;
        }
        Ok(self.feed(resampled, false))
    }

    /// Ends the stream: flushes the resamplers and closes open utterances.
    pub fn finish(&mut self) -> Result<Vec<Utterance>, AudioError> {
        let mut resampled = vec![Vec::new(); self.channels];
        for (c, out) in resampled.iter_mut().enumerate() {
            self.resamplers[c].finish(out)?;
        }
        Ok(self.feed(resampled, true))
    }

    fn feed(&mut self, resampled: Vec<Vec<f32>>, end: bool) -> Vec<Utterance> {
        // Channels advance together; a resampler may be a block ahead.
        let mut spans: Vec<(Span, usize)> = Vec::new();
        for (c, samples) in resampled.into_iter().enumerate() {
            self.recent[c].extend(samples.iter().copied());
            for s in self.vads[c].push(&samples) {
                spans.push((s, c));
            }
            if end {
                spans.extend(self.vads[c].finish().map(|s| (s, c)));
            }
        }
        spans.sort_by_key(|(s, c)| (s.end, *c));
        let mut out = Vec::new();
        for (span, c) in spans {
            let audio: Vec<Vec<f32>> = self.recent.iter().map(|r| self.slice(r, span)).collect();
            let views: Vec<&[f32]> = audio.iter().map(Vec::as_slice).collect();
            if views[c].is_empty() {
                continue;
            }
            if let Some(speaker) = attribute(&views, c, self.ch) {
                let start = span.start.max(self.base);
                let end = start + views[c].len();
                out.push(Utterance {
                    span: Span { start, end },
                    speaker,
                    samples: audio[c].clone(),
                });
            }
        }
        self.trim();
        out
    }

    /// Where the utterance still being spoken (the longest open one) is,
    /// and on which channel; cheap (no audio copied).
    pub fn open_span(&self) -> Option<(usize, Span)> {
        let (c, start) = self
            .vads
            .iter()
            .enumerate()
            .filter_map(|(c, v)| v.open_since().map(|s| (c, s)))
            .min_by_key(|(_, s)| *s)?;
        let end = self.base + self.recent[c].len();
        Some((c, Span { start, end }))
    }

    /// The utterance still being spoken (the longest open one), for
    /// partial text: its span so far, its speaker if it ends as it is, and
    /// its audio.
    pub fn open_utterance(&self) -> Option<Utterance> {
        let (c, span) = self.open_span()?;
        let (start, end) = (span.start, span.end);
        let audio: Vec<Vec<f32>> = self.recent.iter().map(|r| self.slice(r, span)).collect();
        let views: Vec<&[f32]> = audio.iter().map(Vec::as_slice).collect();
        let speaker = attribute(&views, c, self.ch)?;
        Some(Utterance {
            span: Span {
                start: start.max(self.base),
                end,
            },
            speaker,
            samples: audio[c].clone(),
        })
    }

    fn slice(&self, recent: &VecDeque<f32>, span: Span) -> Vec<f32> {
        let from = span.start.saturating_sub(self.base).min(recent.len());
        let to = span.end.saturating_sub(self.base).min(recent.len());
        recent.range(from..to.max(from)).copied().collect()
    }

    fn trim(&mut self) {
        let keep = KEEP_SECONDS * SAMPLE_RATE as usize;
        let shortest = self.recent.iter().map(VecDeque::len).min().unwrap_or(0);
        if shortest > keep {
            let cut = shortest - keep;
            for r in &mut self.recent {
                r.drain(..cut);
            }
            self.base += cut;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::utterances;

    fn fixture(name: &str) -> crate::audio::Tracks {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/speech/");
        crate::audio::decode_wav(&std::fs::read(format!("{path}{name}")).unwrap()).unwrap()
    }

    fn interleave(t: &crate::audio::Tracks) -> Vec<f32> {
        let n = t.channels[0].len();
        (0..n)
            .flat_map(|i| t.channels.iter().map(move |c| c[i]))
            .collect()
    }

    #[test]
    fn live_stereo_matches_the_batch_path() {
        let tracks = fixture("counter_stereo_16k.wav");
        let vad = VadConfig::default();
        let batch: Vec<(Span, Speaker)> = utterances(&tracks, &vad, Channels::default())
            .into_iter()
            .map(|(s, _, who)| (s, who))
            .collect();
        let mut live = LiveSegmenter::new(16_000, 2, vad, Channels::default()).unwrap();
        let mut got = Vec::new();
        // 20 ms callbacks of 320 frames, as a sound card would deliver.
        for piece in interleave(&tracks).chunks(640) {
            got.extend(live.push(piece).unwrap());
        }
        got.extend(live.finish().unwrap());
        let got: Vec<(Span, Speaker)> = got.iter().map(|u| (u.span, u.speaker)).collect();
        assert_eq!(got, batch);
        assert_eq!(batch.len(), 6);
    }

    #[test]
    fn live_resamples_44k_input() {
        // The 44.1 kHz fixture: one utterance, whatever the piece size.
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/speech/juminhyo_44k.wav"
        );
        let mut r = hound::WavReader::open(path).unwrap();
        let pcm: Vec<f32> = r
            .samples::<i16>()
            .map(|s| f32::from(s.unwrap()) / 32768.0)
            .collect();
        let mut live =
            LiveSegmenter::new(44_100, 1, VadConfig::default(), Channels::default()).unwrap();
        let mut got = Vec::new();
        for piece in pcm.chunks(441) {
            got.extend(live.push(piece).unwrap());
        }
        got.extend(live.finish().unwrap());
        assert_eq!(got.len(), 1, "{got:?}");
        let secs = got[0].samples.len() as f32 / 16_000.0;
        assert!((3.0..8.0).contains(&secs), "{secs} s");
        assert_eq!(got[0].speaker, Speaker::Unknown);
        assert!(LiveSegmenter::new(16_000, 3, VadConfig::default(), Channels::default()).is_err());
    }

    #[test]
    fn a_full_ring_drops_the_oldest_and_counts() {
        let ring = AudioRing::new(100, 2, 1.0); // 100 frames of two channels
        let mut w = ring.writer();
        let frames: Vec<f32> = (0..300).flat_map(|i| [i as f32, -(i as f32)]).collect();
        w.push(&frames[..200]);
        w.push(&frames[200..]);
        assert_eq!(ring.dropped_frames(), 200);
        let mut out = Vec::new();
        ring.take(&mut out);
        assert_eq!(out.len(), 200);
        // The newest survive, channels still paired.
        assert_eq!(&out[..2], &[200.0, -200.0]);
        assert_eq!(out.last(), Some(&-299.0));
        // While the reader holds the lock, the writer neither blocks nor loses.
        let guard = ring.queue.lock().unwrap();
        w.push(&[1.0, 2.0]);
        drop(guard);
        w.push(&[3.0, 4.0]);
        out.clear();
        ring.take(&mut out);
        assert_eq!(out, [1.0, 2.0, 3.0, 4.0]);
    }
}
