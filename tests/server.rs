//! The server end to end, over real sockets against the real `madoguchi
//! serve` process: roles on every route, a conversation full of personal
//! data reaching the console masked (and nowhere unmasked: frames, pages,
//! database file, logs), hostile input, and a killed server.

use std::time::Duration;

use futures_util::SinkExt;
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

#[allow(dead_code)]
mod common;

use common::server::{frames_until, next_json, send_segment, Server, ACCOUNTS, COUNTER_TOKEN};

/// What the resident and the clerk say, and what must never come out.
const CONVERSATION: [(&str, &str); 5] = [
    (
        "resident",
        "山田花子と申します。引っ越してきたので転入届を出したいんですけど。",
    ),
    (
        "staff",
        "山田花子様ですね。新しいご住所は東京都葛飾区立石五丁目13番1号ですね。",
    ),
    (
        "resident",
        "はい。電話番号は090-1234-5678で、生年月日は昭和50年3月3日です。",
    ),
    ("resident", "マイナンバーは1234 5678 9018です。"),
    ("resident", "あと、住民票の写しの手数料はいくらですか。"),
];
const SECRETS: [&str; 9] = [
    "山田",
    "花子",
    "立石",
    "13番1号",
    "090-1234-5678",
    "1234-5678",
    "昭和50年3月3日",
    "9018",
    "鈴木",
];

/// `text` with every run of 32 hex digits or more (token hashes) taken
/// out: a random hash may hold a secret's digits (…bc1559018580b8f held
/// 9018 once), which is no leak.
fn without_hashes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    for c in text.chars() {
        if c.is_ascii_hexdigit() {
            run.push(c);
            continue;
        }
        if run.len() < 32 {
            out.push_str(&run);
        }
        run.clear();
        out.push(c);
    }
    if run.len() < 32 {
        out.push_str(&run);
    }
    out
}

#[test]
fn hashes_are_left_out_and_nothing_else() {
    let hash = "5030a8733494eb1e79458a64b48144641dab09270a7a44c79bc1559018580b8f";
    assert_eq!(without_hashes(&format!("x{hash}y")), "xy");
    assert_eq!(
        without_hashes("マイナンバーは1234 5678 9018です"),
        "マイナンバーは1234 5678 9018です"
    );
    assert_eq!(without_hashes("abc123"), "abc123");
}

fn assert_clean(what: &str, text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{what} carries {s:?}: {text}");
    }
}

async fn get(url: &str, cookie: Option<&str>) -> (u16, String) {
    let mut r = Server::client().get(url);
    if let Some(c) = cookie {
        r = r.header("cookie", c);
    }
    let r = r.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversation_full_of_names_reaches_the_console_masked_and_nothing_leaks() {
    let dir = tempfile::tempdir().unwrap();
    common::sample_knowledge(dir.path());
    let mut server = Server::start(dir.path());
    let clerk = server.login("clerk1").await;
    let sup = server.login("sup1").await;
    let mut console = server.console(&clerk, "/ws/console/c1").await;
    let first = next_json(&mut console).await;
    assert_eq!(first["event"], "state");
    assert_eq!(first["live"], false);
    let mut board = server.console(&sup, "/ws/supervisor").await;

    let mut counter = server.counter(COUNTER_TOKEN).await;
    let hello = next_json(&mut counter).await;
    assert!(
        hello["glossary"]
            .as_array()
            .is_some_and(|g| g.iter().any(|t| t == "住民票")),
        "the counter gets the glossary for whisper's prompt: {hello}"
    );
    assert_eq!(next_json(&mut counter).await["pause"], false);
    for (i, (who, text)) in CONVERSATION.iter().enumerate() {
        send_segment(&mut counter, "c1", 100 + i as u64, who, text).await;
    }
    // A resend after a reconnect is acknowledged, not shown twice.
    send_segment(&mut counter, "c1", 104, "resident", CONVERSATION[4].1).await;

    let frames = frames_until(&mut console, |v| {
        v["event"] == "draft" && v["draft"]["text"].as_str().unwrap_or("").contains("手数料")
    })
    .await;
    for f in &frames {
        assert_clean("a console frame", &f.to_string());
    }
    let segments: Vec<&Value> = frames.iter().filter(|f| f["event"] == "segment").collect();
    assert_eq!(segments.len(), 5, "each segment once: {frames:?}");
    assert_eq!(segments[0]["speaker"], "resident");
    assert!(segments[0]["text"]
        .as_str()
        .unwrap()
        .starts_with("［氏名1］と申します"));
    assert!(
        segments[1]["text"]
            .as_str()
            .unwrap()
            .contains("［氏名1］様"),
        "the same person keeps the same label: {}",
        segments[1]["text"]
    );
    let fee = frames.last().unwrap();
    assert_eq!(fee["draft"]["answered"], true);
    assert!(
        fee["draft"]["draft"].as_str().unwrap().contains("300円"),
        "{fee}"
    );
    let cites = fee["draft"]["citations"].as_array().unwrap();
    assert!(
        cites
            .iter()
            .any(|c| c["label"].as_str().unwrap().contains("手数料")),
        "{fee}"
    );
    let question_id = fee["id"].as_u64().unwrap();

    // The supervisor sees the same, masked, and sends a note with a name in it.
    let seen = frames_until(&mut board, |v| {
        v["frame"]["event"] == "draft" && v["frame"]["id"] == question_id
    })
    .await;
    assert!(seen.iter().all(|v| v["counter"] == "c1"));
    let shown = seen
        .iter()
        .filter(|v| v["frame"]["event"] == "segment")
        .count();
    assert_eq!(shown, 5, "each segment once on the board: {seen:?}");
    for f in &seen {
        assert_clean("a supervisor frame", &f.to_string());
    }
    let note = serde_json::json!({"action": "note", "counter": "c1", "text": "鈴木一郎さんの件は私が確認します"});
    board
        .send(Message::Text(note.to_string().into()))
        .await
        .unwrap();
    let got = frames_until(&mut console, |v| v["event"] == "note").await;
    let note = got.last().unwrap();
    assert_eq!(note["from"], "sup1");
    assert!(note["text"].as_str().unwrap().contains("［氏名"), "{note}");
    assert_clean("a note", &note.to_string());

    // 一時停止: the counter PC is told to stop recognizing, and whatever
    // still arrives is acknowledged but neither shown nor kept.
    let pause = serde_json::json!({"action": "pause", "paused": true});
    console
        .send(Message::Text(pause.to_string().into()))
        .await
        .unwrap();
    frames_until(&mut counter, |v| v["pause"] == true).await;
    frames_until(&mut console, |v| {
        v["event"] == "state" && v["paused"] == true
    })
    .await;
    send_segment(
        &mut counter,
        "c1",
        200,
        "resident",
        "鈴木一郎です。これは聞かれていません。",
    )
    .await;
    let resume = serde_json::json!({"action": "pause", "paused": false});
    console
        .send(Message::Text(resume.to_string().into()))
        .await
        .unwrap();
    frames_until(&mut counter, |v| v["pause"] == false).await;
    let got = frames_until(&mut console, |v| {
        v["event"] == "state" && v["paused"] == false
    })
    .await;
    assert!(got.iter().all(|v| v["event"] != "segment"), "{got:?}");

    // 相談, 違う, then 終了.
    for action in [
        serde_json::json!({"action": "consult", "on": true}),
        serde_json::json!({"action": "feedback", "id": question_id, "verdict": "wrong"}),
        serde_json::json!({"action": "end"}),
    ] {
        console
            .send(Message::Text(action.to_string().into()))
            .await
            .unwrap();
    }
    let got = frames_until(&mut console, |v| v["event"] == "summary").await;
    assert!(got
        .iter()
        .any(|v| v["event"] == "state" && v["consult"] == true));
    assert!(got
        .iter()
        .any(|v| v["event"] == "feedback" && v["verdict"] == "wrong"));
    let summary = got.last().unwrap();
    assert_clean("the summary", &summary.to_string());
    let id = summary["id"].as_i64().expect("the summary was stored");
    let requests = summary["summary"]["requests"].as_array().unwrap();
    assert!(requests
        .iter()
        .any(|r| r["answer"].as_str().unwrap().contains("300円")));

    // Review pages: the summary, the feedback, and who viewed it.
    let (status, list) = get(&server.url("/supervisor/sessions?counter=c1"), Some(&sup)).await;
    assert_eq!(status, 200);
    assert!(
        list.contains(&format!("/supervisor/sessions/{id}")),
        "{list}"
    );
    let (status, page) = get(
        &server.url(&format!("/supervisor/sessions/{id}")),
        Some(&sup),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        page.contains("転入届")
            && page.contains("300円")
            && page.contains("違う")
            && page.contains("sup1 view_session"),
        "{page}"
    );
    assert_clean("the review page", &page);
    let (_, quality) = get(&server.url("/supervisor/quality"), Some(&sup)).await;
    assert!(
        quality.contains("手数料"),
        "the wrong draft is in the quality view: {quality}"
    );
    assert_clean("the quality page", &quality);
    for (filter, shown) in [
        ("procedure=児童手当", false),
        ("procedure=03_idou", true),
        ("date=2001-01-01", false),
    ] {
        let (_, page) = get(
            &server.url(&format!("/supervisor/sessions?{filter}")),
            Some(&sup),
        )
        .await;
        assert_eq!(
            page.contains(&format!("/supervisor/sessions/{id}\"")),
            shown,
            "{filter}"
        );
    }

    let (_, metrics) = get(&server.url("/metrics"), None).await;
    for line in [
        "madoguchi_segments_in_total 5",
        "madoguchi_segments_duplicate_total 1",
        "madoguchi_sessions_stored_total 1",
    ] {
        assert!(metrics.contains(line), "{line} in {metrics}");
    }
    assert!(!metrics.contains("madoguchi_drafts_out_total 0"));

    drop((console, board, counter));
    server.stop();
    let db = server.database_bytes();
    assert!(!db.is_empty());
    let db = String::from_utf8_lossy(&db);
    assert!(
        db.contains("住民票の写しの手数料はいくらですか"),
        "the summary is stored"
    );
    assert_clean("the database file", &without_hashes(&db));
    let log = server.log_text();
    assert!(log.contains("session ended"), "{log}");
    assert_clean("the server log", &log);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_checks_its_role() {
    use madoguchi_console::app::{routes, Kind};
    use madoguchi_console::auth::{Access, Role};
    let dir = tempfile::tempdir().unwrap();
    common::sample_knowledge(dir.path());
    let server = Server::start(dir.path());
    let mut cookies = Vec::new();
    for (name, role, _) in ACCOUNTS {
        if name != "clerk2" {
            cookies.push((
                Some(Role::parse(role).unwrap()),
                Some(server.login(name).await),
            ));
        }
    }
    cookies.push((None, None));
    let mut table = routes();
    // Logging out ends the login the later rows use.
    table.sort_by_key(|r| r.path == "/logout");
    let client = Server::client();
    for spec in &table {
        let path = spec
            .path
            .replace("{counter}", "c1")
            .replace("{id}", "1")
            .replace("{which}", "synonyms");
        for (role, cookie) in &cookies {
            for token in [None, Some(COUNTER_TOKEN)] {
                let mut req = client.request(spec.method.clone(), server.url(&path));
                if let Some(c) = cookie {
                    let fresh;
                    let c = if spec.path == "/logout" {
                        // Each logout needs a login of its own.
                        let name = ACCOUNTS
                            .iter()
                            .find(|a| Some(Role::parse(a.1).unwrap()) == *role)
                            .unwrap()
                            .0;
                        fresh = server.login(name).await;
                        &fresh
                    } else {
                        c
                    };
                    req = req.header("cookie", c);
                }
                if let Some(t) = token {
                    req = req.header("authorization", format!("Bearer {t}"));
                }
                if spec.kind == Kind::Socket && spec.access != Access::Counter {
                    req = req.header("origin", format!("http://127.0.0.1:{}", server.port));
                }
                let r = req.send().await.unwrap();
                let status = r.status().as_u16();
                let location = r
                    .headers()
                    .get("location")
                    .map(|l| l.to_str().unwrap().to_owned())
                    .unwrap_or_default();
                let to_login = status == 303 && location.starts_with("/login?next=");
                let refused = matches!(status, 401 | 403) || to_login;
                let allowed = match spec.access {
                    Access::Public => true,
                    Access::Counter => token.is_some(),
                    Access::Staff(roles) => role.is_some_and(|r| roles.contains(&r)),
                };
                let who = format!(
                    "{} {} as {role:?} token={}",
                    spec.method,
                    spec.path,
                    token.is_some()
                );
                assert_eq!(!refused, allowed, "{who}: {status} {location}");
                if !allowed {
                    if let Access::Staff(_) = spec.access {
                        let expect = match (role, spec.kind) {
                            (Some(_), _) => 403,
                            (None, Kind::Page) if spec.method == "GET" => 303,
                            (None, _) => 401,
                        };
                        assert_eq!(status, expect, "{who}");
                    }
                }
            }
        }
    }
    // A clerk sees only the consoles of their own counters; a supervisor
    // only their department's.
    let clerk2 = server.login("clerk2").await;
    assert_eq!(get(&server.url("/console/c1"), Some(&clerk2)).await.0, 403);
    assert_eq!(get(&server.url("/console/c2"), Some(&clerk2)).await.0, 200);
    let sup = server.login("sup1").await;
    let (_, board) = get(&server.url("/supervisor"), Some(&sup)).await;
    assert!(board.contains("data-counter=\"c1\"") && !board.contains("data-counter=\"c2\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_input_gets_a_clear_error_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    common::sample_knowledge(dir.path());
    let server = Server::start(dir.path());
    let client = Server::client();

    // Wrong token: refused before the upgrade.
    let mut req = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
        server.ws_url("/ws/counter"),
    )
    .unwrap();
    req.headers_mut()
        .insert("authorization", "Bearer not-a-token".parse().unwrap());
    let e = tokio_tungstenite::connect_async(req).await.unwrap_err();
    assert!(e.to_string().contains("401"), "{e}");

    // Malformed, binary, someone else's counter, oversized: each refused
    // with a reason; the connection (or the next one) carries on.
    let mut counter = server.counter(COUNTER_TOKEN).await;
    next_json(&mut counter).await;
    next_json(&mut counter).await;
    for (frame, reason) in [
        (Message::Text("{not json".into()), "malformed"),
        (
            Message::Text(r#"{"counter":"c1","seq":1}"#.into()),
            "malformed",
        ),
        (Message::Binary(vec![0u8; 64].into()), "binary"),
        (
            Message::Text(
                r#"{"counter":"c2","seq":5,"speaker":"staff","start_ms":0,"end_ms":1,"text":"x"}"#
                    .into(),
            ),
            "another counter",
        ),
    ] {
        counter.send(frame).await.unwrap();
        let v = next_json(&mut counter).await;
        assert!(v["error"].as_str().unwrap().contains(reason), "{v}");
    }
    send_segment(
        &mut counter,
        "c1",
        1,
        "resident",
        "住民票の写しがほしいんですけど。",
    )
    .await;
    let huge = format!(
        r#"{{"counter":"c1","seq":2,"speaker":"staff","start_ms":0,"end_ms":1,"text":"{}"}}"#,
        "あ".repeat(100_000)
    );
    let _ = counter.send(Message::Text(huge.into())).await;
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match futures_util::StreamExt::next(&mut counter).await {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "an oversized frame closes the connection");
    let mut counter = server.counter(COUNTER_TOKEN).await;
    next_json(&mut counter).await;
    next_json(&mut counter).await;
    send_segment(&mut counter, "c1", 3, "resident", "手数料はいくらですか。").await;

    // Consoles: a foreign Origin is refused; nonsense actions are answered.
    let clerk = server.login("clerk1").await;
    let mut req = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
        server.ws_url("/ws/console/c1"),
    )
    .unwrap();
    req.headers_mut().insert("cookie", clerk.parse().unwrap());
    req.headers_mut()
        .insert("origin", "http://evil.example".parse().unwrap());
    let e = tokio_tungstenite::connect_async(req).await.unwrap_err();
    assert!(e.to_string().contains("403"), "{e}");
    let mut console = server.console(&clerk, "/ws/console/c1").await;
    console
        .send(Message::Text(r#"{"action":"delete_everything"}"#.into()))
        .await
        .unwrap();
    let got = frames_until(&mut console, |v| v["event"] == "error").await;
    assert!(got.last().unwrap()["message"]
        .as_str()
        .unwrap()
        .contains("操作"));
    assert!(
        got.iter().filter(|v| v["event"] == "segment").count() == 2,
        "the session lost nothing: {got:?}"
    );

    // Pages: path tricks, open redirects, bad logins, unknown routes.
    let (status, body) = get(
        &server.url("/manual?document=../../../../etc/passwd&version=1"),
        Some(&clerk),
    )
    .await;
    assert_eq!(status, 404);
    assert!(!body.contains("root:") && body.contains("その文書または版はありません"));
    let (status, _) = get(&server.url("/console/..%2F..%2Fetc%2Fpasswd"), Some(&clerk)).await;
    assert_eq!(status, 404);
    let r = client
        .post(server.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("name=clerk1&password=clerk1-password&next=//evil.example/")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/console");
    let r = client
        .post(server.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("name=clerk1&password=wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("ユーザー名またはパスワードが違います"));
    // Guessing a password: after five failures that account waits, even
    // with the right password.
    for _ in 0..5 {
        let (status, _, _) = post_form(&server, "", "/login", "name=editor1&password=guess").await;
        assert_eq!(status, 401);
    }
    let (status, _, body) = post_form(
        &server,
        "",
        "/login",
        "name=editor1&password=editor1-password",
    )
    .await;
    assert_eq!(status, 429);
    assert!(body.contains("しばらく受け付けません"), "{body}");
    let (status, body) = get(&server.url("/no/such/page"), None).await;
    assert_eq!(status, 404);
    assert!(body.contains("ページが見つかりません"));
    let admin = server.login("admin1").await;
    let r = client
        .post(server.url("/admin/accounts"))
        .header("cookie", &admin)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("name=../x&role=clerk&password=longenough")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("ユーザー名は"));

    let (_, metrics) = get(&server.url("/metrics"), None).await;
    assert!(
        metrics.contains("madoguchi_segments_in_total 2"),
        "{metrics}"
    );
    assert!(
        !metrics.contains("madoguchi_frames_rejected_total 0"),
        "{metrics}"
    );
    assert_eq!(get(&server.url("/healthz"), None).await.0, 200);
    assert!(!server.log_text().contains("panicked"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_keeps_completed_summaries_and_counters_carry_on() {
    let dir = tempfile::tempdir().unwrap();
    common::sample_knowledge(dir.path());
    let mut server = Server::start(dir.path());
    let clerk = server.login("clerk1").await;
    let mut console = server.console(&clerk, "/ws/console/c1").await;
    let mut counter = server.counter(COUNTER_TOKEN).await;
    send_segment(
        &mut counter,
        "c1",
        10,
        "resident",
        "住民票の写しの手数料はいくらですか。",
    )
    .await;
    console
        .send(Message::Text(r#"{"action":"end"}"#.into()))
        .await
        .unwrap();
    let got = frames_until(&mut console, |v| v["event"] == "summary").await;
    let id = got.last().unwrap()["id"].as_i64().expect("stored");
    // A second session is under way when the server dies.
    send_segment(
        &mut counter,
        "c1",
        11,
        "resident",
        "印鑑登録をしたいんですけど。",
    )
    .await;
    server.kill();
    server.restart();

    // The login and the completed summary survived.
    let (status, page) = get(
        &server.url(&format!("/supervisor/sessions/{id}")),
        Some(&server.login("sup1").await),
    )
    .await;
    assert_eq!(status, 200);
    assert!(page.contains("300円"), "{page}");
    let (status, _) = get(&server.url("/console/c1"), Some(&clerk)).await;
    assert_eq!(status, 200, "the clerk's login survives a restart");

    // The counter PC reconnects and carries on: the real capture process,
    // playing a conversation while the server is killed and restarted.
    let capture = std::process::Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args([
            "capture",
            "--server",
            &server.ws_url(""),
            "--counter",
            "c1",
            "--threads",
            "1",
        ])
        .args([
            "--input",
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/speech/counter_stereo_16k.wav"
            ),
        ])
        .env("MADOGUCHI_COUNTER_TOKEN", COUNTER_TOKEN)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_secs(8)).await;
    server.kill();
    tokio::time::sleep(Duration::from_secs(3)).await;
    server.restart();
    let out = tokio::task::spawn_blocking(move || capture.wait_with_output().unwrap())
        .await
        .unwrap();
    let report =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{report}");
    assert!(
        report.contains("acknowledged 6"),
        "all six segments arrived: {report}"
    );
}

/// A chat-completions server: a streamed, cited answer when the question is
/// about fees, HTTP 500 for any other question. Keeps every request body.
async fn llm_server(seen: std::sync::Arc<std::sync::Mutex<Vec<String>>>) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut tmp = [0u8; 8192];
                loop {
                    let n = sock.read(&mut tmp).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&tmp[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    let Some(p) = text.find("\r\n\r\n") else {
                        continue;
                    };
                    let len = text[..p]
                        .to_lowercase()
                        .lines()
                        .find_map(|l| {
                            l.strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if buf.len() >= p + 4 + len {
                        break;
                    }
                }
                let request = String::from_utf8_lossy(&buf).to_string();
                seen.lock().unwrap().push(request.clone());
                let question = request
                    .rsplit("<question>")
                    .next()
                    .and_then(|q| q.split("</question>").next())
                    .unwrap_or("");
                if !question.contains("手数料") {
                    let _ = sock.write_all(b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").await;
                    return;
                }
                let _ = sock
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n")
                    .await;
                for piece in [
                    "住民票の写しの手数料は",
                    "1通300円です。[1]",
                    "ご不明な点はお尋ねください。",
                ] {
                    let chunk = serde_json::json!({"choices": [{"delta": {"content": piece}}]});
                    let _ = sock
                        .write_all(format!("data: {chunk}\n\n").as_bytes())
                        .await;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                let _ = sock.write_all(b"data: [DONE]\n\n").await;
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn llm_drafts_stream_to_the_console_and_the_llm_sees_only_masked_text() {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let port = llm_server(seen.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    common::sample_knowledge(dir.path());
    let server = Server::start_with(
        dir.path(),
        &format!(
            "[llm]\nurl = \"http://127.0.0.1:{port}/v1\"\nmodel = \"test\"\ndeadline_ms = 1500"
        ),
    );
    let clerk = server.login("clerk1").await;
    let mut console = server.console(&clerk, "/ws/console/c1").await;
    let mut counter = server.counter(COUNTER_TOKEN).await;
    for (i, (who, text)) in CONVERSATION.iter().enumerate() {
        send_segment(&mut counter, "c1", 1 + i as u64, who, text).await;
    }
    let frames = frames_until(&mut console, |v| v["event"] == "llm_draft").await;
    let tokens: String = frames
        .iter()
        .filter(|v| v["event"] == "draft_token")
        .map(|v| v["token"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        tokens.contains("1通300円です。[1]"),
        "tokens stream to the console: {tokens}"
    );
    let done = frames.last().unwrap();
    assert_eq!(
        done["draft"]["draft"], "住民票の写しの手数料は1通300円です。[1]",
        "uncited sentences dropped: {done}"
    );
    assert!(!done["draft"]["citations"].as_array().unwrap().is_empty());
    // The 転入届 question's LLM call failed: counted, and its extractive
    // draft stood (it was sent before the LLM was asked).
    let t = std::time::Instant::now();
    loop {
        let (_, metrics) = get(&server.url("/metrics"), None).await;
        if metrics.contains("madoguchi_llm_failures_total 1") {
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(5), "{metrics}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let requests = seen.lock().unwrap().clone();
    assert!(requests.len() >= 2, "{requests:?}");
    for r in &requests {
        assert_clean("a request to the LLM", r);
    }
}

async fn post_form(server: &Server, cookie: &str, path: &str, body: &str) -> (u16, String, String) {
    let r = Server::client()
        .post(server.url(path))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, location, r.text().await.unwrap())
}

fn form_escape(s: &str) -> String {
    madoguchi_console::pages::q(s)
}

/// Asks the counter the dog-registration question: the new manual must not answer.
async fn not_yet(
    counter: &mut common::server::Ws,
    console: &mut common::server::Ws,
    seq: u64,
    why: &str,
) {
    let got = answer_of(counter, console, seq, "犬の登録の手数料はいくらですか。").await;
    assert_ne!(got.as_deref(), Some("99_inu.md"), "{why}");
}

/// Asks the live counter a question; the first cited document if answered.
async fn answer_of(
    counter: &mut common::server::Ws,
    console: &mut common::server::Ws,
    seq: u64,
    q: &str,
) -> Option<String> {
    send_segment(counter, "c1", seq, "resident", q).await;
    let got = frames_until(console, |v| {
        v["event"] == "draft"
            && v["draft"]["text"]
                .as_str()
                .is_some_and(|t| q.contains(t) || t.contains("犬"))
    })
    .await;
    let d = &got.last().unwrap()["draft"];
    (d["answered"] == true).then(|| d["citations"][0]["document"].as_str().unwrap().to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_editor_previews_tries_publishes_and_withdraws_a_manual() {
    let dir = tempfile::tempdir().unwrap();
    common::sample_knowledge(dir.path());
    let server = Server::start(dir.path());
    let editor = server.login("editor1").await;
    let clerk = server.login("clerk1").await;
    let mut console = server.console(&clerk, "/ws/console/c1").await;
    let mut counter = server.counter(COUNTER_TOKEN).await;
    next_json(&mut counter).await; // glossary
    next_json(&mut counter).await; // pause state
    let question = "犬の登録の手数料はいくらですか。";
    not_yet(&mut counter, &mut console, 1, "no manual yet").await;

    let manual = "# 犬の登録\n\n## 1 手数料\n\n犬の登録手数料は1頭3000円です。\n\n## 2 期限\n\n飼い始めてから30日以内に登録してください。\n";
    // Path tricks and formats that are not editable here.
    for name in ["../../etc/passwd.md", ".hidden.md", "a/b.md", "x.pdf"] {
        let (status, _, body) = post_form(
            &server,
            &editor,
            "/editor/preview",
            &format!("name={}&content={}", form_escape(name), form_escape(manual)),
        )
        .await;
        assert_eq!(status, 400, "{name}");
        assert!(
            body.contains("ファイル名") || body.contains(".md .txt .html"),
            "{name}: {body}"
        );
    }
    let (status, location, _) = post_form(
        &server,
        &editor,
        "/editor/preview",
        &format!("name=99_inu.md&content={}", form_escape(manual)),
    )
    .await;
    assert_eq!(status, 303);
    assert!(location.starts_with("/editor/drafts/"), "{location}");
    let (status, preview) = get(&server.url(&location), Some(&editor)).await;
    assert_eq!(status, 200);
    assert!(
        preview.contains(">1 手数料<")
            && preview.contains(">2 期限<")
            && preview.contains("30日以内"),
        "{preview}"
    );
    let (_, tried) = get(
        &server.url(&format!(
            "{location}?q={}",
            form_escape("登録の手数料はいくら")
        )),
        Some(&editor),
    )
    .await;
    assert!(
        tried.contains("3000円"),
        "the question finds the section in the draft: {tried}"
    );
    not_yet(&mut counter, &mut console, 2, "a draft is not published").await;

    // Published on a future date: registered, not yet in search.
    let (status, _, page) = post_form(
        &server,
        &editor,
        &format!("{location}/publish"),
        "effective=2099-04-01",
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        page.contains("2099-04-01 から") && page.contains("施行待ち"),
        "{page}"
    );
    not_yet(&mut counter, &mut console, 3, "not before its date").await;

    // A revision published now: the very next question sees it, and the
    // counters get the new glossary.
    let revised = manual.replace("3000円", "2800円");
    let (_, location, _) = post_form(
        &server,
        &editor,
        "/editor/preview",
        &format!("name=99_inu.md&content={}", form_escape(&revised)),
    )
    .await;
    let (status, _, page) = post_form(
        &server,
        &editor,
        &format!("{location}/publish"),
        "effective=",
    )
    .await;
    assert_eq!(status, 200);
    assert!(page.contains("公開しました"), "{page}");
    frames_until(&mut counter, |v| v.get("glossary").is_some()).await;
    assert_eq!(
        answer_of(&mut counter, &mut console, 4, question)
            .await
            .as_deref(),
        Some("99_inu.md")
    );

    // 編集 gives the newest version's text to revise.
    let (status, page) = get(
        &server.url("/editor/edit?document=99_inu.md"),
        Some(&editor),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        page.contains("# 犬の登録") && page.contains("## 1 手数料") && page.contains("2800円"),
        "{page}"
    );

    // Withdrawn: out of search at once.
    let (status, _, page) =
        post_form(&server, &editor, "/editor/withdraw", "document=99_inu.md").await;
    assert_eq!(status, 200);
    assert!(page.contains("取り下げました"), "{page}");
    not_yet(&mut counter, &mut console, 5, "withdrawn").await;

    // The synonym file: a bad line is shown with its number and nothing is
    // saved; a good file is saved.
    let (_, before) = get(&server.url("/editor/maps/synonyms"), Some(&editor)).await;
    let (status, _, page) = post_form(
        &server,
        &editor,
        "/editor/maps/synonyms",
        "content=%E4%BD%8F%E6%B0%91%E7%A5%A8%0A,,,%0A",
    )
    .await;
    assert_eq!(status, 400);
    assert!(page.contains("行目"), "{page}");
    let (_, after) = get(&server.url("/editor/maps/synonyms"), Some(&editor)).await;
    assert_eq!(before, after, "nothing saved");
    let (status, _, page) = post_form(
        &server,
        &editor,
        "/editor/maps/related",
        &format!("content={}", form_escape("犬の登録 => 狂犬病予防注射\n")),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("保存しました"));
    // Clerks cannot edit.
    let (status, _, _) = post_form(
        &server,
        &clerk,
        "/editor/withdraw",
        "document=01_juminhyo.md",
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_adds_a_counter_and_sets_the_retention_period() {
    let dir = tempfile::tempdir().unwrap();
    common::sample_knowledge(dir.path());
    let mut server = Server::start(dir.path());
    let admin = server.login("admin1").await;
    let (status, _, page) = post_form(
        &server,
        &admin,
        "/admin/counters",
        "id=c9&name=%E6%88%B8%E7%B1%8D&department=%E5%B8%82%E6%B0%91%E8%AA%B2",
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let token: String = page
        .split("表示されません）: ")
        .nth(1)
        .expect("the new token is shown once")
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    assert_eq!(token.len(), 64);
    let (status, _, _) = post_form(&server, &admin, "/admin/counters", "id=c9").await;
    assert_eq!(status, 400, "an id in use is refused");
    let (status, _, _) = post_form(&server, &admin, "/admin/counters", "id=..%2Fc").await;
    assert_eq!(status, 400);

    // The new counter works at once, and after a restart.
    for round in 0..2 {
        let mut counter = server.counter(&token).await;
        next_json(&mut counter).await;
        next_json(&mut counter).await;
        send_segment(
            &mut counter,
            "c9",
            1 + round,
            "resident",
            "住民票の写しがほしいんですけど。",
        )
        .await;
        let stats = serde_json::json!({"counter": "c9", "dropped_audio_frames": 7});
        counter
            .send(Message::Text(stats.to_string().into()))
            .await
            .unwrap();
        let t = std::time::Instant::now();
        loop {
            let (_, metrics) = get(&server.url("/metrics"), None).await;
            if metrics.contains("madoguchi_dropped_audio_frames_total 7") {
                break;
            }
            assert!(
                t.elapsed() < Duration::from_secs(5),
                "dropped audio reaches /metrics: {metrics}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let (_, board) = get(
            &server.url("/supervisor"),
            Some(&server.login("sup1").await),
        )
        .await;
        assert!(
            board.contains("data-counter=\"c9\""),
            "the department's supervisor sees it"
        );
        if round == 0 {
            server.kill();
            server.restart();
        }
    }

    let admin = server.login("admin1").await;
    let (status, _, page) = post_form(&server, &admin, "/admin/retention", "days=0").await;
    assert_eq!(status, 400);
    assert!(page.contains("1〜3650"), "{page}");
    let (status, _, page) = post_form(&server, &admin, "/admin/retention", "days=30").await;
    assert_eq!(status, 200);
    assert!(page.contains("30 日で削除されます"), "{page}");
    let (status, _, page) = post_form(&server, &admin, "/admin/purge", "").await;
    assert_eq!(status, 200);
    assert!(page.contains("保存期間（30日）"), "{page}");
}
