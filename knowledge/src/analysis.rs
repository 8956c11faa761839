//! Japanese morphological analysis over IPADIC, and the features search is
//! built from: content words, compound nouns, phonetic keys of readings and
//! character bigrams. Indexing and querying call the same functions, so both
//! sides always agree.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use lindera::dictionary::load_fs_dictionary;
use lindera::mode::Mode;
use lindera::segmenter::Segmenter;

use crate::normalize::{char_ngrams, is_kana, is_word_char, normalize, phonetic_key, to_katakana};
use crate::KnowledgeError;

/// One morpheme. Offsets are byte offsets into the analysed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Morph {
    pub surface: String,
    /// Dictionary form (書き → 書く); the surface for unknown words.
    pub base: String,
    /// Part of speech and its three subcategories, e.g.
    /// `["名詞", "固有名詞", "人名", "姓"]`; `["未知語", "*", "*", "*"]` for
    /// words the dictionary lacks.
    pub pos: [String; 4],
    /// Katakana reading; `None` when the dictionary has none.
    pub reading: Option<String>,
    pub start: usize,
    pub end: usize,
}

impl Morph {
    pub fn is_unknown(&self) -> bool {
        self.pos[0] == "未知語"
    }
    pub fn is_noun(&self) -> bool {
        self.pos[0] == "名詞"
    }
    /// Tagged by the dictionary as a person's surname or given name.
    pub fn is_person_name(&self) -> bool {
        self.pos[0] == "名詞" && self.pos[1] == "固有名詞" && self.pos[2] == "人名"
    }
    /// Tagged by the dictionary as a place (地域).
    pub fn is_place(&self) -> bool {
        self.pos[0] == "名詞" && self.pos[1] == "固有名詞" && self.pos[2] == "地域"
    }

    /// A noun that can be part of a compound (住民 + 票, 印鑑 + 登録 + 証明 + 書).
    pub fn joins_compound(&self) -> bool {
        if !self.surface.chars().all(is_word_char) {
            return false;
        }
        (self.is_noun() && !matches!(self.pos[1].as_str(), "非自立" | "代名詞"))
            || self.pos[0] == "接頭詞"
            || (self.is_unknown() && self.surface.chars().all(is_word_char))
    }

    /// A word that carries the topic of a question or a manual sentence.
    fn is_content(&self) -> bool {
        if !self.surface.chars().any(is_word_char) {
            return false;
        }
        let stop = STOP_BASES.contains(&self.base.as_str());
        match self.pos[0].as_str() {
            "名詞" => !stop && !matches!(self.pos[1].as_str(), "非自立" | "代名詞" | "接尾"),
            "動詞" | "形容詞" => self.pos[1] == "自立" && !stop,
            "未知語" => !stop && self.surface.chars().any(is_word_char),
            _ => false,
        }
    }

    /// The reading to use for phonetic matching: the dictionary reading, or
    /// the surface itself when it is written in kana.
    pub(crate) fn spoken(&self) -> Option<Cow<'_, str>> {
        match &self.reading {
            Some(r) => Some(Cow::Borrowed(r)),
            None if is_kana(&self.surface) => Some(Cow::Owned(to_katakana(&self.surface))),
            None => number_reading(&self.surface).map(Cow::Owned),
        }
    }
}

/// The reading of a number written in digits (whisper writes 「じゅう」 as
/// 10): 0–9999, as katakana; `None` otherwise.
pub fn number_reading(digits: &str) -> Option<String> {
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: usize = digits.parse().ok()?;
    if n == 0 {
        return Some("ゼロ".into());
    }
    const ONES: [&str; 10] = [
        "",
        "イチ",
        "ニ",
        "サン",
        "ヨン",
        "ゴ",
        "ロク",
        "ナナ",
        "ハチ",
        "キュウ",
    ];
    let mut out = String::new();
    for (unit, name) in [(1000, "セン"), (100, "ヒャク"), (10, "ジュウ")] {
        let d = (n / unit) % 10;
        if d > 0 {
            if d > 1 {
                out.push_str(ONES[d]);
            }
            out.push_str(name);
        }
    }
    out.push_str(ONES[n % 10]);
    Some(out)
}

/// Words that appear in almost every spoken question or manual sentence and
/// say nothing about the topic (fillers, politeness, light verbs).
const STOP_BASES: &[&str] = &[
    "ある",
    "いる",
    "する",
    "なる",
    "できる",
    "いう",
    "言う",
    "思う",
    "おる",
    "くる",
    "来る",
    "いく",
    "行く",
    "やる",
    "くれる",
    "もらう",
    "いただく",
    "くださる",
    "下さる",
    "ください",
    "おく",
    "みる",
    "しまう",
    "いい",
    "よい",
    "良い",
    "ない",
    "ほしい",
    "欲しい",
    "たい",
    "教える",
    "聞く",
    "伺う",
    "知る",
    "分かる",
    "わかる",
    "願う",
    "お願い",
    "すみません",
    "すいません",
    "ちょっと",
    "えっと",
    "えーと",
    "あの",
    "あのー",
    "その",
    "なんか",
    "何",
    "なに",
    "なん",
    "どう",
    "どこ",
    "いつ",
    "どれ",
    "どの",
    "どなた",
    "誰",
    "こと",
    "もの",
    "ため",
    "よう",
    "ところ",
    "感じ",
    "今日",
    "本日",
    "大丈夫",
    "すみ",
    "ん",
    "の",
    "はい",
    "ええ",
    "うん",
    "あ",
    "え",
    "ー",
    "方",
    "かた",
    "今",
    "私",
    "僕",
    "自分",
    "場合",
];

/// A morphological analyzer. Cheap to share (`Arc`); thread-safe.
pub struct Analyzer {
    segmenter: Segmenter,
    /// Readings each kanji has as a word of its own (see
    /// [`crate::dict::KANJI_READINGS`]).
    kanji_readings: HashMap<char, Vec<String>>,
    /// Family names the dictionary knows ([`crate::dict::FAMILY_NAMES`]).
    family_names: std::collections::HashSet<String>,
    /// Given names the dictionary knows ([`crate::dict::GIVEN_NAMES`]).
    given_names: std::collections::HashSet<String>,
    /// Other person names it knows ([`crate::dict::PERSON_NAMES`]).
    person_names: std::collections::HashSet<String>,
    /// Every reading of its family names ([`crate::dict::FAMILY_NAME_READINGS`]).
    family_name_readings: std::collections::HashSet<String>,
    /// Every reading of its given names ([`crate::dict::GIVEN_NAME_READINGS`]).
    given_name_readings: std::collections::HashSet<String>,
    /// Family and given names of another dictionary (UniDic) that IPADIC
    /// lacks: names when a word is asked about, but not how names sound or
    /// look (their readings would match inside words: 新 + します, とやまの).
    more_family_names: std::collections::HashSet<String>,
    more_given_names: std::collections::HashSet<String>,
    /// Katakana words that are never person names ([`crate::dict::KATAKANA_WORDS`]).
    katakana_words: std::collections::HashSet<String>,
}

/// One word of a query with its evidence: searched as a unit, so that it
/// counts once however many n-grams it has.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct QueryUnit {
    /// Base form (or the compound as written).
    pub word: String,
    /// Phonetic key of its reading (empty when it has none).
    pub key: String,
    /// Phonetic-key bigrams and trigrams of its reading.
    pub phon: Vec<String>,
    /// Character bigrams of its surface.
    pub grams: Vec<String>,
}

/// Search features of a piece of text.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Features {
    /// Base forms of content words, plus compound nouns.
    pub words: Vec<String>,
    /// Phonetic-key bigrams and trigrams over runs of content words.
    pub phon: Vec<String>,
    /// Character bigrams (normalized).
    pub grams: Vec<String>,
}

impl Analyzer {
    /// Loads the built dictionary at `dir` (see [`crate::dict`]).
    pub fn load(dir: &Path) -> Result<Self, KnowledgeError> {
        let dictionary = load_fs_dictionary(dir)
            .map_err(|e| KnowledgeError::Dictionary(format!("loading {}: {e}", dir.display())))?;
        // Optional: a dictionary built before the table existed has none.
        let kanji_readings = std::fs::read_to_string(dir.join(crate::dict::KANJI_READINGS))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| {
                let (k, rs) = l.split_once('\t')?;
                let mut chars = k.chars();
                let c = chars.next().filter(|_| chars.next().is_none())?;
                Some((c, rs.split(' ').map(str::to_owned).collect()))
            })
            .collect();
        let names = |file: &str| {
            std::fs::read_to_string(dir.join(file))
                .unwrap_or_default()
                .lines()
                .map(str::to_owned)
                .collect()
        };
        Ok(Analyzer {
            segmenter: Segmenter::new(Mode::Normal, dictionary, None),
            kanji_readings,
            family_names: names(crate::dict::FAMILY_NAMES),
            given_names: names(crate::dict::GIVEN_NAMES),
            person_names: names(crate::dict::PERSON_NAMES),
            family_name_readings: names(crate::dict::FAMILY_NAME_READINGS),
            given_name_readings: names(crate::dict::GIVEN_NAME_READINGS),
            katakana_words: names(crate::dict::KATAKANA_WORDS),
            more_family_names: Default::default(),
            more_given_names: Default::default(),
        })
    }

    /// Builds the dictionary if needed (see [`crate::dict::ensure_built`]) and
    /// loads it, with UniDic's person names when `madoguchi setup` fetched
    /// them ([`crate::names`]).
    pub fn from_env() -> Result<Self, KnowledgeError> {
        let dir = crate::dict::ensure_built(&crate::dict::DictPaths::from_env())?;
        let mut analyzer = Self::load(&dir)?;
        let names = crate::names::names_dir();
        if !crate::names::is_fetched(&names) {
            static WARNED: std::sync::Once = std::sync::Once::new();
            WARNED.call_once(|| {
                tracing::warn!(
                    path = %names.display(),
                    "UniDic's person names are missing: the masker knows only IPADIC's names \
                     and finds fewer of them; run `madoguchi setup` (or `make setup`)"
                )
            });
        }
        analyzer.add_names(crate::names::load(&names));
        Ok(analyzer)
    }

    /// Adds person names from another dictionary: other person names join
    /// IPADIC's, family and given names are kept apart
    /// ([`Analyzer::more_family_names`], [`Analyzer::more_given_names`]),
    /// and none of them is a katakana word any more.
    pub(crate) fn add_names(&mut self, more: crate::names::MoreNames) {
        for name in more.family.iter().chain(&more.given).chain(&more.person) {
            self.katakana_words.remove(name);
        }
        self.person_names.extend(more.person);
        self.more_family_names = more
            .family
            .into_iter()
            .filter(|n| !self.family_names.contains(n))
            .collect();
        self.more_given_names = more
            .given
            .into_iter()
            .filter(|n| !self.given_names.contains(n))
            .collect();
    }

    /// The readings `kanji` has as a word of its own (empty when none).
    pub fn kanji_readings(&self, kanji: char) -> &[String] {
        self.kanji_readings.get(&kanji).map_or(&[], Vec::as_slice)
    }

    /// Whether either dictionary knows `word` as a family name, whatever it
    /// tagged it as in a text (石川 is also a place, 松田 a company).
    pub fn is_family_name(&self, word: &str) -> bool {
        self.family_names.contains(word) || self.more_family_names.contains(word)
    }

    /// The family names the dictionary knows (IPADIC's).
    pub fn family_names(&self) -> impl Iterator<Item = &str> {
        self.family_names.iter().map(String::as_str)
    }

    /// The family names of another dictionary that IPADIC lacks (UniDic's,
    /// when fetched).
    pub fn more_family_names(&self) -> impl Iterator<Item = &str> {
        self.more_family_names.iter().map(String::as_str)
    }

    /// Every reading the dictionary gives its family names, in katakana
    /// (クリハラ and クリバラ for 栗原).
    pub fn family_name_readings(&self) -> impl Iterator<Item = &str> {
        self.family_name_readings.iter().map(String::as_str)
    }

    /// Every reading the dictionary gives its given names, in katakana
    /// (タダヤス for 忠康).
    pub fn given_name_readings(&self) -> impl Iterator<Item = &str> {
        self.given_name_readings.iter().map(String::as_str)
    }

    /// The katakana words the dictionary knows that are never person names
    /// (スマート, ヤマハ, ジャワ).
    pub fn katakana_words(&self) -> impl Iterator<Item = &str> {
        self.katakana_words.iter().map(String::as_str)
    }

    /// The other person names the dictionary knows, mostly foreign names in
    /// katakana (ジャネット, ノア).
    pub fn person_names(&self) -> impl Iterator<Item = &str> {
        self.person_names.iter().map(String::as_str)
    }

    /// The given names the dictionary knows (IPADIC's).
    pub fn given_names(&self) -> impl Iterator<Item = &str> {
        self.given_names.iter().map(String::as_str)
    }

    /// The given names of another dictionary that IPADIC lacks (UniDic's,
    /// when fetched).
    pub fn more_given_names(&self) -> impl Iterator<Item = &str> {
        self.more_given_names.iter().map(String::as_str)
    }

    /// Whether either dictionary knows `word` as a given name, however the
    /// text was split (一郎 as 一 + 郎) or tagged (さつき as a place).
    pub fn is_given_name(&self, word: &str) -> bool {
        self.given_names.contains(word) || self.more_given_names.contains(word)
    }

    /// Whether the dictionary lists `word` as a person's name other than a
    /// family or given name (ジャネット, ノア), however it read it in a text.
    pub fn is_listed_person(&self, word: &str) -> bool {
        self.person_names.contains(word)
    }

    /// Splits `text` into morphemes.
    pub fn morphs(&self, text: &str) -> Vec<Morph> {
        let Ok(tokens) = self.segmenter.segment(Cow::Borrowed(text)) else {
            return Vec::new();
        };
        tokens
            .into_iter()
            .map(|mut t| {
                let (start, end) = (t.byte_start, t.byte_end);
                let surface = t.surface.to_string();
                let details: Vec<String> = t.details_iter().map(str::to_owned).collect();
                let field = |i: usize| {
                    details
                        .get(i)
                        .filter(|s| !s.is_empty() && s.as_str() != "*")
                        .cloned()
                };
                if details.len() < 8 || details[0] == "UNK" {
                    return Morph {
                        base: surface.clone(),
                        surface,
                        pos: ["未知語".into(), "*".into(), "*".into(), "*".into()],
                        reading: None,
                        start,
                        end,
                    };
                }
                Morph {
                    base: field(6).unwrap_or_else(|| surface.clone()),
                    pos: [
                        details[0].clone(),
                        details[1].clone(),
                        details[2].clone(),
                        details[3].clone(),
                    ],
                    reading: field(7),
                    surface,
                    start,
                    end,
                }
            })
            .collect()
    }

    /// The phonetic key of a whole text: the readings of its words joined,
    /// with `|` where a word has no reading. Synonym triggers are matched
    /// against it, so a rule fires when the query sounds like its trigger.
    pub fn phonetic_text(&self, text: &str) -> String {
        let mut out = String::new();
        for m in self.morphs(&normalize(text)) {
            match m.spoken() {
                Some(r) => out.push_str(&phonetic_key(&r)),
                None if !out.ends_with('|') => out.push('|'),
                None => {}
            }
        }
        out
    }

    /// The words of a query (content words and compounds), each with its
    /// phonetic and character evidence. Fillers and politeness yield none.
    pub fn query_units(&self, text: &str) -> Vec<QueryUnit> {
        let norm = normalize(text);
        let morphs = self.morphs(&norm);
        let mut units: Vec<QueryUnit> = Vec::new();
        let unit = |word: String, surface: &str, reading: Option<String>| {
            let mut u = QueryUnit {
                word,
                ..Default::default()
            };
            if let Some(r) = reading {
                let key = phonetic_key(&r);
                if key.chars().count() >= 2 {
                    char_ngrams(&key, 2, &mut u.phon);
                }
                if key.chars().count() >= 3 {
                    char_ngrams(&key, 3, &mut u.phon);
                }
                u.key = key;
            }
            push_word_bigrams(surface, &mut u.grams);
            u
        };
        for m in &morphs {
            if m.is_content() {
                units.push(unit(
                    m.base.clone(),
                    &m.surface,
                    m.spoken().map(|c| c.into_owned()),
                ));
            }
        }
        for run in runs(&morphs, Morph::joins_compound) {
            if run.len() >= 2 {
                let surface = surface_of(run);
                let reading: Option<String> = run
                    .iter()
                    .map(|m| m.spoken().map(|c| c.into_owned()))
                    .collect();
                units.push(unit(surface.clone(), &surface, reading));
            }
        }
        let mut seen = std::collections::HashSet::new();
        units.retain(|u| seen.insert(u.word.clone()));
        units
    }

    /// The search features of `text` (normalized first). `grams_over_content`
    /// restricts character bigrams to content-word runs, which queries use so
    /// that fillers and politeness add nothing.
    pub fn features(&self, text: &str, grams_over_content: bool) -> Features {
        let norm = normalize(text);
        let morphs = self.morphs(&norm);
        let mut f = Features::default();

        // Content words and compound nouns.
        for m in &morphs {
            if m.is_content() {
                f.words.push(m.base.clone());
            }
        }
        for run in runs(&morphs, Morph::joins_compound) {
            if run.len() >= 2 {
                f.words.push(surface_of(run));
            }
        }

        // Runs of adjacent content words (compound members count too): their
        // readings give phonetic n-grams, their surfaces character bigrams.
        let mut runs: Vec<(String, String)> = Vec::new(); // (phonetic key, surface)
        let mut cur = (String::new(), String::new());
        for m in &morphs {
            let in_run = m.is_content() || (m.joins_compound() && !cur.1.is_empty());
            match (in_run, m.spoken()) {
                (true, Some(r)) => {
                    cur.0.push_str(&phonetic_key(&r));
                    cur.1.push_str(&m.surface);
                }
                (true, None) => {
                    // Unknown kanji word: no reading, still part of the surface run.
                    if !cur.0.is_empty() {
                        runs.push(std::mem::take(&mut cur));
                    }
                    cur.1.push_str(&m.surface);
                    runs.push(std::mem::take(&mut cur));
                }
                (false, _) => {
                    if !cur.1.is_empty() {
                        runs.push(std::mem::take(&mut cur));
                    }
                }
            }
        }
        if !cur.1.is_empty() {
            runs.push(cur);
        }
        for (key, _) in &runs {
            if key.chars().count() >= 2 {
                char_ngrams(key, 2, &mut f.phon);
            }
            if key.chars().count() >= 3 {
                char_ngrams(key, 3, &mut f.phon);
            }
        }
        if grams_over_content {
            for (_, surface) in &runs {
                push_word_bigrams(surface, &mut f.grams);
            }
        } else {
            push_word_bigrams(&norm, &mut f.grams);
        }
        f
    }
}

/// Maximal runs of touching morphemes that satisfy `joins`. A gap between
/// two morphemes (a dropped space) ends a run: 「ウ 国民健康保険」 is not one
/// word.
pub fn runs(morphs: &[Morph], joins: impl Fn(&Morph) -> bool) -> Vec<&[Morph]> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, m) in morphs.iter().enumerate() {
        let touches = i > 0 && morphs[i - 1].end == m.start;
        match (joins(m), start) {
            (true, Some(_)) if touches => {}
            (true, open) => {
                if let Some(s) = open {
                    out.push(&morphs[s..i]);
                }
                start = Some(i);
            }
            (false, Some(s)) => {
                out.push(&morphs[s..i]);
                start = None;
            }
            (false, None) => {}
        }
    }
    if let Some(s) = start {
        out.push(&morphs[s..]);
    }
    out
}

/// The surfaces of `run` joined.
pub fn surface_of(run: &[Morph]) -> String {
    run.iter().map(|m| m.surface.as_str()).collect()
}

/// Character bigrams within each stretch of word characters.
fn push_word_bigrams(text: &str, out: &mut Vec<String>) {
    for piece in text.split(|c: char| !is_word_char(c)) {
        if piece.chars().count() >= 2 {
            char_ngrams(piece, 2, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(surface: &str, pos: &str, start: usize) -> Morph {
        Morph {
            surface: surface.into(),
            base: surface.into(),
            pos: [pos.into(), "一般".into(), "*".into(), "*".into()],
            reading: None,
            start,
            end: start + surface.len(),
        }
    }

    #[test]
    fn family_names_are_known_whatever_the_text_tags_them_as() {
        let a = Analyzer::from_env().expect("dictionary (run `make setup`)");
        // 石川 is read as a place in 石川数雄が, 松田 as a company.
        for name in ["石川", "松田", "田中", "永山"] {
            assert!(a.is_family_name(name), "{name}");
        }
        for word in ["住民票", "窓口", "転入", "石川県"] {
            assert!(!a.is_family_name(word), "{word}");
        }
        for name in ["一郎", "さつき", "恵子"] {
            assert!(a.is_given_name(name), "{name}");
        }
        for word in ["住民票", "窓口", "転入"] {
            assert!(!a.is_given_name(word), "{word}");
        }
        for name in ["ノア", "ボルハ"] {
            assert!(a.is_listed_person(name), "{name}");
        }
        for word in ["マイナンバーカード", "コンビニ", "住民票"] {
            assert!(!a.is_listed_person(word), "{word}");
        }
    }

    #[test]
    fn numbers_are_read_aloud() {
        assert_eq!(number_reading("10").as_deref(), Some("ジュウ"));
        assert_eq!(number_reading("300").as_deref(), Some("サンヒャク"));
        assert_eq!(
            number_reading("1450").as_deref(),
            Some("センヨンヒャクゴジュウ")
        );
        assert_eq!(number_reading("0").as_deref(), Some("ゼロ"));
        assert_eq!(number_reading("12345"), None);
        assert_eq!(number_reading("1a"), None);
        // 「10民票」 sounds like 住民票.
        assert_eq!(
            phonetic_key(&format!("{}ミンヒョウ", number_reading("10").unwrap())),
            phonetic_key("ジュウミンヒョウ")
        );
    }

    #[test]
    fn runs_need_touching_morphemes() {
        // 「ウ 国民健康保険」: the space after the marker ends the run.
        let a = m("ウ", "名詞", 0);
        let b = m("国民", "名詞", a.end + 1);
        let c = m("健康", "名詞", b.end);
        let d = m("を", "助詞", c.end);
        let e = m("保険", "名詞", d.end);
        let morphs = [a, b, c, d, e];
        let got: Vec<String> = runs(&morphs, Morph::is_noun)
            .into_iter()
            .map(surface_of)
            .collect();
        assert_eq!(got, ["ウ", "国民健康", "保険"]);
    }
}
