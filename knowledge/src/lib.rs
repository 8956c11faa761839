//! # madoguchi-knowledge
//!
//! Procedure manuals in, labelled sections out. A knowledge editor drops
//! manuals in; anyone asks in everyday spoken Japanese and gets back the
//! chunks that answer, each labelled with its heading path, title and version.
//!
//! # Layout
//! - [`dict`]: builds the IPADIC dictionary from Debian's source once, caches it.
//! - [`analysis`]: morphemes (surface, base form, part of speech, reading) and
//!   the search features built from them.
//! - [`normalize`]: NFKC, widths, phonetic keys shared by index and query.
//! - [`ingest`]: bytes → text (Shift_JIS/EUC-JP detected) → headings and lines
//!   for Markdown, plain text, HTML, DOCX and PDF.
//! - [`structure`]: 公用文 numbering → heading paths → sections → chunks.
//! - [`synonyms`]: the editors' 表記揺れ file; expands queries.
//! - [`catalog`]: documents, versions, effective dates, withdrawals: what
//!   search may see today.
//! - this file: [`KnowledgeBase`], the tantivy index and the public API.
//!
//! # Invariants
//! - No network I/O, ever.
//! - The catalog decides visibility; writing it (atomically) publishes, and
//!   every search first checks whether it changed, so the very next search
//!   sees a publication or withdrawal with no restart.
//! - Old versions stay in the index, retrievable by id, for citations.

pub mod analysis;
pub mod catalog;
pub mod correct;
pub mod dict;
pub mod ingest;
pub mod names;
pub mod normalize;
pub mod related;
pub mod structure;
pub mod synonyms;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Instant, SystemTime};

use chrono::{Local, NaiveDate};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tantivy::collector::FilterCollector;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, DisjunctionMaxQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, STORED, STRING,
};
use tantivy::tokenizer::{TextAnalyzer, WhitespaceTokenizer};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

pub use analysis::{Analyzer, Morph};
pub use catalog::{Catalog, DocEntry, VersionEntry};
use ingest::{Format, ReadError};
use synonyms::Synonyms;

/// At most this many of the manuals' words follow the glossary's terms (the
/// 11 sample manuals have 127).
const MAX_GLOSSARY_WORDS: usize = 3000;

/// Errors at the knowledge crate's boundary.
#[derive(Debug, thiserror::Error)]
pub enum KnowledgeError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("dictionary: {0}")]
    Dictionary(String),
    #[error("index: {0}")]
    Index(String),
    #[error("文書「{0}」は登録されていません")]
    UnknownDocument(String),
    #[error("文書「{0}」の版「{1}」はありません")]
    UnknownVersion(String, String),
    #[error("日付「{0}」を読めません（例: 2027-04-01）")]
    InvalidDate(String),
    #[error("ほかの取り込み・取り下げが実行中です。終わってからもう一度実行してください")]
    Busy,
    #[error("{0} にナレッジベースがありません（先に `madoguchi knowledge import <マニュアルのフォルダ> --data {0}` を実行してください）")]
    NoKnowledgeBase(PathBuf),
    #[error("質問が長すぎます（{0} 文字、上限 {MAX_QUERY_CHARS} 文字）")]
    QueryTooLong(usize),
}

/// Longest query accepted (characters).
pub const MAX_QUERY_CHARS: usize = 2000;

impl From<tantivy::TantivyError> for KnowledgeError {
    fn from(e: tantivy::TantivyError) -> Self {
        KnowledgeError::Index(e.to_string())
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KnowledgeError + '_ {
    move |source| KnowledgeError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// One search hit: a chunk with its citation.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hit {
    /// The document's name (its path under the imported folder).
    pub document: String,
    pub title: String,
    /// Heading path, e.g. 「第2 交付請求 > 3 手数料」.
    pub label: String,
    pub version: String,
    pub score: f32,
    pub text: String,
    /// Stable id of this chunk in this version: `<document>@<version>#<n>`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub chunk_id: String,
}

/// The answer to a search, as `knowledge search --json` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResult {
    pub query: String,
    pub took_ms: f64,
    pub hits: Vec<Hit>,
}

/// What happened to one file during an import.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FileOutcome {
    New {
        version: String,
    },
    Updated {
        version: String,
    },
    Unchanged,
    Synonyms,
    /// The related-procedures map (`related.txt`) was replaced.
    Related,
    Skipped {
        reason: String,
    },
    Failed {
        reason: String,
    },
}

/// A message about one file for the knowledge editor.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ImportWarning {
    pub file: String,
    pub message: String,
}

/// Summary of an import.
/// One file of an import and what became of it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FileResult {
    pub file: String,
    pub outcome: FileOutcome,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub files: Vec<FileResult>,
    /// Documents in the knowledge base (in search) that the imported folder
    /// no longer has. They stay until withdrawn.
    pub missing: Vec<String>,
    /// Documents imported as a new version (new or changed).
    pub documents: usize,
    pub unchanged: usize,
    pub sections: usize,
    pub chunks: usize,
    pub warnings: Vec<ImportWarning>,
}

/// Where a manual's bytes come from.
#[derive(Debug, Clone)]
pub enum Source {
    Bytes(Vec<u8>),
    File(PathBuf),
}

impl Source {
    /// The bytes, or a message for the editor (too large, unreadable).
    fn load(self) -> Result<Vec<u8>, String> {
        let too_large = |size: u64| {
            ReadError::TooLarge {
                size,
                limit: ingest::MAX_FILE_BYTES,
            }
            .to_string()
        };
        match self {
            Source::Bytes(b) if b.len() as u64 > ingest::MAX_FILE_BYTES => {
                Err(too_large(b.len() as u64))
            }
            Source::Bytes(b) => Ok(b),
            Source::File(p) => {
                let meta = std::fs::metadata(&p).map_err(|e| format!("読み込めません: {e}"))?;
                if meta.len() > ingest::MAX_FILE_BYTES {
                    return Err(too_large(meta.len()));
                }
                std::fs::read(&p).map_err(|e| format!("読み込めません: {e}"))
            }
        }
    }
}

/// Options of an import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Effective date for versions that name none in their front matter.
    /// Default: today (published at once).
    pub effective: Option<NaiveDate>,
}

#[derive(Clone, Copy)]
struct Fields {
    chunk_id: Field,
    document: Field,
    docver: Field,
    docver_id: Field,
    title: Field,
    label: Field,
    version: Field,
    text: Field,
    words: Field,
    label_words: Field,
    phon: Field,
    grams: Field,
}

/// Relative weights of the matching fields (see [`KnowledgeBase::search`]).
#[derive(Debug, Clone, Copy)]
pub struct Weights {
    pub words: f32,
    pub label: f32,
    pub phon: f32,
    pub grams: f32,
    /// Multiplier for terms that come from synonym expansion.
    pub synonyms: f32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            words: 1.0,
            label: 1.0,
            phon: 0.8,
            grams: 0.8,
            synonyms: 0.7,
        }
    }
}

type Stamp = Option<(SystemTime, u64)>;

fn stamp(path: &Path) -> Stamp {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

struct Live {
    catalog: Catalog,
    catalog_stamp: Stamp,
    synonyms: Synonyms,
    synonyms_stamp: Stamp,
    /// Ids of the (document, version) pairs in force, cached for one day.
    allowed: Option<(NaiveDate, Arc<HashSet<u64>>)>,
    /// The manuals' vocabulary (glossary terms) with phonetic keys, for
    /// sound-alike correction of mis-heard query words; built for one day,
    /// since a scheduled version brings its terms on its effective date.
    vocab: Option<(NaiveDate, Arc<Vocabulary>)>,
}

/// Terms the manuals use, by sound: (term, phonetic key as chars).
#[derive(Default)]
struct Vocabulary {
    terms: Vec<(String, Vec<char>)>,
    known: HashSet<String>,
}

/// N-grams in more than this share of all chunks are left out of queries.
const COMMON_NGRAM: f64 = 0.4;

/// Extra candidates fetched so that ties at the cut are ordered stably.
const TIE_MARGIN: usize = 8;

/// A query word needs at least this many kana to be matched by sound.
const MIN_SOUNDALIKE_KEY: usize = 4;

impl Vocabulary {
    /// The manual terms that sound like query words the manuals do not use
    /// (保健所 → 保険証, 本人確認処理 → 本人確認書類): for each such word,
    /// the closest term within about a third of its length in kana edits.
    fn soundalikes(&self, units: &[analysis::QueryUnit]) -> Vec<String> {
        let mut out = Vec::new();
        for u in units {
            let key: Vec<char> = u.key.chars().collect();
            if key.len() < MIN_SOUNDALIKE_KEY || self.known.contains(&u.word) {
                continue;
            }
            // One kana edit in five or six letters, two in seven to nine, …:
            // loose enough for 本人確認処理 → 本人確認書類, tight enough that
            // 出世届 does not become 死亡届 on the strength of 届 alone.
            let max = ((key.len() - 1) / 3).max(1);
            let mut best: Option<(usize, &str)> = None;
            for (term, tkey) in &self.terms {
                let limit = best.map_or(max, |(d, _)| d - 1);
                // Distance 0 adds nothing: the word's own phonetic n-grams
                // already match a term that sounds the same.
                if let Some(d) = normalize::edit_distance_within(&key, tkey, limit) {
                    if d > 0 {
                        best = Some((d, term));
                    }
                }
            }
            if let Some((_, t)) = best {
                if !out.iter().any(|o: &String| o == t) {
                    out.push(t.to_owned());
                }
            }
        }
        out
    }
}

/// The knowledge base in one data directory.
pub struct KnowledgeBase {
    dir: PathBuf,
    analyzer: Arc<Analyzer>,
    index: Index,
    reader: IndexReader,
    f: Fields,
    live: RwLock<Live>,
    /// Serializes writers within this process.
    write_lock: Mutex<()>,
    weights: Weights,
}

const TOKENIZER: &str = "ws";

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let pre = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqs)
            .set_fieldnorms(false),
    );
    let f = Fields {
        chunk_id: b.add_text_field("chunk_id", STRING | STORED),
        document: b.add_text_field("document", STRING | STORED),
        docver: b.add_text_field("docver", STRING),
        docver_id: b.add_u64_field(DOCVER_ID, FAST),
        title: b.add_text_field("title", STORED),
        label: b.add_text_field("label", STORED),
        version: b.add_text_field("version", STORED),
        text: b.add_text_field("text", STORED),
        words: b.add_text_field("words", pre.clone()),
        label_words: b.add_text_field("label_words", pre.clone()),
        phon: b.add_text_field("phon", pre.clone()),
        grams: b.add_text_field("grams", pre),
    };
    (b.build(), f)
}

fn docver(document: &str, version: &str) -> String {
    format!("{document}\u{1f}{version}")
}

const DOCVER_ID: &str = "docver_id";

/// A 64-bit id of (document, version) for the fast filter (FNV-1a).
fn docver_id(document: &str, version: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in docver(document, version).bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A manual read and split, ready to index.
struct Prepared {
    title: String,
    effective: Option<NaiveDate>,
    hash: String,
    sections: usize,
    chunks: Vec<structure::Chunk>,
    terms: Vec<String>,
    words: Vec<String>,
    notes: Vec<String>,
}

/// Parses `2027-04-01`, `2027/4/1` or `2027年4月1日`.
pub fn parse_date(s: &str) -> Result<NaiveDate, KnowledgeError> {
    let n = normalize::normalize(s.trim());
    let parts: Vec<&str> = n
        .split(['-', '/', '年', '月', '日', '.'])
        .filter(|p| !p.is_empty())
        .collect();
    if let [y, m, d] = parts[..] {
        if let (Ok(y), Ok(m), Ok(d)) = (y.parse(), m.parse(), d.parse()) {
            if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
                return Ok(date);
            }
        }
    }
    Err(KnowledgeError::InvalidDate(s.to_owned()))
}

/// The office's date today.
pub fn today() -> NaiveDate {
    Local::now().date_naive()
}

impl KnowledgeBase {
    /// Opens (creating if needed) the knowledge base in `dir`.
    pub fn open(dir: &Path, analyzer: Arc<Analyzer>) -> Result<Self, KnowledgeError> {
        Self::open_with(dir, analyzer, Weights::default())
    }

    /// Opens an existing knowledge base; a clear error when `dir` holds none
    /// (so that a mistyped `--data` does not quietly create an empty one).
    pub fn open_existing(dir: &Path, analyzer: Arc<Analyzer>) -> Result<Self, KnowledgeError> {
        if !dir.join("catalog.json").exists() {
            return Err(KnowledgeError::NoKnowledgeBase(dir.to_path_buf()));
        }
        Self::open(dir, analyzer)
    }

    /// As [`open`](Self::open), with explicit field weights (for tuning).
    pub fn open_with(
        dir: &Path,
        analyzer: Arc<Analyzer>,
        weights: Weights,
    ) -> Result<Self, KnowledgeError> {
        let index_dir = dir.join("index");
        std::fs::create_dir_all(&index_dir).map_err(io(&index_dir))?;
        let (schema, f) = schema();
        let mmap = tantivy::directory::MmapDirectory::open(&index_dir)
            .map_err(|e| KnowledgeError::Index(e.to_string()))?;
        let index = Index::open_or_create(mmap, schema).map_err(|e| {
            KnowledgeError::Index(format!(
                "{}: {e} (the index was made by another version of madoguchi: \
                 remove {} and import the manuals again)",
                index_dir.display(),
                index_dir.display()
            ))
        })?;
        index.tokenizers().register(
            TOKENIZER,
            TextAnalyzer::from(WhitespaceTokenizer::default()),
        );
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let syn_path = dir.join("synonyms.txt");
        if !syn_path.exists() {
            std::fs::write(&syn_path, synonyms::DEFAULT_SYNONYMS).map_err(io(&syn_path))?;
        }
        let rel_path = dir.join("related.txt");
        if !rel_path.exists() {
            std::fs::write(&rel_path, related::DEFAULT_RELATED).map_err(io(&rel_path))?;
        }
        let kb = KnowledgeBase {
            dir: dir.to_path_buf(),
            analyzer,
            index,
            reader,
            f,
            live: RwLock::new(Live {
                catalog: Catalog::default(),
                catalog_stamp: None,
                synonyms: Synonyms::default(),
                synonyms_stamp: None,
                allowed: None,
                vocab: None,
            }),
            write_lock: Mutex::new(()),
            weights,
        };
        kb.refresh(true)?;
        Ok(kb)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn analyzer(&self) -> &Arc<Analyzer> {
        &self.analyzer
    }

    fn catalog_path(&self) -> PathBuf {
        self.dir.join("catalog.json")
    }

    /// The path of the editors' synonym file.
    /// The related-procedures map editors keep (`related.txt`).
    pub fn related_path(&self) -> PathBuf {
        self.dir.join("related.txt")
    }

    /// Procedures related to `text`, from the map as it is now on disk (an
    /// editor's change counts at once). A missing map suggests nothing; bad
    /// lines are logged and skipped.
    pub fn related(&self, text: &str) -> Vec<String> {
        let Ok(map) = std::fs::read_to_string(self.related_path()) else {
            return Vec::new();
        };
        let (r, errors) = related::Related::parse(&map);
        for e in errors {
            tracing::warn!("related.txt: line ignored: {e}");
        }
        r.suggest(text)
    }

    pub fn synonyms_path(&self) -> PathBuf {
        self.dir.join("synonyms.txt")
    }

    /// Reloads the catalog, the synonyms and the index reader if their files
    /// changed since the last look (another process may have published).
    fn refresh(&self, force: bool) -> Result<(), KnowledgeError> {
        let cat_path = self.catalog_path();
        let syn_path = self.synonyms_path();
        let (cs, ss) = (stamp(&cat_path), stamp(&syn_path));
        {
            let live = self.live.read().unwrap_or_else(|e| e.into_inner());
            if !force && live.catalog_stamp == cs && live.synonyms_stamp == ss {
                return Ok(());
            }
        }
        let mut live = self.live.write().unwrap_or_else(|e| e.into_inner());
        if force || live.catalog_stamp != cs {
            live.catalog = Catalog::load(&cat_path).map_err(io(&cat_path))?;
            live.catalog_stamp = cs;
            live.allowed = None;
            self.reader.reload()?;
        }
        if force || live.synonyms_stamp != ss {
            let text = std::fs::read_to_string(&syn_path).unwrap_or_default();
            let (syn, errors) = Synonyms::parse(&text);
            let syn = syn.with_phonetic_keys(|t| self.analyzer.phonetic_text(t));
            for e in errors {
                tracing::warn!(line = e.line, "synonyms.txt: line ignored: {}", e.message);
            }
            live.synonyms = syn;
            live.synonyms_stamp = ss;
        }
        // Something changed (or a forced reload): the vocabulary follows.
        live.vocab = None;
        Ok(())
    }

    /// The index writer, whose lock file keeps other writers (in this or
    /// another process) out until it is dropped.
    /// The index writer. A writer this process just dropped may hold the
    /// lock for a moment longer (its threads finish first), so a lock
    /// failure is retried for up to a second before it means another
    /// writer is at work.
    fn lock_writer(&self) -> Result<tantivy::IndexWriter, KnowledgeError> {
        let mut tries = 0;
        loop {
            match self.index.writer(100_000_000) {
                Ok(w) => return Ok(w),
                Err(tantivy::TantivyError::LockFailure(..)) if tries < 10 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(tantivy::TantivyError::LockFailure(..)) => return Err(KnowledgeError::Busy),
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The vocabulary for `day`, built on first use that day or after a change.
    fn vocabulary_on(&self, day: NaiveDate) -> Arc<Vocabulary> {
        {
            let live = self.live.read().unwrap_or_else(|e| e.into_inner());
            if let Some((d, v)) = &live.vocab {
                if *d == day {
                    return v.clone();
                }
            }
        }
        let mut live = self.live.write().unwrap_or_else(|e| e.into_inner());
        let v = Arc::new(self.vocabulary(&live, day));
        live.vocab = Some((day, v.clone()));
        v
    }

    /// The vocabulary of the manuals in force on `day` and of the synonym file.
    fn vocabulary(&self, live: &Live, day: NaiveDate) -> Vocabulary {
        let mut v = Vocabulary::default();
        let terms = live
            .catalog
            .current(day)
            .into_iter()
            .flat_map(|(_, ver)| ver.terms.iter().cloned())
            .chain(live.synonyms.all_terms());
        for t in terms {
            if v.known.insert(t.clone()) {
                // Terms only (nouns, with particles like の inside), not
                // phrases such as the synonym trigger 亡くなった.
                let morphs = self.analyzer.morphs(&t);
                let is_term = morphs.last().is_some_and(|m| m.is_noun() || m.is_unknown())
                    && morphs
                        .iter()
                        .all(|m| !matches!(m.pos[0].as_str(), "動詞" | "助動詞" | "形容詞"));
                if !is_term {
                    continue;
                }
                let key: Vec<char> = self.analyzer.phonetic_text(&t).chars().collect();
                if key.len() >= MIN_SOUNDALIKE_KEY && !key.contains(&'|') {
                    v.terms.push((t, key));
                }
            }
        }
        v
    }

    /// True when `word` is a term of the manuals in force or of the synonym
    /// file (a word of the glossary), from the day's cached vocabulary.
    pub fn is_term(&self, word: &str) -> Result<bool, KnowledgeError> {
        self.refresh(false)?;
        Ok(self.vocabulary_on(today()).known.contains(word))
    }

    /// A copy of the catalog as it is now.
    pub fn catalog(&self) -> Result<Catalog, KnowledgeError> {
        self.refresh(false)?;
        Ok(self
            .live
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .catalog
            .clone())
    }

    /// Searches the manuals in force today.
    pub fn search(&self, query: &str, limit: usize) -> Result<SearchResult, KnowledgeError> {
        self.search_on(query, limit, today())
    }

    /// Searches the manuals in force on `day`.
    ///
    /// Scoring sums BM25 over four views of the text, weighted by
    /// [`Weights`]: content words and compounds, the heading path and title,
    /// phonetic-key n-grams of readings (for mis-heard speech), and character
    /// bigrams. Synonym expansions join with a lower weight. Fillers and
    /// politeness (えっと, なんですけど) produce no terms at all.
    pub fn search_on(
        &self,
        query: &str,
        limit: usize,
        day: NaiveDate,
    ) -> Result<SearchResult, KnowledgeError> {
        let started = Instant::now();
        let n = query.chars().count();
        if n > MAX_QUERY_CHARS {
            return Err(KnowledgeError::QueryTooLong(n));
        }
        self.refresh(false)?;
        let vocab = self.vocabulary_on(day);
        let (cached, expansion) = {
            let live = self.live.read().unwrap_or_else(|e| e.into_inner());
            let cached = match &live.allowed {
                Some((d, terms)) if *d == day => Some(terms.clone()),
                _ => None,
            };
            let key = self.analyzer.phonetic_text(query);
            let mut expansion = live.synonyms.expand_spoken(query, &key);
            let units = self.analyzer.query_units(query);
            for t in vocab.soundalikes(&units) {
                if !expansion.contains(&t) {
                    expansion.push(t);
                }
            }
            (cached, expansion.join(" "))
        };
        let allowed = match cached {
            Some(a) => a,
            None => {
                let mut live = self.live.write().unwrap_or_else(|e| e.into_inner());
                let terms: HashSet<u64> = live
                    .catalog
                    .current(day)
                    .into_iter()
                    .map(|(doc, v)| docver_id(doc, &v.version))
                    .collect();
                let terms = Arc::new(terms);
                live.allowed = Some((day, terms.clone()));
                terms
            }
        };
        self.run_search(query, limit, started, allowed, &expansion)
    }

    fn run_search(
        &self,
        query: &str,
        limit: usize,
        started: Instant,
        allowed: Arc<HashSet<u64>>,
        expansion: &str,
    ) -> Result<SearchResult, KnowledgeError> {
        let mut hits = Vec::new();
        let searcher = self.reader.searcher();
        let q = self.build_query(&searcher, query, expansion);
        if let (Some(q), false, true) = (q, allowed.is_empty(), limit > 0) {
            // Only versions in force count: a fast-field filter on the
            // (document, version) id, no per-query structures to build.
            let filter = FilterCollector::new(
                DOCVER_ID.to_owned(),
                move |id: u64| allowed.contains(&id),
                TopDocs::with_limit(limit + TIE_MARGIN),
            );
            for (score, addr) in searcher.search(&q, &filter)? {
                let doc: TantivyDocument = searcher.doc(addr)?;
                hits.push(self.hit_of(&doc, score));
            }
            // Equal scores in a stable order (document, then position), not
            // in whatever order indexing threads laid the segments out.
            hits.sort_by(|a, b| {
                b.score
                    .total_cmp(&a.score)
                    .then_with(|| a.chunk_id.cmp(&b.chunk_id))
            });
            hits.truncate(limit);
        }
        Ok(SearchResult {
            query: query.to_owned(),
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            hits,
        })
    }

    /// One clause per query word: the best of its evidences (exact word,
    /// heading, phonetic trigrams, character bigrams) via a disjunction-max,
    /// so a word counts once however many n-grams it has, and the words of
    /// the question add up.
    ///
    /// N-gram terms found in more than [`COMMON_NGRAM`] of all chunks are
    /// skipped: they say almost nothing (low idf) and would make every query
    /// walk nearly every posting list. Their share of the word's weight is
    /// not handed to the others.
    fn build_query(
        &self,
        searcher: &tantivy::Searcher,
        query: &str,
        expansion: &str,
    ) -> Option<Box<dyn Query>> {
        let w = self.weights;
        let max_df = (searcher.num_docs() as f64 * COMMON_NGRAM) as u64;
        let common = |t: &Term| max_df > 0 && searcher.doc_freq(t).is_ok_and(|df| df > max_df);
        let term = |field: Field, t: &str, boost: f32| -> Box<dyn Query> {
            // Presence, not frequency: a chunk that repeats the topic word
            // must not outrank the one that answers the question.
            let tq = TermQuery::new(Term::from_field_text(field, t), IndexRecordOption::Basic);
            Box::new(BoostQuery::new(Box::new(tq), boost))
        };
        let spread = |field: Field, terms: &[String], weight: f32| -> Option<Box<dyn Query>> {
            if terms.is_empty() {
                return None;
            }
            let each = weight / terms.len() as f32;
            let qs: Vec<(Occur, Box<dyn Query>)> = terms
                .iter()
                .filter(|t| !common(&Term::from_field_text(field, t)))
                .map(|t| (Occur::Should, term(field, t, each)))
                .collect();
            (!qs.is_empty()).then(|| Box::new(BooleanQuery::new(qs)) as Box<dyn Query>)
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (text, factor) in [(query, 1.0f32), (expansion, w.synonyms)] {
            if text.is_empty() {
                continue;
            }
            for u in self.analyzer.query_units(text) {
                if !seen.insert(u.word.clone()) {
                    continue;
                }
                let mut alts: Vec<Box<dyn Query>> = vec![
                    term(self.f.words, &u.word, w.words * factor),
                    term(self.f.label_words, &u.word, w.label * factor),
                ];
                alts.extend(spread(self.f.phon, &u.phon, w.phon * factor));
                alts.extend(spread(self.f.grams, &u.grams, w.grams * factor));
                alts.extend(spread(
                    self.f.label_words,
                    &u.grams,
                    w.label * w.grams * factor,
                ));
                clauses.push((
                    Occur::Should,
                    Box::new(DisjunctionMaxQuery::with_tie_breaker(alts, 0.2)),
                ));
            }
        }
        if clauses.is_empty() {
            return None;
        }
        Some(Box::new(BooleanQuery::new(clauses)))
    }

    fn hit_of(&self, doc: &TantivyDocument, score: f32) -> Hit {
        let get = |f: Field| {
            doc.get_first(f)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        Hit {
            document: get(self.f.document),
            title: get(self.f.title),
            label: get(self.f.label),
            version: get(self.f.version),
            score,
            text: get(self.f.text),
            chunk_id: get(self.f.chunk_id),
        }
    }

    /// Every chunk of one version of a document, in document order, whether
    /// or not that version is in force (old versions stay citable).
    pub fn version_chunks(
        &self,
        document: &str,
        version: &str,
    ) -> Result<Vec<Hit>, KnowledgeError> {
        self.refresh(false)?;
        let searcher = self.reader.searcher();
        let q = TermQuery::new(
            Term::from_field_text(self.f.docver, &docver(document, version)),
            IndexRecordOption::Basic,
        );
        let n = searcher.search(&q, &tantivy::collector::Count)?;
        if n == 0 {
            let cat = self.catalog()?;
            return Err(match cat.documents.get(document) {
                None => KnowledgeError::UnknownDocument(document.to_owned()),
                Some(_) => KnowledgeError::UnknownVersion(document.to_owned(), version.to_owned()),
            });
        }
        let mut out = Vec::new();
        for (_, addr) in searcher.search(&q, &TopDocs::with_limit(n))? {
            let doc: TantivyDocument = searcher.doc(addr)?;
            out.push(self.hit_of(&doc, 0.0));
        }
        out.sort_by_key(|h| chunk_ordinal(&h.chunk_id));
        Ok(out)
    }

    /// One chunk by its id (`<document>@<version>#<n>`), in any version.
    pub fn chunk(&self, chunk_id: &str) -> Result<Option<Hit>, KnowledgeError> {
        self.refresh(false)?;
        let searcher = self.reader.searcher();
        let q = TermQuery::new(
            Term::from_field_text(self.f.chunk_id, chunk_id),
            IndexRecordOption::Basic,
        );
        let found = searcher.search(&q, &TopDocs::with_limit(1))?;
        match found.first() {
            Some((_, addr)) => Ok(Some(self.hit_of(&searcher.doc(*addr)?, 0.0))),
            None => Ok(None),
        }
    }

    /// Takes a document out of search at once. Its versions stay citable.
    pub fn withdraw(&self, document: &str) -> Result<(), KnowledgeError> {
        let _guard = self.write_lock.lock().unwrap_or_else(|e| e.into_inner());
        let _writer = self.lock_writer()?;
        let path = self.catalog_path();
        let mut cat = Catalog::load(&path).map_err(io(&path))?;
        let entry = cat
            .documents
            .get_mut(document)
            .ok_or_else(|| KnowledgeError::UnknownDocument(document.to_owned()))?;
        entry.withdrawn_at = Some(Local::now().to_rfc3339());
        cat.save(&path).map_err(io(&path))?;
        self.refresh(true)
    }

    /// The glossary: the synonym file's terms and the manuals' own terms
    /// (headings, compounds), deduplicated, for the speech recognizer's prompt.
    pub fn glossary(&self) -> Result<Vec<String>, KnowledgeError> {
        self.refresh(false)?;
        let live = self.live.read().unwrap_or_else(|e| e.into_inner());
        // Distinctive first: a term's mean weight in the manuals that list
        // it (by its rank there) times its inverse document frequency, so
        // 住民票の写し and 転出証明書 come before 概要 and 留意事項, which every
        // manual has. The recognizer's prompt takes the first terms.
        let current = live.catalog.current(today());
        let n_docs = current.len().max(1) as f64;
        let mut stats: HashMap<String, (f64, usize)> = HashMap::new();
        let mut order: Vec<String> = Vec::new();
        for (_, v) in &current {
            for (i, t) in v.terms.iter().enumerate() {
                let e = stats.entry(t.clone()).or_insert_with(|| {
                    order.push(t.clone());
                    (0.0, 0)
                });
                e.0 += 100.0 - i as f64;
                e.1 += 1;
            }
        }
        let score = |t: &String| {
            let (w, df) = stats[t];
            w / df as f64 * (1.0 + n_docs / df as f64).ln()
        };
        order.sort_by(|a, b| score(b).total_cmp(&score(a)).then(a.cmp(b)));
        // The editors' canonical terms lead.
        let mut lead = live.synonyms.canonical_terms();
        lead.retain(|t| t.chars().count() >= 2);
        order.retain(|t| !lead.contains(t));
        lead.extend(order);
        let mut order = lead;
        let mut counts: HashMap<String, usize> = order.iter().map(|t| (t.clone(), 1)).collect();
        for t in live.synonyms.all_terms() {
            if !counts.contains_key(&t) && t.chars().count() >= 2 {
                counts.insert(t.clone(), 0);
                order.push(t);
            }
        }
        // Then the manuals' other words, for the term correction only (the
        // prompt is full long before): those more manuals use first.
        let mut words: HashMap<&str, usize> = HashMap::new();
        let mut first_seen: Vec<&str> = Vec::new();
        for (_, v) in &current {
            for w in &v.words {
                *words.entry(w.as_str()).or_insert_with(|| {
                    first_seen.push(w.as_str());
                    0
                }) += 1;
            }
        }
        first_seen.retain(|w| !counts.contains_key(*w));
        first_seen.sort_by_key(|w| std::cmp::Reverse(words[w]));
        // Bounded, so the glossary each counter receives and the work of
        // its correction stay small however many manuals there are.
        first_seen.truncate(MAX_GLOSSARY_WORDS);
        order.extend(first_seen.into_iter().map(str::to_owned));
        Ok(order)
    }

    /// Imports every manual under `dir` (recursively). A changed file becomes
    /// a new version; an unchanged one is left alone; a file that cannot be
    /// read is reported and the rest go on.
    pub fn import_dir(
        &self,
        dir: &Path,
        opts: &ImportOptions,
    ) -> Result<ImportReport, KnowledgeError> {
        let mut files = Vec::new();
        walk(dir, dir, &mut files).map_err(io(dir))?;
        files.sort();
        let names: HashSet<String> = files.iter().map(|(n, _)| n.clone()).collect();
        let sources = files
            .into_iter()
            .map(|(n, p)| (n, Source::File(p)))
            .collect();
        let mut report = self.import_files(sources, opts, ImportReport::default())?;
        // Documents whose file is gone (not merely unreadable this time).
        let cat = self.catalog()?;
        report.missing = cat
            .documents
            .iter()
            .filter(|(n, d)| d.withdrawn_at.is_none() && !names.contains(*n))
            .map(|(n, _)| n.clone())
            .collect();
        Ok(report)
    }

    /// Imports manuals given as (document name, source). Each file is read
    /// only when its turn comes, so memory stays bounded by the largest one.
    /// A top-level `synonyms.txt` replaces the synonym file.
    pub fn import_files(
        &self,
        files: Vec<(String, Source)>,
        opts: &ImportOptions,
        mut report: ImportReport,
    ) -> Result<ImportReport, KnowledgeError> {
        let _guard = self.write_lock.lock().unwrap_or_else(|e| e.into_inner());
        // The index writer's lock serializes writers across processes; it is
        // taken before the catalog is read, so no writer saves a stale one.
        let mut writer = self.lock_writer()?;
        let mut changed = false;
        let cat_path = self.catalog_path();
        let mut cat = Catalog::load(&cat_path).map_err(io(&cat_path))?;
        let now = Local::now().to_rfc3339();
        let today = today();

        for (name, source) in files {
            let format = Format::from_name(&name);
            let map = name == "synonyms.txt" || name == "related.txt";
            if format.is_none() && !map {
                let reason =
                    "対応していない形式のため取り込みませんでした（.md .txt .html .docx .pdf に対応）"
                        .to_owned();
                report.warn(&name, reason.clone());
                report.record(name, FileOutcome::Skipped { reason });
                continue;
            }
            let bytes = match source.load() {
                Ok(b) => b,
                Err(reason) => {
                    report.fail(&name, reason);
                    continue;
                }
            };
            if map {
                match String::from_utf8(bytes) {
                    Ok(text) => {
                        let (errors, p) = if name == "synonyms.txt" {
                            let (_, e) = Synonyms::parse(&text);
                            (
                                e.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
                                self.synonyms_path(),
                            )
                        } else {
                            let (_, e) = related::Related::parse(&text);
                            (
                                e.iter().map(|e| e.to_string()).collect(),
                                self.related_path(),
                            )
                        };
                        for e in errors {
                            report.warn(&name, e);
                        }
                        std::fs::write(&p, text).map_err(io(&p))?;
                        let outcome = if name == "synonyms.txt" {
                            FileOutcome::Synonyms
                        } else {
                            FileOutcome::Related
                        };
                        report.record(name, outcome);
                    }
                    Err(_) => report.fail(&name, "UTF-8 で保存してください".into()),
                }
                continue;
            }
            let Some(format) = format else { continue };
            let prepared = match self.prepare(&name, &bytes, format) {
                Ok(p) => p,
                Err(reason) => {
                    report.fail(&name, reason);
                    continue;
                }
            };
            for n in &prepared.notes {
                report.warn(&name, n.clone());
            }
            let entry = cat.documents.get_mut(&name);
            if let Some(last) = entry.and_then(|e| e.versions.last_mut()) {
                // Catalogs written before versions kept their words get
                // them on the next import, without a new version.
                if last.hash == prepared.hash && last.words.is_empty() {
                    last.words = prepared.words.clone();
                }
            }
            let entry = cat.documents.get(&name);
            if entry
                .and_then(|e| e.versions.last())
                .is_some_and(|v| v.hash == prepared.hash)
                && entry.is_some_and(|e| e.withdrawn_at.is_none())
            {
                report.unchanged += 1;
                report.record(name, FileOutcome::Unchanged);
                continue;
            }
            let is_new = entry.is_none();
            let version = entry
                .map(DocEntry::next_version)
                .unwrap_or_else(|| "v1".into());
            let effective = prepared.effective.or(opts.effective).unwrap_or(today);
            // A version is in force from its date until a version with a
            // later date takes over: a back-dated one may never be used.
            if let Some(later) = entry
                .into_iter()
                .flat_map(|e| &e.versions)
                .filter(|v| v.effective > effective)
                .max_by_key(|v| v.effective)
            {
                report.warn(
                    &name,
                    format!(
                        "施行日 {effective} は既存の版 {}（施行日 {}）より前のため、{} 以降は {} が使われます",
                        later.version, later.effective, later.effective, later.version
                    ),
                );
            }
            changed = true;
            let w = &mut writer;
            let dv = docver(&name, &version);
            for (i, c) in prepared.chunks.iter().enumerate() {
                w.add_document(self.index_doc(&name, &version, &dv, i, &prepared.title, c))?;
            }
            report.documents += 1;
            report.sections += prepared.sections;
            report.chunks += prepared.chunks.len();
            let ventry = VersionEntry {
                version: version.clone(),
                title: prepared.title.clone(),
                effective,
                imported_at: now.clone(),
                hash: prepared.hash,
                sections: prepared.sections,
                chunks: prepared.chunks.len(),
                terms: prepared.terms,
                words: prepared.words,
            };
            let doc = cat
                .documents
                .entry(name.clone())
                .or_insert_with(|| DocEntry {
                    title: prepared.title.clone(),
                    withdrawn_at: None,
                    versions: Vec::new(),
                });
            doc.title = prepared.title;
            doc.withdrawn_at = None;
            doc.versions.push(ventry);
            let outcome = if is_new {
                FileOutcome::New { version }
            } else {
                FileOutcome::Updated { version }
            };
            report.record(name, outcome);
        }
        // Index first, catalog second: the new chunks become visible only
        // when the catalog that names them is in place.
        if changed {
            writer.commit()?;
            writer.wait_merging_threads()?;
        }
        cat.save(&cat_path).map_err(io(&cat_path))?;
        self.refresh(true)?;
        Ok(report)
    }

    fn index_doc(
        &self,
        name: &str,
        version: &str,
        dv: &str,
        ordinal: usize,
        title: &str,
        c: &structure::Chunk,
    ) -> TantivyDocument {
        // The title goes with every chunk's body, so a manual's topic weighs
        // the same in all its chunks and the question's other words decide.
        let body = self
            .analyzer
            .features(&format!("{title}\n{}\n{}", c.label, c.text), false);
        let head = self.analyzer.features(&strip_markers(&c.label), false);
        let mut d = TantivyDocument::default();
        d.add_text(self.f.chunk_id, format!("{name}@{version}#{ordinal:05}"));
        d.add_text(self.f.document, name);
        d.add_text(self.f.docver, dv);
        d.add_u64(self.f.docver_id, docver_id(name, version));
        d.add_text(self.f.title, title);
        d.add_text(self.f.label, &c.label);
        d.add_text(self.f.version, version);
        d.add_text(self.f.text, &c.text);
        d.add_text(self.f.words, body.words.join(" "));
        let mut lw = head.words;
        lw.extend(head.grams);
        d.add_text(self.f.label_words, lw.join(" "));
        d.add_text(self.f.phon, body.phon.join(" "));
        d.add_text(self.f.grams, body.grams.join(" "));
        d
    }

    /// Reads and splits one manual. Errors are messages for the editor.
    fn prepare(&self, name: &str, bytes: &[u8], format: Format) -> Result<Prepared, String> {
        let raw = ingest::read(bytes, format).map_err(|e| e.to_string())?;
        let effective = match &raw.effective {
            Some(s) => Some(parse_date(s).map_err(|e| e.to_string())?),
            None => None,
        };
        let stem = name
            .rsplit('/')
            .next()
            .unwrap_or(name)
            .rsplit_once('.')
            .map(|x| x.0)
            .unwrap_or(name);
        let title = raw
            .title
            .clone()
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| stem.to_owned());
        let sections = structure::sections(&raw.lines);
        let chunks = structure::chunks(&sections, &title);
        if chunks.is_empty() {
            return Err(ReadError::NoText.to_string());
        }
        let mut h = Sha256::new();
        h.update(bytes);
        let hash = format!("{:x}", h.finalize());
        // Each unit is analyzed once, for both terms and words.
        let units: Vec<Vec<Morph>> = sections
            .iter()
            .flat_map(|s| &s.units)
            .map(|u| self.analyzer.morphs(&normalize::normalize(u)))
            .collect();
        let terms = self.terms_of(&title, &sections, &units);
        let words = words_of(&units);
        Ok(Prepared {
            title,
            effective,
            hash,
            sections: sections.len(),
            chunks,
            terms,
            words,
            notes: raw.notes,
        })
    }

    /// A manual's own terms: heading titles and compound nouns that recur.
    fn terms_of(
        &self,
        title: &str,
        sections: &[structure::Section],
        units: &[Vec<Morph>],
    ) -> Vec<String> {
        let mut counts: HashMap<String, usize> = HashMap::new();
        let mut order = Vec::new();
        let mut bump = |t: String, n: usize, order: &mut Vec<String>| {
            let c = counts.entry(t.clone()).or_insert_with(|| {
                order.push(t);
                0
            });
            *c += n;
        };
        let mut heads: Vec<String> = vec![title.to_owned()];
        for s in sections {
            for p in &s.path {
                heads.push(strip_markers(p));
            }
        }
        for h in heads {
            let h = h.trim().to_owned();
            // A heading is a term when it names a thing: nouns, joined at
            // most by の (届出の期限 yes, 本籍地での請求 no).
            let nouns_only = self.analyzer.morphs(&h).iter().all(|m| {
                m.is_noun() || m.pos[0] == "接頭詞" || (m.pos[0] == "助詞" && m.pos[1] == "連体化")
            });
            if (2..=10).contains(&h.chars().count()) && nouns_only {
                bump(h, 3, &mut order);
            }
        }
        for u in units {
            for c in compounds(u) {
                bump(c, 1, &mut order);
            }
        }
        let mut terms: Vec<String> = order.into_iter().filter(|t| counts[t] >= 2).collect();
        terms.sort_by(|a, b| counts[b].cmp(&counts[a]).then(a.cmp(b)));
        terms.truncate(60);
        terms
    }
}

/// A noun that says something: not a dependent noun, a pronoun or a number.
fn content_noun(m: &Morph) -> bool {
    m.is_noun() && !matches!(m.pos[1].as_str(), "非自立" | "代名詞" | "数")
}

/// Every kanji noun and run of kanji nouns of three to ten characters in a
/// manual's analyzed units (運転免許証, 筆頭者, 振込先), each once: the
/// vocabulary the recognizer's term correction matches what it heard
/// against, beyond the glossary's recurring terms.
fn words_of(units: &[Vec<Morph>]) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let kanji_noun = |m: &Morph| content_noun(m) && m.surface.chars().all(normalize::is_kanji);
    for morphs in units {
        for run in analysis::runs(morphs, kanji_noun) {
            let w = analysis::surface_of(run);
            if (3..=10).contains(&w.chars().count()) && seen.insert(w.clone()) {
                words.push(w);
            }
        }
    }
    words
}

/// Compound nouns (two or more nouns, three or more characters) and long
/// katakana words in an analyzed unit.
fn compounds(morphs: &[Morph]) -> Vec<String> {
    analysis::runs(morphs, content_noun)
        .into_iter()
        .filter_map(|run| {
            // A run may not start with a suffix: 「3歳未満」 gives no 「歳未満」.
            let lead = run.iter().take_while(|m| m.pos[1] == "接尾").count();
            let run = &run[lead..];
            let s = analysis::surface_of(run);
            let n = s.chars().count();
            let content =
                s.chars().all(normalize::is_word_char) && !s.chars().all(|c| c.is_ascii_digit());
            let long_kana = normalize::is_kana(&s) && n >= 4;
            ((3..=16).contains(&n) && content && (run.len() >= 2 || long_kana)).then_some(s)
        })
        .collect()
}

impl ImportReport {
    fn warn(&mut self, file: &str, message: String) {
        self.warnings.push(ImportWarning {
            file: file.to_owned(),
            message,
        });
    }
    fn fail(&mut self, file: &str, reason: String) {
        self.warn(file, reason.clone());
        self.record(file.to_owned(), FileOutcome::Failed { reason });
    }
    fn record(&mut self, file: String, outcome: FileOutcome) {
        self.files.push(FileResult { file, outcome });
    }
}

fn chunk_ordinal(id: &str) -> u64 {
    id.rsplit_once('#')
        .and_then(|x| x.1.parse().ok())
        .unwrap_or(0)
}

/// A heading path without its numbering markers: 「2 本人確認」→「本人確認」.
fn strip_markers(label: &str) -> String {
    label
        .split(" > ")
        .map(|p| match structure::numbering(p) {
            Some((_, n)) => p[n..].trim(),
            None => p.trim(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Collects regular files under `dir` as (name relative to `root` with `/`,
/// path), skipping hidden files and folders.
fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let ft = entry.file_type()?;
        if ft.is_dir() {
            walk(root, &path, out)?;
        } else if ft.is_file() || (ft.is_symlink() && path.is_file()) {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push((rel, path));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_writer_at_a_time_and_bounded_queries() {
        let analyzer = Arc::new(Analyzer::from_env().expect("dictionary (run `make setup`)"));
        let dir = tempfile::tempdir().unwrap();
        let a = KnowledgeBase::open(dir.path(), analyzer.clone()).unwrap();
        let b = KnowledgeBase::open(dir.path(), analyzer).unwrap();
        let held = a.lock_writer().unwrap();
        let files = vec![(
            "x.txt".to_owned(),
            Source::Bytes("手続\n第1 概要\n本文。\n".as_bytes().to_vec()),
        )];
        let err = b
            .import_files(
                files.clone(),
                &ImportOptions::default(),
                ImportReport::default(),
            )
            .unwrap_err();
        assert!(matches!(err, KnowledgeError::Busy), "{err}");
        assert!(err.to_string().contains("実行中"));
        assert!(matches!(b.withdraw("x.txt"), Err(KnowledgeError::Busy)));
        drop(held);
        let r = b
            .import_files(files, &ImportOptions::default(), ImportReport::default())
            .unwrap();
        assert_eq!(r.documents, 1);
        // The other handle sees the publication on its next search.
        assert_eq!(a.search("概要", 1).unwrap().hits[0].document, "x.txt");

        let long = "住民票".repeat(MAX_QUERY_CHARS);
        assert!(matches!(
            a.search(&long, 3),
            Err(KnowledgeError::QueryTooLong(_))
        ));
    }
}
