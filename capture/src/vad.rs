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

/// Finds the utterances in a 16 kHz track.
pub fn segment(track: &[f32], cfg: &VadConfig) -> Vec<Span> {
    let levels: Vec<f32> = track.chunks(FRAME).map(frame_db).collect();
    if levels.is_empty() {
        return Vec::new();
    }
    // Noise floor: a low percentile of frame levels (robust to speech).
    let mut sorted = levels.clone();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let floor = sorted[sorted.len() / 10];
    let threshold = (floor + cfg.gate_db).max(cfg.min_level_db);
    // Steady noise (a fan, an air conditioner): little spread between the
    // quiet and loud frames means there is no speech to find.
    let loud = sorted[sorted.len() * 95 / 100];
    if loud - floor < cfg.gate_db {
        return Vec::new();
    }

    let pause_frames = (cfg.pause_ms / FRAME_MS) as usize;
    let max_frames = (cfg.max_utterance_ms / FRAME_MS) as usize;
    let min_frames = (cfg.min_utterance_ms / FRAME_MS).max(1) as usize;
    let hangover = 3; // keep 60 ms around speech so word edges are not clipped
    let mut spans = Vec::new();
    let mut start: Option<usize> = None;
    let mut last_voiced = 0;
    let mut voiced_frames = 0;
    for (i, &db) in levels.iter().enumerate() {
        let voiced = db >= threshold;
        match start {
            None if voiced => {
                start = Some(i);
                last_voiced = i;
                voiced_frames = 1;
            }
            None => {}
            Some(s) => {
                if voiced {
                    last_voiced = i;
                    voiced_frames += 1;
                }
                let paused = i - last_voiced >= pause_frames;
                let too_long = i + 1 - s >= max_frames;
                if paused || too_long {
                    let end = if too_long && !paused {
                        i + 1
                    } else {
                        last_voiced + 1
                    };
                    if voiced_frames >= min_frames {
                        spans.push((s, end));
                    }
                    start = None;
                }
            }
        }
    }
    if let Some(s) = start {
        if voiced_frames >= min_frames {
            spans.push((s, last_voiced + 1));
        }
    }
    spans
        .into_iter()
        .map(|(s, e)| Span {
            start: s.saturating_sub(hangover) * FRAME,
            end: ((e + hangover) * FRAME).min(track.len()),
        })
        .collect()
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
        let long: Vec<f32> = voice(40_000);
        let spans = segment(&[noise(16 * 500, 0.002, &mut seed), long].concat(), &cfg);
        assert!(
            spans.len() >= 3 && spans.iter().all(|s| s.end_ms() - s.start_ms() <= 15_200),
            "{spans:?}"
        );
    }
}
