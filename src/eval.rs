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

/// Drafting on the evaluation questions: the draft cites the answering
/// section and contains its answer phrase; off-topic questions get the
/// not-found draft.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DraftScores {
    pub questions: usize,
    /// Answered, citing the right document, with the answer phrase in the draft.
    pub correct: f64,
    pub offtopic: usize,
    /// Off-topic questions that got the not-found draft.
    pub not_found: f64,
    pub misses: Vec<String>,
    pub p50_ms: f64,
    pub p95_ms: f64,
}

/// Runs every question (as spoken) and every off-topic line through
/// question detection and drafting, as `madoguchi ask` does.
pub fn drafts(
    kb: &KnowledgeBase,
    qs: &[Question],
    offtopic: &str,
) -> Result<DraftScores, KnowledgeError> {
    use madoguchi_agent::{draft, questions};
    let mut times = Vec::new();
    let mut run = |text: &str| -> Result<Vec<draft::Draft>, KnowledgeError> {
        let t = std::time::Instant::now();
        let mut out = Vec::new();
        for q in questions::detect_or_topic(text) {
            out.push(draft::draft(kb, &q)?);
        }
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        Ok(out)
    };
    let mut s = DraftScores::default();
    let mut correct = 0;
    for q in qs {
        let ds = run(&q.question)?;
        let ok = ds.iter().any(|d| {
            d.answered
                && d.citations.iter().any(|c| c.document == q.document)
                && q.answer
                    .split('|')
                    .any(|a| normalize(&d.draft).contains(&normalize(a)))
        });
        correct += usize::from(ok);
        if !ok {
            s.misses.push(q.id.clone());
        }
    }
    let off: Vec<&str> = offtopic
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let mut nf = 0;
    for l in &off {
        let ds = run(l)?;
        let ok = !ds.is_empty() && ds.iter().all(|d| !d.answered);
        nf += usize::from(ok);
        if !ok {
            s.misses.push(format!("off-topic answered: {l}"));
        }
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| {
        times
            .get(((times.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(0.0)
    };
    s.questions = qs.len();
    s.correct = correct as f64 / qs.len().max(1) as f64;
    s.offtopic = off.len();
    s.not_found = nf as f64 / off.len().max(1) as f64;
    s.p50_ms = pct(0.5);
    s.p95_ms = pct(0.95);
    Ok(s)
}
