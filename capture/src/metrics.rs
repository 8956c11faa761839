//! Character error rate, the measure for Japanese (which has no spaces, so
//! word error rate means little).

use unicode_normalization::UnicodeNormalization;

/// The characters a transcript is compared on: NFKC, without spaces and
/// punctuation (「」、。！？ …), which speech does not carry.
pub fn cer_chars(text: &str) -> Vec<char> {
    text.nfkc()
        .filter(|c| c.is_alphanumeric() || matches!(c, 'ー' | '々' | 'ヶ'))
        .collect()
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
    }
}
