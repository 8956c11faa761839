//! Requests and questions in spoken Japanese: which sentences of a turn ask
//! for something, and which belong together (a follow-up such as
//! 「いくらかかりますか」 joins the request before it).

/// Endings and markers of a question or a request.
const ASKING: &[&str] = &[
    "ですか",
    "ますか",
    "でしょうか",
    "ますかね",
    "ですかね",
    "んですか",
    "のですか",
    "かな",
    "たい",
    "たいです",
    "たいんです",
    "たいのですが",
    "ほしい",
    "欲しい",
    "ください",
    "下さい",
    "んですけど",
    "んですが",
    "のですが",
    "いただけ",
    "お願いします",
    "お願いしたい",
    "可能",
    "できますか",
    "いいですか",
    "大丈夫",
];

/// Question words: a sentence with one asks even without a question ending.
const WH: &[&str] = &[
    "いくら",
    "何",
    "なに",
    "どこ",
    "いつ",
    "どう",
    "どの",
    "どれ",
    "誰",
    "だれ",
    "どちら",
    "どんな",
    "どれくらい",
    "どのくらい",
    "なぜ",
    "何日",
    "何時",
];

/// Small talk and fillers: never a question on their own.
const SMALL_TALK: &[&str] = &[
    "はい",
    "ええ",
    "えっと",
    "あの",
    "あのー",
    "ありがとうございます",
    "ありがとうございました",
    "よろしくお願いします",
    "お願いします",
    "こんにちは",
    "おはようございます",
    "失礼します",
    "すみません",
    "分かりました",
    "わかりました",
    "そうですか",
    "そうですね",
    "なるほど",
    "少々お待ちください",
    "お待たせしました",
    "いい天気ですね",
    "暑いですね",
    "寒いですね",
];

/// Follow-ups that carry no topic of their own.
const FOLLOW_UPS: &[&str] = &[
    "いくら",
    "何が必要",
    "何がいり",
    "何が要り",
    "いつまで",
    "どこで",
    "どれくらい",
    "どのくらい",
    "時間",
    "期限",
    "手数料",
    "持ち物",
    "それ",
    "それって",
];

fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        cur.push(c);
        if matches!(c, '。' | '？' | '?' | '！' | '!' | '\n') {
            push(&mut out, &mut cur);
        }
    }
    push(&mut out, &mut cur);
    out
}

fn push(out: &mut Vec<String>, cur: &mut String) {
    let s = cur
        .trim()
        .trim_end_matches(['。', '？', '?', '！', '!'])
        .trim()
        .to_owned();
    if !s.is_empty() {
        out.push(s);
    }
    cur.clear();
}

fn core(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !"、。，,！!？?ー〜~…".contains(*c))
        .collect()
}

/// True for a sentence that asks or requests something.
pub fn is_question(sentence: &str) -> bool {
    let c = core(sentence);
    if c.is_empty() || SMALL_TALK.iter().any(|s| core(s) == c) {
        return false;
    }
    // The clerk's opening (本日はどのようなご用件でしょうか) asks for the
    // request; it is not one.
    if c.contains("ご用件") {
        return false;
    }
    // Fillers at the front do not count: 「えっと、あの」.
    let mut rest = c.as_str();
    loop {
        let before = rest.len();
        for f in [
            "えっと",
            "あのー",
            "あの",
            "えー",
            "その",
            "ええと",
            "すみません",
        ] {
            rest = rest.strip_prefix(f).unwrap_or(rest);
        }
        if rest.len() == before {
            break;
        }
    }
    if rest.chars().count() < 3 {
        return false;
    }
    ASKING.iter().any(|a| rest.contains(a))
        || WH.iter().any(|w| rest.contains(w))
        || rest.ends_with('か')
        || rest.ends_with("けど")
        || rest.ends_with("けれど")
}

/// A short question with no topic of its own (いくらかかりますか).
pub fn is_follow_up(sentence: &str) -> bool {
    let c = core(sentence);
    c.chars().count() <= 16 && FOLLOW_UPS.iter().any(|f| c.contains(f))
}

/// The questions of a turn, follow-ups joined to the request before them.
pub fn detect(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    // A request without a question ending (住民票を取りたいんですけど) is
    // still open for the follow-up after it.
    for s in sentences(text) {
        if !is_question(&s) {
            continue;
        }
        match out.last_mut() {
            Some(prev) if is_follow_up(&s) => {
                prev.push('、');
                prev.push_str(&s);
            }
            _ => out.push(s),
        }
    }
    out
}

/// As [`detect`]; a turn with no question form that is not small talk
/// (「住民票の写しの手数料」 typed at the console) is taken as one question.
pub fn detect_or_topic(text: &str) -> Vec<String> {
    let found = detect(text);
    if !found.is_empty() {
        return found;
    }
    // What is left once greetings and fillers are taken out.
    let mut c = core(text);
    let mut talk: Vec<String> = SMALL_TALK.iter().map(|s| core(s)).collect();
    talk.sort_by_key(|t| std::cmp::Reverse(t.len()));
    for t in &talk {
        c = c.replace(t.as_str(), "");
    }
    if c.chars().count() >= 4 {
        return vec![text.trim().trim_end_matches(['。', '？', '?']).to_owned()];
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_requests_and_questions_and_joins_follow_ups() {
        assert_eq!(
            detect("えっと、住民票の写しを取りたいんですけど。いくらかかりますか。あと、印鑑登録もしたいです。"),
            [
                "えっと、住民票の写しを取りたいんですけど、いくらかかりますか",
                "あと、印鑑登録もしたいです"
            ]
        );
        assert_eq!(
            detect("転入届は何日以内に出せばいいの"),
            ["転入届は何日以内に出せばいいの"]
        );
        assert_eq!(
            detect("本人確認書類をお見せください。"),
            ["本人確認書類をお見せください"]
        );
        for small in [
            "はい。",
            "ありがとうございます。",
            "えっと、あの。",
            "今日は暑いですね。",
            "",
        ] {
            assert!(detect(small).is_empty(), "{small}");
        }
    }
}
