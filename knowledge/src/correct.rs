//! Glossary correction of transcripts: a run of words that sounds like a
//! glossary term (by the same forgiving phonetic key the search uses) is
//! written as that term. whisper writes 児童手当 as 自動手当て and 転入届 as
//! 電入届け; the clerk should read what was said.
//!
//! Only terms that are one compound noun with a reading of four kana or more
//! are used, so short everyday words are never rewritten; near misses (one
//! sound off) are accepted for terms of seven kana or more, two sounds off
//! for nine or more when a character is shared.

use std::sync::Arc;

use crate::analysis::Analyzer;
use crate::normalize::{edit_distance_within, is_kanji, phonetic_key};

/// Morphs a corrected span may cover.
const MAX_SPAN: usize = 6;
const MIN_KEY: usize = 4;
const MIN_KEY_APPROX: usize = 7;
const MIN_KEY_APPROX2: usize = 9;

struct Term {
    key: Vec<char>,
    text: String,
}

/// Rewrites mis-heard glossary terms in transcripts.
pub struct Corrector {
    analyzer: Arc<Analyzer>,
    terms: Vec<Term>,
}

impl Corrector {
    /// Builds the corrector from glossary terms (the recognizer's prompt
    /// terms, typically [`crate::KnowledgeBase::glossary`]).
    pub fn new(analyzer: Arc<Analyzer>, terms: &[String]) -> Self {
        let mut out: Vec<Term> = Vec::new();
        for t in terms {
            let t = t.trim();
            let chars = t.chars().count();
            if !(2..=12).contains(&chars) || !t.chars().any(is_kanji) {
                continue;
            }
            let morphs = analyzer.morphs(t);
            // One compound noun: nouns (and prefixes/suffixes), all read.
            let compound = morphs
                .iter()
                .all(|m| matches!(m.pos[0].as_str(), "名詞" | "接頭詞") && m.spoken().is_some());
            if !compound || morphs.is_empty() {
                continue;
            }
            let key: Vec<char> = morphs
                .iter()
                .filter_map(|m| m.spoken())
                .map(|r| phonetic_key(&r))
                .collect::<String>()
                .chars()
                .collect();
            if key.len() >= MIN_KEY && !out.iter().any(|o| o.text == t) {
                out.push(Term {
                    key,
                    text: t.to_owned(),
                });
            }
        }
        Corrector {
            analyzer,
            terms: out,
        }
    }

    /// Number of terms in use.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The text with mis-heard terms rewritten.
    pub fn correct(&self, text: &str) -> String {
        if self.terms.is_empty() {
            return text.to_owned();
        }
        let morphs = self.analyzer.morphs(text);
        let keys: Vec<Option<String>> = morphs
            .iter()
            .map(|m| m.spoken().map(|r| phonetic_key(&r)))
            .collect();
        let mut out = String::with_capacity(text.len());
        let mut copied = 0; // byte offset in `text` copied so far
        let mut i = 0;
        while i < morphs.len() {
            let mut best: Option<(usize, &Term)> = None;
            let mut key = String::new();
            for j in i..morphs.len().min(i + MAX_SPAN) {
                let Some(k) = &keys[j] else { break };
                key.push_str(k);
                // Terms are compound nouns: a run with a particle (は, を, の
                // …) in it is not one, whatever it sounds like.
                if matches!(morphs[j].pos[0].as_str(), "助詞" | "助動詞" | "記号") {
                    break;
                }
                let kc: Vec<char> = key.chars().collect();
                let surface = &text[morphs[i].start..morphs[j].end];
                if let Some(t) = self.matching(&kc, surface) {
                    best = Some((j + 1, t));
                }
            }
            match best {
                Some((end, term)) => {
                    let (from, to) = (morphs[i].start, morphs[end - 1].end);
                    let surface = &text[from..to];
                    if surface != term.text && self.terms.iter().all(|t| t.text != surface) {
                        out.push_str(&text[copied..from]);
                        out.push_str(&term.text);
                        copied = to;
                    }
                    i = end;
                }
                None => i += 1,
            }
        }
        out.push_str(&text[copied..]);
        out
    }

    /// The term whose key is `key` (exactly, or one sound off for long
    /// terms, two for very long ones that share a character with what was
    /// heard); exact matches win.
    fn matching(&self, key: &[char], surface: &str) -> Option<&Term> {
        if key.len() < MIN_KEY {
            return None;
        }
        if let Some(t) = self.terms.iter().find(|t| t.key == key) {
            return Some(t);
        }
        if key.len() < MIN_KEY_APPROX {
            return None;
        }
        // The nearest term; on a tie, the one earlier in the glossary.
        self.terms
            .iter()
            .filter(|t| t.key.len() >= MIN_KEY_APPROX)
            .filter_map(|t| match edit_distance_within(&t.key, key, 2) {
                Some(d @ (0 | 1)) => Some((d, t)),
                Some(d)
                    if t.key.len() >= MIN_KEY_APPROX2
                        && t.text.chars().any(|c| surface.contains(c)) =>
                {
                    Some((d, t))
                }
                _ => None,
            })
            .min_by_key(|(d, _)| *d)
            .map(|(_, t)| t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corrector() -> Corrector {
        let analyzer = Arc::new(Analyzer::from_env().expect("dictionary (run `make setup`)"));
        let terms: Vec<String> = [
            "児童手当",
            "転入届",
            "暗証番号",
            "戸籍謄本",
            "本籍地以外",
            "火葬許可証",
            "住民票の写し",
            "住民票写し",
            "交付の流れ",
            "世帯",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        Corrector::new(analyzer, &terms)
    }

    #[test]
    fn misheard_terms_are_written_as_the_glossary_has_them() {
        let c = corrector();
        // Phrases with particles are not one compound; 世帯 is too short.
        assert_eq!(c.len(), 7);
        for (heard, meant) in [
            ("自動手当ての申請はこちらです", "児童手当の申請はこちらです"),
            (
                "電入届けは14日以内に出してください",
                "転入届は14日以内に出してください",
            ),
            (
                "安証番号を忘れてしまいました",
                "暗証番号を忘れてしまいました",
            ),
            ("本席値以外でも請求できます", "本籍地以外でも請求できます"),
            ("仮想教化症をお渡しします", "火葬許可証をお渡しします"),
        ] {
            assert_eq!(c.correct(heard), meant);
        }
        // Right text, everyday words and short words stay as they are.
        for same in [
            "児童手当の申請はこちらです",
            "自動ドアから入ってください",
            "世代全員の住民票が必要ですか",
            "会社を退職しました",
            "住民票の写しを取りたいんですけど",
            "はい、分かりました",
            // Read as 刀 (かたな): too far from 謄本 to be sure.
            "戸籍刀本は1つ450円です",
            "",
        ] {
            assert_eq!(c.correct(same), same);
        }
    }
}
