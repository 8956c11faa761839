//! Text normalization shared by indexing and querying, so both sides meet on
//! the same form: NFKC (full/half-width digits, letters and katakana), unified
//! dashes and tildes, and a phonetic key for matching mis-heard speech.

use unicode_normalization::UnicodeNormalization;

/// NFKC plus a few folds NFKC leaves alone (wave dashes, minus signs).
pub fn normalize(text: &str) -> String {
    text.nfkc()
        .map(|c| match c {
            '〜' | '～' => '~',
            '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | '－' => '-',
            _ => c,
        })
        .collect()
}

/// True for characters that carry meaning in Japanese text search
/// (kanji, kana, letters, digits); false for punctuation and spaces.
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == 'ー' || c == '々' || c == 'ヶ'
}

/// A kanji (CJK unified ideographs, extension A) or the repeat mark 々.
pub fn is_kanji(c: char) -> bool {
    matches!(c, '一'..='鿿' | '㐀'..='䶿' | '々')
}

/// Hiragana to katakana; other characters unchanged.
pub fn to_katakana(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'ぁ'..='ゖ' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// True when every character is hiragana, katakana or the long-vowel mark.
pub fn is_kana(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| matches!(c, 'ぁ'..='ゖ' | 'ァ'..='ヺ' | 'ー'))
}

/// A coarse phonetic key of a katakana reading, forgiving the confusions a
/// speech recognizer makes: voicing marks dropped (ビョウ ≈ ヒョウ), small kana
/// made large, long-vowel marks and geminate ッ dropped, ヲ read as オ.
///
/// 住民票 ジュウミンヒョウ and whisper's 住民病 ジュウミンビョウ share one key.
pub fn phonetic_key(reading: &str) -> String {
    let kata = to_katakana(reading);
    kata.nfd()
        .filter_map(|c| match c {
            '\u{3099}' | '\u{309A}' | 'ー' | 'ッ' => None,
            'ァ' => Some('ア'),
            'ィ' => Some('イ'),
            'ゥ' => Some('ウ'),
            'ェ' => Some('エ'),
            'ォ' => Some('オ'),
            'ャ' => Some('ヤ'),
            'ュ' => Some('ユ'),
            'ョ' => Some('ヨ'),
            'ヮ' => Some('ワ'),
            'ヲ' => Some('オ'),
            'ヵ' => Some('カ'),
            'ヶ' => Some('ケ'),
            c => Some(c),
        })
        .collect()
}

/// Character n-grams of `text` (by Unicode scalar), `n` characters each.
/// Text shorter than `n` yields itself when non-empty.
pub fn char_ngrams(text: &str, n: usize, out: &mut Vec<String>) {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return;
    }
    if chars.len() < n {
        out.push(chars.iter().collect());
        return;
    }
    for w in chars.windows(n) {
        out.push(w.iter().collect());
    }
}

/// Levenshtein distance between `a` and `b` (in characters), or `None`
/// when it exceeds `max`. Bounded: rows stop early once every cell is over.
pub fn edit_distance_within(a: &[char], b: &[char], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= max).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfkc_folds_widths() {
        assert_eq!(normalize("３００円"), "300円");
        assert_eq!(normalize("ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞ"), "マイナンバーカード");
        assert_eq!(normalize("（１）"), "(1)");
        assert_eq!(normalize("9時〜17時"), "9時~17時");
    }

    #[test]
    fn phonetic_key_forgives_voicing_and_small_kana() {
        assert_eq!(
            phonetic_key("ジュウミンヒョウ"),
            phonetic_key("ジュウミンビョウ")
        );
        assert_eq!(phonetic_key("テンシュツ"), "テンシユツ");
        assert_eq!(phonetic_key("がっこう"), "カコウ");
        assert_ne!(phonetic_key("インカン"), phonetic_key("テンシュツ"));
    }

    #[test]
    fn bounded_edit_distance() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(
            edit_distance_within(&c("シユセトトケ"), &c("シユセイトトケ"), 2),
            Some(1)
        );
        assert_eq!(
            edit_distance_within(&c("テンチトオリ"), &c("テンシユツ"), 4),
            Some(4)
        );
        assert_eq!(
            edit_distance_within(&c("テンチトオリ"), &c("テンシユツ"), 3),
            None
        );
        assert_eq!(edit_distance_within(&c("アイウ"), &c("アイウ"), 0), Some(0));
        assert_eq!(edit_distance_within(&c("ア"), &c("アイウエ"), 2), None);
    }

    #[test]
    fn ngrams() {
        let mut v = Vec::new();
        char_ngrams("住民票", 2, &mut v);
        assert_eq!(v, ["住民", "民票"]);
        v.clear();
        char_ngrams("票", 2, &mut v);
        assert_eq!(v, ["票"]);
    }
}
