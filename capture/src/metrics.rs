//! Character error rate, the measure for Japanese (which has no spaces, so
//! word error rate means little).

use unicode_normalization::UnicodeNormalization;

/// The characters a transcript is compared on: NFKC, without spaces and
/// punctuation (「」、。！？ …), which speech does not carry, and with
/// numbers in one notation (四百五十円 and 450円 are the same speech).
pub fn cer_chars(text: &str) -> Vec<char> {
    let plain: Vec<char> = text
        .nfkc()
        .filter(|c| c.is_alphanumeric() || matches!(c, 'ー' | '々' | 'ヶ'))
        .collect();
    let mut out = Vec::with_capacity(plain.len());
    let mut i = 0;
    while i < plain.len() {
        let run = plain[i..]
            .iter()
            .take_while(|c| kanji_digit(**c).is_some() || kanji_unit(**c).is_some())
            .count();
        if run == 0 {
            out.push(plain[i]);
            i += 1;
            continue;
        }
        out.extend(kanji_number(&plain[i..i + run]).to_string().chars());
        i += run;
    }
    out
}

fn kanji_digit(c: char) -> Option<u64> {
    "〇一二三四五六七八九"
        .chars()
        .position(|d| d == c)
        .map(|p| p as u64)
}

fn kanji_unit(c: char) -> Option<u64> {
    match c {
        '十' => Some(10),
        '百' => Some(100),
        '千' => Some(1_000),
        '万' => Some(10_000),
        _ => None,
    }
}

/// 四百五十 → 450, 十四 → 14, 五万 → 50000, 二〇二六 → 2026.
fn kanji_number(run: &[char]) -> u64 {
    let mut total = 0u64;
    let mut section = 0u64;
    let mut digits: Option<u64> = None;
    for &c in run {
        if let Some(d) = kanji_digit(c) {
            // Digit by digit (二〇二六) when no unit comes between.
            digits = Some(digits.map_or(d, |v| v.saturating_mul(10).saturating_add(d)));
        } else if let Some(u) = kanji_unit(c) {
            let n = digits.take().unwrap_or(1);
            if u == 10_000 {
                total = total.saturating_add((section + n).saturating_mul(u));
                section = 0;
            } else {
                section = section.saturating_add(n.saturating_mul(u));
            }
        }
    }
    total + section + digits.unwrap_or(0)
}

/// Edit distance between `reference` and `hypothesis` (by [`cer_chars`]) and
/// the reference length: CER is their ratio.
pub fn char_errors(reference: &str, hypothesis: &str) -> (usize, usize) {
    let r = cer_chars(reference);
    let h = cer_chars(hypothesis);
    let mut prev: Vec<usize> = (0..=h.len()).collect();
    let mut cur = vec![0; h.len() + 1];
    for (i, rc) in r.iter().enumerate() {
        cur[0] = i + 1;
        for (j, hc) in h.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(rc != hc))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    (prev[h.len()], r.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn character_errors() {
        assert_eq!(char_errors("住民票の写し。", "住民票の写し"), (0, 6));
        assert_eq!(char_errors("住民票の写し", "住民病の映し"), (2, 6));
        assert_eq!(char_errors("「１通３００円」", "1通300円"), (0, 6));
        assert_eq!(char_errors("はい", ""), (2, 2));
        assert_eq!(char_errors("一通四百五十円です", "1通450円です"), (0, 8));
        assert_eq!(char_errors("十四日以内", "14日以内"), (0, 5));
        assert_eq!(char_errors("五万円", "50000円"), (0, 6));
        assert_eq!(
            char_errors("朝六時半から夜十一時", "朝6時半から夜11時"),
            (0, 10)
        );
    }
}
