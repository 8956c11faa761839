//! A real `madoguchi serve` process for the end-to-end tests: its own data
//! folder, config, database and log file, on a free port.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

pub const COUNTER_TOKEN: &str = "counter-token-c1-0123456789";
pub const OTHER_TOKEN: &str = "counter-token-c2-0123456789";

/// Accounts of the test config: (name, role, password).
pub const ACCOUNTS: [(&str, &str, &str); 5] = [
    ("clerk1", "clerk", "clerk1-password"),
    ("clerk2", "clerk", "clerk2-password"),
    ("sup1", "supervisor", "sup1-password"),
    ("editor1", "editor", "editor1-password"),
    ("admin1", "admin", "admin1-password"),
];

pub struct Server {
    pub dir: PathBuf,
    pub port: u16,
    child: Option<Child>,
    pub log: PathBuf,
}

/// A port nobody listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    /// Writes the config under `dir` (whose `data` holds the manuals) and
    /// starts the server.
    pub fn start(dir: &Path) -> Server {
        Self::start_with(dir, "")
    }

    /// As [`Server::start`], with more config (after the top-level keys).
    pub fn start_with(dir: &Path, extra: &str) -> Server {
        let port = free_port();
        let config = format!(
            r#"listen = "127.0.0.1:{port}"
data = "{data}"
secure_cookies = false
idle_minutes = 60
{extra}
[[counters]]
id = "c1"
name = "住民票 1番窓口"
department = "市民課"
token = "{COUNTER_TOKEN}"
[[counters]]
id = "c2"
name = "税 2番窓口"
department = "税務課"
token = "{OTHER_TOKEN}"
{accounts}"#,
            data = dir.join("data").display(),
            accounts = ACCOUNTS
                .iter()
                .map(|(n, r, p)| format!(
                    "[[accounts]]\nname = \"{n}\"\nrole = \"{r}\"\ndepartment = \"{}\"\ncounters = {}\npassword = \"{p}\"\n",
                    if *n == "sup1" { "市民課" } else { "" },
                    match *n { "clerk1" => "[\"c1\"]", "clerk2" => "[\"c2\"]", _ => "[]" },
                ))
                .collect::<String>()
        );
        std::fs::write(dir.join("madoguchi.toml"), config).unwrap();
        let mut s = Server {
            dir: dir.to_owned(),
            port,
            child: None,
            log: dir.join("server.log"),
        };
        s.restart();
        s
    }

    /// (Re)starts the process on the same port, config and database.
    pub fn restart(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
            .args(["serve", "--config"])
            .arg(self.dir.join("madoguchi.toml"))
            .env("MADOGUCHI_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
        let t = Instant::now();
        loop {
            if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", self.port)) {
                use std::io::Write;
                let _ = s.write_all(b"GET /healthz HTTP/1.0\r\n\r\n");
                let mut r = String::new();
                let _ = s.read_to_string(&mut r);
                if r.contains("200 OK") {
                    return;
                }
            }
            let exited = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten());
            assert!(
                exited.is_none() && t.elapsed() < Duration::from_secs(60),
                "server did not start: {}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Kills the process at once (no graceful stop).
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Asks the process to stop (SIGTERM) and waits.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill").arg(c.id().to_string()).status();
            let _ = c.wait();
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn ws_url(&self, path: &str) -> String {
        format!("ws://127.0.0.1:{}{path}", self.port)
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Every byte the store holds: the database and its journal files.
    pub fn database_bytes(&self) -> Vec<u8> {
        let mut all = Vec::new();
        for suffix in ["", "-wal", "-journal", "-shm"] {
            let p = self.dir.join(format!("data/madoguchi.sqlite3{suffix}"));
            if let Ok(b) = std::fs::read(p) {
                all.extend(b);
            }
        }
        all
    }

    pub fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// Logs in; returns the `Cookie` header value.
    pub async fn login(&self, name: &str) -> String {
        let password = ACCOUNTS.iter().find(|a| a.0 == name).unwrap().2;
        let r = Self::client()
            .post(self.url("/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("name={name}&password={password}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "login of {name}");
        let c = r.headers()["set-cookie"].to_str().unwrap();
        c.split(';').next().unwrap().to_owned()
    }

    /// A console's websocket with the login cookie and this server's Origin.
    pub async fn console(&self, cookie: &str, path: &str) -> Ws {
        let mut req = self.ws_url(path).into_client_request().unwrap();
        req.headers_mut().insert("cookie", cookie.parse().unwrap());
        req.headers_mut().insert(
            "origin",
            format!("http://127.0.0.1:{}", self.port).parse().unwrap(),
        );
        let (ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
        ws
    }

    /// A counter PC's websocket.
    pub async fn counter(&self, token: &str) -> Ws {
        let mut req = self.ws_url("/ws/counter").into_client_request().unwrap();
        req.headers_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
        let (ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
        ws
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Sends a segment as a counter PC would and waits for its ack.
pub async fn send_segment(ws: &mut Ws, counter: &str, seq: u64, speaker: &str, text: &str) {
    let m = serde_json::json!({"counter": counter, "seq": seq, "speaker": speaker,
        "start_ms": seq * 1000, "end_ms": seq * 1000 + 900, "text": text});
    ws.send(Message::Text(m.to_string().into())).await.unwrap();
    loop {
        let v = next_json(ws).await;
        if v["ack"].as_u64() == Some(seq) {
            return;
        }
        assert!(v.get("error").is_none(), "segment {seq} refused: {v}");
    }
}

/// The next text frame as JSON (10 s at most).
pub async fn next_json(ws: &mut Ws) -> serde_json::Value {
    loop {
        let m = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("a frame within 10 s")
            .expect("socket open")
            .expect("no socket error");
        if let Message::Text(t) = m {
            return serde_json::from_str(&t).unwrap();
        }
    }
}

/// Reads frames until one satisfies `want`; returns all read (with it).
pub async fn frames_until(
    ws: &mut Ws,
    want: impl Fn(&serde_json::Value) -> bool,
) -> Vec<serde_json::Value> {
    let mut seen = Vec::new();
    loop {
        let v = next_json(ws).await;
        let done = want(&v);
        seen.push(v);
        if done {
            return seen;
        }
    }
}
