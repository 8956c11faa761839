//! 表記揺れ: the synonym file knowledge editors extend.
//!
//! One rule a line; `#` starts a comment.
//! - `A = B = C`: A, B and C mean the same (マイナンバーカード = 個人番号カード).
//! - `A => B, C`: saying A also searches B and C (引っ越し => 転入, 転出, 転居),
//!   but not the other way round.
//!
//! Queries are expanded: every term of a matching rule is searched too.

use crate::normalize::normalize;

/// The synonyms bundled with madoguchi; copied to `<data>/synonyms.txt` on
/// first use, where editors extend them.
pub const DEFAULT_SYNONYMS: &str = include_str!("../assets/synonyms.txt");

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Synonyms {
    rules: Vec<Rule>,
    /// (rule, phonetic key of one of its triggers), for triggers whose key
    /// is long enough to match by sound (see [`Synonyms::with_phonetic_keys`]).
    keys: Vec<(usize, String)>,
}

/// Triggers shorter than this (in kana) match by text only: short keys
/// sound like too many other words.
pub const MIN_PHONETIC_TRIGGER: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    /// Terms that trigger the rule (normalized).
    from: Vec<String>,
    /// Terms searched when it triggers (normalized).
    to: Vec<String>,
}

/// A line of the synonym file that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynonymError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for SynonymError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "synonyms.txt {}行目: {}", self.line, self.message)
    }
}

/// Resolves overlapping matches `(start, end, rule)`: the longest wins, as
/// in a dictionary tokenizer, so a specific rule (市内で引っ越 => 転居) is not
/// drowned by a general one (引っ越し => 転入, 転出, 転居); matches of equal
/// span all win. Returns the rules that fired and those that only lost.
fn longest_matches(mut found: Vec<(usize, usize, usize)>) -> (Vec<usize>, Vec<usize>) {
    found.sort_by_key(|&(s, e, _)| (std::cmp::Reverse(e - s), s));
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut fired: Vec<usize> = Vec::new();
    let mut lost: Vec<usize> = Vec::new();
    for (s, e, ri) in found {
        let overlaps = taken.iter().any(|&(ts, te)| s < te && ts < e);
        if overlaps && !taken.contains(&(s, e)) {
            lost.push(ri);
            continue;
        }
        if !overlaps {
            taken.push((s, e));
        }
        if !fired.contains(&ri) {
            fired.push(ri);
        }
    }
    lost.retain(|ri| !fired.contains(ri));
    (fired, lost)
}

/// The items of a comma list (「,」「、」「，」), trimmed, empty ones left out;
/// the synonym file and the related-procedures map share this syntax.
pub(crate) fn list_items(s: &str) -> impl Iterator<Item = &str> {
    s.split([',', '、', '，'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

fn terms(s: &str) -> Vec<String> {
    list_items(s)
        .map(normalize)
        .filter(|t| !t.is_empty())
        .collect()
}

impl Synonyms {
    /// Parses the file. Lines it cannot read are skipped and reported.
    pub fn parse(text: &str) -> (Synonyms, Vec<SynonymError>) {
        let mut rules = Vec::new();
        let mut errors = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let rule = if let Some((l, r)) = line.split_once("=>") {
                Rule {
                    from: terms(l),
                    to: terms(r),
                }
            } else if line.contains('=') {
                let all: Vec<String> = line.split('=').flat_map(terms).collect();
                Rule {
                    from: all.clone(),
                    to: all,
                }
            } else {
                errors.push(SynonymError {
                    line: i + 1,
                    message: "「A = B」か「A => B, C」の形で書いてください".into(),
                });
                continue;
            };
            if rule.from.is_empty()
                || rule.to.is_empty()
                || (rule.to.len() < 2 && rule.from == rule.to)
            {
                errors.push(SynonymError {
                    line: i + 1,
                    message: "語が足りません（2語以上が必要です）".into(),
                });
                continue;
            }
            rules.push(rule);
        }
        (
            Synonyms {
                rules,
                keys: Vec::new(),
            },
            errors,
        )
    }

    /// Computes the phonetic key of every trigger with `key_of`, so that
    /// [`expand_spoken`](Self::expand_spoken) also fires rules whose trigger
    /// the query only sounds like (何字まで ≈ 何時まで).
    pub fn with_phonetic_keys(mut self, key_of: impl Fn(&str) -> String) -> Self {
        self.keys.clear();
        for (ri, rule) in self.rules.iter().enumerate() {
            for t in &rule.from {
                let k = key_of(t);
                if !k.contains('|') && k.chars().count() >= MIN_PHONETIC_TRIGGER {
                    self.keys.push((ri, k));
                }
            }
        }
        self
    }

    /// The terms to search in addition to `query` (normalized), without the
    /// ones the query already contains.
    pub fn expand(&self, query: &str) -> Vec<String> {
        self.expand_spoken(query, "")
    }

    /// As [`expand`](Self::expand), and also firing the rules whose trigger's
    /// phonetic key occurs in `query_key` (the query's
    /// [`phonetic_text`](crate::Analyzer::phonetic_text)). A rule whose
    /// trigger lost to a longer one in the text stays unfired.
    pub fn expand_spoken(&self, query: &str, query_key: &str) -> Vec<String> {
        let q = normalize(query);
        let mut text_matches: Vec<(usize, usize, usize)> = Vec::new();
        for (ri, rule) in self.rules.iter().enumerate() {
            for t in &rule.from {
                for (start, _) in q.match_indices(t.as_str()) {
                    text_matches.push((start, start + t.len(), ri));
                }
            }
        }
        let (mut fired, suppressed) = longest_matches(text_matches);
        if !query_key.is_empty() {
            // Where a rule fired on the text, its sound is taken: text
            // evidence beats sound evidence for the same stretch of speech
            // (亡くなった must not also fire なくなった).
            let taken: Vec<(usize, usize)> = self
                .keys
                .iter()
                .filter(|(ri, _)| fired.contains(ri) || suppressed.contains(ri))
                .flat_map(|(_, k)| {
                    query_key
                        .match_indices(k.as_str())
                        .map(|(s, m)| (s, s + m.len()))
                })
                .collect();
            let mut key_matches: Vec<(usize, usize, usize)> = Vec::new();
            for (ri, k) in &self.keys {
                for (start, _) in query_key.match_indices(k.as_str()) {
                    let end = start + k.len();
                    if !taken.iter().any(|&(ts, te)| start < te && ts < end) {
                        key_matches.push((start, end, *ri));
                    }
                }
            }
            for ri in longest_matches(key_matches).0 {
                if !fired.contains(&ri) && !suppressed.contains(&ri) {
                    fired.push(ri);
                }
            }
        }
        fired.sort_unstable();
        let mut out: Vec<String> = Vec::new();
        for ri in fired {
            for t in &self.rules[ri].to {
                if !q.contains(t.as_str()) && !out.contains(t) {
                    out.push(t.clone());
                }
            }
        }
        out
    }

    /// The first term of each `A = B` rule: the office's own word for a
    /// thing (マイナンバーカード, 印鑑登録証明書), not its variants.
    pub fn canonical_terms(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in self.rules.iter().filter(|r| r.from == r.to) {
            if let Some(t) = r.from.first() {
                if !out.contains(t) {
                    out.push(t.clone());
                }
            }
        }
        out
    }

    /// Every term the file names (for the glossary).
    pub fn all_terms(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in &self.rules {
            for t in r.from.iter().chain(&r.to) {
                if !out.contains(t) {
                    out.push(t.clone());
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equivalence_and_one_way_rules() {
        let (s, errs) = Synonyms::parse(
            "# comment\nマイナンバーカード = 個人番号カード\n引っ越し => 転入, 転出, 転居\nハンコ=印鑑\nbad line\n",
        );
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, 5);
        assert_eq!(s.expand("個人番号カードをなくした"), ["マイナンバーカード"]);
        assert_eq!(s.expand("ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞの暗証番号"), ["個人番号カード"]);
        assert_eq!(s.expand("引っ越しします"), ["転入", "転出", "転居"]);
        assert!(s.expand("転入します").is_empty());
        assert_eq!(s.expand("ハンコの登録"), ["印鑑"]);
        let (s, _) = Synonyms::parse("引っ越し => 転入, 転出, 転居\n市内で引っ越 => 転居\n");
        assert_eq!(s.expand("市内で引っ越しました"), ["転居"]);
        assert_eq!(s.expand("来月引っ越します"), ["転入", "転出", "転居"]);
    }

    #[test]
    fn bundled_file_parses_cleanly() {
        let (s, errs) = Synonyms::parse(DEFAULT_SYNONYMS);
        assert!(errs.is_empty(), "{errs:?}");
        assert!(s.all_terms().len() > 20);
    }
}
