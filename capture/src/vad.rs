//! Voice-activity segmentation: 20 ms frames, an energy gate over an
//! adaptive noise floor, utterances cut at pauses (default 600 ms) and at a
//! maximum length. Silence and steady background noise never pass the gate,
//! so they never reach whisper.

use crate::audio::SAMPLE_RATE;

/// Segmentation settings.
#[derive(Debug, Clone, Copy)]
pub struct VadConfig {
    /// A pause at least this long ends an utterance.
    pub pause_ms: u32,
    /// Utterances are cut at this length.
    pub max_utterance_ms: u32,
    /// Shorter bursts are not utterances (clicks, coughs).
    pub min_utterance_ms: u32,
    /// Speech must be this many dB above the noise floor.
    pub gate_db: f32,
    /// Absolute floor below which nothing is speech (dBFS).
    pub min_level_db: f32,
}

impl Default for VadConfig {
    fn default() -> Self {
        VadConfig {
            pause_ms: 600,
            max_utterance_ms: 15_000,
            min_utterance_ms: 250,
            gate_db: 12.0,
            min_level_db: -50.0,
        }
    }
}

const FRAME_MS: u32 = 20;
const FRAME: usize = (SAMPLE_RATE / 1000 * FRAME_MS) as usize;

/// An utterance: sample range in the 16 kHz track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn start_ms(&self) -> u64 {
        self.start as u64 * 1000 / u64::from(SAMPLE_RATE)
    }
    pub fn end_ms(&self) -> u64 {
        self.end as u64 * 1000 / u64::from(SAMPLE_RATE)
    }
}

fn frame_db(frame: &[f32]) -> f32 {
    let energy = frame.iter().map(|s| s * s).sum::<f32>() / frame.len().max(1) as f32;
    10.0 * (energy + 1e-12).log10()
}

/// Frames of level history the noise floor is taken from (15 s).
const HISTORY: usize = 750;
/// Frames kept around speech so word edges are not clipped (60 ms).
const HANGOVER: usize = 3;

/// Streaming segmentation of one 16 kHz track: samples go in as they come,
/// utterances come out once their closing pause has passed (or at the
/// maximum length). The noise floor is a low percentile of the last 15 s of
/// frame levels, so it follows a room that gets louder or quieter.
/// [`segment`] runs this same code over a whole track.
pub struct StreamVad {
    cfg: VadConfig,
    history: std::collections::VecDeque<f32>,
    scratch: Vec<f32>,
    partial: Vec<f32>,
    /// Frames seen so far.
    frames: usize,
    /// (first frame, last voiced frame, voiced frames) of the utterance
    /// under way.
    open: Option<(usize, usize, usize)>,
    floor: f32,
}

impl StreamVad {
    pub fn new(cfg: VadConfig) -> Self {
        StreamVad {
            cfg,
            history: std::collections::VecDeque::with_capacity(HISTORY),
            scratch: Vec::with_capacity(HISTORY),
            partial: Vec::with_capacity(FRAME),
            frames: 0,
            open: None,
            floor: f32::NEG_INFINITY,
        }
    }

    /// Samples seen so far.
    pub fn position(&self) -> usize {
        self.frames * FRAME + self.partial.len()
    }

    /// Where the utterance under way started (sample index), if one is.
    pub fn open_since(&self) -> Option<usize> {
        self.open
            .map(|(s, _, _)| s.saturating_sub(HANGOVER) * FRAME)
    }

    /// Feeds samples; returns the utterances that ended within them (sample
    /// ranges counted from the first sample ever fed; the end may lie up to
    /// 60 ms beyond what has been fed when an utterance is cut at its
    /// maximum length).
    pub fn push(&mut self, mut samples: &[f32]) -> Vec<Span> {
        let mut out = Vec::new();
        while !samples.is_empty() {
            let take = (FRAME - self.partial.len()).min(samples.len());
            self.partial.extend_from_slice(&samples[..take]);
            samples = &samples[take..];
            if self.partial.len() == FRAME {
                let db = frame_db(&self.partial);
                self.partial.clear();
                if let Some(span) = self.frame(db) {
                    out.push(span);
                }
            }
        }
        out
    }

    /// Ends the stream: the utterance under way, if long enough.
    pub fn finish(&mut self) -> Option<Span> {
        let (s, last, voiced) = self.open.take()?;
        self.span(s, last, last + 1, voiced)
    }

    /// The utterance from frame `first` to `end` (exclusive), if it is
    /// speech: long enough, and dense — speech keeps the gate open most of
    /// the time; scattered peaks of background noise do not.
    fn span(&self, first: usize, last: usize, end: usize, voiced: usize) -> Option<Span> {
        let min_frames = (self.cfg.min_utterance_ms / FRAME_MS).max(1) as usize;
        let dense = voiced * 10 >= (last + 1 - first) * 3;
        (voiced >= min_frames && dense).then(|| Span {
            start: first.saturating_sub(HANGOVER) * FRAME,
            end: (end + HANGOVER) * FRAME,
        })
    }

    fn update_floor(&mut self, db: f32) {
        if self.history.len() == HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(db);
        // A percentile every 100 ms is plenty and keeps this cheap.
        if self.frames.is_multiple_of(5) || self.history.len() < 50 {
            self.scratch.clear();
            self.scratch.extend(self.history.iter().copied());
            let k = self.scratch.len() / 10;
            let (_, floor, _) = self
                .scratch
                .select_nth_unstable_by(k, |a, b| a.total_cmp(b));
            self.floor = *floor;
        }
    }

    fn frame(&mut self, db: f32) -> Option<Span> {
        let i = self.frames;
        self.frames += 1;
        self.update_floor(db);
        let threshold = (self.floor + self.cfg.gate_db).max(self.cfg.min_level_db);
        // A little history first, or the first frame is its own floor.
        let voiced = self.history.len() >= 5 && db >= threshold;
        let pause_frames = (self.cfg.pause_ms / FRAME_MS) as usize;
        let max_frames = (self.cfg.max_utterance_ms / FRAME_MS) as usize;
        match self.open {
            None => {
                if voiced {
                    self.open = Some((i, i, 1));
                }
                None
            }
            Some((s, mut last, mut n)) => {
                if voiced {
                    last = i;
                    n += 1;
                }
                let paused = i - last >= pause_frames;
                let too_long = i + 1 - s >= max_frames;
                if paused || too_long {
                    self.open = None;
                    let end = if too_long && !paused { i + 1 } else { last + 1 };
                    return self.span(s, last, end, n);
                }
                self.open = Some((s, last, n));
                None
            }
        }
    }
}

/// Finds the utterances in a whole 16 kHz track (the streaming code, run
/// over it).
pub fn segment(track: &[f32], cfg: &VadConfig) -> Vec<Span> {
    let mut vad = StreamVad::new(*cfg);
    let mut spans = vad.push(track);
    spans.extend(vad.finish());
    for s in &mut spans {
        s.end = s.end.min(track.len());
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(n: usize, amp: f32, seed: &mut u64) -> Vec<f32> {
        (0..n)
            .map(|_| {
                *seed ^= *seed << 13;
                *seed ^= *seed >> 7;
                *seed ^= *seed << 17;
                (*seed as f32 / u64::MAX as f32 - 0.5) * 2.0 * amp
            })
            .collect()
    }

    fn voice(ms: usize) -> Vec<f32> {
        // A voiced-like signal: harmonics with a syllable-rate envelope.
        (0..ms * 16)
            .map(|i| {
                let t = i as f32 / 16_000.0;
                let env = 0.6 + 0.4 * (t * 4.0 * std::f32::consts::TAU).sin();
                env * 0.3
                    * ((t * 180.0 * std::f32::consts::TAU).sin()
                        + 0.5 * (t * 360.0 * std::f32::consts::TAU).sin())
            })
            .collect()
    }

    fn fixture(name: &str) -> Vec<f32> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/speech/");
        let bytes = std::fs::read(format!("{path}{name}")).unwrap();
        crate::audio::decode_wav(&bytes).unwrap().channels.remove(0)
    }

    #[test]
    fn fixtures_segment_as_spoken() {
        let cfg = VadConfig::default();
        assert_eq!(segment(&fixture("silence.wav"), &cfg), []);
        assert_eq!(segment(&fixture("noise.wav"), &cfg), []);
        // Six turns with a second between them.
        let spans = segment(&fixture("counter_mono_16k.wav"), &cfg);
        assert_eq!(spans.len(), 6, "{spans:?}");
        // Fed in uneven pieces, the stream finds the same utterances.
        let track = fixture("counter_mono_16k.wav");
        let mut vad = StreamVad::new(cfg);
        let mut streamed = Vec::new();
        for piece in track.chunks(777) {
            streamed.extend(vad.push(piece));
        }
        streamed.extend(vad.finish());
        assert_eq!(streamed, spans);
    }

    #[test]
    fn silence_and_steady_noise_give_nothing() {
        let cfg = VadConfig::default();
        assert!(segment(&vec![0.0; 16_000 * 5], &cfg).is_empty());
        let mut seed = 7;
        assert!(segment(&noise(16_000 * 5, 0.05, &mut seed), &cfg).is_empty());
        assert!(segment(&[], &cfg).is_empty());
    }

    #[test]
    fn utterances_are_cut_at_pauses_and_at_the_maximum() {
        let cfg = VadConfig::default();
        let mut seed = 11;
        let mut track = noise(16 * 500, 0.002, &mut seed);
        track.extend(voice(1500));
        track.extend(noise(16 * 300, 0.002, &mut seed)); // short pause: same utterance
        track.extend(voice(1000));
        track.extend(noise(16 * 1000, 0.002, &mut seed)); // long pause: new utterance
        track.extend(voice(800));
        track.extend(noise(16 * 500, 0.002, &mut seed));
        let spans = segment(&track, &cfg);
        assert_eq!(spans.len(), 2, "{spans:?}");
        assert!((420..=500).contains(&spans[0].start_ms()), "{spans:?}");
        assert!((3250..=3400).contains(&spans[0].end_ms()), "{spans:?}");
        // 40 s of talk with only breaths between phrases (200 ms, under
        // the pause): cut at the maximum length, never one endless utterance.
        let mut long = noise(16 * 500, 0.002, &mut seed);
        for _ in 0..34 {
            long.extend(voice(1000));
            long.extend(noise(16 * 200, 0.002, &mut seed));
        }
        let spans = segment(&long, &cfg);
        assert!(
            spans.len() >= 3 && spans.iter().all(|s| s.end_ms() - s.start_ms() <= 15_200),
            "{spans:?}"
        );
    }
}
