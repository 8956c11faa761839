//! Drafts: for a question, the manual sections that answer it, as the
//! clerk can read them out: the best section's sentences that share words
//! with the question, verbatim (fees, deadlines and documents included as
//! written), each with its citation. Below a calibrated score the draft says
//! that no manual was found and lists the closest sections; it never guesses.

use madoguchi_knowledge::{Hit, KnowledgeBase, KnowledgeError};
use serde::Serialize;

/// Search scores at or above this answer the question (calibrated on the
/// evaluation questions and off-topic questions: BENCHMARKS.md).
pub const ANSWER_THRESHOLD: f32 = 12.0;

/// Sections scoring at least this share of the best one are drafted from
/// too (the search's first hit is right 84% of the time, one of its first
/// three 98.5%).
pub const RUNNER_UP: f32 = 0.75;

/// A best section up to this many characters is quoted whole.
pub const SHORT_SECTION: usize = 300;

/// What the not-found draft says.
pub const NOT_FOUND: &str = "該当するマニュアルが見つかりません。確認が必要です";

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Citation {
    pub document: String,
    pub label: String,
    pub version: String,
}

impl From<&Hit> for Citation {
    fn from(h: &Hit) -> Self {
        Citation {
            document: h.document.clone(),
            label: h.label.clone(),
            version: h.version.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Draft {
    pub text: String,
    pub draft: String,
    pub citations: Vec<Citation>,
    pub confidence: f32,
    pub answered: bool,
    /// Procedures that usually come with this one (the editors' map).
    pub related: Vec<String>,
    /// The sections drafted from (what an LLM may be given).
    #[serde(skip)]
    pub sections: Vec<Hit>,
}

fn sentences(text: &str) -> Vec<&str> {
    text.split_inclusive(['。', '\n'])
        .map(str::trim)
        .filter(|s| s.chars().any(char::is_alphanumeric))
        .collect()
}

/// Character bigrams shared with the question.
fn overlap(question: &[char], sentence: &str) -> usize {
    let s: Vec<char> = sentence.chars().collect();
    let grams: std::collections::HashSet<(char, char)> =
        s.windows(2).map(|w| (w[0], w[1])).collect();
    question
        .windows(2)
        .filter(|w| w[0].is_alphanumeric() && w[1].is_alphanumeric())
        .filter(|w| grams.contains(&(w[0], w[1])))
        .count()
}

/// Sentences that carry the facts a clerk quotes.
fn factual(s: &str) -> bool {
    [
        "円",
        "日以内",
        "必要",
        "持参",
        "まで",
        "から",
        "できる",
        "できない",
        "限り",
    ]
    .iter()
    .any(|w| s.contains(w))
}

/// The words of the question that name a topic the manuals do not know,
/// when they are more than half of its nouns: nouns of two or more
/// characters in none of the top sections and not in the glossary (which holds the editors' synonyms: ハンコ, 国保 …). 固定資産税
/// or 予防接種 matching 紛失 in another procedure is not an answer.
fn unknown_topic(
    kb: &KnowledgeBase,
    question: &str,
    hits: &[Hit],
) -> Result<Option<String>, KnowledgeError> {
    use madoguchi_knowledge::normalize::normalize;
    let seen: String = hits
        .iter()
        .map(|h| normalize(&format!("{} {} {}", h.title, h.label, h.text)))
        .collect();
    let (mut content, mut unknown) = (0, Vec::new());
    for m in kb.analyzer().morphs(&normalize(question)) {
        let is_content = m.pos[0] == "名詞"
            && matches!(m.pos[1].as_str(), "一般" | "固有名詞" | "サ変接続")
            && m.surface.chars().count() >= 2
            && !m.surface.starts_with('［');
        if is_content {
            content += 1;
            // 手続き is written 手続 in the manuals: the kanji stem counts.
            let stem = m
                .surface
                .trim_end_matches(|c: char| matches!(c, 'ぁ'..='ゖ'));
            let known = |w: &str| -> Result<bool, KnowledgeError> {
                Ok(!w.is_empty() && (seen.contains(w) || kb.is_term(w)?))
            };
            if !known(&m.surface)? && !known(stem)? {
                unknown.push(m.surface);
            }
        }
    }
    // Most of what the question is about is unknown to the manuals.
    Ok((!unknown.is_empty() && unknown.len() * 2 > content).then(|| unknown.join("・")))
}

/// What a question asks, without the circumstances it opens with: the
/// leading clauses that end in …まして、…ので、…たら、 (父が先月亡くなりまして、
/// 死亡届を出したいんですけど… asks about 死亡届, not about what follows a
/// death). `None` when there are none, or nothing would be left.
fn request_part(question: &str) -> Option<&str> {
    let mut rest = question;
    let mut dropped = false;
    while let Some((clause, after)) = rest.split_once('、') {
        let circumstance = ["まして", "ので", "たら", "ましたら", "てから"]
            .iter()
            .any(|e| clause.trim_end().ends_with(e));
        if !circumstance || after.trim().is_empty() {
            break;
        }
        rest = after;
        dropped = true;
    }
    dropped.then_some(rest)
}

/// Drafts an answer to `question` (already masked) from `kb`.
pub fn draft(kb: &KnowledgeBase, question: &str) -> Result<Draft, KnowledgeError> {
    let mut hits = kb.search(question, 3)?.hits;
    // What the question asks decides, when it finds an answer by itself.
    if let Some(request) = request_part(question) {
        let asked = kb.search(request, 3)?.hits;
        if asked.first().is_some_and(|h| h.score >= ANSWER_THRESHOLD) {
            hits = asked;
        }
    }
    let best = hits.first().map_or(0.0, |h| h.score);
    let mut confidence = ((best - 6.0) / 20.0).clamp(0.0, 1.0);
    let unknown = unknown_topic(kb, question, &hits)?;
    if unknown.is_some() {
        confidence = confidence.min(0.2);
    }
    if best < ANSWER_THRESHOLD || unknown.is_some() {
        let mut d = String::from(NOT_FOUND);
        if !hits.is_empty() {
            d.push_str("。近い項目: ");
            let near: Vec<String> = hits
                .iter()
                .map(|h| format!("{}「{}」", h.title, h.label))
                .collect();
            d.push_str(&near.join("、"));
        }
        return Ok(Draft {
            text: question.to_owned(),
            draft: d,
            citations: hits.iter().map(Citation::from).collect(),
            confidence,
            answered: false,
            related: kb.related(question),
            sections: Vec::new(),
        });
    }
    let q: Vec<char> = question.chars().collect();
    // The best section, and the next ones when they score close to it.
    let used: Vec<&Hit> = hits
        .iter()
        .filter(|h| h.score >= best * RUNNER_UP)
        .take(3)
        .collect();
    let mut parts = Vec::new();
    for (rank, h) in used.iter().enumerate() {
        let ss = sentences(&h.text);
        // The best section, when short, is quoted whole: its facts are the
        // answer. Longer ones and the runners-up give their best sentences.
        let limit = if rank == 0 { 4 } else { 2 };
        if rank == 0 && h.text.chars().count() <= SHORT_SECTION {
            parts.push(format!("{}［{}「{}」］", ss.join(""), h.document, h.label));
            continue;
        }
        let mut scored: Vec<(usize, usize)> = ss
            .iter()
            .enumerate()
            .map(|(i, s)| (overlap(&q, s) * 2 + usize::from(factual(s)), i))
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut keep: Vec<usize> = scored
            .iter()
            .take(limit)
            .filter(|(w, _)| *w > 0)
            .map(|x| x.1)
            .collect();
        if keep.is_empty() {
            keep = (0..ss.len().min(2)).collect();
        }
        keep.sort_unstable();
        let body: String = keep.iter().map(|&i| ss[i]).collect::<Vec<_>>().join("");
        parts.push(format!("{}［{}「{}」］", body, h.document, h.label));
    }
    Ok(Draft {
        text: question.to_owned(),
        draft: parts.join("\n"),
        citations: used.iter().map(|h| Citation::from(*h)).collect(),
        sections: used.into_iter().cloned().collect(),
        confidence,
        answered: true,
        related: kb.related(question),
    })
}

#[cfg(test)]
mod tests {
    use super::request_part;

    #[test]
    fn a_question_is_searched_for_what_it_asks() {
        assert_eq!(
            request_part("父が亡くなりまして、死亡届を出したいんですけど、何が必要ですか"),
            Some("死亡届を出したいんですけど、何が必要ですか")
        );
        assert_eq!(
            request_part("引っ越してきたので、転入届を出したいです"),
            Some("転入届を出したいです")
        );
        // The topic in a けど clause, or nothing before the question, stays.
        assert_eq!(
            request_part("死亡届を出したいんですけど、何が必要ですか"),
            None
        );
        assert_eq!(request_part("転入届は何が必要ですか"), None);
        assert_eq!(request_part("亡くなりまして、"), None);
    }
}
