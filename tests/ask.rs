//! `madoguchi ask` as outside checks use it: masking, questions, drafts with
//! citations, and the not-found draft, on the bundled sample manuals.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn knowledge(dir: &Path) -> std::path::PathBuf {
    let data = dir.join("data");
    let manuals = dir.join("manuals");
    madoguchi::manuals::write_to(&manuals).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args([
            "knowledge",
            "import",
            manuals.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    data
}

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
    let data = knowledge(tmp.path());
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
    let data = knowledge(tmp.path());
    let kb = madoguchi::open_existing_knowledge(&data).unwrap();
    let qs = madoguchi::eval::parse(madoguchi::EVAL_QUESTIONS).unwrap();
    let d = madoguchi::eval::drafts(&kb, &qs, madoguchi::OFFTOPIC_QUESTIONS).unwrap();
    assert!(d.not_found >= 0.9, "{d:?}");
    assert!(d.correct >= 0.78, "{d:?}");
}

/// Related procedures come from the editors' map, and a change to it counts
/// at once.
#[test]
fn related_procedures_follow_the_editors_map() {
    let tmp = tempfile::tempdir().unwrap();
    let data = knowledge(tmp.path());
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
