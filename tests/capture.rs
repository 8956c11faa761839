//! End-to-end tests of `madoguchi transcribe`: the real whisper base model
//! (set up by `make setup`), the project's synthesized counter speech.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/speech")
        .join(name)
}

/// A knowledge base with the sample manuals, for the glossary prompt.
fn knowledge(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    let manuals = dir.join("manuals");
    madoguchi::manuals::write_to(&manuals).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args([
            "knowledge",
            "import",
            manuals.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    data
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
    let data = knowledge(tmp.path());
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

    // No microphone in this build yet: a clear message, not a silent exit.
    let out = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args([
            "capture",
            "--server",
            "ws://127.0.0.1:9/x",
            "--counter",
            "c",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--input <FILE.wav>"));
}
