//! The counter microphone through cpal. The audio callback converts to f32,
//! keeps at most two channels and pushes into an [`AudioRing`]; it never
//! blocks and never touches the disk.

use std::sync::Arc;

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, SizedSample};

use crate::live::AudioRing;

#[derive(Debug, thiserror::Error)]
pub enum MicError {
    #[error("no audio input device found (connect the counter microphone, or check ALSA/PulseAudio with `arecord -l`)")]
    NoDevice,
    #[error("audio input device \"{0}\" not found (see `madoguchi capture --list-devices`)")]
    NotFound(String),
    #[error("audio input device \"{name}\": {msg}")]
    Device { name: String, msg: String },
    #[error("listing audio devices: {0}")]
    Host(String),
}

/// An input device as `--list-devices` shows it.
#[derive(Debug, Clone)]
pub struct DeviceInfo {
    pub name: String,
    pub is_default: bool,
    /// Default channels and rate, when the device reports them.
    pub channels: Option<u16>,
    pub rate: Option<u32>,
    pub format: Option<String>,
}

/// The input devices of the default host.
pub fn list_devices() -> Result<Vec<DeviceInfo>, MicError> {
    let host = cpal::default_host();
    let default = host.default_input_device().and_then(|d| d.name().ok());
    let devices = host
        .input_devices()
        .map_err(|e| MicError::Host(e.to_string()))?;
    Ok(devices
        .filter_map(|d| {
            let name = d.name().ok()?;
            let cfg = d.default_input_config().ok();
            Some(DeviceInfo {
                is_default: default.as_deref() == Some(name.as_str()),
                channels: cfg.as_ref().map(|c| c.channels()),
                rate: cfg.as_ref().map(|c| c.sample_rate().0),
                format: cfg.as_ref().map(|c| c.sample_format().to_string()),
                name,
            })
        })
        .collect())
}

/// A running microphone. Audio flows into `ring` until this is dropped.
pub struct Mic {
    _stream: cpal::Stream,
    pub ring: Arc<AudioRing>,
    pub rate: u32,
    /// Channels in the ring (1 or 2).
    pub channels: usize,
    pub name: String,
}

/// Opens the named input device (or the default) and starts it. The ring
/// holds `buffer_s` seconds; beyond that the oldest audio is dropped.
pub fn open(name: Option<&str>, buffer_s: f32) -> Result<Mic, MicError> {
    let host = cpal::default_host();
    let device = match name {
        None => host.default_input_device().ok_or(MicError::NoDevice)?,
        Some(want) => host
            .input_devices()
            .map_err(|e| MicError::Host(e.to_string()))?
            .find(|d| d.name().is_ok_and(|n| n == want))
            .ok_or_else(|| MicError::NotFound(want.to_owned()))?,
    };
    let dev_name = device.name().unwrap_or_else(|_| "?".into());
    let derr = |e: &dyn std::fmt::Display| MicError::Device {
        name: dev_name.clone(),
        msg: e.to_string(),
    };
    let supported = device.default_input_config().map_err(|e| derr(&e))?;
    let config: cpal::StreamConfig = supported.config();
    let device_channels = usize::from(config.channels.max(1));
    let channels = device_channels.min(2);
    let rate = config.sample_rate.0;
    let ring = AudioRing::new(rate, channels, buffer_s);
    let stream = match supported.sample_format() {
        cpal::SampleFormat::F32 => build::<f32>(&device, &config, &ring, channels),
        cpal::SampleFormat::I16 => build::<i16>(&device, &config, &ring, channels),
        cpal::SampleFormat::I32 => build::<i32>(&device, &config, &ring, channels),
        cpal::SampleFormat::U16 => build::<u16>(&device, &config, &ring, channels),
        cpal::SampleFormat::U8 => build::<u8>(&device, &config, &ring, channels),
        other => {
            return Err(derr(&format!("sample format {other:?} is not supported")));
        }
    }
    .map_err(|e| derr(&e))?;
    stream.play().map_err(|e| derr(&e))?;
    Ok(Mic {
        _stream: stream,
        ring,
        rate,
        channels,
        name: dev_name,
    })
}

fn build<T>(
    device: &cpal::Device,
    config: &cpal::StreamConfig,
    ring: &Arc<AudioRing>,
    keep: usize,
) -> Result<cpal::Stream, cpal::BuildStreamError>
where
    T: SizedSample + Send + 'static,
    f32: FromSample<T>,
{
    let mut writer = ring.writer();
    let device_channels = usize::from(config.channels.max(1));
    // Reserved once; the callback reuses it.
    let mut buf: Vec<f32> = Vec::with_capacity(16_384);
    device.build_input_stream(
        config,
        move |data: &[T], _: &cpal::InputCallbackInfo| {
            buf.clear();
            for frame in data.chunks(device_channels) {
                buf.extend(
                    frame
                        .iter()
                        .take(keep)
                        .map(|s| <f32 as FromSample<T>>::from_sample_(*s)),
                );
            }
            writer.push(&buf);
        },
        |e| tracing::warn!("audio input: {e}"),
        None,
    )
}
