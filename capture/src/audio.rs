//! Audio in: WAV (any common rate, mono or stereo, 16/24/32-bit integer or
//! float) decoded in memory and resampled to 16 kHz mono per channel.
//! Nothing here writes audio anywhere.

use rubato::{FftFixedIn, Resampler};

/// The rate whisper wants.
pub const SAMPLE_RATE: u32 = 16_000;

#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    #[error("cannot read WAV: {0}")]
    Wav(String),
    #[error("unsupported WAV format: {0}")]
    Format(String),
    #[error("resampling: {0}")]
    Resample(String),
}

/// Decoded audio: one 16 kHz f32 track per input channel (at most two).
#[derive(Debug, Clone)]
pub struct Tracks {
    pub channels: Vec<Vec<f32>>,
}

impl Tracks {
    /// Length in milliseconds.
    pub fn duration_ms(&self) -> u64 {
        self.channels
            .first()
            .map_or(0, |c| c.len() as u64 * 1000 / u64::from(SAMPLE_RATE))
    }
}

/// Decodes a WAV file's bytes into 16 kHz tracks.
pub fn decode_wav(bytes: &[u8]) -> Result<Tracks, AudioError> {
    let mut r = hound::WavReader::new(std::io::Cursor::new(bytes))
        .map_err(|e| AudioError::Wav(e.to_string()))?;
    let spec = r.spec();
    let ch = spec.channels as usize;
    if ch == 0 || ch > 2 {
        return Err(AudioError::Format(format!(
            "{ch} channels (use mono, or stereo from a two-channel counter microphone)"
        )));
    }
    if !(8_000..=192_000).contains(&spec.sample_rate) {
        return Err(AudioError::Format(format!(
            "sample rate {} Hz",
            spec.sample_rate
        )));
    }
    let samples: Vec<f32> = match (spec.sample_format, spec.bits_per_sample) {
        (hound::SampleFormat::Float, 32) => r.samples::<f32>().collect::<Result<_, _>>(),
        (hound::SampleFormat::Int, bits @ (8 | 16 | 24 | 32)) => {
            let scale = 1.0 / (1u64 << (bits - 1)) as f32;
            r.samples::<i32>()
                .map(|s| s.map(|v| v as f32 * scale))
                .collect::<Result<_, _>>()
        }
        (fmt, bits) => return Err(AudioError::Format(format!("{fmt:?} {bits}-bit samples"))),
    }
    .map_err(|e| AudioError::Wav(e.to_string()))?;
    let mut channels = vec![Vec::with_capacity(samples.len() / ch); ch];
    for frame in samples.chunks_exact(ch) {
        for (c, s) in frame.iter().enumerate() {
            // Float WAVs may hold NaN or ±inf; they must not reach the FFT.
            channels[c].push(if s.is_finite() {
                s.clamp(-1.0, 1.0)
            } else {
                0.0
            });
        }
    }
    let channels = channels
        .into_iter()
        .map(|c| resample(&c, spec.sample_rate, SAMPLE_RATE))
        .collect::<Result<_, _>>()?;
    Ok(Tracks { channels })
}

/// Resamples one channel (FFT resampler, whole signal, delay removed).
pub fn resample(input: &[f32], from: u32, to: u32) -> Result<Vec<f32>, AudioError> {
    if from == to || input.is_empty() {
        return Ok(input.to_vec());
    }
    let err = |e: &dyn std::fmt::Display| AudioError::Resample(e.to_string());
    let chunk = 1024;
    let mut r =
        FftFixedIn::<f32>::new(from as usize, to as usize, chunk, 2, 1).map_err(|e| err(&e))?;
    let delay = r.output_delay();
    let want = (input.len() as u64 * u64::from(to) / u64::from(from)) as usize;
    let mut out = Vec::with_capacity(want + delay + chunk);
    let mut pos = 0;
    while pos + r.input_frames_next() <= input.len() {
        let n = r.input_frames_next();
        let block = r
            .process(&[&input[pos..pos + n]], None)
            .map_err(|e| err(&e))?;
        out.extend_from_slice(&block[0]);
        pos += n;
    }
    let rest = &input[pos..];
    let block = r
        .process_partial(Some(&[rest]), None)
        .map_err(|e| err(&e))?;
    out.extend_from_slice(&block[0]);
    // Flush the filter's delay.
    while out.len() < want + delay {
        let block = r
            .process_partial::<&[f32]>(None, None)
            .map_err(|e| err(&e))?;
        if block[0].is_empty() {
            break;
        }
        out.extend_from_slice(&block[0]);
    }
    let end = (delay + want).min(out.len());
    Ok(out[delay.min(end)..end].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav(rate: u32, channels: u16, bits: u16, float: bool, frames: &[Vec<f32>]) -> Vec<u8> {
        let spec = hound::WavSpec {
            channels,
            sample_rate: rate,
            bits_per_sample: bits,
            sample_format: if float {
                hound::SampleFormat::Float
            } else {
                hound::SampleFormat::Int
            },
        };
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut w = hound::WavWriter::new(&mut buf, spec).unwrap();
            for f in frames {
                for &s in f {
                    if float {
                        w.write_sample(s).unwrap();
                    } else {
                        let max = ((1i64 << (bits - 1)) - 1) as f32;
                        w.write_sample((s * max) as i32).unwrap();
                    }
                }
            }
            w.finalize().unwrap();
        }
        buf.into_inner()
    }

    fn tone(rate: u32, secs: f32, hz: f32) -> Vec<f32> {
        (0..(rate as f32 * secs) as usize)
            .map(|i| 0.5 * (i as f32 * hz * std::f32::consts::TAU / rate as f32).sin())
            .collect()
    }

    #[test]
    fn decodes_every_common_format_to_16k() {
        for (rate, bits, float) in [
            (16_000, 16, false),
            (44_100, 16, false),
            (8_000, 16, false),
            (48_000, 24, false),
            (22_050, 32, true),
        ] {
            let t = tone(rate, 1.0, 440.0);
            let frames: Vec<Vec<f32>> = t.iter().map(|&s| vec![s]).collect();
            let tracks = decode_wav(&wav(rate, 1, bits, float, &frames)).unwrap();
            assert_eq!(tracks.channels.len(), 1);
            let n = tracks.channels[0].len();
            assert!((15_900..=16_100).contains(&n), "{rate} Hz → {n} samples");
            let peak = tracks.channels[0].iter().fold(0f32, |m, s| m.max(s.abs()));
            assert!((0.4..0.6).contains(&peak), "{rate} Hz peak {peak}");
        }
    }

    #[test]
    fn stereo_keeps_channels_apart() {
        let left = tone(16_000, 0.5, 300.0);
        let frames: Vec<Vec<f32>> = left.iter().map(|&s| vec![s, 0.0]).collect();
        let t = decode_wav(&wav(16_000, 2, 16, false, &frames)).unwrap();
        assert_eq!(t.channels.len(), 2);
        assert!(t.channels[1].iter().all(|s| *s == 0.0));
        assert!(t.channels[0].iter().any(|s| s.abs() > 0.3));
    }

    #[test]
    fn bad_audio_gets_clear_errors() {
        assert!(matches!(
            decode_wav(b"RIFF....WAVEjunk"),
            Err(AudioError::Wav(_))
        ));
        assert!(matches!(decode_wav(b""), Err(AudioError::Wav(_))));
        let frames = vec![vec![0.0; 3]; 10];
        assert!(matches!(
            decode_wav(&wav(16_000, 3, 16, false, &frames)),
            Err(AudioError::Format(_))
        ));
    }
}
