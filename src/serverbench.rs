//! `madoguchi bench server`: many counters and consoles on one server.
//!
//! The real server (router, guard, counter tasks, agent, SQLite) runs in this
//! process on 127.0.0.1; simulated counter PCs send segments over real
//! websockets at a steady pace and simulated consoles (logged in, with the
//! server's Origin) receive them. Measured: the time from a segment leaving
//! its counter to its masked `segment` event reaching each console of that
//! counter, and whether every segment reached every console exactly once.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use futures_util::{SinkExt, StreamExt};
use madoguchi_console::auth::Role;
use madoguchi_console::config::{AccountConfig, CounterConfig};
use madoguchi_console::Config;
use madoguchi_knowledge::{ImportOptions, KnowledgeBase};
use serde::Serialize;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::bench::Rng;

pub struct Args {
    pub counters: usize,
    pub consoles_per_counter: usize,
    pub seconds: u64,
    pub interval_ms: u64,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub counters: usize,
    pub consoles: usize,
    pub seconds: u64,
    pub segments_sent: usize,
    pub deliveries_expected: usize,
    pub deliveries: usize,
    pub duplicates: usize,
    pub acked: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub peak_rss_mb: f64,
}

/// What simulated residents and clerks say: questions the manuals answer,
/// small talk, and personal details to mask.
const LINES: &[&str] = &[
    "住民票の写しを取りたいんですけど、いくらかかりますか。",
    "本人確認書類はお持ちですか。",
    "山田花子と申します。電話番号は090-1234-5678です。",
    "はい、分かりました。",
    "転入届は何日以内に出せばいいですか。",
    "こちらの申請書にご記入ください。",
    "印鑑登録をしたいんですけど、代理人でもできますか。",
    "住所は東京都葛飾区立石五丁目13番1号です。",
    "マイナンバーカードの暗証番号を忘れてしまいました。",
    "少々お待ちください。",
];

type Sent = Arc<Mutex<HashMap<(usize, u64), Instant>>>;
type Got = Arc<Mutex<Vec<((usize, u64), Instant)>>>;

pub fn run(scratch: &Path, a: &Args) -> Result<Report> {
    if scratch.exists() {
        std::fs::remove_dir_all(scratch)?;
    }
    let data = scratch.join("data");
    let src = scratch.join("manuals");
    crate::manuals::write_to(&src)?;
    let kb = crate::open_knowledge(&data)?;
    kb.import_dir(&src, &ImportOptions::default())?;
    let token = |i: usize| format!("bench-counter-token-{i:04}");
    let config = Config {
        listen: "127.0.0.1:0".into(),
        data: data.clone(),
        secure_cookies: false,
        counters: (0..a.counters)
            .map(|i| CounterConfig {
                id: format!("c{i}"),
                name: String::new(),
                department: "市民課".into(),
                token: token(i),
            })
            .collect(),
        accounts: vec![AccountConfig {
            name: "bench".into(),
            role: Role::Clerk,
            department: String::new(),
            counters: (0..a.counters).map(|i| format!("c{i}")).collect(),
            password_hash: None,
            password: Some("bench-password".into()),
        }],
        ..Config::default()
    };
    config.validate()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(drive(config, Arc::new(kb), a, token))
}

async fn drive(
    config: Config,
    kb: Arc<KnowledgeBase>,
    a: &Args,
    token: impl Fn(usize) -> String,
) -> Result<Report> {
    let listener = madoguchi_console::bind(&config).await?;
    let addr = listener.local_addr()?;
    let st = madoguchi_console::state(config, kb)?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(madoguchi_console::serve(st, listener, async {
        let _ = stop_rx.await;
    }));

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let r = client
        .post(format!("http://{addr}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("name=bench&password=bench-password")
        .send()
        .await?;
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|c| c.to_str().ok())
        .and_then(|c| c.split(';').next())
        .context("login failed")?
        .to_owned();

    let got: Got = Arc::default();
    let sent: Sent = Arc::default();
    let mut consoles = Vec::new();
    for c in 0..a.counters {
        for _ in 0..a.consoles_per_counter {
            let mut req = format!("ws://{addr}/ws/console/c{c}").into_client_request()?;
            req.headers_mut().insert("cookie", cookie.parse()?);
            req.headers_mut()
                .insert("origin", format!("http://{addr}").parse()?);
            let (mut ws, _) = tokio_tungstenite::connect_async(req).await?;
            let got = got.clone();
            consoles.push(tokio::spawn(async move {
                while let Some(Ok(m)) = ws.next().await {
                    if let Message::Text(t) = m {
                        let now = Instant::now();
                        if !t.contains(r#""event":"segment""#) {
                            continue;
                        }
                        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&t) {
                            if let Some(seq) = v["seq"].as_u64() {
                                got.lock().unwrap().push(((c, seq), now));
                            }
                        }
                    }
                }
            }));
        }
    }

    let acked = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut counters = Vec::new();
    let per_counter = a.seconds * 1000 / a.interval_ms.max(1);
    for c in 0..a.counters {
        let mut req = format!("ws://{addr}/ws/counter").into_client_request()?;
        req.headers_mut()
            .insert("authorization", format!("Bearer {}", token(c)).parse()?);
        let (ws, _) = tokio_tungstenite::connect_async(req).await?;
        let (sent, acked) = (sent.clone(), acked.clone());
        let interval = Duration::from_millis(a.interval_ms);
        // Counters start spread over one interval, as real desks would.
        let offset = interval.mul_f64(c as f64 / a.counters as f64);
        counters.push(tokio::spawn(async move {
            let (mut sink, mut stream) = ws.split();
            let reader = tokio::spawn(async move {
                while let Some(Ok(m)) = stream.next().await {
                    if let Message::Text(t) = m {
                        if t.starts_with(r#"{"ack""#) {
                            acked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                }
            });
            tokio::time::sleep(offset).await;
            let mut rng = Rng(c as u64 * 7919 + 1);
            let mut tick = tokio::time::interval(interval);
            for seq in 1..=per_counter {
                tick.tick().await;
                let text = *rng.pick(LINES);
                let speaker = if seq % 2 == 0 { "staff" } else { "resident" };
                let m = serde_json::json!({"counter": format!("c{c}"), "seq": seq, "speaker": speaker,
                    "start_ms": seq * 2000, "end_ms": seq * 2000 + 1500, "text": text});
                sent.lock().unwrap().insert((c, seq), Instant::now());
                if sink.send(Message::Text(m.to_string().into())).await.is_err() {
                    break;
                }
            }
            tokio::time::sleep(Duration::from_secs(5)).await;
            let _ = sink.close().await;
            reader.abort();
        }));
    }
    for c in counters {
        let _ = c.await;
    }
    for c in &consoles {
        c.abort();
    }
    let _ = stop_tx.send(());
    let _ = server.await;

    let sent = sent.lock().unwrap();
    let got = got.lock().unwrap();
    let mut seen: HashMap<(usize, u64), usize> = HashMap::new();
    let mut lat: Vec<f64> = Vec::with_capacity(got.len());
    for (k, at) in got.iter() {
        *seen.entry(*k).or_default() += 1;
        if let Some(t0) = sent.get(k) {
            lat.push(at.duration_since(*t0).as_secs_f64() * 1000.0);
        }
    }
    lat.sort_by(f64::total_cmp);
    let q = |p: f64| {
        lat.get(((lat.len() as f64 * p).ceil() as usize).saturating_sub(1))
            .copied()
            .unwrap_or(f64::NAN)
    };
    let duplicates = seen
        .values()
        .map(|n| n.saturating_sub(a.consoles_per_counter))
        .sum();
    Ok(Report {
        counters: a.counters,
        consoles: a.counters * a.consoles_per_counter,
        seconds: a.seconds,
        segments_sent: sent.len(),
        deliveries_expected: sent.len() * a.consoles_per_counter,
        deliveries: got.len(),
        duplicates,
        acked: acked.load(std::sync::atomic::Ordering::Relaxed),
        p50_ms: q(0.50),
        p99_ms: q(0.99),
        max_ms: lat.last().copied().unwrap_or(f64::NAN),
        peak_rss_mb: crate::bench::peak_rss_mb(),
    })
}
