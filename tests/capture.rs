//! End-to-end tests of `madoguchi transcribe`: the real whisper base model
//! (set up by `make setup`), the project's synthesized counter speech.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

#[allow(dead_code)]
mod common;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/speech")
        .join(name)
}

/// Runs `transcribe --json` on `files`; returns exit success, the JSON lines
/// and stderr.
fn transcribe(
    files: &[PathBuf],
    data: Option<&Path>,
    cwd: &Path,
    tmp: &Path,
) -> (bool, Vec<Value>, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_madoguchi"));
    // One whisper thread per test process: tests run in parallel on 2 cores.
    cmd.arg("transcribe")
        .arg("--json")
        .arg("--threads")
        .arg("1")
        .current_dir(cwd)
        .env("TMPDIR", tmp);
    if let Some(d) = data {
        cmd.arg("--data").arg(d);
    }
    let out = cmd.args(files).output().unwrap();
    let lines = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    (
        out.status.success(),
        lines,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn texts(v: &Value) -> Vec<String> {
    v["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["text"].as_str().unwrap().to_owned())
        .collect()
}

fn speakers(v: &Value) -> Vec<String> {
    v["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["speaker"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn transcribes_counter_speech_and_writes_no_audio() {
    let tmp = tempfile::tempdir().unwrap();
    let data = common::sample_knowledge(tmp.path());
    let cwd = tmp.path().join("cwd");
    let scratch = tmp.path().join("tmp");
    std::fs::create_dir_all(&cwd).unwrap();
    std::fs::create_dir_all(&scratch).unwrap();
    let files: Vec<PathBuf> = [
        "counter_mono_16k.wav",
        "counter_stereo_16k.wav",
        "juminhyo_44k.wav",
        "juminhyo_8k.wav",
        "silence.wav",
        "noise.wav",
    ]
    .iter()
    .map(|f| fixture(f))
    .collect();
    let (ok, out, err) = transcribe(&files, Some(&data), &cwd, &scratch);
    assert!(ok, "{err}");
    assert_eq!(out.len(), 6, "one line per file");

    // The contract's fields.
    for (v, f) in out.iter().zip(&files) {
        assert_eq!(v["file"], f.display().to_string());
        assert!(v["text"].is_string() && v["audio_ms"].is_u64() && v["elapsed_ms"].is_u64());
        let mut last_end = 0;
        for s in v["segments"].as_array().unwrap() {
            let (start, end) = (
                s["start_ms"].as_u64().unwrap(),
                s["end_ms"].as_u64().unwrap(),
            );
            assert!(last_end <= start && start < end, "{v}");
            last_end = end;
            assert!(["staff", "resident", "unknown"].contains(&s["speaker"].as_str().unwrap()));
        }
    }

    // Six turns, heard as six segments; the key words come through.
    let mono = &out[0];
    assert!((25_500..=26_500).contains(&mono["audio_ms"].as_u64().unwrap()));
    let t = texts(mono);
    assert_eq!(t.len(), 6, "{t:?}");
    assert!(
        speakers(mono).iter().all(|s| s == "unknown"),
        "one channel: never invent speakers"
    );
    assert!(t[0].contains("お待たせしました"), "{t:?}");
    assert!(t[1].contains("住民票"), "{t:?}");
    assert!(t[2].contains("本人確認書類"), "{t:?}");
    assert!(t[5].contains("はい"), "{t:?}");
    assert_eq!(mono["text"].as_str().unwrap(), t.concat());

    // Two channels: the clerk on channel 1, the resident on channel 2.
    let stereo = &out[1];
    assert_eq!(
        speakers(stereo),
        ["staff", "resident", "staff", "resident", "staff", "resident"]
    );

    // Other sample rates.
    for v in &out[2..4] {
        assert!(v["text"].as_str().unwrap().contains("本人確認書類"), "{v}");
    }

    // Silence and noise never reach the transcript.
    for v in &out[4..6] {
        assert_eq!(v["segments"].as_array().unwrap().len(), 0, "{v}");
        assert_eq!(v["text"], "");
    }

    // Audio stays in memory: nothing written where the process works.
    for d in [&cwd, &scratch] {
        assert_eq!(
            std::fs::read_dir(d).unwrap().count(),
            0,
            "files appeared in {}",
            d.display()
        );
    }
}

/// `setup --q8` writes the model with 8-bit weights beside it, and that
/// model hears the counter as the default does.
#[test]
fn the_eight_bit_model_set_up_beside_the_default_hears_the_counter() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tmp.path().join("ggml-base.bin");
    std::os::unix::fs::symlink(madoguchi_capture::setup::default_model_path(), &model).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args(["setup", "--q8"])
        .env("MADOGUCHI_WHISPER_MODEL", &model)
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{said}");
    let q8 = tmp.path().join("ggml-base-q8_0.bin");
    assert!(said.contains(&q8.display().to_string()), "{said}");
    let size = |p: &Path| std::fs::metadata(p).unwrap().len();
    assert!(size(&q8) * 10 < size(&model) * 6, "about half the size");

    let data = common::sample_knowledge(tmp.path());
    let out = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args(["transcribe", "--json", "--threads", "1", "--model"])
        .arg(&q8)
        .arg("--data")
        .arg(&data)
        .arg(fixture("counter_mono_16k.wav"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let t = texts(&v);
    assert_eq!(t.len(), 6, "{t:?}");
    assert!(t[1].contains("住民票"), "{t:?}");
    assert!(t[2].contains("本人確認書類"), "{t:?}");

    // Set up again, it is left as it is; a model that is no f16 ggml file
    // is refused with the reason.
    let again = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args(["setup", "--q8"])
        .env("MADOGUCHI_WHISPER_MODEL", &model)
        .output()
        .unwrap();
    assert!(again.status.success());
    let bogus = tmp.path().join("bogus.bin");
    std::fs::write(&bogus, b"not a model").unwrap();
    let refused = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args(["setup", "--q8"])
        .env("MADOGUCHI_WHISPER_MODEL", &bogus)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("not a ggml whisper model"), "{err}");
    assert!(!tmp.path().join("bogus-q8_0.bin").exists());
}

#[test]
fn bad_audio_is_reported_by_name_and_the_rest_transcribed() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("broken.wav");
    std::fs::write(&bad, b"RIFF\x10\x00\x00\x00WAVEjunkjunk").unwrap();
    let missing = tmp.path().join("missing.wav");
    let files = vec![bad.clone(), fixture("juminhyo_44k.wav"), missing.clone()];
    let (ok, out, err) = transcribe(&files, None, tmp.path(), tmp.path());
    assert!(!ok, "a failed file makes the exit status non-zero");
    assert_eq!(out.len(), 1);
    assert!(
        out[0]["text"].as_str().unwrap().contains("住民票"),
        "{:?}",
        out[0]
    );
    assert!(
        err.contains("broken.wav") && err.contains("missing.wav"),
        "{err}"
    );
    // A prompt longer than whisper takes is refused before any work, by name.
    let out = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args(["transcribe", "--prompt-chars", "300"])
        .arg(fixture("juminhyo_44k.wav"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("--prompt-chars") && err.contains("200"),
        "{err}"
    );
}

#[test]
fn capture_sends_each_final_segment_to_the_server() {
    use madoguchi_capture::send::reference::{serve, Seen};
    use std::sync::{Arc, Mutex};
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Seen::default()));
    rt.spawn(serve(listener, seen.clone(), "secret"));

    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args([
            "capture",
            "--server",
            &format!("ws://{addr}/ws/capture"),
            "--counter",
            "窓口1",
            "--fast",
            "--threads",
            "1",
        ])
        .arg("--input")
        .arg(fixture("counter_stereo_16k.wav"))
        .env("MADOGUCHI_COUNTER_TOKEN", "secret")
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("acknowledged 6"), "{err}");
    let s = seen.lock().unwrap();
    let who: Vec<_> = s
        .stored
        .iter()
        .map(|m| format!("{:?}", m.speaker))
        .collect();
    assert_eq!(
        who,
        ["Staff", "Resident", "Staff", "Resident", "Staff", "Resident"]
    );
    assert!(s
        .stored
        .iter()
        .all(|m| m.counter == "窓口1" && !m.text.is_empty() && m.start_ms < m.end_ms));
    assert!(s.stored[2].text.contains("本人確認"), "{:?}", s.stored[2]);
    assert_eq!(
        (s.other_frames, s.bad_frames),
        (0, 0),
        "only segment text frames leave"
    );
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        0,
        "no audio written"
    );
}

/// Starts the reference receiver; returns its URL and what it saw.
fn receiver(
    rt: &tokio::runtime::Runtime,
    glossary: Option<Vec<String>>,
) -> (
    String,
    std::sync::Arc<std::sync::Mutex<madoguchi_capture::send::reference::Seen>>,
) {
    use madoguchi_capture::send::reference::{serve, Seen};
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Seen {
        glossary,
        ..Seen::default()
    }));
    rt.spawn(serve(listener, seen.clone(), "secret"));
    (format!("ws://{addr}/ws/capture"), seen)
}

/// The microphone path for real: cpal opens ALSA's default capture device,
/// which an ALSA configuration in a private HOME points at the stereo
/// fixture (44.1 kHz float, as a sound card delivers it). The callback,
/// ring, streaming resampler and VAD, whisper and the sender all run as at
/// a counter.
#[test]
fn microphone_path_hears_both_speakers_and_sends_only_text() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let cwd = tmp.path().join("cwd");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&cwd).unwrap();
    let tracks = madoguchi_capture::audio::decode_wav(
        &std::fs::read(fixture("counter_stereo_16k.wav")).unwrap(),
    )
    .unwrap();
    let up: Vec<Vec<f32>> = tracks
        .channels
        .iter()
        .map(|c| madoguchi_capture::audio::resample(c, 16_000, 44_100).unwrap())
        .collect();
    let mut raw = Vec::new();
    for (l, r) in up[0].iter().zip(&up[1]) {
        raw.extend(l.to_le_bytes());
        raw.extend(r.to_le_bytes());
    }
    // ALSA's file plugin reads capture data from `infile` with no clock of
    // its own: a FIFO paces it. The speech goes in at once (the ring holds
    // it), then silence in real time until the run ends.
    let asoundrc = |infile: &Path| {
        format!(
            "pcm.!default {{\n type file\n slave.pcm \"null\"\n file \"/dev/null\"\n infile \"{}\"\n format \"raw\"\n}}\n",
            infile.display()
        )
    };
    let plain = tmp.path().join("mic.raw");
    std::fs::write(&plain, &raw).unwrap();
    std::fs::write(home.join(".asoundrc"), asoundrc(&plain)).unwrap();
    let listed = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args(["capture", "--list-devices"])
        .env("HOME", &home)
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    assert!(
        listed.contains("default [default]\t(2 ch, 44100 Hz, f32)"),
        "{listed}"
    );
    let fifo = tmp.path().join("mic.fifo");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    std::fs::write(home.join(".asoundrc"), asoundrc(&fifo)).unwrap();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let feeder = {
        let (fifo, done) = (fifo.clone(), done.clone());
        std::thread::spawn(move || {
            use std::io::Write;
            use std::sync::atomic::Ordering;
            let silence = vec![0u8; 44_100 / 50 * 8];
            // The device may be opened (and closed) more than once while it
            // is set up: start again on each new reader.
            while !done.load(Ordering::Relaxed) {
                let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(&fifo) else {
                    return;
                };
                if f.write_all(&raw).is_err() {
                    continue;
                }
                while !done.load(Ordering::Relaxed) {
                    if f.write_all(&silence).is_err() {
                        return;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
            }
        })
    };

    let rt = tokio::runtime::Runtime::new().unwrap();
    let (url, seen) = receiver(
        &rt,
        Some(vec!["住民票の写し".into(), "本人確認書類".into()]),
    );
    let out = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args(["capture", "--server", &url, "--counter", "窓口2"])
        .args(["--input", "mic", "--device", "default"])
        .args([
            "--seconds",
            "25",
            "--buffer-seconds",
            "120",
            "--threads",
            "1",
        ])
        .arg("--model")
        .arg(madoguchi_capture::setup::default_model_path())
        .env("MADOGUCHI_COUNTER_TOKEN", "secret")
        .env("MADOGUCHI_LOG", "info")
        .env("HOME", &home)
        .current_dir(&cwd)
        .output()
        .unwrap();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    // Unblock a feeder still waiting for a reader (a non-blocking open of
    // the reading end never waits itself; 0o4000 is O_NONBLOCK on Linux).
    {
        use std::os::unix::fs::OpenOptionsExt;
        drop(
            std::fs::OpenOptions::new()
                .read(true)
                .custom_flags(0o4000)
                .open(&fifo),
        );
    }
    let _ = feeder.join();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("microphone open"), "{err}");
    assert!(
        err.contains("whisper prompt updated from the server"),
        "{err}"
    );
    let s = seen.lock().unwrap();
    let mut turns: Vec<_> = s
        .stored
        .iter()
        .map(|m| format!("{:?}", m.speaker))
        .collect();
    // Through ALSA's file plugin the run is not deterministic: a turn can
    // arrive cut in two at a pause (seen: はい、 | 分かりました), where the
    // same audio as a file gives six segments every time. The turns and who
    // spoke each are what this test is about.
    turns.dedup();
    assert_eq!(
        turns,
        ["Staff", "Resident", "Staff", "Resident", "Staff", "Resident"],
        "{:?}\n{err}",
        s.stored
    );
    assert!(
        s.stored
            .iter()
            .any(|m| format!("{:?}", m.speaker) == "Resident" && m.text.contains("住民票")),
        "{:?}",
        s.stored
    );
    // Only text frames left the process, and nothing was written.
    assert_eq!((s.other_frames, s.bad_frames), (0, 0));
    assert_eq!(std::fs::read_dir(&cwd).unwrap().count(), 0);
}

#[test]
fn raw_pcm_on_stdin_is_heard_like_a_file() {
    use std::io::Write;
    let tracks = madoguchi_capture::audio::decode_wav(
        &std::fs::read(fixture("counter_mono_16k.wav")).unwrap(),
    )
    .unwrap();
    let pcm: Vec<u8> = tracks.channels[0]
        .iter()
        .flat_map(|s| ((s * 32767.0) as i16).to_le_bytes())
        .collect();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (url, seen) = receiver(&rt, None);
    let tmp = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args([
            "capture",
            "--server",
            &url,
            "--counter",
            "窓口3",
            "--input",
            "-",
        ])
        .args(["--partial-ms", "1000"])
        .args([
            "--rate",
            "16000",
            "--channels",
            "1",
            "--format",
            "s16le",
            "--threads",
            "1",
        ])
        .env("MADOGUCHI_COUNTER_TOKEN", "secret")
        .current_dir(tmp.path())
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // An odd piece size: frames split across reads must not matter.
    for piece in pcm.chunks(3001) {
        stdin.write_all(piece).unwrap();
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let s = seen.lock().unwrap();
    assert_eq!(s.stored.len(), 6, "{err}");
    assert!(s
        .stored
        .iter()
        .all(|m| format!("{:?}", m.speaker) == "Unknown"));
    assert!(
        s.stored[0].text.contains("お待たせしました"),
        "{:?}",
        s.stored[0]
    );

    // Wrong options get a clear error.
    for (option, value, message) in [
        ("--format", "mp3", "s16le"),
        ("--channels", "3", "3 channels"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
            .args([
                "capture",
                "--server",
                &url,
                "--counter",
                "c",
                "--input",
                "-",
            ])
            .args([option, value, "--threads", "1"])
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(!out.status.success(), "{option} {value}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(message),
            "{option} {value}"
        );
    }
}
