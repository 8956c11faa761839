//! `madoguchi serve` and `madoguchi demo`: the server with its knowledge
//! base, and the one-command demo (server, sample manuals, a counter
//! conversation played through capture).

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use madoguchi_console::config::{AccountConfig, CounterConfig};
use madoguchi_console::hub::Cmd;
use madoguchi_console::{auth::Role, Config};
use madoguchi_knowledge::ImportOptions;

use crate::{manuals, open_knowledge};

/// The bundled two-speaker counter conversation (stereo: clerk left,
/// resident right), synthesized by scripts/make_speech_fixtures.py.
pub const DEMO_CONVERSATION: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/speech/demo_conversation.wav"
);

/// Resolves when the process is asked to stop (Ctrl-C or SIGTERM).
pub async fn stop_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

/// `madoguchi serve [--config FILE]`.
pub fn serve(config: Option<&Path>) -> Result<()> {
    let config = Config::load(config)?;
    let kb = Arc::new(
        open_knowledge(&config.data)
            .with_context(|| format!("ナレッジベース {} を開けません", config.data.display()))?,
    );
    runtime()?.block_on(async move {
        let listener = madoguchi_console::bind(&config).await?;
        let addr = listener.local_addr()?;
        let st = madoguchi_console::state(config, kb)?;
        tracing::info!(%addr, counters = st.hub.counters().len(), "serving");
        eprintln!("madoguchi server: http://{addr}/ (Ctrl-C to stop)");
        madoguchi_console::serve(st, listener, stop_signal()).await?;
        eprintln!("stopped: live sessions' summaries stored");
        Ok(())
    })
}

/// Demo accounts: (name, role, password). Printed by `make demo`.
pub const DEMO_ACCOUNTS: [(&str, Role, &str); 4] = [
    ("madoguchi", Role::Clerk, "madoguchi-demo"),
    ("kantoku", Role::Supervisor, "kantoku-demo"),
    ("henshu", Role::Editor, "henshu-demo"),
    ("kanri", Role::Admin, "kanri-demo"),
];

/// The demo's configuration: one counter, the demo accounts, data in `data`.
pub fn demo_config(data: &Path, listen: &str, token: &str) -> Config {
    Config {
        listen: listen.into(),
        data: data.into(),
        counters: vec![CounterConfig {
            id: "demo-1".into(),
            name: "住民票 1番窓口".into(),
            department: "市民課".into(),
            token: token.into(),
        }],
        accounts: DEMO_ACCOUNTS
            .iter()
            .map(|(name, role, password)| AccountConfig {
                name: (*name).into(),
                role: *role,
                department: "市民課".into(),
                counters: if *role == Role::Clerk {
                    vec!["demo-1".into()]
                } else {
                    vec![]
                },
                password_hash: madoguchi_console::auth::hash_password(password).ok(),
                password: None,
            })
            .collect(),
        ..Config::default()
    }
}

/// Options of `madoguchi demo`.
pub struct DemoArgs {
    pub data: PathBuf,
    pub listen: String,
    /// `None`: the bundled conversation, replayed whenever a console is open;
    /// `Some("mic")`: the microphone.
    pub input: Option<String>,
    pub model: Option<PathBuf>,
    /// Play the conversation as fast as possible instead of in real time.
    pub fast: bool,
}

/// `madoguchi demo`: imports the sample manuals, starts the server and
/// plays the bundled conversation through capture whenever a clerk's
/// console is open.
pub fn demo(a: DemoArgs) -> Result<()> {
    let src = a.data.join("sample-manuals");
    manuals::write_to(&src)?;
    let kb = open_knowledge(&a.data)?;
    let r = kb.import_dir(&src, &ImportOptions::default())?;
    eprintln!(
        "サンプルマニュアル: 文書 {} 件（変更なし {} 件）、チャンク {}",
        r.documents, r.unchanged, r.chunks
    );
    let token = madoguchi_console::auth::new_token();
    let mut config = demo_config(&a.data, &a.listen, &token);
    config.apply_env(|k| std::env::var(k).ok())?;
    config.validate()?;
    let kb = Arc::new(kb);
    let exe = std::env::current_exe()?;
    runtime()?.block_on(async move {
        let listener = madoguchi_console::bind(&config).await?;
        let addr = listener.local_addr()?;
        let st = madoguchi_console::state(config, kb)?;
        let url = format!("http://localhost:{}", addr.port());
        eprintln!("\n== madoguchi デモ ==");
        eprintln!("ブラウザで開いてください: {url}/");
        for (name, role, pw) in DEMO_ACCOUNTS {
            eprintln!("  {}: ユーザー名 {name} / パスワード {pw}", role.japanese());
        }
        let capture = move |input: &str| -> std::io::Result<tokio::process::Child> {
            let mut c = tokio::process::Command::new(&exe);
            c.args([
                "capture",
                "--server",
                &format!("ws://127.0.0.1:{}/ws/counter", addr.port()),
            ])
            .args(["--counter", "demo-1", "--input", input])
            .env("MADOGUCHI_COUNTER_TOKEN", &token);
            if let Some(m) = &a.model {
                c.arg("--model").arg(m);
            }
            if a.fast && input != "mic" {
                c.arg("--fast");
            }
            c.kill_on_drop(true).spawn()
        };
        let player = {
            let st = st.clone();
            let input = a.input.clone();
            tokio::spawn(async move {
                if input.as_deref() == Some("mic") {
                    eprintln!("マイクの音声を窓口 demo-1 に送ります。");
                    match capture("mic") {
                        Ok(mut child) => {
                            let _ = child.wait().await;
                        }
                        Err(e) => eprintln!("capture を起動できません: {e}"),
                    }
                    return;
                }
                let wav = input.unwrap_or_else(|| DEMO_CONVERSATION.into());
                eprintln!("窓口職員としてログインすると、会話（{wav}）が実時間で流れます。");
                loop {
                    while st.metrics.consoles_connected.load(Ordering::Relaxed) == 0 {
                        tokio::time::sleep(Duration::from_millis(500)).await;
                    }
                    tokio::time::sleep(Duration::from_secs(2)).await;
                    let child = match capture(&wav) {
                        Ok(c) => c,
                        Err(e) => {
                            eprintln!("capture を起動できません: {e}");
                            return;
                        }
                    };
                    let mut child = child;
                    let _ = child.wait().await;
                    // Leave the drafts on screen, then end the session so
                    // its summary is shown and stored; play again later.
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    if let Some(c) = st.hub.counter("demo-1") {
                        let _ =
                            c.tx.send(Cmd::End {
                                account: "demo".into(),
                            })
                            .await;
                    }
                    tokio::time::sleep(Duration::from_secs(15)).await;
                }
            })
        };
        madoguchi_console::serve(st, listener, stop_signal()).await?;
        player.abort();
        Ok(())
    })
}
