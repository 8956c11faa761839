//! # madoguchi
//!
//! The `madoguchi` command wires the crates together; this library holds what
//! the command and the end-to-end tests share.
//!
//! # Layout
//! - [`manuals`]: the bundled sample manuals, embedded in the binary.
//! - [`eval`]: retrieval evaluation (Hit@1, Hit@3, clean and mis-heard).
//! - [`maskbench`]: the masking benchmark (synthetic corpus, shared PII set).
//! - [`server`]: `serve` and `demo` (server, sample manuals, a played
//!   conversation).
//! - [`serverbench`]: many counters and consoles on one server.
//! - [`bench`]: the knowledge benchmarks (search latency over a generated
//!   corpus, import throughput, publish-to-visible time).

use std::path::Path;
use std::sync::Arc;

use madoguchi_knowledge::{Analyzer, KnowledgeBase, KnowledgeError};

pub mod bench;
pub mod eval;
pub mod maskbench;
pub mod server;
pub mod serverbench;

/// The sample manuals bundled with madoguchi.
pub mod manuals {
    include!(concat!(env!("OUT_DIR"), "/manuals.rs"));

    /// Writes the sample manuals under `dir`.
    pub fn write_to(dir: &std::path::Path) -> std::io::Result<()> {
        for (name, bytes) in SAMPLE_MANUALS {
            let path = dir.join(name);
            if let Some(p) = path.parent() {
                std::fs::create_dir_all(p)?;
            }
            std::fs::write(path, bytes)?;
        }
        Ok(())
    }
}

/// Off-topic questions: no sample manual answers them.
pub const OFFTOPIC_QUESTIONS: &str = include_str!("../eval/offtopic.txt");

/// The evaluation questions bundled with madoguchi (67 questions, each as
/// spoken and as misheard, with the document and a phrase that answer it).
pub const EVAL_QUESTIONS: &str = include_str!("../eval/knowledge.tsv");

/// Counter sentences with names put in, for the masking bench's leak hunt.
pub const MASK_HUNT: &str = include_str!("../eval/mask-hunt.json");

/// Loads the analyzer (building the dictionary on first use) and opens the
/// knowledge base in `data`, creating it when missing.
pub fn open_knowledge(data: &Path) -> Result<KnowledgeBase, KnowledgeError> {
    let analyzer = Arc::new(Analyzer::from_env()?);
    KnowledgeBase::open(data, analyzer)
}

/// As [`open_knowledge`], but only an existing knowledge base (for commands
/// that read).
pub fn open_existing_knowledge(data: &Path) -> Result<KnowledgeBase, KnowledgeError> {
    let analyzer = Arc::new(Analyzer::from_env()?);
    KnowledgeBase::open_existing(data, analyzer)
}

/// The glossary corrector for the recognizer: mis-heard terms (自動手当て)
/// written as the knowledge base has them (児童手当). Needs the dictionary,
/// which the counter PC has from `madoguchi setup`.
pub fn term_corrector(analyzer: Arc<Analyzer>) -> madoguchi_capture::asr::CorrectorFactory {
    struct Adapter(madoguchi_knowledge::correct::Corrector);
    impl madoguchi_capture::asr::TermCorrector for Adapter {
        fn correct(&self, text: &str, unsure: &[String]) -> String {
            self.0.correct_unsure(text, unsure)
        }
    }
    Arc::new(move |terms: &[String]| {
        Box::new(Adapter(madoguchi_knowledge::correct::Corrector::new(
            analyzer.clone(),
            terms,
        ))) as Box<dyn madoguchi_capture::asr::TermCorrector>
    })
}
