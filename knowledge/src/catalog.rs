//! The catalog: which documents exist, their versions with effective dates
//! (施行日), and which are withdrawn. It is the single source of truth for
//! what search may see: a version's chunks are in the index from the moment
//! it is imported, but search only matches the versions the catalog says are
//! in force today. Writing the catalog (atomically) is what publishes.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Catalog {
    /// Keyed by document name (its path under the imported folder).
    pub documents: BTreeMap<String, DocEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DocEntry {
    pub title: String,
    /// When set, the document is out of search from this moment (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn_at: Option<String>,
    pub versions: Vec<VersionEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct VersionEntry {
    /// "v1", "v2", …
    pub version: String,
    pub title: String,
    /// The day this version takes effect (local date of the office).
    pub effective: NaiveDate,
    /// When it was imported (RFC 3339).
    pub imported_at: String,
    /// SHA-256 of the decoded text, to tell a changed file from an unchanged one.
    pub hash: String,
    pub sections: usize,
    pub chunks: usize,
    /// The manual's own terms (headings and compounds), most frequent first.
    #[serde(default)]
    pub terms: Vec<String>,
    /// The manual's words for the recognizer's term correction: kanji nouns
    /// and compounds of three characters or more (運転免許証, 筆頭者), each
    /// once, in order of appearance.
    #[serde(default)]
    pub words: Vec<String>,
}

impl DocEntry {
    /// The version in force on `today`: the newest whose effective date has
    /// come. `None` when withdrawn or nothing is in force yet.
    pub fn current(&self, today: NaiveDate) -> Option<&VersionEntry> {
        if self.withdrawn_at.is_some() {
            return None;
        }
        self.versions
            .iter()
            .filter(|v| v.effective <= today)
            .max_by_key(|v| (v.effective, version_number(&v.version)))
    }

    pub fn next_version(&self) -> String {
        let n = self
            .versions
            .iter()
            .map(|v| version_number(&v.version))
            .max()
            .unwrap_or(0);
        format!("v{}", n + 1)
    }
}

fn version_number(v: &str) -> u32 {
    v.trim_start_matches('v').parse().unwrap_or(0)
}

impl Catalog {
    pub fn load(path: &Path) -> std::io::Result<Catalog> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Catalog::default()),
            Err(e) => Err(e),
        }
    }

    /// Writes atomically (temporary file, then rename), so a reader never
    /// sees half a catalog.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(&tmp, json)?;
        std::fs::rename(&tmp, path)
    }

    /// The (document, version) pairs in force on `today`.
    pub fn current(&self, today: NaiveDate) -> Vec<(&str, &VersionEntry)> {
        self.documents
            .iter()
            .filter_map(|(name, d)| d.current(today).map(|v| (name.as_str(), v)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(version: &str, effective: &str) -> VersionEntry {
        VersionEntry {
            version: version.into(),
            title: "t".into(),
            effective: effective.parse().unwrap(),
            imported_at: String::new(),
            hash: String::new(),
            sections: 1,
            chunks: 1,
            terms: vec![],
            words: vec![],
        }
    }

    #[test]
    fn current_version_follows_effective_dates_and_withdrawal() {
        let mut d = DocEntry {
            title: "t".into(),
            withdrawn_at: None,
            versions: vec![v("v1", "2026-01-01"), v("v2", "2027-04-01")],
        };
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(d.current(day("2025-12-31")), None);
        assert_eq!(d.current(day("2026-11-22")).unwrap().version, "v1");
        assert_eq!(d.current(day("2027-03-31")).unwrap().version, "v1");
        assert_eq!(d.current(day("2027-04-01")).unwrap().version, "v2");
        assert_eq!(d.next_version(), "v3");
        d.withdrawn_at = Some("x".into());
        assert_eq!(d.current(day("2027-04-01")), None);
    }
}
