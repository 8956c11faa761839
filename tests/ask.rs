//! `madoguchi ask` as outside checks use it: masking, questions, drafts with
//! citations, and the not-found draft, on the bundled sample manuals.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

#[allow(dead_code)]
mod common;

fn ask(data: &Path, utterance: &str) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args(["ask", "--json", "--data", data.to_str().unwrap(), utterance])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn ask_masks_finds_the_questions_and_drafts_with_citations() {
    let tmp = tempfile::tempdir().unwrap();
    let data = common::sample_knowledge(tmp.path());
    let v = ask(
        &data,
        "山田太郎と申します。住民票の写しを取りたいんですけど。いくらかかりますか。あと、粗大ごみの出し方も教えてください。",
    );
    let all = v.to_string();
    assert!(!all.contains("山田") && !all.contains("太郎"), "{all}");
    assert!(v["masked"]
        .as_str()
        .unwrap()
        .starts_with("［氏名1］と申します"));
    let qs = v["questions"].as_array().unwrap();
    assert_eq!(qs.len(), 2, "{v}");
    // The fee, quoted from the manual, with its citation.
    let fee = &qs[0];
    assert_eq!(fee["answered"], true);
    assert!(fee["draft"].as_str().unwrap().contains("1通300円"), "{fee}");
    let c = &fee["citations"][0];
    assert_eq!(c["document"], "01_juminhyo.md");
    assert!(c["label"].as_str().unwrap().contains("手数料"));
    assert!(c["version"].is_string());
    assert!(fee["confidence"].as_f64().unwrap() > 0.5);
    // No manual covers bulky waste: it says so and does not guess.
    let waste = &qs[1];
    assert_eq!(waste["answered"], false);
    assert!(waste["draft"]
        .as_str()
        .unwrap()
        .starts_with("該当するマニュアルが見つかりません。確認が必要です"));
    assert!(waste["confidence"].as_f64().unwrap() <= 0.2);
    // A question that opens with its circumstances is answered for what it
    // asks, and the surname the dictionary knows as a place is masked.
    let v = ask(
        &data,
        "千葉が先月亡くなりまして、死亡届を出したいんですけど、何が必要ですか",
    );
    assert!(!v.to_string().contains("千葉"), "{v}");
    let q = &v["questions"][0];
    assert_eq!(q["answered"], true, "{v}");
    assert_eq!(
        q["citations"][0]["label"], "第1 死亡届 > 3 必要なもの",
        "{v}"
    );
    assert!(q["draft"].as_str().unwrap().contains("死亡届書"), "{v}");
    // Small talk asks nothing.
    assert_eq!(
        ask(&data, "はい、ありがとうございます。")["questions"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

/// Drafting on the evaluation questions stays above its floor (figures and
/// targets in BENCHMARKS.md).
#[test]
fn drafts_stay_above_their_floor() {
    let tmp = tempfile::tempdir().unwrap();
    let data = common::sample_knowledge(tmp.path());
    let kb = madoguchi::open_existing_knowledge(&data).unwrap();
    let qs = madoguchi::eval::parse(madoguchi::EVAL_QUESTIONS).unwrap();
    let d = madoguchi::eval::drafts(&kb, &qs, madoguchi::OFFTOPIC_QUESTIONS).unwrap();
    assert!(d.not_found >= 0.9, "{d:?}");
    assert!(d.correct >= 0.9, "{d:?}");
}

/// Related procedures come from the editors' map, and a change to it counts
/// at once.
#[test]
fn related_procedures_follow_the_editors_map() {
    let tmp = tempfile::tempdir().unwrap();
    let data = common::sample_knowledge(tmp.path());
    let v = ask(&data, "引っ越してきたので転入届を出したいです");
    let related: Vec<&str> = v["questions"][0]["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        related.starts_with(&[
            "国民健康保険の加入",
            "児童手当の申請",
            "マイナンバーカードの住所変更"
        ]),
        "{v}"
    );
    std::fs::write(
        data.join("related.txt"),
        "転入 => 転入学の手続\n書けていない行\n",
    )
    .unwrap();
    let v = ask(&data, "引っ越してきたので転入届を出したいです");
    assert_eq!(
        v["questions"][0]["related"],
        serde_json::json!(["転入学の手続"])
    );
}

/// A session at counter 窓口1 over the sample manuals, imported under `dir`.
fn counter_session(dir: &std::path::Path) -> madoguchi_agent::session::Session {
    let data = common::sample_knowledge(dir);
    let kb = std::sync::Arc::new(madoguchi::open_existing_knowledge(&data).unwrap());
    madoguchi_agent::session::Agent::new(kb).session("窓口1")
}

/// A conversation through the agent's event API: masked segments, a
/// follow-up joining its question, drafts, and a summary with citations;
/// no name or number from the conversation in any event or in the summary.
#[test]
fn a_session_turns_segments_into_masked_events_and_a_summary() {
    use madoguchi_agent::session::{Event, Segment, Speaker};
    let tmp = tempfile::tempdir().unwrap();
    let mut s = counter_session(tmp.path());
    let turns = [
        (
            Speaker::Staff,
            "お待たせしました。本日はどのようなご用件でしょうか。",
        ),
        (
            Speaker::Resident,
            "佐藤花子と申します。住民票の写しを取りたいんですけど。",
        ),
        (Speaker::Staff, "佐藤様ですね。本人確認書類はお持ちですか。"),
        (
            Speaker::Resident,
            "運転免許証があります。いくらかかりますか。",
        ),
        (Speaker::Resident, "電話番号は090-1234-5678です。"),
    ];
    let mut events = Vec::new();
    for (i, (who, text)) in turns.iter().enumerate() {
        events.extend(
            s.push(Segment {
                seq: i as u64,
                speaker: *who,
                start_ms: i as u64 * 3000,
                end_ms: i as u64 * 3000 + 2500,
                text: (*text).into(),
            })
            .unwrap(),
        );
    }
    let summary = s.end();
    let out = format!(
        "{}{}",
        serde_json::to_string(&events).unwrap(),
        serde_json::to_string(&summary).unwrap()
    );
    for secret in ["佐藤", "花子", "090", "1234", "5678"] {
        assert!(!out.contains(secret), "{secret} leaked: {out}");
    }
    let segments = events
        .iter()
        .filter(|e| matches!(e, Event::Segment { .. }))
        .count();
    assert_eq!(segments, 5);
    // The fee follow-up joined the request for 住民票の写し.
    let fee = summary
        .requests
        .iter()
        .find(|r| r.text.as_str().contains("住民票の写し"))
        .expect("the request is in the summary");
    assert!(
        fee.text.as_str().contains("いくらかかりますか"),
        "{summary:?}"
    );
    assert!(fee.answered && fee.answer.contains("1通300円"), "{fee:?}");
    assert_eq!(fee.citations[0].document, "01_juminhyo.md");
}

#[test]
fn a_name_asked_for_is_masked_in_the_answer_even_after_partial_text() {
    use madoguchi_agent::session::{Event, Segment, Speaker};
    let tmp = tempfile::tempdir().unwrap();
    let mut s = counter_session(tmp.path());
    let segment = |seq: u64, speaker, text: &str| Segment {
        seq,
        speaker,
        start_ms: seq * 3000,
        end_ms: seq * 3000 + 2500,
        text: text.into(),
    };
    let mut out = String::new();
    let asked = s
        .push(segment(
            0,
            Speaker::Staff,
            "お子さんのお名前を教えてください",
        ))
        .unwrap();
    out.push_str(&serde_json::to_string(&asked).unwrap());
    // While the resident is still speaking, the console shows partial text.
    out.push_str(s.mask("ゆうとで").as_str());
    let answer = s.push(segment(1, Speaker::Resident, "ゆうとです")).unwrap();
    out.push_str(&serde_json::to_string(&answer).unwrap());
    out.push_str(&serde_json::to_string(&s.end()).unwrap());
    assert!(!out.contains("ゆうと"), "the name leaked: {out}");
    assert!(
        answer
            .iter()
            .any(|e| matches!(e, Event::Segment { text, .. } if text.as_str() == "［氏名1］です")),
        "{answer:?}"
    );
}
