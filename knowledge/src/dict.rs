//! The IPADIC morphological dictionary: built once from Debian's mecab-ipadic
//! source (EUC-JP CSVs) with lindera's `DictionaryBuilder`, cached on disk,
//! loaded (memory-mapped) at start-up.
//!
//! Nothing here touches the network: lindera's `embed-*` features download at
//! build time, so they are not used.

use std::fs;
use std::path::{Path, PathBuf};

use lindera_dictionary::builder::DictionaryBuilder;
use lindera_dictionary::dictionary::metadata::Metadata;

use crate::KnowledgeError;

/// Where Debian's `mecab-ipadic` package puts the dictionary source.
pub const DEFAULT_SOURCE: &str = "/usr/share/mecab/dic/ipadic";
const METADATA_JSON: &str = include_str!("../assets/ipadic-metadata.json");
/// Bumped when the way we build the dictionary changes, so caches rebuild.
const BUILD_TAG: &str = "ipadic-2.7.0-lindera-6.2-h";

/// Dictionary locations, from the environment with defaults.
#[derive(Debug, Clone)]
pub struct DictPaths {
    /// The mecab-ipadic source directory (EUC-JP CSV and .def files).
    pub source: PathBuf,
    /// The built lindera dictionary directory.
    pub built: PathBuf,
}

impl DictPaths {
    /// `MADOGUCHI_IPADIC_SRC` and `MADOGUCHI_DICT` override the defaults:
    /// Debian's source directory, and `$XDG_CACHE_HOME/madoguchi/<tag>`
    /// (or `~/.cache/madoguchi/<tag>`).
    pub fn from_env() -> Self {
        let source = std::env::var_os("MADOGUCHI_IPADIC_SRC")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_SOURCE));
        let built = std::env::var_os("MADOGUCHI_DICT")
            .map(PathBuf::from)
            .unwrap_or_else(|| cache_dir().join(BUILD_TAG));
        DictPaths { source, built }
    }
}

pub(crate) fn cache_dir() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(x).join("madoguchi");
    }
    if let Some(h) = std::env::var_os("HOME") {
        return PathBuf::from(h).join(".cache").join("madoguchi");
    }
    std::env::temp_dir().join("madoguchi-cache")
}

/// True when `dir` holds a complete built dictionary.
pub fn is_built(dir: &Path) -> bool {
    dir.join(".complete").exists()
}

/// Builds the dictionary unless the cache already holds it. Returns the
/// directory to load. Safe to call from several processes at once: each
/// builds into its own temporary directory and the first rename wins.
pub fn ensure_built(paths: &DictPaths) -> Result<PathBuf, KnowledgeError> {
    if is_built(&paths.built) {
        return Ok(paths.built.clone());
    }
    if !paths.source.join("Noun.csv").exists() {
        return Err(KnowledgeError::Dictionary(format!(
            "IPADIC source not found at {} (install Debian's mecab-ipadic package: \
             `apt-get install mecab-ipadic`, or run `make setup`; \
             or set MADOGUCHI_IPADIC_SRC)",
            paths.source.display()
        )));
    }
    let parent = paths
        .built
        .parent()
        .ok_or_else(|| KnowledgeError::Dictionary("invalid dictionary path".into()))?;
    fs::create_dir_all(parent).map_err(|e| io_err(parent, e))?;
    let staging = parent.join(format!(
        ".staging-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    let utf8_src = staging.join("src");
    let out = staging.join("dict");
    fs::create_dir_all(&utf8_src).map_err(|e| io_err(&utf8_src, e))?;
    let result = (|| {
        convert_source(&paths.source, &utf8_src)?;
        let metadata: Metadata = serde_json::from_str(METADATA_JSON)
            .map_err(|e| KnowledgeError::Dictionary(format!("bundled metadata: {e}")))?;
        DictionaryBuilder::new(metadata)
            .build_dictionary(&utf8_src, &out)
            .map_err(|e| KnowledgeError::Dictionary(format!("building dictionary: {e}")))?;
        write_kanji_readings(&utf8_src, &out.join(KANJI_READINGS))?;
        write_names(&utf8_src, "姓", &out.join(FAMILY_NAMES))?;
        write_names(&utf8_src, "名", &out.join(GIVEN_NAMES))?;
        write_names(&utf8_src, "一般", &out.join(PERSON_NAMES))?;
        write_family_name_readings(&utf8_src, &out.join(FAMILY_NAME_READINGS))?;
        write_name_column(&utf8_src, "名", READING, &out.join(GIVEN_NAME_READINGS))?;
        write_katakana_words(&utf8_src, &out.join(KATAKANA_WORDS))?;
        fs::write(out.join(".complete"), BUILD_TAG).map_err(|e| io_err(&out, e))?;
        match fs::rename(&out, &paths.built) {
            Ok(()) => {
                // Builds of earlier versions beside it in the cache (46 MB
                // each) are no longer read by this version.
                if paths.built.file_name().is_some_and(|n| n == BUILD_TAG) {
                    remove_stale_builds(parent);
                }
                Ok(())
            }
            // Another process finished first: its copy is as good as ours.
            Err(_) if is_built(&paths.built) => Ok(()),
            Err(e) => Err(io_err(&paths.built, e)),
        }
    })();
    let _ = fs::remove_dir_all(&staging);
    result.map(|()| paths.built.clone())
}

/// Removes complete dictionary builds of other versions from the cache
/// folder `parent` (named `ipadic-…-lindera-…`, holding `.complete`).
/// Best effort: a build another process still has mapped stays readable
/// to it until it exits.
fn remove_stale_builds(parent: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if name != BUILD_TAG
            && name.starts_with("ipadic-")
            && name.contains("-lindera-")
            && is_built(&path)
        {
            let _ = fs::remove_dir_all(&path);
        }
    }
}

/// The file, beside the built dictionary, of the readings each kanji has as
/// a word of its own: `kanji<TAB>reading reading …`.
pub const KANJI_READINGS: &str = "kanji-readings.tsv";

/// Collects the readings of one-kanji entries that are common nouns,
/// suffixes or prefixes (刀: カタナ トウ; 出: シュツ デ). The analyzer
/// reads a lone kanji one way; the recognizer's term correction tries the
/// others (戸籍刀本 is 戸籍謄本 when 刀 is read トウ).
fn write_kanji_readings(src: &Path, dst: &Path) -> Result<(), KnowledgeError> {
    let mut readings: std::collections::BTreeMap<char, Vec<String>> = Default::default();
    for file in [
        "Noun.csv",
        "Noun.verbal.csv",
        "Noun.adjv.csv",
        "Suffix.csv",
        "Prefix.csv",
    ] {
        let path = src.join(file);
        let Ok(text) = fs::read_to_string(&path) else {
            continue;
        };
        for line in text.lines() {
            let cols: Vec<&str> = line.split(',').collect();
            let mut chars = cols[0].chars();
            let (Some(c), None) = (chars.next(), chars.next()) else {
                continue;
            };
            let Some(reading) = cols.get(11).filter(|r| !r.is_empty() && **r != "*") else {
                continue;
            };
            if !crate::normalize::is_kanji(c) {
                continue;
            }
            let list = readings.entry(c).or_default();
            if !list.iter().any(|r| r == reading) {
                list.push((*reading).to_owned());
            }
        }
    }
    let text: String = readings
        .iter()
        .map(|(c, rs)| format!("{c}\t{}\n", rs.join(" ")))
        .collect();
    fs::write(dst, text).map_err(|e| io_err(dst, e))
}

/// The file, beside the built dictionary, of the family names the
/// dictionary knows, one a line. The analyzer tags 石川 or 中野 in a text
/// as places; the masker asks whether they are also family names.
pub const FAMILY_NAMES: &str = "family-names.txt";

/// Every reading of a family name the dictionary knows, in katakana, one a
/// line ([`write_family_name_readings`]).
pub const FAMILY_NAME_READINGS: &str = "family-name-readings.txt";

/// Every reading of a given name the dictionary knows, in katakana, one a
/// line (忠康: タダヤス): a given name the recognizer writes in hiragana
/// may sound any of them, whatever the analysis reads its kanji as.
pub const GIVEN_NAME_READINGS: &str = "given-name-readings.txt";

/// The given names the dictionary knows, likewise: 一郎 is read as 一 + 郎
/// in 長男の一郎が, さつき as a place.
pub const GIVEN_NAMES: &str = "given-names.txt";

/// The other person names the dictionary knows, mostly foreign names in
/// katakana (ジャネット, ノア) and famous full names: in a text it may read
/// ノア or アヤ as something else.
pub const PERSON_NAMES: &str = "person-names.txt";

/// Writes the person names of one part (`姓`, `名` or `一般`) of IPADIC's
/// name list.
fn write_names(src: &Path, part: &str, dst: &Path) -> Result<(), KnowledgeError> {
    write_name_column(src, part, SURFACE, dst)
}

/// Writes every reading the dictionary gives a family name (栗原: クリハラ
/// and クリバラ), in katakana, one a line: a family name the recognizer
/// writes as it heard it may sound any of them.
fn write_family_name_readings(src: &Path, dst: &Path) -> Result<(), KnowledgeError> {
    write_name_column(src, "姓", READING, dst)
}

/// The katakana words of two letters or more the dictionary knows, none
/// of them ever a person name (スマート, フォン, ヤマハ, ジャワ), sorted, one a
/// line: against its katakana person names, they teach the masker how
/// foreign names look ([`write_katakana_words`]).
pub const KATAKANA_WORDS: &str = "katakana-words.txt";

/// Writes [`KATAKANA_WORDS`] from every CSV of the source.
fn write_katakana_words(src: &Path, dst: &Path) -> Result<(), KnowledgeError> {
    let katakana =
        |w: &str| w.chars().count() >= 2 && w.chars().all(|c| matches!(c, 'ァ'..='ヺ' | 'ー'));
    let mut words = std::collections::BTreeSet::new();
    let mut persons = std::collections::HashSet::new();
    let entries = fs::read_dir(src).map_err(|e| io_err(src, e))?;
    for entry in entries {
        let path = entry.map_err(|e| io_err(src, e))?.path();
        if path.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        let text = fs::read_to_string(&path).map_err(|e| io_err(&path, e))?;
        for line in text.lines() {
            let cols: Vec<&str> = line.split(',').collect();
            let Some(&surface) = cols.first().filter(|w| katakana(w)) else {
                continue;
            };
            if cols.get(6) == Some(&"人名") {
                persons.insert(surface.to_owned());
            } else {
                words.insert(surface.to_owned());
            }
        }
    }
    let out: String = words
        .iter()
        .filter(|w| !persons.contains(*w))
        .map(|w| format!("{w}\n"))
        .collect();
    fs::write(dst, out).map_err(|e| io_err(dst, e))
}

/// Columns of IPADIC's CSV: the word as written, and its reading.
const SURFACE: usize = 0;
const READING: usize = 11;

/// Writes one column of the entries of one part of IPADIC's name list, each
/// value once, sorted, one a line.
fn write_name_column(
    src: &Path,
    part: &str,
    column: usize,
    dst: &Path,
) -> Result<(), KnowledgeError> {
    let path = src.join("Noun.name.csv");
    let text = fs::read_to_string(&path).map_err(|e| io_err(&path, e))?;
    let values: std::collections::BTreeSet<&str> = text
        .lines()
        .filter_map(|l| {
            let cols: Vec<&str> = l.split(',').collect();
            (cols.get(6) == Some(&"人名") && cols.get(7) == Some(&part))
                .then(|| cols.get(column).copied())
                .flatten()
                .filter(|v| !v.is_empty() && *v != "*")
        })
        .collect();
    let out: String = values.iter().map(|v| format!("{v}\n")).collect();
    fs::write(dst, out).map_err(|e| io_err(dst, e))
}

/// Copies the source directory to `dst`, converting EUC-JP text to UTF-8.
fn convert_source(src: &Path, dst: &Path) -> Result<(), KnowledgeError> {
    let entries = fs::read_dir(src).map_err(|e| io_err(src, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| io_err(src, e))?;
        let path = entry.path();
        let name = entry.file_name();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "csv" | "def") {
            continue;
        }
        let text = read_source_text(&path)?;
        let target = dst.join(name);
        fs::write(&target, text).map_err(|e| io_err(&target, e))?;
    }
    Ok(())
}

/// A source file of IPADIC as text: UTF-8, or EUC-JP as Debian ships it.
pub(crate) fn read_source_text(path: &Path) -> Result<String, KnowledgeError> {
    let bytes = fs::read(path).map_err(|e| io_err(path, e))?;
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(e) => {
            let (text, _, had_errors) = encoding_rs::EUC_JP.decode(e.as_bytes());
            if had_errors {
                return Err(KnowledgeError::Dictionary(format!(
                    "{} is neither UTF-8 nor EUC-JP",
                    path.display()
                )));
            }
            Ok(text.into_owned())
        }
    }
}

pub(crate) fn io_err(path: &Path, e: std::io::Error) -> KnowledgeError {
    KnowledgeError::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_of_other_versions_are_removed_and_nothing_else() {
        let tmp = tempfile::tempdir().unwrap();
        let make = |name: &str, complete: bool| {
            let d = tmp.path().join(name);
            fs::create_dir_all(&d).unwrap();
            if complete {
                fs::write(d.join(".complete"), "x").unwrap();
            }
            d
        };
        let old = make("ipadic-2.7.0-lindera-6.2-a", true);
        let current = make(BUILD_TAG, true);
        let half = make("ipadic-2.7.0-lindera-6.2-z", false);
        let whisper = make("whisper", true);
        remove_stale_builds(tmp.path());
        assert!(!old.exists());
        assert!(current.exists() && half.exists() && whisper.exists());
    }
}
