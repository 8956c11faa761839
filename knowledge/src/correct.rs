//! Glossary correction of transcripts: a run of words that sounds like a
//! glossary term (by the same forgiving phonetic key the search uses) is
//! written as that term. whisper writes 児童手当 as 自動手当て and 転入届 as
//! 電入届け; the clerk should read what was said.
//!
//! Only terms that are one compound noun with a reading of four kana or more
//! are used, so short everyday words are never rewritten; near misses (one
//! sound off) are accepted for terms of eight kana or more, two sounds off
//! for nine or more when a character is shared.

use std::sync::Arc;

use crate::analysis::{Analyzer, Morph};
use crate::normalize::{edit_distance_within, is_kanji, phonetic_key};

/// Morphs a corrected span may cover.
const MAX_SPAN: usize = 6;
/// Morphs a phrase term (住民票の写し) may cover, its particles included.
const MAX_PHRASE_SPAN: usize = 9;
const MIN_KEY: usize = 4;
/// Three-sound terms (市内, 戸籍, 写し) are matched only exactly, and only
/// where the dictionary could not read what was heard as one word.
const MIN_KEY_SHORT: usize = 3;
const MIN_KEY_APPROX: usize = 8;
/// Keys tried for one span with other readings of its lone kanji.
const MAX_ALTERNATIVES: usize = 16;
const MIN_KEY_APPROX2: usize = 9;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A glossary term that is one compound noun (戸籍謄本).
    Compound,
    /// A noun inside a glossary term (請求 of 郵送による請求, 謄本 of 戸籍謄本).
    Part,
    /// A glossary term with particles (住民票の写し): matched only exactly,
    /// particles and all.
    Phrase,
}

struct Term {
    key: Vec<char>,
    text: String,
    kind: Kind,
    /// The particles of a phrase, in order (の of 住民票の写し).
    particles: String,
}

/// Rewrites mis-heard glossary terms in transcripts.
pub struct Corrector {
    analyzer: Arc<Analyzer>,
    terms: Vec<Term>,
}

fn key_of(morphs: &[Morph]) -> Vec<char> {
    morphs
        .iter()
        .filter_map(|m| m.spoken())
        .map(|r| phonetic_key(&r))
        .collect::<String>()
        .chars()
        .collect()
}

/// Spellings of one word that differ only in kana (手続き and 手続,
/// 受け付け and 受付): what was heard is not rewritten.
fn same_kanji(a: &str, b: &str) -> bool {
    let kanji = |s: &str| s.chars().filter(|c| is_kanji(*c)).collect::<String>();
    kanji(a) == kanji(b)
}

fn is_particle(m: &Morph) -> bool {
    matches!(m.pos[0].as_str(), "助詞" | "助動詞")
}

/// Auxiliary verbs official Japanese writes in kana (公用文: 補助動詞 are
/// written in hiragana): whisper often writes them in kanji.
const OFFICIAL_KANA: &[(&str, &str)] = &[
    ("下さい", "ください"),
    ("下さる", "くださる"),
    ("頂く", "いただく"),
    ("頂き", "いただき"),
    ("頂け", "いただけ"),
    ("致し", "いたし"),
    ("致す", "いたす"),
    // The formal noun (形式名詞): 請求する事 → 請求すること. (物 stays:
    // the dictionary cannot tell 大事な物, a thing, from a formal noun.)
    ("事", "こと"),
];

/// `text` with auxiliary verbs and formal nouns in kana (お待ち下さい →
/// お待ちください, 請求する事 → 請求すること), and the words official
/// writing always has in kana (出来ます → できます, 宜しく → よろしく);
/// the verbs themselves stay (資料を下さい), and so do nouns (出来事).
fn official_kana(analyzer: &Analyzer, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for m in analyzer.morphs(text) {
        let always = if m.base == "出来る" && m.pos[0] == "動詞" {
            m.surface
                .strip_prefix("出来")
                .map(|rest| format!("でき{rest}"))
        } else if m.surface == "宜しく" {
            Some("よろしく".to_owned())
        } else {
            None
        };
        if let Some(kana) = always {
            out.push_str(&text[copied..m.start]);
            out.push_str(&kana);
            copied = m.end;
            continue;
        }
        if m.pos[1] != "非自立" {
            continue;
        }
        if let Some((_, kana)) = OFFICIAL_KANA.iter().find(|(k, _)| *k == m.surface) {
            out.push_str(&text[copied..m.start]);
            out.push_str(kana);
            copied = m.end;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// What the counter says, written as it is said and as official writing
/// has it, where the recognizer wrote a form no one says: phrases heard
/// wrong ([`phrases_heard_wrong`]), nouns with the okurigana official
/// writing drops ([`nouns_without_okurigana`]) and polite forms
/// ([`polite_forms`]).
fn counter_forms(analyzer: &Analyzer, text: &str) -> String {
    polite_forms(
        analyzer,
        &nouns_without_okurigana(&phrases_heard_wrong(text)),
    )
}

/// Counter phrases the recognizer hears as something no one says:
/// - お願いいします → お願いします;
/// - 〜の代理で来ました, heard as の代理できました or の大利できました;
/// - お渡しください and お呼びします heard as お待たしください and 及びします
///   (お待たし is no form of 待つ, お待たせ is; 及び is no verb);
/// - 〜の分もお願いします (another's papers too), heard as の文もお願いします
///   or の文物をお願いします;
/// - copies of a paper in 通: イッツウ and ニツウ heard as 1つ and につ right
///   after the paper (住民票を1つ → 住民票を一通, 住民票につ → 住民票二通).
fn phrases_heard_wrong(text: &str) -> String {
    let mut text = text.replace("願いいしま", "願いしま");
    for heard in ["代理", "大利", "大理"] {
        text = text.replace(&format!("の{heard}できま"), "の代理で来ま");
    }
    for (heard, meant) in [
        ("お待たしくださ", "お渡しくださ"),
        ("お待たししま", "お渡ししま"),
        ("お待たしいたしま", "お渡しいたしま"),
        ("を及びしま", "をお呼びしま"),
        ("を及びする", "をお呼びする"),
        ("の文物をお願い", "の分もお願い"),
        ("の文物お願い", "の分もお願い"),
        ("の文もお願い", "の分もお願い"),
    ] {
        text = text.replace(heard, meant);
    }
    for (heard, meant) in [("1つ", "一通"), ("一つ", "一通"), ("につ", "二通")] {
        if !text.contains(heard) {
            continue;
        }
        for paper in ["住民票", "証明書", "謄本", "抄本", "写し"] {
            for particle in ["", "を", "は", "、"] {
                text = text.replace(
                    &format!("{paper}{particle}{heard}"),
                    &format!("{paper}{particle}{meant}"),
                );
            }
        }
    }
    text
}

/// Nouns as official writing has them, without okurigana: a notification
/// after what it is for (転居届けには → 転居届には) and 受付 in a compound
/// (受け付け番号 → 受付番号); the verbs (書類を届けて, 受け付けています) stay.
fn nouns_without_okurigana(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let noun_use = i >= 2
            && chars[i..].starts_with(&['届', 'け'])
            && is_kanji(chars[i - 1])
            && is_kanji(chars[i - 2])
            && chars.get(i + 2).is_none_or(|&c| {
                "はがをにのもや、。".contains(c) && !chars[i + 2..].starts_with(&['に', '行'])
                    || chars[i + 2..].starts_with(&['で', 'す'])
            });
        if noun_use {
            out.push('届');
            i += 2;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    let mut text = out;
    for heard in ["受け付け", "受け付"] {
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(at) = rest.find(heard) {
            let after = &rest[at + heard.len()..];
            out.push_str(&rest[..at]);
            out.push_str(if after.starts_with(is_kanji) {
                "受付"
            } else {
                heard
            });
            rest = after;
        }
        out.push_str(rest);
        text = out;
    }
    text
}

/// Polite forms where the recognizer dropped a sound or a particle, read
/// word by word:
/// - お before a verb of one kanji said with します or ください (送りします →
///   お送りします, 待ちください → お待ちください); compound verbs stay, they
///   are nouns too (申し込みします, 引っ越しします);
/// - の or な before 必要です → が (証明書の必要です → 証明書が必要です);
/// - 来る as a verb of its own in kanji (出しにきました → 出しに来ました;
///   出してきました stays, an auxiliary).
fn polite_forms(analyzer: &Analyzer, text: &str) -> String {
    let morphs = analyzer.morphs(text);
    let mut out = String::with_capacity(text.len() + 8);
    let mut copied = 0;
    for (k, m) in morphs.iter().enumerate() {
        let next = |i: usize| morphs.get(k + i).map_or("", |m| m.surface.as_str());
        let verb = m.pos[0] == "動詞"
            && m.pos[1] == "自立"
            && m.surface != m.base
            && m.base.chars().filter(|c| is_kanji(*c)).count() == 1
            && m.surface.chars().next().is_some_and(is_kanji);
        let humble = next(1) == "し" && next(2).starts_with("ま") || next(1) == "ください";
        // After a particle, an adverb or a mark (納付書を|送りします), not
        // inside a word heard wrongly (おし|払いください).
        let free = k == 0
            || matches!(
                morphs[k - 1].pos[0].as_str(),
                "助詞" | "記号" | "副詞" | "接続詞" | "感動詞"
            );
        if verb && humble && free {
            out.push_str(&text[copied..m.start]);
            out.push('お');
            copied = m.start;
        }
        let ga = matches!(m.surface.as_str(), "の" | "な")
            && k > 0
            && morphs[k - 1].is_noun()
            && next(1) == "必要"
            && next(2) == "です";
        if ga {
            out.push_str(&text[copied..m.start]);
            out.push('が');
            copied = m.end;
        }
        let come = m.surface == "き"
            && m.base == "くる"
            && m.pos[1] == "自立"
            && k > 0
            && morphs[k - 1].surface == "に"
            && morphs[k - 1].pos[0] == "助詞";
        if come {
            out.push_str(&text[copied..m.start]);
            out.push('来');
            copied = m.end;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Days whose reading ends in か (14日 じゅうよっか): before 以内 the
/// recognizer hears 「14回ない」 or 「14回内」 (…か + いない).
const KA_DAYS: &[u32] = &[2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 20, 24];

/// The same days written in kana, as the recognizer sometimes leaves them
/// (なのかいないに). いつか and ようか are left out: they are words too.
const KA_DAYS_KANA: &[(&str, u32)] = &[
    ("ふつか", 2),
    ("みっか", 3),
    ("よっか", 4),
    ("むいか", 6),
    ("なのか", 7),
    ("ここのか", 9),
    ("とおか", 10),
    ("はつか", 20),
];

/// A deadline as the counter says it: 「14回内に」「14回ないです」 and
/// 「なのかいないに」 are 14日以内 and 7日以内. Only where what follows ends
/// the phrase (に, です, で, まで, 、, 。 or the end), and only for days read
/// with か; 3回以内 and 15回ない stay.
fn deadlines(text: &str) -> String {
    let ends = |rest: &str| {
        rest.is_empty()
            || ["に", "です", "で", "まで", "、", "。"]
                .iter()
                .any(|e| rest.starts_with(e))
    };
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        // Digits, not the tail of a longer number.
        if c.is_ascii_digit() && (i == 0 || !chars[i - 1].1.is_ascii_digit()) {
            let mut j = i;
            while j < chars.len() && chars[j].1.is_ascii_digit() {
                j += 1;
            }
            let after = chars.get(j).map_or(text.len(), |x| x.0);
            let rest = &text[after..];
            let n: Option<u32> = text[at..after].parse().ok();
            let heard = ["回ない", "回内"].into_iter().find(|h| rest.starts_with(h));
            if let (Some(n), Some(h)) = (n, heard) {
                if KA_DAYS.contains(&n) && ends(&rest[h.len()..]) {
                    out.push_str(&text[copied..after]);
                    out.push_str("日以内");
                    copied = after + h.len();
                }
            }
            i = j;
            continue;
        }
        let rest = &text[at..];
        if let Some((kana, n)) = KA_DAYS_KANA.iter().find(|(k, _)| {
            rest.strip_prefix(k)
                .is_some_and(|r| r.starts_with("いない"))
        }) {
            let len = kana.len() + "いない".len();
            if ends(&rest[len..]) {
                out.push_str(&text[copied..at]);
                out.push_str(&format!("{n}日以内"));
                copied = at + len;
                i += kana.chars().count() + 3;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
    out
}

/// A morph a compound noun can be made of.
fn is_compound_part(m: &Morph) -> bool {
    matches!(m.pos[0].as_str(), "名詞" | "接頭詞") && m.spoken().is_some()
}

impl Corrector {
    /// Builds the corrector from glossary terms (the recognizer's prompt
    /// terms, typically [`crate::KnowledgeBase::glossary`]): each term that is
    /// one compound noun, each noun inside a term, and each short phrase.
    pub fn new(analyzer: Arc<Analyzer>, terms: &[String]) -> Self {
        let mut out: Vec<Term> = Vec::new();
        let add = |out: &mut Vec<Term>, text: &str, key: Vec<char>, kind, particles: String| {
            let min = if kind == Kind::Part {
                MIN_KEY_SHORT
            } else {
                MIN_KEY
            };
            if key.len() >= min && !out.iter().any(|o| o.text == text) {
                out.push(Term {
                    key,
                    text: text.to_owned(),
                    kind,
                    particles,
                });
            }
        };
        // Whole terms first: they win over their parts on a tie.
        let mut parts: Vec<(String, Vec<char>)> = Vec::new();
        for t in terms {
            let t = t.trim();
            let chars = t.chars().count();
            if !(2..=12).contains(&chars) || !t.chars().any(is_kanji) {
                continue;
            }
            let morphs = analyzer.morphs(t);
            if morphs.is_empty() {
                continue;
            }
            if morphs.iter().all(is_compound_part) {
                add(&mut out, t, key_of(&morphs), Kind::Compound, String::new());
            } else if morphs
                .iter()
                .all(|m| (is_compound_part(m) || is_particle(m)) && m.spoken().is_some())
                && morphs.len() <= MAX_PHRASE_SPAN
            {
                let particles = morphs
                    .iter()
                    .filter(|m| is_particle(m))
                    .map(|m| m.surface.as_str())
                    .collect();
                add(&mut out, t, key_of(&morphs), Kind::Phrase, particles);
            }
            // Runs of nouns inside the term, and in a compound of several
            // nouns each noun of two kanji or more.
            for run in morphs.split(|m| !is_compound_part(m)) {
                if run.len() > 1 {
                    for single in run {
                        let kanji = single.surface.chars().filter(|c| is_kanji(*c)).count();
                        if single.pos[0] == "名詞" && kanji >= 2 {
                            parts.push((
                                single.surface.clone(),
                                key_of(std::slice::from_ref(single)),
                            ));
                        }
                    }
                }
                let text = crate::analysis::surface_of(run);
                if text != t && text.chars().any(is_kanji) && text.chars().count() >= 2 {
                    parts.push((text, key_of(run)));
                }
            }
        }
        for (text, key) in parts {
            add(&mut out, &text, key, Kind::Part, String::new());
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

    /// The text with mis-heard terms rewritten, and auxiliary verbs in
    /// kana as official writing has them (お待ち下さい → お待ちください).
    pub fn correct(&self, text: &str) -> String {
        self.correct_unsure(text, &[])
    }

    /// Like [`Corrector::correct`], knowing the runs of characters the
    /// recognizer was unsure of (`unsure`): a word among them may also be
    /// rewritten when the dictionary knows it and it sounds exactly like a
    /// term or a noun of one (総裁 heard for 葬祭 is a word).
    pub fn correct_unsure(&self, text: &str, unsure: &[String]) -> String {
        let text = self.terms_corrected(text, unsure);
        deadlines(&counter_forms(
            &self.analyzer,
            &official_kana(&self.analyzer, &text),
        ))
    }

    fn terms_corrected(&self, text: &str, unsure: &[String]) -> String {
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
            // The span's key as the dictionary reads it first, then with
            // other readings of lone kanji (刀: カタナ or トウ).
            let mut alternatives: Vec<String> = vec![String::new()];
            let mut particles = String::new();
            // Compound nouns have no particle (は, を, の …) in them;
            // phrases do, and are matched only with the same ones.
            let mut in_phrase = false;
            for j in i..morphs.len().min(i + MAX_PHRASE_SPAN) {
                let Some(k) = &keys[j] else { break };
                if morphs[j].pos[0] == "記号" {
                    break;
                }
                if is_particle(&morphs[j]) {
                    if j == i {
                        break;
                    }
                    in_phrase = true;
                    particles.push_str(&morphs[j].surface);
                }
                self.extend_alternatives(&mut alternatives, &morphs[j], k);
                if !in_phrase && j >= i + MAX_SPAN {
                    continue;
                }
                let kc: Vec<char> = alternatives[0].chars().collect();
                let span = &morphs[i..=j];
                let surface = &text[morphs[i].start..morphs[j].end];
                // Unsure, and no number after it (大正15年 must stay a date).
                let doubted = unsure.iter().any(|r| {
                    r.chars().any(is_kanji) && (surface.contains(r.as_str()) || r.contains(surface))
                }) && !text[morphs[j].end..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_numeric());
                let found = if in_phrase {
                    self.phrase(&kc, &particles)
                        .or_else(|| self.no_for_a_sound(span, &kc))
                } else {
                    // Exact readings first, the dictionary's then the other
                    // readings of lone kanji; a near miss only after.
                    self.exact(&kc, surface, span, doubted)
                        .or_else(|| {
                            alternatives.iter().skip(1).find_map(|a| {
                                self.exact(&a.chars().collect::<Vec<_>>(), surface, span, doubted)
                            })
                        })
                        .or_else(|| self.nearest(&kc, surface))
                };
                if let Some(t) = found {
                    best = Some((j + 1, t));
                }
            }
            match best {
                Some((end, term)) => {
                    let (from, to) = (morphs[i].start, morphs[end - 1].end);
                    let surface = &text[from..to];
                    // 転居届け becomes 転居届, as the glossary writes the
                    // compound; one word (手続き) or a verb (受け付けて) stays.
                    let nouns = end - i >= 2 && morphs[i..end].iter().all(|m| m.pos[0] == "名詞");
                    if surface != term.text
                        && (!same_kanji(surface, &term.text)
                            || nouns && term.kind == Kind::Compound)
                        && self.terms.iter().all(|t| t.text != surface)
                    {
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

    /// Extends every alternative key by the readings of `m`: its own
    /// (`key`) first, then, for a lone kanji, the others it has as a word,
    /// also with a final ツ, チ, ク or キ doubling the next consonant as it
    /// does inside words (出 シュツ in 出生 シュッショウ; keys drop ッ).
    /// The first alternative stays the dictionary's reading throughout.
    fn extend_alternatives(&self, alternatives: &mut Vec<String>, m: &Morph, key: &str) {
        let mut chars = m.surface.chars();
        let mut others: Vec<String> = Vec::new();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            if is_kanji(c) {
                for r in self.analyzer.kanji_readings(c) {
                    let r = phonetic_key(r);
                    let doubled = r
                        .strip_suffix(['ツ', 'チ', 'ク', 'キ'])
                        .filter(|d| !d.is_empty())
                        .map(str::to_owned);
                    for k in std::iter::once(r).chain(doubled) {
                        if k != key && !others.contains(&k) {
                            others.push(k);
                        }
                    }
                }
            }
        }
        let mut next = Vec::with_capacity(alternatives.len() * (1 + others.len()));
        for a in alternatives.iter() {
            next.push(format!("{a}{key}"));
        }
        for o in &others {
            for a in alternatives.iter() {
                if next.len() < MAX_ALTERNATIVES {
                    next.push(format!("{a}{o}"));
                }
            }
        }
        *alternatives = next;
    }

    /// The term (not a phrase) whose key is exactly `key`. What the
    /// dictionary reads as one known word is rewritten only when the term
    /// is long enough to be sure, or the recognizer was unsure (`doubted`).
    fn exact(&self, key: &[char], surface: &str, span: &[Morph], doubted: bool) -> Option<&Term> {
        let one_word = span.len() == 1 && !span[0].is_unknown() && !doubted;
        let min = if one_word { MIN_KEY } else { MIN_KEY_SHORT };
        if key.len() < min || !surface.chars().any(is_kanji) {
            return None;
        }
        // A word the dictionary knows is only rewritten into a whole
        // glossary term, never into a noun taken out of one (大正 is not
        // 対象 of 支給の対象).
        self.terms.iter().find(|t| {
            t.key == key && (t.kind == Kind::Compound || t.kind == Kind::Part && !one_word)
        })
    }

    /// The phrase whose key is exactly `key`, with the same particles.
    fn phrase(&self, key: &[char], particles: &str) -> Option<&Term> {
        self.terms
            .iter()
            .find(|t| t.kind == Kind::Phrase && t.key == key && t.particles == particles)
    }

    /// A compound term of a word and one kanji heard with の taking the
    /// kanji's first sound (世帯主 セタイヌシ heard as 世帯の死 セタイノシ,
    /// 住民票 as 住民の表): the heard span is that same word, の and one
    /// kanji, and sounds at most one sound off the term.
    fn no_for_a_sound(&self, span: &[Morph], key: &[char]) -> Option<&Term> {
        let [word, no, kanji] = span else {
            return None;
        };
        let one_kanji =
            |m: &Morph| m.surface.chars().count() == 1 && m.surface.chars().all(is_kanji);
        if no.surface != "の" || !one_kanji(kanji) || word.surface.chars().count() < 2 {
            return None;
        }
        self.terms.iter().find(|t| {
            t.kind == Kind::Compound
                && t.text
                    .strip_prefix(word.surface.as_str())
                    .is_some_and(|rest| {
                        rest.chars().count() == 1
                            && rest.chars().all(is_kanji)
                            && rest != kanji.surface
                    })
                && t.key.len() >= 5
                && edit_distance_within(&t.key, key, 1).is_some()
        })
    }

    /// The compound term one sound off `key` (when long), or two off for
    /// very long ones that share a character with what was heard (`surface`).
    fn nearest(&self, key: &[char], surface: &str) -> Option<&Term> {
        if key.len() < MIN_KEY_APPROX || !surface.chars().any(is_kanji) {
            return None;
        }
        // The nearest term; on a tie, the one earlier in the glossary.
        self.terms
            .iter()
            .filter(|t| t.kind == Kind::Compound && t.key.len() >= MIN_KEY_APPROX)
            .filter_map(|t| match edit_distance_within(&t.key, key, 2) {
                Some(d @ (0 | 1)) => Some((d, t)),
                Some(d)
                    if t.key.len() >= MIN_KEY_APPROX2
                        && key.len() >= MIN_KEY_APPROX2
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
            "同じ市内",
            "転出証明書",
            "電子証明書",
            "手続",
            "受付",
            "印鑑証明",
            "支給の対象",
            "請求者",
            "出生届",
            "転居届",
            "世帯主",
            "住民票",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        Corrector::new(analyzer, &terms)
    }

    #[test]
    fn a_term_heard_with_no_for_a_sound_is_written_as_the_term() {
        let c = corrector();
        assert_eq!(c.correct("世帯の死は久保田です"), "世帯主は久保田です");
        assert_eq!(
            c.correct("世帯の死の名前を書いてください"),
            "世帯主の名前を書いてください"
        );
        // Other words after の stay.
        assert_eq!(c.correct("世帯の人は何人ですか"), "世帯の人は何人ですか");
        assert_eq!(c.correct("住民の方はこちらへ"), "住民の方はこちらへ");
        assert_eq!(c.correct("世帯の主です"), "世帯の主です");
    }

    /// Every short string over an alphabet of kanji that have other
    /// readings, kana, particles, marks, digits and odd code points comes
    /// back without a panic, and text without kanji comes back unchanged.
    #[test]
    fn any_short_text_is_handled() {
        let c = corrector();
        let alphabet: Vec<char> = "刀本戸籍出電証の写映しをは、ーァ1２ 々😀\u{3099}"
            .chars()
            .collect();
        let mut count = 0;
        for a in &alphabet {
            for b in &alphabet {
                for d in &alphabet {
                    let t: String = [*a, *b, *d].iter().collect();
                    let out = c.correct(&t);
                    if !t.chars().any(is_kanji) {
                        assert_eq!(out, t);
                    }
                    let long = format!("{t}{t}住民票の映し{t}電出証明書{t}");
                    c.correct(&long);
                    count += 1;
                }
            }
        }
        assert_eq!(count, alphabet.len().pow(3));
    }

    #[test]
    fn misheard_terms_are_written_as_the_glossary_has_them() {
        let c = corrector();
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
            // A phrase, particles and all.
            (
                "住民票の映しを取りたいんですけど",
                "住民票の写しを取りたいんですけど",
            ),
            // 刀 read トウ, as it also is; a copy counted in 通.
            ("戸籍刀本は1つ450円です", "戸籍謄本は一通450円です"),
            // A noun inside a term (同じ市内), heard as two words.
            ("死内で引っ越しました", "市内で引っ越しました"),
            // 出 read シュツ: exactly 転出証明書, not one sound off 電子証明書.
            ("電出証明書はお持ちですか", "転出証明書はお持ちですか"),
            // 出 シュツ and 曲 キョク doubling the next sound, as in 出生
            // (シュッショウ) and 学校.
            ("出証届を出しに来ました", "出生届を出しに来ました"),
            ("天曲届には何が必要ですか", "転居届には何が必要ですか"),
            // A noun written with its okurigana, as the glossary does not.
            ("転居届けには何が必要ですか", "転居届には何が必要ですか"),
            // Auxiliary verbs in kana, as official writing has them.
            ("番号札を取ってお待ち下さい", "番号札を取ってお待ちください"),
        ] {
            assert_eq!(c.correct(heard), meant, "{heard}");
        }
        // Right text, everyday words and short words stay as they are.
        for same in [
            "児童手当の申請はこちらです",
            "自動ドアから入ってください",
            "世代全員の住民票が必要ですか",
            "会社を退職しました",
            "住民票の写しを取りたいんですけど",
            "はい、分かりました",
            "電子証明書の有効期限です",
            // Known words with a short reading: not rewritten.
            "画面に映しました",
            "それはしないでください",
            // Spellings of one word (手続き, 受け付け) are not corrected.
            "手続きをしたいです",
            "夜間も受け付けています",
            // 下さい as a verb of its own stays.
            "その資料を下さい",
            // Two sounds short of 印鑑証明: too far to be sure.
            "印鑑証を無くしてしまいました",
            // A known word is not rewritten into a noun taken out of a term
            // (大正 is not 対象 of 支給の対象: a birth date must stay one),
            // nor a short one into a term one sound off (請求書, 請求者).
            "大正15年生まれです",
            "請求書が届きました",
            "",
        ] {
            assert_eq!(c.correct(same), same, "{same}");
        }
    }

    #[test]
    fn deadlines_are_written_as_the_counter_says_them() {
        for (heard, meant) in [
            (
                "転入届は14回内に出してください",
                "転入届は14日以内に出してください",
            ),
            ("生まれた日から14回ないです", "生まれた日から14日以内です"),
            (
                "死亡届はなのかいないに提出してください",
                "死亡届は7日以内に提出してください",
            ),
            ("10回ないで届きます", "10日以内で届きます"),
        ] {
            assert_eq!(deadlines(heard), meant, "{heard}");
        }
        for same in [
            "3回以内に入力してください",
            "15回ないです",
            "114回内に",
            "4回ないしは5回",
            "いつかいないに",
            "暗証番号を3回間違えました",
            "",
        ] {
            assert_eq!(deadlines(same), same, "{same}");
        }
    }

    #[test]
    fn a_known_word_the_recognizer_doubted_may_become_a_term() {
        let c = corrector();
        // 仮想 sounds exactly like 火葬 (of 火葬許可証): rewritten only
        // where whisper was unsure of it.
        let unsure = ["仮想".to_string()];
        assert_eq!(
            c.correct_unsure("仮想の手続です", &unsure),
            "火葬の手続です"
        );
        assert_eq!(c.correct("仮想の手続です"), "仮想の手続です");
        // Never before a number: 大正15年 stays a birth date, not 対象.
        let unsure = ["大正".to_string()];
        assert_eq!(
            c.correct_unsure("大正15年生まれです", &unsure),
            "大正15年生まれです"
        );
    }

    #[test]
    fn counter_forms_the_recognizer_broke_are_whole() {
        let c = corrector();
        for (heard, meant) in [
            ("納付書を送りします", "納付書をお送りします"),
            ("少々待ちください", "少々お待ちください"),
            ("はい、呼びします", "はい、お呼びします"),
            ("住民票をお願いいします", "住民票をお願いします"),
            ("資格喪失証明書の必要です", "資格喪失証明書が必要です"),
            ("印鑑な必要ですか", "印鑑が必要ですか"),
            ("転出届を出しにきました", "転出届を出しに来ました"),
            ("また取りにきてください", "また取りに来てください"),
            ("田中の代理できました", "田中の代理で来ました"),
            ("田中の大利できました", "田中の代理で来ました"),
            ("葬儀社にお待たしください", "葬儀社にお渡しください"),
            ("番号を及びするまで", "番号をお呼びするまで"),
            ("受け付番号をお呼びします", "受付番号をお呼びします"),
            ("受け付け窓口はこちら", "受付窓口はこちら"),
            ("転居届けには何が必要ですか", "転居届には何が必要ですか"),
            ("婚姻届けを出します", "婚姻届を出します"),
            ("宜しくお願いします", "よろしくお願いします"),
            ("郵送で請求する事も出来ます", "郵送で請求することもできます"),
            (
                "本人確認出来る書類をお持ちください",
                "本人確認できる書類をお持ちください",
            ),
            ("申請出来ません", "申請できません"),
            ("住民票につお願いします", "住民票二通お願いします"),
            ("妻の分物をお願いします", "妻の分物をお願いします"),
            ("妻の石井の文物をお願いします", "妻の石井の分もお願いします"),
            ("夫の文もお願いします", "夫の分もお願いします"),
            ("住民票は1つ、300円です", "住民票は一通、300円です"),
        ] {
            assert_eq!(c.correct(heard), meant, "{heard}");
        }
        for same in [
            "オンラインで申し込みします",
            "来月引っ越しします",
            "お待ちください",
            "書類をお送りいたします",
            "よろしくお願いいたします",
            "申請を取り消します",
            "こちらに書いてください",
            "おし払いください",
            "質問が1つあります",
            "印鑑の必要はありません",
            "必要な書類です",
            "書類を出してきました",
            "好きにきめてください",
            "ご家族なら代理できます",
            "お待たせしました",
            "土日も受け付けています",
            "書類を届けてください",
            "出来事を話してください",
            "大事な物です",
            "事情があります",
            "役所に届けます",
            "書類届けてください",
            "受け付けは5時までです",
            "住民票及び戸籍謄本",
        ] {
            assert_eq!(c.correct(same), same, "{same}");
        }
    }
}
