//! Retrieval evaluation: spoken-style questions, each with the chunk that
//! answers it (its document and a phrase the chunk must contain), asked as
//! spoken and as a speech recognizer mis-heard them.

use madoguchi_knowledge::normalize::normalize;
use madoguchi_knowledge::{Hit, KnowledgeBase, KnowledgeError};
use serde::Serialize;

/// One evaluation question.
#[derive(Debug, Clone, Serialize)]
pub struct Question {
    pub id: String,
    pub question: String,
    pub misheard: String,
    pub document: String,
    /// A phrase the answering chunk contains (e.g. 「1通300円」); `|`
    /// separates alternatives when several chunks answer.
    pub answer: String,
}

/// Parses the TSV: `id  question  misheard  document  answer`; `#` comments.
pub fn parse(tsv: &str) -> Result<Vec<Question>, String> {
    let mut out = Vec::new();
    for (i, line) in tsv.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').map(str::trim).collect();
        let [id, question, misheard, document, answer] = cols[..] else {
            return Err(format!(
                "line {}: expected 5 tab-separated columns, got {}",
                i + 1,
                cols.len()
            ));
        };
        out.push(Question {
            id: id.into(),
            question: question.into(),
            misheard: misheard.into(),
            document: document.into(),
            answer: answer.into(),
        });
    }
    Ok(out)
}

/// True when `hit` is a chunk that answers `q`: in its document, containing
/// the answer phrase (`|` separates phrases of several chunks that answer).
pub fn answers(hit: &Hit, q: &Question) -> bool {
    let text = normalize(&hit.text);
    hit.document == q.document && q.answer.split('|').any(|a| text.contains(&normalize(a)))
}

/// Hit@1 and Hit@3 over one variant of the questions.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Scores {
    pub questions: usize,
    pub hit1: f64,
    pub hit3: f64,
    /// Ids of questions whose answer was not in the top 3.
    pub misses: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub clean: Scores,
    pub misheard: Scores,
}

/// Runs every question, clean and mis-heard, against `kb`.
pub fn run(kb: &KnowledgeBase, questions: &[Question]) -> Result<Report, KnowledgeError> {
    let score = |pick: fn(&Question) -> &str| -> Result<Scores, KnowledgeError> {
        let (mut h1, mut h3) = (0usize, 0usize);
        let mut misses = Vec::new();
        for q in questions {
            let r = kb.search(pick(q), 3)?;
            match r.hits.iter().position(|h| answers(h, q)) {
                Some(0) => {
                    h1 += 1;
                    h3 += 1
                }
                Some(_) => h3 += 1,
                None => misses.push(q.id.clone()),
            }
        }
        let n = questions.len().max(1) as f64;
        Ok(Scores {
            questions: questions.len(),
            hit1: h1 as f64 / n,
            hit3: h3 as f64 / n,
            misses,
        })
    };
    Ok(Report {
        clean: score(|q| &q.question)?,
        misheard: score(|q| &q.misheard)?,
    })
}
