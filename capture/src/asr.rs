//! Speech recognition with whisper.cpp (whisper-rs): one utterance in, text
//! out. The language is always Japanese (detection costs a pass), the audio
//! context is sized to the utterance, the prompt lists the knowledge base's
//! terms, and Japanese failure modes are filtered before text leaves.

use std::path::Path;

use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters};

use crate::audio::SAMPLE_RATE;

#[derive(Debug, thiserror::Error)]
pub enum AsrError {
    #[error(
        "whisper model {path}: {msg} (run `madoguchi setup` or name a ggml model with --model)"
    )]
    Model { path: String, msg: String },
    #[error("whisper: {0}")]
    Whisper(String),
    #[error(
        "prompt length {0} is over whisper's limit of {max} characters (use --prompt-chars between 0 and {max})",
        max = MAX_PROMPT_CHARS
    )]
    PromptTooLong(usize),
}

/// Phrases whisper invents on silence or noise (from its subtitle training
/// data). A segment made only of these is dropped.
const HALLUCINATIONS: &[&str] = &[
    "ご視聴ありがとうございました",
    "ご視聴ありがとうございます",
    "チャンネル登録",
    "高評価",
    "ご清聴ありがとうございました",
    "最後までご視聴",
    "字幕",
    "おやすみなさい",
    "お疲れ様でした",
    "見てくれてありがとう",
];

/// The prompt's length by default, in characters: a longer prompt is more
/// accurate and slower (BENCHMARKS.md has the measured trade-off).
pub const DEFAULT_PROMPT_CHARS: usize = 120;

/// The longest prompt allowed, in characters (whisper's limit is 224 tokens;
/// Japanese takes one or two tokens a character).
pub const MAX_PROMPT_CHARS: usize = 200;

/// Rewrites mis-heard glossary terms in a transcript (the knowledge
/// crate's phonetic corrector, wired in by the binary).
pub trait TermCorrector: Send + Sync {
    /// `unsure`: runs of characters whisper gave a low probability
    /// ([`unsure_runs`]); words among them may be rewritten more freely.
    fn correct(&self, text: &str, unsure: &[String]) -> String;
}

/// Below this probability whisper was unsure of a character.
const UNSURE_P: f32 = 0.5;

/// Builds a corrector for a glossary (called again when the glossary changes).
pub type CorrectorFactory =
    std::sync::Arc<dyn Fn(&[String]) -> Box<dyn TermCorrector> + Send + Sync>;

/// A loaded whisper model.
pub struct Transcriber {
    ctx: WhisperContext,
    threads: i32,
    prompt: String,
    terms: Vec<String>,
    /// 1 = greedy decoding; more = beam search of that width.
    beam: i32,
    factory: Option<CorrectorFactory>,
    corrector: Option<Box<dyn TermCorrector>>,
    correct: bool,
    prompt_chars: usize,
}

impl Transcriber {
    /// Loads a ggml model. `threads` should be the cores really free.
    pub fn load(path: &Path, threads: usize) -> Result<Self, AsrError> {
        whisper_rs::install_logging_hooks();
        let model_err = |msg: String| AsrError::Model {
            path: path.display().to_string(),
            msg,
        };
        if !path.is_file() {
            return Err(model_err("not found".into()));
        }
        let ctx = WhisperContext::new_with_params(path, WhisperContextParameters::default())
            .map_err(|e| model_err(e.to_string()))?;
        Ok(Transcriber {
            ctx,
            threads: threads.max(1) as i32,
            prompt: String::new(),
            terms: Vec::new(),
            beam: 1,
            factory: None,
            corrector: None,
            correct: true,
            prompt_chars: DEFAULT_PROMPT_CHARS,
        })
    }

    /// Sets the glossary: whisper's initial prompt (the first terms) and
    /// the term corrector (all of them).
    pub fn set_glossary(&mut self, terms: &[String]) {
        self.prompt = prompt_from(terms, self.prompt_chars);
        self.terms = terms.to_vec();
        self.corrector = self.factory.as_ref().map(|f| f(terms));
    }

    /// Installs the glossary corrector (built for the current glossary now,
    /// and again whenever it changes).
    pub fn set_corrector(&mut self, factory: CorrectorFactory) {
        self.corrector = Some(factory(&self.terms));
        self.factory = Some(factory);
    }

    /// Sets the prompt's length in characters (0 = no prompt): longer is
    /// more accurate and slower. More than [`MAX_PROMPT_CHARS`] is an error.
    pub fn set_prompt_chars(&mut self, chars: usize) -> Result<(), AsrError> {
        if chars > MAX_PROMPT_CHARS {
            return Err(AsrError::PromptTooLong(chars));
        }
        self.prompt_chars = chars;
        self.prompt = prompt_from(&self.terms, chars);
        Ok(())
    }

    /// Turns the glossary correction on or off (benchmarks compare both).
    pub fn set_correction(&mut self, on: bool) {
        self.correct = on;
    }

    /// Beam width (1 = greedy, the default).
    pub fn set_beam(&mut self, beam: usize) {
        self.beam = beam.clamp(1, 8) as i32;
    }

    pub fn prompt(&self) -> &str {
        &self.prompt
    }

    /// Transcribes one utterance (16 kHz mono). Returns cleaned text, or an
    /// empty string when nothing credible was said.
    pub fn transcribe(&self, samples: &[f32]) -> Result<String, AsrError> {
        Ok(self.corrected(&self.hear(samples)?))
    }

    /// What whisper heard in one utterance, before the term correction.
    pub fn hear(&self, samples: &[f32]) -> Result<Heard, AsrError> {
        let werr = |e: whisper_rs::WhisperError| AsrError::Whisper(e.to_string());
        let mut state = self.ctx.create_state().map_err(werr)?;
        let strategy = if self.beam > 1 {
            SamplingStrategy::BeamSearch {
                beam_size: self.beam,
                patience: -1.0,
            }
        } else {
            SamplingStrategy::Greedy { best_of: 1 }
        };
        let mut p = FullParams::new(strategy);
        p.set_language(Some("ja"));
        p.set_n_threads(self.threads);
        p.set_no_context(true);
        p.set_no_timestamps(true);
        p.set_print_special(false);
        p.set_print_progress(false);
        p.set_print_realtime(false);
        p.set_print_timestamps(false);
        p.set_suppress_blank(true);
        p.set_temperature(0.0);
        // No temperature fallback: each retry is another full decode, and on
        // this model the retries produced multilingual garbage, slowly.
        p.set_temperature_inc(0.0);
        p.set_max_tokens(max_tokens(samples.len()));
        p.set_audio_ctx(audio_ctx(samples.len()));
        if !self.prompt.is_empty() {
            p.set_initial_prompt(&self.prompt);
        }
        // whisper needs at least one second; pad short utterances with silence.
        let min = SAMPLE_RATE as usize + SAMPLE_RATE as usize / 10;
        let padded;
        let input = if samples.len() < min {
            padded = [samples, &vec![0.0; min - samples.len()]].concat();
            &padded[..]
        } else {
            samples
        };
        state.full(p, input).map_err(werr)?;
        // Bytes first, text last: one character may span two tokens.
        let mut bytes = Vec::new();
        // Each byte's token probability, for the characters whisper was
        // unsure of.
        let mut probs: Vec<(Vec<u8>, f32)> = Vec::new();
        // Only the term correction reads them.
        let want_probs = self.corrector.is_some();
        for seg in state.as_iter() {
            if seg.no_speech_probability() > 0.8 {
                continue;
            }
            let b = seg.to_bytes().map_err(werr)?;
            let t = String::from_utf8_lossy(b);
            if is_hallucination(&t) {
                continue;
            }
            bytes.extend_from_slice(b);
            for i in 0..if want_probs { seg.n_tokens() } else { 0 } {
                if let Some(t) = seg.get_token(i) {
                    let tb = t.to_bytes().unwrap_or_default();
                    // Special tokens ([_EOT_] …) are not text.
                    if !tb.starts_with(b"[_") {
                        probs.push((tb.to_vec(), t.token_probability()));
                    }
                }
            }
        }
        Ok(Heard {
            text: clean(&String::from_utf8_lossy(&bytes)),
            unsure: unsure_runs(&probs),
        })
    }

    /// The final text of what was heard: with the term correction when it
    /// is on.
    pub fn corrected(&self, heard: &Heard) -> String {
        match &self.corrector {
            Some(c) if self.correct && !heard.text.is_empty() => {
                c.correct(&heard.text, &heard.unsure)
            }
            _ => heard.text.clone(),
        }
    }
}

/// What whisper heard in one utterance: its cleaned text and the runs of
/// characters it was unsure of (empty without a term corrector).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Heard {
    pub text: String,
    pub unsure: Vec<String>,
}

/// Runs of characters whisper was unsure of (probability below
/// [`UNSURE_P`]), from its tokens' bytes and probabilities: a character
/// split over two tokens takes the lower of the two.
pub fn unsure_runs(tokens: &[(Vec<u8>, f32)]) -> Vec<String> {
    let mut bytes = Vec::new();
    let mut byte_p = Vec::new();
    for (b, p) in tokens {
        bytes.extend_from_slice(b);
        byte_p.extend(std::iter::repeat_n(*p, b.len()));
    }
    let mut runs = Vec::new();
    let mut run = String::new();
    let mut at = 0;
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            let p = byte_p[at..at + c.len_utf8()]
                .iter()
                .copied()
                .fold(1.0f32, f32::min);
            at += c.len_utf8();
            if p < UNSURE_P && c.is_alphabetic() {
                run.push(c);
            } else if !run.is_empty() {
                runs.push(std::mem::take(&mut run));
            }
        }
        // Bytes that make no character end a run.
        at += chunk.invalid().len();
        if !chunk.invalid().is_empty() && !run.is_empty() {
            runs.push(std::mem::take(&mut run));
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs
}

/// whisper's encoder has 50 positions a second of audio (1,500 for 30 s);
/// sizing it to the utterance saves most of the encoder's time on short
/// utterances. It also sees 1.5 s after the utterance: with the glossary
/// prompt, 1.5 s was as accurate as 2.5 s and 40–60 ms faster (without a
/// prompt the longer tail matters more; BENCHMARKS.md).
pub fn audio_ctx(samples: usize) -> i32 {
    let secs = samples as f64 / f64::from(SAMPLE_RATE);
    (((secs + 1.5) * 50.0).ceil() as i32).clamp(150, 1500)
}

/// A cap on tokens for an utterance: Japanese speech rarely passes eight
/// characters a second, and a decoder loop must not run to whisper's limit.
pub fn max_tokens(samples: usize) -> i32 {
    let secs = samples as f64 / f64::from(SAMPLE_RATE);
    (secs * 12.0).ceil() as i32 + 16
}

/// The prompt: glossary terms joined with 「、」, at most `max` characters.
/// Headings written as phrases (1点で確認できるもの, 本籍地での請求: runs of
/// kana beside kanji) and terms already inside an earlier one
/// (マイナンバー after マイナンバーカード) are left out: the prompt's room goes
/// to vocabulary (BENCHMARKS.md).
pub fn prompt_from(terms: &[String], max: usize) -> String {
    let mut out = String::new();
    let mut used: Vec<&str> = Vec::new();
    for t in terms {
        let t = t.trim();
        // A phrase: two kana or more in a row beside kanji (での, できるもの);
        // okurigana (写し) and a joining の are single kana.
        let chars: Vec<char> = t.chars().collect();
        let kana = |c: &char| matches!(c, 'ぁ'..='ゖ');
        let phrase = chars.windows(2).any(|w| w.iter().all(kana))
            && chars.iter().any(|c| !kana(c) && *c != 'ー');
        if t.is_empty() || phrase || used.iter().any(|u| u.contains(t)) {
            continue;
        }
        used.push(t);
        let add = t.chars().count() + usize::from(!out.is_empty());
        if out.chars().count() + add > max {
            break;
        }
        if !out.is_empty() {
            out.push('、');
        }
        out.push_str(t);
    }
    out
}

/// True for a segment that is only a known hallucinated phrase (with at
/// most politeness around it). 「お願いします」 alone is real speech.
fn is_hallucination(text: &str) -> bool {
    let mut rest: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && !"。、！!？?・…".contains(*c))
        .collect();
    if rest.is_empty() {
        return true;
    }
    let mut found = false;
    for h in HALLUCINATIONS {
        if rest.contains(h) {
            found = true;
            rest = rest.replace(h, "");
        }
    }
    const LEFTOVERS: &[&str] = &[
        "",
        "お願いします",
        "をお願いします",
        "よろしくお願いします",
        "お願いいたします",
        "して",
    ];
    found && LEFTOVERS.contains(&rest.as_str())
}

/// True for letters a Japanese counter transcript does not contain: scripts
/// other than kana, kanji and Latin (Hangul, Cyrillic, accented Latin …).
fn foreign_letter(c: char) -> bool {
    c.is_alphabetic()
        && !c.is_ascii_alphabetic()
        && !matches!(c, 'ぁ'..='ゟ' | '゠'..='ヿ' | '㐀'..='䶿' | '一'..='鿿' | '豈'..='﫿' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' | 'ｦ'..='ﾟ' | '々' | '〆')
}

/// Drops what a degenerate decode mixes in: letters of other scripts,
/// Latin words other than short capitals (an ID or DV stays), and the
/// replacement mark for a character cut off at the token limit.
fn drop_foreign(text: &str) -> String {
    let mut out = String::new();
    let mut latin = String::new();
    for c in text.chars() {
        if c.is_ascii_alphabetic() || (c == ' ' && !latin.is_empty()) {
            latin.push(c);
            continue;
        }
        if is_acronym(latin.trim()) {
            out.push_str(latin.trim());
        }
        latin.clear();
        // U+FFFD: bytes of a character the decoder cut off (at the token
        // limit), which no one said.
        if !foreign_letter(c) && c != '\u{FFFD}' {
            out.push(c);
        }
    }
    if is_acronym(latin.trim()) {
        out.push_str(latin.trim());
    }
    out
}

fn is_acronym(word: &str) -> bool {
    (1..=4).contains(&word.len()) && word.bytes().all(|b| b.is_ascii_uppercase())
}

/// Trims, drops bracketed sound labels （音楽） [拍手] and other scripts'
/// letters, and collapses repetition loops (the same phrase three or more
/// times in a row).
pub fn clean(text: &str) -> String {
    let text = drop_foreign(text);
    let text = text.as_str();
    let mut s = String::new();
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '(' | '（' | '[' | '［' | '【' => depth += 1,
            ')' | '）' | ']' | '］' | '】' if depth > 0 => depth -= 1,
            _ if depth == 0 => s.push(c),
            _ => {}
        }
    }
    cut_trailing_loop(&collapse_repeats(s.trim()))
}

/// A decoder loop that runs to the token limit: the text ends in a phrase
/// (6 characters or more) repeated at least twice, the last copy often cut
/// short. Keeps the first copy.
fn cut_trailing_loop(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    for unit in 6..=n / 2 {
        // The longest periodic tail with this period.
        let mut p = n - unit;
        while p > 0 && chars[p - 1] == chars[p - 1 + unit] {
            p -= 1;
        }
        if n - p >= 2 * unit {
            return chars[..p + unit].iter().collect();
        }
    }
    text.to_owned()
}

/// Collapses a unit (1–20 characters) repeated three or more times in a row
/// to one occurrence.
fn collapse_repeats(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    let mut i = 0;
    'outer: while i < chars.len() {
        for unit in 1..=20.min((chars.len() - i) / 3) {
            let pat = &chars[i..i + unit];
            let mut reps = 1;
            while i + (reps + 1) * unit <= chars.len()
                && &chars[i + reps * unit..i + (reps + 1) * unit] == pat
            {
                reps += 1;
            }
            if reps >= 3 {
                out.extend_from_slice(pat);
                i += reps * unit;
                continue 'outer;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsure_runs_are_the_characters_whisper_doubted() {
        // 成 and 就 doubted, 就 split over two tokens (its last byte sure):
        // the character takes the lower probability.
        let jiu = "就".as_bytes();
        let tokens = vec![
            ("本籍".as_bytes().to_vec(), 0.9),
            ("、".as_bytes().to_vec(), 0.3),
            ("成".as_bytes().to_vec(), 0.34),
            (jiu[..2].to_vec(), 0.15),
            (jiu[2..].to_vec(), 0.99),
            ("できます".as_bytes().to_vec(), 0.99),
            ("被".as_bytes().to_vec(), 0.08),
        ];
        assert_eq!(
            unsure_runs(&tokens),
            vec!["成就".to_string(), "被".to_string()]
        );
        assert!(unsure_runs(&[]).is_empty());
    }

    #[test]
    fn guards_against_japanese_failure_modes() {
        assert!(is_hallucination("ご視聴ありがとうございました"));
        assert!(is_hallucination("チャンネル登録お願いします！"));
        assert!(is_hallucination("。"));
        assert!(!is_hallucination("住民票の写しをお願いします"));
        assert!(!is_hallucination("お願いします"));
        assert!(!is_hallucination("字幕の付いた案内はありますか"));
        assert_eq!(clean("住民票の写しです（音楽）"), "住民票の写しです");
        assert_eq!(
            clean("はいはいはいはいはい、分かりました"),
            "はい、分かりました"
        );
        assert_eq!(
            clean("ありがとうございます。ありがとうございます。ありがとうございます。"),
            "ありがとうございます。"
        );
        assert_eq!(clean("1通300円です"), "1通300円です");
        assert_eq!(
            clean("本籍地以外でも、戸籍証明書、請求できます本籍地以外でも、戸籍証明書、請求できます本籍地以外でも、戸籍"),
            "本籍地以外でも、戸籍証明書、請求できます"
        );
        assert_eq!(
            clean("住民票の写しを、住民票の写しを二通ください"),
            "住民票の写しを、住民票の写しを二通ください"
        );
        assert_eq!(
            clean("自動手当てはゴ ile tortilla en boussel"),
            "自動手当てはゴ"
        );
        assert_eq!(clean("テスローは3倍くięです"), "テスローは3倍くです");
        assert_eq!(clean("IDカードとDVの支援"), "IDカードとDVの支援");
        let cut = String::from_utf8_lossy(b"\xe6\x9c\x89\xe3\x81").into_owned();
        assert_eq!(clean(&cut), "有");
        assert!(max_tokens(16_000 * 3) >= 50);
    }

    #[test]
    fn prompt_and_context_sizes() {
        let terms: Vec<String> = [
            "住民票の写し",
            "本人確認書類",
            "1点で確認できるもの",
            "転出証明書",
            "証明書",
            "はんこ",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Headings with verbs and particles other than の, and terms inside
        // an earlier one, are left out.
        assert_eq!(
            prompt_from(&terms, DEFAULT_PROMPT_CHARS),
            "住民票の写し、本人確認書類、転出証明書、はんこ"
        );
        let many: Vec<String> = (0..100).map(|i| format!("用語{i}")).collect();
        assert!(prompt_from(&many, DEFAULT_PROMPT_CHARS).chars().count() <= DEFAULT_PROMPT_CHARS);
        assert!(prompt_from(&many, 30).chars().count() <= 30);
        assert_eq!(prompt_from(&many, 0), "");
        assert_eq!(audio_ctx(16_000 * 6), 375);
        assert_eq!(audio_ctx(16_000 * 60), 1500);
        assert_eq!(audio_ctx(100), 150);
    }
}
