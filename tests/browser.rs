//! The console in a real headless Chromium: a clerk logs in, the bundled
//! conversation (a resident who gives a name, an address and a phone
//! number) is played through the real capture process, and the page shows
//! the masked transcript and cited drafts as they happen, with no personal
//! detail anywhere in it. Then the roles: a clerk cannot open supervisor
//! pages; the supervisor sees the counter live.

use std::time::Duration;

#[allow(dead_code)]
mod common;

use common::browser::Browser;
use common::server::{Server, ACCOUNTS, COUNTER_TOKEN};

/// What the resident says and the page must never show (as spoken, and as
/// the recognizer writes it).
const SECRETS: [&str; 8] = [
    "山田",
    "花子",
    "梅田",
    "1234",
    "5678",
    "090",
    "北区",
    "一丁目二番",
];

fn password(name: &str) -> &'static str {
    ACCOUNTS.iter().find(|a| a.0 == name).unwrap().2
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_watches_a_played_conversation_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    common::sample_knowledge(dir.path());
    let server = Server::start(dir.path());
    let base = server.url("");
    let b = Browser::start().await;
    b.login(&base, "clerk1", password("clerk1"), "/console/c1")
        .await;
    b.wait_for(
        "the console to connect",
        "return document.getElementById('status').textContent.includes('待機中')",
        10,
    )
    .await;

    let wav = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/speech/demo_conversation.wav"
    );
    let capture = tokio::process::Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args(["capture", "--server", &server.ws_url(""), "--counter", "c1"])
        .args(["--input", wav, "--fast", "--threads", "1"])
        .env("MADOGUCHI_COUNTER_TOKEN", COUNTER_TOKEN)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(300), capture)
        .await
        .expect("capture finishes")
        .unwrap();
    let report =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{report}");

    // The transcript, with speakers, and the drafts with their citations.
    b.wait_for(
        "the transcript",
        "return document.querySelectorAll('#transcript li').length >= 8",
        30,
    )
    .await;
    b.wait_for(
        "a draft on the fee citing its section",
        "return [...document.querySelectorAll('.question')].some(q => q.querySelector('.draft').textContent.includes('300円') && [...q.querySelectorAll('.cites a')].some(a => a.textContent.includes('手数料')))",
        30,
    )
    .await;
    let text = b.text().await;
    assert!(
        text.contains("職員") && text.contains("住民"),
        "speaker labels: {text}"
    );
    assert!(
        text.contains("転入届") && text.contains("住民票"),
        "the conversation: {text}"
    );
    assert!(text.contains("［氏名"), "the name is shown masked: {text}");
    assert!(text.contains("14日以内"), "the deadline draft: {text}");
    let html = b.html().await;
    for s in SECRETS {
        assert!(!html.contains(s), "the page shows {s:?}:\n{text}");
    }
    if let Ok(dir) = std::env::var("MADOGUCHI_SCREENSHOTS") {
        std::fs::write(format!("{dir}/console.png"), b.screenshot().await).unwrap();
    }

    // A citation opens the cited section in the cited version.
    let href = b
        .eval("return [...document.querySelectorAll('.cites a')].find(a => a.textContent.includes('手数料')).href")
        .await;
    let href = href.as_str().unwrap().to_owned();
    assert!(href.contains("version=v1"), "{href}");

    // 役に立った is recorded (the server echoes it to every console).
    b.click(".question .fb-helpful").await;
    b.wait_for(
        "the feedback to be recorded",
        "return !!document.querySelector('.question .fb-helpful.chosen')",
        10,
    )
    .await;
    // 相談 raises the flag.
    b.click("#consult").await;
    b.wait_for(
        "the consult flag",
        "return document.getElementById('consult').textContent.includes('相談中')",
        10,
    )
    .await;

    b.goto(&href).await;
    let section = b.text().await;
    assert!(
        section.contains("手数料") && section.contains("300円"),
        "{section}"
    );

    // Roles: a clerk gets no supervisor page.
    b.goto(&format!("{base}/supervisor")).await;
    assert!(b.text().await.contains("権限がありません"));
    b.goto(&format!("{base}/console/c1")).await;
    b.click("nav button").await; // ログアウト
    tokio::time::sleep(Duration::from_millis(500)).await;

    // The supervisor sees the counter live, masked, with the 相談 flag.
    b.login(&base, "sup1", password("sup1"), "/supervisor")
        .await;
    b.wait_for(
        "the counter's lines",
        "return document.querySelectorAll('.counter[data-counter=c1] .lines li').length >= 8",
        15,
    )
    .await;
    b.wait_for(
        "the 相談 flag",
        "return !document.querySelector('.counter[data-counter=c1] .flag').hidden",
        10,
    )
    .await;
    let html = b.html().await;
    for s in SECRETS {
        assert!(!html.contains(s), "the supervisor page shows {s:?}");
    }

    // Back at the counter (the console catches up with the live session).
    b.click("nav button").await; // ログアウト
    tokio::time::sleep(Duration::from_millis(500)).await;
    b.login(&base, "clerk1", password("clerk1"), "/console/c1")
        .await;
    b.wait_for(
        "the live session again",
        "return document.querySelectorAll('#transcript li').length >= 8",
        10,
    )
    .await;
    // 終了: the summary is shown (and stored).
    b.eval("window.confirm = () => true; return true").await;
    b.click("#end").await;
    b.wait_for(
        "the summary",
        "return document.getElementById('summary').open && document.getElementById('summary-body').textContent.includes('300円')",
        10,
    )
    .await;
    let html = b.html().await;
    for s in SECRETS {
        assert!(!html.contains(s), "the summary shows {s:?}");
    }

    b.quit().await;
}

/// `make demo`'s command: the demo login works and the played conversation
/// reaches the clerk's console (played fast here).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_shows_its_conversation_to_the_demo_clerk() {
    let dir = tempfile::tempdir().unwrap();
    let port = common::server::free_port();
    let mut demo = tokio::process::Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args(["demo", "--fast", "--data"])
        .arg(dir.path().join("data"))
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut err = demo.stderr.take().unwrap();
    let mut printed = String::new();
    let t = std::time::Instant::now();
    while !printed.contains("パスワード madoguchi-demo") {
        use tokio::io::AsyncReadExt;
        let mut buf = [0u8; 4096];
        let n = tokio::time::timeout(Duration::from_secs(120), err.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(
            n > 0 && t.elapsed() < Duration::from_secs(120),
            "the demo did not start: {printed}"
        );
        printed.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(
        printed.contains(&format!("http://localhost:{port}/")),
        "{printed}"
    );
    tokio::spawn(async move {
        while tokio::io::AsyncReadExt::read(&mut err, &mut [0u8; 4096])
            .await
            .unwrap_or(0)
            > 0
        {}
    });
    let base = format!("http://localhost:{port}");
    let b = Browser::start().await;
    b.login(&base, "madoguchi", "madoguchi-demo", "/console/demo-1")
        .await;
    b.wait_for(
        "the demo conversation",
        "return document.querySelectorAll('#transcript li').length >= 6 && document.querySelectorAll('.question .cites a').length > 0",
        180,
    )
    .await;
    let html = b.html().await;
    for s in SECRETS {
        assert!(!html.contains(s), "the demo page shows {s:?}");
    }
    b.quit().await;
    demo.kill().await.unwrap();
}
