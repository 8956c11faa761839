//! Knowledge benchmarks: import throughput over generated manuals, search
//! latency over the resulting corpus (≥ 10,000 chunks), and the time from
//! publishing a version to search seeing it.

use std::path::Path;
use std::time::Instant;

use madoguchi_knowledge::{ImportOptions, ImportReport, KnowledgeBase, KnowledgeError, Source};
use serde::Serialize;

/// Characters in one generated "page" of manual text.
pub const PAGE_CHARS: usize = 1200;

#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub pages: usize,
    pub documents: usize,
    pub chunks: usize,
    pub import_s: f64,
    pub searches: usize,
    pub search_p50_ms: f64,
    pub search_p95_ms: f64,
    pub search_max_ms: f64,
    pub publish_visible_ms: f64,
}

/// A small deterministic generator (xorshift), so every run generates the
/// same corpus (here and in the masking benchmark).
pub(crate) struct Rng(pub(crate) u64);
impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub(crate) fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[(self.next() % xs.len() as u64) as usize]
    }
    /// A number in `lo..=hi`.
    pub(crate) fn num(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
    /// `n` decimal digits.
    pub(crate) fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + (self.next() % 10) as u8))
            .collect()
    }
}

/// Sentences of the sample manuals, the material generated manuals are made of.
fn sentence_pool() -> Vec<String> {
    let mut pool = Vec::new();
    for (_, bytes) in crate::manuals::SAMPLE_MANUALS {
        let text = String::from_utf8_lossy(bytes);
        for line in text.lines() {
            let line = line.trim().trim_start_matches(['#', '-', '|', ' ']);
            for s in line.split_inclusive('。') {
                if s.chars().count() >= 12 && s.ends_with('。') {
                    pool.push(s.to_owned());
                }
            }
        }
    }
    pool
}

const TOPICS: &[&str] = &[
    "住民票",
    "印鑑登録",
    "転入",
    "転出",
    "マイナンバーカード",
    "戸籍証明書",
    "国民健康保険",
    "児童手当",
    "婚姻届",
    "出生届",
    "死亡届",
    "郵送請求",
    "コンビニ交付",
    "税証明",
    "介護保険",
    "後期高齢者医療",
    "犬の登録",
    "原動機付自転車",
    "粗大ごみ",
    "保育園入園",
    "就学援助",
    "国民年金",
    "障害者手帳",
    "生活保護相談",
];

/// Generates `pages` pages of manuals in 公用文 numbering, as (name, bytes).
pub fn generate(pages: usize) -> Vec<(String, Vec<u8>)> {
    let pool = sentence_pool();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let pages_per_doc = 10;
    let docs = pages.div_ceil(pages_per_doc);
    let mut out = Vec::new();
    for d in 0..docs {
        let topic = rng.pick(TOPICS);
        let mut text = format!("{topic}事務取扱要領 第{}編\n", d + 1);
        let target = pages_per_doc.min(pages - d * pages_per_doc) * PAGE_CHARS;
        let mut dai = 0;
        while text.chars().count() < target {
            dai += 1;
            text.push_str(&format!(
                "第{dai} {topic}の{}\n",
                rng.pick(&["概要", "受付", "審査", "交付", "留意事項", "手数料"])
            ));
            for n in 1..=1 + rng.next() % 3 {
                text.push_str(&format!(
                    "{n} {}\n",
                    rng.pick(&[
                        "対象者",
                        "必要書類",
                        "本人確認",
                        "代理人",
                        "受付時間",
                        "注意点"
                    ])
                ));
                for p in 1..=1 + rng.next() % 3 {
                    text.push_str(&format!("({p}) "));
                    for _ in 0..1 + rng.next() % 3 {
                        text.push_str(rng.pick(pool.as_slice()).as_str());
                    }
                    text.push('\n');
                }
            }
        }
        out.push((
            format!("generated/{:04}_{topic}.txt", d + 1),
            text.into_bytes(),
        ));
    }
    out
}

/// Percentile of sorted samples.
fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Runs the benchmarks in `data` (which should be empty): imports the sample
/// manuals and `pages` generated pages, then searches `rounds` times over the
/// evaluation questions.
pub fn run(kb: &KnowledgeBase, pages: usize, rounds: usize) -> Result<BenchReport, KnowledgeError> {
    let mut files: Vec<(String, Vec<u8>)> = crate::manuals::SAMPLE_MANUALS
        .iter()
        .map(|(n, b)| (n.to_string(), b.to_vec()))
        .collect();
    let generated = generate(pages);
    let documents = generated.len();
    files.extend(generated);
    let files = files
        .into_iter()
        .map(|(n, b)| (n, Source::Bytes(b)))
        .collect();
    let t = Instant::now();
    let report = kb.import_files(files, &ImportOptions::default(), ImportReport::default())?;
    let import_s = t.elapsed().as_secs_f64();

    let questions = crate::eval::parse(crate::EVAL_QUESTIONS).unwrap_or_default();
    let mut samples = Vec::new();
    for _ in 0..rounds {
        for q in &questions {
            for text in [&q.question, &q.misheard] {
                let t = Instant::now();
                let r = kb.search(text, 5)?;
                samples.push(t.elapsed().as_secs_f64() * 1000.0);
                std::hint::black_box(r);
            }
        }
    }
    samples.sort_by(|a, b| a.total_cmp(b));

    // Publish a new manual and time until search returns it.
    let marker = "試験用特別手続ベンチマーク確認事項";
    let doc = format!("{marker}\n第1 概要\n1 目的\nこの文書は{marker}の公開から検索までの時間を測るためのものです。\n");
    let t = Instant::now();
    kb.import_files(
        vec![("bench/publish.txt".into(), Source::Bytes(doc.into_bytes()))],
        &ImportOptions::default(),
        ImportReport::default(),
    )?;
    let mut found = false;
    while t.elapsed().as_secs() < 10 {
        if kb
            .search(marker, 1)?
            .hits
            .iter()
            .any(|h| h.document == "bench/publish.txt")
        {
            found = true;
            break;
        }
    }
    let publish_visible_ms = if found {
        t.elapsed().as_secs_f64() * 1000.0
    } else {
        f64::INFINITY
    };

    Ok(BenchReport {
        pages,
        documents,
        chunks: report.chunks,
        import_s,
        searches: samples.len(),
        search_p50_ms: pct(&samples, 0.5),
        search_p95_ms: pct(&samples, 0.95),
        search_max_ms: samples.last().copied().unwrap_or(0.0),
        publish_visible_ms,
    })
}

/// Convenience for the CLI: a fresh knowledge base in `dir`.
pub fn fresh(dir: &Path) -> Result<KnowledgeBase, KnowledgeError> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| KnowledgeError::Io {
            path: dir.to_path_buf(),
            source: e,
        })?;
    }
    crate::open_knowledge(dir)
}

/// Recognition figures for one set of recordings.
#[derive(Debug, Clone, Serialize)]
pub struct AsrSet {
    pub name: String,
    pub files: usize,
    pub audio_s: f64,
    /// CER with the knowledge base's glossary: whisper's prompt and the
    /// term correction (what `transcribe --data` and capture do).
    pub cer_glossary: f64,
    /// CER with the prompt only (no correction).
    pub cer_prompt: f64,
    /// CER with neither.
    pub cer_plain: f64,
    /// Utterances that give a name (the set's names.tsv), and of those, how
    /// many still show any of it after the recognizer (with the glossary)
    /// and the masker: a letter of it in kanji, or two of its sounds in a
    /// row in kana or in how the masked text reads, that the rest of the
    /// sentence does not have.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub names: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_leaks: Option<usize>,
    /// The masked transcripts that showed a name (`MADOGUCHI_MISSES` lists
    /// them; kept out of the report otherwise, as they may hold a name).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub name_leaked: Vec<String>,
}

/// The names said in a set's utterances (names.tsv: file, name, reading).
fn spoken_names(dir: &Path) -> std::collections::HashMap<std::path::PathBuf, (String, String)> {
    let Ok(t) = std::fs::read_to_string(dir.join("names.tsv")) else {
        return Default::default();
    };
    t.lines()
        .filter_map(|l| {
            let mut c = l.split('\t');
            Some((
                dir.join(c.next()?),
                (c.next()?.to_owned(), c.next()?.to_owned()),
            ))
        })
        .collect()
}

/// `text` without the masker's labels (［氏名1］), which carry no sound.
fn without_labels(text: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in text.chars() {
        match c {
            '［' => inside = true,
            '］' => inside = false,
            _ if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

/// Whether `masked` (what was heard of `reference`, masked) still shows
/// any of `name`: one of its kanji, or two of its sounds in a row
/// (`reading`, in hiragana; katakana counts the same, as all is compared in
/// katakana), that the rest of the reference does not have, as written or
/// as it sounds (`rest_sound`, in katakana: キマ of 来ました, heard as
/// できました, is no part of the name オオキマコト). The sounds are looked
/// for in the kana of `masked` and in how it is read (`shown_sound`, the
/// dictionary's reading of `masked` without its labels, in katakana): a
/// name heard as other kanji that sound like it (最頭 for 斎藤) shows it to
/// anyone who reads it aloud.
pub fn name_shows(
    masked: &str,
    reference: &str,
    name: &str,
    reading: &str,
    rest_sound: &str,
    shown_sound: &str,
) -> bool {
    use madoguchi_knowledge::normalize::{is_kanji, to_katakana};
    let rest = to_katakana(&reference.replace(name, ""));
    // Kept apart: joined, the end of one and the start of the other would
    // make a pair neither has.
    let elsewhere = |pair: &str| rest.contains(pair) || rest_sound.contains(pair);
    let shown = to_katakana(masked);
    let kanji = name
        .chars()
        .filter(|c| is_kanji(*c))
        .any(|c| shown.contains(c) && !rest.contains(c));
    let sounds: Vec<char> = to_katakana(reading).chars().collect();
    let kana = sounds.windows(2).any(|w| {
        let pair: String = w.iter().collect();
        (shown.contains(&pair) || shown_sound.contains(&pair)) && !elsewhere(&pair)
    });
    kanji || kana
}

#[derive(Debug, Clone, Serialize)]
pub struct AsrReport {
    pub threads: usize,
    pub beam: usize,
    pub prompt: String,
    pub sets: Vec<AsrSet>,
    /// whisper time per utterance (≤ 10 s), from the utterance's end being
    /// known to its final text.
    pub utterances: usize,
    pub latency_p50_ms: f64,
    pub latency_p95_ms: f64,
    pub latency_max_ms: f64,
    /// Whole pipeline (VAD + whisper) over a conversation of at least 60 s.
    pub conversation_s: f64,
    pub rtf: f64,
    pub peak_rss_mb: f64,
}

/// The cache file of what whisper heard in `wav` with `prompt`.
fn cache_key(wav: &Path, prompt: &str, beam: usize) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (
        wav.canonicalize().unwrap_or_else(|_| wav.to_path_buf()),
        prompt,
        beam,
    )
        .hash(&mut h);
    format!("{:016x}.json", h.finish())
}

fn read_heard(path: &Path) -> Option<Vec<madoguchi_capture::asr::Heard>> {
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    v.as_array()?
        .iter()
        .map(|h| {
            Some(madoguchi_capture::asr::Heard {
                text: h["text"].as_str()?.to_owned(),
                unsure: h["unsure"]
                    .as_array()?
                    .iter()
                    .map(|u| u.as_str().map(str::to_owned))
                    .collect::<Option<_>>()?,
            })
        })
        .collect()
}

fn write_heard(path: &Path, heard: &[madoguchi_capture::asr::Heard]) -> anyhow::Result<()> {
    let v: Vec<_> = heard
        .iter()
        .map(|h| serde_json::json!({"text": h.text, "unsure": h.unsure}))
        .collect();
    std::fs::write(path, serde_json::to_string(&v)?)?;
    Ok(())
}

/// (file, reference text) pairs of a benchmark folder: `texts.tsv` (the
/// synthesized set) or `transcripts.tsv` plus `*.txt` (../shared speech).
fn references(dir: &Path) -> Vec<(std::path::PathBuf, String)> {
    let mut out = Vec::new();
    for tsv in ["texts.tsv", "transcripts.tsv"] {
        if let Ok(t) = std::fs::read_to_string(dir.join(tsv)) {
            for line in t.lines().filter(|l| l.contains(".wav\t")) {
                let mut cols = line.split('\t');
                if let (Some(f), Some(text)) = (cols.next(), cols.next()) {
                    out.push((dir.join(f), text.to_owned()));
                }
            }
        }
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut txts: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect();
        txts.sort();
        for t in txts {
            let wav = t.with_extension("wav");
            if let (true, Ok(text)) = (wav.exists(), std::fs::read_to_string(&t)) {
                out.push((wav, text.trim().to_owned()));
            }
        }
    }
    out
}

pub(crate) fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_owned)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// How `bench asr` runs whisper.
pub struct AsrOptions {
    pub threads: usize,
    /// 1 = greedy decoding.
    pub beam: usize,
    pub prompt_chars: usize,
    /// Where what whisper heard is kept for later runs (`--cache`).
    pub cache: Option<std::path::PathBuf>,
}

/// Runs the recognition benchmark over `sets` (name, folder).
pub fn asr(
    model: &Path,
    analyzer: std::sync::Arc<madoguchi_knowledge::Analyzer>,
    glossary: &[String],
    sets: &[(String, std::path::PathBuf)],
    opts: &AsrOptions,
) -> anyhow::Result<AsrReport> {
    let AsrOptions {
        threads,
        beam,
        prompt_chars,
        ref cache,
    } = *opts;
    let cache = cache.as_deref();
    use madoguchi_capture::{
        asr::Transcriber, audio, metrics::char_errors, pipeline, vad::VadConfig,
    };
    let mut asr = Transcriber::load(model, threads)?;
    asr.set_beam(beam);
    asr.set_prompt_chars(prompt_chars)?;
    let masker = madoguchi_agent::mask::Masker::new(analyzer.clone());
    asr.set_corrector(crate::term_corrector(analyzer.clone()));
    let vad = VadConfig::default();
    let ch = pipeline::Channels::default();
    let mut latencies = Vec::new();
    let mut results = Vec::new();
    let mut conversation: Vec<f32> = Vec::new();
    for (name, dir) in sets {
        let refs = references(dir);
        if refs.is_empty() {
            anyhow::bail!("no recordings with reference texts in {}", dir.display());
        }
        let mut errs = [(0usize, 0usize); 3];
        let mut audio_s = 0.0;
        let names = spoken_names(dir);
        let mut name_leaked = Vec::new();
        for (wav, reference) in &refs {
            let tracks = audio::decode_wav(&std::fs::read(wav)?)?;
            audio_s += tracks.duration_ms() as f64 / 1000.0;
            if conversation.len() < 16_000 * 70 {
                conversation.extend_from_slice(&tracks.channels[0]);
                conversation.extend(std::iter::repeat_n(0.0, 16_000 * 6 / 10));
            }
            // whisper hears each utterance once with the glossary prompt
            // (written with and without the correction) and once without:
            // without first, so the glossary stays set for the passes.
            let mut heard: [Vec<madoguchi_capture::asr::Heard>; 2] = Default::default();
            for (i, prompt) in [(1, &[][..]), (0, glossary)] {
                asr.set_glossary(prompt);
                asr.set_correction(true);
                let key = cache.map(|d| d.join(cache_key(wav, asr.prompt(), beam)));
                if let Some(h) = key.as_deref().and_then(read_heard) {
                    heard[i] = h;
                    continue;
                }
                let mut hs = Vec::new();
                for (span, c, _) in pipeline::utterances(&tracks, &vad, ch) {
                    let t = Instant::now();
                    let h = asr.hear(&tracks.channels[c][span.start..span.end])?;
                    // The final text as the live path makes it, timed too.
                    std::hint::black_box(asr.corrected(&h));
                    if !prompt.is_empty() && span.end_ms() - span.start_ms() <= 10_000 {
                        latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                    hs.push(h);
                }
                if let Some(k) = &key {
                    write_heard(k, &hs)?;
                }
                heard[i] = hs;
            }
            for (pass, (h, correct)) in [(&heard[0], true), (&heard[0], false), (&heard[1], false)]
                .into_iter()
                .enumerate()
            {
                asr.set_correction(correct);
                let hyp: String = h.iter().map(|h| asr.corrected(h)).collect();
                if let (0, Some((name, reading))) = (pass, names.get(wav)) {
                    let (masked, _) = masker.session().mask(&hyp);
                    let sound = |text: &str| -> String {
                        analyzer
                            .morphs(text)
                            .into_iter()
                            .map(|m| m.reading.unwrap_or(m.surface))
                            .collect()
                    };
                    let rest_sound = sound(&reference.replace(name.as_str(), ""));
                    let shown_sound = sound(&without_labels(masked.as_str()));
                    if name_shows(
                        masked.as_str(),
                        reference,
                        name,
                        reading,
                        &rest_sound,
                        &shown_sound,
                    ) {
                        name_leaked.push(masked.as_str().to_owned());
                    }
                }
                let (e, n) = char_errors(reference, &hyp);
                if pass == 0 && std::env::var_os("MADOGUCHI_LIST_HEARD").is_some() {
                    let unsure: Vec<&str> = heard[0]
                        .iter()
                        .flat_map(|h| h.unsure.iter().map(String::as_str))
                        .collect();
                    eprintln!(
                        "heard\t{}\t{e}\t{reference}\t{hyp}\t{}",
                        wav.display(),
                        unsure.join("|")
                    );
                }
                errs[pass].0 += e;
                errs[pass].1 += n;
            }
        }
        let cer = |(e, n): (usize, usize)| e as f64 / n.max(1) as f64;
        results.push(AsrSet {
            name: name.clone(),
            files: refs.len(),
            audio_s,
            cer_glossary: cer(errs[0]),
            cer_prompt: cer(errs[1]),
            cer_plain: cer(errs[2]),
            names: (!names.is_empty()).then_some(names.len()),
            name_leaks: (!names.is_empty()).then_some(name_leaked.len()),
            name_leaked: if std::env::var_os("MADOGUCHI_MISSES").is_some() {
                name_leaked
            } else {
                Vec::new()
            },
        });
    }
    asr.set_glossary(glossary);
    asr.set_correction(true);
    let tracks = audio::Tracks {
        channels: vec![conversation],
    };
    let t = Instant::now();
    pipeline::transcribe(&asr, &tracks, &vad, ch)?;
    let conversation_s = tracks.duration_ms() as f64 / 1000.0;
    let rtf = t.elapsed().as_secs_f64() / conversation_s.max(0.001);
    latencies.sort_by(|a, b| a.total_cmp(b));
    Ok(AsrReport {
        threads,
        beam,
        prompt: asr.prompt().to_owned(),
        sets: results,
        utterances: latencies.len(),
        latency_p50_ms: pct(&latencies, 0.5),
        latency_p95_ms: pct(&latencies, 0.95),
        latency_max_ms: latencies.last().copied().unwrap_or(0.0),
        conversation_s,
        rtf,
        peak_rss_mb: peak_rss_mb(),
    })
}

#[cfg(test)]
mod tests {
    use super::name_shows;

    #[test]
    fn a_spoken_name_shows_by_a_kanji_or_two_sounds_of_it_written_or_read() {
        let reference = "世帯主は速水健太郎です。";
        // Masked whole, or heard as something with none of it.
        assert!(!name_shows(
            "世帯主は［氏名1］です",
            reference,
            "速水健太郎",
            "はやみけんたろう",
            "",
            ""
        ));
        assert!(!name_shows(
            "世帯の島大きいです",
            reference,
            "速水健太郎",
            "はやみけんたろう",
            "",
            ""
        ));
        // A kanji of it, or two of its sounds in kana (katakana too).
        assert!(name_shows(
            "世帯の死は、はやみ県たろうです",
            reference,
            "速水健太郎",
            "はやみけんたろう",
            "",
            ""
        ));
        assert!(name_shows(
            "世帯主は［氏名1］太郎です",
            reference,
            "速水健太郎",
            "はやみけんたろう",
            "",
            ""
        ));
        assert!(name_shows(
            "世帯主はハヤミです",
            reference,
            "速水健太郎",
            "はやみけんたろう",
            "",
            ""
        ));
        // Not what the rest of the sentence has too (主 of 世帯主).
        assert!(!name_shows(
            "世帯主は［氏名1］です",
            "世帯主は主水です。",
            "主水",
            "もんど",
            "",
            ""
        ));
        // Nor a sound the rest of the sentence has as it is said (キマ of
        // 来ました, heard as できました).
        assert!(!name_shows(
            "［氏名1］の代理できました",
            "大木誠の代理で来ました。",
            "大木誠",
            "おおきまこと",
            "ノダイリデキマシタ。",
            ""
        ));
        assert!(name_shows(
            "［氏名1］の代理できました",
            "大木誠の代理で来ました。",
            "大木誠",
            "おおきまこと",
            "",
            ""
        ));
        // Other kanji that sound like it (最頭, read サイアタマ, for 斎藤);
        // but not a sound the rest of the sentence has.
        assert!(name_shows(
            "世帯主は最頭です",
            "世帯主は斎藤です。",
            "斎藤",
            "さいとう",
            "セタイヌシハデス。",
            "セタイヌシハサイアタマデス"
        ));
        assert!(!name_shows(
            "世帯主は［氏名1］です",
            "世帯主は斎藤です。",
            "斎藤",
            "さいとう",
            "セタイヌシハデス。",
            "セタイヌシハデス"
        ));
    }
}
