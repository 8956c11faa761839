//! More person names than IPADIC lists: the person names of UniDic 3.1.1,
//! from Debian's `unidic-mecab` package. IPADIC knows 12,000 family and
//! 18,000 given names; UniDic 17,000 and 35,000 more, and 32,000 other
//! person names (mostly foreign names in katakana). The masker asks them
//! whether a word is a name (柳町, 野溝, 光男 of 柳町光男); the analyzer
//! still reads text with IPADIC alone.
//!
//! `madoguchi setup` fetches them once: `apt-get download unidic-mecab`
//! (about 1 GB), the lexicon's person-name rows taken out of the package
//! without installing it (about 30 s), written as three lists under
//! `~/.cache/madoguchi/<NAMES_TAG>`, and the package file deleted. Without
//! them the masker works from IPADIC's lists alone.
//!
//! Only names of two characters or more that are not all hiragana (しま,
//! はんこ), no number or date (九十九, 四月一日), and no common word to
//! IPADIC (カード, 山道 and 垣根 are names in UniDic too) are kept.
//!
//! Run as root, apt-get warns that its sandbox user cannot write the
//! download folder and downloads unsandboxed; that warning is harmless.

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::dict::io_err;
use crate::KnowledgeError;

/// The cache folder's name: the UniDic version and this list's format.
pub const NAMES_TAG: &str = "unidic-3.1.1-names-a";

/// The Debian package the names come from.
pub const PACKAGE: &str = "unidic-mecab";

/// The lexicon inside it.
const LEXICON: &str = "./usr/share/mecab/dic/unidic/lex_3_1.csv";

/// The lists written, one name a line, sorted.
pub const FAMILY: &str = "family-names.txt";
pub const GIVEN: &str = "given-names.txt";
pub const PERSON: &str = "person-names.txt";

/// Where the lists are: `MADOGUCHI_NAMES`, or the cache folder.
pub fn names_dir() -> PathBuf {
    std::env::var_os("MADOGUCHI_NAMES")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::dict::cache_dir().join(NAMES_TAG))
}

/// Whether `dir` holds the lists.
pub fn is_fetched(dir: &Path) -> bool {
    dir.join(".complete").exists()
}

/// The three lists of `dir`, empty when they were never fetched.
pub(crate) struct MoreNames {
    pub family: HashSet<String>,
    pub given: HashSet<String>,
    pub person: HashSet<String>,
}

pub(crate) fn load(dir: &Path) -> MoreNames {
    let fetched = is_fetched(dir);
    let list = |file: &str| -> HashSet<String> {
        if !fetched {
            return HashSet::new();
        }
        fs::read_to_string(dir.join(file))
            .unwrap_or_default()
            .lines()
            .filter(|n| !number_like(n))
            .map(str::to_owned)
            .collect()
    };
    MoreNames {
        family: list(FAMILY),
        given: list(GIVEN),
        person: list(PERSON),
    }
}

/// Fetches the lists into `dir` unless they are there. `ipadic_source` is
/// IPADIC's CSV folder (what is a common word there is left out).
pub fn ensure_fetched(dir: &Path, ipadic_source: &Path) -> Result<PathBuf, KnowledgeError> {
    if is_fetched(dir) {
        return Ok(dir.to_path_buf());
    }
    let parent = dir
        .parent()
        .ok_or_else(|| KnowledgeError::Dictionary("invalid names path".into()))?;
    fs::create_dir_all(parent).map_err(|e| io_err(parent, e))?;
    let staging = parent.join(format!(".names-staging-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    fs::create_dir_all(&staging).map_err(|e| io_err(&staging, e))?;
    let result = (|| {
        let rows = person_rows(&download(&staging)?)?;
        let common = common_words(ipadic_source)?;
        let out = staging.join("names");
        fs::create_dir_all(&out).map_err(|e| io_err(&out, e))?;
        for (file, part) in [(FAMILY, "姓"), (GIVEN, "名"), (PERSON, "一般")] {
            let names: BTreeSet<&str> = rows
                .iter()
                .filter(|(_, p)| p == part)
                .map(|(n, _)| n.as_str())
                .filter(|n| kept(n, &common))
                .collect();
            let text: String = names.iter().map(|n| format!("{n}\n")).collect();
            let path = out.join(file);
            fs::write(&path, text).map_err(|e| io_err(&path, e))?;
        }
        fs::write(out.join(".complete"), NAMES_TAG).map_err(|e| io_err(&out, e))?;
        match fs::rename(&out, dir) {
            Ok(()) => Ok(()),
            // Another process finished first.
            Err(_) if is_fetched(dir) => Ok(()),
            Err(e) => Err(io_err(dir, e)),
        }
    })();
    let _ = fs::remove_dir_all(&staging);
    result.map(|()| dir.to_path_buf())
}

/// Whether a UniDic name is kept: two characters or more, not all
/// hiragana (しま, はんこ would match inside words), no number or date
/// (九十九, 四月一日: at the counter they mean what they say), and no common
/// word to IPADIC.
fn kept(name: &str, common: &HashSet<String>) -> bool {
    name.chars().count() >= 2
        && !name.chars().all(|c| matches!(c, 'ぁ'..='ゖ' | 'ー'))
        && !number_like(name)
        && !common.contains(name)
}

/// A name written only with numerals and 年, 月 or 日 (九十九, 四月一日).
fn number_like(name: &str) -> bool {
    name.chars()
        .all(|c| "〇一二三四五六七八九十百千万年月日".contains(c))
}

/// Downloads the package into `dir` with apt-get; returns its path.
fn download(dir: &Path) -> Result<PathBuf, KnowledgeError> {
    let status = Command::new("apt-get")
        .args(["download", "-qq", PACKAGE])
        .current_dir(dir)
        .status()
        .map_err(|e| {
            KnowledgeError::Dictionary(format!(
                "running apt-get to download {PACKAGE} (UniDic's person names): {e}"
            ))
        })?;
    if !status.success() {
        return Err(KnowledgeError::Dictionary(format!(
            "`apt-get download {PACKAGE}` failed ({status}); run `apt-get update` and retry, \
             or set MADOGUCHI_NAMES to a folder with the lists"
        )));
    }
    let entries = fs::read_dir(dir).map_err(|e| io_err(dir, e))?;
    entries
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "deb"))
        .ok_or_else(|| {
            KnowledgeError::Dictionary(format!("apt-get left no {PACKAGE} package file"))
        })
}

/// The person-name rows of the package's lexicon: (name, 姓 | 名 | 一般).
/// The lexicon is streamed out of the package (dpkg-deb | tar), never
/// written whole.
fn person_rows(deb: &Path) -> Result<Vec<(String, String)>, KnowledgeError> {
    let spawn_err = |what: &str, e: std::io::Error| {
        KnowledgeError::Dictionary(format!("running {what} on {}: {e}", deb.display()))
    };
    let mut unpack = Command::new("dpkg-deb")
        .arg("--fsys-tarfile")
        .arg(deb)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| spawn_err("dpkg-deb", e))?;
    let tar_in = unpack
        .stdout
        .take()
        .ok_or_else(|| KnowledgeError::Dictionary("dpkg-deb gave no output".into()))?;
    let mut tar = Command::new("tar")
        .args(["-xOf", "-", LEXICON])
        .stdin(tar_in)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| spawn_err("tar", e))?;
    let lexicon = tar
        .stdout
        .take()
        .ok_or_else(|| KnowledgeError::Dictionary("tar gave no output".into()))?;
    let mut rows = Vec::new();
    for line in BufReader::new(lexicon).lines() {
        let line = line.map_err(|e| io_err(deb, e))?;
        if !line.contains(",人名,") {
            continue;
        }
        let cols: Vec<&str> = line.split(',').collect();
        if cols.get(4) == Some(&"名詞") && cols.get(6) == Some(&"人名") {
            if let (Some(name), Some(part)) = (cols.first(), cols.get(7)) {
                rows.push(((*name).to_owned(), (*part).to_owned()));
            }
        }
    }
    let tar_status = tar.wait().map_err(|e| io_err(deb, e))?;
    let unpack_status = unpack.wait().map_err(|e| io_err(deb, e))?;
    if !tar_status.success() || !unpack_status.success() || rows.is_empty() {
        return Err(KnowledgeError::Dictionary(format!(
            "could not read UniDic's lexicon ({LEXICON}) out of {} (dpkg-deb: {unpack_status}, \
             tar: {tar_status}, {} person names)",
            deb.display(),
            rows.len()
        )));
    }
    Ok(rows)
}

/// Every word IPADIC knows other than as a proper noun.
fn common_words(source: &Path) -> Result<HashSet<String>, KnowledgeError> {
    let mut words = HashSet::new();
    let entries = fs::read_dir(source).map_err(|e| io_err(source, e))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        let text = crate::dict::read_source_text(&path)?;
        for line in text.lines() {
            let cols: Vec<&str> = line.splitn(7, ',').collect();
            if cols.len() > 5 && cols[5] != "固有名詞" {
                words.insert(cols[0].to_owned());
            }
        }
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_hiragana_and_common_words_are_left_out() {
        let common: HashSet<String> = ["カード", "山道"].iter().map(|s| s.to_string()).collect();
        assert!(kept("柳町", &common));
        assert!(kept("ハリマン", &common));
        assert!(!kept("カード", &common));
        assert!(!kept("山道", &common));
        assert!(!kept("新", &common));
        assert!(!kept("しま", &common));
        assert!(!kept("四月一日", &common));
        assert!(!kept("九十九", &common));
    }

    #[test]
    fn lists_never_fetched_are_empty() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join(FAMILY), "柳町\n").unwrap();
        // No .complete: a fetch that did not finish is not read.
        assert!(load(tmp.path()).family.is_empty());
        fs::write(tmp.path().join(".complete"), NAMES_TAG).unwrap();
        assert!(load(tmp.path()).family.contains("柳町"));
    }
}
