//! The privacy choke point: Japanese personal data found and replaced by
//! labels counted per session (［氏名1］, ［住所1］, ［電話1］ …).
//!
//! [`MaskedText`] can only be made here, by [`MaskSession::mask`]; everything
//! that shows, stores, logs or sends conversation text takes that type. The
//! label → value map lives in the [`MaskSession`] and goes when it is dropped.
//!
//! Detection, in order of precedence where spans overlap: e-mail addresses;
//! ID numbers (My Number with its check digit, 住民票コード, 在留カード番号,
//! insurance and other long numbers); phone numbers (digits in any common
//! form, full-width, or spoken: ゼロサンの…); birth dates (西暦 and 和暦, by
//! era or by context); addresses (place names up to 丁目・番地・番・号, buildings
//! and rooms); person names (the dictionary's person-name tags, and names in
//! context: 〜さん, 〜様, 〜と申します, 名前は〜, 〜の代理, 担当の〜, katakana
//! foreign names included).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use madoguchi_knowledge::analysis::surface_of;
use madoguchi_knowledge::normalize::{is_kanji, to_katakana};
use madoguchi_knowledge::{Analyzer, Morph};
use regex::Regex;
use serde::Serialize;

/// What a span is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Email,
    Id,
    Phone,
    Birthdate,
    Address,
    Name,
}

impl Kind {
    /// The label's word, as the console shows it.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Name => "氏名",
            Kind::Address => "住所",
            Kind::Phone => "電話",
            Kind::Birthdate => "生年月日",
            Kind::Id => "番号",
            Kind::Email => "メール",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Name => "name",
            Kind::Address => "address",
            Kind::Phone => "phone",
            Kind::Birthdate => "birthdate",
            Kind::Id => "id",
            Kind::Email => "email",
        }
    }
}

/// A masked span, in Unicode characters of the input (end exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

/// Text with every personal detail replaced by a label. Only
/// [`MaskSession::mask`] makes one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct MaskedText(String);

impl MaskedText {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Texts made from this one by `f`, which sees only the masked text (so
    /// what it returns can hold no unmasked value): the questions of a turn,
    /// a summary line.
    pub fn derive(&self, f: impl FnOnce(&str) -> Vec<String>) -> Vec<MaskedText> {
        f(&self.0).into_iter().map(MaskedText).collect()
    }

    /// Joins masked texts.
    pub fn join(parts: &[MaskedText], sep: &str) -> MaskedText {
        MaskedText(
            parts
                .iter()
                .map(|p| p.0.as_str())
                .collect::<Vec<_>>()
                .join(sep),
        )
    }
}

impl std::fmt::Display for MaskedText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The masker: the dictionary, shared by every session.
#[derive(Clone)]
pub struct Masker {
    analyzer: Arc<Analyzer>,
    /// Family names as they sound, in katakana (タナカ, スズキ), made from
    /// the dictionary's family names once a process.
    kana_family: &'static std::collections::HashSet<String>,
    /// Given names as they sound, in katakana (ハナコ, タロウ), likewise.
    kana_given: &'static std::collections::HashSet<String>,
}

/// One session's labels: the same value gets the same label again. Dropped
/// with the session.
pub struct MaskSession {
    masker: Masker,
    labels: HashMap<(Kind, String), usize>,
    counts: HashMap<Kind, usize>,
    /// The names masked so far and their family and given names
    /// ([`Masker::name_parts`]), sorted: masked again wherever they come.
    name_parts: Vec<String>,
    /// What the last text asked for, a name, a birth date or an address
    /// (お名前を教えてください, お誕生日は): what is said next is read as
    /// that (ゆうとです, 5月5日です, 立石の5の13の1です).
    asked: Option<Kind>,
}

impl Masker {
    pub fn new(analyzer: Arc<Analyzer>) -> Self {
        // Every analyzer of a process loads the same dictionary.
        static KANA_FAMILY: OnceLock<std::collections::HashSet<String>> = OnceLock::new();
        let kana_family = KANA_FAMILY.get_or_init(|| kana_family_names(&analyzer));
        static KANA_GIVEN: OnceLock<std::collections::HashSet<String>> = OnceLock::new();
        let kana_given = KANA_GIVEN.get_or_init(|| kana_given_names(&analyzer));
        // Learned once a process, here rather than on the first text.
        name_shapes(&analyzer);
        katakana_names(&analyzer);
        Masker {
            analyzer,
            kana_family,
            kana_given,
        }
    }

    /// A new session (labels start at 1).
    pub fn session(&self) -> MaskSession {
        MaskSession {
            masker: self.clone(),
            labels: HashMap::new(),
            counts: HashMap::new(),
            name_parts: Vec::new(),
            asked: None,
        }
    }

    /// The personal-data spans of `text`, sorted, not overlapping.
    pub fn find(&self, text: &str) -> Vec<Span> {
        self.find_known(text, &[], None)
    }

    /// Like [`Masker::find`], with the names found earlier in the session
    /// and their family and given names (`known_parts`): they are names
    /// wherever they come again (山田です … 山田の保険証). So are the parts
    /// of a name found in this text (伊藤盛景 … 盛景が).
    fn find_known(&self, text: &str, known_parts: &[String], asked: Option<Kind>) -> Vec<Span> {
        // Lets a test make a rule fail.
        #[cfg(test)]
        if text == FAULT {
            panic!("a rule failed");
        }
        let mut doc = Doc::new(text, &self.analyzer, self.kana_family, self.kana_given);
        doc.asked = asked;
        let mut cands = Vec::new();
        doc.emails(&mut cands);
        doc.numbers(&mut cands);
        doc.spoken_numbers(&mut cands);
        doc.dates(&mut cands);
        doc.addresses(&mut cands);
        doc.names(&mut cands);
        doc.chinese_korean_names(&mut cands);
        doc.life_events(&mut cands);
        doc.born_and_kin(&mut cands);
        doc.role_holders(&mut cands);
        doc.occupation_holders(&mut cands);
        doc.titled_family_names(&mut cands);
        doc.referrers(&mut cands);
        doc.leaders_and_parts(&mut cands);
        doc.katakana_names_of_people(&mut cands);
        doc.given_words_before_papers(&mut cands);
        doc.split_katakana_in_a_persons_place(&mut cands);
        doc.spelled_names(&mut cands);
        doc.latin_names(&mut cands);
        doc.spaced_katakana_names(&mut cands);
        doc.hiragana_names(&mut cands);
        doc.family_then_kana_given(&mut cands);
        doc.kana_family_then_given(&mut cands);
        doc.kana_names_in_context(&mut cands);
        doc.kin_of_and_addressees(&mut cands);
        doc.listed_names(&mut cands);
        doc.introductions(&mut cands);
        doc.said_names(&mut cands);
        doc.name_slots(&mut cands);
        doc.name_in_parts(&mut cands);
        doc.role_holders_heard_as_names(&mut cands);
        doc.kana_role_holders(&mut cands);
        doc.kana_family_in_place(&mut cands);
        doc.honorific_names(&mut cands);
        // What won (a candidate that lost to another may be wrong).
        let mut cands = resolve(cands);
        let found: Vec<String> = cands
            .iter()
            .filter(|c| c.kind == Kind::Name)
            .map(|c| doc.text(c.start, c.end))
            .collect();
        let mut parts = known_parts.to_vec();
        parts.extend(found.iter().flat_map(|name| self.name_parts(name)));
        parts.sort();
        parts.dedup();
        doc.repeated_names(&parts, &mut cands);
        doc.contrasted_names(&mut cands);
        let mut spans = resolve(cands);
        for s in spans.iter_mut().filter(|s| s.kind == Kind::Name) {
            doc.widen_spaced(s);
            doc.widen_kanji(s);
            doc.widen_kana_family_before_pause(s);
            doc.widen_kana_family_before(s);
            doc.widen_family_before_katakana(s);
            doc.widen_kana_given(s);
            doc.widen_kana_to_named(s);
            doc.widen_to_slot_end(s);
            doc.trim_title(s);
        }
        resolve(spans)
    }

    /// The name given in answer to a request for one (お名前を教えてください
    /// … ゆうとです, はい、優人です): what comes first, after はい or えっと,
    /// up to です, と申します or a pause, when it is no answer of another kind
    /// (そうです, わかりません, まだです).
    fn name_answer(&self, text: &str) -> Option<Span> {
        let chars: Vec<char> = text.chars().collect();
        let mut start = 0;
        for filler in ["はい", "ええ", "えっと", "えーと", "あの", "えー", "うん"] {
            let f: Vec<char> = filler.chars().collect();
            if chars.starts_with(&f) {
                start = f.len();
                while start < chars.len() && "、, 　".contains(chars[start]) {
                    start += 1;
                }
                break;
            }
        }
        let rest: String = chars[start..].iter().collect();
        let end = [
            "です",
            "と申します",
            "と言います",
            "といいます",
            "でございます",
            "、",
            "。",
        ]
        .iter()
        .filter_map(|e| rest.find(e))
        .min()
        .unwrap_or(rest.len());
        let run = rest[..end].trim();
        let len = run.chars().count();
        let letters = run
            .chars()
            .all(|c| c.is_alphabetic() || c == '・' || c == ' ' || c == '　');
        if !(1..=12).contains(&len) || !letters || NAME_ANSWER_NOT_NAMES.contains(&run) {
            return None;
        }
        // A verb or an adjective is an answer of another kind (忘れました, ない).
        // A name in kana may read as one (ひろし), so only kanji and
        // katakana are judged by the dictionary.
        let kana = run.chars().all(is_hiragana);
        let said = self.analyzer.morphs(run);
        if !kana
            && said
                .iter()
                .any(|m| matches!(m.pos[0].as_str(), "動詞" | "形容詞" | "助動詞" | "助詞"))
        {
            return None;
        }
        if kana
            && [
                "ます",
                "ない",
                "ません",
                "した",
                "った",
                "いい",
                "よい",
                "か",
            ]
            .iter()
            .any(|e| run.ends_with(e))
        {
            return None;
        }
        let from = start + rest[..rest.find(run)?].chars().count();
        Some(Span {
            kind: Kind::Name,
            start: from,
            end: from + len,
        })
    }

    /// Whether `word` is a name the dictionaries list, or katakana that
    /// looks like a name and is no word they know.
    fn name_like(&self, word: &str) -> bool {
        let a = &self.analyzer;
        if a.is_family_name(word) || a.is_given_name(word) || a.is_listed_person(word) {
            return true;
        }
        let morphs = a.morphs(word);
        let known_word = morphs.len() == 1 && !morphs[0].is_unknown();
        word.chars().all(is_katakana) && !known_word && katakana_names(a).looks_like_a_name(word)
    }

    /// A name and its parts of two characters or more, split where the
    /// dictionary splits it: 伊藤盛景 → 伊藤盛景, 伊藤, 盛景. Only kanji or
    /// katakana: a hiragana part (さくら) would match inside words.
    fn name_parts(&self, name: &str) -> Vec<String> {
        let script = |s: &str| s.chars().all(is_kanji) || s.chars().all(is_katakana);
        // The parts written apart (バラク・オバマ → オバマ, ジョルジュ ドン →
        // ドン) that are or look like names: a span taken for a name may be
        // a team or a firm (ボストン・セルティックス), whose places and
        // words must not spread.
        let mut out: Vec<String> = name
            .split(|c: char| c.is_whitespace() || matches!(c, '・' | '=' | '＝'))
            .filter(|p| p.chars().count() >= 2 && p.chars().count() < name.chars().count())
            .filter(|p| script(p) && self.name_like(p))
            .map(str::to_owned)
            .collect();
        let name: String = name
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '・')
            .collect();
        if name.chars().count() >= 2 && script(&name) {
            out.push(name.clone());
        }
        let morphs = self.analyzer.morphs(&name);
        for cut in morphs.iter().skip(1).map(|m| m.start) {
            for part in [&name[..cut], &name[cut..]] {
                if part.chars().count() >= 2 && script(part) {
                    out.push(part.to_owned());
                }
            }
        }
        out
    }
}

/// A text that makes a rule fail, in tests only.
#[cfg(test)]
const FAULT: &str = "\u{0}a rule fails here\u{0}";

/// What stands for a text the masker failed on.
pub const WITHHELD: &str = "［マスクできないため非表示］";

impl MaskSession {
    /// Masks one text. Returns the masked text and the spans (offsets into
    /// `text`, in characters). A name masked earlier in the session, or its
    /// family or given name, is masked again wherever it comes.
    pub fn mask(&mut self, text: &str) -> (MaskedText, Vec<Span>) {
        let asked = std::mem::replace(&mut self.asked, asks_for(text));
        self.mask_after(text, asked)
    }

    /// Masks a text said beside the conversation, not as a turn of it (a
    /// partial text of an utterance still going on, a note): the same
    /// labels, and read in the light of what the last turn asked for, which
    /// stays asked for the turn that comes (ゆうと… as a partial, then
    /// ゆうとです).
    pub fn mask_aside(&mut self, text: &str) -> (MaskedText, Vec<Span>) {
        self.mask_after(text, self.asked)
    }

    fn mask_after(&mut self, text: &str, asked: Option<Kind>) -> (MaskedText, Vec<Span>) {
        let chars: Vec<char> = text.chars().collect();
        // A fault in a rule must neither stop the service nor let the text
        // through: then the whole text is withheld, and the log says so
        // without it.
        let found = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut spans = self.masker.find_known(text, &self.name_parts, asked);
            if asked == Some(Kind::Name) {
                if let Some(answer) = self.masker.name_answer(text) {
                    spans.push(answer);
                    spans = resolve(spans);
                }
            }
            spans
        }));
        let Ok(spans) = found else {
            tracing::error!(
                chars = chars.len(),
                "masking failed on a text; the whole text is withheld (a bug: please report it)"
            );
            let whole = Span {
                kind: Kind::Name,
                start: 0,
                end: chars.len(),
            };
            return (MaskedText(WITHHELD.to_owned()), vec![whole]);
        };
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for s in &spans {
            out.extend(&chars[at..s.start]);
            let value: String = chars[s.start..s.end]
                .iter()
                .filter(|c| !c.is_whitespace() && !matches!(c, '・' | '-' | 'ー' | '－'))
                .collect();
            if s.kind == Kind::Name && !self.labels.contains_key(&(Kind::Name, value.clone())) {
                // From the text as said: the label's value drops ー
                // (パーカー → パカ), which would never match again.
                let said: String = chars[s.start..s.end].iter().collect();
                self.name_parts.extend(self.masker.name_parts(&said));
                self.name_parts.sort();
                self.name_parts.dedup();
            }
            let n = self.label_for(s.kind, value);
            out.push_str(&format!("［{}{}］", s.kind.label(), n));
            at = s.end;
        }
        out.extend(&chars[at..]);
        (MaskedText(out), spans)
    }

    fn label_for(&mut self, kind: Kind, value: String) -> usize {
        if let Some(n) = self.labels.get(&(kind, value.clone())) {
            return *n;
        }
        // 山田 or 太郎 after 山田太郎 (or 山田太郎 after 山田) is the same
        // person; of several that fit (ソン after ウィルソン and ジョンソン),
        // the one named first, whatever order the map keeps.
        if kind == Kind::Name && value.chars().count() >= 2 {
            let same = self
                .labels
                .iter()
                .filter(|((k, v), _)| {
                    *k == Kind::Name
                        && v.chars().count() >= 2
                        && (v.starts_with(value.as_str())
                            || value.starts_with(v.as_str())
                            || v.ends_with(value.as_str()))
                })
                .map(|(_, n)| *n)
                .min();
            if let Some(n) = same {
                self.labels.insert((kind, value), n);
                return n;
            }
        }
        let c = self.counts.entry(kind).or_insert(0);
        *c += 1;
        let n = *c;
        self.labels.insert((kind, value), n);
        n
    }
}

/// What `text` asks for: a name (お名前を教えてください, ご主人のお名前は,
/// 氏名をお願いします, フリガナは?), a birth date (生年月日をお願いします,
/// お誕生日は, 何年生まれですか) or an address (ご住所は).
fn asks_for(text: &str) -> Option<Kind> {
    let t = text.trim_end_matches(['。', '？', '?', '！', '!', ' ', '　']);
    let request = [
        "は",
        "を",
        "か",
        "ください",
        "お願いします",
        "ますか",
        "をどうぞ",
    ]
    .iter()
    .any(|e| t.ends_with(e));
    if !request {
        return None;
    }
    // The word for it as what is asked about (お名前を, 氏名は), not as a
    // means (フリガナでお願いします).
    let about = |words: &[&str]| {
        words.iter().any(|w| {
            t.match_indices(w).any(|(at, _)| {
                t[at + w.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| "をはも、".contains(c))
            })
        })
    };
    if about(&["名前", "氏名", "フリガナ", "ふりがな"]) {
        Some(Kind::Name)
    } else if about(&["生年月日", "誕生日", "お生まれ", "生まれ年"]) || t.contains("何年生まれ")
    {
        Some(Kind::Birthdate)
    } else if about(&["住所", "お住まい"]) {
        Some(Kind::Address)
    } else {
        None
    }
}

/// What is said after a request for a name that is no name: yes, no, not
/// yet, I don't know.
const NAME_ANSWER_NOT_NAMES: &[&str] = &[
    "はい",
    "いいえ",
    "そう",
    "ええ",
    "うん",
    "まだ",
    "ちょっと",
    "わからない",
    "不明",
    "未定",
    "同じ",
    "本人",
    "私",
    "わたし",
    "僕",
    "ぼく",
    "俺",
    "自分",
    "こちら",
    "これ",
    "それ",
    "ここ",
    "えっと",
    "あの",
    "すみません",
    "なし",
    "ない",
    "大丈夫",
    "結構",
    "平仮名",
    "ひらがな",
    "カタカナ",
    "片仮名",
    "漢字",
    "ローマ字",
];

/// Overlapping candidates: the earlier kind in [`Kind`]'s order wins, then
/// the longer span.
fn resolve(mut cands: Vec<Span>) -> Vec<Span> {
    cands.retain(|s| s.start < s.end);
    cands.sort_by_key(|s| (s.kind, std::cmp::Reverse(s.end - s.start), s.start));
    let mut taken: Vec<Span> = Vec::new();
    let overlaps = |a: &Span, b: &Span| a.start < b.end && b.start < a.end;
    for c in cands {
        // Two names that overlap are one name seen in two parts (やまだ of
        // a tag, はなこ before さん), and two parts of one address overlap
        // or touch (東京都港区麻布十番 and 十番2丁目16-6): the union, so no
        // part of it shows, unless the union would reach into another span.
        if matches!(c.kind, Kind::Name | Kind::Address) {
            let joins = |t: &Span| {
                t.kind == c.kind
                    && (overlaps(t, &c)
                        || c.kind == Kind::Address && (t.end == c.start || c.end == t.start))
            };
            if let Some(i) = taken.iter().position(joins) {
                let union = Span {
                    kind: c.kind,
                    start: taken[i].start.min(c.start),
                    end: taken[i].end.max(c.end),
                };
                let clear = taken
                    .iter()
                    .enumerate()
                    .all(|(j, t)| j == i || !overlaps(t, &union));
                // Of a name, a letter or two the other part left out (こ of
                // はなこ), not a title beside it (ケネディ大統領).
                let small = c.kind == Kind::Address
                    || union.end - union.start <= taken[i].end - taken[i].start + 2;
                if clear && small {
                    taken[i] = union;
                }
                continue;
            }
        }
        if taken.iter().all(|t| !overlaps(t, &c)) {
            taken.push(c);
        }
    }
    taken.sort_by_key(|s| s.start);
    taken
}

/// The text in three views: its characters, a 1:1 fold (full-width ASCII to
/// ASCII, dashes to '-') as a string with a byte → character map, and its
/// morphemes in characters.
struct Doc<'a> {
    analyzer: &'a Analyzer,
    /// How IPADIC's family names sound, in katakana (`kana_family_names`).
    kana_family: &'a std::collections::HashSet<String>,
    /// How its given names sound (`kana_given_names`).
    kana_given: &'a std::collections::HashSet<String>,
    /// What the text before asked for ([`MaskSession`]): a date said now is
    /// a birth date, block numbers an address.
    asked: Option<Kind>,
    chars: Vec<char>,
    folded: String,
    /// Character index of each byte of `folded` (and one past the end).
    fchar: Vec<usize>,
    morphs: Vec<Morph>,
    /// (start, end) of each morph in characters.
    mspan: Vec<(usize, usize)>,
    /// Whether each morph is a family name in the dictionary, whatever it
    /// was tagged as here (石川 as a place, 松田 as a company).
    family: Vec<bool>,
    /// Per morph, the end (exclusive morph index) of the longest given
    /// name the dictionary knows that starts there, over up to three morphs
    /// (一 + 郎), whatever they were tagged as.
    given: Vec<Option<usize>>,
    /// Per morph, whether that given name is a name even alone (not 大学).
    given_alone: Vec<bool>,
    /// Per morph, whether it is in katakana and a given or other person's
    /// name in the dictionary's lists (アヤ, ノア, ジャネット) or sounds like
    /// a family name (ツバキ), however it was read here.
    listed: Vec<bool>,
}

fn fold(c: char) -> char {
    match c {
        '！'..='～' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '　' => ' ',
        '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | 'ｰ' => '-',
        _ => c,
    }
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("a valid built-in pattern"))
}

/// Like [`re`], for a pattern put together from pieces: built only the
/// first time, not on every text.
fn re_built(cell: &'static OnceLock<Regex>, pattern: impl FnOnce() -> String) -> &'static Regex {
    cell.get_or_init(|| Regex::new(&pattern()).expect("a valid built-in pattern"))
}

/// Digits, ASCII or kanji.
const NUM: &str = "[0-9〇一二三四五六七八九十]";

impl<'a> Doc<'a> {
    fn new(
        text: &str,
        analyzer: &'a Analyzer,
        kana_family: &'a std::collections::HashSet<String>,
        kana_given: &'a std::collections::HashSet<String>,
    ) -> Self {
        let chars: Vec<char> = text.chars().collect();
        let mut folded = String::with_capacity(text.len());
        let mut fchar = Vec::with_capacity(text.len() + 1);
        for (i, c) in chars.iter().enumerate() {
            let digit = |j: Option<&char>| j.is_some_and(|c| fold(*c).is_ascii_digit());
            // ６ー５: a long-vowel mark between digits is a dash.
            let f = if *c == 'ー' && i > 0 && digit(chars.get(i - 1)) && digit(chars.get(i + 1)) {
                '-'
            } else {
                common_form(fold(*c))
            };
            folded.push(f);
            fchar.extend(std::iter::repeat_n(i, f.len_utf8()));
        }
        fchar.push(chars.len());
        // Morphemes of the folded text (digits as ASCII analyze better).
        let morphs = family_names_rejoined(
            katakana_names_rejoined(with_iteration_marks(analyzer.morphs(&folded)), kana_family),
            analyzer,
        );
        let mspan = morphs
            .iter()
            .map(|m| (fchar[m.start], fchar[m.end]))
            .collect();
        let family = morphs
            .iter()
            .map(|m| is_family_name(analyzer, &m.surface))
            .collect();
        let given: Vec<Option<usize>> = (0..morphs.len())
            .map(|k| {
                let mut joined = String::new();
                let mut longest = None;
                for (j, m) in morphs.iter().enumerate().skip(k).take(3) {
                    if j > k && morphs[j - 1].end != m.start {
                        break;
                    }
                    joined.push_str(&m.surface);
                    if analyzer.is_given_name(&joined) || modern_given_name(&joined) {
                        longest = Some(j + 1);
                    }
                }
                longest
            })
            .collect();
        // A listed name with kanji, of two letters or more, that the
        // dictionary reads alone as one other word (大学, 健康 and 一人 are
        // given names too) is that word where only kin stands before it.
        let given_alone = given
            .iter()
            .enumerate()
            .map(|(k, g)| {
                g.is_some_and(|g| {
                    let word = surface_of(&morphs[k..g]);
                    word.chars().count() == 1
                        || modern_given_name(&word)
                        || !word.chars().any(is_kanji)
                        || {
                            let alone = analyzer.morphs(&word);
                            alone.len() != 1 || alone[0].is_person_name()
                        }
                })
            })
            .collect();
        let listed = morphs
            .iter()
            .map(|m| {
                m.surface.chars().all(is_katakana)
                    && (analyzer.is_listed_person(&m.surface)
                        || analyzer.is_given_name(&m.surface)
                        || kana_family.contains(&m.surface))
            })
            .collect();
        Doc {
            analyzer,
            kana_family,
            kana_given,
            asked: None,
            chars,
            folded,
            fchar,
            morphs,
            mspan,
            family,
            given,
            given_alone,
            listed,
        }
    }

    fn span(&self, kind: Kind, m: regex::Match<'_>) -> Span {
        Span {
            kind,
            start: self.fchar[m.start()],
            end: self.fchar[m.end()],
        }
    }

    /// Whether a match in `folded` has no ASCII letter or digit right
    /// beside it (not part of a longer Latin or number run).
    fn ascii_alone(&self, m: &regex::Match<'_>) -> bool {
        let bytes = self.folded.as_bytes();
        let alnum = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric());
        !alnum(m.start().checked_sub(1).and_then(|i| bytes.get(i))) && !alnum(bytes.get(m.end()))
    }

    /// The characters from `start` to `end`, clamped to the text (empty when
    /// `start` is past either).
    fn text(&self, start: usize, end: usize) -> String {
        let end = end.min(self.chars.len());
        self.chars[start.min(end)..end].iter().collect()
    }

    /// Characters before `at` (at most `n`), as a string.
    /// The character just before char offset `at`, if any.
    fn char_before(&self, at: usize) -> Option<char> {
        at.checked_sub(1).and_then(|i| self.chars.get(i)).copied()
    }

    /// The character at `at` (the one after a span ending there).
    fn char_at(&self, at: usize) -> Option<char> {
        self.chars.get(at).copied()
    }

    /// Whether a title only people carry (大統領, 外相, 中佐) starts at `at`.
    /// Where `needle` starts in the text, in characters, overlapping
    /// matches included.
    fn occurrences<'n>(&'n self, needle: &'n [char]) -> impl Iterator<Item = usize> + 'n {
        self.chars
            .windows(needle.len().max(1))
            .enumerate()
            .filter(move |(_, w)| !needle.is_empty() && *w == needle)
            .map(|(i, _)| i)
    }

    /// Where `needle` occurs, by characters.
    fn occurrences_of(&self, needle: &str) -> Vec<usize> {
        let needle: Vec<char> = needle.chars().collect();
        self.occurrences(&needle).collect()
    }

    /// Where what follows 名前は or a role and は (世帯主は, 申請者は)
    /// begins: a name's place.
    fn after_role_leads(&self) -> Vec<usize> {
        std::iter::once("名前")
            .chain(ROLE_NOUNS.iter().copied())
            .flat_map(|role| {
                let lead = format!("{role}は");
                let len = lead.chars().count();
                self.occurrences_of(&lead)
                    .into_iter()
                    .map(move |at| at + len)
            })
            .collect()
    }

    /// Maximal runs of characters that `keep` accepts, as (start, end).
    fn char_runs(&self, keep: impl Fn(char) -> bool) -> Vec<(usize, usize)> {
        let mut runs = Vec::new();
        let mut k = 0;
        while k < self.chars.len() {
            if !keep(self.chars[k]) {
                k += 1;
                continue;
            }
            let start = k;
            while k < self.chars.len() && keep(self.chars[k]) {
                k += 1;
            }
            runs.push((start, k));
        }
        runs
    }

    /// The morphs that fill `start..end` exactly, in order, or `None` when
    /// the span does not begin and end where morphs do (or holds none).
    fn morphs_filling(&self, start: usize, end: usize) -> Option<Vec<usize>> {
        let inside: Vec<usize> = (0..self.morphs.len())
            .filter(|&x| self.mspan[x].0 >= start && self.mspan[x].1 <= end)
            .collect();
        let aligned =
            self.mspan[*inside.first()?].0 == start && self.mspan[*inside.last()?].1 == end;
        aligned.then_some(inside)
    }

    /// The morphs of the katakana run `start..end` when it stands on its
    /// own as a word could: whole morphs, none of them a place, no Latin
    /// letter or digit before it, and no loanword or counter word.
    fn katakana_run_alone(&self, start: usize, end: usize) -> Option<Vec<usize>> {
        let inside = self.morphs_filling(start, end)?;
        let word = self.text(start, end);
        let alone = !inside.iter().any(|&x| self.morphs[x].is_place())
            && !self
                .char_before(start)
                .is_some_and(|c| c.is_ascii_alphanumeric())
            && !LOANWORDS.contains(&word.as_str())
            && !COUNTER_KATAKANA.contains(&word.as_str());
        alone.then_some(inside)
    }

    /// Whether a word ends at char offset `at`: what follows is no hiragana
    /// but a particle or です (山田さん|が, not たくさん|の as a name's
    /// さん, nor ちゃん|と).
    fn word_ends(&self, at: usize) -> bool {
        let rest = self.after(at, 2);
        rest.chars()
            .next()
            .is_none_or(|c| !is_hiragana(c) || "のはがにをともへや".contains(c))
            || rest == "です"
            || rest == "でし"
    }

    /// Whether a greeting said with 様 ends at `at` (ご苦労|様, お互い|様,
    /// お気の毒|様).
    fn greeting_before(&self, at: usize) -> bool {
        let before = self.before(at, 4);
        [
            "苦労",
            "互い",
            "気の毒",
            "待ち遠",
            "世話",
            "疲れ",
            "馳走",
            "愁傷",
            "かげ",
            "陰",
        ]
        .iter()
        .any(|g| before.ends_with(g))
    }

    /// Whether kin and の come right before char offset `at` (妻の|山田).
    fn after_kin(&self, at: usize) -> bool {
        self.before(at, 4).strip_suffix('の').is_some_and(|b| {
            KIN.iter().any(|kin| b.ends_with(kin))
                || ["上の子", "下の子", "末の子", "うち"]
                    .iter()
                    .any(|c| b.ends_with(c))
        })
    }

    /// Whether what is said begins at morph `k`: first, or after a mark or
    /// an interjection (はい、|森に…), not after ・.
    fn begins(&self, k: usize) -> bool {
        k == 0
            || matches!(self.morphs[k - 1].pos[0].as_str(), "記号" | "感動詞")
                && self.morphs[k - 1].surface != "・"
    }

    /// Whether what is said begins with こちらは or これは right before
    /// `at` (こちらは|カンの委任状です).
    fn this_is_before(&self, at: usize) -> bool {
        ["こちらは", "これは"].iter().any(|l| {
            let n = l.chars().count();
            at >= n
                && self.before(at, n) == *l
                && self
                    .char_before(at - n)
                    .is_none_or(|c| "、。 「".contains(c))
        })
    }

    fn person_title_at(&self, at: usize) -> bool {
        let rest = self.after(at, 5);
        PERSON_TITLES.iter().any(|t| rest.starts_with(t))
    }

    fn before(&self, at: usize, n: usize) -> String {
        self.text(at.saturating_sub(n), at)
    }

    fn after(&self, at: usize, n: usize) -> String {
        self.text(at, (at + n).min(self.chars.len()))
    }

    fn emails(&self, out: &mut Vec<Span>) {
        static R: OnceLock<Regex> = OnceLock::new();
        let r = re(
            &R,
            r"[A-Za-z0-9._%+\-]+\s*(?:@|＠|アットマーク)\s*[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+",
        );
        out.extend(r.find_iter(&self.folded).map(|m| self.span(Kind::Email, m)));
    }

    /// Phone and ID numbers written in digits.
    fn numbers(&self, out: &mut Vec<Span>) {
        static CARD: OnceLock<Regex> = OnceLock::new();
        let card = re(&CARD, r"[A-Z]{2}\s?\d{8}\s?[A-Z]{2}");
        out.extend(card.find_iter(&self.folded).map(|m| self.span(Kind::Id, m)));
        // Passport numbers (TK1234567) and other letters-and-digits
        // numbers of cards, standing alone.
        static PASSPORT: OnceLock<Regex> = OnceLock::new();
        let passport = re(&PASSPORT, r"[A-Z]{1,2}\d{7,8}");
        for m in passport.find_iter(&self.folded) {
            if self.ascii_alone(&m) {
                out.push(self.span(Kind::Id, m));
            }
        }
        static RUN: OnceLock<Regex> = OnceLock::new();
        // Digit groups joined by dashes, spaces or brackets: 03-1234-5678,
        // (03)1234-5678, +81 3 1234 5678, 1234 5678 9012.
        let run = re(&RUN, r"\+?\(?\d[\d\-\s()]*\d");
        static CONTEXT: OnceLock<Regex> = OnceLock::new();
        let context = re(
            &CONTEXT,
            r"(番号|記号|コード|ナンバー|No\.?|NO\.?|#)\s*(は|が|を)?\s*[:：]?\s*$",
        );
        for m in run.find_iter(&self.folded) {
            let s = m.as_str().trim_end_matches([' ', '(']);
            let digits: String = s.chars().filter(char::is_ascii_digit).collect();
            let span = self.span(Kind::Id, m);
            let n = digits.len();
            let intl = s.starts_with("+81");
            let kind = if intl || (digits.starts_with('0') && (10..=11).contains(&n)) {
                Some(Kind::Phone)
            } else if n >= 8
                || (n >= 4 || n >= 2 && self.card_said_before(span.start))
                    && context.is_match(&self.before(span.start, 10))
            {
                // 保険証の記号は12、番号は345: a card's numbers may be short.
                Some(Kind::Id)
            } else if (6..=9).contains(&n)
                && has_separator(s)
                && phone_context(&self.before(span.start, 10))
            {
                // A local number without its area code after 電話/携帯.
                Some(Kind::Phone)
            } else {
                None
            };
            if let Some(kind) = kind {
                out.push(Span { kind, ..span });
            }
        }
    }

    /// Whether a card or insurance was named before `at` in this text
    /// (保険証の記号は…, 年金手帳の番号は…): after it a number of two digits is
    /// the card's, not a counter's (受付番号は25番 stays).
    fn card_said_before(&self, at: usize) -> bool {
        let before = self.text(0, at);
        ["保険", "年金", "免許", "在留", "記号", "手帳", "受給者証"]
            .iter()
            .any(|w| before.contains(w))
    }

    /// Numbers spoken digit by digit (ゼロサンのイチニー… or 〇三一二…).
    fn spoken_numbers(&self, out: &mut Vec<Span>) {
        static R: OnceLock<Regex> = OnceLock::new();
        let r = re(
            &R,
            "(?:(?:ゼロ|ぜろ|レイ|れい|マル|まる|イチ|いち|ニー|にー|ニイ|にい|ニ|に|サン|さん|ヨン|よん|ゴー|ごー|ゴ|ご|ロク|ろく|ナナ|なな|シチ|しち|ハチ|はち|キュウ|きゅう|キュー|きゅー|[〇一二三四五六七八九0-9])[のノ、,\\s-]*){7,}",
        );
        for m in r.find_iter(&self.folded) {
            let s = m.as_str();
            if s.chars()
                .all(|c| c.is_ascii_digit() || c == '-' || c.is_whitespace())
            {
                continue; // written digits: numbers() knows their shapes
            }
            // Mostly digit words, not ordinary kana that happen to match.
            let words = [
                "ゼロ",
                "ぜろ",
                "サン",
                "さん",
                "イチ",
                "いち",
                "ロク",
                "ろく",
                "ナナ",
                "なな",
                "ハチ",
                "はち",
                "キュウ",
                "きゅう",
                "ヨン",
                "よん",
                "ゴー",
                "ニー",
                "〇",
                // Kanji digits one by one (〇九〇の一二三四の…): a number read
                // out, as the recognizer sometimes writes it.
                "一",
                "二",
                "三",
                "四",
                "五",
                "六",
                "七",
                "八",
                "九",
                "0",
                "1",
                "2",
                "3",
                "4",
                "5",
                "6",
                "7",
                "8",
                "9",
            ];
            let strong = words.iter().map(|w| s.matches(w).count()).sum::<usize>();
            if strong < 4 {
                continue;
            }
            let zero = ["ゼロ", "ぜろ", "レイ", "れい", "マル", "まる", "〇", "0"];
            let kind = if zero.iter().any(|z| s.starts_with(z)) {
                Kind::Phone
            } else {
                Kind::Id
            };
            let mut span = self.span(kind, m);
            // Kana after written digits is a particle (5432に電話して,
            // 1234にお願いします), not a digit read out.
            let mut kana = span.end;
            while kana > span.start
                && (is_hiragana(self.chars[kana - 1]) || is_katakana(self.chars[kana - 1]))
            {
                kana -= 1;
            }
            if kana < span.end
                && kana > span.start
                && (self.chars[kana - 1].is_ascii_digit()
                    || "〇一二三四五六七八九".contains(self.chars[kana - 1]))
            {
                span.end = kana;
            }
            // Trailing separators are not part of the number.
            while span.end > span.start
                && matches!(
                    self.chars[span.end - 1],
                    'の' | 'ノ' | '、' | ',' | ' ' | '-'
                )
            {
                span.end -= 1;
            }
            out.push(span);
        }
    }

    fn dates(&self, out: &mut Vec<Span>) {
        static R: OnceLock<Regex> = OnceLock::new();
        let r = re_built(&R, || {
            let eras = ERAS.join("|");
            format!(
                r"(?:(?:西暦)?\s*(?P<y>\d{{4}})\s*年|(?P<era>{eras}|[MTSHR])\s*(?:の\s*)?(?P<ey>{NUM}{{1,3}}|元)\s*年)\s*(?:の\s*)?(?:(?P<m>{NUM}{{1,3}})\s*月(?:\s*(?P<d>{NUM}{{1,3}})\s*日)?)?|(?P<y2>\d{{4}})[/.](?P<m2>\d{{1,2}})[/.](?P<d2>\d{{1,2}})|(?P<era2>[MTSHR])(?P<ey2>\d{{1,2}})[./](?P<m3>\d{{1,2}})[./](?P<d3>\d{{1,2}})|(?P<y3>\d{{2}})\s*年\s*(?:の\s*)?(?:(?P<m5>{NUM}{{1,3}})\s*月(?:\s*(?P<d5>{NUM}{{1,3}})\s*日)?)?|(?P<m4>{NUM}{{1,3}})\s*月\s*(?P<d4>{NUM}{{1,3}})\s*日"
            )
        });
        static CTX: OnceLock<Regex> = OnceLock::new();
        let ctx = re(&CTX, "生年月日|生まれ|誕生|生年|うまれ|産まれ|歳");
        // A year of two digits (90年) or a month and day alone (4月1日)
        // is a birth date only where birth is said right beside it.
        static BIRTH: OnceLock<Regex> = OnceLock::new();
        let birth = re(&BIRTH, "生年月日|生まれ|誕生日|うまれ|産まれ");
        // Only decides what is old enough to be a birth year.
        let this_year = chrono::Datelike::year(&madoguchi_knowledge::today());
        for c in r.captures_iter(&self.folded) {
            let Some(m) = c.get(0) else { continue };
            let span = self.span(Kind::Birthdate, m);
            let near = format!("{}{}", self.before(span.start, 12), self.after(span.end, 8));
            let partial = c.name("y3").or(c.name("m4")).is_some();
            let context = self.asked == Some(Kind::Birthdate)
                || if partial {
                    // 30年前に生まれました: a span of years, not a year.
                    let span_of_time = ["前", "後", "間", "以上", "以内", "ぶり", "目", "代"]
                        .iter()
                        .any(|w| self.after(span.end, 2).starts_with(w));
                    birth.is_match(&near) && !span_of_time
                } else {
                    ctx.is_match(&near)
                };
            let full = c.name("d").or(c.name("d2")).or(c.name("d3")).is_some();
            let era = c.name("era").or(c.name("era2")).map(|e| e.as_str());
            let year: Option<i32> = c
                .name("y")
                .or(c.name("y2"))
                .and_then(|y| y.as_str().parse().ok());
            let old = match (era, year) {
                (Some("明治" | "大正" | "昭和" | "M" | "T" | "S"), _) => true,
                (_, Some(y)) => y <= this_year - 15,
                _ => false,
            };
            // A full date of an old year is a birth date; any date said
            // with 生まれ/生年月日 is one; procedure dates (令和8年4月1日
            // から) are not.
            if context || (full && old) {
                out.push(span);
            }
        }
    }

    fn addresses(&self, out: &mut Vec<Span>) {
        static R: OnceLock<Regex> = OnceLock::new();
        // Block numbers: 5丁目13番1号, 5丁目13-1, 13番地の2, 5-13-1, 5の13の1
        // (as said), and a room or building after them (…1号のメゾン立石202).
        let r = re_built(&R, || {
            format!(
                r"{NUM}{{1,4}}\s*丁目?(?:[\s、]*{NUM}{{1,4}}\s*(?:番地の?|番の?|-|の)?(?:[\s、]*{NUM}{{1,4}}\s*(?:号|-)?)?(?:\s*{NUM}{{1,4}})?)?|{NUM}{{1,4}}\s*番地?(?:[\s、]*の?\s*{NUM}{{1,4}}(?:\s*号)?)?|{NUM}{{1,4}}(?:[-の]{NUM}{{1,4}}){{1,3}}|\d{{1,4}}"
            )
        });
        static BUILDING: OnceLock<Regex> = OnceLock::new();
        let building = re_built(&BUILDING, || {
            format!(
                r"^(?:\s*の)?\s*(?:[ァ-ヶー・A-Za-z一-龥々]{{0,12}}(?:マンション|ハイツ|アパート|ビル|コーポ|レジデンス|荘|棟|タワー|ハウス|メゾン|コート|パレス)?\s*)?(?:{NUM}{{1,4}}\s*(?:号室|号棟|階)|\d{{3,4}}(?:号)?)"
            )
        });
        static AFTER_PAUSE: OnceLock<Regex> = OnceLock::new();
        let building_after_pause = re_built(&AFTER_PAUSE, || {
            format!(
                r"^[\s、]+(?:[ァ-ヶー・A-Za-z一-龥々]{{0,12}}(?:マンション|ハイツ|アパート|ビル|コーポ|レジデンス|荘|棟|タワー|ハウス|メゾン|コート|パレス)[ァ-ヶー・A-Za-z一-龥々]{{0,8}}\s*{NUM}{{1,4}}\s*(?:号室|号)?|{NUM}{{1,4}}\s*号室)"
            )
        });
        for m in r.find_iter(&self.folded) {
            let mut span = self.span(Kind::Address, m);
            let bare = !m.as_str().contains(['丁', '番']);
            // Leftwards over the place: 東京都葛飾区立石 before 5丁目.
            let start = self.place_before(span.start);
            let place = self.text(start, span.start);
            let municipal = place.contains(['都', '道', '府', '県', '市', '区', '町', '村', '郡']);
            // 3番窓口, 2番の窓口: a counter's number, unless a place leads it.
            let lone_ban = {
                let t = m.as_str().trim();
                t.ends_with('番')
                    && t.chars().filter(|c| !c.is_whitespace()).count() <= 5
                    && !t.contains(['丁', '地', '号', '-', 'の'])
            };
            // 1丁目の交差点: a district alone, with no place before it and
            // no block after it, names no one's home.
            let lone_choume = {
                let t: String = m.as_str().chars().filter(|c| !c.is_whitespace()).collect();
                t.ends_with("丁目") && t.chars().filter(|c| !"丁目".contains(*c)).count() <= 2
            };
            // Asked for the address, block numbers are one (5の13の1です),
            // with the town before them and の (立石の5の13の1); so are
            // three numbers joined by の after a place and の, asked or not.
            let said_after_town = m.as_str().matches('の').count() >= 2
                && self.char_before(span.start) == Some('の')
                && span.start > 1
                && {
                    // A town: a word the dictionary knows as a place or a
                    // family name (立石, 高砂), not 資料の3の1の2.
                    let town = self.place_before(span.start - 1);
                    town < span.start - 1
                        && self.morphs.iter().zip(&self.mspan).enumerate().any(
                            |(k, (m, &(a, b)))| {
                                a >= town
                                    && b < span.start
                                    && (m.is_place() || self.family[k] || m.is_person_name())
                            },
                        )
                };
            let answer = self.asked == Some(Kind::Address) && m.as_str().contains(['-', 'の'])
                || said_after_town;
            if !answer
                && (((lone_ban || lone_choume) && start == span.start)
                    || (bare && (start == span.start || (!m.as_str().contains('-') && !municipal))))
            {
                // 5-13-1 or 300 alone is a number, not an address; a bare
                // number is one only after a municipality (新宿区山吹町7).
                continue;
            }
            let mut start = start;
            if answer && start == span.start && start > 1 && self.char_before(start) == Some('の')
            {
                let town = self.place_before(start - 1);
                if town < start - 1 {
                    start = town;
                }
            }
            span.start = start;
            if let Some(b) = building.find(&self.folded[self.byte_of(span.end)..]) {
                span.end = self.fchar[self.byte_of(span.end) + b.end()];
            } else if let Some(b) =
                building_after_pause.find(&self.folded[self.byte_of(span.end)..])
            {
                // …1号、コーポ高砂201号室: the building after a pause.
                span.end = self.fchar[self.byte_of(span.end) + b.end()];
            }
            // 10-15 2階: the floor's number was taken as a block number.
            for unit in ["号室", "号棟", "階"] {
                if self.after(span.end, 2).starts_with(unit) {
                    span.end += unit.chars().count();
                    break;
                }
            }
            out.push(span);
        }
        // Postal codes: 〒124-0012.
        static POSTAL: OnceLock<Regex> = OnceLock::new();
        for m in re(&POSTAL, r"〒\s*\d{3}-?\d{4}").find_iter(&self.folded) {
            out.push(self.span(Kind::Address, m));
        }
        // Without block numbers: prefecture + municipality + town
        // (東京都葛飾区立石), never the office (葛飾区役所).
        static TOWN: OnceLock<Regex> = OnceLock::new();
        let town = re(
            &TOWN,
            r"(?:東京都|北海道|(?:京都|大阪)府|[一-龥]{2,3}県)\s*[一-龥ァ-ヶー]{1,6}?(?:市|区|町|村|郡)(?:[一-龥ァ-ヶー]{1,6}?(?:市|区|町|村))?[一-龥ァ-ヶー]{1,6}",
        );
        for m in town.find_iter(&self.folded) {
            let s = m.as_str();
            if OFFICES.iter().any(|o| s.ends_with(o)) {
                continue;
            }
            out.push(self.span(Kind::Address, m));
        }
        // A municipality and town said as where one lives (葛飾区立石に
        // 住んでいます, 住所は松戸市小金原です), without the prefecture.
        static HOME: OnceLock<Regex> = OnceLock::new();
        let home = re(
            &HOME,
            r"[一-龥ァ-ヶー]{1,5}?(?:市|区|町|村)[一-龥ァ-ヶー]{1,6}",
        );
        for m in home.find_iter(&self.folded) {
            let span = self.span(Kind::Address, m);
            let lives = ["に住んで", "に住む", "に住み", "に住ま", "在住"]
                .iter()
                .any(|w| self.after(span.end, 5).starts_with(w));
            let said = ["住所は", "住まいは"]
                .iter()
                .any(|w| self.before(span.start, 4).ends_with(w))
                && self.after(span.end, 2).starts_with("です");
            let office = OFFICES.iter().any(|o| m.as_str().ends_with(o));
            if (lives || said) && !office {
                out.push(span);
            }
        }
    }

    fn byte_of(&self, char_idx: usize) -> usize {
        self.fchar.partition_point(|&c| c < char_idx)
    }

    /// Where the place name ending at `at` starts: leftwards over nouns
    /// (places, prefectures, municipalities, town names) up to a particle,
    /// verb or punctuation.
    fn place_before(&self, at: usize) -> usize {
        let mut start = at;
        for (i, (m, &(s, e))) in self.morphs.iter().zip(&self.mspan).enumerate().rev() {
            if e > start {
                continue;
            }
            if e < start {
                break;
            }
            // Recognizers put 、 between the parts of a spoken address
            // (大阪府大阪市、北区、梅田1丁目): go on over it when a
            // municipality is close on its left.
            if m.surface == "、" && start < at && i > 0 {
                let left = self.text(s.saturating_sub(12), s);
                if left.contains(['都', '道', '府', '県', '市', '区', '町', '村', '郡'])
                    && self.is_place_part(&self.morphs[i - 1])
                {
                    start = s;
                    continue;
                }
                break;
            }
            // Town names with が or a prefix in them (あゆみが丘, 松が丘,
            // おゆみ野): go on over が before a landform, and over a
            // prefix.
            let ga = m.surface == "が"
                && start < at
                && ["丘", "原", "谷", "崎", "浜", "関", "岡", "台", "森", "池"]
                    .iter()
                    .any(|w| self.text(e, e + 1) == *w);
            let prefix = m.pos[0] == "接頭詞"
                && start < at
                && i > 0
                && self.is_place_part(&self.morphs[i - 1]);
            if !(self.is_place_part(m) || ga || prefix) {
                break;
            }
            start = s;
        }
        start
    }

    /// Nouns, kanji numerals included (十三東, 二葉), not digits; unknown
    /// words; not the words that end a place (窓口, 役所 …).
    fn is_place_part(&self, m: &Morph) -> bool {
        let noun = m.pos[0] == "名詞"
            && m.pos[1] != "代名詞"
            && (m.pos[1] != "数" || !m.surface.chars().any(|c| c.is_ascii_digit()));
        (noun || m.is_unknown()) && !ADDRESS_STOP.contains(&m.surface.as_str())
    }

    fn names(&self, out: &mut Vec<Span>) {
        let n = self.morphs.len();
        let is_name_part = |m: &Morph| {
            m.is_person_name()
                || (unread_word(m)
                    && (2..=4).contains(&m.surface.chars().count())
                    && m.surface.chars().all(|c| c.is_alphabetic() || c == '・'))
        };
        // Dictionary-tagged names, with the unknown or proper-noun morphs
        // stuck to them (松友 + 美佐紀).
        let mut i = 0;
        while i < n {
            if !self.morphs[i].is_person_name() {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < n && is_name_part(&self.morphs[j]) {
                j += 1;
            }
            // A family name, maybe a space, then a given name the dictionary
            // does not tag (心愛 read as 心 + 愛), or tags only in part
            // (司馬 + 遼 + 太郎, 伊藤 + 穣 + 一): up to three kanji in all.
            let family = (i..j).rev().find(|&x| self.morphs[x].pos[3] == "姓");
            if let Some(f) = family {
                let mut k = j;
                if k < n && j == f + 1 && self.morphs[k].surface.trim().is_empty() {
                    k += 1;
                }
                let mut given: usize = self.morphs[f + 1..j]
                    .iter()
                    .map(|m| m.surface.chars().count())
                    .sum();
                let mut end = j;
                // After a family and a given name the dictionary tags, a
                // one-kanji place suffix ends the given name (清岡 + 卓 +
                // 行, 土屋 + 圭 + 市); a family name alone before one is a
                // place (葛飾区, 山田町).
                let given_tagged = j > f + 1 && self.morphs[j - 1].pos[3] == "名";
                let ends_given = |k: usize| {
                    k == j
                        && given_tagged
                        && self.morphs[k].surface.chars().count() == 1
                        && self.morphs[k].pos[1] == "接尾"
                        && !self.morphs.get(k + 1).is_some_and(place_word)
                };
                // Not a title (フォード大統領, 田中部長).
                while k < n
                    && given < 3
                    && is_kanji_word(&self.morphs[k])
                    && (!place_word(&self.morphs[k]) || ends_given(k))
                    && !self.person_title_at(self.mspan[k].0)
                    && !title_word(&self.morphs[k])
                {
                    given += self.morphs[k].surface.chars().count();
                    if given <= 3 {
                        end = k + 1;
                    }
                    k += 1;
                }
                j = end.max(j);
                // A given name in hiragana (藤原さくら, 速水けんたろう): a
                // word of two to five kana right after the family name.
                let kana_given = |m: &Morph| {
                    (m.is_noun() || m.is_unknown())
                        && (2..=5).contains(&m.surface.chars().count())
                        && m.surface.chars().all(is_hiragana)
                        && !HONORIFICS.contains(&m.surface.as_str())
                };
                if j == f + 1
                    && self.morphs[f].surface.chars().count() >= 2
                    && self.morphs.get(j).is_some_and(kana_given)
                {
                    j += 1;
                }
            }
            let mut s = i;
            while s > 0 && is_name_part(&self.morphs[s - 1]) {
                s -= 1;
            }
            // A two-kanji family name the dictionary reads as a kanji and a
            // one-kanji family name (矢 + 柴 俊博, 友 + 森 昭一), also as a
            // prefix (生 + 沢 徹).
            let widened = s == i
                && i > 0
                && self.morphs[i].pos[3] == "姓"
                && self.morphs[i].surface.chars().count() == 1
                && j > i + 1
                && self.morphs[i - 1].surface.chars().count() == 1
                && is_kanji_word(&self.morphs[i - 1])
                && (self.morphs[i - 1].is_noun() || self.morphs[i - 1].pos[0] == "接頭詞")
                && self.mspan[i - 1].1 == self.mspan[i].0
                && !self.char_before(self.mspan[i - 1].0).is_some_and(is_kanji);
            if widened {
                s = i - 1;
            }
            // A given name the dictionary knows after a family name it does
            // not (小宮山 + 昌友, 大道寺 + あや子): up to three kanji to the
            // left. Not a given name in kana alone after a word (科学者 +
            // アラン・ケイ, 世帯主 + くぼた).
            let given_in_kanji = self.morphs[i].surface.chars().any(is_kanji)
                && self.morphs[i]
                    .surface
                    .chars()
                    .all(|c| is_kanji(c) || is_hiragana(c));
            if self.morphs[i].pos[3] == "名" && s == i && given_in_kanji {
                let mut k = i;
                let mut family = 0;
                while k > 0
                    && is_kanji_word(&self.morphs[k - 1])
                    && !place_word(&self.morphs[k - 1])
                    && self.mspan[k - 1].1 == self.mspan[k].0
                {
                    family += self.morphs[k - 1].surface.chars().count();
                    if family > 3 {
                        break;
                    }
                    k -= 1;
                }
                s = k;
            }
            let run = &self.morphs[s..j];
            // A one-character name (森, 林) needs a context; 田中 alone
            // is a name.
            let (start, end) = (self.mspan[s].0, self.mspan[j - 1].1);
            // マイナ in マイナンバー, スマート in スマートフォン: part of a
            // longer katakana word, not a name.
            let inside_word = run.iter().all(|m| m.surface.chars().all(is_katakana))
                && (self.char_before(start).is_some_and(is_katakana)
                    || self.char_at(end).is_some_and(is_katakana));
            // 葛飾区, 山田町: a place named like a person. Not a family
            // name the dictionary takes for one here before 市長 (河村市長;
            // 松本市長 is read as a place). Wards, towns and villages are
            // named like families too often (葛飾区長, 山田町長).
            let heads_office = self.morphs.get(j).is_some_and(|m| m.surface == "市長")
                && run.last().is_some_and(|m| m.pos[3] == "姓");
            let place_follows = self.morphs.get(j).is_some_and(place_word) && !heads_office;
            // A one-kanji family name and a two-kanji given name, alone or
            // before a title (李承燁と, 李肇星外相): Chinese and Korean names.
            let three = end - start == 3
                && self.morphs[s].pos[3] == "姓"
                && self.morphs[s].surface.chars().count() == 1
                && (start..end).all(|c| is_kanji(self.chars[c]))
                && !self.char_before(start).is_some_and(is_kanji)
                && (!self.char_at(end).is_some_and(is_kanji) || self.person_title_at(end));
            // Such a widened family name and a one-kanji given name the
            // dictionary tags, alone: 生沢徹、.
            let widened_name = widened
                && (j == i + 2 || j == i + 3 && end - start <= 4)
                && self.morphs[i + 1].pos[3] == "名"
                && !self.char_at(end).is_some_and(is_kanji);
            // A one-kanji family name and given name the dictionary tags,
            // and more of the given name after them (林 + 頼 + 三郎).
            let short_tagged = run.len() >= 3
                && run[0].pos[3] == "姓"
                && run[1].pos[3] == "名"
                && run[2..]
                    .iter()
                    .all(|m| m.pos[0] == "名詞" && m.pos[1] != "数")
                && end - start >= 4;
            let tagged = three
                || widened_name
                || short_tagged
                || run
                    .iter()
                    .any(|m| m.is_person_name() && m.surface.chars().count() >= 2);
            let proper = !place_follows && !inside_word && (tagged || self.honorific_after(end));
            let surface = surface_of(run);
            // ローソン is also a family name in the dictionary.
            let common =
                NOT_NAMES.contains(&surface.as_str()) || LOANWORDS.contains(&surface.as_str());
            if proper && !common {
                out.push(Span {
                    kind: Kind::Name,
                    start: self.mspan[s].0,
                    end: self.mspan[j - 1].1,
                });
            }
            i = j;
        }
        // Foreign names: katakana words joined by ・ (ジョン・スミス).
        static FOREIGN: OnceLock<Regex> = OnceLock::new();
        // ジョン・スミス, ジョン・F・ケネディ, H・R・ギーガー, ル=グウィン,
        // デ・ガスペリ, ダウニー・Jr, J.L.ボニエ, Mr.ビーン, ルイ15世,
        // アナスタシオス1世, フリードリヒ・ヴィルヘルム4世.
        let foreign = re(
            &FOREIGN,
            "(?:[A-Z]\\.?・){0,2}(?:[ァ-ヺー]{2,}|[デドダル])(?:(?:・・?|[=＝])(?:[ァ-ヺー]{1,}|Jr\\.?|[A-Z]\\.?)){1,5}(?:[0-9一二三四五六七八九十]{1,2}世)?|(?:[A-Z]\\.?・){1,2}[ァ-ヺー]{2,}|(?:[A-Z]\\.){1,2}[ァ-ヺー]{2,}|(?:Mr|Mrs|Ms|Dr)\\.[ァ-ヺー]{2,}|[ァ-ヺー]{2,}[0-9一二三四五六七八九十]{1,2}世",
        );
        for m in foreign.find_iter(&self.folded) {
            // Companies and things also come dotted; names rarely end so.
            // Initials inside a longer run of them are an acronym (V.S.O.P.).
            let in_acronym = m.as_str().starts_with(|c: char| c.is_ascii_uppercase())
                && self.folded[..m.start()]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '.');
            if in_acronym || NOT_FOREIGN_NAMES.iter().any(|w| m.as_str().ends_with(w)) {
                continue;
            }
            out.push(self.span(Kind::Name, m));
        }
        // A katakana word the dictionary does not know, standing alone
        // before a case or topic particle (ラウリーは…, ダウドが…, ダウドの
        // 在留カード): a foreign name. Not inside a longer katakana run;
        // counter loanwords the dictionary lacks (LOANWORDS) stay.
        for k in 0..n.saturating_sub(1) {
            let m = &self.morphs[k];
            let len = m.surface.chars().count();
            let (start, end) = self.mspan[k];
            // グエンです at the start of what is said: a resident giving
            // their name, though the dictionary knows it as a proper noun.
            let introduced = self.kata_person(k)
                && self
                    .char_before(start)
                    .is_none_or(|c| "、。 「".contains(c))
                && self.morphs[k + 1].surface == "です";
            // イです, レです: one-letter family names (이, Lê), only so.
            let one_letter = introduced && ONE_LETTER_SURNAMES.contains(&m.surface.as_str());
            // A name the dictionary lists, read here as a proper noun that is
            // no place or company (グラントは); ビル and ショー, common nouns
            // here, stay.
            let listed_proper = self.listed[k]
                && m.pos[1] == "固有名詞"
                && !matches!(m.pos[2].as_str(), "地域" | "組織");
            if !(unread_word(m) || introduced || listed_proper)
                || !((2..=7).contains(&len) || one_letter)
                || !m.surface.chars().all(is_katakana)
            {
                continue;
            }
            // Not the tail of a longer katakana or Latin word.
            if self
                .char_before(start)
                .is_some_and(|c| is_katakana(c) || c.is_ascii_alphanumeric())
            {
                continue;
            }
            let next = &self.morphs[k + 1];
            // Any particle (ラウリーは, オスターマイアーについて, ゼルテンなど),
            // a copula (ファムです, サンディだった), or ら, 自身 after it.
            let follows = next.pos[0] == "助詞"
                || matches!(
                    next.surface.as_str(),
                    "、" | "です" | "だ" | "でし" | "ら" | "自身"
                );
            if follows && !LOANWORDS.contains(&m.surface.as_str()) {
                out.push(Span {
                    kind: Kind::Name,
                    start,
                    end,
                });
            }
        }
        // Katakana the dictionary does not know as one word, standing alone
        // (its pieces whole, none a place, no Latin letter before it, no
        // loanword or counter word), is a name:
        // - read as two words or more ending as foreign family names do
        //   (テル + フォード, ボウ + スキー, ランズ + ベリー), before a
        //   particle or a copula; compounds of everyday words (スマート +
        //   フォン, ポイント + カード) end otherwise;
        // - listed as a name as a whole (ハン + フリーズ, ジダーノフ), before
        //   a particle, a copula or a title only people carry (ハリマン大統領;
        //   before other nouns it is mostly what was named after someone:
        //   ボールドウィン社, ガウス軌道);
        // - read as two words or more (ハリ + マン) or as one unknown word too
        //   long for the rule above (ストラヴィンスキー), before a particle or
        //   a copula, looking like the katakana names the dictionary knows
        //   ([`KatakanaNames`]) and no compound of an everyday word of three
        //   letters or more (ディズニー + キャラ).
        let model = katakana_names(self.analyzer);
        for (start, end) in self.char_runs(is_katakana) {
            let Some(inside) = self.katakana_run_alone(start, end) else {
                continue;
            };
            let (first, last) = (inside[0], inside[inside.len() - 1]);
            let word = self.text(start, end);
            let next = self.morphs.get(last + 1);
            let before_particle = next.is_some_and(|m| {
                m.pos[0] == "助詞"
                    || matches!(m.surface.as_str(), "、" | "。" | "です" | "だ" | "ら")
            });
            let surname_end = inside.len() >= 2
                && (4..=12).contains(&(end - start))
                && FOREIGN_SURNAME_ENDS.iter().any(|e| word.ends_with(e))
                && before_particle;
            // The dictionary guessed a company for what it does not know
            // (フレッシュネスバーガー, ロッテマリーンズ).
            let unknown = inside.len() == 1
                && unread_word(&self.morphs[first])
                && self.morphs[first].pos[2] != "組織";
            let unknown_long = unknown && end - start >= 8;
            let listed = (inside.len() >= 2 || unknown)
                && (self.analyzer.is_listed_person(&word) || is_family_name(self.analyzer, &word));
            let compound = inside.len() >= 2
                && inside.iter().any(|&x| {
                    let m = &self.morphs[x];
                    m.surface.chars().count() >= 3 && !self.listed[x] && everyday_word(m)
                });
            let follows = before_particle
                || next.is_some_and(|m| matches!(m.surface.as_str(), "でし" | "だっ"));
            let titled = next.is_some() && self.person_title_at(end);
            let looks = || {
                !compound
                    && (inside.len() >= 2 || unknown_long)
                    && follows
                    && model.looks_like_a_name(&word)
            };
            let listed_or_looks = (listed && (follows || titled) || looks())
                && (3..=12).contains(&(end - start))
                && !KATAKANA_PLACE_ENDS.iter().any(|e| word.ends_with(e))
                && !NOT_NAMES.contains(&word.as_str());
            if surname_end || listed_or_looks {
                out.push(Span {
                    kind: Kind::Name,
                    start,
                    end,
                });
            }
        }
        // A run of kanji that is a family name and a given name the
        // dictionaries list, each of two or three kanji, however the text
        // was read (山田 + 義三 + 郎等, 片山 + 東 + 熊), alone or after a job
        // (建築家片山東熊), before a particle, a mark or a title. Not when the
        // given name read alone is an everyday word (早稲田 + 大学, and so
        // also 丹羽 + 正道).
        for (run_start, run_end) in self.char_runs(is_kanji) {
            let mut end = run_end;
            if self.text(run_start, end).ends_with('等') {
                end -= 1;
            }
            if end < run_start + 4 || !(self.word_ends(end) || self.person_title_at(end)) {
                continue;
            }
            // Where the name may begin: the run's start, or after a job.
            let starts = (run_start..=end - 4).filter(|&at| {
                at == run_start
                    || self.mspan.iter().any(|&(_, e)| e == at)
                        && OCCUPATION_SUFFIXES
                            .iter()
                            .any(|j| self.text(run_start, at).ends_with(j))
            });
            for start in starts {
                let whole = end - start;
                let split = (2..=3)
                    .filter(|f| (f + 2..=f + 3).contains(&whole))
                    .find(|&f| {
                        let family = self.text(start, start + f);
                        let given = self.text(start + f, end);
                        // A given name read alone as an everyday word is one
                        // (早稲田 + 大学); read only when the lists agree.
                        let everyday = || match self.analyzer.morphs(&given).as_slice() {
                            [m] => everyday_word(m),
                            _ => false,
                        };
                        is_family_name(self.analyzer, &family)
                            && self.analyzer.is_given_name(&given)
                            && !NOT_NAMES.contains(&given.as_str())
                            && !everyday()
                    });
                if split.is_some() && (4..=6).contains(&whole) {
                    out.push(Span {
                        kind: Kind::Name,
                        start,
                        end,
                    });
                    break;
                }
            }
        }
        // A family name the dictionary tagged as a place or a company here
        // (石川, 中野, 松田), then a given name it could only split into
        // single kanji (数 + 雄, 喜 + 頓, 啓 + 二) or tags as one: a name.
        // 福島原発 and 中野区 stay: a known word or a place follows. Alone
        // before a case particle, such a family name tagged as a company or
        // other proper noun (永山は) is a name too; as a place (千葉は) not.
        // Any other proper noun of two or three kanji (湯口, 赤崎: surnames
        // the dictionary knows only as places) takes just the one-kanji
        // given name below.
        for k in 0..n {
            let m = &self.morphs[k];
            let proper = m.pos[1] == "固有名詞"
                && m.pos[3] != "国"
                && m.pos[2] != "組織"
                && (2..=3).contains(&m.surface.chars().count());
            if !(self.family[k] || proper)
                || m.pos[3] == "姓"
                || m.surface.chars().count() < 2
                || !is_kanji_word(m)
                || self.char_before(self.mspan[k].0).is_some_and(is_kanji)
            {
                continue;
            }
            let mut j = k + 1;
            let mut given = 0;
            while j < n && given < 3 && self.mspan[j].0 == self.mspan[j - 1].1 {
                let g = &self.morphs[j];
                let single = g.surface.chars().count() == 1;
                let tagged = g.is_person_name() && g.pos[3] == "名";
                // 千葉 + 大 + 翔: the first kanji may read as a prefix.
                let noun = g.pos[0] == "名詞" || j == k + 1 && g.pos[0] == "接頭詞";
                if !(is_kanji_word(g) && noun && (single || tagged)) {
                    break;
                }
                given += g.surface.chars().count();
                j += 1;
            }
            // Or a given name the dictionary lists, read as a common word
            // here (福島 + 正則).
            if given == 0 {
                if let Some(e) = self.given.get(k + 1).copied().flatten() {
                    let run = &self.morphs[k + 1..e];
                    if self.mspan[k + 1].0 == self.mspan[k].1
                        && run.iter().all(|g| is_kanji_word(g) && g.pos[0] == "名詞")
                    {
                        given = run.iter().map(|g| g.surface.chars().count()).sum();
                        j = e;
                    }
                }
            }
            // One kanji the dictionary lists as a given name (湯口徹は,
            // 赤崎勇、, 源田実少佐), then a particle, a pause or a title:
            // 松本行き and 田中東 are no names.
            if given <= 1 && k + 1 < n {
                let g = &self.morphs[k + 1];
                let (gs, ge) = self.mspan[k + 1];
                let after = self.char_at(ge);
                if ge - gs == 1
                    && gs == self.mspan[k].1
                    && is_kanji(self.chars[gs])
                    && self.given[k + 1] == Some(k + 2)
                    && !NOT_ONE_KANJI_GIVEN.contains(&g.surface.as_str())
                    && !place_word(g)
                    && g.pos[1] != "数"
                    && (after.is_some_and(|c| "はがのとをにもや、。」・".contains(c))
                        || self.person_title_at(ge))
                {
                    out.push(Span {
                        kind: Kind::Name,
                        start: self.mspan[k].0,
                        end: ge,
                    });
                    continue;
                }
            }
            if !self.family[k] {
                continue;
            }
            if given == 0 {
                let (start, end) = self.mspan[k];
                let particle = self.morphs.get(k + 1).is_some_and(|p| {
                    matches!(
                        p.surface.as_str(),
                        "は" | "が" | "の" | "と" | "に" | "を" | "も"
                    )
                });
                if m.pos[1] == "固有名詞"
                    && !m.is_place()
                    && end - start <= 3
                    && particle
                    && !self.char_at(end).is_some_and(is_kanji)
                {
                    out.push(Span {
                        kind: Kind::Name,
                        start,
                        end,
                    });
                }
                continue;
            }
            if !(2..=3).contains(&given) {
                continue;
            }
            let end = self.mspan[j - 1].1;
            let parts = &self.morphs[k + 1..j];
            // 中野三丁目, 福島駅, 石川県内, 山田二通: a number and a counter,
            // a place or a common suffix after the family name makes it no
            // given name (岡本 + 三 + 司 is one).
            let counted = parts[0].pos[1] == "数"
                && parts
                    .iter()
                    .all(|p| p.pos[1] == "数" || p.pos[2] == "助数詞");
            let common = counted
                || parts.iter().any(place_word)
                || COMMON_SUFFIXES.contains(&parts[parts.len() - 1].surface.as_str())
                || self.morphs.get(j).is_some_and(place_word);
            if !common && !self.char_at(end).is_some_and(is_kanji) {
                out.push(Span {
                    kind: Kind::Name,
                    start: self.mspan[k].0,
                    end,
                });
            }
        }
        // A family name before a word for its people (野溝らは, 小野田家の,
        // 田中夫妻): a name, however the dictionary tagged it.
        for k in 0..n.saturating_sub(1) {
            let m = &self.morphs[k];
            let (start, end) = self.mspan[k];
            if !(self.family[k] || m.pos[3] == "姓")
                || end - start < 2
                || !is_kanji_word(m)
                || self.char_before(start).is_some_and(is_kanji)
                || self.mspan[k + 1].0 != end
            {
                continue;
            }
            if PEOPLE_WORDS.contains(&self.morphs[k + 1].surface.as_str()) {
                out.push(Span {
                    kind: Kind::Name,
                    start,
                    end,
                });
            }
        }
        // A katakana run before a title (フォード大統領, エッケナー博士,
        // ヒディンク監督): a name. After a title that also follows common
        // words (サッカー選手, ツアー会長) only a run the dictionary lacks
        // counts; countries and places (アメリカ大統領) never do.
        for (start, end) in self.char_runs(is_katakana) {
            let before = self.char_before(start);
            // Not the end of a dotted name (ジョン・|スミス); after a word
            // and ・ it stands alone (父親・|ジェレディ博士).
            let dotted = before == Some('・')
                && start >= 2
                && (is_katakana(self.chars[start - 2])
                    || self.chars[start - 2].is_ascii_alphabetic());
            if !(2..=15).contains(&(end - start))
                || before.is_some_and(|c| c.is_ascii_alphanumeric())
                || dotted
                || self.chars[start] == 'ー'
            {
                continue;
            }
            let strong = self.person_title_at(end);
            let weak = !strong
                && WEAK_TITLES
                    .iter()
                    .any(|t| self.after(end, 5).starts_with(t));
            if !strong && !weak {
                continue;
            }
            let morphs: Vec<&Morph> = (0..n)
                .filter(|&x| self.mspan[x].0 < end && self.mspan[x].1 > start)
                .map(|x| &self.morphs[x])
                .collect();
            let place = morphs.iter().any(|m| m.is_place());
            let unread = morphs.iter().any(|m| unread_word(m));
            let word = self.text(start, end);
            if !place && (strong || unread) && !LOANWORDS.contains(&word.as_str()) {
                out.push(Span {
                    kind: Kind::Name,
                    start,
                    end,
                });
            }
        }
        // A run of two to four kanji standing alone that the dictionary
        // cannot read (袁世凱 as 袁世 + 凱, 草彅), or reads only as one-kanji
        // name parts, a family name first (陳誠, 崔健): a name. Ordinary
        // words the dictionary knows; a suffix such as 等 or 者 at the end
        // makes the run a common noun.
        let mut k = 0;
        while k < n {
            if !is_kanji_word(&self.morphs[k]) {
                k += 1;
                continue;
            }
            // Up to a title (徳仁 + 親王): the title is no part of it.
            let mut j = k + 1;
            while j < n
                && is_kanji_word(&self.morphs[j])
                && self.mspan[j].0 == self.mspan[j - 1].1
                && !self.person_title_at(self.mspan[j].0)
            {
                j += 1;
            }
            let run = &self.morphs[k..j];
            let (start, end) = (self.mspan[k].0, self.mspan[j - 1].1);
            let alone = !self.char_before(start).is_some_and(is_kanji)
                && (!self.char_at(end).is_some_and(is_kanji) || self.person_title_at(end));
            let unread = run.iter().any(unread_word);
            let name_parts = run.len() >= 2
                && run[0].pos[3] == "姓"
                && run
                    .iter()
                    .all(|m| m.is_person_name() && m.surface.chars().count() == 1);
            let nouns = run.iter().all(|m| {
                m.pos[0] == "名詞" && !matches!(m.pos[1].as_str(), "数" | "副詞可能" | "代名詞")
                    || m.is_unknown()
            });
            let last = run[run.len() - 1].surface.as_str();
            let common_end = run.len() > 1 && COMMON_SUFFIXES.contains(&last);
            let place_follows = self.morphs.get(j).is_some_and(place_word);
            // Kanji the dictionary only reads one by one (信 + 盛, 川 + 浦,
            // 伊 + 勢 + 野), shaped as family or given names begin and end,
            // before a particle or a mark: a name it does not list.
            let shaped = run.len() >= 2
                && (2..=3).contains(&(end - start))
                && run
                    .iter()
                    .all(|m| m.surface.chars().count() == 1 && m.is_noun())
                && !COMMON_SUFFIXES.contains(&last)
                && !matches!(last, "間" | "名" | "長")
                && !self
                    .char_before(start)
                    .is_some_and(|c| c.is_ascii_digit() || c == '第')
                && (self.morphs.get(j).is_some_and(|m| {
                    matches!(m.pos[0].as_str(), "助詞" | "記号")
                        || PEOPLE_WORDS.contains(&m.surface.as_str())
                }) || self.person_title_at(end))
                && name_shapes(self.analyzer).shaped(&self.text(start, end));
            if (2..=4).contains(&(end - start))
                && alone
                && (unread || name_parts || shaped)
                && !NEWER_WORDS.contains(&self.text(start, end).as_str())
                && nouns
                && !common_end
                && !place_follows
            {
                out.push(Span {
                    kind: Kind::Name,
                    start,
                    end,
                });
            }
            k = j;
        }
        // Kin and roles followed by a name: 妻の花子, 作者の伏見は, 妻・オリエ
        // と, and for kin also with nothing between: 長女さつきは, 四女豊と.
        // The run must look like a name: kanji or katakana with a person-
        // name tag, an unknown word, a family or given name the dictionary
        // knows (伏見 read as a place, 一郎 as 一 + 郎), ending before a
        // particle or a punctuation mark.
        for k in 0..n.saturating_sub(1) {
            let word = self.morphs[k].surface.as_str();
            // 四女, 三男: an ordinal and 女 or 男 as a counter.
            let ordinal = matches!(word, "女" | "男")
                && self.morphs[k].pos[2] == "助数詞"
                && k > 0
                && self.morphs[k - 1].pos[1] == "数";
            let kin = ordinal || KIN.contains(&word);
            if !kin && !KIN_ROLES.contains(&word) {
                continue;
            }
            let next = &self.morphs[k + 1];
            let adjacent = self.mspan[k].1 == self.mspan[k + 1].0;
            // ・チェイス comes as one morph: the name starts after the dot.
            let (mut j, start) = match next.surface.as_str() {
                "の" | "・" if k + 2 < n => (k + 2, self.mspan[k + 2].0),
                s if s.starts_with('・') && s.chars().count() > 1 => {
                    (k + 1, self.mspan[k + 1].0 + 1)
                }
                _ if kin && adjacent => (k + 1, self.mspan[k + 1].0),
                _ => continue,
            };
            let first = j;
            let mut named = false;
            while j < n && j < first + 4 {
                let m = &self.morphs[j];
                // 一郎 read as 一 + 郎: a given name that starts with a numeral.
                if let Some(g) = self.given[j].filter(|_| j == first && self.given_alone[j]) {
                    // 長男 is also a given name: kin after kin is no name.
                    let kin_word = g == j + 1 && KIN.contains(&m.surface.as_str());
                    // 娘のために: ため is a given name too, but here a
                    // dependent noun.
                    let word_like = |m: &Morph| {
                        matches!(m.pos[0].as_str(), "名詞" | "接頭詞")
                            && !matches!(m.pos[1].as_str(), "接尾" | "非自立" | "代名詞")
                    };
                    // 結 + 愛: the dictionary reads the end of a name as a suffix.
                    let rest_nouns = self.morphs[j + 1..g].iter().all(|m| {
                        m.is_noun()
                            && !matches!(m.pos[1].as_str(), "非自立" | "代名詞")
                            && m.pos[2] != "助数詞"
                    });
                    if !kin_word && word_like(m) && rest_nouns {
                        named = true;
                        j = g;
                        continue;
                    }
                }
                // 健 + 診る: a verb after a name's first kanji makes a word,
                // unless more of the name follows (金 + 載 + 昊).
                let name_goes_on = self
                    .morphs
                    .get(j + 1)
                    .is_some_and(|x| is_kanji_word(x) && x.is_noun());
                if j > first && m.pos[0] == "動詞" && !name_goes_on {
                    break;
                }
                // 子・孫: a list of kin, not a name (孫 is also a family name).
                let kin_word = KIN.contains(&m.surface.as_str());
                // ASCII marks come tagged as nouns: 孫) is no name.
                let letters = m.surface.chars().all(|c| c.is_alphabetic() || c == '・');
                // 妻のソフィアです: a given name in katakana the dictionary
                // knows only as a city (not a country), alone before a
                // particle other than の.
                let city_name = j == first
                    && m.surface.chars().all(is_katakana)
                    && m.is_place()
                    && m.pos[3] != "国"
                    && self.morphs.get(j + 1).is_some_and(|x| {
                        matches!(
                            x.surface.as_str(),
                            "です" | "が" | "は" | "と" | "も" | "に" | "から"
                        )
                    });
                if city_name {
                    named = true;
                    j += 1;
                    break;
                }
                if !self.nameish(m) || place_word(m) || kin_word || !letters {
                    break;
                }
                // A short word the dictionary has no reading for (ケンタ,
                // 煌子) is a name here; a long one (マイナンバーカード) is not.
                let unread = m.reading.is_none() && m.surface.chars().count() <= 4;
                // 妻のマリアです, 夫のワンが.
                let kata_name = self.kata_person(j);
                // 葬儀 + 社: a suffix that is also a family name names no one.
                named |= m.pos[1] != "接尾"
                    && (m.is_person_name()
                        || m.is_unknown()
                        || unread
                        || self.family[j]
                        || kata_name);
                j += 1;
            }
            // 妻の山田です, 母の波々伯部でございます: です ends it too.
            let next_is_particle = self.morphs.get(j).is_none_or(|m| {
                m.pos[0] == "助詞"
                    || m.pos[0] == "記号"
                    || m.pos[0] == "助動詞" && m.surface.starts_with('で')
            });
            let run = surface_of(&self.morphs[first..j]);
            // 夫のマイナンバー, 子どものパスポート: one's own things; 開 +
            // 庁 + 日: a word of two common suffixes after its first part.
            let suffixes = self.morphs[first..j]
                .iter()
                .filter(|m| m.pos[1] == "接尾" && COMMON_SUFFIXES.contains(&m.surface.as_str()))
                .count();
            let counter_word = self.morphs[first..j].iter().any(|m| {
                LOANWORDS.contains(&m.surface.as_str())
                    || COUNTER_KATAKANA.contains(&m.surface.as_str())
            });
            let role = suffixes >= 2
                || counter_word
                || [
                    NOT_NAMES,
                    LOANWORDS,
                    COUNTER_KATAKANA,
                    OWN_THINGS,
                    PERSONAL_PAPERS,
                ]
                .iter()
                .any(|l| l.contains(&run.as_str()));
            if j > first && named && next_is_particle && !role {
                out.push(Span {
                    kind: Kind::Name,
                    start,
                    end: self.mspan[j - 1].1,
                });
            }
        }
        // Names in context, whatever the dictionary says of them.
        for k in 0..n {
            let (s, e) = self.mspan[k];
            let m = &self.morphs[k];
            // X さん / 様 / と申します / の代理: the noun run ending at k.
            let before_marker = k + 1 < n && {
                let next = &self.morphs[k + 1];
                let rest = self.after(e, 6);
                HONORIFICS.contains(&next.surface.as_str())
                    || rest.starts_with("と申し")
                    || rest.starts_with("といいます")
                    || rest.starts_with("と言います")
                    || rest.starts_with("の代理")
                    || rest.starts_with("の代わり")
                    || rest.starts_with("です")
                        && self.before(self.name_run_start(k), 6).contains("名前は")
            };
            if before_marker && self.nameish(m) {
                let start = self.name_run_start(k);
                let run = self.text(start, e);
                // 担当さん, 保険課の担当者さん: a role ([`role_word`]).
                // A run in hiragana is for `hiragana_names` to judge: ろう
                // of ごくろうさま, せわ of おせわさま are no names.
                let hiragana = run.chars().all(is_hiragana);
                // 祖母の代理です: kin acting for kin (孫さん is a name).
                let kin = (KIN.contains(&run.as_str()) || NOT_KIN_NAMES.contains(&run.as_str()))
                    && !HONORIFICS.contains(&self.morphs[k + 1].surface.as_str());
                // 名前は大丈夫です: a state, not a name (希 is one).
                let state = run.chars().count() >= 2
                    && (self.name_run_first(k)..=k).all(|x| {
                        matches!(
                            self.morphs[x].pos[1].as_str(),
                            "形容動詞語幹" | "副詞可能" | "サ変接続"
                        )
                    });
                // ご苦労様, お世話様, お互い様: a greeting.
                let polite = self
                    .char_before(start)
                    .is_some_and(|c| c == 'お' || c == 'ご')
                    || run.starts_with(['お', 'ご'])
                    || self.greeting_before(e);
                if !role_word(&run)
                    && !hiragana
                    && !kin
                    && !state
                    && !polite
                    && !role_said_with_san(&run)
                {
                    out.push(Span {
                        kind: Kind::Name,
                        start,
                        end: e,
                    });
                }
            }
            // 名前は X / 担当の X / 氏名は X: the noun run starting after.
            let lead = self.before(s, 4);
            if (lead.ends_with("名前は")
                || lead.ends_with("氏名は")
                || lead.ends_with("担当の")
                || lead.ends_with("名前が"))
                && self.nameish(m)
                // 名前は大丈夫ですか: a state, not a name (希 is one).
                && !(matches!(m.pos[1].as_str(), "形容動詞語幹" | "副詞可能" | "サ変接続")
                    && m.surface.chars().count() >= 2)
            {
                let mut j = k;
                // Up to a title after the name (担当の河村|係長).
                while j + 1 < n
                    && self.nameish(&self.morphs[j + 1])
                    && !title_word(&self.morphs[j + 1])
                {
                    j += 1;
                }
                let run = self.text(s, self.mspan[j].1);
                if !NOT_NAMES.contains(&run.as_str()) {
                    out.push(Span {
                        kind: Kind::Name,
                        start: s,
                        end: self.mspan[j].1,
                    });
                }
            }
        }
    }

    /// Who holds a role on a form, as the clerk confirms it: 世帯主は千葉です,
    /// 筆頭者は宮崎です, 届出人は上野になります. The run after the role is a
    /// name when something in it could be one (a family name, a proper noun,
    /// a word the dictionary lacks, katakana); 世帯主は本人です, 筆頭者は父です
    /// and 名義は会社です stay.
    fn role_holders(&self, out: &mut Vec<Span>) {
        let n = self.morphs.len();
        for k in 0..n {
            let (s, _) = self.mspan[k];
            let lead = self.before(s, 6);
            let role_lead = ROLE_LEADS.iter().any(|r| lead.ends_with(r))
                || lead
                    .strip_suffix(['は', 'が', 'の'])
                    .is_some_and(|l| ROLE_NOUNS.iter().any(|r| l.ends_with(r)));
            // 夫はトウです: who one's kin is, said with です; also
            // 長男は悠真、次男は蓮です and 上の子が陽菜で、….
            let kin_lead = !role_lead
                && lead.strip_suffix(['は', 'が']).is_some_and(|l| {
                    KIN.iter().any(|kin| l.ends_with(kin))
                        || ["上の子", "下の子", "真ん中の子", "末の子"]
                            .iter()
                            .any(|c| l.ends_with(c))
                });
            if !(role_lead || kin_lead) || !self.nameish(&self.morphs[k]) {
                continue;
            }
            let mut j = k;
            while j + 1 < n && j < k + 3 && self.nameish(&self.morphs[j + 1]) {
                j += 1;
            }
            let run = &self.morphs[k..=j];
            // 夫はパートです: after kin, an everyday katakana word is what
            // they do, not who they are.
            let everyday = |x: usize| {
                let m = &self.morphs[x];
                m.surface.chars().all(is_katakana) && everyday_word(m) && !self.listed[x]
            };
            // After kin, the run must start like a name: a family or given
            // name the dictionary knows, or katakana it lists as a name
            // (母は入院中です, 妻はフリーランスです stay).
            let kin_name = || {
                let m = &self.morphs[k];
                if m.surface.chars().all(is_katakana) {
                    self.kata_person(k) && !everyday(k)
                } else {
                    self.family[k]
                        || m.is_person_name()
                        || self.given[k].is_some() && self.given_alone[k]
                }
            };
            let could_be = if kin_lead {
                kin_name()
            } else {
                (k..=j).any(|x| self.could_be_name(x))
            };
            let end = self.mspan[j].1;
            let closes = self.morphs.get(j + 1).is_none_or(|m| {
                if kin_lead {
                    // …です, or a pause before the next one: 悠真、 or 陽菜で、.
                    return m.surface == "です"
                        || m.surface == "、"
                        || m.surface == "で"
                            && self.morphs.get(j + 2).is_some_and(|x| x.surface == "、");
                }
                matches!(
                    m.surface.as_str(),
                    "です" | "でし" | "だ" | "に" | "で" | "と" | "、" | "。" | "さん" | "様"
                )
            });
            let word = surface_of(run);
            if could_be
                && closes
                && !NOT_NAMES.contains(&word.as_str())
                && !KIN.contains(&word.as_str())
                // 息子は一人です: alone, not a name.
                && (!kin_lead || !NOT_KIN_NAMES.contains(&word.as_str()))
                && !LOANWORDS.contains(&word.as_str())
                && !place_word(&self.morphs[j])
            {
                out.push(Span {
                    kind: Kind::Name,
                    start: s,
                    end,
                });
            }
        }
    }

    /// Katakana the dictionary reads as two words or more (バス + ネット,
    /// スギ + アルト: residents' family names), where only a person fits:
    /// the subject of being born, dying, marrying or what only a person
    /// does (バスネットが来月帰国します), before の and a paper only a
    /// person has (バスネットの在留カード), called so (スギアルトと呼ばれ
    /// ました), whose name an account is in (バスネット名義), who asked
    /// (バスネットに代わって来ました), and kin by name (夫のスギアルトが).
    /// Not where a thing or a service fits as well (…から電話, …で予約):
    /// compounds of everyday words come there too (ケアマネージャー).
    fn split_katakana_in_a_persons_place(&self, out: &mut Vec<Span>) {
        let n = self.morphs.len();
        for (start, end) in self.char_runs(is_katakana) {
            let Some(inside) = self.katakana_run_alone(start, end) else {
                continue;
            };
            let last = inside[inside.len() - 1];
            let word = self.text(start, end);
            if inside.len() < 2
                || !(3..=12).contains(&(end - start))
                || NOT_NAMES.contains(&word.as_str())
                // A role (ケア + マネージャー, ソーシャル + ワーカー).
                || KATAKANA_ROLES.iter().any(|r| word.ends_with(r))
                || last + 1 >= n
            {
                continue;
            }
            let next = self.morphs[last + 1].surface.as_str();
            let rest = self.after(end, 8);
            let clause = &["。", "、", "？", "?"];
            let person = match next {
                "が" | "は" => self.event_follows(
                    last + 2,
                    8,
                    clause,
                    &[DEATHS, BIRTHS, MARRIAGE, PERSON_ACTS, PERSON_EVENTS],
                ),
                // …or kin of theirs (バスネットの妻です).
                "の" => {
                    let of = rest.strip_prefix('の').unwrap_or_default();
                    PERSONAL_PAPERS.iter().chain(KIN).any(|p| of.starts_with(p))
                }
                // Called so at the counter, or giving one's name; things are
                // called something too (ノイズトレーダーと呼ばれる投資家).
                "と" => {
                    ["と呼ばれました", "と申します", "といいます"]
                        .iter()
                        .any(|c| rest.starts_with(c))
                        || self.event_follows(last + 2, 3, clause, &[MARRIAGE])
                }
                // Asked by a person; a firm is asked for work (デザイン
                // センターに依頼).
                "に" | "から" => self.event_follows(
                    last + 2,
                    3,
                    clause,
                    &[&["頼む", "頼まれる", "代わる", "委任"]],
                ),
                "です" => self.after_kin(start),
                _ => rest.starts_with("名義"),
            } || self.after_kin(start) && matches!(next, "が" | "は" | "です");
            if person {
                out.push(Span {
                    kind: Kind::Name,
                    start,
                    end,
                });
            }
        }
    }

    /// A katakana word the dictionaries list as a name (ヤング, ショー,
    /// ファー) before what is said only of people: its members or fellows
    /// (ファーたち, パーク両人), its works (ヤングの作品, プラントのソロ), its
    /// age (ビルが32歳で). Such words are everyday words too, so only
    /// these say a person is meant.
    fn katakana_names_of_people(&self, out: &mut Vec<Span>) {
        static AGE: OnceLock<Regex> = OnceLock::new();
        let age = re(&AGE, r"^[がは]、?[0-9０-９一二三四五六七八九十]+歳");
        for k in 0..self.morphs.len() {
            let (start, end) = self.mspan[k];
            let m = &self.morphs[k];
            if !(2..=10).contains(&(end - start))
                || !self.kata_person(k)
                || self
                    .char_before(start)
                    .is_some_and(|c| is_katakana(c) || c == '・')
                || self
                    .char_at(end)
                    .is_some_and(|c| is_katakana(c) || c == '・')
                || self.katakana_run_alone(start, end).is_none()
                || NOT_NAMES.contains(&m.surface.as_str())
            {
                continue;
            }
            let rest = self.after(end, 8);
            let people = ["たち", "両人", "兄弟", "姉妹", "夫妻"]
                .iter()
                .any(|w| rest.starts_with(w));
            let works = ["の作品", "の著書", "の自伝", "のソロ", "の遺作", "の肖像"]
                .iter()
                .any(|w| rest.starts_with(w));
            if people || works || age.is_match(&rest) {
                out.push(Span {
                    kind: Kind::Name,
                    start,
                    end,
                });
            }
        }
    }

    /// A given name the dictionary also reads as a word (和平, 恒久), where
    /// what is said begins, before の and papers only a person has:
    /// 和平のパスポートです, こちらは恒久の住民票です. Not a word of kind
    /// (正規の在留カード: 正規 is a given name too).
    fn given_words_before_papers(&self, out: &mut Vec<Span>) {
        for k in 0..self.morphs.len() {
            let Some(g) = self.given[k] else { continue };
            let (start, end) = (self.mspan[k].0, self.mspan[g - 1].1);
            let word = &self.morphs[k..g];
            let kind_word = word.iter().any(|m| {
                !m.is_noun()
                    || matches!(
                        m.pos[1].as_str(),
                        "形容動詞語幹" | "副詞可能" | "数" | "非自立" | "代名詞" | "接尾"
                    )
            });
            if !(2..=3).contains(&(end - start))
                || !(start..end).all(|c| is_kanji(self.chars[c]))
                || kind_word
                || !(self.begins(k) || self.this_is_before(start))
                || NOT_NAMES.contains(&self.text(start, end).as_str())
                || self.adjective_too(&self.text(start, end))
            {
                continue;
            }
            let rest = self.after(end, 10);
            let papers = rest.strip_prefix('の').is_some_and(|r| {
                PERSONAL_PAPERS
                    .iter()
                    .filter(|p| !p.contains('子'))
                    .any(|p| r.starts_with(p))
            });
            if papers {
                out.push(Span {
                    kind: Kind::Name,
                    start,
                    end,
                });
            }
        }
    }

    /// Whether the dictionary also reads `word` as an adjective's stem
    /// when な follows (正規な: 正規 is a given name too).
    fn adjective_too(&self, word: &str) -> bool {
        self.analyzer
            .morphs(&format!("{word}な"))
            .first()
            .is_some_and(|m| m.surface == word && m.pos[1] == "形容動詞語幹")
    }

    /// Who leads (ナポレオン率いる大陸軍, 孫渡率いる第1集団軍) and which
    /// part is played (スカーレット役を演じた): the run of kanji or katakana
    /// right before 率いる or before 役 and what an actor does with a part.
    /// The run must read as a name, not a word: a morph the dictionary
    /// does not know or lists as a name, none of them a place, a company or
    /// a people word (日本代表率いる, 刑事役を演じる, 父親役で出演 stay).
    fn leaders_and_parts(&self, out: &mut Vec<Span>) {
        const PLAYED: &[&str] = &["役を演じ", "役で出演", "役として出演", "役を務め"];
        // What is said only of a person who lived and died (バンナー亡き後,
        // 純玄の遺言に従って, 仁村の曽孫).
        const LIVED: &[&str] = &[
            "亡き後",
            "の死後",
            "の没後",
            "の遺言",
            "の遺志",
            "の遺族",
            "の葬儀",
            "の生涯",
            "の晩年",
            "の生家",
            "の曽孫",
            "の曾孫",
            "の弟子",
            "の門下",
        ];
        let leads = self.occurrences_of("率い");
        let lived = LIVED.iter().flat_map(|p| self.occurrences_of(p));
        let parts = PLAYED.iter().flat_map(|p| self.occurrences_of(p));
        for at in leads.into_iter().chain(parts).chain(lived) {
            let Some(last) = at.checked_sub(1).and_then(|b| self.char_at(b)) else {
                continue;
            };
            let same: fn(char) -> bool = if is_katakana(last) {
                is_katakana
            } else if is_kanji(last) {
                is_kanji
            } else {
                continue;
            };
            let mut start = at;
            while start > 0 && same(self.chars[start - 1]) {
                start -= 1;
            }
            let Some(inside) = self.morphs_filling(start, at) else {
                continue;
            };
            let whole = self.text(start, at);
            let named = inside.iter().any(|&x| {
                let m = &self.morphs[x];
                unread_word(m) || m.is_person_name() || self.family[x] || self.listed[x]
            }) || self.analyzer.is_given_name(&whole)
                || self.analyzer.is_listed_person(&whole)
                || is_family_name(self.analyzer, &whole);
            let worded = inside.iter().any(|&x| {
                let m = &self.morphs[x];
                let w = m.surface.as_str();
                m.is_place()
                    || m.pos[2] == "組織"
                    || m.pos[3] == "国"
                    || [PEOPLE_WORDS, KIN, NOT_NAMES, OCCUPATIONS, LOANWORDS, ERAS]
                        .iter()
                        .any(|l| l.contains(&w))
            }) || inside.len() == 1 && everyday_word(&self.morphs[inside[0]]);
            if (2..=8).contains(&(at - start)) && named && !worded {
                out.push(Span {
                    kind: Kind::Name,
                    start,
                    end: at,
                });
            }
        }
    }

    /// Who is named by what they do, right after it, with の, ・ or であった
    /// between or nothing: ケアマネの宮崎, 保健師の太田に, 実業家福澤桃介が,
    /// 科学者アラン・ケイによる, デザイナーのタケウエトモコである. The run
    /// must hold something that could only be a name here (a family name, a
    /// person-name tag, a proper noun that is no place, a word the dictionary
    /// lacks, katakana it lists as a name) and end where a particle or a mark
    /// does; 医師の診断書, 担当の窓口 and ヘルパーのサービス stay.
    fn occupation_holders(&self, out: &mut Vec<Span>) {
        let n = self.morphs.len();
        // `joined`: the name follows with nothing between (実業家福澤桃介).
        let occupation_ends = |at: usize, joined: bool| -> bool {
            let before = self.before(at, 8);
            if OCCUPATIONS.iter().any(|o| before.ends_with(o)) {
                return true;
            }
            // The holder of a stage name in its line (七代目石川藤八).
            if joined && before.ends_with("代目") {
                return true;
            }
            // A compound ending in a suffix for what one does (科学 + 者,
            // 実業 + 家, 運転 + 士), only right before the name: with の it
            // is mostly whose thing (申請者の住所, 配偶者のマイナンバー).
            joined
                && !ROLE_NOUNS.iter().any(|r| before.ends_with(r))
                && !KIN.iter().any(|r| before.ends_with(r))
                && self
                    .mspan
                    .iter()
                    .position(|&(_, e)| e == at)
                    .is_some_and(|x| {
                        let m = &self.morphs[x];
                        x > 0
                            && m.pos[1] == "接尾"
                            && OCCUPATION_SUFFIXES.contains(&m.surface.as_str())
                            && self.morphs[x - 1].is_noun()
                            && self.morphs[x - 1].surface.chars().all(is_kanji)
                            && self.mspan[x - 1].1 == self.mspan[x].0
                    })
        };
        let strict = |x: usize| {
            let m = &self.morphs[x];
            let word = m.surface.as_str();
            if NOT_NAMES.contains(&word)
                || KIN.contains(&word)
                || LOANWORDS.contains(&word)
                || COUNTER_KATAKANA.contains(&word)
                || OCCUPATIONS.contains(&word)
            {
                return false;
            }
            if m.surface.chars().all(is_katakana) {
                return m.surface.chars().count() >= 2 && (unread_word(m) || self.kata_person(x));
            }
            m.surface.chars().all(is_kanji)
                && (self.family[x]
                    || m.is_person_name()
                    || unread_word(m)
                    || m.pos[1] == "固有名詞" && !matches!(m.pos[2].as_str(), "地域" | "組織"))
        };
        for k in 0..n {
            let (start, _) = self.mspan[k];
            // What may stand between the job and the name, and whether the
            // name then follows the job as closely as nothing between.
            let led = [
                ("であった", true),
                ("だった", true),
                ("", true),
                ("の", false),
                ("・", false),
            ]
            .iter()
            .any(|&(between, joined)| {
                let len = between.chars().count();
                start > len
                    && self.text(start - len, start) == between
                    && occupation_ends(start - len, joined)
            });
            if !led || !strict(k) {
                continue;
            }
            // The name: morphs of kanji or katakana (and ・ between katakana)
            // up to eight letters.
            let mut j = k;
            while j + 1 < n && self.mspan[j + 1].0 == self.mspan[j].1 {
                let m = &self.morphs[j + 1];
                let dot_then_kata = m.surface == "・"
                    && self
                        .morphs
                        .get(j + 2)
                        .is_some_and(|x| x.surface.chars().all(is_katakana));
                // One kanji of a name the dictionary cut (福 + 澤 + 桃 + 介).
                let piece = is_kanji_word(m) && m.surface.chars().count() == 1 && m.is_noun();
                // A given name that is a word too, right after a family
                // name (丹羽 + 正道).
                let given = j == k
                    && self.family[k]
                    && is_kanji_word(m)
                    && m.is_noun()
                    && m.surface.chars().count() == 2
                    && !title_word(m)
                    && !place_word(m);
                let part = strict(j + 1) || piece || given || dot_then_kata;
                if !part
                    || self.mspan[j + 1].1 - start > 8
                    || self.person_title_at(self.mspan[j + 1].0)
                {
                    break;
                }
                j += 1;
            }
            let end = self.mspan[j].1;
            let closes = self.morphs.get(j + 1).is_none_or(|m| {
                matches!(m.pos[0].as_str(), "助詞" | "記号")
                    || PEOPLE_WORDS.contains(&m.surface.as_str())
                    || HONORIFICS.contains(&m.surface.as_str())
                    || matches!(
                        m.surface.as_str(),
                        "です" | "でし" | "だ" | "である" | "等" | "など"
                    )
            });
            let word = self.text(start, end);
            // One or two kanji after a job that the dictionary splits are
            // mostly a word (選手団, 関係者の中, 審査員長).
            let short = end - start == 1
                || end - start == 2
                    && j > k
                    && !self.morphs[k..=j].iter().all(|m| m.is_person_name());
            if closes
                && !short
                && !NOT_NAMES.contains(&word.as_str())
                && !place_word(&self.morphs[j])
            {
                out.push(Span {
                    kind: Kind::Name,
                    start,
                    end,
                });
            }
        }
    }

    /// Whether morph `k` is a family name of two to four kanji standing on
    /// its own: no kanji before it, no company, no word said with さん that
    /// is no name (大家).
    fn family_word_alone(&self, k: usize) -> bool {
        let m = &self.morphs[k];
        let (start, end) = self.mspan[k];
        self.family[k]
            && is_kanji_word(m)
            && (2..=4).contains(&(end - start))
            && m.pos[2] != "組織"
            && !self.char_before(start).is_some_and(is_kanji)
            && !NOT_NAMES.contains(&m.surface.as_str())
    }

    /// A family name right before a rank in an office (清元主任, 大蔵課長,
    /// 窓口の入山係長), though the dictionary reads it as a word or a place:
    /// only people hold those ranks. Not the head of a place (葛飾区長), a
    /// trade said of what one does (絵本作家, 花形女優), a team's (松本監督),
    /// nor a family name inside a longer run of kanji (総務部長 has none).
    fn titled_family_names(&self, out: &mut Vec<Span>) {
        for k in 0..self.morphs.len().saturating_sub(1) {
            let (start, end) = self.mspan[k];
            if self.family_word_alone(k)
                && self.mspan[k + 1].0 == end
                && RANK_TITLES.contains(&self.morphs[k + 1].surface.as_str())
            {
                out.push(Span {
                    kind: Kind::Name,
                    start,
                    end,
                });
            }
        }
    }

    /// A family name the dictionary reads as a place, before what only a
    /// person gives (千葉の紹介で来ました, 宮崎の指示で) or who one came with
    /// (千葉と一緒に来ました): a place introduces, instructs or comes with no
    /// one.
    fn referrers(&self, out: &mut Vec<Span>) {
        for k in 0..self.morphs.len().saturating_sub(1) {
            let m = &self.morphs[k];
            let (start, end) = self.mspan[k];
            // Read as a proper noun (千葉, a place): everyday words that are
            // family names too (沢庵, 片方) stay.
            if !self.family_word_alone(k)
                || m.pos[1] != "固有名詞"
                || [KIN, KIN_ROLES]
                    .iter()
                    .any(|l| l.contains(&m.surface.as_str()))
            {
                continue;
            }
            let given = self.after(end, 7);
            // Or who one came with (千葉と一緒に来ました).
            let with = given.starts_with("と一緒に");
            let rest = given.strip_prefix('の').unwrap_or("");
            if with || PERSONS_DOINGS.iter().any(|d| rest.starts_with(d)) {
                out.push(Span {
                    kind: Kind::Name,
                    start,
                    end,
                });
            }
        }
    }

    /// A name in Latin letters, as a passport or residence card has it:
    /// two to four words of capitals or capitalized words (JOHN SMITH,
    /// Tanaka Hanako, Lester T. W. Ho), not inside a longer Latin run and
    /// not the name of a product or service (Apple Pay, My Number Card) nor
    /// a title in quotes.
    fn latin_names(&self, out: &mut Vec<Span>) {
        static LATIN: OnceLock<Regex> = OnceLock::new();
        let word = "(?:[A-Z][a-z][A-Za-z'-]*|[A-Z]{2,}(?:-[A-Z]+)*|[A-Z]\\.)";
        let latin = re_built(&LATIN, || format!("{word}(?: {word}){{1,3}}"));
        for m in latin.find_iter(&self.folded) {
            if !self.ascii_alone(&m) {
                continue;
            }
            // A title in quotes (「KING BATTLE」, "Telling Me Lies").
            let (start, end) = (self.fchar[m.start()], self.fchar[m.end()]);
            if self
                .char_before(start)
                .is_some_and(|c| "「『\"“".contains(c))
                && self.char_at(end).is_some_and(|c| "」』\"”".contains(c))
            {
                continue;
            }
            let words: Vec<&str> = m.as_str().split(' ').collect();
            let initials = words.iter().filter(|w| w.ends_with('.')).count();
            if initials == words.len()
                || words
                    .iter()
                    .any(|w| LATIN_NOT_NAMES.contains(&w.trim_end_matches('.')))
            {
                continue;
            }
            out.push(self.span(Kind::Name, m));
        }
    }

    /// A full name in katakana with spaces between its parts, as the
    /// recognizer writes a foreign name (ワン ウェイです, グエン ヴァン アン
    /// と申します): two to four katakana words before です, と申します, さん or
    /// 様, even when each part is also a word.
    fn spaced_katakana_names(&self, out: &mut Vec<Span>) {
        static SPACED: OnceLock<Regex> = OnceLock::new();
        let spaced = re(
            &SPACED,
            "(?P<name>[ァ-ヺー]{2,}(?: [ァ-ヺー]{1,}){1,3})(?:です|と申します|でございます|さん|様)",
        );
        for c in spaced.captures_iter(&self.folded) {
            let Some(name) = c.name("name") else { continue };
            // マイナンバー カードです: counter words with a space between.
            let counter_word = name.as_str().split(' ').any(|part| {
                LOANWORDS.contains(&part) || COUNTER_KATAKANA.iter().any(|w| part.contains(w))
            });
            if counter_word
                || self
                    .char_before(self.fchar[name.start()])
                    .is_some_and(is_katakana)
            {
                continue;
            }
            out.push(self.span(Kind::Name, name));
        }
    }

    /// A name spelled out: its reading in kana after ふりがなは, 読み方は …
    /// (ふりがなはやまだはなこです) or its Latin letters after ローマ字では
    /// (YAMADA HANAKO): the whole run of kana or letters up to です, に, で
    /// or a pause.
    fn spelled_names(&self, out: &mut Vec<Span>) {
        let spelled = |c: char| {
            is_hiragana(c)
                || is_katakana(c)
                || c.is_ascii_alphabetic()
                || matches!(c, '・' | ' ' | '　' | '.' | '-')
        };
        for lead in SPELLING_LEADS {
            let lead: Vec<char> = lead.chars().collect();
            let mut next = 0;
            for at in self.occurrences(&lead) {
                if at < next {
                    continue;
                }
                let start = at + lead.len();
                let mut end = start;
                while end < self.chars.len() && spelled(self.chars[end]) {
                    end += 1;
                }
                // The run ends with what closes the phrase, not with it.
                let text: String = self.chars[start..end].iter().collect();
                let body = ["です", "でした", "になります", "で", "に", "と"]
                    .iter()
                    .find_map(|t| text.strip_suffix(t))
                    .unwrap_or(&text);
                let len = body.trim_end().chars().count();
                if len >= 2 {
                    out.push(Span {
                        kind: Kind::Name,
                        start,
                        end: start + len,
                    });
                }
                next = end.max(at + 1);
            }
        }
    }

    /// A name in hiragana before さん, さま, くん or ちゃん (ちばさん, whom the
    /// dictionary reads as ち + ば): the hiragana run before the honorific,
    /// two to five letters, not a word people are called by (みなさん,
    /// おくさん, おかあさん). After a word, a particle that starts the run is
    /// left out (受付でちばさん).
    fn hiragana_names(&self, out: &mut Vec<Span>) {
        // By characters: the dictionary splits such names anyhow (はなこさん
        // as はな + こさ + ん).
        // 様 after kana is mostly 様々 or 様子, not an honorific.
        for h in ["さん", "さま", "くん", "ちゃん"] {
            let hc: Vec<char> = h.chars().collect();
            let mut next = 0;
            for end in self.occurrences(&hc) {
                if end < next {
                    continue;
                }
                next = end + hc.len();
                // たくさんの, さまざま, ちゃんと: the honorific is part of a word.
                let closed = self.word_ends(end + hc.len());
                let mut start = end;
                while start > 0 && is_hiragana(self.chars[start - 1]) && end - start < 8 {
                    start -= 1;
                }
                let before = self.char_before(start);
                // A name the dictionary reads into the particle after it
                // (さいとう + さんか + ら) ends there too, when it is known.
                let loosely_closed = h != "ちゃん"
                    && self
                        .char_at(end + hc.len())
                        .is_none_or(|c| "のかがはにともで、。".contains(c));
                if !(closed || loosely_closed) || before.is_some_and(is_hiragana) {
                    continue;
                }
                // A particle after a word (受付でちばさん, こちらのちばさん).
                let run = &self.chars[start..end];
                let after_word = before.is_some_and(|c| is_kanji(c) || is_katakana(c));
                let particle = |c: &char| "でにのはがをともへ".contains(*c);
                // A name whose letters are particles too (みなと, はると,
                // さいとう, おおき): the longest end of the run that sounds
                // like a name the dictionary knows, whole or after such a
                // letter (田中のみなとさん).
                let sounds_named = |from: usize| {
                    let sound = to_katakana(&self.text(from, end));
                    end - from >= 2
                        && !CALLED_BY.contains(&self.text(from, end).as_str())
                        && (self.kana_family.contains(&sound) || self.kana_given.contains(&sound))
                };
                // After a word: the longest end of the run that sounds like
                // a name, after a particle it starts with (妻のりこさん,
                // 受付でちばさん, 妻のあ + さま stays out), else from its
                // start (昨日にかくさん, 先ほど + たいげんさん).
                let named_from = if after_word {
                    let after_particle = run.first().is_some_and(particle);
                    let from = if after_particle { start + 1 } else { start };
                    // A name may begin with such a letter too (昨日のぶつぐ
                    // さん), when three letters or more.
                    let whole = Some(start).filter(|_| after_particle && run.len() >= 3);
                    (from..end).chain(whole).find(|&from| sounds_named(from))
                } else {
                    Some(start).filter(|&from| sounds_named(from))
                };
                if let Some(from) = named_from {
                    out.push(Span {
                        kind: Kind::Name,
                        start: from,
                        end,
                    });
                    continue;
                }
                if !closed {
                    continue;
                }
                match run.iter().rposition(particle) {
                    // Names start with such letters too (はなこ, ともこ).
                    Some(0) if !after_word => {}
                    Some(p) if run.len() - p > 2 => start += p + 1,
                    // これはあさま山荘, をはさんで: no name left after it.
                    Some(_) => continue,
                    None => {}
                }
                let word: String = self.chars[start..end].iter().collect();
                // おつかれさま, ごくろうさま, おせわさま: greetings start with
                // お or ご, and so do おくさん, おかあさん.
                let polite = word.starts_with(['お', 'ご']);
                if (2..=5).contains(&(end - start))
                    && !polite
                    && !CALLED_BY.contains(&word.as_str())
                {
                    out.push(Span {
                        kind: Kind::Name,
                        start,
                        end,
                    });
                }
            }
        }
    }

    /// Whether `word`, in hiragana, sounds like a name: a modern given name
    /// as the list writes it, or a given or family name the dictionary
    /// knows of three sounds or more (はると, さいとう); not a word that
    /// stands where names do (ほう, ため) or one people are called by.
    fn kana_sounds_named(&self, word: &str) -> bool {
        let sound = to_katakana(word);
        // いないです, わからないです: an answer, not a name.
        !word.ends_with("ない")
            && !KANA_NOT_NAMES.contains(&word)
            && !CALLED_BY.contains(&word)
            && !NOT_KIN_NAMES.contains(&word)
            && (modern_given_name(word)
                || word.chars().count() >= 3
                    && (self.kana_given.contains(&sound) || self.kana_family.contains(&sound)))
    }

    /// たくさん, これから: one word the dictionary knows in hiragana that
    /// is an adverb, a pronoun or such, not a listed modern name (ゆい).
    /// Before の or が such a word is what it is; a verb is not (わたる +
    /// の is a name), and before です a family name may sound like an
    /// adjective (ひろい, 広井) and stays a name.
    fn kana_other_word(&self, word: &str) -> bool {
        let alone = self.analyzer.morphs(word);
        !modern_given_name(word)
            && alone.len() == 1
            && !alone[0].is_unknown()
            && !alone[0].is_person_name()
            && (matches!(
                alone[0].pos[0].as_str(),
                "副詞" | "連体詞" | "接続詞" | "感動詞"
            ) || alone[0].pos[0] == "名詞"
                && matches!(
                    alone[0].pos[1].as_str(),
                    "代名詞" | "副詞可能" | "非自立" | "数"
                ))
    }

    /// Names in hiragana where a name is expected: after kin and の
    /// (娘のさくらです, 妻のけいこが), after 名前は (名前はひろしです), and
    /// at the start before の代わり or の代理 (さくらの代わりに来ました). By
    /// letters, as the dictionary splits such names anyhow: the longest run
    /// of two to five that a particle or です ends. Words that stand there
    /// too (娘のほうです, 母のために, 名前はまだです, 名前はひらがなです) and
    /// polite words (おかげ) are no names.
    fn kana_names_in_context(&self, out: &mut Vec<Span>) {
        let n = self.chars.len();
        // Names found so far: said again at once, in full, they are names too
        // (名前はやまだ、やまだはなこです).
        let mut found: Vec<String> = Vec::new();
        for p in 0..n {
            // Only where a run could start: after の, は, が or も, or where
            // what is said begins.
            let prev = self.char_before(p);
            if !is_hiragana(self.chars[p]) || !prev.is_none_or(|c| "のはがもで、。 「".contains(c))
            {
                continue;
            }
            let lead = self.before(p, 4);
            let after_kin = self.after_kin(p);
            let named = ["名前は", "名前が", "氏名は", "名前も"]
                .iter()
                .any(|l| lead.ends_with(l));
            let begins = self.char_before(p).is_none_or(|c| "、。 「".contains(c));
            // 世帯主ははるとです, 娘はさくらです: after a role or kin and は,
            // a run that sounds like a name.
            let role_lead = {
                let lead = self.before(p, 6);
                ROLE_NOUNS
                    .iter()
                    .chain(KIN)
                    .any(|r| lead.ends_with(&format!("{r}は")))
            };
            // 受付ではるとと呼ばれました: where one was called by name.
            let called_at = prev == Some('で');
            if called_at {
                let run_end = (p..n).find(|&c| !is_hiragana(self.chars[c])).unwrap_or(n);
                let called = (p + 2..=run_end.min(p + 8)).rev().find(|&e| {
                    self.after(e, 4).starts_with("と呼ばれ")
                        && self.kana_sounds_named(&self.text(p, e))
                });
                if let Some(e) = called {
                    out.push(Span {
                        kind: Kind::Name,
                        start: p,
                        end: e,
                    });
                }
                continue;
            }
            if !(after_kin || named || begins || role_lead) {
                continue;
            }
            // The whole run before です (たなかはなこです, up to eight
            // letters), or else the shortest before a particle (さくらが
            // きのう…: さくら).
            let kana = |e: usize| e <= n && self.chars[p..e].iter().all(|c| is_hiragana(*c));
            let said_again = |e: usize| {
                let run = self.text(p, e);
                found.iter().any(|f| run.starts_with(f.as_str()))
            };
            let ends = |e: usize| {
                let rest = self.after(e, 4);
                let close = ["です", "でござ", "と申"]
                    .iter()
                    .any(|c| rest.starts_with(c));
                if role_lead && !after_kin && !named {
                    return close && self.kana_sounds_named(&self.text(p, e));
                }
                if begins && !after_kin && !named {
                    // ともこの出生届です: a given name the dictionary lists,
                    // before a child's procedure, kin or a thing of one's own
                    // (じぶんの, ははの and こどもの are words).
                    let ones_own = || {
                        let thing = self.after(e + 1, 8);
                        rest.starts_with('の')
                            && OWN_THINGS
                                .iter()
                                .chain(CHILD_THINGS)
                                .chain(KIN.iter().filter(|k| k.chars().count() > 1))
                                .any(|t| thing.starts_with(t))
                    };
                    let listed = || {
                        let word = self.text(p, e);
                        (self.analyzer.is_given_name(&word) || modern_given_name(&word))
                            && !KANA_NOT_NAMES.contains(&word.as_str())
                            && !NOT_KIN_NAMES.contains(&word.as_str())
                    };
                    // はるとから電話がありました: who called.
                    let called = || {
                        rest.starts_with("から")
                            && CONTACTS.iter().any(|c| self.after(e + 2, 3).starts_with(c))
                    };
                    // はるとの母です, ともこが来月転入します, さいとうに頼まれ
                    // ました: what is said only of a person.
                    // Whose something is, or who does something, said in
                    // kanji or katakana after の or が (…の国民健康保険,
                    // …が施設に入りました), as a name that begins what is
                    // said is followed.
                    let of_a_person = || {
                        let after = self.after(e + 1, 1);
                        (rest.starts_with('の') || rest.starts_with('が'))
                            && after
                                .chars()
                                .next()
                                .is_some_and(|c| is_kanji(c) || is_katakana(c))
                            || [
                                "に頼ま",
                                "に代わ",
                                "から頼ま",
                                "に言われ",
                                "から言われ",
                                "名義",
                                "と呼ばれ",
                                "宛",
                            ]
                            .iter()
                            .any(|w| rest.starts_with(w))
                    };
                    return rest.starts_with("の代わり")
                        || rest.starts_with("の代理")
                        || called() && self.kana_sounds_named(&self.text(p, e))
                        || of_a_person()
                            && self.kana_sounds_named(&self.text(p, e))
                            && !self.kana_other_word(&self.text(p, e))
                        || close
                            && (said_again(e)
                                || self.kana_full_name(&self.text(p, e))
                                || self.kana_sounds_named(&self.text(p, e)))
                        || ones_own() && (listed() || self.kana_sounds_named(&self.text(p, e)));
                }
                close
            };
            let particle = |e: usize| {
                (after_kin || named)
                    && ["が", "は", "の", "も", "に", "と", "を", "から", "、", "。"]
                        .iter()
                        .any(|c| self.after(e, 2).starts_with(c))
            };
            let whole = (p + 2..=p + 8).rev().find(|&e| kana(e) && ends(e));
            // Before a particle, the longest run that sounds like a name
            // (はると + が, not はる + とが), else the shortest.
            let before_particle = || {
                (p + 2..=p + 5)
                    .rev()
                    .find(|&e| kana(e) && particle(e) && self.kana_sounds_named(&self.text(p, e)))
                    .or_else(|| (p + 2..=p + 5).find(|&e| kana(e) && particle(e)))
            };
            let Some(e) = whole.or_else(before_particle) else {
                continue;
            };
            let word = self.text(p, e);
            // ためにも, ほうがいい: such a word, then a particle.
            let word_and_particles = KANA_NOT_NAMES.iter().any(|w| {
                word.strip_prefix(w).is_some_and(|r| {
                    r.chars()
                        .next()
                        .is_none_or(|c| "にもはがのでをとへや".contains(c))
                })
            });
            // 夫のはんこ, 母のめがね: one everyday noun to the dictionary
            // that no given or family name sounds like is a thing.
            let thing = |word: &str| {
                let sound = to_katakana(word);
                let alone = self.analyzer.morphs(word);
                let word_alone = alone.len() == 1 && everyday_word(&alone[0]) && alone[0].is_noun();
                // はんこ: a counter word first, though 範子 may be read so.
                LOANWORDS.contains(&sound.as_str())
                    || word_alone
                        && !self.kana_given.contains(&sound)
                        && !self.kana_family.contains(&sound)
                        && !modern_given_name(word)
            };
            // …or such a thing and particles (はんこでもいい).
            let chars: Vec<char> = word.chars().collect();
            let thing_then_particle = (2..chars.len()).any(|cut| {
                let rest: String = chars[cut..].iter().collect();
                [
                    "でも",
                    "では",
                    "でいい",
                    "でよろ",
                    "がいい",
                    "もいい",
                    "だけ",
                    "しか",
                    "など",
                ]
                .iter()
                .any(|p| rest.starts_with(p))
                    && thing(&chars[..cut].iter().collect::<String>())
            });
            if word.starts_with(['お', 'ご'])
                || word_and_particles
                || CALLED_BY.contains(&word.as_str())
                || thing(&word)
                || thing_then_particle
            {
                continue;
            }
            found.push(word);
            out.push(Span {
                kind: Kind::Name,
                start: p,
                end: e,
            });
        }
    }

    /// A name set against a name found: 世帯主は伊藤さんではなく長野ですね. The
    /// word after ではなく (じゃなくて, でなく) is a name when it could be one
    /// (a family name, a proper noun, katakana, a word the dictionary
    /// lacks) and the phrase ends after it; 伊藤さんではなく本人です stays.
    fn contrasted_names(&self, cands: &mut Vec<Span>) {
        let found: Vec<usize> = cands
            .iter()
            .filter(|c| c.kind == Kind::Name)
            .map(|c| c.end)
            .collect();
        for end in found {
            let mut at = end;
            for h in HONORIFICS {
                if self.after(at, 3).starts_with(h) {
                    at += h.chars().count();
                    break;
                }
            }
            let rest = self.after(at, 6);
            let Some(skip) = ["ではなく", "じゃなくて", "でなく"]
                .iter()
                .find(|w| rest.starts_with(*w))
                .map(|w| w.chars().count())
            else {
                continue;
            };
            let mut start = at + skip;
            if self.char_at(start) == Some('、') {
                start += 1;
            }
            let Some(k) = (0..self.morphs.len()).find(|&k| self.mspan[k].0 == start) else {
                continue;
            };
            let m = &self.morphs[k];
            let (_, e) = self.mspan[k];
            let could_be = self.could_be_name(k);
            let closes = self.morphs.get(k + 1).is_none_or(|x| {
                matches!(
                    x.surface.as_str(),
                    "です" | "でし" | "だ" | "に" | "で" | "さん" | "様" | "、" | "。"
                )
            });
            if could_be && closes && self.nameish(m) && !NOT_NAMES.contains(&m.surface.as_str()) {
                cands.push(Span {
                    kind: Kind::Name,
                    start,
                    end: e,
                });
            }
        }
    }

    /// A full name in hiragana, as said when introducing oneself
    /// (でぐちはなこです): how a family name IPADIC knows sounds, then a
    /// given name it lists or one newer than it.
    fn kana_full_name(&self, word: &str) -> bool {
        let chars: Vec<char> = to_katakana(word).chars().collect();
        (3..chars.len().saturating_sub(1)).any(|cut| {
            let family: String = chars[..cut].iter().collect();
            let given: String = word.chars().skip(cut).collect();
            let given_kata: String = chars[cut..].iter().collect();
            self.kana_family.contains(&family)
                && (self.analyzer.is_given_name(&given)
                    || self.analyzer.is_given_name(&given_kata)
                    || self.kana_given.contains(&given_kata)
                    || modern_given_name(&given))
        })
    }

    /// A katakana word that may be a resident's name though the dictionary
    /// read it otherwise here: a proper noun that is no place or company
    /// (グエン), a family name that is also a word (ワン), or a name in its
    /// list of other names (ノア, ジャネット).
    fn kata_person(&self, k: usize) -> bool {
        let m = &self.morphs[k];
        m.surface.chars().all(is_katakana)
            && (m.pos[1] == "固有名詞" && !matches!(m.pos[2].as_str(), "地域" | "組織")
                || SURNAMES_ALSO_WORDS.contains(&m.surface.as_str())
                || self.listed[k])
    }

    /// Whether morph `k` could be a name where the context says a person
    /// stands: a family name to the dictionary (whatever it was tagged as
    /// here), a person-name tag, a given name it lists that is a name even
    /// alone, a proper noun, a word the dictionary lacks, or a katakana word.
    fn could_be_name(&self, k: usize) -> bool {
        let m = &self.morphs[k];
        let (start, end) = self.mspan[k];
        self.family[k]
            || m.is_person_name()
            || self.given[k].is_some() && self.given_alone[k]
            || m.pos[1] == "固有名詞"
            || unread_word(m)
            || (m.surface.chars().all(is_katakana) && end - start >= 2)
    }

    /// Whose kin the speaker is, or to whom something goes: 千葉の妻です,
    /// 宮崎の母になります, 千葉宛てに. The word must be one that could be a
    /// name (a family name, a proper noun, katakana, an unknown word):
    /// 本人の妻です stays.
    fn kin_of_and_addressees(&self, out: &mut Vec<Span>) {
        let n = self.morphs.len();
        for k in 0..n.saturating_sub(1) {
            let m = &self.morphs[k];
            let start = self.mspan[k].0;
            // A given name the dictionary cut (摩利 + 子) ends where it ends.
            let end = match self.given[k] {
                Some(g) if self.given_alone[k] && g > k + 1 => self.mspan[g - 1].1,
                _ => self.mspan[k].1,
            };
            // A place is no one's kin (東京の母です: a mother in Tokyo),
            // unless it is a family name too (千葉).
            let could_be = self.could_be_name(k) && (self.family[k] || !m.is_place());
            if !could_be
                || !self.nameish(m)
                || place_word(m)
                || self
                    .char_before(start)
                    .is_some_and(|c| is_kanji(c) || is_katakana(c))
                || NOT_NAMES.contains(&m.surface.as_str())
                || LOANWORDS.contains(&m.surface.as_str())
            {
                continue;
            }
            let rest = self.after(end, 8);
            let kin_of = rest.strip_prefix('の').is_some_and(|r| {
                KIN.iter().any(|kin| {
                    r.strip_prefix(kin).is_some_and(|t| {
                        ["です", "でございます", "になります", "でして"]
                            .iter()
                            .any(|e| t.starts_with(e))
                    })
                })
            });
            let addressed = ["宛て", "宛に", "宛で", "あてに"]
                .iter()
                .any(|a| rest.starts_with(a));
            if kin_of || addressed {
                out.push(Span {
                    kind: Kind::Name,
                    start,
                    end,
                });
            }
        }
    }

    /// Names found elsewhere (`parts`, see [`Masker::find_known`]) where
    /// they come again as a whole word: not inside a longer run of the same
    /// script (山田 in 山田町, スミス in スミスソニアン).
    fn repeated_names(&self, parts: &[String], out: &mut Vec<Span>) {
        for part in parts {
            let p: Vec<char> = part.chars().collect();
            let same = |c: char| {
                if is_kanji(p[0]) {
                    is_kanji(c)
                } else {
                    is_katakana(c)
                }
            };
            let mut next = 0;
            for at in self.occurrences(&p) {
                let end = at + p.len();
                if at >= next
                    && !self.char_before(at).is_some_and(same)
                    && (!self.char_at(end).is_some_and(same) || self.people_word_at(end))
                {
                    out.push(Span {
                        kind: Kind::Name,
                        start: at,
                        end,
                    });
                    next = end;
                }
            }
        }
    }

    /// Whether a word for a name's people or followers (家, 夫妻, 派, 本人)
    /// starts at `at` as a word of its own (山田家, not 山田家具).
    fn people_word_at(&self, at: usize) -> bool {
        self.mspan.iter().zip(&self.morphs).any(|(&(s, _), m)| {
            s == at
                && (PEOPLE_WORDS.contains(&m.surface.as_str())
                    || ["派", "氏", "本人", "自身", "邸"].contains(&m.surface.as_str()))
        })
    }

    /// A name in kanji or katakana before さん, くん, ちゃん or 様, by
    /// letters: the dictionary may read the name with the honorific's first
    /// kana (空く + ん of 空くん). Roles stay: 皆さん, 大家さん, 八百屋さん,
    /// 看護師さん, 担当さん.
    fn honorific_names(&self, out: &mut Vec<Span>) {
        // 出口先生の診断書: a family name before 先生 (学校の先生, 校長先生
        // are no names).
        for k in 0..self.morphs.len().saturating_sub(1) {
            let (start, end) = self.mspan[k];
            let m = &self.morphs[k];
            if self.morphs[k + 1].surface == "先生"
                && self.mspan[k + 1].0 == end
                && (self.family[k] || m.pos[3] == "姓")
                && is_kanji_word(m)
                && !place_word(m)
                && !self.char_before(start).is_some_and(is_kanji)
            {
                out.push(Span {
                    kind: Kind::Name,
                    start,
                    end,
                });
            }
        }
        for h in ["さん", "くん", "ちゃん", "様", "さま"] {
            let hc: Vec<char> = h.chars().collect();
            for at in self.occurrences(&hc) {
                let closed = self.word_ends(at + hc.len());
                let mut start = at;
                while start > 0
                    && at - start < 6
                    && (is_kanji(self.chars[start - 1]) || is_katakana(self.chars[start - 1]))
                {
                    start -= 1;
                }
                // 様 inside a word (同様, 模様, 仕様) is no honorific.
                let inside = h == "様" && !self.mspan.iter().any(|&(s, _)| s == at);
                if start == at || !closed || inside {
                    continue;
                }
                let run = self.text(start, at);
                let role = role_word(&run)
                    || KIN.contains(&run.as_str())
                    || run == "赤"
                    || role_said_with_san(&run)
                    || LOANWORDS.contains(&run.as_str());
                let polite = self
                    .char_before(start)
                    .is_some_and(|c| c == 'お' || c == 'ご')
                    || self.greeting_before(at);
                if !role && !polite {
                    out.push(Span {
                        kind: Kind::Name,
                        start,
                        end: at,
                    });
                }
            }
        }
    }

    /// A name before と申します, と言います or といいます, by letters: the
    /// dictionary may read the name's end with the と (千葉 + 凛と + 申します).
    fn said_names(&self, out: &mut Vec<Span>) {
        for lead in ["と申し", "と言いま", "といいま", "ともうし"] {
            for at in self.occurrences_of(lead) {
                // 「たなか」と申します: the name in quotes.
                if at > 1 && matches!(self.chars[at - 1], '」' | '』') {
                    let open = (0..at - 1)
                        .rev()
                        .find(|&c| matches!(self.chars[c], '「' | '『'));
                    if let Some(o) = open.filter(|&o| (1..=10).contains(&(at - 1 - o))) {
                        out.push(Span {
                            kind: Kind::Name,
                            start: o + 1,
                            end: at - 1,
                        });
                        continue;
                    }
                }
                let mut start = at;
                while start > 0
                    && at - start < 8
                    && (is_kanji(self.chars[start - 1]) || is_katakana(self.chars[start - 1]))
                {
                    start -= 1;
                }
                // Before と申します, all that was said since a pause is the
                // name, however the recognizer wrote it (姿がましょうたと
                // 申します for 長谷川翔太): up to ten letters, after わたくし,
                // はい and the like.
                if lead != "と言いま" && lead != "といいま" {
                    // 市役所の者と申します: where one is from.
                    if let Some(s) = self
                        .said_since_pause(at)
                        .filter(|&s| s < start && !self.text(s, at).ends_with("の者"))
                    {
                        start = s;
                    }
                }
                // 係の者と申します, 担当と申します: a role, not a name.
                let run = self.text(start, at);
                let role = run == "者" || role_word(&run);
                if start < at && !role {
                    out.push(Span {
                        kind: Kind::Name,
                        start,
                        end: at,
                    });
                }
            }
        }
    }

    /// Where what was said since the last pause (the start, a mark or a
    /// space) up to `at` begins, when it is one to ten letters, after a word
    /// that opens what one says (わたくし, はい, えっと): the whole of a name
    /// slot, however the recognizer wrote the name in it.
    fn said_since_pause(&self, at: usize) -> Option<usize> {
        let mut s = at;
        while s > 0 && at - s < 10 && self.chars[s - 1].is_alphabetic() {
            s -= 1;
        }
        if s > 0 && self.chars[s - 1].is_alphabetic() {
            return None;
        }
        let said: String = self.chars[s..at].iter().collect();
        let lead = [
            "わたくし",
            "わたし",
            "私",
            "僕",
            "ぼく",
            "はい",
            "えっと",
            "あの",
        ]
        .iter()
        .find(|w| said.starts_with(**w))
        .map_or(0, |w| w.chars().count());
        if lead == 0 && s >= 2 && self.chars[s - 1] == '、' {
            if let Some(first) = self.name_before_comma(s - 1) {
                return Some(first);
            }
        }
        (s + lead < at).then_some(s + lead)
    }

    /// Where what opens the utterance before the comma at `comma` begins,
    /// when it is part of the name the recognizer cut with a comma (鮮がわし、
    /// けんたと申します for 長谷川健太): one to six letters from the start,
    /// no word that opens what one says (はい, すみません), not ending as
    /// a phrase does (住民票の件で, 市役所の) nor with です or ます, and
    /// garbled, as a misheard name is.
    fn name_before_comma(&self, comma: usize) -> Option<usize> {
        let first = self.text(0, comma);
        let len = first.chars().count();
        let opener = [
            "はい",
            "ええ",
            "えっと",
            "えーと",
            "あの",
            "あのう",
            "すみません",
            "すいません",
            "こんにちは",
            "こんばんは",
            "おはようございます",
            "もしもし",
            "どうも",
            "失礼します",
            "お世話",
            "私",
            "わたし",
            "わたくし",
            "僕",
            "ぼく",
            "うん",
            "そう",
            "じゃあ",
            "では",
            "それで",
            "あと",
            "まず",
        ];
        let phrase_end = first
            .chars()
            .last()
            .is_some_and(|c| "はがをにのでともへやかねよ".contains(c))
            || first.ends_with("です")
            || first.ends_with("ます");
        // Garbled, as a misheard name is (鮮 + が + わし), not an office or
        // a role (葛飾区役所、保険年金課、).
        let morphs = self.analyzer.morphs(&first);
        let garbled = morphs.iter().any(|m| {
            m.is_unknown() || m.is_person_name() && m.pos[1] != "接尾" || no_description_part(m)
        }) && !morphs.iter().any(place_word);
        ((1..=6).contains(&len)
            && first.chars().all(char::is_alphabetic)
            && garbled
            && !role_word(&first)
            && !opener.iter().any(|o| first.starts_with(o))
            && !phrase_end)
            .then_some(0)
    }

    /// A family name said in hiragana where only a person fits after it
    /// (しばやまから電話がありました, くぼたの代理で, かなさか様): three to six
    /// kana that sound like a family name the dictionary knows, starting
    /// what is said or after a particle, before one of [`KANA_NAME_PLACES`].
    fn kana_family_in_place(&self, out: &mut Vec<Span>) {
        let n = self.chars.len();
        // Where such a place begins, found once.
        let mut place_at = vec![false; n + 1];
        for p in KANA_NAME_PLACES {
            for at in self.occurrences_of(p) {
                place_at[at] = true;
            }
        }
        if !place_at.contains(&true) {
            return;
        }
        for s in 0..n {
            let opens = s == 0
                || !is_hiragana(self.chars[s - 1])
                || "はがをにのともで".contains(self.chars[s - 1])
                    && (s == 1 || !is_hiragana(self.chars[s - 2]));
            if !opens || !is_hiragana(self.chars[s]) {
                continue;
            }
            for len in (3..=6).rev() {
                let e = s + len;
                if e > n || !place_at[e] || !(s..e).all(|c| is_hiragana(self.chars[c])) {
                    continue;
                }
                let kana: String = self.chars[s..e].iter().collect();
                if self.kana_family.contains(&to_katakana(&kana))
                    && !KIN_IN_KANA.contains(&kana.as_str())
                {
                    out.push(Span {
                        kind: Kind::Name,
                        start: s,
                        end: e,
                    });
                    break;
                }
            }
        }
    }

    /// A family or full name said in hiragana after a role or 名前は
    /// (世帯主はくぼたです, 申請者はたなかになります), as [`Doc::kana_name_said`]
    /// reads one.
    fn kana_role_holders(&self, out: &mut Vec<Span>) {
        for start in self.after_role_leads() {
            if !self.char_at(start).is_some_and(is_hiragana) {
                continue;
            }
            if let Some(end) = self.kana_name_said(start) {
                out.push(Span {
                    kind: Kind::Name,
                    start,
                    end,
                });
            }
        }
    }

    /// The slot after 名前は or a role and は (`after`, where the lead
    /// ends): where what is said begins, past a pause; where the first です
    /// within `reach` letters begins; and whether that です ends what is
    /// said (not ですか).
    fn slot_to_desu(&self, after: usize, reach: usize) -> Option<(usize, usize, bool)> {
        let mut start = after;
        while self.char_at(start).is_some_and(|c| "、 ".contains(c)) {
            start += 1;
        }
        let rest = self.after(start, reach);
        let b = rest.find("です")?;
        let end = start + rest[..b].chars().count();
        let closes = self
            .after(end + 2, 1)
            .chars()
            .next()
            .is_none_or(|c| "。、ねよ".contains(c));
        Some((start, end, closes))
    }

    /// 名前は、小ばらし、ハルトです, 世帯主は、はやみ県たろうです: a name the
    /// recognizer split with pauses, all from 名前は (or a role and は) to
    /// the です that ends what is said.
    fn name_in_parts(&self, out: &mut Vec<Span>) {
        for after in self.after_role_leads() {
            // Up to です that ends what is said (not ですか), cut by a
            // pause and holding a name, katakana or a word the
            // dictionary lacks: a name the recognizer split (名前は
            // 書かなくていいですか, 名前は、ひらがなです stay).
            let Some((start, end, closes)) = self.slot_to_desu(after, 16) else {
                continue;
            };
            let paused = start > after;
            let run = self.text(start, end);
            let parts = self.analyzer.morphs(&run.replace('、', ""));
            // A pause inside, after kana the name began with (はやみ、介護):
            // not an answer about oneself or kin (わたしで、妻も一緒です).
            let paused_inside = run.contains('、')
                && self
                    .char_at(start)
                    .is_some_and(|c| is_hiragana(c) || is_katakana(c))
                && !SELF_WORDS.iter().chain(KIN).any(|w| run.contains(w));
            // A name, katakana or a word the dictionary lacks; or, after a
            // pause, words no answer is made of (はや + み + 県 + たろ + う).
            let named = parts.iter().any(|m| {
                m.is_person_name()
                    || m.is_unknown()
                    || m.surface.chars().all(is_katakana)
                    || paused && no_description_part(m)
            }) || paused_inside
                && self.analyzer.morphs(&run).iter().any(no_description_part);
            // 世帯主は、変わらないです, 名前は、書いてないです: an answer.
            let negated = ["ない", "ません", "なかった", "いる", "ある"]
                .iter()
                .any(|e| run.ends_with(e));
            // Hiragana throughout is what the kana rules read (名前はやまだ、
            // やまだはなこです: two names).
            let kana_only = run.chars().all(|c| is_hiragana(c) || c == '、');
            if closes
                && named
                && !negated
                && !kana_only
                && (paused || run.contains('、'))
                && (2..=12).contains(&(end - start))
            {
                out.push(Span {
                    kind: Kind::Name,
                    start,
                    end,
                });
            }
        }
    }

    /// 世帯主は最頭です (斎藤), 世帯主は村かみ傾向です (村上恵子): a name the
    /// recognizer wrote as other kanji and kana that sound like it. After
    /// 名前は or a role and は, up to the です that ends what is said, what
    /// begins with letters the dictionary does not read as one word that
    /// can be read as a family name (最 サイ + 頭 トウ; any reading each
    /// kanji has as a word) is a name; not an answer about oneself or kin
    /// (世帯主は私です, 夫の父です), nor a word the dictionary knows whole.
    /// The same between の and の分もお願い (住民の最頭の分も).
    fn role_holders_heard_as_names(&self, out: &mut Vec<Span>) {
        let mut slots: Vec<(usize, usize)> = self
            .after_role_leads()
            .into_iter()
            .filter_map(|after| self.slot_to_desu(after, 10))
            .filter(|&(_, _, closes)| closes)
            .map(|(start, end, _)| (start, end))
            .collect();
        // Whose papers too, after kin or what whisper made of it: 住民の最頭
        // の分もお願いします for 妻の斎藤の分も.
        for at in self.occurrences_of("の分もお願い") {
            let from = at.saturating_sub(7);
            if let Some(no) = (from..at).rev().find(|&c| self.chars[c] == 'の') {
                slots.push((no + 1, at));
            }
        }
        for (start, end) in slots {
            let run: Vec<char> = self.chars[start..end].to_vec();
            let text: String = run.iter().collect();
            if !(2..=8).contains(&run.len())
                || !run
                    .iter()
                    .all(|&c| is_kanji(c) || is_hiragana(c) || is_katakana(c))
                || text.contains('の')
                || SELF_WORDS.iter().chain(KIN).any(|w| text.contains(w))
            {
                continue;
            }
            let parts = self.analyzer.morphs(&text);
            // The letters of each word as the dictionary cut them.
            let mut cuts = Vec::new();
            let mut at = 0;
            for m in &parts {
                at += m.surface.chars().count();
                cuts.push(at);
            }
            let sounds_like_family = (2..=run.len().min(4)).any(|len| {
                // Beginning with more than one word, or one it cannot read.
                let words = cuts.iter().take_while(|&&c| c < len).count() + 1;
                let unread = parts.first().is_some_and(|m| m.reading.is_none());
                // Kana alone is what the kana rules read (ひら + がな is
                // no 平賀).
                (words > 1 || unread)
                    && run[..len].iter().any(|&c| is_kanji(c))
                    && sounds_of(self.analyzer, &run[..len])
                        .iter()
                        .any(|r| r.chars().count() >= 3 && self.kana_family.contains(r))
            });
            if sounds_like_family && parts.len() > 1 {
                out.push(Span {
                    kind: Kind::Name,
                    start,
                    end,
                });
            }
        }
    }

    /// A name slot the recognizer may have filled with other words, when
    /// what is in it is no description (母, 不動産会社, 近所の人):
    /// 大きまことの代理で来ました (大木誠), 小話し桜です、よろしくお願いします
    /// (小林さくら), 有耳子です。宜しく (kanji shaped like a name) — all that
    /// was said since the pause before it.
    fn name_slots(&self, out: &mut Vec<Span>) {
        // Xです、よろしくお願いします: giving one's name at the start.
        let slots = [
            "の代理で",
            "の代理として",
            "の代理人",
            "です、よろしく",
            "です。よろしく",
            "です、宜しく",
            "です。宜しく",
        ]
        .into_iter()
        .flat_map(|lead| self.occurrences_of(lead));
        let runs: Vec<(usize, usize)> = slots
            .filter_map(|at| Some((self.said_since_pause(at)?, at)))
            .collect();
        for (mut start, mut at) in runs {
            // 名前は山田です。よろしく: what leads to the name is not it.
            for lead in ["名前は", "わたしは", "私は", "わたくしは", "僕は"] {
                if self.text(start, at).starts_with(lead) {
                    start += lead.chars().count();
                    break;
                }
            }
            // 田中さんの代理で: the honorific is not the name.
            for h in ["さん", "様", "さま", "くん", "ちゃん"] {
                if self.text(start, at).ends_with(h) {
                    at -= h.chars().count();
                    break;
                }
            }
            if at <= start {
                continue;
            }
            let run = self.text(start, at);
            let morphs = self.analyzer.morphs(&run);
            // What no description is made of: a verb or adjective, an
            // auxiliary or a particle other than の (大き + まこと, 小話 + し +
            // 桜, 姿 + が + ましょ …), a word the dictionary lacks, or a
            // name. 不動産会社 and 近所の人 are descriptions.
            // Or kanji shaped like a name, read as no one word (有 + 耳 + 子).
            let shaped = (2..=4).contains(&run.chars().count())
                && run.chars().all(is_kanji)
                && morphs.len() > 1
                && name_shapes(self.analyzer).shaped(&run);
            let garbled = shaped
                || morphs.iter().any(|m| {
                    m.is_unknown()
                        || m.is_person_name() && m.pos[1] != "接尾"
                        || no_description_part(m)
                });
            if !garbled
                || role_word(&run)
                || LOANWORDS
                    .iter()
                    .chain(COUNTER_KATAKANA)
                    .any(|w| run.starts_with(w))
                // 子 ends kin (息子) and given names (有耳子) alike.
                || KIN
                    .iter()
                    .chain(KIN_ROLES)
                    .any(|k| run.ends_with(k) && (run == *k || !shaped))
                // Kin and people in kana (むすめの代理で).
                || [NOT_KIN_NAMES, KANA_NOT_NAMES, CALLED_BY, KIN_IN_KANA]
                    .iter()
                    .any(|l| l.contains(&run.as_str()))
                || run.ends_with("の者")
            {
                continue;
            }
            out.push(Span {
                kind: Kind::Name,
                start,
                end: at,
            });
        }
    }

    /// A resident giving their name at the start of what they say: 陳です。,
    /// はい、林です, 王偉です. A run of one to four kanji whose first word is a
    /// family name to the dictionary, then です and the end of the sentence.
    /// (住民票です or 本人です: no family name.)
    fn introductions(&self, out: &mut Vec<Span>) {
        for (k, m) in self.morphs.iter().enumerate() {
            let start = self.mspan[k].0;
            // …or after こちら or 私は (こちら出口です, on the phone).
            let at_start = match self.char_before(start) {
                None => true,
                Some(c) => "、。 「".contains(c),
            } || ["こちら", "こちらは", "私は", "わたしは"].iter().any(|l| {
                self.before(start, 5).ends_with(l)
                    && self
                        .char_before(start - l.chars().count())
                        .is_none_or(|c| "、。 「".contains(c))
            });
            // A family or full name in hiragana, as the recognizer may
            // write one (こばやしと申します, はい、たなかです).
            if at_start && is_hiragana(self.chars[start]) {
                if let Some(end) = self.kana_name_said(start) {
                    out.push(Span {
                        kind: Kind::Name,
                        start,
                        end,
                    });
                    continue;
                }
            }
            // はい、端側県太郎です (長谷川健太郎 misheard): a run of kanji
            // that ends with a given name that is no word (太郎, not 大地),
            // before です and the end, is one's name, whatever is before it.
            if at_start && is_kanji(self.chars[start]) {
                let end = (start..self.chars.len())
                    .take_while(|&c| is_kanji(self.chars[c]))
                    .last()
                    .map_or(start, |c| c + 1);
                let rest = self.after(end, 3);
                let closes = rest.starts_with("です")
                    && rest.chars().nth(2).is_none_or(|c| "。、！!".contains(c));
                let given_end = (2..=3).any(|n| {
                    let given = self.text(end.saturating_sub(n), end);
                    let alone = self.analyzer.morphs(&given);
                    end - start > n
                        && self.analyzer.is_given_name(&given)
                        && alone.len() == 1
                        && alone[0].is_person_name()
                });
                if closes && (3..=7).contains(&(end - start)) && given_end {
                    out.push(Span {
                        kind: Kind::Name,
                        start,
                        end,
                    });
                    continue;
                }
                // はい、陽翔です, 大翔から電話がありました: a modern given name
                // of two kanji or more that the dictionary reads as no one
                // everyday word, alone at the start before です and the
                // end, or before から and a call.
                let run = self.text(start, end);
                let called = rest.starts_with("から")
                    && CONTACTS
                        .iter()
                        .any(|c| self.after(end + 2, 3).starts_with(c));
                let modern = end - start >= 2 && modern_given_name(&run) && {
                    let alone = self.analyzer.morphs(&run);
                    alone.len() != 1 || alone[0].is_person_name() || alone[0].is_unknown()
                };
                if (closes || called) && modern {
                    out.push(Span {
                        kind: Kind::Name,
                        start,
                        end,
                    });
                    continue;
                }
            }
            if !at_start || !(m.pos[3] == "姓" || self.family[k]) {
                continue;
            }
            let mut end = start;
            while end < self.chars.len() && is_kanji(self.chars[end]) && end - start < 4 {
                end += 1;
            }
            let rest = self.after(end, 8);
            let said = (rest.starts_with("です")
                && rest
                    .chars()
                    .nth(2)
                    .is_none_or(|c| "。、！!がけ".contains(c)))
                || rest.starts_with("でございます")
                || rest.starts_with("と言います")
                || rest.starts_with("といいます");
            if said && is_kanji(self.chars[start]) && !place_word(m) {
                out.push(Span {
                    kind: Kind::Name,
                    start,
                    end,
                });
            }
        }
    }

    /// Where a family name (or a full name) said in hiragana from `start`
    /// ends, when what follows gives it as one's name: と申します,
    /// といいます, と言います, or です at the end of what is said. Three to
    /// eight kana that sound like a family name the dictionary knows (or a
    /// family and a given name); except before と申します, not a word the
    /// dictionary knows (けっこうです, じょうたいといいます).
    fn kana_name_said(&self, start: usize) -> Option<usize> {
        let mut run = start;
        while run < self.chars.len() && is_hiragana(self.chars[run]) && run - start < 12 {
            run += 1;
        }
        (start + 3..=run.min(start + 8)).rev().find(|&end| {
            let rest = self.after(end, 6);
            let named = ["と申し", "でございます"]
                .iter()
                .any(|r| rest.starts_with(r));
            let said = ["といいます", "と言います", "になります"]
                .iter()
                .any(|r| rest.starts_with(r))
                || rest.starts_with("です")
                    && rest.chars().nth(2).is_none_or(|c| "。、！!".contains(c));
            if !named && !said {
                return false;
            }
            let kana: String = self.chars[start..end].iter().collect();
            let sound = to_katakana(&kana);
            let name = self.kana_family.contains(&sound) || self.kana_full_name(&kana);
            // A word the dictionary knows, not a noun (けっこう, だいじょうぶ);
            // hiragana nouns that sound like family names are mostly written
            // names (しばやま), and so are verb forms, which never stand
            // before です (たがわ, むかえ).
            let word = || {
                let m = self.analyzer.morphs(&kana);
                m.len() == 1
                    && !m[0].is_unknown()
                    && !m[0].is_person_name()
                    && !m[0].is_noun()
                    && m[0].pos[0] != "動詞"
            };
            // 世帯主はいないです, 名前はないです: an answer (稲井 in kana is
            // rarer than that; さない stays a name).
            let negative = ["いない", "ない"].contains(&kana.as_str());
            name && (named || !word() && !negative)
        })
    }

    /// Widens a name in kanji over the kanji it was cut from, so that no
    /// part of a name shows: 三宅川 of 三宅川百太郎, 伊 of 伊野本孝一, 為光 of
    /// 宇土為光, 加 of 明貴美加. A neighbour joins when it touches the name
    /// and is a lone kanji, or a proper noun or word the dictionary cannot
    /// read (not a place or a company), up to three letters a side and six
    /// in all; titles, honorifics, suffixes and place words never join
    /// (田中部長, 山田様, 鈴木家, 葛飾区).
    fn widen_kanji(&self, span: &mut Span) {
        if !(span.start..span.end).all(|c| is_kanji(self.chars[c])) {
            return;
        }
        // Only administrative place words stop it: 川 of 三宅川 is read as a
        // place suffix too.
        let administrative = |m: &Morph| {
            OFFICES.iter().any(|o| m.surface.starts_with(o))
                || ["区", "市", "町", "村", "県", "都", "府", "道", "郡"]
                    .contains(&m.surface.as_str())
        };
        // What never joins a name: places, people, roles, honorifics.
        let stops = |x: usize| {
            let m = &self.morphs[x];
            administrative(m)
                || PEOPLE_WORDS.contains(&m.surface.as_str())
                || matches!(
                    m.surface.as_str(),
                    "方" | "等" | "宛" | "課" | "係" | "宅" | "邸"
                )
                || HONORIFICS.contains(&m.surface.as_str())
                || NOT_NAMES.contains(&m.surface.as_str())
                || KIN.contains(&m.surface.as_str())
                || self.person_title_at(self.mspan[x].0)
        };
        let joins = |x: usize, left: bool| {
            let m = &self.morphs[x];
            let len = m.surface.chars().count();
            let lone = len == 1
                && m.is_noun()
                && !matches!(m.pos[1].as_str(), "数" | "代名詞")
                && !(m.pos[1] == "接尾" && m.pos[2] != "地域");
            // A family name read as a place only before the name (三宅 +
            // 川 + 百太郎).
            let proper =
                (m.pos[1] == "固有名詞" && m.pos[2] != "組織" && (left || m.pos[2] != "地域"))
                    || unread_word(m);
            !m.surface.is_empty()
                && m.surface.chars().all(is_kanji)
                && (lone || proper && len <= 3)
                && !stops(x)
        };
        let (mut added_left, mut added_right) = (0, 0);
        loop {
            let left = self.mspan.iter().position(|&(_, e)| e == span.start);
            if let Some(x) = left.filter(|&x| joins(x, true)) {
                let len = self.mspan[x].1 - self.mspan[x].0;
                if added_left + len <= 3 && span.end - self.mspan[x].0 <= 6 {
                    span.start = self.mspan[x].0;
                    added_left += len;
                    continue;
                }
            }
            let right = self.mspan.iter().position(|&(s, _)| s == span.end);
            if let Some(x) = right.filter(|&x| joins(x, false)) {
                let len = self.mspan[x].1 - self.mspan[x].0;
                if added_right + len <= 3 && self.mspan[x].1 - span.start <= 6 {
                    span.end = self.mspan[x].1;
                    added_right += len;
                    continue;
                }
            }
            break;
        }
        // What is left of the kanji run after a name, when it is two kanji
        // the dictionary reads only as pieces (a prefix, a suffix, one
        // kanji: 千花 + 有 + 黄), is the rest of the name: shown, it would
        // give half of it away. Not before it: a title (督弁趙秉稷).
        let piece = |x: usize| {
            let m = &self.morphs[x];
            let p = m.pos[1].as_str();
            m.surface.chars().count() == 1
                && (m.pos[0] == "接頭詞"
                    || m.is_noun() && !matches!(p, "数" | "代名詞" | "固有名詞")
                    || m.is_unknown())
                && (p != "接尾" || !matches!(m.pos[2].as_str(), "人名" | "地域" | "助数詞"))
                && !stops(x)
        };
        let run_end = (span.end..self.chars.len())
            .take_while(|&c| is_kanji(self.chars[c]))
            .last()
            .map_or(span.end, |c| c + 1);
        // Two kanji, not both suffixes (局, 派, 役 after a name stay words).
        let pieces = |from: usize, to: usize| {
            let (mut at, mut suffixes) = (from, 0);
            while at < to {
                match self.mspan.iter().position(|&(s, _)| s == at) {
                    Some(x) if self.mspan[x].1 <= to && piece(x) => {
                        suffixes += usize::from(self.morphs[x].pos[1] == "接尾");
                        at = self.mspan[x].1;
                    }
                    _ => return false,
                }
            }
            to - from == 2 && suffixes < 2
        };
        if pieces(span.end, run_end) {
            span.end = run_end;
        }

        // The last kanji of a given name read with the particle after it as
        // one word (田中昇 + 吾が of 田中昇吾が).
        let after = self.mspan.iter().position(|&(s, _)| s == span.end);
        if span.end - span.start >= 2
            && after.is_some_and(|x| {
                let m = &self.morphs[x];
                m.pos[0] == "連体詞" && ["吾が", "我が"].contains(&m.surface.as_str())
            })
        {
            span.end += 1;
        }
    }

    /// A job or title a rule took in with the name (入山所長から電話 read as
    /// a full name 入山 + 所長) is left out of it: the clerk reads
    /// ［氏名1］所長. Only when two letters or more of the name are left.
    fn trim_title(&self, span: &mut Span) {
        let Some(last) = self
            .mspan
            .iter()
            .position(|&(s, e)| e == span.end && s > span.start)
        else {
            return;
        };
        if title_word(&self.morphs[last]) && self.mspan[last].0 - span.start >= 2 {
            span.end = self.mspan[last].0;
        }
    }

    /// Widens a name in kanji (a family name) over a given name in kana
    /// right after it or after a space, however the dictionary split it
    /// (速水 + けん + たろ + う, 逢月ひな, 田中 はなこ, 田中マリア): see
    /// [`Doc::kana_given_end`].
    fn widen_kana_given(&self, span: &mut Span) {
        // With a space between (田中 はなこです).
        if span.end - span.start >= 2
            && (span.start..span.end).all(|c| is_kanji(self.chars[c]))
            && self
                .char_at(span.end)
                .is_some_and(|c| c == ' ' || c == '　')
            && self
                .char_at(span.end + 1)
                .is_some_and(|c| is_hiragana(c) || is_katakana(c))
        {
            if let Some(end) = self.kana_given_end(span.end + 1, span.end + 3, true) {
                span.end = end;
            }
            return;
        }
        // Where the kana begin: the name may already hold some of them
        // (田中ゆう + と, as the dictionary read ゆう).
        let kana_from = (span.start..span.end)
            .find(|&c| !is_kanji(self.chars[c]))
            .unwrap_or(span.end);
        if kana_from == span.start
            || !(kana_from..span.end).all(|c| is_hiragana(self.chars[c]))
            || !self
                .char_at(span.end)
                .is_some_and(|c| is_hiragana(c) || kana_from == span.end && is_katakana(c))
        {
            return;
        }
        if let Some(end) = self.kana_given_end(kana_from, span.end + 1, true) {
            span.end = end;
        }
    }

    /// Widens a name after 名前は or a role and は to the です that ends
    /// what is said: the slot holds one name, so what the recognizer made
    /// of the rest of it is the name too (名前は千葉作らです for 千葉さくら).
    /// Up to four letters, no pause or mark, not a negation (名前は田中では
    /// ないです).
    fn widen_to_slot_end(&self, span: &mut Span) {
        let lead = self.before(span.start, 5);
        let slot = lead.ends_with("名前は")
            || ROLE_NOUNS.iter().any(|r| lead.ends_with(&format!("{r}は")));
        if !slot {
            return;
        }
        let rest = self.after(span.end, 7);
        let Some(b) = rest.find("です") else {
            return;
        };
        let between = &rest[..b];
        let n = between.chars().count();
        let closes = rest[b + "です".len()..]
            .chars()
            .next()
            .is_none_or(|c| "。、ねよ".contains(c));
        if (1..=4).contains(&n)
            && closes
            && between
                .chars()
                .all(|c| is_kanji(c) || is_hiragana(c) || is_katakana(c))
            && !between.starts_with(['の', 'が', 'で', 'も', 'と', 'に', 'は', 'を'])
            && !between.contains("では")
            && !between.contains("じゃ")
            && !between.ends_with("ない")
            && !HONORIFICS.iter().any(|h| between.starts_with(h))
        {
            span.end += n;
        }
    }

    /// Widens a name in hiragana over the hiragana around it when together
    /// they sound like a name the lists know, so no part of it shows: ただ +
    /// やす of ただやす, もん before the particle of …もんの, いえ + … (the
    /// rules found a shorter name inside the run). The longest such run,
    /// up to three letters a side.
    fn widen_kana_to_named(&self, span: &mut Span) {
        if !(span.start..span.end).all(|c| is_hiragana(self.chars[c])) {
            return;
        }
        let mut best: Option<(usize, usize)> = None;
        for a in (span.start.saturating_sub(3)..=span.start)
            .filter(|&a| (a..span.start).all(|c| is_hiragana(self.chars[c])))
        {
            for b in span.end..=(span.end + 3).min(self.chars.len()) {
                if !(span.end..b).all(|c| is_hiragana(self.chars[c])) {
                    break;
                }
                // Not over the particle after it (ひな + の出生届 is no
                // ひなの).
                if (a, b) == (span.start, span.end)
                    || b > span.end && "のがはにとをもへで".contains(self.chars[b - 1])
                {
                    continue;
                }
                // Not a particle that follows the name (はるとの, さくらが):
                // the run must end where the hiragana end or before one.
                let ends = self.char_at(b).is_none_or(|c| !is_hiragana(c))
                    || self
                        .after(b, 2)
                        .starts_with(['の', 'が', 'は', 'に', 'と', 'を', 'も', 'か'])
                    || self.after(b, 2).starts_with("です")
                    || self.after(b, 2).starts_with("さん");
                // Nor over the particle before it (世帯主は + …).
                let starts = self.char_before(a).is_none_or(|c| !is_hiragana(c))
                    && (a == span.start
                        || self.char_before(a).is_none_or(|c| "、。 「".contains(c))
                        || !"のがはにとをもへで".contains(self.chars[a]));
                if ends
                    && starts
                    && b - a >= 3
                    && self.kana_sounds_named(&self.text(a, b))
                    && best.is_none_or(|(x, y)| b - a > y - x)
                {
                    best = Some((a, b));
                }
            }
        }
        if let Some((a, b)) = best {
            span.start = a;
            span.end = b;
        }
    }

    /// Widens a name over a family name said in hiragana before it and a
    /// pause (しばやま、まことさん). Hiragana only: over katakana, one name
    /// of a list took its neighbour's span (Wikipedia).
    fn widen_kana_family_before_pause(&self, span: &mut Span) {
        if span.start <= 3 || !matches!(self.chars[span.start - 1], '、' | ' ') {
            return;
        }
        let end = span.start - 1;
        let mut from = end;
        while from > 0 && is_hiragana(self.chars[from - 1]) && end - from < 8 {
            from -= 1;
        }
        let opens = from == 0 || !self.chars[from - 1].is_alphabetic();
        let kana: String = self.chars[from..end].iter().collect();
        if opens && end - from >= 3 && self.kana_family.contains(&to_katakana(&kana)) {
            span.start = from;
        }
    }

    /// Whether a word in kana may begin at char offset `at`: first, after a
    /// mark or after a particle (は of 世帯主は, で of 受付で), not inside a
    /// word (起こった, したばかりの).
    fn kana_word_begins(&self, at: usize) -> bool {
        at == 0
            || !self.chars[at - 1].is_alphanumeric()
            || "はがをのにともへで".contains(self.chars[at - 1])
    }

    /// Widens a given name in katakana over the family name in kanji right
    /// before it, though the dictionary reads that as a place (松本 + ミア,
    /// 林 + ミア): the kanji run, one to three, that is a family name.
    fn widen_family_before_katakana(&self, span: &mut Span) {
        if span.start == 0 || !(span.start..span.end).all(|c| is_katakana(self.chars[c])) {
            return;
        }
        let mut from = span.start;
        while from > 0 && is_kanji(self.chars[from - 1]) && span.start - from < 3 {
            from -= 1;
        }
        // The whole kanji run before it, if a family name (not 市 of
        // 松本市, nor part of a longer run).
        let whole_run = from < span.start && (from == 0 || !is_kanji(self.chars[from - 1]));
        if whole_run && is_family_name(self.analyzer, &self.text(from, span.start)) {
            span.start = from;
        }
    }

    /// Widens a name that begins in kanji over a family name in hiragana
    /// right before it, as the recognizer writes a family name it does not
    /// know (もとむら美智子, 世帯主はたかはし花子): the longest run of three
    /// to five kana ending there that sounds like a family name the
    /// dictionary knows, also with the kana the name took (わた + なべ大輔).
    fn widen_kana_family_before(&self, span: &mut Span) {
        if span.start == 0
            || !self
                .chars
                .get(span.start)
                .is_some_and(|&c| is_kanji(c) || is_hiragana(c))
        {
            return;
        }
        // The name's own leading kana (なべ of なべ大輔), if any.
        let lead = (span.start..span.end)
            .take_while(|&c| is_hiragana(self.chars[c]))
            .count();
        if lead == span.end - span.start {
            return;
        }
        let lead_kana: String = self.chars[span.start..span.start + lead].iter().collect();
        if let Some(f) = self.kana_family_before(span.start, &lead_kana) {
            span.start = f;
        }
    }

    /// Where a family name said in hiragana begins that ends at `at`: the
    /// longest run of up to five kana before it, where a word begins, that
    /// with `lead` (kana after `at` that belong to it: なべ of わた|なべ大輔)
    /// makes three kana or more and sounds like a family name the dictionary
    /// knows.
    fn kana_family_before(&self, at: usize, lead: &str) -> Option<usize> {
        let mut from = at;
        while from > 0 && is_hiragana(self.chars[from - 1]) && at - from < 5 {
            from -= 1;
        }
        (from..at).find(|&f| {
            at - f + lead.chars().count() >= 3
                && self.kana_word_begins(f)
                && self
                    .kana_family
                    .contains(&to_katakana(&format!("{}{lead}", self.text(f, at))))
        })
    }

    /// A family name in hiragana, where a word begins, then a given name in
    /// kanji, before what ends a name (いけわき大成です, ぬなみ優二の分も,
    /// 世帯主はすぎくぼ良重です): the recognizer writes a family name it does
    /// not know as it heard it. The kana must sound like a family name the
    /// dictionary knows, in any reading; the kanji (one to three) must be a
    /// given name it or the modern list knows, or be shaped like one.
    fn kana_family_then_given(&self, out: &mut Vec<Span>) {
        let shapes = name_shapes(self.analyzer);
        for (ks, run_end) in self.char_runs(is_kanji) {
            // Not an honorific in kanji after it (吉政宛て, 良重様).
            let ke = if run_end - ks >= 2 && "宛様殿氏君".contains(self.chars[run_end - 1]) {
                run_end - 1
            } else {
                run_end
            };
            if !(1..=3).contains(&(ke - ks)) {
                continue;
            }
            let given = self.text(ks, ke);
            let given_like = self.analyzer.is_given_name(&given)
                || modern_given_name(&given)
                || ke - ks >= 2 && shapes.given_shaped(&given);
            let rest = self.after(ke, 4);
            let closes = rest.is_empty()
                || KANA_GIVEN_ENDS.iter().any(|c| rest.starts_with(c))
                || rest.starts_with("です");
            if !given_like || !closes {
                continue;
            }
            if let Some(f) = self.kana_family_before(ks, "") {
                out.push(Span {
                    kind: Kind::Name,
                    start: f,
                    end: ke,
                });
            }
        }
    }

    /// Where a given name said in kana from `from` ends: the longest
    /// run of two to six kana, ending at `min_end` or later, that sounds
    /// like a given name the dictionary or the modern list knows and is
    /// followed by a particle, です, an honorific or a pause. Words that
    /// follow names (から, まで, だけ) are none.
    ///
    /// After what is already a name (`named`), also a katakana word the
    /// dictionary does not know or knows as a proper noun other than a
    /// country (田中ソフィアです: Sofia is a city to it).
    fn kana_given_end(&self, from: usize, min_end: usize, named: bool) -> Option<usize> {
        // In hiragana or in katakana (田中マリアです), one script throughout.
        let katakana = self.char_at(from).is_some_and(is_katakana);
        let same = |c: char| {
            if katakana {
                is_katakana(c)
            } else {
                is_hiragana(c)
            }
        };
        let mut run = from;
        while run < self.chars.len() && same(self.chars[run]) && run - from < 7 {
            run += 1;
        }
        // A katakana name is the whole katakana word (not サクラ of
        // サクラソウ).
        let min_end = if katakana { run } else { min_end };
        (min_end.max(from + 2)..=run.min(from + 6))
            .rev()
            .find(|&end| {
                let rest: String = self.chars[end..self.chars.len().min(end + 4)]
                    .iter()
                    .collect();
                let closed = rest.is_empty() || KANA_GIVEN_ENDS.iter().any(|c| rest.starts_with(c));
                let kana: String = self.chars[from..end].iter().collect();
                // 宮崎かなと思います (a question to oneself), 品川ゆきのバス
                // (bound for).
                let word = match kana.as_str() {
                    "かな" => ["と思", "って", "?", "？"]
                        .iter()
                        .any(|r| rest.starts_with(r)),
                    "ゆき" => ["のバス", "の電車", "の便", "の列車"]
                        .iter()
                        .any(|r| rest.starts_with(r)),
                    _ => false,
                };
                closed
                    && !word
                    && !KANA_NOT_GIVEN.contains(&kana.as_str())
                    && (self.kana_given.contains(&to_katakana(&kana))
                        || katakana && self.analyzer.is_listed_person(&kana)
                        || katakana
                            && named
                            && !LOANWORDS.contains(&kana.as_str())
                            && self.analyzer.morphs(&kana).iter().all(|m| {
                                unread_word(m) || m.pos[1] == "固有名詞" && m.pos[3] != "国"
                            }))
            })
    }

    /// A family name the dictionary knows, however it read the text here
    /// (山口, 松本: places too; 井 + 上り), then a given name in hiragana
    /// (山口だいきです, 井上りなの母です, 林ともやから): a full name. By
    /// characters: the kanji right before the kana, the longest that is a
    /// family name.
    fn family_then_kana_given(&self, out: &mut Vec<Span>) {
        for e in 1..self.chars.len() {
            if !is_kanji(self.chars[e - 1])
                || !(is_hiragana(self.chars[e]) || is_katakana(self.chars[e]))
            {
                continue;
            }
            let mut s = e - 1;
            while s > 0 && is_kanji(self.chars[s - 1]) && e - s < 4 {
                s -= 1;
            }
            let Some(start) = (s..e).find(|&st| {
                let word: String = self.chars[st..e].iter().collect();
                is_family_name(self.analyzer, &word)
            }) else {
                continue;
            };
            // A one-kanji family name only where the dictionary reads no
            // word across it and the kana (向かい, 上り, 下さい).
            let across = self
                .mspan
                .iter()
                .position(|&(a, b)| a < e && b > e)
                .is_some_and(|x| !self.morphs[x].is_unknown() && !self.morphs[x].is_person_name());
            if e - start == 1 && across {
                continue;
            }
            if let Some(end) = self.kana_given_end(e, e + 2, false) {
                out.push(Span {
                    kind: Kind::Name,
                    start,
                    end,
                });
            }
        }
    }

    /// Widens a name over katakana words joined to it by spaces (グエン
    /// ヴァン アン, where only ヴァン アン was found).
    fn widen_spaced(&self, span: &mut Span) {
        let all_kana = |a: usize, b: usize| a < b && (a..b).all(|c| is_katakana(self.chars[c]));
        if !all_kana(span.start, span.end) && !self.chars[span.start..span.end].contains(&' ') {
            return;
        }
        // フェ + レイラ: a name found inside a katakana word is the whole word.
        if all_kana(span.start, span.end) {
            while span.start > 0 && is_katakana(self.chars[span.start - 1]) {
                span.start -= 1;
            }
            while span.end < self.chars.len() && is_katakana(self.chars[span.end]) {
                span.end += 1;
            }
        }
        loop {
            // " " then a katakana word before the span.
            if span.start >= 2 && self.chars[span.start - 1] == ' ' {
                let mut s = span.start - 1;
                while s > 0 && is_katakana(self.chars[s - 1]) {
                    s -= 1;
                }
                if span.start - 1 - s >= 2 {
                    span.start = s;
                    continue;
                }
            }
            if span.end + 2 < self.chars.len() && self.chars[span.end] == ' ' {
                let mut e = span.end + 1;
                while e < self.chars.len() && is_katakana(self.chars[e]) {
                    e += 1;
                }
                if e - span.end > 2 {
                    span.end = e;
                    continue;
                }
            }
            break;
        }
    }

    /// Names listed beside names: in 島、池田、桝 or 伊藤・壇蜜・岩井志麻子
    /// the dictionary knows only some; the others are names too. A list is
    /// runs of kanji or katakana joined by 、 or ・; it counts when two of
    /// its items are names already found, or one of three or more. An item
    /// joins only if it looks like a name: no counter, number or suffix, no
    /// place or loanword.
    /// Who a life event happened to: a surname or a katakana word as the
    /// subject of dying, being born or marrying (千葉が亡くなりまして, 植木が
    /// 生まれました), or as the one married (宮崎と結婚しました) — what 死亡届
    /// and 婚姻届 are about. The dictionary may know the word as a place
    /// (千葉) or a thing (マーカー); as the one who died or married, it is a
    /// person. The event must come in the same clause with no other subject
    /// between (千葉は、父が亡くなって… leaves 千葉 alone).
    fn life_events(&self, out: &mut Vec<Span>) {
        let n = self.morphs.len();
        for k in 0..n.saturating_sub(2) {
            let m = &self.morphs[k];
            let (mut start, end) = self.mspan[k];
            // A full name in kanji the dictionary cut into words after the
            // family name (福澤 + 桃 + 介, 清岡 + 卓 + 行): from the family
            // name, three to five kanji in all.
            let full = {
                let mut s = k;
                while s > 0
                    && k - s < 3
                    && is_kanji_word(&self.morphs[s - 1])
                    && self.mspan[s - 1].1 == self.mspan[s].0
                {
                    s -= 1;
                }
                // 土屋圭市, 清岡卓行: after a given name the dictionary
                // tags, a 市 or 行 ends the given name, not a place.
                let given_before = (s..k).any(|x| self.morphs[x].pos[3] == "名");
                // 林 + 湊: a one-kanji family name and a one-kanji given
                // name, two in all.
                let two = |f: usize| {
                    f + 1 == k
                        && self.morphs[f].pos[3] == "姓"
                        && end - self.mspan[f].0 == 2
                        && m.is_noun()
                        && !matches!(m.pos[1].as_str(), "接尾" | "数" | "非自立")
                };
                // Not a word with an honorific (大家 + さん, 上司 + さん).
                let honorific = HONORIFICS.contains(&m.surface.as_str());
                (s..k).find(|&f| self.family[f]).filter(|&f| {
                    !honorific
                        && ((3..=5).contains(&(end - self.mspan[f].0)) || two(f))
                        && !self.char_before(self.mspan[f].0).is_some_and(is_kanji)
                        && (!place_word(m) || given_before && end - self.mspan[k].0 == 1)
                })
            };
            if let Some(f) = full {
                start = self.mspan[f].0;
            }
            let len = end - start;
            let katakana = m.surface.chars().all(is_katakana) && (1..=10).contains(&len);
            let surname = full.is_some()
                || (self.family[k] || m.pos[3] == "姓") && is_kanji_word(m) && len >= 2;
            // Any other proper noun of two or three kanji (新潟, a surname
            // too), but only as the one who died or married: a place may
            // be "born" (新しい市が生まれる), never die or marry.
            let proper = m.pos[1] == "固有名詞" && is_kanji_word(m) && (2..=3).contains(&len);
            // A one-kanji family name (林, 森, 東) only where what is said
            // begins: 林が亡くなりました, はい、森に頼まれて (東の森が is a forest).
            let begins = self.begins(full.unwrap_or(k));
            // 上が小学生で下が保育園です: the elder and the younger child.
            let one_kanji = self.family[k]
                && is_kanji_word(m)
                && len == 1
                && !["上", "下", "中", "前", "後", "隣", "奥"].contains(&m.surface.as_str());
            let single = one_kanji && begins;
            // A family name of any length (松本, read as a place) where what
            // is said begins, for what is done under a name.
            let family_begins = (self.family[k] || full.is_some()) && is_kanji_word(m) && begins;
            // A katakana word that could be a name (グエン, サントス, ワン),
            // not a country, a company or a loanword (ネットで予約).
            let kata_name = katakana
                && (m.is_person_name()
                    || m.pos[1] == "固有名詞" && !matches!(m.pos[2].as_str(), "組織")
                    || unread_word(m) && len <= 6
                    || self.kata_person(k))
                && m.pos[3] != "国";
            let named_begins = family_begins || kata_name && begins;
            // Four letters or more: short ones are names of residents too
            // (ラムから電話, ファンから頼まれました).
            let everyday_kata = katakana
                && len >= 4
                && (everyday_word(m) && !self.listed[k]
                    || COUNTER_KATAKANA.contains(&m.surface.as_str()));
            if !(katakana || surname || proper || one_kanji || family_begins)
                || m.pos[3] == "国"
                || self
                    .char_before(start)
                    .is_some_and(|c| is_katakana(c) || (!katakana && is_kanji(c)))
                || self.mspan[k + 1].0 != end
                || NOT_NAMES.contains(&m.surface.as_str())
                || LOANWORDS.contains(&m.surface.as_str())
            {
                continue;
            }
            let particle = self.morphs[k + 1].surface.as_str();
            // A family name and a given name the lists know (林 + 紬, 森 +
            // 心春), not a family name and a word (霜月 + 騒動, 太田 + 派).
            let full_with_given = full.is_some_and(|f| {
                let given = self.text(self.mspan[f + 1].0, end);
                self.analyzer.is_given_name(&given) || modern_given_name(&given)
            });
            // 渋谷名義の通帳: whose name an account or a thing is in.
            if (surname || katakana) && self.after(end, 2) == "名義" {
                out.push(Span {
                    kind: Kind::Name,
                    start,
                    end,
                });
                continue;
            }
            // A family name the dictionary also knows as an everyday word
            // (大木, 川原, 若葉) where what is said begins, before に, から,
            // が or と: at a counter, a person (大木に渡してもらえますか,
            // 若葉から聞いてきました). One it knows as a place (服部, 千葉)
            // only as the subject (服部が転入しました); 千葉から, 千葉は遠い
            // and 新潟の親戚 are places.
            let particle_here = particle_of(&self.morphs[k + 1]);
            let opens = self.family[k]
                && full.is_none()
                && begins
                && is_kanji_word(m)
                && len >= 2
                && ![KIN, KIN_ROLES, NOT_NAMES]
                    .iter()
                    .any(|l| l.contains(&m.surface.as_str()))
                && if m.is_place() {
                    particle_here == Some("が")
                } else {
                    // 片方の書類, 大橋を渡る: before の, を, は … an everyday
                    // word is as likely; の counts before kin and one's own
                    // things (below).
                    matches!(particle_here, Some("に" | "から" | "が" | "と"))
                };
            if opens {
                out.push(Span {
                    kind: Kind::Name,
                    start,
                    end,
                });
                continue;
            }
            // 出口が申請者です: the holder of a role; 渋谷は私の夫です: one's kin.
            if matches!(particle, "が" | "は") && (katakana || surname || single) {
                let rest = self.after(self.mspan[k + 1].1, 10);
                let my_kin = ["私の", "わたしの", "僕の", "うちの"].iter().any(|p| {
                    rest.strip_prefix(p)
                        .is_some_and(|t| KIN.iter().any(|kin| t.starts_with(kin)))
                });
                if my_kin
                    || ROLE_NOUNS.iter().any(|r| {
                        rest.strip_prefix(r)
                            .is_some_and(|t| t.starts_with('で') || t.starts_with("になります"))
                    })
                {
                    out.push(Span {
                        kind: Kind::Name,
                        start,
                        end,
                    });
                    continue;
                }
            }
            let events: &[&[&str]] = match particle {
                "が" | "は" if surname || kata_name => {
                    &[DEATHS, MARRIAGE, BIRTHS, PERSON_ACTS, PERSON_EVENTS]
                }
                "が" | "は" if katakana => &[DEATHS, MARRIAGE, BIRTHS, PERSON_ACTS],
                "が" | "は" if single => &[DEATHS, MARRIAGE, PERSON_ACTS],
                "が" | "は" if !one_kanji => &[DEATHS, MARRIAGE],
                // 受付で林と呼ばれました: how one is called, wherever it stands.
                "と" if (self.family[k] || full_with_given) && is_kanji_word(m) || kata_name => {
                    &[MARRIAGE, NAMED_AS]
                }
                // 受付でファンと呼ばれました: any katakana word one is
                // called by is a name, though the dictionary knows it as a
                // word (ファン, ライ).
                "と" if katakana && !COUNTER_KATAKANA.contains(&m.surface.as_str()) => {
                    &[MARRIAGE, CALLED]
                }
                "と" => &[MARRIAGE],
                // Not a katakana word for a place or a service the dictionary
                // knows (クリニックから電話, デイサービスから連絡, センターから):
                // they call too.
                "に" | "から" if katakana && !everyday_kata || surname || single => {
                    &[ASKED_BY, CONTACTS]
                }
                // Not the script a name is registered in (カナで登録).
                "で" if named_begins
                    && !["カナ", "カタカナ", "ローマ"].contains(&m.surface.as_str()) =>
                {
                    &[BOOKED]
                }
                // ライの住民票をください: papers only a person has, of a
                // katakana word the dictionary knows as a word, where what
                // is said begins (コンビニの住民票 stays).
                "の" if katakana
                    && !named_begins
                    && !COUNTER_KATAKANA.contains(&m.surface.as_str())
                    // Anywhere, a word that could be a name (こちらはチュオン
                    // の委任状です); where what is said begins, also one
                    // or two syllables the dictionary knows as a word, as
                    // Asian family names are (ライ, ファン, コウ); カラー
                    // and デジタル stay.
                    && (kata_name
                        || (begins || self.this_is_before(start))
                            && len <= 3
                            && !m.surface.contains('ー')
                        || begins && !everyday_word(m)) =>
                {
                    let rest = self.after(self.mspan[k + 1].1, 8);
                    if PERSONAL_PAPERS.iter().any(|t| rest.starts_with(t))
                        || KIN
                            .iter()
                            .any(|t| t.chars().count() > 1 && rest.starts_with(t))
                    {
                        out.push(Span {
                            kind: Kind::Name,
                            start,
                            end,
                        });
                    }
                    continue;
                }
                // 林の住民票をください: a thing of one's own, right after の.
                "の" if named_begins => {
                    // …or their kin (出口の娘が来ます) or household.
                    let next = self.morphs[k + 2].base.as_str();
                    let rest = self.after(self.mspan[k + 1].1, 8);
                    if OWN_THINGS.iter().any(|t| rest.starts_with(t))
                        || KIN.contains(&next)
                        || KIN
                            .iter()
                            .any(|t| t.chars().count() > 1 && rest.starts_with(t))
                        || ["方から", "方が", "方は", "方に", "方と", "代わり"]
                            .iter()
                            .any(|t| rest.starts_with(t))
                        || ["子ども", "子供", "お子さん"]
                            .iter()
                            .any(|c| rest.starts_with(c))
                    {
                        out.push(Span {
                            kind: Kind::Name,
                            start,
                            end,
                        });
                    }
                    continue;
                }
                _ => continue,
            };
            if self.event_follows(k + 2, 8, &["。", "が", "は", "、", "？", "?"], events) {
                out.push(Span {
                    kind: Kind::Name,
                    start,
                    end,
                });
            }
        }
    }

    /// Whether a word of one of `events` (by its dictionary form) comes in
    /// the `within` morphs from morph `from`, before any of `stops` ends
    /// the clause: 千葉が|先月亡くなりまして.
    fn event_follows(
        &self,
        from: usize,
        within: usize,
        stops: &[&str],
        events: &[&[&str]],
    ) -> bool {
        self.morphs
            .get(from..)
            .unwrap_or_default()
            .iter()
            .take(within)
            .take_while(|x| !stops.contains(&x.surface.as_str()))
            .any(|x| events.iter().any(|e| e.contains(&x.base.as_str())))
    }

    /// Children and kin by their given names, as 出生届 and 死亡届 bring
    /// them up: 蓮が生まれたので (a given name, where what is said begins),
    /// 息子の海が生まれました, 妻の結愛が来られません, 長男の陽翔の保険証です
    /// (after kin and の). Any short noun there, or where what is said
    /// begins, is a name when it was born or died right after が or は (海,
    /// 空 and さくら are names too; not one with a suffix, 加入者が亡くなった
    /// とき); for anything else it must be a given name the dictionary or
    /// [`modern_given_name`] knows. 息子の犬が亡くなりました, 父親が亡くなり
    /// ました and こどもが生まれました stay.
    fn born_and_kin(&self, out: &mut Vec<Span>) {
        let n = self.morphs.len();
        for k in 0..n.saturating_sub(1) {
            let start = self.mspan[k].0;
            let after_kin = self.after_kin(start);
            let begins = self.begins(k);
            // 上の子は六花です, 長男は明徳です: who one's kin is, before です.
            let kin_is = self.before(start, 4).strip_suffix('は').is_some_and(|b| {
                KIN.iter()
                    .chain(&["上の子", "下の子", "末の子", "子ども", "子供"])
                    .any(|kin| b.ends_with(kin))
            }) && self.morphs.get(k + 1).is_some_and(|m| m.surface == "です");
            if !after_kin && !begins && !kin_is {
                continue;
            }
            // 大 + 翔: a name may start with what the dictionary reads as a prefix.
            let given = self.given[k].filter(|&g| {
                self.given_alone[k]
                    && g < n
                    && self.morphs[k..g].iter().enumerate().all(|(x, m)| {
                        m.is_noun() && m.pos[1] != "非自立"
                            || x == 0
                                && m.pos[0] == "接頭詞"
                                && !matches!(m.surface.as_str(), "お" | "ご")
                            // 尚 + 雄: or a kanji the dictionary reads as a
                            // conjunction or adverb.
                            || x == 0
                                && m.surface.chars().count() == 1
                                && m.surface.chars().all(is_kanji)
                    })
            });
            // After kin, also a given name the dictionary knows as a word
            // too (次女の知徳です, 長女の市松が来ます): two or three kanji
            // read as one noun, not a word said of kin (娘の大学, 父の健康).
            let given_word = self.given[k].filter(|&g| {
                given.is_none()
                    && (after_kin || kin_is)
                    // 息子は一人です, 長男の一人が: one of them, alone.
                    && !NOT_KIN_NAMES.contains(&self.morphs[k].surface.as_str())
                    && g == k + 1
                    && g < n
                    && self.morphs[k].is_noun()
                    && !matches!(
                        self.morphs[k].pos[1].as_str(),
                        "非自立" | "代名詞" | "数" | "接尾"
                    )
                    && (2..=3).contains(&self.morphs[k].surface.chars().count())
                    && self.morphs[k].surface.chars().all(is_kanji)
                    && ![
                        SAID_OF_KIN,
                        OWN_THINGS,
                        CHILD_THINGS,
                        SCHOOLS,
                        HEALTH,
                        GROWN,
                    ]
                    .iter()
                    .any(|l| l.contains(&self.morphs[k].surface.as_str()))
            });
            // Where what is said begins, a given name the dictionary knows as
            // a word too (未来, 希望, 大地), only before what is said of a
            // child (below): 未来が風邪をひきました, 希望はまだ2歳です.
            let child_word = self.given[k].filter(|&g| {
                given.is_none()
                    && given_word.is_none()
                    && begins
                    && g < n
                    && self.morphs[k..g].iter().all(|m| {
                        m.is_noun()
                            && !matches!(m.pos[1].as_str(), "非自立" | "代名詞" | "数" | "接尾")
                            && m.surface.chars().all(is_kanji)
                    })
                    && (2..=3).contains(&(self.mspan[g - 1].1 - start))
                    // 一人が入院しました: one person.
                    && !self.morphs[k].surface.starts_with(['一', '二', '三'])
            });
            let given = given.or(given_word);
            // Otherwise nouns of four letters at most, no suffix among them
            // (加入者が亡くなったとき is a role).
            let e = given.unwrap_or_else(|| {
                let mut e = k;
                while e < n
                    && self.morphs[e].is_noun()
                    && !matches!(
                        self.morphs[e].pos[1].as_str(),
                        "非自立" | "代名詞" | "数" | "接尾"
                    )
                    && self.morphs[e]
                        .surface
                        .chars()
                        .all(|c| is_kanji(c) || is_katakana(c) || is_hiragana(c))
                    && self.mspan[e].1 - start <= 4
                {
                    e += 1;
                }
                e
            });
            if e == k || e >= n {
                continue;
            }
            let end = self.mspan[e - 1].1;
            let word = self.text(start, end);
            let w = word.as_str();
            if NOT_NAMES.contains(&w)
                || KIN.contains(&w)
                || NOT_KIN_NAMES.contains(&w)
                || KANA_NOT_NAMES.contains(&w)
                || given.is_none() && w.starts_with(['お', 'ご'])
                || LOANWORDS.contains(&w)
                || self.morphs[k..e].iter().any(place_word)
                || self
                    .char_at(end)
                    .is_some_and(|c| is_kanji(c) || is_katakana(c))
            {
                continue;
            }
            let particle = self.morphs[e].surface.as_str();
            let rest = &self.morphs[e + 1..];
            let verb_in = |within: usize, events: &[&[&str]]| {
                self.event_follows(e + 1, within, &["。", "、", "？", "?"], events)
            };
            let named = match particle {
                "が" | "は" if child_word.is_some() && given.is_none() => {
                    verb_in(8, &[BIRTHS, GROWN, HEALTH])
                        || rest
                            .iter()
                            .take(5)
                            .take_while(|m| matches!(m.pos[0].as_str(), "名詞" | "助詞"))
                            .any(|m| SCHOOLS.contains(&m.surface.as_str()))
                }
                // …or changing school (長男の六花が転校します).
                "が" | "は" if given.is_some() => {
                    verb_in(
                        8,
                        &[BIRTHS, DEATHS, MARRIAGE, PERSON_ACTS, GROWN, HEALTH, CHILD_ACTS],
                    )
                        // 恭が来月から保育園です: where the child goes, with
                        // no verb between (空が見える保育園 is a view).
                        || rest
                            .iter()
                            .take(5)
                            .take_while(|m| matches!(m.pos[0].as_str(), "名詞" | "助詞"))
                            .any(|m| SCHOOLS.contains(&m.surface.as_str()))
                }
                "が" | "は" => verb_in(2, &[BIRTHS, DEATHS]),
                // 次女の知徳です: who one's kin is.
                "です" if given_word.is_some() => rest
                    .first()
                    .is_none_or(|x| matches!(x.surface.as_str(), "。" | "、" | "ね" | "よ")),
                // 晶とわたしの分です: a person beside the speaker.
                "と" if given.is_some() && begins => ["わたし", "私", "僕", "ぼく"]
                    .iter()
                    .any(|me| self.after(self.mspan[e].1, 4).starts_with(me)),
                "の" if given.is_some() && after_kin => rest
                    .first()
                    .is_some_and(|x| OWN_THINGS.contains(&x.base.as_str())),
                // 六花の出生届です: a given name that is a word too, opening
                // what is said, before a child's procedure (not a school:
                // 希望の保育園 is the one hoped for).
                "の" if child_word.is_some() && given.is_none() => {
                    let rest = self.after(self.mspan[e].1, 8);
                    CHILD_THINGS
                        .iter()
                        .filter(|t| !SCHOOLS.contains(t))
                        .any(|t| rest.starts_with(t))
                }
                // 仁の出生届です: a child's given name opening what is said,
                // before a thing of its own or a child's procedure.
                "の" if given.is_some() && begins => {
                    let rest = self.after(self.mspan[e].1, 8);
                    // …or its kin (太郎の母の花子です).
                    OWN_THINGS
                        .iter()
                        .chain(CHILD_THINGS)
                        .chain(KIN)
                        .any(|t| rest.starts_with(t))
                }
                _ => false,
            };
            if named {
                out.push(Span {
                    kind: Kind::Name,
                    start,
                    end,
                });
            }
        }
    }

    /// Chinese and Korean names: a one-kanji surname and a given name of
    /// two kanji, wherever they stand (督弁趙秉稷は, 金正恩第一書記, 李経方参議).
    /// The surname is one that is rarely anything else (李, 朴, 趙), or one
    /// the dictionary tags as a surname here (金 of 金正恩, not of 料金);
    /// the two kanji after it are no word of their own (李総統, 金社長 stay
    /// a surname and a title, 文鮮明 is missed rather than guessed), and
    /// no place (楊浦区).
    fn chinese_korean_names(&self, out: &mut Vec<Span>) {
        for (k, m) in self.morphs.iter().enumerate() {
            let (start, _) = self.mspan[k];
            let Some(first) = m.surface.chars().next() else {
                continue;
            };
            let single = m.surface.chars().count() == 1;
            let surname = (CJK_SURNAMES.contains(&first) && (single || unread_word(m)))
                || (single && m.pos[3] == "姓" && CJK_TAGGED_SURNAMES.contains(&first));
            let end = start + 3;
            if !surname
                || end > self.chars.len()
                || !(start..end).all(|c| is_kanji(self.chars[c]))
                || self.person_title_at(start + 1)
                || HONORIFICS
                    .iter()
                    .any(|h| self.after(start + 1, 2).starts_with(h))
            {
                continue;
            }
            // The kanji after the surname: single ones, a given name, or
            // a word the dictionary does not know; not a word of its own.
            let word_after = (k + 1..self.morphs.len())
                .take_while(|&x| self.mspan[x].0 < end)
                .any(|x| {
                    let g = &self.morphs[x];
                    (g.surface.chars().count() >= 2 && !g.is_person_name() && !unread_word(g))
                        || place_word(g)
                });
            if !word_after {
                out.push(Span {
                    kind: Kind::Name,
                    start,
                    end,
                });
            }
        }
    }

    fn listed_names(&self, out: &mut Vec<Span>) {
        // Runs of item characters, as (start, end).
        let runs = self.char_runs(|c| is_kanji(c) || is_katakana(c));
        let found: Vec<(usize, usize)> = out
            .iter()
            .filter(|s| s.kind == Kind::Name)
            .map(|s| (s.start, s.end))
            .collect();
        let is_found = |(s, e): (usize, usize)| found.iter().any(|&(fs, fe)| fs < e && s < fe);
        let mut i = 0;
        while i < runs.len() {
            // The list starting at run i.
            let mut j = i + 1;
            while j < runs.len()
                && runs[j].0 == runs[j - 1].1 + 1
                && matches!(self.chars[runs[j - 1].1], '、' | '・' | ',')
            {
                j += 1;
            }
            let list = &runs[i..j];
            let named = list.iter().filter(|&&r| is_found(r)).count();
            // Items that could be names (一方、鳥羽・伏見 lists two).
            let items = list
                .iter()
                .filter(|&&(s, e)| is_found((s, e)) || self.name_shaped(s, e))
                .count();
            if items >= 2 && (named >= 2 || (named >= 1 && items >= 3)) {
                for &(start, end) in list.iter().filter(|&&r| !is_found(r)) {
                    if self.name_shaped(start, end) {
                        out.push(Span {
                            kind: Kind::Name,
                            start,
                            end,
                        });
                    }
                }
            }
            i = j;
        }
        // Two joined by と or や, one of them a name (大島と柴田が, 鬼武や
        // 伊野本孝一ら): the other is one too when it could only be a name
        // (a family name, a name tag, a word the dictionary lacks, katakana
        // it lists as a name).
        for w in runs.windows(2) {
            let (a, b) = (w[0], w[1]);
            if b.0 != a.1 + 1 || !matches!(self.chars[a.1], 'と' | 'や') {
                continue;
            }
            let (fa, fb) = (is_found(a), is_found(b));
            if fa == fb {
                continue;
            }
            let (start, end) = if fa { b } else { a };
            // Not the rest of a word in letters (DCコミックス, タレスUK).
            let ascii = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
            if !ascii(self.char_before(start))
                && !ascii(self.char_at(end))
                && self.only_a_name(start, end)
            {
                out.push(Span {
                    kind: Kind::Name,
                    start,
                    end,
                });
            }
        }
    }

    /// Whether the characters `start..end` are morphs that could be nothing
    /// but a name where a name is expected: two to four kanji of family
    /// names, name tags or words the dictionary lacks, or two to eight
    /// katakana of names it lists or words it lacks.
    fn only_a_name(&self, start: usize, end: usize) -> bool {
        let len = end - start;
        let kanji = (start..end).all(|c| is_kanji(self.chars[c]));
        let kata = (start..end).all(|c| is_katakana(self.chars[c]));
        let text = self.text(start, end);
        if !((kanji && (2..=4).contains(&len)) || (kata && (2..=8).contains(&len)))
            || LOANWORDS.contains(&text.as_str())
            || NOT_NAMES.contains(&text.as_str())
            || KIN.contains(&text.as_str())
            || COUNTER_KATAKANA.contains(&text.as_str())
        {
            return false;
        }
        let inside: Vec<usize> = (0..self.morphs.len())
            .filter(|&x| self.mspan[x].0 < end && self.mspan[x].1 > start)
            .collect();
        inside.iter().all(|&x| {
            let m = &self.morphs[x];
            self.mspan[x].0 >= start
                && self.mspan[x].1 <= end
                && if kata {
                    self.listed[x] || unread_word(m) || self.kata_person(x)
                } else {
                    self.family[x] || m.is_person_name() || unread_word(m)
                }
        })
    }

    /// Whether the characters `start..end` could be a name on their own:
    /// one to four kanji or two to eight katakana, made of morphs that are
    /// nouns but no numbers, counters, suffixes, places or common words of
    /// two characters or more.
    fn name_shaped(&self, start: usize, end: usize) -> bool {
        let len = end - start;
        let kanji = (start..end).all(|c| is_kanji(self.chars[c]));
        let kata = (start..end).all(|c| is_katakana(self.chars[c]));
        if !((kanji && (1..=4).contains(&len)) || (kata && (2..=8).contains(&len))) {
            return false;
        }
        let text = self.text(start, end);
        if LOANWORDS.contains(&text.as_str())
            || NOT_NAMES.contains(&text.as_str())
            || KIN.contains(&text.as_str())
        {
            return false;
        }
        (0..self.morphs.len())
            .filter(|&x| self.mspan[x].0 < end && self.mspan[x].1 > start)
            .all(|x| {
                let m = &self.morphs[x];
                // A kanji prefix leading the item (諸 + 隈).
                let prefix = m.pos[0] == "接頭詞"
                    && self.mspan[x].0 == start
                    && kanji
                    && len >= 2
                    && is_kanji_word(m);
                self.mspan[x].0 >= start
                    && self.mspan[x].1 <= end
                    && (m.pos[0] == "名詞" || m.is_unknown() || prefix)
                    && !matches!(
                        m.pos[1].as_str(),
                        "数" | "接尾" | "サ変接続" | "形容動詞語幹" | "副詞可能" | "代名詞"
                    )
                    // A family name read as a place (川浦, 佐渡) among names.
                    && (!m.is_place() || self.family[x] && len >= 2)
                    && !place_word(m)
                    // 戸籍 + 謄本: common words (島 or 蜜 of 壇蜜 may be
                    // part of a name).
                    && !(m.pos[1] == "一般" && m.reading.is_some() && m.surface.chars().count() >= 2)
            })
    }

    fn honorific_after(&self, at: usize) -> bool {
        let rest = self.after(at, 5);
        HONORIFICS.iter().any(|h| rest.starts_with(h)) || rest.starts_with("と申し")
    }

    /// A morph that can be part of a name in context: nouns (not pronouns
    /// or numbers), unknown words, katakana words and the middle dot.
    fn nameish(&self, m: &Morph) -> bool {
        (m.pos[0] == "名詞" && !matches!(m.pos[1].as_str(), "代名詞" | "数" | "非自立" | "接尾"))
            || m.is_unknown()
            || m.surface == " "
            || (!matches!(m.pos[0].as_str(), "助詞" | "助動詞" | "記号") && is_kanji_word(m))
            || m.surface == "・"
            || m.pos[0] == "接頭詞" && m.surface != "お" && m.surface != "ご"
    }

    fn name_run_start(&self, k: usize) -> usize {
        self.mspan[self.name_run_first(k)].0
    }

    /// The first morph of that run.
    fn name_run_first(&self, k: usize) -> usize {
        let mut s = k;
        // At most four morphs: a family and a given name, maybe split; six
        // when every one is a single kanji (九 + 十 + 九 + 陽 + 菜: a
        // surname the dictionary reads as a number).
        let single = |m: &Morph| m.surface.chars().count() == 1 && m.surface.chars().all(is_kanji);
        while s > 0
            && self.nameish(&self.morphs[s - 1])
            && (k - s < 3 || (k - s < 5 && self.morphs[s - 1..=k].iter().all(single)))
        {
            s -= 1;
        }
        s
    }
}

/// 区, 市役所, 町: what follows a place named like a person (葛飾区役所).
/// A part no description is made of (不動産会社, 近所の人): a verb or
/// adjective, an auxiliary, or a particle other than の. A name slot that
/// holds one was filled by the recognizer with other words.
fn no_description_part(m: &Morph) -> bool {
    matches!(m.pos[0].as_str(), "動詞" | "形容詞" | "助動詞")
        || m.pos[0] == "助詞" && m.surface != "の"
}

fn particle_of(m: &Morph) -> Option<&str> {
    (m.pos[0] == "助詞").then_some(m.surface.as_str())
}

/// What only a person gives another, said after whose it is and の
/// (千葉の紹介で).
const PERSONS_DOINGS: &[&str] = &[
    "紹介で",
    "紹介を",
    "紹介状",
    "指示で",
    "指示を",
    "勧めで",
    "すすめで",
    "アドバイス",
    "助言",
    "指導",
    "弟子",
    "頼みで",
    "依頼で",
    "代わりに",
];

/// Ranks in an office or a school, said after a family name (田中係長).
const RANK_TITLES: &[&str] = &[
    "係長",
    "課長",
    "部長",
    "次長",
    "室長",
    "局長",
    "所長",
    "署長",
    "館長",
    "院長",
    "校長",
    "園長",
    "学長",
    "店長",
    "主任",
    "社長",
    "会長",
    "副会長",
    "専務",
    "常務",
    "理事長",
    "先生",
];

/// A job or title said after a name (係長, 館長, 弁護士, 部長): never
/// part of it.
fn title_word(m: &Morph) -> bool {
    let w = m.surface.as_str();
    w.chars().count() >= 2
        && (NOT_NAMES.contains(&w) || WEAK_TITLES.contains(&w) || OCCUPATIONS.contains(&w))
}

fn place_word(m: &Morph) -> bool {
    (m.pos[1] == "接尾" && m.pos[2] == "地域")
        || OFFICES.iter().any(|o| m.surface.starts_with(o))
        || (m.surface.starts_with(['区', '市', '町', '村', '県'])
            && m.surface.chars().count() <= 3
            && m.pos[1] != "固有名詞")
}

/// A given name common since the dictionary was made (陽翔, 結菜, 紬):
/// the dictionary lists only older ones.
fn modern_given_name(word: &str) -> bool {
    static NAMES: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    NAMES
        .get_or_init(|| modern_given_names().collect())
        .contains(word)
}

/// The names of `given_names_modern.txt`, one a line, comments left out.
fn modern_given_names() -> impl Iterator<Item = &'static str> {
    include_str!("given_names_modern.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Morphs with each 々 the dictionary left on its own (波 + 々 + 伯部,
/// 菜 + 々 + 美) joined to the kanji before it, as a word it does not
/// know: 々 repeats a kanji of the same word, so it never starts one.
fn with_iteration_marks(morphs: Vec<Morph>) -> Vec<Morph> {
    let mut out: Vec<Morph> = Vec::with_capacity(morphs.len());
    for m in morphs {
        if let Some(prev) = out.last_mut() {
            if m.surface == "々" && prev.end == m.start && prev.surface.ends_with(is_kanji) {
                prev.surface.push('々');
                prev.base = prev.surface.clone();
                prev.pos = ["未知語", "*", "*", "*"].map(String::from);
                prev.reading = None;
                prev.end = m.end;
                continue;
            }
        }
        out.push(m);
    }
    out
}

/// How the dictionary's family and given names in kanji begin and end:
/// how many of them start or end with each kanji. A run of kanji it cannot
/// read as a word, starting as many names start and ending as many end
/// (信盛, 川浦, 伊勢野), is shaped like a name.
struct NameShapes {
    family: NameEnds,
    given: NameEnds,
    anywhere: std::collections::HashSet<char>,
}

/// How many names of one kind begin and end with each kanji.
#[derive(Default)]
struct NameEnds {
    first: HashMap<char, u32>,
    last: HashMap<char, u32>,
}

impl NameEnds {
    fn add(&mut self, chars: &[char]) {
        *self.first.entry(chars[0]).or_default() += 1;
        *self.last.entry(chars[chars.len() - 1]).or_default() += 1;
    }

    /// Whether at least [`NAME_SHAPE_MIN`] names begin with `first` and as
    /// many end with `last`.
    fn fit(&self, first: char, last: char) -> bool {
        let count = |m: &HashMap<char, u32>, c: char| m.get(&c).copied().unwrap_or(0);
        count(&self.first, first).min(count(&self.last, last)) >= NAME_SHAPE_MIN
    }
}

/// How many names must begin with the first kanji and end with the last.
const NAME_SHAPE_MIN: u32 = 8;

impl NameShapes {
    fn new(analyzer: &Analyzer) -> Self {
        let mut anywhere = std::collections::HashSet::new();
        let mut ends = |names: &mut dyn Iterator<Item = &str>| {
            let mut ends = NameEnds::default();
            for w in names.filter(|w| w.chars().count() >= 2 && w.chars().all(is_kanji)) {
                let chars: Vec<char> = w.chars().collect();
                ends.add(&chars);
                anywhere.extend(chars);
            }
            ends
        };
        // IPADIC's names only: with UniDic's, words such as 代理, 保育 and
        // 本作 take a name's shape (とやまの代理で来ました, 本作では).
        let family = ends(&mut analyzer.family_names());
        let given = ends(&mut analyzer.given_names());
        NameShapes {
            family,
            given,
            anywhere,
        }
    }

    /// Whether `word` begins and ends as given names do.
    fn given_shaped(&self, word: &str) -> bool {
        let (Some(first), Some(last)) = (word.chars().next(), word.chars().last()) else {
            return false;
        };
        self.given.fit(first, last)
    }

    /// Whether `word` begins and ends as family or given names do, with
    /// kanji between that names have too.
    fn shaped(&self, word: &str) -> bool {
        let chars: Vec<char> = word.chars().collect();
        let (Some(&first), Some(&last)) = (chars.first(), chars.last()) else {
            return false;
        };
        (self.family.fit(first, last) || self.given.fit(first, last))
            && chars[1..chars.len() - 1]
                .iter()
                .all(|c| self.anywhere.contains(c))
    }
}

/// The name shapes of the dictionary every analyzer of a process loads.
fn name_shapes(analyzer: &Analyzer) -> &'static NameShapes {
    static SHAPES: OnceLock<NameShapes> = OnceLock::new();
    SHAPES.get_or_init(|| NameShapes::new(analyzer))
}

/// How katakana words for what someone does end (ケアマネージャー,
/// ソーシャルワーカー, ホームヘルパー): a role, not a name.
const KATAKANA_ROLES: &[&str] = &[
    "マネージャー",
    "マネジャー",
    "ワーカー",
    "ヘルパー",
    "スタッフ",
    "オーナー",
    "リーダー",
    "コーチ",
    "トレーナー",
    "ドライバー",
    "デザイナー",
    "エンジニア",
    "プランナー",
    "アドバイザー",
    "カウンセラー",
    "コーディネーター",
    "サポーター",
    "パートナー",
    "マスター",
    "キーパー",
    "サービスマン",
    "カメラマン",
    "ガードマン",
    "セールスマン",
    "サラリーマン",
    "ビジネスマン",
];

/// The eras of modern Japan, as dates are written (昭和50年3月3日). Names
/// in the dictionaries too (昭和 a given name, 大正 a family name), but
/// 昭和の晩年 is a time.
const ERAS: &[&str] = &["明治", "大正", "昭和", "平成", "令和"];

/// How katakana person names look against other katakana words, learned
/// from the dictionary: how many of its katakana person names (ジャネット,
/// ワトソン) and of its other katakana words (スマート, ヤマハ, ジャワ) have
/// each run of one to four letters, word ends included. A word the
/// dictionary does not know as a whole (ハリ + マン, ハン + フリーズ,
/// ストラヴィンスキー) is scored by those runs, as a naive Bayes classifier
/// would: −ォ, −フ, −ソン and ジャ− lean to names, −ング, −ション and
/// −カード to words.
struct KatakanaNames {
    names: HashMap<String, u32>,
    words: HashMap<String, u32>,
    name_count: u32,
    word_count: u32,
}

/// The runs of one to four letters of `word` with its two ends marked.
fn katakana_grams(word: &str) -> std::collections::HashSet<String> {
    let chars: Vec<char> = std::iter::once('^')
        .chain(word.chars())
        .chain(std::iter::once('$'))
        .collect();
    let mut grams = std::collections::HashSet::new();
    for n in 1..=4 {
        for w in chars.windows(n) {
            grams.insert(w.iter().collect());
        }
    }
    grams
}

/// How much a katakana word must lean to names (the log of the odds) to be
/// read as one: a word kept out of the learning is taken for a name at
/// this level about one time in thirty-five, a name one time in three
/// (one in four with IPADIC's names alone). At 4.0 Wikipedia found no more
/// names and 5 more places and companies.
const KATAKANA_NAME_MIN: f64 = 6.0;

impl KatakanaNames {
    fn new(analyzer: &Analyzer) -> Self {
        let katakana = |w: &&str| w.chars().count() >= 2 && w.chars().all(is_katakana);
        let mut model = KatakanaNames {
            names: HashMap::new(),
            words: HashMap::new(),
            name_count: 0,
            word_count: 0,
        };
        let names: std::collections::BTreeSet<&str> = analyzer
            .person_names()
            .chain(analyzer.family_names())
            .chain(analyzer.more_family_names())
            .chain(analyzer.given_names())
            .chain(analyzer.more_given_names())
            .filter(katakana)
            .collect();
        for w in names {
            for g in katakana_grams(w) {
                *model.names.entry(g).or_default() += 1;
            }
            model.name_count += 1;
        }
        for w in analyzer.katakana_words().filter(katakana) {
            for g in katakana_grams(w) {
                *model.words.entry(g).or_default() += 1;
            }
            model.word_count += 1;
        }
        model
    }

    /// The log of the odds that `word` is a name rather than a word.
    fn lean(&self, word: &str) -> f64 {
        if self.name_count == 0 || self.word_count == 0 {
            return f64::NEG_INFINITY;
        }
        let (n, w) = (f64::from(self.name_count), f64::from(self.word_count));
        let mut lean = (n / w).ln();
        for g in katakana_grams(word) {
            let a = self.names.get(&g).copied().unwrap_or(0);
            let b = self.words.get(&g).copied().unwrap_or(0);
            if a + b > 0 {
                lean += ((f64::from(a) + 0.5) / (n + 1.0)).ln()
                    - ((f64::from(b) + 0.5) / (w + 1.0)).ln();
            }
        }
        lean
    }

    fn looks_like_a_name(&self, word: &str) -> bool {
        self.lean(word) >= KATAKANA_NAME_MIN
    }
}

/// How foreign place names end in katakana (アルベールヴィル,
/// シュレースヴィヒ, ハンブルク): they look like names otherwise.
const KATAKANA_PLACE_ENDS: &[&str] = &[
    "ヴィル",
    "ヴィヒ",
    "ブルク",
    "シュタット",
    "ハイム",
    "グラード",
    "ポリス",
    "タウン",
    "シティ",
    "スタン",
    "ハウゼン",
];

/// The katakana name model of the dictionary every analyzer of a process
/// loads.
fn katakana_names(analyzer: &Analyzer) -> &'static KatakanaNames {
    static MODEL: OnceLock<KatakanaNames> = OnceLock::new();
    MODEL.get_or_init(|| KatakanaNames::new(analyzer))
}

/// Whether `word` is a family name: one the dictionary lists, also when
/// written with an older form of a kanji it lists in the common one (福澤
/// for 福沢, 髙橋, 山﨑), or one of [`RARE_FAMILY_NAMES`].
fn is_family_name(analyzer: &Analyzer, word: &str) -> bool {
    if analyzer.is_family_name(word) || RARE_FAMILY_NAMES.contains(&word) {
        return true;
    }
    // Asked of every morph: spell anew only words with an older kanji.
    if !word
        .chars()
        .any(|c| OLD_KANJI.iter().any(|(old, _)| *old == c))
    {
        return false;
    }
    let common: String = word
        .chars()
        .map(|c| {
            OLD_KANJI
                .iter()
                .find(|(old, _)| *old == c)
                .map_or(c, |(_, new)| *new)
        })
        .collect();
    common != word && analyzer.is_family_name(&common)
}

/// The form of a kanji the dictionary knows words with, for an older or
/// variant one it knows no word with (髙 → 高, 﨑 → 崎): the analysis reads
/// 山﨑夕貴 as 山崎夕貴, while spans still point at the characters as
/// written. Older forms it does know words with (澤, 嶋, 眞, 曾) stay, or
/// names it lists so (坊澤, 嶋守) would be lost.
fn common_form(c: char) -> char {
    const UNKNOWN_TO_THE_DICTIONARY: &[(char, char)] = &[
        ('髙', '高'),
        ('﨑', '崎'),
        ('德', '徳'),
        ('瀨', '瀬'),
        ('淸', '清'),
        ('靑', '青'),
        ('黑', '黒'),
        ('豐', '豊'),
        ('將', '将'),
        ('敎', '教'),
        ('譽', '誉'),
        ('寶', '宝'),
        ('顯', '顕'),
    ];
    if c < '\u{4E00}' {
        return c;
    }
    UNKNOWN_TO_THE_DICTIONARY
        .iter()
        .find(|(old, _)| *old == c)
        .map_or(c, |(_, new)| *new)
}

/// Older or variant forms of kanji common in family names, and the form
/// the dictionary lists them with.
const OLD_KANJI: &[(char, char)] = &[
    ('髙', '高'),
    ('﨑', '崎'),
    ('碕', '崎'),
    ('德', '徳'),
    ('眞', '真'),
    ('澤', '沢'),
    ('邊', '辺'),
    ('邉', '辺'),
    ('齋', '斎'),
    ('齊', '斉'),
    ('濱', '浜'),
    ('廣', '広'),
    ('櫻', '桜'),
    ('國', '国'),
    ('嶋', '島'),
    ('嶌', '島'),
    ('冨', '富'),
    ('瀨', '瀬'),
    ('淸', '清'),
    ('惠', '恵'),
    ('來', '来'),
    ('與', '与'),
    ('藏', '蔵'),
    ('龍', '竜'),
];

/// A university the dictionary reads where a family name and a given name
/// starting with 大 are said (千葉大 + 翔 of 千葉大翔, 宮崎大 + 翔): split back
/// into the family name, read as it is alone, and 大.
fn universities_split(morphs: Vec<Morph>, analyzer: &Analyzer) -> Vec<Morph> {
    let mut out = Vec::with_capacity(morphs.len() + 1);
    for (k, m) in morphs.iter().enumerate() {
        let family = m.surface.strip_suffix('大').filter(|f| {
            m.pos[2] == "組織"
                && f.chars().count() >= 2
                && is_family_name(analyzer, f)
                && morphs
                    .get(k + 1)
                    .is_some_and(|g| g.start == m.end && g.pos[3] == "名")
        });
        let Some(family) = family else {
            out.push(m.clone());
            continue;
        };
        let split = m.start + family.len();
        let mut first = match <[Morph; 1]>::try_from(analyzer.morphs(family)) {
            Ok([one]) => one,
            Err(_) => m.clone(),
        };
        first.surface = family.to_owned();
        first.base = family.to_owned();
        first.start = m.start;
        first.end = split;
        let mut dai = m.clone();
        dai.surface = "大".into();
        dai.base = "大".into();
        dai.pos = ["接頭詞", "名詞接続", "*", "*"].map(String::from);
        dai.reading = Some("ダイ".into());
        dai.start = split;
        out.push(first);
        out.push(dai);
    }
    out
}

/// Counters after a number: 二名, 三枚, 一通 are counts even where a
/// family name is spelled so.
const COUNTERS: &[&str] = &[
    "名", "人", "枚", "通", "回", "件", "個", "本", "冊", "歳", "才", "年", "月", "日", "時", "分",
    "円", "階", "番", "号", "部", "組", "台", "点", "週", "度", "割", "倍",
];

/// Family names the dictionary does not list, which it cuts into words
/// (五 + 百 + 旗頭, 月見 + 里). Not those that are also dates or words
/// (四月一日 わたぬき, 一口 いもあらい).
const RARE_FAMILY_NAMES: &[&str] = &[
    "五百旗頭",
    "百目鬼",
    "月見里",
    "安心院",
    "小鳥遊",
    "栗花落",
    "鴨脚",
    "勘解由小路",
    "五十公野",
    "四十物",
    "纐纈",
    "一寸木",
    "十六女",
    "左衛門三郎",
];

/// Morphs that together spell a family name the dictionary lists (or
/// [`RARE_FAMILY_NAMES`]), but
/// which it cut into words (六 + 角, 金田 + 一, 三 + ツ矢), joined again
/// into that name. Numbers alone (九十九, 七五三) stay numbers: 九十九円.
fn family_names_rejoined(morphs: Vec<Morph>, analyzer: &Analyzer) -> Vec<Morph> {
    let morphs = universities_split(morphs, analyzer);
    let part =
        |m: &Morph| matches!(m.pos[0].as_str(), "名詞" | "接頭詞") && !m.surface.trim().is_empty();
    let mut out: Vec<Morph> = Vec::with_capacity(morphs.len());
    let mut i = 0;
    while i < morphs.len() {
        let mut joined = String::new();
        let mut best = None;
        for j in i..morphs.len().min(i + 4) {
            if !part(&morphs[j]) || (j > i && morphs[j - 1].end != morphs[j].start) {
                break;
            }
            joined.push_str(&morphs[j].surface);
            // A count stays a count (二 + 名: two people, 三 + 枚); 六 + 角
            // is a name.
            let count = morphs[i].pos[1] == "数" && COUNTERS.contains(&morphs[j].surface.as_str());
            if j > i
                && is_family_name(analyzer, &joined)
                && !morphs[i..=j].iter().all(|m| m.pos[1] == "数")
                && !count
            {
                best = Some((j + 1, joined.clone()));
            }
        }
        match best {
            Some((j, surface)) => {
                // As the dictionary reads the word alone (千 + 葉 is 千葉, a
                // place too), else as a family name.
                let alone = analyzer.morphs(&surface);
                let mut m = match <[Morph; 1]>::try_from(alone) {
                    Ok([one]) => one,
                    Err(_) => {
                        let mut m = morphs[i].clone();
                        m.pos = ["名詞", "固有名詞", "人名", "姓"].map(String::from);
                        m.reading = None;
                        m
                    }
                };
                m.base = surface.clone();
                m.surface = surface;
                m.start = morphs[i].start;
                m.end = morphs[j - 1].end;
                out.push(m);
                i = j;
            }
            None => {
                out.push(morphs[i].clone());
                i += 1;
            }
        }
    }
    out
}

/// Morphs with katakana the dictionary cut into short pieces joined again
/// (トー + マス, ミ + ゲル: a word it does not know, mostly a foreign name;
/// not two everyday words such as ゴム + イン), and a katakana honorific where no name comes before it
/// read as the name it is (名前はチャンです: チャン, not ちゃん).
fn katakana_names_rejoined(
    morphs: Vec<Morph>,
    kana_family: &std::collections::HashSet<String>,
) -> Vec<Morph> {
    let kata =
        |m: &Morph| m.is_noun() && !m.surface.is_empty() && m.surface.chars().all(is_katakana);
    let piece = |m: &Morph| kata(m) && m.surface.chars().count() <= 2;
    let mut out: Vec<Morph> = Vec::with_capacity(morphs.len());
    let mut i = 0;
    while i < morphs.len() {
        let mut j = i;
        let mut chars = 0;
        while j < morphs.len()
            && piece(&morphs[j])
            && (j == i || morphs[j - 1].end == morphs[j].start)
            && chars + morphs[j].surface.chars().count() <= 6
        {
            chars += morphs[j].surface.chars().count();
            j += 1;
        }
        let joined_to_kana = |k: usize| {
            morphs
                .get(k)
                .is_some_and(|m| m.surface.chars().next().is_some_and(is_katakana))
        };
        // Two everyday words (ゴム + イン for ゴム印 misheard) stay two,
        // unless they sound like a family name (タカ + ナシ, ヤマ + グチ).
        let odd = |m: &Morph| m.surface.chars().count() == 1 || !everyday_word(m);
        // Not part of a longer katakana word on either side.
        let alone = |from: usize, to: usize| {
            let glued =
                from > 0 && morphs[from - 1].end == morphs[from].start && kata(&morphs[from - 1]);
            !glued && !joined_to_kana(to)
        };
        let joined = |j: usize| {
            morphs[i..j]
                .iter()
                .map(|m| m.surface.as_str())
                .collect::<String>()
        };
        let family = j - i >= 2 && kana_family.contains(&joined(j));
        // A foreign name the dictionary breaks at a piece no word begins
        // with, an interjection or a single letter (フェ + レイラ, レ +
        // イエス): one word to be judged as a whole, as one it lacks.
        if j - i < 2 || !(family || morphs[i..j].iter().any(odd)) {
            let any_kata = |m: &Morph| {
                !m.surface.is_empty() && m.surface.chars().all(is_katakana) && m.pos[0] != "記号"
            };
            let mut e = i;
            let mut len = 0;
            while e < morphs.len()
                && any_kata(&morphs[e])
                && (e == i || morphs[e - 1].end == morphs[e].start)
            {
                len += morphs[e].surface.chars().count();
                e += 1;
            }
            let broken = |m: &Morph| m.surface.chars().count() == 1 || !m.is_noun();
            let known = |m: &Morph| {
                LOANWORDS.contains(&m.surface.as_str())
                    || COUNTER_KATAKANA.contains(&m.surface.as_str())
            };
            if e - i >= 2
                && (3..=8).contains(&len)
                && !morphs[i].surface.starts_with('ー')
                && morphs[i..e].iter().any(broken)
                && !morphs[i..e].iter().any(known)
                && alone(i, e)
            {
                j = e;
            }
        }
        if j - i >= 2 && (family || morphs[i..j].iter().any(odd)) && alone(i, j) {
            let mut m = morphs[i].clone();
            m.surface = joined(j);
            m.base = m.surface.clone();
            m.pos = if family {
                ["名詞", "固有名詞", "人名", "姓"]
            } else {
                ["未知語", "*", "*", "*"]
            }
            .map(String::from);
            m.reading = family.then(|| m.surface.clone());
            m.end = morphs[j - 1].end;
            out.push(m);
            i = j;
            continue;
        }
        let mut m = morphs[i].clone();
        let after_noun = out.last().is_some_and(|p| p.is_noun() && p.end == m.start);
        if kata(&m) && m.pos[1] == "接尾" && m.pos[2] == "人名" && !after_noun {
            m.pos = ["名詞", "固有名詞", "人名", "一般"].map(String::from);
        }
        // A family name written as it sounds (タナカ, スズキ: to the
        // dictionary a company). One that is also an everyday word to it
        // (ツバキ, コント) is a name only where a person is meant (`listed`).
        if kata(&m) && kana_family.contains(&m.surface) && alone(i, i + 1) && !everyday_word(&m) {
            m.pos = ["名詞", "固有名詞", "人名", "姓"].map(String::from);
        }
        out.push(m);
        i += 1;
    }
    out
}

/// How names sound, in katakana, as the dictionary reads each alone (a
/// name is written so when it is only heard): the readings of `shortest`
/// kana or more, but not those in `words`.
fn readings<'n>(
    analyzer: &Analyzer,
    names: impl Iterator<Item = &'n str>,
    shortest: usize,
    words: &[&str],
) -> std::collections::HashSet<String> {
    names
        .filter_map(|name| {
            let morphs = analyzer.morphs(name);
            let reading: Option<String> = morphs.iter().map(|m| m.reading.as_deref()).collect();
            reading.filter(|r| r.chars().count() >= shortest && !words.contains(&r.as_str()))
        })
        .collect()
}

/// How `letters` may sound, in katakana: kana as written, each kanji in
/// every reading it has as a word (最頭: サイアタマ, サイトウ …). At most
/// 512 readings, the first ones.
fn sounds_of(analyzer: &Analyzer, letters: &[char]) -> Vec<String> {
    let mut sounds = vec![String::new()];
    for &c in letters {
        let each: Vec<String> = if is_kanji(c) {
            analyzer.kanji_readings(c).to_vec()
        } else {
            vec![to_katakana(&c.to_string())]
        };
        if each.is_empty() {
            return Vec::new();
        }
        sounds = sounds
            .iter()
            .flat_map(|s| each.iter().map(move |r| format!("{s}{r}")))
            .take(512)
            .collect();
    }
    sounds
}

/// The dictionary's family names of three kana or more as they sound:
/// タナカ, スズキ, as the analysis reads them and in every reading the
/// dictionary lists (クリバラ as well as クリハラ for 栗原); not everyday
/// words that sound like one (`KANA_WORDS`).
fn kana_family_names(analyzer: &Analyzer) -> std::collections::HashSet<String> {
    let mut sounds = readings(analyzer, analyzer.family_names(), 3, KANA_WORDS);
    sounds.extend(
        analyzer
            .family_name_readings()
            .filter(|r| r.chars().count() >= 3 && !KANA_WORDS.contains(r))
            .map(str::to_owned),
    );
    sounds
}

/// Its given names of two kana or more as they sound, for a full name
/// said in kana: ハナコ, タロウ.
fn kana_given_names(analyzer: &Analyzer) -> std::collections::HashSet<String> {
    let mut sounds = readings(analyzer, analyzer.given_names(), 2, &[]);
    // Every reading it lists, of three sounds or more (タダヤス for 忠康,
    // which the analysis may read otherwise); not everyday words that
    // sound like one.
    sounds.extend(
        analyzer
            .given_name_readings()
            .filter(|r| r.chars().count() >= 3 && !KANA_WORDS.contains(r))
            .map(str::to_owned),
    );
    // Modern names said in hiragana, as the list has them.
    sounds.extend(
        modern_given_names()
            .filter(|l| l.chars().count() >= 2 && l.chars().all(is_hiragana))
            .map(to_katakana),
    );
    sounds
}

/// Family names of one letter in katakana (Korean 이, Vietnamese Lê): names
/// only when said alone with です at the start.
const ONE_LETTER_SURNAMES: &[&str] = &["イ", "レ"];

/// Katakana words that sound like a family name and are mostly something
/// else (かわいい, お祝い, brands). スズキ and ホンダ are family names first.
const KANA_WORDS: &[&str] = &[
    // うちの (my family's), トヨタ (the company), found once every reading
    // counted.
    "ウチノ",
    "トヨタ",
    "カワイ",
    "イワイ",
    "アサヒ",
    "キリン",
    "サクラ",
    "ミドリ",
    "タカラ",
    "ヒカリ",
    "ツバサ",
];

/// A role, not a name (担当, 保険課の担当者, 先生): one of [`NOT_NAMES`],
/// or a run ending in one of two letters or more. A one-letter role only
/// as the whole run: 恵子 ends in 子 and is a name.
fn role_word(run: &str) -> bool {
    NOT_NAMES
        .iter()
        .any(|w| run == *w || w.chars().count() >= 2 && run.ends_with(w))
}

/// Trades, jobs and offices people call with さん (八百屋さん, 看護師さん,
/// 運転手さん, 市役所さん, 銀行さん): by how the word ends. 弁護士さん, but
/// 蒼士くん is a name.
fn role_said_with_san(run: &str) -> bool {
    let n = run.chars().count();
    n >= 2
        && (run.ends_with([
            '屋', '師', '手', '員', '者', '官', '長', '家', '医', '所', '局', '署', '庁', '院',
            '館', '店', '社', '行',
        ]) || run.ends_with('士') && n >= 3)
}

/// A word the dictionary has no reading for: unknown to it, or a noun
/// lindera guessed (ケンタ, ラウリー).
fn unread_word(m: &Morph) -> bool {
    (m.is_unknown() || (m.reading.is_none() && m.pos[0] == "名詞"))
        && !NEWER_WORDS.contains(&m.surface.as_str())
}

/// Words in kanji newer than the dictionary, said at the counter, that it
/// cannot read (妊活, 訪看): words, not names the dictionary lacks.
const NEWER_WORDS: &[&str] = &["妊活", "就活", "断捨離", "既読", "訪看", "高住", "サ高住"];

fn is_katakana(c: char) -> bool {
    matches!(c, 'ァ'..='ヺ' | 'ー')
}

/// A common noun the dictionary knows and reads (ビル, コント, 大橋): an
/// everyday word, however much it sounds like a name.
fn everyday_word(m: &Morph) -> bool {
    m.pos[1] == "一般" && m.reading.is_some()
}

fn is_hiragana(c: char) -> bool {
    matches!(c, 'ぁ'..='ゖ')
}

/// A morph of kanji only (一口, 百目鬼, 遊 in 小鳥遊).
fn is_kanji_word(m: &Morph) -> bool {
    !m.surface.is_empty()
        && m.surface.chars().all(is_kanji)
        && m.pos[1] != "非自立"
        && !HONORIFICS.contains(&m.surface.as_str())
        && !PEOPLE_WORDS.contains(&m.surface.as_str())
        && !matches!(m.surface.as_str(), "方" | "等" | "宛" | "課" | "係" | "宅")
}

fn has_separator(s: &str) -> bool {
    s.contains(['-', ' ', '(', ')'])
}

fn phone_context(before: &str) -> bool {
    [
        "電話",
        "携帯",
        "連絡先",
        "TEL",
        "Tel",
        "tel",
        "ファックス",
        "FAX",
    ]
    .iter()
    .any(|w| before.contains(w))
}

const HONORIFICS: &[&str] = &[
    "さん",
    "様",
    "さま",
    "サン",
    "くん",
    "君",
    "ちゃん",
    "氏",
    "殿",
];

/// Words said with さん/様 that are not names.
const NOT_NAMES: &[&str] = &[
    "名義",
    "八百屋",
    "大家",
    "件",
    "分",
    "人",
    "お客",
    "客",
    "皆",
    "皆様",
    "娘",
    "息子",
    "奥",
    "お子",
    "子",
    "子ども",
    "子供",
    "お父",
    "お母",
    "父",
    "母",
    "兄",
    "姉",
    "弟",
    "妹",
    "旦那",
    "職員",
    "担当",
    "担当者",
    "係",
    "窓口",
    "先生",
    "社長",
    "課長",
    "部長",
    "店員",
    "区長",
    "市長",
    "赤ちゃん",
    "お医者",
    "医者",
    "大家",
    "業者",
    "相手",
    "本人",
    "ご本人",
    "代理人",
    "届出人",
    "申請者",
    "請求者",
    "世帯主",
    "配偶者",
    "夫",
    "妻",
    "お兄",
    "お姉",
    "おじい",
    "おばあ",
    "じい",
    "ばあ",
    "隣",
    "お隣",
    "大工",
    "駅員",
    "家族",
    "ご家族",
    "同居人",
    "親御",
    "保護者",
    "受給者",
    "被保険者",
    "方",
    "その方",
    "あの方",
    "この方",
    "どなた",
    "誰",
    "ケアマネ",
    "ヘルパー",
    "訪看",
    // People by what they are to one, said with さん at the counter.
    "ワーカー",
    "管理人",
    "ボランティア",
    "オーナー",
    "上司",
    "同僚",
    "部下",
    "後輩",
    "先輩",
    "友人",
    "知人",
    "向かい",
    "受付",
    "通訳",
    "担任",
    "教頭",
];

/// Words for a family name's people (山田家, 田中ら, 鈴木夫妻): they follow a
/// name and are never part of one.
const PEOPLE_WORDS: &[&str] = &[
    "ら", "たち", "家", "達", "一家", "一族", "夫妻", "夫婦", "兄弟", "姉妹",
];

/// Who else is born or dies after kin and の, and is no name (妻の父親が
///亡くなりました, 娘の犬が).
const NOT_KIN_NAMES: &[&str] = &[
    // One person, two people (一人が入院しました), though given names too.
    "一人",
    "二人",
    "上",
    "下",
    "真ん中",
    "こども",
    "あかちゃん",
    "あかんぼう",
    "赤ん坊",
    "ふたご",
    "まご",
    "むすこ",
    "むすめ",
    "男の子",
    "女の子",
    "男児",
    "女児",
    "第一子",
    "第二子",
    "長子",
    "末っ子",
    "子供",
    "孫娘",
    "父親",
    "母親",
    "両親",
    "親",
    "義兄",
    "義姉",
    "義弟",
    "義妹",
    "祖父母",
    "曾孫",
    "双子",
    "初孫",
    "友人",
    "知人",
    "犬",
    "猫",
    "ペット",
    "子犬",
    "子猫",
    "親戚",
    "親族",
    "先生",
    "同僚",
    "上司",
];

/// Kin said in hiragana, as the recognizer may write them: never names.
const KIN_IN_KANA: &[&str] = &[
    "つま",
    "おっと",
    "はは",
    "ちち",
    "むすこ",
    "むすめ",
    "あに",
    "あね",
    "おとうと",
    "いもうと",
    "そふ",
    "そぼ",
    "まご",
    "おや",
    "しゅじん",
    "かない",
    "おばあちゃん",
    "おじいちゃん",
    "おかあさん",
    "おとうさん",
];
/// What follows only a person: a family name said in hiragana before one
/// of these is a name (しばやまから電話が, くぼたの代理で).
const KANA_NAME_PLACES: &[&str] = &[
    "から電話",
    "から連絡",
    "から頼",
    "から委任",
    "で予約",
    "の代理",
    "の代わり",
    "の住民票",
    "の在留",
    "の保険証",
    "の委任状",
    "の母",
    "の父",
    "の妻",
    "の夫",
    "の娘",
    "の息子",
    "名義",
    "と呼ばれ",
    "と結婚",
    "が亡くな",
    "が転入",
    "が署名",
    "様",
    "宛",
];
/// What may follow a given name said in hiragana: a particle, です, an
/// honorific or a pause.
const KANA_GIVEN_ENDS: &[&str] = &[
    "です",
    "でし",
    "で",
    "と",
    "が",
    "は",
    "の",
    "に",
    "も",
    "から",
    "や",
    "さん",
    "さま",
    "ちゃん",
    "くん",
    "、",
    "。",
    "？",
    "?",
    " ",
    "様",
    "殿",
    "氏",
    "君",
    "名義",
    "宛",
];
/// Words said after a name or place that sound like given names too.
const KANA_NOT_GIVEN: &[&str] = &[
    "くん",
    "ちゃん",
    "たん",
    "から",
    "まで",
    "より",
    "だけ",
    "など",
    "ほど",
    "しか",
    "くらい",
    "ぐらい",
    "ばかり",
    "なら",
    "とか",
    "には",
    "では",
    "とは",
    "のは",
    "にも",
    "でも",
    "とも",
    "ども",
    "たち",
    "がた",
    "かた",
    "さま",
    "さん",
];
/// Words a given name may also be that are said of kin (娘の大学です,
/// 父の健康が心配です): after kin they stay words.
const SAID_OF_KIN: &[&str] = &[
    "大学", "健康", "将来", "政治", "知恵", "勇気", "一歩", "初代", "一代", "親子", "三男", "次子",
    "末子", "一次", "有志", "厚生", "正規", "唯一", "一心", "大成", "結実", "一行", "善行", "友好",
];
/// Kin: after them, with の or ・ or nothing between, often comes a name.
/// How one speaks of oneself: what follows is about the speaker, not a
/// name (世帯主はわたしで、…).
const SELF_WORDS: &[&str] = &["私", "わたし", "僕", "ぼく", "自分", "本人"];

const KIN: &[&str] = &[
    "妻",
    "夫",
    "母",
    "父",
    "息子",
    "娘",
    "兄",
    "姉",
    "弟",
    "妹",
    "祖父",
    "祖母",
    "長男",
    "長女",
    "次男",
    "次女",
    "孫",
    "叔父",
    "叔母",
    "伯父",
    "伯母",
    "主人",
    "家内",
    "嫁",
    "婿",
    "義父",
    "義母",
    "甥",
    "姪",
    "嫡子",
    "嫡男",
    "夫人",
    "奥さん",
    "奥様",
    "旦那",
    "ご主人",
    "父親",
    "母親",
    "末っ子",
    "一人っ子",
    "おばあちゃん",
    "おじいちゃん",
    "お母さん",
    "お父さん",
];

/// Roles: after them and の (or ・) often comes a name.
const KIN_ROLES: &[&str] = &[
    "うち",
    "子",
    "子ども",
    "子供",
    "お子さん",
    "友人",
    "知人",
    "作者",
    "監督",
    "選手",
    "ライター",
    "同僚",
    "上司",
    "部下",
    "社長",
    "代表",
    "弁護士",
    "医師",
    "主人公",
    "原作者",
    "設計者",
    "少年",
    "少女",
    "俳優",
    "女優",
    "歌手",
    "作家",
];

/// Suffixes that make a run of kanji a common noun (申請書, 高齢者), not a
/// name, however the dictionary reads what comes before.
const COMMON_SUFFIXES: &[&str] = &[
    "等", "者", "性", "式", "店", "書", "証", "費", "料", "的", "化", "内", "外", "中", "後", "前",
    "時", "用", "類", "別", "制", "法", "税", "額", "率", "権", "人", "家", "側", "方", "署", "庁",
    "局", "課", "係", "所", "区", "市", "町", "村", "県", "都", "府", "道", "届", "金", "日", "月",
    "年", "円", "分", "目", "番", "号", "病", "症", "薬", "機", "器", "品", "物", "場", "館", "園",
    "会", "社", "部", "室", "線", "駅", "港", "橋", "川", "山", "島", "城", "寺", "院", "宮", "国",
];

/// How foreign family names end in katakana (…スキー, …ソン, …フォード).
const FOREIGN_SURNAME_ENDS: &[&str] = &[
    "スキー",
    "フスキ",
    "ソン",
    "フォード",
    "ベリー",
    "ワース",
    "ビッチ",
    "ヴィッチ",
    "ヴィチ",
    "ノフ",
    "ロフ",
    "ポフ",
    "コフ",
    "エフ",
    "ーニ",
    "ッティ",
    "ッリ",
    "シュタイン",
    "バーグ",
    "ベルク",
];

/// Surnames of residents from abroad that the dictionary knows only as
/// common words (ワン "one", ブラウン "brown", ヤング "young"): names when
/// said alone with です at the start, as 「はい、ワンです」 answers
/// 「お名前は」.
const SURNAMES_ALSO_WORDS: &[&str] = &[
    "イ",
    "レ",
    "ワン",
    "リュウ",
    "ブイ",
    "ダン",
    "タン",
    "リム",
    "ウォン",
    "ラム",
    "アリ",
    "ブラウン",
    "ホワイト",
    "ブラック",
    "グリーン",
    "ヤング",
    "キング",
    "ウッド",
    "ストーン",
    "ローズ",
    "ベル",
    "ハント",
    "ムーア",
    "ライス",
    "フォード",
    "ホール",
    "ウォーカー",
    "クック",
    "ベイカー",
    "テイラー",
    "ミラー",
    "カーター",
    "ターナー",
    "パーカー",
];

/// After these a name is spelled out, in kana or Latin letters.
const SPELLING_LEADS: &[&str] = &[
    "ふりがなは",
    "フリガナは",
    "よみがなは",
    "ヨミガナは",
    "読み方は",
    "読みは",
    "ローマ字では",
    "ローマ字は",
];

/// Words people are called by with さん, and greetings with さま, in
/// hiragana not starting with お or ご: no names.
const CALLED_BY: &[&str] = &[
    "たく",
    "みな",
    "じい",
    "ばあ",
    "とう",
    "かあ",
    "にい",
    "ねえ",
    "あか",
    "だんな",
    "むすこ",
    "むすめ",
    "いしゃ",
    "ぼっ",
    "ありがとう",
    "あんた",
    "きみ",
    "いっしょ",
    "かみ",
    "ほとけ",
    "いなか",
    // Who, this one, that one: どちらさまですか asks who is there.
    "あなた",
    "どなた",
    "どちら",
    "こちら",
    "そちら",
    "あちら",
    // Trades and jobs, written in kana (かんごしさん, やおやさん).
    "かんごし",
    "ほいくし",
    "はいしゃ",
    "やおや",
    "だいく",
    "うえきや",
    "とこや",
    "さかなや",
    "くすりや",
    "じょう",
];

/// Words in hiragana that stand where a name may (after kin and の, after
/// 名前は): 娘のほうです, 母のために, 名前はまだです.
const KANA_NOT_NAMES: &[&str] = &[
    "つぎ",
    "ほう",
    "ぶん",
    "ため",
    "こと",
    "もの",
    "ところ",
    "かわり",
    "せい",
    "まま",
    "とき",
    "ほか",
    "あと",
    "まえ",
    "うち",
    "よう",
    "くせ",
    "わけ",
    "はず",
    "つもり",
    "など",
    "みたい",
    "ころ",
    "すべて",
    "ぜんぶ",
    "みな",
    "みんな",
    "まだ",
    "なん",
    "なに",
    "これ",
    "それ",
    "あれ",
    "どれ",
    "こちら",
    "そちら",
    "あちら",
    "どちら",
    "ここ",
    "そこ",
    "あそこ",
    "どこ",
    "いい",
    "ひらがな",
    "かたかな",
    "カタカナ",
    "ふりがな",
    "ぜんいん",
    "かた",
    "ひと",
    "だれ",
    "どなた",
    "いっしょ",
    "けが",
    "びょうき",
    "しごと",
    "めんどう",
    "せわ",
    "かいご",
    "じっか",
    "ふたり",
    "ひとり",
    "さんにん",
    "ちょっと",
    "すこし",
    "ぜひ",
    "たぶん",
    "やはり",
    "やっぱり",
    "もう",
    "また",
    "ただ",
];

/// Roles on a form, as the clerk asks or confirms who holds them.
const ROLE_LEADS: &[&str] = &[
    "名義は",
    "上の子は",
    "下の子は",
    "子どもは",
    "子供は",
    "相手は",
    "相手の方は",
    "姓は",
    "名字は",
    "苗字は",
    "宛名は",
];

/// What a person does, said right before their name (ケアマネの宮崎,
/// 実業家福澤桃介): jobs at the counter and beyond.
const OCCUPATIONS: &[&str] = &[
    "俳優",
    "女優",
    "歌手",
    "作家",
    "画家",
    "漫画家",
    "作曲家",
    "作詞家",
    "写真家",
    "医師",
    "看護師",
    "保健師",
    "薬剤師",
    "弁護士",
    "司法書士",
    "行政書士",
    "税理士",
    "社労士",
    "教授",
    "准教授",
    "講師",
    "教諭",
    "師匠",
    "弟子",
    "社長",
    "会長",
    "副会長",
    "部長",
    "課長",
    "係長",
    "主任",
    "店長",
    "院長",
    "校長",
    "園長",
    "館長",
    "所長",
    "議員",
    "委員長",
    "副委員長",
    "総裁",
    "大臣",
    "主人公",
    "記者",
    "監督",
    "選手",
    "投手",
    "捕手",
    "騎手",
    "棋士",
    "力士",
    "大関",
    "横綱",
    "ケアマネ",
    "ケアマネジャー",
    "ケアマネージャー",
    "ヘルパー",
    "パイロット",
    "デザイナー",
    "ボーカル",
    "ヴォーカル",
    "ボーカリスト",
    "ヴォーカリスト",
    "ピアニスト",
    "ギタリスト",
    "ベーシスト",
    "ドラマー",
    "ソングライター",
    "アナウンサー",
    "タレント",
    "コメディアン",
    "プロデューサー",
    "ディレクター",
    "マネージャー",
    "アイドル",
];

/// Suffixes that make a word what someone does (科学者, 実業家, 運転士).
const OCCUPATION_SUFFIXES: &[&str] = &["者", "家", "士", "師", "員", "官"];

/// The roles a person holds on a form or at the counter: a name follows
/// them with は, が or の (申請者は出口です, 申請者の出口です) or comes
/// before them (出口が申請者です).
const ROLE_NOUNS: &[&str] = &[
    "世帯主",
    "筆頭者",
    "届出人",
    "申請者",
    "請求者",
    "受取人",
    "名義人",
    "代表者",
    "契約者",
    "代理人",
    "担当者",
    "申込者",
    "申込人",
    "届出者",
    "相続人",
    "保護者",
    "被保険者",
    "扶養者",
];

/// Events only a person has (dictionary forms): the one they happen to is a
/// person.
const DEATHS: &[&str] = &["亡くなる", "死亡", "死去", "逝去", "他界"];
const BIRTHS: &[&str] = &["生まれる"];
/// What only a person does at the counter (宮崎は今日来られません, 長野が署名
/// します): the subject is a person, not the place it is named like.
const PERSON_ACTS: &[&str] = &[
    "来る",
    "来れる",
    "来られる",
    "署名",
    "記入",
    "伺う",
    "参る",
    "転入",
    "転出",
    "転居",
    "帰国",
    "出国",
    "入国",
    "来日",
];
/// What befalls or is done only by a person, in hospital, school and
/// work, office, the stage and elections, the law (下地が入院した, 曽祢益が
/// 書記長に就任した): said of a family name or a katakana name, not of any
/// katakana word (タレントが出演する).
const PERSON_EVENTS: &[&str] = &[
    "入院",
    "退院",
    "通院",
    "入学",
    "卒業",
    "入社",
    "退職",
    "就職",
    "就任",
    "辞任",
    "引退",
    "入団",
    "退団",
    "出演",
    "主演",
    "受賞",
    "演じる",
    "留学",
    "当選",
    "落選",
    "出馬",
    "逮捕",
    "離婚",
    "再婚",
    "師事",
];
/// Being asked by someone (千葉に頼まれて, 石川から委任されました).
const ASKED_BY: &[&str] = &[
    "頼む",
    "頼まれる",
    "依頼",
    "委任",
    "代わる",
    "お願い",
    "願う",
];
/// Calls and messages from someone (出口から電話がありました).
const CONTACTS: &[&str] = &["電話", "連絡", "伝言", "確認"];
/// What is booked or registered under a name (林で予約しています).
const BOOKED: &[&str] = &["予約", "登録", "申し込む", "申込"];
/// How a name is called or written (森と呼ばれました, 堤と書いてください).
/// How one is called: a name, whatever word it is.
const CALLED: &[&str] = &["呼ぶ", "呼ばれる", "申す", "名乗る"];
/// Papers only a person has (not 申請 or 印鑑: コンビニの申請).
const PERSONAL_PAPERS: &[&str] = &[
    "住民票",
    "在留カード",
    "保険証",
    "戸籍",
    "マイナンバーカード",
    "パスポート",
    "委任状",
    "転出届",
    "転入届",
    "出生届",
    "死亡届",
    "婚姻届",
    "子ども",
    "子供",
    "お子さん",
];
const NAMED_AS: &[&str] = &["呼ぶ", "呼ばれる", "書く", "申す", "名乗る"];
/// A person's own papers and shares, right after a one-kanji family name
/// and の (林の住民票, 森の分).
const OWN_THINGS: &[&str] = &[
    "住民",
    "戸籍",
    "印鑑",
    "保険証",
    "保険",
    "国保",
    "分",
    "代理",
    "委任状",
    "年金",
    "口座",
    "名前",
    "署名",
    "マイナンバーカード",
    "マイナンバー",
    "通知",
    "申請",
    "世帯",
    "家族",
    "名義",
    "住所",
    "委任",
    "扶養",
    "通帳",
    "相続",
    "在留",
    "パスポート",
    "誕生日",
    "医療費",
    "母子手帳",
    "申請書",
    "出生証明書",
    "お迎え",
    "転入",
    "転出",
    "転居",
];
/// What one does with a person (宮崎と結婚しました), or a person does.
/// A child growing up (蓮が3歳になりました, 晶は小学生です).
const GROWN: &[&str] = &["歳", "小学生", "中学生", "高校生", "大学生", "園児", "年生"];

/// A child changing school or going up (長男の六花が転校します).
const CHILD_ACTS: &[&str] = &["転校", "転園", "入園", "卒園", "入学", "卒業", "進学"];

/// A child falling ill or hurt (晶が風邪をひきました).
const HEALTH: &[&str] = &["風邪", "熱", "入院", "怪我", "けが", "病気", "手術"];

/// Where a child goes (晶が来月から保育園です).
const SCHOOLS: &[&str] = &["保育園", "幼稚園", "保育所", "学童", "小学校", "中学校"];

/// A child's procedures, after a child's name and の.
const CHILD_THINGS: &[&str] = &[
    "出生届",
    "児童手当",
    "予防接種",
    "健診",
    "保育園",
    "幼稚園",
    "保育所",
    "学童",
    "就学",
    "入学",
    "転校",
    "学校",
    "医療証",
    "子ども医療",
];

const MARRIAGE: &[&str] = &["結婚", "離婚", "婚約", "再婚", "入籍"];

/// One-kanji surnames that are rarely anything else in Japanese text.
const CJK_SURNAMES: &[char] = &[
    '李', '朴', '趙', '崔', '蔣', '蒋', '袁', '習', '鄧', '劉', '楊', '孔', '魏', '蔡', '郭', '尹',
    '鄭', '姜', '曹', '胡',
];

/// One-kanji Chinese and Korean surnames that are also words (金, 王):
/// surnames only where the dictionary tags them so.
const CJK_TAGGED_SURNAMES: &[char] = &[
    '金', '王', '張', '陳', '黄', '周', '呉', '孫', '馬', '宋', '許', '何', '徐', '文', '章',
];

/// Kanji the dictionary lists as given names that more often say where or
/// what (松本行き, 田中東, 保良宮, 日本初): not a one-kanji given name after
/// a family name or a place.
const NOT_ONE_KANJI_GIVEN: &[&str] = &[
    "行", "中", "東", "西", "南", "北", "上", "下", "原", "長", "前", "後", "内", "外", "初", "都",
    "宮", "堂", "浜", "岬", "岳", "丘", "道", "通", "巻", "節", "年", "円", "万",
];

/// Titles that follow only people: a katakana word, or a one-kanji family
/// name with a two-kanji given name, before them is a name.
const PERSON_TITLES: &[&str] = &[
    "大統領",
    "米大統領",
    "首相",
    "元首相",
    "外相",
    "蔵相",
    "博士",
    "伯爵",
    "公爵",
    "侯爵",
    "男爵",
    "子爵",
    "卿",
    "提督",
    "将軍",
    "元帥",
    "大将",
    "中将",
    "少将",
    "大佐",
    "中佐",
    "少佐",
    "大尉",
    "中尉",
    "少尉",
    "国王",
    "王子",
    "王女",
    "女王",
    "皇帝",
    "親王",
    "内親王",
    "上皇",
    "法皇",
    "帝は",
    "帝の",
    "夫人",
    "氏は",
    "氏が",
    "氏の",
    "氏と",
    "氏に",
    "氏を",
    "氏も",
    "氏ら",
    "氏、",
    "氏。",
    "大使",
    "長官",
    "上院議員",
    "下院議員",
    "議員",
    "知事",
    "教皇",
    "司教",
    "神父",
    "牧師",
];

/// Titles that also follow common words (サッカー選手): a katakana word
/// before them is a name only when the dictionary lacks it.
const WEAK_TITLES: &[&str] = &[
    "監督", "選手", "会長", "社長", "学長", "教授", "兄弟", "姉妹", "夫妻", "一族", "家の", "王家",
    "親子", "一家",
];

/// Latin words of products, services and offices: a run of capitalized
/// words with one of them is no name (Apple Pay, My Number Card, JR East).
const LATIN_NOT_NAMES: &[&str] = &[
    "Apple",
    "Google",
    "Microsoft",
    "Windows",
    "Word",
    "Excel",
    "Office",
    "Mac",
    "Pay",
    "Wi-Fi",
    "Card",
    "App",
    "Store",
    "Play",
    "Online",
    "Web",
    "Mail",
    "Edge",
    "Chrome",
    "LINE",
    "Line",
    "ID",
    "PDF",
    "QR",
    "ATM",
    "OK",
    "NG",
    "TV",
    "PC",
    "JR",
    "NHK",
    "USB",
    "SIM",
    "ETC",
    "DX",
    "My",
    "Number",
    "Portal",
    "Suica",
    "PASMO",
    "Pro",
    "Plus",
    "Max",
    "Mini",
    "Air",
    "Phone",
    "Japan",
    "Tokyo",
    "Post",
    "Bank",
    "Visa",
    "VISA",
    "JCB",
    "Master",
    "City",
    "Center",
    "Service",
    "Net",
    "Cloud",
    "Drive",
    "Map",
    "Maps",
    "Zoom",
    "Teams",
    "Amazon",
    "Yahoo",
    "Rakuten",
    "PayPay",
    "Smart",
    "Code",
    "Free",
    "Help",
    "Desk",
    "Home",
    "Page",
];

/// Katakana words of the counter's business: a run of katakana words with
/// one of them is no name, however the recognizer spaced it (マイナンバー
/// カード, コンビニ 交付).
const COUNTER_KATAKANA: &[&str] = &[
    "カード",
    "マイナ",
    "ナンバー",
    "ポータル",
    "コンビニ",
    "センター",
    "サービス",
    "ポイント",
    "スマホ",
    "アプリ",
    "オンライン",
    "コード",
    "パスワード",
    "ケース",
    "コピー",
    "ファックス",
    "メール",
    "ネット",
    "ページ",
    "サイト",
    "システム",
    "ケアマネ",
    "ヘルパー",
    "パスポート",
];

/// Loanwords heard at counters that the dictionary lacks: not names when
/// they stand alone before a particle (スマホは使えますか, ローソンで取れますか).
const LOANWORDS: &[&str] = &[
    "フリガナ",
    "ハンコ",
    "シャチハタ",
    "シルバー",
    "ヨミガナ",
    "スマホ",
    "アプリ",
    "クレカ",
    "デビット",
    "ペイ",
    "マイナ",
    "ネット",
    "パソコン",
    "ガラケー",
    "タブレット",
    "ウェブ",
    "メアド",
    "ライン",
    "コンビニ",
    "マイポ",
    "マイナポータル",
    "マイナポイント",
    "ケアマネ",
    "ケアプラン",
    "ショートステイ",
    "ヘルパー",
    "ハローワーク",
    "オンライン",
    "ワンストップ",
    "ローソン",
    "ファミマ",
    "ペイジー",
    "イータックス",
    "エルタックス",
    "ウェブサイト",
    "エクセル",
    "ヤングケアラー",
    "ケアラー",
    "ファミサポ",
    "デイケア",
    "ジェネリック",
    "ストーカー",
    "リボ",
    "キャッシング",
    "ジョブカフェ",
    "ポータル",
    "ユーチューブ",
    "インスタ",
    "ツイッター",
    "グーグル",
    "アイフォン",
    "アンドロイド",
    "メルカリ",
    "ラクテン",
    "アメックス",
    "ナナコ",
    "ワオン",
    "パスモ",
    "イコカ",
    "メゾン",
    // Newer than the dictionary, said at the counter about how one applies
    // or works (found masked as names in the eighth session).
    "ブログ",
    "インスタグラム",
    "ティックトック",
    "クラウド",
    "テレワーク",
    "ブラウザ",
    "フリーランス",
    "サブスク",
    "スクショ",
    "エスエムエス",
    "ポータルサイト",
    "カスタマー",
    "ピーディーエフ",
    "ジェイペグ",
    "ユーアールエル",
    "プロバイダ",
    "ルーター",
    "ワイファイ",
    "テザリング",
    "ブルートゥース",
    "イヤホン",
    "キャッシュレス",
    "マイページ",
    "マイナカード",
    "キオスク",
    // Shops and services where residents work or buy, which the dictionary
    // lacks and no family name sounds like (ヤマダ, サガワ and セリア do,
    // and stay names).
    "ユニクロ",
    "ドンキ",
    "スタバ",
    "ヨドバシ",
    "コストコ",
    "イケア",
    "ウエルシア",
    "マツキヨ",
    "ココカラ",
    "ヤフオク",
    "メルペイ",
    "ペイペイ",
    "ネイルサロン",
    "ガスト",
    "サイゼリヤ",
    "スシロー",
    "カインズ",
    "エディオン",
    "ツタヤ",
    "ブックオフ",
    "セカスト",
    "デニーズ",
    "モスバーガー",
    "ミスド",
    "タリーズ",
    "コメダ",
];

/// Endings of dotted katakana phrases that are not people.
const NOT_FOREIGN_NAMES: &[&str] = &[
    "コーポレーション",
    "カンパニー",
    "センター",
    "サービス",
    "システム",
    "カード",
    "ネットワーク",
    "グループ",
    "ホテル",
    "ストア",
    "ショップ",
    "クラブ",
    "チーム",
    "プロジェクト",
    "プログラム",
];

/// Offices: a municipality followed by these is a place to go, not an address.
const OFFICES: &[&str] = &[
    "役所",
    "役場",
    "区役所",
    "市役所",
    "町役場",
    "村役場",
    "事務所",
    "出張所",
    "支所",
    "センター",
    "窓口",
    "図書館",
    "病院",
    "警察署",
    "郵便局",
    "税務署",
    "年金事務所",
];

/// Nouns that end a place name when read leftwards.
const ADDRESS_STOP: &[&str] = &[
    "住所",
    "所在地",
    "番号",
    "電話",
    "本籍",
    "本籍地",
    "現住所",
    "新住所",
    "旧住所",
    "住まい",
    "自宅",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn masker() -> Masker {
        Masker::new(Arc::new(
            Analyzer::from_env().expect("dictionary (run `make setup`)"),
        ))
    }

    /// Masks each text in turn in one session (labels carry over) and
    /// checks what comes out.
    /// Each case in a session of its own, so no name said in one masks
    /// another: what the rules alone find.
    fn masks_each_alone(cases: &[(&str, &str)]) {
        let m = masker();
        for (said, want) in cases {
            assert_eq!(m.session().mask(said).0.as_str(), *want, "{said}");
        }
    }

    fn masks_in_one_session(cases: &[(&str, &str)]) {
        let mut s = masker().session();
        for (said, want) in cases {
            assert_eq!(s.mask(said).0.as_str(), *want, "{said}");
        }
    }

    #[test]
    fn addresses_as_said_are_whole() {
        masks_each_alone(&[
            ("住所は葛飾区立石5の13の1です", "住所は［住所1］です"),
            ("松戸市松戸1234の5に住んでいます", "［住所1］に住んでいます"),
            ("立石5丁目13番1号のメゾン立石202です", "［住所1］です"),
            ("〒124-0012 葛飾区立石5-13-1", "［住所1］ ［住所2］"),
            ("東京都葛飾区金町3丁目2番地の5です", "［住所1］です"),
            // A municipality and town as where one lives.
            ("葛飾区立石に住んでいます", "［住所1］に住んでいます"),
            ("住所は松戸市小金原です", "住所は［住所1］です"),
            ("葛飾区役所に行きます", "葛飾区役所に行きます"),
            // Numbers without a place before them, and places, stay.
            ("葛飾区の3の2の窓口", "葛飾区の3の2の窓口"),
            ("第3の2項", "第3の2項"),
            ("1号の窓口でお待ちください", "1号の窓口でお待ちください"),
            // A town, の and three numbers; a building after a pause.
            ("立石の5の13の1です", "［住所1］です"),
            ("資料の3の1の2を見てください", "資料の3の1の2を見てください"),
            ("3年の1組の2番です", "3年の1組の2番です"),
            // Town names with が, a prefix or a number in them, and a floor.
            (
                "住所は横浜市都筑区あゆみが丘18-14です",
                "住所は［住所1］です",
            ),
            (
                "住所は千葉市緑区おゆみ野2丁目35-1です",
                "住所は［住所1］です",
            ),
            (
                "住所は東京都港区麻布十番2丁目16-6です",
                "住所は［住所1］です",
            ),
            ("品川区上大崎1丁目10-15 2階です", "［住所1］です"),
            (
                "住所はさいたま市浦和区高砂3-15-1、コーポ高砂201号室です",
                "住所は［住所1］です",
            ),
        ]);
    }

    #[test]
    fn numbers_read_out_in_kanji_and_short_card_numbers_are_masked() {
        masks_each_alone(&[
            ("生年月日はS55/3/4です", "生年月日は［生年月日1］です"),
            (
                "パスポート番号はTK1234567です",
                "パスポート番号は［番号1］です",
            ),
            // A particle after written digits stays (に is also 2).
            (
                "080-9876-5432に電話してください",
                "［電話1］に電話してください",
            ),
            (
                "折り返しは070の5555の1234にお願いします",
                "折り返しは［電話1］にお願いします",
            ),
            ("〇九〇の一二三四の五六七八です", "［電話1］です"),
            (
                "電話番号は〇三、一二三四、五六七八です",
                "電話番号は［電話1］です",
            ),
            (
                "保険証の記号は12、番号は345です",
                "保険証の記号は［番号1］、番号は［番号2］です",
            ),
            // Dates, articles, amounts and a counter's queue number stay.
            ("二〇二六年四月一日から", "二〇二六年四月一日から"),
            ("第一二三条", "第一二三条"),
            ("三百二十一円です", "三百二十一円です"),
            ("受付番号は25番です", "受付番号は25番です"),
            ("保険料は3000円です", "保険料は3000円です"),
        ]);
    }

    #[test]
    fn the_answer_to_a_request_for_a_name_is_a_name() {
        masks_in_one_session(&[
            (
                "お子さんのお名前を教えてください",
                "お子さんのお名前を教えてください",
            ),
            ("ゆうとです", "［氏名1］です"),
            ("ご主人のお名前は", "ご主人のお名前は"),
            ("はい、優人です", "はい、［氏名2］です"),
            // Only right after the request (優斗, a listed name, is masked
            // alone too).
            ("優斗です", "［氏名3］です"),
            ("夕斗です", "夕斗です"),
        ]);
        masks_in_one_session(&[
            ("お名前を教えてください", "お名前を教えてください"),
            ("はい、わかりました", "はい、わかりました"),
            ("お名前をお願いします", "お名前をお願いします"),
            ("忘れました", "忘れました"),
            ("お名前は", "お名前は"),
            ("ひらがなでいいですか", "ひらがなでいいですか"),
            (
                "ご本人のお名前をお願いします",
                "ご本人のお名前をお願いします",
            ),
            ("本人です", "本人です"),
        ]);
    }

    #[test]
    fn a_birth_date_or_address_given_when_asked_is_masked() {
        masks_in_one_session(&[
            ("お誕生日は？", "お誕生日は？"),
            ("5月5日です", "［生年月日1］です"),
            ("何年生まれですか", "何年生まれですか"),
            ("昭和50年です", "［生年月日2］です"),
            ("ご住所は", "ご住所は"),
            ("立石の5の13の1です", "［住所1］です"),
            // Only right after the question.
            ("5月5日に来ます", "5月5日に来ます"),
            ("3の2の窓口です", "3の2の窓口です"),
        ]);
    }

    #[test]
    fn masks_each_kind_with_stable_labels() {
        let mut s = masker().session();
        let (m, spans) = s.mask("山田太郎と申します。住所は東京都葛飾区立石5丁目13番1号です。");
        assert_eq!(m.as_str(), "［氏名1］と申します。住所は［住所1］です。");
        assert_eq!(
            spans[0],
            Span {
                kind: Kind::Name,
                start: 0,
                end: 4
            }
        );
        let (m, _) =
            s.mask("山田さんの電話番号は03-1234-5678、携帯は０９０－１２３４－５６７８です");
        assert_eq!(
            m.as_str(),
            "［氏名1］さんの電話番号は［電話1］、携帯は［電話2］です"
        );
        let (m, _) = s.mask("生年月日は昭和50年3月3日です。マイナンバーは1234 5678 9018です");
        assert_eq!(
            m.as_str(),
            "生年月日は［生年月日1］です。マイナンバーは［番号1］です"
        );
        let (m, _) = s.mask("連絡先はゼロサンのイチニーサンヨンのゴーロクナナハチです");
        assert_eq!(m.as_str(), "連絡先は［電話3］です");
        // 0 said まる, 2 said にい.
        let (m, _) = s.mask("携帯はまるきゅうまるのいちにいさんよんです");
        assert_eq!(m.as_str(), "携帯は［電話4］です");
        let (m, _) = s.mask("メールはtaro.yamada@example.jpまで。在留カードはAB12345678CDです");
        assert_eq!(
            m.as_str(),
            "メールは［メール1］まで。在留カードは［番号2］です"
        );
        let (m, _) = s.mask("ジョン・スミスさんの代理で来ました");
        assert_eq!(m.as_str(), "［氏名2］さんの代理で来ました");
        let (m, _) = s.mask("息子のケンタが生まれました。妻のマイナンバーカードもあります");
        assert_eq!(
            m.as_str(),
            "息子の［氏名3］が生まれました。妻のマイナンバーカードもあります"
        );
    }

    #[test]
    fn a_name_ending_in_a_role_character_is_whole_in_context() {
        // 子 (お子さん) is a role, but 恵子 is a name: the whole name goes,
        // family name included, with a space or read as a place.
        masks_in_one_session(&[
            ("松本 恵子と申します", "［氏名1］と申します"),
            ("百目鬼恵子の代理で来ました", "［氏名2］の代理で来ました"),
            ("妻の池田 和子さんの住民票", "妻の［氏名3］さんの住民票"),
            ("お子さんの保険証", "お子さんの保険証"),
            ("担当者さんに聞きました", "担当者さんに聞きました"),
        ]);
    }

    #[test]
    fn a_name_after_kin_is_masked_however_the_dictionary_split_it() {
        masks_in_one_session(&[
            // 一郎 is read as 一 + 郎, さつき as a place.
            ("長男の一郎が来ます", "長男の［氏名1］が来ます"),
            ("長女さつきの保険証です", "長女［氏名2］の保険証です"),
            ("主人の太郎が", "主人の［氏名3］が"),
            ("妻・オリエと出席した", "妻・［氏名4］と出席した"),
            ("中田の四女豊と結婚", "［氏名5］の四女［氏名6］と結婚"),
            // 九十九 (つくも) read as a number, 陽菜 as two kanji.
            ("妻の九十九陽菜さんの住民票", "妻の［氏名7］さんの住民票"),
            // Kin lists, counts and words stay.
            ("直系卑属（子・孫）", "直系卑属（子・孫）"),
            ("孫一人で来ました", "孫一人で来ました"),
            ("妻名義の口座です", "妻名義の口座です"),
            ("長男夫婦と同居しています", "長男夫婦と同居しています"),
            ("妻の長男が来ました", "妻の長男が来ました"),
            // ため and よう are given names too, here dependent nouns.
            ("娘のためにお願いします", "娘のためにお願いします"),
            ("母のようになりたい", "母のようになりたい"),
        ]);
    }

    #[test]
    fn kin_then_a_name_ending_what_is_said_is_a_name() {
        masks_each_alone(&[
            // The dictionary reads this 山田 as a rice field.
            ("妻の山田です", "妻の［氏名1］です"),
            ("夫の千葉です", "夫の［氏名1］です"),
            ("母の波々伯部でございます", "母の［氏名1］でございます"),
            ("妻のケンタです", "妻の［氏名1］です"),
            // Things and places of kin stay.
            ("妻の実家です", "妻の実家です"),
            ("妻の東京です", "妻の東京です"),
            ("夫のパスポートです", "夫のパスポートです"),
            ("娘のマイナンバーカードです", "娘のマイナンバーカードです"),
            ("母のヘルパーです", "母のヘルパーです"),
            ("夫の国保です", "夫の国保です"),
            ("母の件です", "母の件です"),
        ]);
    }

    #[test]
    fn common_family_names_never_leak_in_counter_sentences() {
        // The 232 most common family names, said in what residents and
        // clerks say, each sentence in a session of its own. Many are
        // places or words to the dictionary (千葉, 山田 read as a rice
        // field, 林, 森, 市川).
        const FAMILY: &str = "
            佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 林 斎藤 清水
            山崎 森 池田 橋本 阿部 石川 山下 中島 石井 小川 前田 岡田 長谷川 藤田 後藤 近藤 村上 遠藤 青木 坂本
            斉藤 福田 太田 西村 藤井 金子 岡本 藤原 中野 三浦 原田 中川 松田 竹内 小野 田村 中山 和田 石田 森田
            上田 原 内田 柴田 酒井 宮崎 横山 高木 安藤 宮本 大野 小島 谷口 今井 工藤 高田 増田 丸山 杉山 村田
            大塚 新井 小山 平野 藤本 河野 上野 野口 武田 松井 千葉 岩崎 菅原 木下 久保 佐野 野村 松尾 市川 菊地
            杉本 古川 大西 島田 水野 桜井 高野 渡部 吉川 山内 西田 飯田 菊池 西川 小松 北村 安田 五十嵐 川口 平田
            関 中田 久保田 服部 東 岩田 土屋 川崎 福島 本田 辻 樋口 秋山 永井 中西 吉村 川上 大橋 松岡 馬場
            浅野 荒木 大久保 野田 小池 熊谷 松下 星野 黒田 堀 尾崎 望月 永田 菅野 富田 片山 内藤 大島 矢野 浜田
            松浦 栗原 北川 桑原 小田 岡 森本 荒井 大竹 沢田 宮田 根本 白石 堀内 須藤 宮下 牧野 神田 小西 上原
            福井 奥村 坂口 安井 大石 三宅 大谷 岩本 広瀬 関口 早川 片岡 川村 平井 松村 細川 高山 横田 長田 石原
            中尾 岡崎 田口 大川 松山 北野 西 南 白井 吉野 若林 大山 富永 竹田 福本 篠原 河合 平山 杉田 小澤
            石橋 浅井 二宮 嶋田 鎌田 小谷 星 米田 野中 黒木 堤 宇野
        ";
        const SAID: &[&str] = &[
            "{}です。",
            "はい、{}です",
            "{}と申します",
            "名前は{}です",
            "妻の{}です",
            "{}の妻です",
            "世帯主は{}です",
            "{}が亡くなりました",
            "{}の代理で来ました",
            "{}に頼まれて来ました",
            "{}宛てに送ってください",
            "担当の{}です",
            "旧姓は{}です",
            "{}と結婚しました",
            "申請者は{}です",
            "{}で予約しています",
            "{}から委任されました",
            "夫の{}が来られないので",
            "{}の住民票をください",
            "{}の分もお願いします",
            "受付で{}と呼ばれました",
            "{}と書いてください",
            "{}が署名します",
            "父の{}の年金です",
        ];
        let m = masker();
        let mut leaks = Vec::new();
        for name in FAMILY.split_whitespace() {
            for said in SAID {
                let text = said.replace("{}", name);
                let masked = m.session().mask(&text).0;
                if masked.as_str().contains(name) {
                    leaks.push(masked.as_str().to_owned());
                }
            }
        }
        assert!(
            leaks.is_empty(),
            "{} leaks: {:?}",
            leaks.len(),
            &leaks[..leaks.len().min(20)]
        );
    }

    #[test]
    fn children_and_kin_by_given_name_are_masked() {
        masks_each_alone(&[
            // Names of children the dictionary does not list.
            ("息子の陽翔が生まれました", "息子の［氏名1］が生まれました"),
            ("娘の結愛です", "娘の［氏名1］です"),
            // Beginning with a numeral (七 + 香); counts stay (below).
            ("娘の七香が来ます", "娘の［氏名1］が来ます"),
            ("長女の一花の保険証です", "長女の［氏名1］の保険証です"),
            ("娘の二人が来ます", "娘の二人が来ます"),
            ("長男の蒼空の保険証です", "長男の［氏名1］の保険証です"),
            (
                "紬が生まれたので出生届を出します",
                "［氏名1］が生まれたので出生届を出します",
            ),
            // Listed names, and words that are names after kin when born.
            ("蓮が生まれたので", "［氏名1］が生まれたので"),
            ("娘の和子です", "娘の［氏名1］です"),
            (
                "妻の健一の保険証もお願いします",
                "妻の［氏名1］の保険証もお願いします",
            ),
            ("息子の海が生まれました", "息子の［氏名1］が生まれました"),
            ("大翔が生まれたので", "［氏名1］が生まれたので"),
            (
                "さくらが生まれたので出生届を出します",
                "［氏名1］が生まれたので出生届を出します",
            ),
            ("こどもが生まれました", "こどもが生まれました"),
            ("加入者が亡くなったとき", "加入者が亡くなったとき"),
            (
                "おじいちゃんが亡くなりました",
                "おじいちゃんが亡くなりました",
            ),
            // Words of the counter after kin stay, though listed as given
            // names (大学, 健康, 一人) or said of kin.
            ("母の健康が心配です", "母の健康が心配です"),
            ("父の健康保険証です", "父の健康保険証です"),
            ("夫の平日は忙しいです", "夫の平日は忙しいです"),
            ("妻の大学です", "妻の大学です"),
            ("孫一人で来ました", "孫一人で来ました"),
            ("妻の父親が亡くなりました", "妻の父親が亡くなりました"),
            ("息子の犬が亡くなりました", "息子の犬が亡くなりました"),
            ("祖母の代理です", "祖母の代理です"),
            ("妻のケアマネです", "妻のケアマネです"),
            ("名前は大丈夫ですか", "名前は大丈夫ですか"),
            ("妻の名前が心配です", "妻の名前が心配です"),
            ("担当の件で来ました", "担当の件で来ました"),
        ]);
    }

    #[test]
    fn names_in_hiragana_after_kin_or_name_are_masked() {
        masks_each_alone(&[
            ("娘のさくらです", "娘の［氏名1］です"),
            ("妻のけいこが来られません", "妻の［氏名1］が来られません"),
            ("孫のひかりの分です", "孫の［氏名1］の分です"),
            ("子どもの名前はひろしです", "子どもの名前は［氏名1］です"),
            ("名前はたなかはなこです", "名前は［氏名1］です"),
            (
                "名前はやまだ、やまだはなこです",
                "名前は［氏名1］、［氏名1］です",
            ),
            ("さくらの代わりに来ました", "［氏名1］の代わりに来ました"),
            (
                "娘のさくらがきのうきました",
                "娘の［氏名1］がきのうきました",
            ),
            // Words that stand there too.
            ("娘のほうがいいです", "娘のほうがいいです"),
            ("母のためにも", "母のためにも"),
            ("夫のかわりに来ました", "夫のかわりに来ました"),
            ("妻のことでご相談が", "妻のことでご相談が"),
            ("娘のおかげです", "娘のおかげです"),
            ("名前はまだです", "名前はまだです"),
            ("名前はひらがなです", "名前はひらがなです"),
            ("はい、そうです", "はい、そうです"),
        ]);
    }

    #[test]
    fn foreign_names_in_a_persons_role_are_masked() {
        masks_each_alone(&[
            ("グエンで予約しています", "［氏名1］で予約しています"),
            ("サントスの住民票をください", "［氏名1］の住民票をください"),
            (
                "受付でマリアと呼ばれました",
                "受付で［氏名1］と呼ばれました",
            ),
            ("妻のマリアです", "妻の［氏名1］です"),
            ("夫のワンが来られません", "夫の［氏名1］が来られません"),
            // The dictionary reads チャン here as ちゃん, トーマス as トー + マス.
            ("名前はチャンです", "名前は［氏名1］です"),
            ("トーマスで予約しています", "［氏名1］で予約しています"),
            // One-letter family names, said alone.
            ("はい、イです", "はい、［氏名1］です"),
            ("レです", "［氏名1］です"),
            ("ローマ字のイです", "ローマ字のイです"),
            ("ミゲルと結婚しました", "［氏名1］と結婚しました"),
            // Means, countries and loanwords stay.
            ("ネットで予約しています", "ネットで予約しています"),
            ("アプリで予約しました", "アプリで予約しました"),
            ("メールで登録しました", "メールで登録しました"),
            ("ブラジルで登録しました", "ブラジルで登録しました"),
            ("コンビニの住民票", "コンビニの住民票"),
            (
                "マイナンバーカードの申請です",
                "マイナンバーカードの申請です",
            ),
            (
                "シャチハタみたいなゴムインでも登録できますか",
                "シャチハタみたいなゴムインでも登録できますか",
            ),
            ("あやちゃんの保険証です", "［氏名1］ちゃんの保険証です"),
        ]);
    }

    #[test]
    fn a_given_name_in_hiragana_after_a_family_name_is_part_of_the_name() {
        masks_each_alone(&[
            ("速水けんたろうです", "［氏名1］です"),
            ("田中ゆうとと申します", "［氏名1］と申します"),
            ("山口だいきの母です", "［氏名1］の母です"),
            (
                "井上りなから電話がありました",
                "［氏名1］から電話がありました",
            ),
            ("林ともやに代わって来ました", "［氏名1］に代わって来ました"),
            ("代理人は松本けいこです", "代理人は［氏名1］です"),
            ("佐々木しほ名義の通帳です", "［氏名1］名義の通帳です"),
            ("田中　はなこです", "［氏名1］です"),
            ("田中 マリアです", "［氏名1］です"),
            // Or in katakana, known or not to the dictionary.
            ("田中マリアです", "［氏名1］です"),
            ("鈴木ハルトで予約しています", "［氏名1］で予約しています"),
            ("田中ソフィアの母です", "［氏名1］の母です"),
            ("中野サンプラザです", "中野サンプラザです"),
            // Words after a place or a name stay.
            ("八百屋さんの向かいです", "八百屋さんの向かいです"),
            ("宮崎かなと思います", "宮崎かなと思います"),
            ("山口まで行きます", "山口まで行きます"),
        ]);
    }

    #[test]
    fn a_family_name_in_hiragana_given_as_ones_name_is_masked() {
        masks_each_alone(&[
            ("こばやしと申します", "［氏名1］と申します"),
            (
                "えーと、わたくし、こばやしと申します",
                "えーと、わたくし、［氏名1］と申します",
            ),
            ("はい、たなかです", "はい、［氏名1］です"),
            ("すずきといいます", "［氏名1］といいます"),
            ("はい、けっこうです", "はい、けっこうです"),
            ("いえ、だいじょうぶです", "いえ、だいじょうぶです"),
            ("はい、そうです", "はい、そうです"),
        ]);
    }

    #[test]
    fn a_part_of_several_names_takes_the_label_of_the_first() {
        // The same in every process: the map's order does not decide.
        for _ in 0..8 {
            masks_in_one_session(&[
                ("ウィルソンです", "［氏名1］です"),
                ("ジョンソンと申します", "［氏名2］と申します"),
                ("名前はソンです", "名前は［氏名1］です"),
            ]);
        }
    }

    #[test]
    fn children_and_kin_listed_one_after_another_are_masked() {
        masks_each_alone(&[
            (
                "上の子が陽菜で、下の子が湊です",
                "上の子が［氏名1］で、下の子が［氏名2］です",
            ),
            (
                "長男は悠真、次男は蓮です",
                "長男は［氏名1］、次男は［氏名2］です",
            ),
            // The elder and the younger, and what kin do, stay.
            ("上が小学生で下が保育園です", "上が小学生で下が保育園です"),
            (
                "上の子が小学生で、下の子が保育園です",
                "上の子が小学生で、下の子が保育園です",
            ),
            (
                "長男は大学生、次男は高校生です",
                "長男は大学生、次男は高校生です",
            ),
            ("夫は会社員で、妻は主婦です", "夫は会社員で、妻は主婦です"),
            ("娘が東京で、息子が大阪です", "娘が東京で、息子が大阪です"),
        ]);
    }

    #[test]
    fn a_name_the_recognizer_garbled_is_masked_in_a_name_slot() {
        masks_each_alone(&[
            // 長谷川翔太, 大木誠, 小林さくら, 田中, 小林陽翔 as whisper heard them.
            ("姿がましょうたと申します", "［氏名1］と申します"),
            ("大きまことの代理できました", "［氏名1］の代理できました"),
            (
                "小話し桜です、宜しくお願いします",
                "［氏名1］です、宜しくお願いします",
            ),
            ("「たなか」と申します", "「［氏名1］」と申します"),
            // A name cut by a comma (長谷川健太), and kanji shaped like a
            // name (有希子); offices, greetings and kin stay.
            ("鮮がわし、けんたと申します", "［氏名1］と申します"),
            (
                "葛飾区役所、山田と申します",
                "葛飾区役所、［氏名1］と申します",
            ),
            (
                "住民票の件で、山田と申します",
                "住民票の件で、［氏名1］と申します",
            ),
            (
                "こんにちは、山田と申します",
                "こんにちは、［氏名1］と申します",
            ),
            (
                "有耳子です。宜しくお願いします",
                "［氏名1］です。宜しくお願いします",
            ),
            // The slot holds the name, not what leads to it; what the
            // recognizer made of the rest of a name in a slot is the name.
            ("名前は山田です。よろしく", "名前は［氏名1］です。よろしく"),
            ("名前は千葉作らです", "名前は［氏名1］です"),
            ("世帯主は田中のままです", "世帯主は［氏名1］のままです"),
            ("名前は田中ではないです", "名前は［氏名1］ではないです"),
            (
                "息子です、よろしくお願いします",
                "息子です、よろしくお願いします",
            ),
            (
                "市民課です、よろしくお願いします",
                "市民課です、よろしくお願いします",
            ),
            ("名前は、小ばらし、ハルトです", "名前は、［氏名1］です"),
            ("世帯主は、はやみ県たろうです", "世帯主は、［氏名1］です"),
            // Kanji ending with a given name that is no word (長谷川健太郎).
            ("はい、端側県太郎です", "はい、［氏名1］です"),
            ("はい、健康保険です", "はい、健康保険です"),
            // A modern given name alone, at the start (大翔, 心晴).
            ("はい、大翔です", "はい、［氏名1］です"),
            ("心晴から電話がありました", "［氏名1］から電話がありました"),
            ("はい、本人です", "はい、本人です"),
            ("市役所から電話がありました", "市役所から電話がありました"),
            // A pause inside a role's slot (速水健吾), not about oneself.
            ("世帯主ははやみ、介護です", "世帯主は［氏名1］です"),
            (
                "世帯主はわたしで、妻も一緒です",
                "世帯主はわたしで、妻も一緒です",
            ),
            // A role's slot holding other letters that sound like a family
            // name (斎藤, 村上恵子), not a word or an answer about kin.
            ("世帯主は最頭です", "世帯主は［氏名1］です"),
            ("世帯主は村かみ傾向です", "世帯主は［氏名1］です"),
            ("世帯主は同居人です", "世帯主は同居人です"),
            ("世帯主は最年長の父です", "世帯主は最年長の父です"),
            ("世帯主は未定です", "世帯主は未定です"),
            // So does whose papers are asked for too (妻の斎藤の分も, with
            // 妻の heard as 住民の).
            (
                "住民の最頭の分もお願いします",
                "住民の［氏名1］の分もお願いします",
            ),
            (
                "会社の同僚の分もお願いします",
                "会社の同僚の分もお願いします",
            ),
            // A family name the recognizer wrote in hiragana, after a role
            // or before a pause and a name.
            ("世帯主はくぼたです", "世帯主は［氏名1］です"),
            ("申請者はたなかになります", "申請者は［氏名1］になります"),
            (
                "しばやま、まことさんの住民票をお願いします",
                "［氏名1］さんの住民票をお願いします",
            ),
            ("申請者はこちらになります", "申請者はこちらになります"),
            (
                "しばやまから電話がありました",
                "［氏名1］から電話がありました",
            ),
            (
                "受付でくぼたと呼ばれました",
                "受付で［氏名1］と呼ばれました",
            ),
            ("くぼたの代理で来ました", "［氏名1］の代理で来ました"),
            (
                "ともだちから電話がありました",
                "ともだちから電話がありました",
            ),
            ("むすめの代理で来ました", "むすめの代理で来ました"),
            ("世帯主はわたしです", "世帯主はわたしです"),
            ("世帯主は、本人です", "世帯主は、本人です"),
            ("世帯主は、変わらないです", "世帯主は、変わらないです"),
            ("世帯主は、そのままです", "世帯主は、そのままです"),
            ("はい、しばやまです", "はい、［氏名1］です"),
            // Descriptions, kin and roles in those slots stay.
            ("市役所の者と申します", "市役所の者と申します"),
            ("担当と申します", "担当と申します"),
            ("母の代理で来ました", "母の代理で来ました"),
            ("不動産会社の代理で来ました", "不動産会社の代理で来ました"),
            ("近所の人の代理で来ました", "近所の人の代理で来ました"),
            (
                "ケアマネさんの代理で来ました",
                "ケアマネさんの代理で来ました",
            ),
            (
                "担当の者です、よろしくお願いします",
                "担当の者です、よろしくお願いします",
            ),
            ("名前は、ひらがなです", "名前は、ひらがなです"),
            ("名前は書かなくていいですか", "名前は書かなくていいですか"),
        ]);
    }

    #[test]
    fn given_names_that_are_words_too_are_names_after_kin() {
        masks_each_alone(&[
            ("次女の知徳です", "次女の［氏名1］です"),
            ("娘の瑞枝です", "娘の［氏名1］です"),
            ("孫の一瓢が来ています", "孫の［氏名1］が来ています"),
            // Words said of kin stay.
            ("娘の大学です", "娘の大学です"),
            ("父の健康が心配です", "父の健康が心配です"),
            ("娘の学校です", "娘の学校です"),
            ("母の年金です", "母の年金です"),
        ]);
    }

    #[test]
    fn foreign_residents_names_the_dictionary_breaks_or_knows_as_words() {
        masks_each_alone(&[
            // Broken at an interjection or a single letter: フェ + レイラ,
            // レ + イエス.
            ("フェレイラです", "［氏名1］です"),
            ("はい、レイエスです", "はい、［氏名1］です"),
            // Everyday words to the dictionary, where only a name fits.
            ("ライの住民票をください", "［氏名1］の住民票をください"),
            (
                "受付でファンと呼ばれました",
                "受付で［氏名1］と呼ばれました",
            ),
            (
                "こちらはチュオンの委任状です",
                "こちらは［氏名1］の委任状です",
            ),
            ("リュウが来月帰国します", "［氏名1］が来月帰国します"),
            ("申込者はミンになります", "申込者は［氏名1］になります"),
            // Words before papers, ways to book, scripts and countries stay.
            ("デジタルの保険証です", "デジタルの保険証です"),
            ("カラーの住民票", "カラーの住民票"),
            (
                "ペーパーの保険証はまだ使えますか",
                "ペーパーの保険証はまだ使えますか",
            ),
            (
                "オンラインの転出届はできますか",
                "オンラインの転出届はできますか",
            ),
            ("カナで登録しています", "カナで登録しています"),
            ("アメリカから入国しました", "アメリカから入国しました"),
            ("申込者はこちらになります", "申込者はこちらになります"),
            ("保護者は父です", "保護者は父です"),
            ("アイテムです", "アイテムです"),
        ]);
    }

    #[test]
    fn family_names_the_dictionary_cuts_or_lacks_are_masked() {
        masks_each_alone(&[
            // Listed, but cut: 六 + 角, 金田 + 一.
            ("六角で予約しています", "［氏名1］で予約しています"),
            ("はい、金田一です", "はい、［氏名1］です"),
            // Not listed: 五 + 百 + 旗頭, 月見 + 里, 百目鬼 as a place.
            ("世帯主は五百旗頭です", "世帯主は［氏名1］です"),
            ("月見里と申します", "［氏名1］と申します"),
            ("百目鬼です", "［氏名1］です"),
            ("妻の小鳥遊です", "妻の［氏名1］です"),
            // Numbers stay numbers, places places.
            ("九十九円です", "九十九円です"),
            ("七五三の写真です", "七五三の写真です"),
            (
                "証人欄に二名の署名が必要です",
                "証人欄に二名の署名が必要です",
            ),
            ("本籍は千葉です", "本籍は千葉です"),
        ]);
    }

    #[test]
    fn family_names_that_are_words_or_places_are_masked_in_a_persons_place() {
        masks_each_alone(&[
            // The holder of a role, before or after it.
            ("申請者の出口です", "申請者の［氏名1］です"),
            ("真水が申請者です", "［氏名1］が申請者です"),
            ("代理人は大木です", "代理人は［氏名1］です"),
            ("名義は出口です", "名義は［氏名1］です"),
            ("渋谷名義の通帳です", "［氏名1］名義の通帳です"),
            ("渋谷は私の夫です", "［氏名1］は私の夫です"),
            ("夫は出口です", "夫は［氏名1］です"),
            ("母は入院中です", "母は入院中です"),
            ("夫は会社員です", "夫は会社員です"),
            ("夫はパートです", "夫はパートです"),
            ("大木の扶養に入っています", "［氏名1］の扶養に入っています"),
            // On the phone and introducing oneself.
            ("こちら出口です", "こちら［氏名1］です"),
            ("私は熊本です", "私は［氏名1］です"),
            // A doctor or teacher by name.
            ("大木先生の診断書です", "［氏名1］先生の診断書です"),
            // Acting for, asked by or called by someone.
            ("出口に代わって来ました", "［氏名1］に代わって来ました"),
            (
                "入部にお願いされて来ました",
                "［氏名1］にお願いされて来ました",
            ),
            ("出口から電話がありました", "［氏名1］から電話がありました"),
            // Their kin and household.
            ("出口の娘が来ます", "［氏名1］の娘が来ます"),
            ("大木の奥さんが来ます", "［氏名1］の奥さんが来ます"),
            ("出口の世帯です", "［氏名1］の世帯です"),
            ("真水の委任状です", "［氏名1］の委任状です"),
            // An everyday word that is a family name, opening what is said.
            ("若葉から聞いてきました", "［氏名1］から聞いてきました"),
            ("大木に渡してもらえますか", "［氏名1］に渡してもらえますか"),
            ("大木のおばあちゃんです", "［氏名1］のおばあちゃんです"),
            (
                "古屋の方から連絡がありました",
                "［氏名1］の方から連絡がありました",
            ),
            // …but before の, を or は an everyday word is as likely.
            ("片方の書類だけでいいですか", "片方の書類だけでいいですか"),
            ("大橋を渡ってすぐです", "大橋を渡ってすぐです"),
            // A place that is a family name, as the subject.
            ("服部が転入しました", "［氏名1］が転入しました"),
            // Places, roles and landmarks stay.
            ("千葉から来ました", "千葉から来ました"),
            ("新潟の親戚が来ます", "新潟の親戚が来ます"),
            ("上司に聞いてきます", "上司に聞いてきます"),
            ("熊本城を見に行きました", "熊本城を見に行きました"),
            (
                "学校の先生に書いてもらいました",
                "学校の先生に書いてもらいました",
            ),
            ("世帯主の住所です", "世帯主の住所です"),
        ]);
    }

    #[test]
    fn a_childs_given_name_is_masked_where_a_child_is_meant() {
        masks_each_alone(&[
            // Before a child's procedure or a thing of its own.
            ("仁の出生届です", "［氏名1］の出生届です"),
            ("晶の児童手当です", "［氏名1］の児童手当です"),
            ("尚雄の予防接種です", "［氏名1］の予防接種です"),
            ("晶の転入の手続きです", "［氏名1］の転入の手続きです"),
            // Growing up.
            ("晶は小学生です", "［氏名1］は小学生です"),
            ("恭が来月から保育園です", "［氏名1］が来月から保育園です"),
            ("うちの晶です", "うちの［氏名1］です"),
            ("晶が風邪をひきました", "［氏名1］が風邪をひきました"),
            ("晶とわたしの分です", "［氏名1］とわたしの分です"),
            ("空が晴れて熱いです", "空が晴れて熱いです"),
            ("晶のパスポートです", "［氏名1］のパスポートです"),
            ("うちの会社です", "うちの会社です"),
            ("空が見える保育園です", "空が見える保育園です"),
            ("恭が3歳になりました", "［氏名1］が3歳になりました"),
            // After the children of the family.
            ("下の子の晶です", "下の子の［氏名1］です"),
            ("上の子は恭です", "上の子は［氏名1］です"),
            ("末っ子の晶です", "末っ子の［氏名1］です"),
            // Their parents, however the dictionary cut the name.
            ("摩利子の母です", "［氏名1］の母です"),
            ("晶の父親です", "［氏名1］の父親です"),
            // In hiragana, a given name the dictionary lists.
            ("ともこの出生届です", "［氏名1］の出生届です"),
            ("太郎の母の花子です", "［氏名1］の母の［氏名2］です"),
            // A full name said in hiragana, introducing oneself.
            ("たなかはなこです", "［氏名1］です"),
            ("やまだたろうです", "［氏名1］です"),
            ("だいじょうぶです", "だいじょうぶです"),
            ("よろしくおねがいします", "よろしくおねがいします"),
            ("まつこの分の保険証です", "［氏名1］の分の保険証です"),
            ("じぶんの住民票です", "じぶんの住民票です"),
            ("つぎの住民票です", "つぎの住民票です"),
            // Words that a list of names also holds stay words.
            ("息子の未来が心配です", "息子の未来が心配です"),
            (
                "子どもの名前を書いてください",
                "子どもの名前を書いてください",
            ),
            ("学校の手続きです", "学校の手続きです"),
        ]);
    }

    #[test]
    fn a_fault_in_a_rule_withholds_the_text_and_the_session_goes_on() {
        let m = masker();
        let mut session = m.session();
        let (masked, spans) = session.mask(FAULT);
        assert_eq!(masked.as_str(), WITHHELD);
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].end, FAULT.chars().count());
        let (masked, _) = session.mask("田中さんの住民票です");
        assert_eq!(masked.as_str(), "［氏名1］さんの住民票です");
    }

    #[test]
    fn any_text_is_masked_without_a_panic_and_spans_stay_inside_it() {
        // Pieces that the rules look at, joined at random (a fixed seed):
        // particles and kana at the very end, digits, names, honorifics.
        const PIECES: &[&str] = &[
            "の",
            "は",
            "が",
            "に",
            "を",
            "と",
            "です",
            "さん",
            "様",
            "先生",
            "ともこ",
            "つや",
            "大木",
            "出口",
            "田中",
            "花子",
            "ノア",
            "ライ",
            "フェ",
            "レイラ",
            "JOHN",
            " ",
            "SMITH",
            "090",
            "-",
            "1234",
            "に",
            "いち",
            "ゼロ",
            "丁目",
            "番地",
            "5",
            "〒",
            "令和",
            "年",
            "月",
            "日",
            "生まれ",
            "こちら",
            "申請者",
            "子ども",
            "方から",
            "、",
            "。",
            "ー",
            "々",
            "ｱ",
            "Ｔ",
            "１",
            "\u{3000}",
            "😀",
            "\n",
        ];
        let m = masker();
        let mut seed: u64 = 0x5eed;
        for _ in 0..3000 {
            let mut text = String::new();
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            for _ in 0..(seed >> 60) + 1 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(PIECES[(seed >> 33) as usize % PIECES.len()]);
            }
            let n = text.chars().count();
            let mut session = m.session();
            let (masked, spans) = session.mask(&text);
            for s in &spans {
                assert!(s.start < s.end && s.end <= n, "{text:?}: {s:?}");
            }
            assert!(spans.is_empty() || masked.as_str() != text, "{text:?}");
        }
    }

    #[test]
    fn counter_words_that_look_like_names_or_addresses_stay() {
        masks_each_alone(&[
            ("前回同様にお願いします", "前回同様にお願いします"),
            ("八百屋さんの向かいです", "八百屋さんの向かいです"),
            ("1丁目の交差点を右です", "1丁目の交差点を右です"),
            (
                "いつもと同様の書類で大丈夫です",
                "いつもと同様の書類で大丈夫です",
            ),
            ("田中様、お待たせしました", "［氏名1］様、お待たせしました"),
            // Words newer than the dictionary.
            ("山田のブログです", "［氏名1］のブログです"),
            ("妊活の相談です", "妊活の相談です"),
            ("ユニクロで働いています", "ユニクロで働いています"),
            // Kin's own things, though part of them is a name too.
            (
                "夫のマイナンバーの手続きです",
                "夫のマイナンバーの手続きです",
            ),
            ("子どもの健診です", "子どもの健診です"),
            (
                "母の葬儀社から書類をもらいました",
                "母の葬儀社から書類をもらいました",
            ),
            ("夫のはんこを持ってきました", "夫のはんこを持ってきました"),
            ("母のはんこでもいいですか", "母のはんこでもいいですか"),
            ("孫の心春です", "孫の［氏名1］です"),
            // People by what they are to one.
            (
                "ケースワーカーさんに言われて来ました",
                "ケースワーカーさんに言われて来ました",
            ),
            ("管理人さんから聞きました", "管理人さんから聞きました"),
            ("上司さんに言われて来ました", "上司さんに言われて来ました"),
            ("大家さんに確認します", "大家さんに確認します"),
            ("上司さんに確認します", "上司さんに確認します"),
            ("社長の金載昊と会った", "社長の［氏名1］と会った"),
            ("断捨離について聞きたいです", "断捨離について聞きたいです"),
            ("訪看さんが来ます", "訪看さんが来ます"),
            ("夫はフリーランスです", "夫はフリーランスです"),
            ("ワイファイは使えますか", "ワイファイは使えますか"),
        ]);
    }

    #[test]
    fn a_person_named_by_their_job_is_masked_their_things_are_not() {
        masks_each_alone(&[
            (
                "ケアマネの宮崎に相談しました",
                "ケアマネの［氏名1］に相談しました",
            ),
            ("店長の山中に聞きました", "店長の［氏名1］に聞きました"),
            ("実業家福澤桃介が", "実業家［氏名1］が"),
            // A family name read as a place here, and a given name that is
            // a word too (丹羽 + 正道); a name in a line of stage names.
            ("技術者丹羽正道や、", "技術者［氏名1］や、"),
            ("七代目石川藤八は", "七代目［氏名1］は"),
            ("三代目が継いだ店です", "三代目が継いだ店です"),
            ("技術者田中課長が", "技術者［氏名1］課長が"),
            (
                "大企業の社長ヴェンディーチェのオフィス",
                "大企業の社長［氏名1］のオフィス",
            ),
            // A katakana given name is no reason to take the word before it.
            (
                "計算機科学者アラン・ケイによる",
                "計算機科学者［氏名1］による",
            ),
            ("イタリアのデ・ガスペリ首相", "イタリアの［氏名1］首相"),
            (
                "父親・ジェレディ博士を探して",
                "父親・［氏名1］博士を探して",
            ),
            ("医師の指示で来ました", "医師の指示で来ました"),
            (
                "ヘルパーのサービスを使っています",
                "ヘルパーのサービスを使っています",
            ),
            ("ケアマネの訪問があります", "ケアマネの訪問があります"),
            (
                "申請者のマイナンバーが分かるもの",
                "申請者のマイナンバーが分かるもの",
            ),
            ("配偶者のマイナンバーです", "配偶者のマイナンバーです"),
            // Whole, however the name is dotted or cut.
            ("ダウニー・Jr同様に", "［氏名1］同様に"),
            (
                "マリオやJ.L.ボニエも登壇した",
                "［氏名1］や［氏名2］も登壇した",
            ),
            ("ジェームズ・・バリンジャー大佐は", "［氏名1］大佐は"),
            (
                "勇者シリーズで大張正己と共に",
                "勇者シリーズで［氏名1］と共に",
            ),
            (
                "「V.S.O.P.クインテット」を結成",
                "「V.S.O.P.クインテット」を結成",
            ),
            // An older kanji the dictionary knows no word with is read in
            // its common form.
            ("山﨑夕貴です", "［氏名1］です"),
            // Kanji read one by one, shaped as names begin and end.
            (
                "信盛は天正3年の戦いに参加した",
                "［氏名1］は天正3年の戦いに参加した",
            ),
            ("林樹で予約しています", "［氏名1］で予約しています"),
            ("日米間で対立が起きた", "日米間で対立が起きた"),
            ("一般公募した館名の中から", "一般公募した館名の中から"),
            // Katakana cut into words, ending as foreign family names do.
            ("しかしボウスキーは同業者と", "しかし［氏名1］は同業者と"),
            ("スマートフォンは使えますか", "スマートフォンは使えますか"),
            ("サービスマンが来ました", "サービスマンが来ました"),
            // A family name read as a company after の, and a given name
            // that begins with a number.
            (
                "担当編集者の岡本三司に相談した",
                "担当編集者の［氏名1］に相談した",
            ),
            ("住民票を山田三通ください", "住民票を山田三通ください"),
            // A family name the recognizer wrote in hiragana before a given
            // name in kanji; not the end of a word before a name.
            ("もとむら美智子です", "［氏名1］です"),
            // A verb form never stands before です: a family name.
            ("世帯主はたがわです", "世帯主は［氏名1］です"),
            ("はい、けっこうです", "はい、けっこうです"),
            // …also where the given name in kanji was found by nothing else.
            ("いけわき大成です", "［氏名1］です"),
            (
                "ぬなみ優二の分もお願いします",
                "［氏名1］の分もお願いします",
            ),
            ("これは大成功です", "これは大成功です"),
            (
                "受付でまんだ孝志と呼ばれました",
                "受付で［氏名1］と呼ばれました",
            ),
            (
                "えたじま吉政宛てに送ってください",
                "［氏名1］宛てに送ってください",
            ),
            // A family name the dictionary reads as a place, before a given
            // name in katakana.
            ("松本ミアです", "［氏名1］です"),
            // A given name that is a word too, where only a child fits.
            ("未来が風邪をひきました", "［氏名1］が風邪をひきました"),
            ("大地はまだ2歳です", "［氏名1］はまだ2歳です"),
            ("一人が入院しました", "一人が入院しました"),
            // After kin, a given name the dictionary knows only as a city.
            ("妻のソフィアです", "妻の［氏名1］です"),
            ("母のアメリカの友人です", "母のアメリカの友人です"),
            ("夫のロンドン出張です", "夫のロンドン出張です"),
            ("松本市ミアです", "松本市［氏名1］です"),
            // Any reading the dictionary lists (栗原: くりはら, くりばら).
            ("くりばら夏江です", "［氏名1］です"),
            ("世帯主はたかはし花子です", "世帯主は［氏名1］です"),
            (
                "帰国したばかりの山田氏に出会い",
                "帰国したばかりの［氏名1］氏に出会い",
            ),
            (
                "当時10歳であった徳仁親王が",
                "当時10歳であった［氏名1］親王が",
            ),
            // Joined to a name by と or や, a family name is one too.
            ("大島と柴田が担当です", "［氏名1］と［氏名2］が担当です"),
            ("東京と大阪に行きます", "東京と大阪に行きます"),
            ("住民票と印鑑証明をください", "住民票と印鑑証明をください"),
            ("スペイン選手団は", "スペイン選手団は"),
            ("受験希望者の中の20人", "受験希望者の中の20人"),
        ]);
    }

    #[test]
    fn one_letter_and_short_katakana_family_names_are_masked_by_what_is_said_of_them() {
        masks_each_alone(&[
            // ゴ (Ngo), イ and レ (Lee, Le): one letter in katakana.
            (
                "ゴの在留カードの更新です",
                "［氏名1］の在留カードの更新です",
            ),
            ("ゴが来月帰国します", "［氏名1］が来月帰国します"),
            ("イと結婚しました", "［氏名1］と結婚しました"),
            ("レで予約しています", "［氏名1］で予約しています"),
            ("こちらはカンの委任状です", "こちらは［氏名1］の委任状です"),
            // Words stay.
            ("コピーの委任状です", "コピーの委任状です"),
            ("カードで払います", "カードで払います"),
        ]);
    }

    #[test]
    fn a_full_name_one_is_called_by_is_masked() {
        masks_each_alone(&[
            // A one-kanji family name and a modern given name.
            ("受付で林紬と呼ばれました", "受付で［氏名1］と呼ばれました"),
            (
                "受付で森心春と呼ばれました",
                "受付で［氏名1］と呼ばれました",
            ),
            // A family name and a word: what was called, not a name.
            ("霜月騒動と呼ばれる内乱", "霜月騒動と呼ばれる内乱"),
        ]);
    }

    #[test]
    fn given_names_that_are_words_are_masked_before_a_persons_papers() {
        masks_each_alone(&[
            ("和平のパスポートです", "［氏名1］のパスポートです"),
            ("こちらは恒久の住民票です", "こちらは［氏名1］の住民票です"),
            // A word of kind, a place, papers of a group.
            ("正規の在留カードです", "正規の在留カードです"),
            ("日本のパスポートです", "日本のパスポートです"),
            ("世帯の住民票です", "世帯の住民票です"),
        ]);
    }

    #[test]
    fn katakana_names_that_are_words_are_masked_where_only_people_fit() {
        masks_each_alone(&[
            ("ヤングの作品です", "［氏名1］の作品です"),
            ("ホワイトたちと来ました", "［氏名1］たちと来ました"),
            (
                "ビルが32歳の若さで当選した",
                "［氏名1］が32歳の若さで当選した",
            ),
            // Words that are no names, and names as words.
            ("メンバーたちと来ました", "メンバーたちと来ました"),
            ("ジャズの作品です", "ジャズの作品です"),
            ("ビルの3階です", "ビルの3階です"),
        ]);
    }

    #[test]
    fn names_in_latin_letters_are_masked_products_are_not() {
        masks_each_alone(&[
            (
                "パスポートの名前はNGUYEN VAN ANです",
                "パスポートの名前は［氏名1］です",
            ),
            (
                "在留カードにはJOHN SMITHと書いてあります",
                "在留カードには［氏名1］と書いてあります",
            ),
            ("ローマ字でTanaka Hanakoです", "ローマ字で［氏名1］です"),
            ("ＪＯＨＮ　ＳＭＩＴＨです", "［氏名1］です"),
            // Katakana parts with spaces, as the recognizer writes a foreign
            // name, even when each part is also a word.
            ("ワン ウェイです", "［氏名1］です"),
            (
                "スマホ アプリで申請できますか",
                "スマホ アプリで申請できますか",
            ),
            ("Apple Payで払えますか", "Apple Payで払えますか"),
            ("My Number Cardのことです", "My Number Cardのことです"),
            ("QRコードとIDを忘れました", "QRコードとIDを忘れました"),
        ]);
    }

    #[test]
    fn a_full_name_the_dictionary_reads_in_part_is_whole_in_any_context() {
        masks_each_alone(&[
            // The last kanji of the given name read as a place (行, 市),
            // with no event or honorific to say a person is meant.
            ("作家清岡卓行の小説", "作家［氏名1］の小説"),
            ("土屋圭市監修の本", "［氏名1］監修の本"),
            // A one-kanji family and given name, then more of the given name.
            ("林頼三郎の手記", "［氏名1］の手記"),
        ]);
    }

    #[test]
    fn full_names_cut_into_words_and_old_kanji_are_whole() {
        masks_each_alone(&[
            // After the family name the dictionary cut the given name into
            // words, or read its last kanji as a place (行, 市).
            ("福澤桃介が署名します", "［氏名1］が署名します"),
            ("清岡卓行が来られません", "［氏名1］が来られません"),
            ("土屋圭市の保険証です", "［氏名1］の保険証です"),
            // Older forms of kanji in family names.
            ("山﨑が亡くなりました", "［氏名1］が亡くなりました"),
            ("福澤で予約しています", "［氏名1］で予約しています"),
            ("德永の住民票をください", "［氏名1］の住民票をください"),
            // Places stay.
            ("山田町の住民票", "山田町の住民票"),
            ("葛飾区の住民票", "葛飾区の住民票"),
        ]);
    }

    #[test]
    fn family_names_written_as_they_sound_are_masked() {
        masks_each_alone(&[
            // To the dictionary タナカ and スズキ are companies, タカナシ is
            // タカ + ナシ.
            ("はい、タナカです", "はい、［氏名1］です"),
            ("スズキです", "［氏名1］です"),
            ("タカナシです", "［氏名1］です"),
            ("世帯主はヤマグチです", "世帯主は［氏名1］です"),
            ("ワタナベが亡くなりました", "［氏名1］が亡くなりました"),
            // A title after a name is not part of it.
            ("フォード大統領が来日した", "［氏名1］大統領が来日した"),
            ("田中部長が来ました", "［氏名1］部長が来ました"),
            // Counter words stay.
            ("はい、ハンコです", "はい、ハンコです"),
            ("はい、シルバーです", "はい、シルバーです"),
            ("カードでお願いします", "カードでお願いします"),
            ("はい、コピーです", "はい、コピーです"),
        ]);
    }

    #[test]
    fn no_part_of_a_name_in_kanji_shows() {
        masks_each_alone(&[
            ("三宅川百太郎が亡くなりました", "［氏名1］が亡くなりました"),
            ("伊野本孝一の妻です", "［氏名1］の妻です"),
            ("宇土為光が来ます", "［氏名1］が来ます"),
            ("明貴美加の保険証", "［氏名1］の保険証"),
            // Titles, honorifics, places and people words stay outside.
            ("林湊が亡くなりました", "［氏名1］が亡くなりました"),
            // 千葉大 is also a university to the dictionary.
            ("千葉大翔です", "［氏名1］です"),
            ("千葉大の学生です", "千葉大の学生です"),
            // The dictionary reads 空くん as 空く + ん.
            ("空くんの母です", "［氏名1］くんの母です"),
            ("赤ちゃんの保険証です", "赤ちゃんの保険証です"),
            ("お世話様です", "お世話様です"),
            ("ご苦労様です", "ご苦労様です"),
            ("お互い様です", "お互い様です"),
            ("お気の毒様です", "お気の毒様です"),
            ("お待ち遠様でした", "お待ち遠様でした"),
            ("看護師さんが来ます", "看護師さんが来ます"),
            ("市役所さんに聞きました", "市役所さんに聞きました"),
            ("運転手さんが", "運転手さんが"),
            // The dictionary reads 凛と as an adverb.
            ("千葉凛と申します", "［氏名1］と申します"),
            ("係の者と申します", "係の者と申します"),
            ("担当と申します", "担当と申します"),
            ("田中部長が来ました", "［氏名1］部長が来ました"),
            ("葛飾区田中", "葛飾区［氏名1］"),
            ("東京都田中", "東京都［氏名1］"),
            ("鈴木家の墓", "［氏名1］家の墓"),
            ("山田太郎千葉県", "［氏名1］千葉県"),
        ]);
    }

    #[test]
    fn a_name_written_with_an_iteration_mark_is_whole() {
        masks_each_alone(&[
            // The dictionary leaves 々 on its own after a kanji it does not
            // join it to: 野々宮 + 菜 + 々 + 美, 波 + 々 + 壁 + 新 + 音.
            ("野々宮菜々美と申します", "［氏名1］と申します"),
            ("世帯主は波々壁新音です", "世帯主は［氏名1］です"),
            ("波々壁新音と申します", "［氏名1］と申します"),
            ("少々お待ちください", "少々お待ちください"),
            ("時々来ます", "時々来ます"),
            ("各々の書類をお持ちください", "各々の書類をお持ちください"),
        ]);
    }

    #[test]
    fn a_name_said_once_is_masked_again_in_part_with_its_label() {
        masks_in_one_session(&[
            ("山田太郎と申します", "［氏名1］と申します"),
            // No context says these are names: the session remembers.
            ("太郎の保険証もありますか", "［氏名1］の保険証もありますか"),
            ("山田の分もお願いします", "［氏名1］の分もお願いします"),
            ("山田町に住んでいます", "山田町に住んでいます"),
            // A katakana name with a long vowel mark, known as a word too.
            ("パーカーさんの代理です", "［氏名2］さんの代理です"),
            ("パーカーが来ます", "［氏名2］が来ます"),
            // Within one text too.
            (
                "伊藤盛景が城主となり、盛景が死ぬと",
                "［氏名3］が城主となり、［氏名3］が死ぬと",
            ),
        ]);
    }

    #[test]
    fn the_parts_of_a_name_written_apart_are_masked_again() {
        masks_each_alone(&[
            // ドン alone is a word; here it is the name said before.
            (
                "ジョルジュ・ドンの代理です。ドンを迎えに行きます",
                "［氏名1］の代理です。［氏名1］を迎えに行きます",
            ),
            // Before a word for the person's people (太田派 alone is none).
            (
                "太田の影響を受けた側は太田派と呼ばれた",
                "［氏名1］の影響を受けた側は［氏名1］派と呼ばれた",
            ),
            (
                "山田太郎です。山田町に住んでいます",
                "［氏名1］です。山田町に住んでいます",
            ),
        ]);
        // No piece of a name's kanji is left shown: a kanji read with the
        // particle after it (吾が), or a prefix and a kanji (有 + 黄).
        masks_each_alone(&[
            ("息子の田中昇吾が参加します", "息子の［氏名1］が参加します"),
            ("娘の千花有黄は来ません", "娘の［氏名1］は来ません"),
        ]);
        let m = masker();
        assert!(m
            .name_parts("バラク・オバマ")
            .contains(&"オバマ".to_owned()));
        // A team taken for a name must not spread its city.
        assert!(!m
            .name_parts("ボストン・セルティックス")
            .contains(&"ボストン".to_owned()));
    }

    #[test]
    fn a_family_name_given_alone_is_masked() {
        masks_in_one_session(&[
            ("はい、林です", "はい、［氏名1］です"),
            (
                "陳です。転入届を出したいです",
                "［氏名2］です。転入届を出したいです",
            ),
            ("王偉です", "［氏名3］です"),
            // Spaces where the dots of a foreign name were.
            ("グエン ヴァン アンです", "［氏名4］です"),
            // Surnames the dictionary knows only as words ("one", "brown").
            ("はい、ワンです。", "はい、［氏名5］です。"),
            ("はい、ブラウンです", "はい、［氏名6］です"),
            // Answers that are no name.
            ("はい、本人です", "はい、本人です"),
            ("住民票です", "住民票です"),
            ("転入です", "転入です"),
            ("マイナンバー カードです", "マイナンバー カードです"),
        ]);
    }

    #[test]
    fn a_surname_read_as_a_place_before_a_given_name_is_a_name() {
        masks_each_alone(&[
            // A one-kanji given name after a surname the dictionary knows
            // only as a place, before a particle, a pause or a title.
            ("湯口徹は窓口に来ました", "［氏名1］は窓口に来ました"),
            ("赤崎勇、天野浩と共に", "［氏名1］、［氏名2］と共に"),
            ("源田実少佐は評した", "［氏名1］少佐は評した"),
            // A two-kanji given name the dictionary reads as a word.
            ("福島正則は広島城に入った", "［氏名1］は広島城に入った"),
            // Places, and what follows places, stay.
            ("東京都に住んでいます", "東京都に住んでいます"),
            ("日本初の試みです", "日本初の試みです"),
            ("横浜港の近くです", "横浜港の近くです"),
            ("松本行きのバスです", "松本行きのバスです"),
            ("新宿東口で待ちます", "新宿東口で待ちます"),
            ("京都府の窓口です", "京都府の窓口です"),
        ]);
    }

    #[test]
    fn who_died_married_came_or_asked_is_a_name() {
        masks_each_alone(&[
            // Surnames the dictionary knows as places, at the counter for
            // 死亡届 and 婚姻届.
            (
                "千葉が先月亡くなりまして、死亡届を出したいです",
                "［氏名1］が先月亡くなりまして、死亡届を出したいです",
            ),
            ("宮崎と結婚しましたので", "［氏名1］と結婚しましたので"),
            ("新潟が亡くなりました", "［氏名1］が亡くなりました"),
            ("植木が生まれました", "［氏名1］が生まれました"),
            // What only a person does at the counter, or asks of another.
            ("宮崎は今日来られません", "［氏名1］は今日来られません"),
            ("長野が署名します", "［氏名1］が署名します"),
            ("千葉に頼まれて来ました", "［氏名1］に頼まれて来ました"),
            ("千葉でございます", "［氏名1］でございます"),
            // Places and kin stay.
            ("千葉で生まれました", "千葉で生まれました"),
            ("千葉は、父が亡くなってから", "千葉は、父が亡くなってから"),
            ("新しい市が生まれました", "新しい市が生まれました"),
            ("千葉から来ました", "千葉から来ました"),
            ("千葉は住みやすいです", "千葉は住みやすいです"),
            ("市役所に頼まれました", "市役所に頼まれました"),
            ("父が亡くなりました", "父が亡くなりました"),
            ("本人が死亡した場合", "本人が死亡した場合"),
        ]);
    }

    #[test]
    fn a_one_kanji_family_name_in_a_persons_role_is_a_name() {
        masks_each_alone(&[
            ("林が亡くなりました", "［氏名1］が亡くなりました"),
            (
                "はい、森に頼まれて来ました",
                "はい、［氏名1］に頼まれて来ました",
            ),
            ("東から委任されました", "［氏名1］から委任されました"),
            ("堤が署名します", "［氏名1］が署名します"),
            ("関と結婚しました", "［氏名1］と結婚しました"),
            ("林で予約しています", "［氏名1］で予約しています"),
            ("辻の住民票をください", "［氏名1］の住民票をください"),
            ("受付で星と呼ばれました", "受付で［氏名1］と呼ばれました"),
            // A two-kanji family name the dictionary knows as a city.
            ("市川宛てに送ってください", "［氏名1］宛てに送ってください"),
            // Directions, woods and offices stay.
            ("東の森が燃えました", "東の森が燃えました"),
            ("西の窓口で住民票をください", "西の窓口で住民票をください"),
            ("原から来ました", "原から来ました"),
            ("東と西の窓口", "東と西の窓口"),
            ("林が燃えました", "林が燃えました"),
            ("市川市宛てに送ってください", "市川市宛てに送ってください"),
            ("市役所宛てに送ってください", "市役所宛てに送ってください"),
        ]);
    }

    #[test]
    fn who_holds_a_role_on_the_form_is_a_name() {
        masks_each_alone(&[
            ("世帯主は千葉です", "世帯主は［氏名1］です"),
            ("筆頭者は宮崎になります", "筆頭者は［氏名1］になります"),
            (
                "受取人は石川でお願いします",
                "受取人は［氏名1］でお願いします",
            ),
            ("千葉の代わりに来ました", "［氏名1］の代わりに来ました"),
            ("母の旧姓は石川です", "母の旧姓は［氏名1］です"),
            // A name set against a name.
            (
                "世帯主は伊藤さんではなく長野ですね",
                "世帯主は［氏名1］さんではなく［氏名2］ですね",
            ),
            ("名字は長野になります", "名字は［氏名1］になります"),
            ("千葉の妻です", "［氏名1］の妻です"),
            ("千葉宛てに送ってください", "［氏名1］宛てに送ってください"),
            // Who is no name, and what is no role, stay.
            ("世帯主は本人です", "世帯主は本人です"),
            ("筆頭者は父です", "筆頭者は父です"),
            ("世帯主は私です", "世帯主は私です"),
            ("本籍は千葉です", "本籍は千葉です"),
            ("相手は外国籍です", "相手は外国籍です"),
            (
                "申請者は千葉県に住んでいます",
                "申請者は千葉県に住んでいます",
            ),
            ("姓は変わりません", "姓は変わりません"),
            ("東京の母です", "東京の母です"),
            ("本人の妻です", "本人の妻です"),
            ("伊藤さんではなく本人です", "［氏名1］さんではなく本人です"),
            ("住民票ではなく戸籍謄本です", "住民票ではなく戸籍謄本です"),
            ("市役所宛てに送ってください", "市役所宛てに送ってください"),
        ]);
    }

    #[test]
    fn names_in_hiragana_or_spelled_out_are_masked() {
        masks_each_alone(&[
            // The dictionary splits these anyhow (はな + こさ + ん).
            ("やまだはなこさん", "［氏名1］さん"),
            ("山田はなこさんですね", "［氏名1］さんですね"),
            (
                "受付でちばさんが待っています",
                "受付で［氏名1］さんが待っています",
            ),
            ("のぞみさんの保険証", "［氏名1］さんの保険証"),
            ("たろうくん", "［氏名1］くん"),
            // Names whose letters are particles too (みなと, はると, 斎藤).
            ("みなとさんの住民票です", "［氏名1］さんの住民票です"),
            ("はるとくんの保険証", "［氏名1］くんの保険証"),
            ("さいとうさんから電話です", "［氏名1］さんから電話です"),
            ("田中のみなとさんです", "［氏名1］の［氏名2］さんです"),
            // After a word with no particle between (先ほど + たいげん).
            (
                "先ほどたいげんさんが来ました",
                "先ほど［氏名1］さんが来ました",
            ),
            // Nothing in hiragana before the honorific (a rule once failed
            // on it and the whole text was withheld).
            ("陽菜ちゃんの手続きです", "［氏名1］ちゃんの手続きです"),
            ("ふりがなはやまだはなこです", "ふりがなは［氏名1］です"),
            ("フリガナはヤマダハナコです", "フリガナは［氏名1］です"),
            ("ローマ字ではYAMADA HANAKOです", "ローマ字では［氏名1］です"),
            // Greetings, words and people called by what they are stay.
            ("おつかれさまです", "おつかれさまです"),
            ("ごくろうさまでした", "ごくろうさまでした"),
            ("みなさん、お待たせしました", "みなさん、お待たせしました"),
            ("どちらさまですか", "どちらさまですか"),
            (
                "こちらさまのお名前をお願いします",
                "こちらさまのお名前をお願いします",
            ),
            ("かんごしさんに聞きました", "かんごしさんに聞きました"),
            // Names in hiragana whose letters are particles too, in the
            // places a name is said at the counter.
            (
                "息子のはるとが生まれました",
                "息子の［氏名1］が生まれました",
            ),
            ("はい、はるとです", "はい、［氏名1］です"),
            ("まことの出生届です", "［氏名1］の出生届です"),
            ("世帯主はともひろです", "世帯主は［氏名1］です"),
            (
                "のぞみから電話がありました",
                "［氏名1］から電話がありました",
            ),
            ("はい、そうです", "はい、そうです"),
            ("世帯主はわからないです", "世帯主はわからないです"),
            ("世帯主はいないです", "世帯主はいないです"),
            ("世帯主はおなじです", "世帯主はおなじです"),
            ("むすこから電話がありました", "むすこから電話がありました"),
            ("ともこの母です", "［氏名1］の母です"),
            ("さいとうが来月転入します", "［氏名1］が来月転入します"),
            (
                "受付ではるとと呼ばれました",
                "受付で［氏名1］と呼ばれました",
            ),
            ("娘はさくらです", "娘は［氏名1］です"),
            ("ちちが亡くなりました", "ちちが亡くなりました"),
            ("こどもの件で来ました", "こどもの件で来ました"),
            ("娘はげんきです", "娘はげんきです"),
            // At the start before の or が and what is said of a person;
            // a name cut inside its hiragana is masked whole.
            (
                "ただやすの国民健康保険の手続きです",
                "［氏名1］の国民健康保険の手続きです",
            ),
            ("としおが施設に入りました", "［氏名1］が施設に入りました"),
            ("たくさんの書類が必要ですね", "たくさんの書類が必要ですね"),
            // Any reading the dictionary lists for a given name (仁郎).
            ("にろうが施設に入りました", "［氏名1］が施設に入りました"),
            ("これから頼まれました", "これから頼まれました"),
            ("おくさんはお元気ですか", "おくさんはお元気ですか"),
            ("たくさんの書類", "たくさんの書類"),
            ("さまざまな手続き", "さまざまな手続き"),
            ("ちゃんと書いてください", "ちゃんと書いてください"),
            ("会期をはさんで開きます", "会期をはさんで開きます"),
            ("フリガナを書いてください", "フリガナを書いてください"),
        ]);
    }

    #[test]
    fn a_birthday_said_in_part_is_masked_whole() {
        masks_each_alone(&[
            ("4月1日生まれです", "［生年月日1］生まれです"),
            ("誕生日は4月1日です", "誕生日は［生年月日1］です"),
            ("90年生まれです", "［生年月日1］生まれです"),
            ("60年4月1日生まれ", "［生年月日1］生まれ"),
            // The era with の after it (昭和の55年) is part of the date.
            ("生まれは昭和の55年3月4日です", "生まれは［生年月日1］です"),
            ("平成の30年間", "平成の30年間"),
            // The month after a year with の no longer shows.
            ("平成12年の3月生まれ", "［生年月日1］生まれ"),
            ("誕生日は2000年の1月2日です", "誕生日は［生年月日1］です"),
            // Procedure dates and spans of years stay.
            ("4月1日から受け付けます", "4月1日から受け付けます"),
            ("令和8年の4月から変わります", "令和8年の4月から変わります"),
            ("30年前に生まれました", "30年前に生まれました"),
        ]);
    }

    #[test]
    fn chinese_and_korean_names_are_whole_beside_kanji() {
        masks_each_alone(&[
            ("督弁趙秉稷は声明を出した", "督弁［氏名1］は声明を出した"),
            (
                "金正恩第一書記から花輪が贈られた",
                "［氏名1］第一書記から花輪が贈られた",
            ),
            ("設計者李元馥の胸像です", "設計者［氏名1］の胸像です"),
            ("袁世凱大総統に伝えた", "［氏名1］大総統に伝えた"),
            // Words that begin with such a kanji, and places, stay.
            ("料金は三百円です", "料金は三百円です"),
            ("金曜日に来ます", "金曜日に来ます"),
            ("胡椒を少し入れます", "胡椒を少し入れます"),
            ("上海市楊浦区の公園です", "上海市楊浦区の公園です"),
        ]);
    }

    #[test]
    fn a_family_name_read_as_a_prefix_and_a_kanji_is_whole() {
        // 生 + 沢 + 徹: a prefix, a one-kanji family name, a given name.
        let mut s = masker().session();
        assert_eq!(
            s.mask("生沢徹、安田と交流").0.as_str(),
            "［氏名1］、［氏名2］と交流"
        );
        assert_eq!(s.mask("大雨の日です").0.as_str(), "大雨の日です");
    }

    #[test]
    fn a_title_after_a_family_name_stays_and_the_name_is_masked() {
        masks_each_alone(&[
            (
                "担当の河村係長に聞いてください",
                "担当の［氏名1］係長に聞いてください",
            ),
            ("山田館長が見えました", "［氏名1］館長が見えました"),
            ("田中院長の紹介状です", "［氏名1］院長の紹介状です"),
            (
                "入山所長から電話がありました",
                "［氏名1］所長から電話がありました",
            ),
            ("入山店長に頼まれました", "［氏名1］店長に頼まれました"),
            // Family names that are words or places too, before a rank.
            (
                "窓口の清元主任に渡しました",
                "窓口の［氏名1］主任に渡しました",
            ),
            (
                "大蔵課長に確認してもらいます",
                "［氏名1］課長に確認してもらいます",
            ),
            (
                "総務部長に確認してもらいます",
                "総務部長に確認してもらいます",
            ),
            ("絵本作家の原画展です", "絵本作家の原画展です"),
            // Who introduced or instructed, though read as a place.
            ("千葉の紹介で来ました", "［氏名1］の紹介で来ました"),
            ("宮崎の指示で書きました", "［氏名1］の指示で書きました"),
            ("東京の紹介で来ました", "東京の紹介で来ました"),
            (
                "病院の紹介状を持ってきました",
                "病院の紹介状を持ってきました",
            ),
            ("沢庵の勧めで申請します", "沢庵の勧めで申請します"),
            ("千葉と一緒に来ました", "［氏名1］と一緒に来ました"),
            ("書類と一緒に出してください", "書類と一緒に出してください"),
            ("河村市長に相談します", "［氏名1］市長に相談します"),
            // Offices, not people.
            ("松本市長に相談します", "松本市長に相談します"),
            ("葛飾区長の名前で出します", "葛飾区長の名前で出します"),
            ("葛飾区役所の窓口です", "葛飾区役所の窓口です"),
        ]);
    }

    #[test]
    fn a_family_name_before_a_word_for_its_people_is_a_name() {
        // 小野田 is read as a place; 夫妻 is no part of the name.
        masks_in_one_session(&[
            ("小野田家の四男です", "［氏名1］家の四男です"),
            ("田中夫妻の住民票", "［氏名2］夫妻の住民票"),
            ("実家に帰ります", "実家に帰ります"),
            ("子どもらは元気です", "子どもらは元気です"),
        ]);
    }

    #[test]
    fn names_listed_beside_names_are_names() {
        masks_in_one_session(&[
            // 島 and 桝 are common words to the dictionary.
            (
                "島、池田、桝の3人が",
                "［氏名1］、［氏名2］、［氏名3］の3人が",
            ),
            // Documents listed beside names stay.
            (
                "山田太郎、鈴木花子、戸籍謄本をください",
                "［氏名4］、［氏名5］、戸籍謄本をください",
            ),
            (
                "住民票、印鑑証明、田中さんの分",
                "住民票、印鑑証明、［氏名6］さんの分",
            ),
            // A family name read as a place, or with a prefix, among names.
            (
                "川浦、諸隈、盛重の活躍で",
                "［氏名7］、［氏名8］、［氏名9］の活躍で",
            ),
            // A word that leads what is said is no item of the list: with
            // 2015年2月 and 日産自動車, one name found is no list of names.
            (
                "2015年2月、トヨタ、ホンダ、日産自動車の3社が合意した",
                "2015年2月、トヨタ、［氏名10］、日産自動車の3社が合意した",
            ),
            ("東京、千葉、埼玉の3県", "東京、千葉、埼玉の3県"),
        ]);
    }

    #[test]
    fn a_foreign_name_alone_before_a_particle_is_masked_a_loanword_is_not() {
        masks_in_one_session(&[
            ("ラウリーは来年も来ます", "［氏名1］は来年も来ます"),
            ("司馬遼太郎の小説です", "［氏名2］の小説です"),
            ("ジョン・F・ケネディ大統領", "［氏名3］大統領"),
            ("スマホは使えますか", "スマホは使えますか"),
            ("アプリが動きません", "アプリが動きません"),
            // Kanji the dictionary cannot read, or reads only as one-kanji
            // name parts: a name; words it knows are not.
            ("袁世凱は大総統になった", "［氏名4］は大総統になった"),
            ("そこで陳誠が答えた", "そこで［氏名5］が答えた"),
            ("申請書と方法等を見ます", "申請書と方法等を見ます"),
            ("高齢者の方は窓口へ", "高齢者の方は窓口へ"),
            // A family name split by the dictionary, a given name in kana.
            ("矢柴俊博が脇を固める", "［氏名6］が脇を固める"),
            ("藤原さくらの楽曲", "［氏名7］の楽曲"),
            // After any word, not only after a particle.
            ("先日ダウドが来ました", "先日［氏名8］が来ました"),
            ("マイナポータルはどこから", "マイナポータルはどこから"),
            ("ケアマネが来ます", "ケアマネが来ます"),
            // Before の, に, を, で and the like as well.
            ("ダウドの在留カードです", "［氏名8］の在留カードです"),
            ("昨日サンディに会いました", "昨日［氏名9］に会いました"),
            ("ローソンでも取れますか", "ローソンでも取れますか"),
            // Before a title: any katakana word before one that only people
            // carry; before 選手 or 監督 only a word the dictionary lacks.
            ("デヴォー中佐はウィーンへ", "［氏名10］中佐はウィーンへ"),
            ("フォード大統領が来日した", "［氏名11］大統領が来日した"),
            ("アメリカ大統領が来日した", "アメリカ大統領が来日した"),
            ("サッカー選手になりたい", "サッカー選手になりたい"),
            ("フリガナ氏名を書きます", "フリガナ氏名を書きます"),
            ("ケアマネさんに相談しました", "ケアマネさんに相談しました"),
            // A family name tagged as a place or company, then a given name
            // split into single kanji; alone, only when not a place.
            ("婿の石川数雄が就任した", "婿の［氏名12］が就任した"),
            ("永山は犯行に及んだ", "［氏名13］は犯行に及んだ"),
            ("福島原発の事故", "福島原発の事故"),
            ("中野区役所へ行きます", "中野区役所へ行きます"),
            ("千葉は遠いです", "千葉は遠いです"),
            // A one-kanji family name and a two-kanji given name.
            ("李承燁と朴賛浩の対決", "［氏名14］と［氏名15］の対決"),
            ("李肇星外相が述べた", "［氏名16］外相が述べた"),
            ("金曜日に来ます", "金曜日に来ます"),
            (
                "マイナポータルにログインします",
                "マイナポータルにログインします",
            ),
            (
                "マイナンバーカードは持っています",
                "マイナンバーカードは持っています",
            ),
            // A Vietnamese or Korean family name said alone: known to the
            // dictionary as a proper noun (グエン) or not at all (ファム).
            (
                "グエンです。転入届を出したいです",
                "［氏名17］です。転入届を出したいです",
            ),
            ("はい、ファムです", "はい、［氏名18］です"),
            ("アメリカです", "アメリカです"),
            ("コピーです", "コピーです"),
            (
                "マイナポータルからできますか",
                "マイナポータルからできますか",
            ),
        ]);
    }

    #[test]
    fn who_goes_into_hospital_or_takes_office_is_a_person() {
        masks_each_alone(&[
            ("千葉が入院しました", "［氏名1］が入院しました"),
            (
                "下地が細菌性心内膜炎によって入院した",
                "［氏名1］が細菌性心内膜炎によって入院した",
            ),
            ("曽祢益が書記長に就任した", "［氏名1］が書記長に就任した"),
            // Not any katakana word, and not a place otherwise.
            ("タレントが出演する番組です", "タレントが出演する番組です"),
            ("千葉は遠いです", "千葉は遠いです"),
            ("母が入院しました", "母が入院しました"),
        ]);
    }

    #[test]
    fn who_leads_and_which_part_is_played_are_names() {
        masks_each_alone(&[
            (
                "ナポレオン率いる大陸軍が勝利した",
                "［氏名1］率いる大陸軍が勝利した",
            ),
            ("土宮明日架率いる研究会", "［氏名1］率いる研究会"),
            ("スカーレット役を演じた", "［氏名1］役を演じた"),
            ("バンナー亡き後の時代", "［氏名1］亡き後の時代"),
            (
                "純玄の遺言に従って相続した",
                "［氏名1］の遺言に従って相続した",
            ),
            // Words lead and are played too.
            ("日本代表率いる監督", "日本代表率いる監督"),
            ("刑事役を演じている", "刑事役を演じている"),
            ("父親役で出演した", "父親役で出演した"),
            ("父の遺言です", "父の遺言です"),
            ("昭和の晩年に建てた", "昭和の晩年に建てた"),
            ("先生の弟子です", "先生の弟子です"),
        ]);
    }

    #[test]
    fn given_names_that_are_words_where_only_a_child_fits() {
        masks_each_alone(&[
            // Opening what is said, before a child's procedure.
            ("六花の出生届です", "［氏名1］の出生届です"),
            ("公正の児童手当です", "［氏名1］の児童手当です"),
            // After kin, changing school or going up.
            ("長男の六花が転校します", "長男の［氏名1］が転校します"),
            ("長女の公正が入学します", "長女の［氏名1］が入学します"),
            // Who one's kin is, before です.
            ("上の子は六花です", "上の子は［氏名1］です"),
            ("上の子は元気です", "上の子は元気です"),
            ("長男は学生です", "長男は学生です"),
            ("息子は一人です", "息子は一人です"),
            // Words stay where a word fits.
            ("希望の保育園に入れました", "希望の保育園に入れました"),
            ("大人の予防接種です", "大人の予防接種です"),
            ("長女の大学が決まりました", "長女の大学が決まりました"),
            ("次男の未来が心配です", "次男の未来が心配です"),
        ]);
    }

    #[test]
    fn places_and_services_call_too() {
        masks_each_alone(&[
            (
                "クリニックから電話がありました",
                "クリニックから電話がありました",
            ),
            (
                "デイサービスから連絡がありました",
                "デイサービスから連絡がありました",
            ),
            // Short katakana words are residents' names too.
            ("ラムから電話がありました", "［氏名1］から電話がありました"),
            ("ファンから頼まれました", "［氏名1］から頼まれました"),
        ]);
    }

    #[test]
    fn split_katakana_is_a_name_where_only_a_person_fits() {
        masks_each_alone(&[
            (
                "バスネットの在留カードの更新です",
                "［氏名1］の在留カードの更新です",
            ),
            ("バスネットが来月帰国します", "［氏名1］が来月帰国します"),
            (
                "夫のスギアルトが来られません",
                "夫の［氏名1］が来られません",
            ),
            (
                "受付でスギアルトと呼ばれました",
                "受付で［氏名1］と呼ばれました",
            ),
            (
                "バスネットに代わって来ました",
                "［氏名1］に代わって来ました",
            ),
            // Where a thing, a firm or a role fits as well.
            (
                "ノイズトレーダーと呼ばれる投資家",
                "ノイズトレーダーと呼ばれる投資家",
            ),
            (
                "デザインセンターに依頼しました",
                "デザインセンターに依頼しました",
            ),
            (
                "ケアマネージャーに頼まれました",
                "ケアマネージャーに頼まれました",
            ),
            (
                "マイナンバーカードの更新です",
                "マイナンバーカードの更新です",
            ),
        ]);
    }

    #[test]
    fn short_and_odd_runs_never_fail_a_rule() {
        // Each was once a subtraction below zero in a rule (debug builds
        // panic on it; the text would have been withheld).
        for text in [
            "千葉が",
            "森",
            "等",
            "田中等",
            "山田太郎等",
            "技術者",
            "ア",
            "ハリ",
        ] {
            let (masked, _) = masker().session().mask(text);
            assert_ne!(masked.as_str(), WITHHELD, "{text}");
        }
    }

    #[test]
    fn names_only_unidic_lists_are_masked() {
        // `madoguchi setup` fetches UniDic's person names; IPADIC lacks
        // these (柳町, 野溝, ハリマン as a whole).
        masks_in_one_session(&[
            ("柳町光男監督の前作", "［氏名1］監督の前作"),
            (
                "副委員長であった野溝らは提案した",
                "副委員長であった［氏名2］らは提案した",
            ),
            ("ハリマンからの話でした", "［氏名3］からの話でした"),
            // Listed as a whole, though a piece is a word (ハン + フリーズ),
            // and before a title; a listed name before another noun is
            // mostly what was named after someone (ボールドウィン社).
            (
                "その夜にハンフリーズとパークが",
                "その夜に［氏名4］とパークが",
            ),
            ("ハリマン大統領が来日した", "［氏名3］大統領が来日した"),
            (
                "疑問に思ったサンディだったが",
                "疑問に思った［氏名5］だったが",
            ),
            // A family and a given name however the text was read (山田 +
            // 義三 + 郎等); 早稲田 + 大学 stays (大学 is a given name too).
            (
                "山田義三郎等の有志が組織した",
                "［氏名6］等の有志が組織した",
            ),
            ("宮廷建築家・片山東熊の設計", "宮廷建築家・［氏名7］の設計"),
            ("早稲田大学に進学した", "早稲田大学に進学した"),
            ("ボールドウィン社の製品です", "ボールドウィン社の製品です"),
            // Numbers and dates mean what they say (四月一日 and 九十九
            // are family names too).
            ("四月一日から受け付けます", "四月一日から受け付けます"),
            // UniDic's names that IPADIC knows as common words stay words.
            ("カードで払えますか", "カードで払えますか"),
            ("山道を歩きました", "山道を歩きました"),
            // Its given names are not how names sound in kana.
            ("6か月ごとに更新します", "6か月ごとに更新します"),
        ]);
    }

    #[test]
    fn katakana_the_dictionary_splits_is_a_name_when_it_looks_like_one() {
        masks_in_one_session(&[
            // Pieces of words (ハリ + マン, シャー + マン) or one word too
            // long for the dictionary's guess, looking like its names.
            ("ハリマンからの話でした", "［氏名1］からの話でした"),
            ("シャーマンは学校で学んだ", "［氏名2］は学校で学んだ"),
            (
                "ストラヴィンスキーとは友人だった",
                "［氏名3］とは友人だった",
            ),
            ("アレクサンドロフ、後には", "［氏名4］、後には"),
            // Loanwords look otherwise, and a piece that is an everyday
            // word of three letters or more makes a compound.
            ("スマートフォンは使えますか", "スマートフォンは使えますか"),
            (
                "マイナンバーカードを持ってきました",
                "マイナンバーカードを持ってきました",
            ),
            (
                "ワンストップサービスはありますか",
                "ワンストップサービスはありますか",
            ),
            (
                "ドラッグストアで働いています",
                "ドラッグストアで働いています",
            ),
            ("ディズニーキャラで遊ぶ", "ディズニーキャラで遊ぶ"),
            // Foreign places end otherwise.
            (
                "アルベールヴィルで開催された",
                "アルベールヴィルで開催された",
            ),
        ]);
    }

    #[test]
    fn katakana_names_the_dictionary_reads_as_words_are_masked() {
        masks_each_alone(&[
            // Listed as names, read here as other words.
            ("アヤです", "［氏名1］です"),
            ("はい、ツルです", "はい、［氏名1］です"),
            ("妻のノアです", "妻の［氏名1］です"),
            ("トミーで予約しています", "［氏名1］で予約しています"),
            // Found in part inside a katakana word: the whole word.
            ("フェレイラの代理で来ました", "［氏名1］の代理で来ました"),
            // Moving in, and their children.
            ("グエンが転入しました", "［氏名1］が転入しました"),
            (
                "サントスの子どもの手続きです",
                "［氏名1］の子どもの手続きです",
            ),
            ("先日グラントは来ました", "先日［氏名1］は来ました"),
            (
                "受付でエリコと呼ばれました",
                "受付で［氏名1］と呼ばれました",
            ),
            // Counter words stay.
            (
                "マイナンバーで予約しています",
                "マイナンバーで予約しています",
            ),
            ("コンビニです", "コンビニです"),
            // Listed as names, but everyday words here.
            ("ビルの2階です", "ビルの2階です"),
            ("リュックを忘れました", "リュックを忘れました"),
            ("コントを見ました", "コントを見ました"),
            ("ツバキの花がきれいです", "ツバキの花がきれいです"),
            // Sounding like a family name, where a person is meant.
            ("妻のツバキです", "妻の［氏名1］です"),
        ]);
    }

    #[test]
    fn counter_loanwords_are_never_names() {
        let mut s = masker().session();
        for w in LOANWORDS {
            for said in [
                format!("{w}の手続きです"),
                format!("{w}は使えますか"),
                format!("{w}でお願いします"),
            ] {
                assert_eq!(s.mask(&said).0.as_str(), said);
            }
        }
    }

    #[test]
    fn masks_what_the_recognizer_writes() {
        // whisper's punctuation inside an address and digits joined by の.
        masks_in_one_session(&[
            ("大阪府大阪市、北海代、一朝目2番、3号です", "［住所1］です"),
            (
                "電話番号は、090の1234の5678です",
                "電話番号は、［電話1］です",
            ),
            (
                "はい、分かりました。市民課、2番の窓口です",
                "はい、分かりました。市民課、2番の窓口です",
            ),
        ]);
    }

    #[test]
    fn procedure_words_survive() {
        let mut s = masker().session();
        for line in [
            "住民票の写しは1通300円です。",
            "転入届は引っ越してから14日以内に出してください。",
            "葛飾区役所の窓口は8時30分から17時までです。",
            "令和8年4月1日から手数料が変わります。",
            "お客様の本人確認書類をお願いします。",
            "担当者さんに聞いてください",
            "お子さんのマイナンバーカードも必要です",
            "印鑑登録証明書は第2土曜日も取れます",
        ] {
            let (m, spans) = s.mask(line);
            assert_eq!(m.as_str(), line, "{spans:?}");
        }
    }
}
