//! Related procedures: a small map editors keep in `related.txt` beside the
//! synonyms (「転入 => 国民健康保険の加入, 児童手当の申請, …」). When a question
//! mentions a trigger, the procedures that usually come with it are suggested.

use crate::normalize::normalize;

/// The default map, written into a new knowledge base.
pub const DEFAULT_RELATED: &str = include_str!("../assets/related.txt");

/// A line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelatedError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for RelatedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} 行目: {}", self.line, self.message)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Related {
    rules: Vec<(Vec<String>, Vec<String>)>,
}

fn items(s: &str) -> Vec<String> {
    crate::synonyms::list_items(s).map(str::to_owned).collect()
}

impl Related {
    /// Parses the map; bad lines are reported and skipped.
    pub fn parse(text: &str) -> (Self, Vec<RelatedError>) {
        let mut rules = Vec::new();
        let mut errors = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let err = |m: &str| RelatedError {
                line: i + 1,
                message: m.to_owned(),
            };
            let Some((left, right)) = line.split_once("=>") else {
                errors.push(err("「きっかけ => 手続, 手続」の形で書いてください"));
                continue;
            };
            let (triggers, procs) = (items(left), items(right));
            if triggers.is_empty() || procs.is_empty() {
                errors.push(err("きっかけと手続の両方が必要です"));
                continue;
            }
            rules.push((triggers.iter().map(|t| normalize(t)).collect(), procs));
        }
        (Related { rules }, errors)
    }

    /// Procedures related to what `text` is about, in the map's order,
    /// without those the text already names.
    pub fn suggest(&self, text: &str) -> Vec<String> {
        let norm = normalize(text);
        let mut out: Vec<String> = Vec::new();
        for (triggers, procs) in &self.rules {
            if triggers.iter().any(|t| norm.contains(t.as_str())) {
                for p in procs {
                    if !out.contains(p) && !norm.contains(&normalize(p)) {
                        out.push(p.clone());
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triggers_suggest_procedures_and_bad_lines_are_reported() {
        let (r, errors) = Related::parse(DEFAULT_RELATED);
        assert!(errors.is_empty(), "{errors:?}");
        let s = r.suggest("引っ越してきたので転入届を出したいです");
        assert_eq!(
            s[..3],
            [
                "国民健康保険の加入",
                "児童手当の申請",
                "マイナンバーカードの住所変更"
            ]
        );
        assert!(r.suggest("住民票の写しを取りたい").is_empty());
        let (r, errors) = Related::parse("転入 => 児童手当\nこわれた行\n =>\n");
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].line, 2);
        assert_eq!(r.suggest("転入の手続と児童手当"), Vec::<String>::new());
    }
}
