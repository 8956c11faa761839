//! End-to-end tests of the knowledge base: the real binary, the real
//! dictionary, a real tantivy index and real files on disk.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use madoguchi_knowledge::{Analyzer, ImportOptions, ImportReport, KnowledgeBase};
use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_madoguchi"))
}

/// Runs the binary; returns stdout, failing the test on a non-zero exit.
fn run(args: &[&str]) -> String {
    let out = bin().args(args).output().expect("run madoguchi");
    assert!(
        out.status.success(),
        "madoguchi {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

fn search_json(data: &Path, query: &str) -> Value {
    let s = run(&[
        "knowledge",
        "search",
        "--data",
        data.to_str().unwrap(),
        "--json",
        "--limit",
        "3",
        query,
    ]);
    serde_json::from_str(&s).expect("search --json prints one JSON object")
}

fn samples(dir: &Path) -> PathBuf {
    let m = dir.join("manuals");
    madoguchi::manuals::write_to(&m).unwrap();
    m
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn analyzer() -> Arc<Analyzer> {
    Arc::new(Analyzer::from_env().expect("dictionary (run `make setup`)"))
}

#[test]
fn import_and_search_contract() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let manuals = samples(tmp.path());
    let import = || {
        run(&[
            "knowledge",
            "import",
            manuals.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
        ])
    };
    let glossary = || run(&["knowledge", "glossary", "--data", data.to_str().unwrap()]);
    let out = import();
    assert!(out.contains("文書 11 件"), "{out}");
    assert!(out.contains("チャンク"), "{out}");

    let v = search_json(
        &data,
        "えっと、住民票の写しを取りたいんですけど、いくらかかりますか",
    );
    assert_eq!(
        v["query"],
        "えっと、住民票の写しを取りたいんですけど、いくらかかりますか"
    );
    assert!(v["took_ms"].is_number());
    let hits = v["hits"].as_array().unwrap();
    assert!(!hits.is_empty() && hits.len() <= 3);
    for h in hits {
        for key in ["document", "title", "label", "version", "text"] {
            assert!(h[key].is_string(), "hit lacks {key}: {h}");
        }
        assert!(h["score"].is_number());
    }
    let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "best first: {scores:?}"
    );
    // The counter fee section answers; the convenience-store fee section
    // (also 住民票の写し, also 手数料) scores the same and may come first.
    assert!(
        hits[0]["label"].as_str().unwrap().ends_with("手数料"),
        "{hits:?}"
    );
    let fee = hits
        .iter()
        .find(|h| h["document"] == "01_juminhyo.md")
        .expect("01 in top 3");
    assert_eq!(fee["label"], "第2 交付請求 > 3 手数料");
    assert_eq!(fee["version"], "v1");
    assert_eq!(fee["title"], "住民票の写しの交付事務マニュアル");
    assert!(fee["text"].as_str().unwrap().contains("1通300円"));

    // Plain-text manuals carry their structure in 公用文 numbering only.
    let v = search_json(&data, "印鑑登録証明書を代理人が取るには");
    let labels: Vec<&str> = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"第2 印鑑登録証明書の交付 > 2 代理人の請求"),
        "{labels:?}"
    );

    // The glossary: one term per line, manual terms and synonyms.
    let g = glossary();
    let terms: Vec<&str> = g.lines().collect();
    for t in [
        "住民票の写し",
        "マイナンバーカード",
        "印鑑登録証明書",
        "転出証明書",
    ] {
        assert!(terms.contains(&t), "glossary lacks {t}");
    }
    assert!(terms
        .iter()
        .all(|t| !t.trim().is_empty() && !t.contains('\t')));
    // Then the manuals' other words, for the recognizer's term correction
    // (運転面教証 heard for 運転免許証): after the terms the prompt takes.
    let at = |w: &str| terms.iter().position(|t| *t == w);
    for w in ["運転免許証", "筆頭者", "振込先"] {
        assert!(
            at(w) > at("転出証明書"),
            "{w} not after the terms: {terms:?}"
        );
    }

    // A catalog written before versions kept their words gets them on the
    // next import, with no new version.
    let cat_path = data.join("catalog.json");
    let mut cat: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cat_path).unwrap()).unwrap();
    for d in cat["documents"].as_object_mut().unwrap().values_mut() {
        for v in d["versions"].as_array_mut().unwrap() {
            v.as_object_mut().unwrap().remove("words");
        }
    }
    std::fs::write(&cat_path, cat.to_string()).unwrap();
    assert!(!glossary().lines().any(|t| t == "運転免許証"));
    let out = import();
    assert!(out.contains("変更なし 11 件"), "{out}");
    assert!(glossary().lines().any(|t| t == "運転免許証"));
}

#[test]
fn spoken_and_misheard_questions_find_their_sections() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = KnowledgeBase::open(&tmp.path().join("data"), analyzer()).unwrap();
    kb.import_dir(&samples(tmp.path()), &ImportOptions::default())
        .unwrap();
    let top = |q: &str| kb.search(q, 3).unwrap().hits;
    // Fillers of spoken questions do not change the answer.
    let plain = top("住民票の写しの手数料");
    let spoken = top("えっと、あの、住民票の写しの手数料なんですけど");
    assert_eq!(plain[0].chunk_id, spoken[0].chunk_id);
    // Homophones whisper produces still find the section, through readings.
    let h = top("住民病の映しの手数料");
    assert_eq!(
        (h[0].document.as_str(), h[0].label.as_str()),
        ("01_juminhyo.md", "第2 交付請求 > 3 手数料")
    );
    // The issue's own example: whisper's 「電池通証明書」 for 転出証明書, found
    // through the manuals' vocabulary by sound.
    let h = top("電池通証明書");
    assert_eq!(h[0].document, "03_idou.md", "{h:?}");
    assert!(h[0].label.ends_with("3 転出証明書"), "{h:?}");
    let h = top("店出届を出したい");
    assert!(
        h.iter()
            .any(|h| h.document == "03_idou.md" && h.label.starts_with("第1章 転出届")),
        "{h:?}"
    );
    // 表記揺れ through the synonym file, and full-width/half-width forms.
    let h = top("個人番号カードの暗証番号を忘れた");
    assert_eq!(h[0].document, "04_mynumber.txt");
    let h = top("ﾊﾝｺの登録は何歳から");
    assert!(h.iter().any(|h| h.text.contains("15歳以上")), "{h:?}");
    // Nothing in, nothing out.
    assert!(top("えっと、あの").is_empty());
}

#[test]
fn versions_effective_dates_and_withdrawal() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let v1 = "# 犬の登録\n\n## 第1 登録\n\n1 手数料\n犬の登録手数料は3,000円です。\n";
    std::fs::write(src.join("dog.md"), v1).unwrap();
    let d = data.to_str().unwrap();
    let s = src.to_str().unwrap();
    assert!(run(&["knowledge", "import", s, "--data", d]).contains("新規 v1"));
    assert!(run(&["knowledge", "import", s, "--data", d]).contains("変更なし"));

    // A server-like handle stays open while another process publishes.
    let kb = KnowledgeBase::open(&data, analyzer()).unwrap();
    let text_of = |kb: &KnowledgeBase| {
        kb.search("犬の登録の手数料", 1).unwrap().hits[0]
            .text
            .clone()
    };
    assert!(text_of(&kb).contains("3,000円"));

    // A revision published now is what the very next search sees.
    std::fs::write(src.join("dog.md"), v1.replace("3,000円", "3,500円")).unwrap();
    assert!(run(&["knowledge", "import", s, "--data", d]).contains("改訂 v2"));
    assert!(
        text_of(&kb).contains("3,500円"),
        "next search sees v2 without restart"
    );

    // A revision scheduled for a later date waits for it.
    std::fs::write(src.join("dog.md"), v1.replace("3,000円", "4,000円")).unwrap();
    assert!(run(&[
        "knowledge",
        "import",
        s,
        "--data",
        d,
        "--effective",
        "2099-04-01"
    ])
    .contains("改訂 v3"));
    assert!(text_of(&kb).contains("3,500円"));
    let on = |day: &str| {
        kb.search_on("犬の登録の手数料", 1, day.parse().unwrap())
            .unwrap()
            .hits[0]
            .clone()
    };
    assert!(on("2099-03-31").text.contains("3,500円"));
    let h = on("2099-04-01");
    assert!(h.text.contains("4,000円"));
    assert_eq!(h.version, "v3");
    let versions = run(&["knowledge", "versions", "dog.md", "--data", d]);
    assert!(
        versions.contains("施行中") && versions.contains("施行予定") && versions.contains("旧版"),
        "{versions}"
    );

    // Old versions stay retrievable for citations.
    let old = run(&[
        "knowledge",
        "show",
        "dog.md",
        "--version",
        "v1",
        "--data",
        d,
    ]);
    assert!(
        old.contains("3,000円") && old.contains("第1 登録 > 1 手数料"),
        "{old}"
    );

    // Withdrawal removes the document from search at once.
    run(&["knowledge", "withdraw", "dog.md", "--data", d]);
    assert!(kb
        .search("犬の登録の手数料", 3)
        .unwrap()
        .hits
        .iter()
        .all(|h| h.document != "dog.md"));
    assert!(kb.chunk(&format!("dog.md@v1#{:05}", 0)).unwrap().is_some());

    // Unknown documents and bad dates get clear errors.
    let out = bin()
        .args(["knowledge", "withdraw", "cat.md", "--data", d])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cat.md"));
    let out = bin()
        .args([
            "knowledge",
            "import",
            s,
            "--data",
            d,
            "--effective",
            "4月1日",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("2027-04-01"));
}

#[test]
fn bad_files_are_reported_and_the_rest_imported() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    std::fs::create_dir_all(src.join("sub")).unwrap();
    let good = "第1 粗大ごみ\n1 申込み\n粗大ごみは電話で申し込む。1点400円の処理券を貼って出す。\n";
    std::fs::write(src.join("good.txt"), good).unwrap();
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("原動機付自転車の登録\n第1 登録\n1 必要なもの\n販売証明書と本人確認書類を持ってきてもらう。\n");
    std::fs::write(src.join("sub/sjis.txt"), &sjis).unwrap();
    std::fs::write(src.join("empty.md"), "").unwrap();
    std::fs::write(src.join("binary.md"), b"\x00\x01\x02\xff").unwrap();
    std::fs::write(src.join("scan.pdf"), b"%PDF-1.4\n").unwrap();
    std::fs::write(src.join("broken.docx"), b"PK\x03\x04 not really").unwrap();
    std::fs::write(src.join("photo.png"), b"\x89PNG").unwrap();
    std::fs::write(src.join("huge.txt"), vec![b'a'; 21 * 1024 * 1024]).unwrap();
    std::fs::write(src.join(".hidden.md"), "# secret").unwrap();
    std::fs::copy(fixture("scan_only.pdf"), src.join("scan_only.pdf")).unwrap();

    let kb = KnowledgeBase::open(&tmp.path().join("data"), analyzer()).unwrap();
    let r = kb.import_dir(&src, &ImportOptions::default()).unwrap();
    assert_eq!(r.documents, 2, "{r:?}");
    let warning = |file: &str| {
        r.warnings
            .iter()
            .find(|w| w.file == file)
            .map(|w| w.message.clone())
            .unwrap_or_else(|| panic!("no warning for {file}: {:?}", r.warnings))
    };
    assert!(warning("empty.md").contains("空"));
    assert!(warning("binary.md").contains("バイナリ"));
    assert!(warning("scan.pdf").contains("PDF として読めません"));

    assert!(warning("broken.docx").contains("DOCX"));
    assert!(warning("scan_only.pdf").contains("画像だけの PDF"));
    assert!(warning("photo.png").contains("対応していない形式"));
    assert!(warning("huge.txt").contains("大きすぎます"));
    assert!(warning("sub/sjis.txt").contains("Shift_JIS"));
    assert!(r.warnings.iter().all(|w| !w.file.contains("hidden")));
    let h = kb.search("原付の登録に必要なもの", 3).unwrap().hits;
    assert!(
        h.iter()
            .any(|h| h.document == "sub/sjis.txt" && h.text.contains("販売証明書")),
        "{h:?}"
    );
    assert_eq!(
        h.iter()
            .find(|h| h.document == "sub/sjis.txt")
            .unwrap()
            .label,
        "第1 登録 > 1 必要なもの"
    );
}

#[test]
fn editors_synonyms_take_effect_without_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let kb = KnowledgeBase::open(&tmp.path().join("data"), analyzer()).unwrap();
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(
        src.join("a.txt"),
        "軽自動車税\n第1 減免\n1 対象\n身体障害者手帳を持つ人の軽自動車税を減免する。\n",
    )
    .unwrap();
    std::fs::write(
        src.join("b.txt"),
        "国民年金\n第1 免除\n1 対象\n所得が少ない人の国民年金保険料を免除する。\n",
    )
    .unwrap();
    kb.import_files(
        Vec::new(),
        &ImportOptions::default(),
        ImportReport::default(),
    )
    .unwrap();
    kb.import_dir(&src, &ImportOptions::default()).unwrap();
    assert!(kb.search("マイカー", 3).unwrap().hits.is_empty());
    let path = kb.synonyms_path();
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("\nマイカー => 軽自動車税\n");
    std::fs::write(&path, text).unwrap();
    let h = kb.search("マイカー", 3).unwrap().hits;
    assert_eq!(
        h.first().map(|h| h.document.as_str()),
        Some("a.txt"),
        "{h:?}"
    );
}

#[test]
fn evaluation_set_stays_above_its_floor() {
    let questions = madoguchi::eval::parse(madoguchi::EVAL_QUESTIONS).unwrap();
    assert!(questions.len() >= 60);
    let tmp = tempfile::tempdir().unwrap();
    let kb = KnowledgeBase::open(&tmp.path().join("data"), analyzer()).unwrap();
    kb.import_dir(&samples(tmp.path()), &ImportOptions::default())
        .unwrap();
    let r = madoguchi::eval::run(&kb, &questions).unwrap();
    // The targets; measured figures are in BENCHMARKS.md.
    assert!(
        r.clean.hit3 >= 0.95,
        "clean Hit@3 {:.3} misses {:?}",
        r.clean.hit3,
        r.clean.misses
    );
    assert!(
        r.misheard.hit3 >= 0.85,
        "misheard Hit@3 {:.3} misses {:?}",
        r.misheard.hit3,
        r.misheard.misses
    );
}

#[test]
fn morphemes_keep_surface_base_pos_and_reading() {
    let a = analyzer();
    let m = a.morphs("田中さんが住民票を取りに来ました");
    let tanaka = m.iter().find(|m| m.surface == "田中").expect("田中");
    assert!(tanaka.is_person_name(), "{tanaka:?}");
    assert_eq!(tanaka.reading.as_deref(), Some("タナカ"));
    let toru = m.iter().find(|m| m.surface == "取り").expect("取り");
    assert_eq!((toru.base.as_str(), toru.pos[0].as_str()), ("取る", "動詞"));
    let place = a.morphs("大阪に住んでいます");
    assert!(
        place.iter().any(|m| m.surface == "大阪" && m.is_place()),
        "{place:?}"
    );
    // Offsets index the analysed text.
    let text = "住民票の写し";
    for m in a.morphs(text) {
        assert_eq!(&text[m.start..m.end], m.surface);
    }
}

#[test]
fn editors_are_told_about_missing_files_backdating_and_wrong_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let (d, s) = (data.to_str().unwrap(), src.to_str().unwrap());
    std::fs::write(src.join("a.txt"), "窓口A\n第1 概要\n本文A。\n").unwrap();
    std::fs::write(src.join("b.txt"), "窓口B\n第1 概要\n本文B。\n").unwrap();
    run(&["knowledge", "import", s, "--data", d]);

    // A file gone from the folder is named, and stays until withdrawn.
    std::fs::remove_file(src.join("b.txt")).unwrap();
    let out = run(&["knowledge", "import", s, "--data", d]);
    assert!(
        out.contains("注意 b.txt") && out.contains("knowledge withdraw b.txt"),
        "{out}"
    );
    let json: Value =
        serde_json::from_str(&run(&["knowledge", "import", s, "--data", d, "--json"])).unwrap();
    assert_eq!(json["missing"], serde_json::json!(["b.txt"]));
    assert_eq!(json["files"][0]["file"], "a.txt");
    assert_eq!(json["files"][0]["outcome"], "unchanged");

    // A revision dated before the version in force is flagged.
    std::fs::write(
        src.join("a.txt"),
        "---\n施行日: 2001-04-01\n---\n窓口A\n第1 概要\n本文A改。\n",
    )
    .unwrap();
    let out = run(&["knowledge", "import", s, "--data", d]);
    assert!(out.contains("施行日 2001-04-01 は既存の版 v1"), "{out}");

    // Reading commands do not create a knowledge base where there is none.
    let nowhere = tmp.path().join("typo");
    for args in [
        vec![
            "knowledge",
            "search",
            "--data",
            nowhere.to_str().unwrap(),
            "住民票",
        ],
        vec!["knowledge", "glossary", "--data", nowhere.to_str().unwrap()],
    ] {
        let out = bin().args(&args).output().unwrap();
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("ナレッジベースがありません"));
    }
    assert!(!nowhere.exists());
}

#[test]
fn pdf_manuals_are_split_by_their_numbering() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::copy(fixture("inu_touroku.pdf"), src.join("inu_touroku.pdf")).unwrap();
    let kb = KnowledgeBase::open(&tmp.path().join("data"), analyzer()).unwrap();
    let r = kb.import_dir(&src, &ImportOptions::default()).unwrap();
    assert_eq!((r.documents, r.warnings.len()), (1, 0), "{r:?}");
    let h = kb.search("犬の登録っていくらですか", 3).unwrap().hits;
    assert_eq!(h[0].document, "inu_touroku.pdf");
    assert_eq!(h[0].title, "犬の登録と狂犬病予防注射 事務取扱要領");
    assert_eq!(h[0].label, "第1 犬の登録 > 2 手数料");
    assert!(h[0].text.contains("1頭3,000円"));
    let h = kb.search("狂犬病の注射はいつ受けますか", 1).unwrap().hits;
    assert_eq!(h[0].label, "第2 狂犬病予防注射 > 1 注射の時期");
}
