//! `madoguchi capture` as a library: a source (microphone, WAV, raw PCM on
//! stdin) through the live segmenter and whisper to the segment sender.
//! Audio stays in this process's memory; only text segments leave.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::asr::{AsrError, Transcriber};
use crate::audio::{AudioError, Tracks, SAMPLE_RATE};
use crate::live::{AudioRing, LiveSegmenter, Utterance};
use crate::mic::MicError;
use crate::pipeline::{Channels, Segment};
use crate::send::{SegmentSender, SendConfig};
use crate::vad::VadConfig;

#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error(transparent)]
    Audio(#[from] AudioError),
    #[error(transparent)]
    Asr(#[from] AsrError),
    #[error(transparent)]
    Mic(#[from] MicError),
    #[error("reading audio from stdin: {0}")]
    Stdin(String),
    #[error("{0}")]
    Runtime(String),
}

/// Sample encodings accepted on stdin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PcmFormat {
    /// 16-bit signed little-endian.
    S16Le,
    /// 32-bit float little-endian.
    F32Le,
}

impl std::str::FromStr for PcmFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "s16le" => Ok(PcmFormat::S16Le),
            "f32le" => Ok(PcmFormat::F32Le),
            _ => Err(format!("unknown PCM format {s:?} (use s16le or f32le)")),
        }
    }
}

impl PcmFormat {
    fn width(self) -> usize {
        match self {
            PcmFormat::S16Le => 2,
            PcmFormat::F32Le => 4,
        }
    }
}

/// Where the audio comes from.
pub enum Source {
    /// A decoded WAV, played in real time (through the same ring as a
    /// microphone) or as fast as possible.
    Wav { tracks: Tracks, realtime: bool },
    /// Raw interleaved PCM, read as fast as it comes.
    Pcm {
        reader: Box<dyn Read + Send>,
        rate: u32,
        channels: usize,
        format: PcmFormat,
    },
    /// A cpal input device (`None`: the default one).
    Mic {
        device: Option<String>,
        /// Seconds of audio the ring holds before the oldest is dropped.
        buffer_s: f32,
    },
}

/// Settings of one capture run.
pub struct RunConfig {
    pub send: SendConfig,
    pub vad: VadConfig,
    pub channels: Channels,
    /// Set to stop (Ctrl-C): the open utterance is finished and sent.
    pub stop: Arc<AtomicBool>,
    /// Stop on our own after this long (microphone runs in tests, kiosks).
    pub max_duration: Option<Duration>,
    /// How long to wait at the end for the server to acknowledge everything.
    pub drain: Duration,
    /// Send partial text of an utterance every this much of its audio
    /// (None: final segments only).
    pub partial_every: Option<Duration>,
}

/// What a run did.
#[derive(Debug, Default, Clone)]
pub struct RunReport {
    pub segments: u64,
    /// Partial texts sent (utterances longer than `partial_every`).
    pub partials: u64,
    pub sent: u64,
    pub acked: u64,
    /// Segments dropped because the send buffer overflowed.
    pub dropped_segments: u64,
    /// Audio frames dropped because recognition fell behind.
    pub dropped_audio_frames: u64,
    /// Every segment was acknowledged by the server.
    pub complete: bool,
    /// For live sources (microphone, WAV in real time): milliseconds from
    /// the end of each utterance's speech to its final text being handed
    /// to the sender (the pause that ends an utterance included).
    pub final_latency_ms: Vec<u64>,
}

/// Recognizes utterances and hands their text to the sender; follows the
/// glossary the server sends.
struct Recognizer<'a> {
    asr: Transcriber,
    sender: &'a SegmentSender,
    segments: u64,
    /// Samples between partial texts, and (utterance start, length at the
    /// last partial).
    partial_every: Option<usize>,
    last_partial: (usize, usize),
    partials: u64,
    /// Wall-clock time of audio position 0, for live sources.
    clock: Option<Instant>,
    latencies: Vec<u64>,
}

impl Recognizer<'_> {
    /// Partial text of the utterance under way, when enough new audio has
    /// come since the last one.
    fn partial(&mut self, seg: &LiveSegmenter) -> Result<(), CaptureError> {
        let Some(every) = self.partial_every else {
            return Ok(());
        };
        let Some((_, span)) = seg.open_span() else {
            return Ok(());
        };
        let (start, done) = self.last_partial;
        let done = if start == span.start { done } else { 0 };
        if span.end.saturating_sub(span.start) < done + every {
            return Ok(());
        }
        if self.sender.is_paused() {
            return Ok(());
        }
        let Some(u) = seg.open_utterance() else {
            return Ok(());
        };
        self.last_partial = (span.start, span.end - span.start);
        let text = self.asr.transcribe(&u.samples)?;
        if !text.is_empty() {
            self.partials += 1;
            self.sender.send_partial(Segment {
                start_ms: u.span.start_ms(),
                end_ms: u.span.end_ms(),
                speaker: u.speaker,
                text,
            });
        }
        Ok(())
    }

    fn handle(&mut self, utterances: Vec<Utterance>) -> Result<(), CaptureError> {
        if self.sender.is_paused() && !utterances.is_empty() {
            tracing::debug!(
                utterances = utterances.len(),
                "paused by the clerk: not recognized"
            );
            return Ok(());
        }
        for u in utterances {
            if let Some(terms) = self
                .sender
                .glossary
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take()
            {
                self.asr.set_glossary(&terms);
                tracing::info!(prompt = %self.asr.prompt(), "whisper prompt updated from the server");
            }
            let t = Instant::now();
            let text = self.asr.transcribe(&u.samples)?;
            tracing::debug!(
                audio_ms = u.span.end_ms() - u.span.start_ms(),
                elapsed_ms = t.elapsed().as_millis() as u64,
                "utterance recognized"
            );
            if text.is_empty() {
                continue;
            }
            if let Some(clock) = self.clock {
                let now = clock.elapsed().as_millis() as u64;
                self.latencies.push(now.saturating_sub(u.span.end_ms()));
            }
            self.segments += 1;
            let seg = Segment {
                start_ms: u.span.start_ms(),
                end_ms: u.span.end_ms(),
                speaker: u.speaker,
                text,
            };
            if !self.sender.send_blocking(seg) {
                return Err(CaptureError::Runtime("the segment sender stopped".into()));
            }
        }
        Ok(())
    }
}

/// Runs a capture until the source ends (or `stop`, or `max_duration`).
pub fn run(source: Source, asr: Transcriber, cfg: RunConfig) -> Result<RunReport, CaptureError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| CaptureError::Runtime(e.to_string()))?;
    let sender = {
        let _in_rt = rt.enter();
        SegmentSender::start(cfg.send.clone())
    };
    let mut rec = Recognizer {
        asr,
        sender: &sender,
        segments: 0,
        partial_every: cfg
            .partial_every
            .map(|d| (d.as_secs_f64() * f64::from(SAMPLE_RATE)) as usize)
            .filter(|n| *n > 0),
        last_partial: (usize::MAX, 0),
        partials: 0,
        clock: None,
        latencies: Vec::new(),
    };
    let started = Instant::now();
    if matches!(
        source,
        Source::Wav { realtime: true, .. } | Source::Mic { .. }
    ) {
        rec.clock = Some(started);
    }
    let over = |cfg: &RunConfig| {
        cfg.stop.load(Ordering::Relaxed) || cfg.max_duration.is_some_and(|d| started.elapsed() >= d)
    };
    let mut dropped_audio = 0;
    match source {
        Source::Wav { tracks, realtime } => {
            let n = tracks.channels.len();
            let mut seg = LiveSegmenter::new(SAMPLE_RATE, n, cfg.vad, cfg.channels)?;
            let interleaved: Vec<f32> = (0..tracks.channels[0].len())
                .flat_map(|i| tracks.channels.iter().map(move |c| c[i]))
                .collect();
            if realtime {
                let ring = AudioRing::new(SAMPLE_RATE, n, 30.0);
                dropped_audio =
                    play_through_ring(&ring, interleaved, n, &mut seg, &mut rec, &cfg, over)?;
            } else {
                for piece in interleaved.chunks(SAMPLE_RATE as usize * n) {
                    if over(&cfg) {
                        break;
                    }
                    rec.handle(seg.push(piece)?)?;
                    rec.partial(&seg)?;
                }
            }
            rec.handle(seg.finish()?)?;
        }
        Source::Pcm {
            mut reader,
            rate,
            channels,
            format,
        } => {
            let mut seg = LiveSegmenter::new(rate, channels, cfg.vad, cfg.channels)?;
            let frame = format.width() * channels;
            // 20 ms at a time, whole frames only.
            let mut buf = vec![0u8; (rate as usize / 50).max(1) * frame];
            let mut have = 0;
            let mut samples = Vec::with_capacity(buf.len() / format.width());
            while !over(&cfg) {
                let n = reader
                    .read(&mut buf[have..])
                    .map_err(|e| CaptureError::Stdin(e.to_string()))?;
                if n == 0 {
                    if have % frame != 0 {
                        tracing::warn!(
                            bytes = have % frame,
                            "stdin ended inside a frame; the partial frame is ignored"
                        );
                    }
                    break;
                }
                have += n;
                let whole = have / frame * frame;
                samples.clear();
                decode_pcm(&buf[..whole], format, &mut samples);
                buf.copy_within(whole..have, 0);
                have -= whole;
                rec.handle(seg.push(&samples)?)?;
                rec.partial(&seg)?;
            }
            rec.handle(seg.finish()?)?;
        }
        Source::Mic { device, buffer_s } => {
            let mic = crate::mic::open(device.as_deref(), buffer_s)?;
            tracing::info!(device = %mic.name, rate = mic.rate, channels = mic.channels, "microphone open");
            let mut seg = LiveSegmenter::new(mic.rate, mic.channels, cfg.vad, cfg.channels)?;
            let mut pcm = Vec::new();
            let mut reported = 0;
            let (mut peak, mut count, mut since) = (0f32, 0usize, Instant::now());
            while !over(&cfg) {
                std::thread::sleep(Duration::from_millis(20));
                pcm.clear();
                mic.ring.take(&mut pcm);
                reported = warn_dropped(&mic.ring, reported, rec.sender);
                // The input level, for whoever sets up the counter.
                peak = pcm.iter().fold(peak, |m, s| m.max(s.abs()));
                count += pcm.len();
                if since.elapsed() >= Duration::from_secs(5) {
                    tracing::debug!(
                        samples = count,
                        peak_dbfs = 20.0 * (peak + 1e-9).log10(),
                        "microphone level"
                    );
                    (peak, count, since) = (0.0, 0, Instant::now());
                }
                rec.handle(seg.push(&pcm)?)?;
                rec.partial(&seg)?;
            }
            drop(mic);
            rec.handle(seg.finish()?)?;
            dropped_audio = reported;
        }
    }
    let segments = rec.segments;
    let partials = rec.partials;
    let final_latency_ms = std::mem::take(&mut rec.latencies);
    drop(rec);
    let stats = sender.stats.clone();
    let complete = rt.block_on(sender.finish(cfg.drain));
    let load = |x: &std::sync::atomic::AtomicU64| x.load(Ordering::Relaxed);
    Ok(RunReport {
        segments,
        partials,
        sent: load(&stats.sent),
        acked: load(&stats.acked),
        dropped_segments: load(&stats.dropped),
        dropped_audio_frames: dropped_audio,
        complete,
        final_latency_ms,
    })
}

/// Logs newly dropped audio (counted); returns the count so far.
fn warn_dropped(ring: &AudioRing, reported: u64, sender: &SegmentSender) -> u64 {
    let now = ring.dropped_frames();
    if now > reported {
        sender.add_dropped_audio(now - reported);
        tracing::warn!(
            dropped_frames = now,
            "recognition fell behind: the oldest audio was dropped"
        );
    }
    now
}

/// Plays interleaved 16 kHz audio into `ring` in real time from a producer
/// thread (as a sound card would) while this thread recognizes.
fn play_through_ring(
    ring: &Arc<AudioRing>,
    interleaved: Vec<f32>,
    channels: usize,
    seg: &mut LiveSegmenter,
    rec: &mut Recognizer<'_>,
    cfg: &RunConfig,
    over: impl Fn(&RunConfig) -> bool,
) -> Result<u64, CaptureError> {
    let done = Arc::new(AtomicBool::new(false));
    let halt = Arc::new(AtomicBool::new(false));
    let producer = {
        let mut w = ring.writer();
        let (done, halt) = (done.clone(), halt.clone());
        std::thread::spawn(move || {
            let t0 = Instant::now();
            let piece = SAMPLE_RATE as usize / 50 * channels;
            for (i, chunk) in interleaved.chunks(piece).enumerate() {
                if halt.load(Ordering::Relaxed) {
                    break;
                }
                let due = t0 + Duration::from_millis(20 * i as u64);
                if let Some(wait) = due.checked_duration_since(Instant::now()) {
                    std::thread::sleep(wait);
                }
                w.push(chunk);
            }
            done.store(true, Ordering::Release);
        })
    };
    let mut pcm = Vec::new();
    let mut reported = 0;
    loop {
        let finished = done.load(Ordering::Acquire);
        pcm.clear();
        ring.take(&mut pcm);
        reported = warn_dropped(ring, reported, rec.sender);
        rec.handle(seg.push(&pcm)?)?;
        rec.partial(seg)?;
        if finished || over(cfg) {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    halt.store(true, Ordering::Relaxed);
    let _ = producer.join();
    Ok(reported)
}

/// Little-endian PCM bytes (whole samples) to f32.
pub fn decode_pcm(bytes: &[u8], format: PcmFormat, out: &mut Vec<f32>) {
    match format {
        PcmFormat::S16Le => out.extend(
            bytes
                .chunks_exact(2)
                .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0),
        ),
        PcmFormat::F32Le => out.extend(
            bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .map(|s| {
                    if s.is_finite() {
                        s.clamp(-1.0, 1.0)
                    } else {
                        0.0
                    }
                }),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcm_decodes_and_formats_parse() {
        let mut out = Vec::new();
        decode_pcm(&[0x00, 0x40, 0x00, 0xc0], PcmFormat::S16Le, &mut out);
        assert_eq!(out, [0.5, -0.5]);
        out.clear();
        let mut bytes = 0.25f32.to_le_bytes().to_vec();
        bytes.extend(f32::NAN.to_le_bytes());
        decode_pcm(&bytes, PcmFormat::F32Le, &mut out);
        assert_eq!(out, [0.25, 0.0]);
        assert_eq!("s16le".parse::<PcmFormat>(), Ok(PcmFormat::S16Le));
        assert!("mp3".parse::<PcmFormat>().unwrap_err().contains("s16le"));
    }
}
