//! The server's configuration: one TOML file, environment overrides under
//! `MADOGUCHI_`, and defaults that start with no file at all.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::auth::Role;

/// Everything `madoguchi serve` needs. Parsed once, validated at start-up,
/// passed explicitly.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address to listen on.
    pub listen: String,
    /// The knowledge base's folder (manuals, index, synonyms, related map).
    pub data: PathBuf,
    /// The session store; relative paths are under `data`.
    pub database: PathBuf,
    /// Days a session summary, its feedback and audit records are kept.
    pub retention_days: u32,
    /// A live session nobody speaks in for this long ends by itself and its
    /// summary is stored.
    pub idle_minutes: u64,
    /// Hours a login lasts.
    pub login_hours: u64,
    /// Cookies carry `Secure` (browsers honour it on http://localhost too).
    pub secure_cookies: bool,
    /// Origins allowed to open websockets besides the server's own host.
    pub allowed_origins: Vec<String>,
    pub counters: Vec<CounterConfig>,
    pub accounts: Vec<AccountConfig>,
    pub llm: Option<LlmConfig>,
}

/// A counter PC and the desk it serves.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CounterConfig {
    pub id: String,
    /// Shown on pages, e.g. 「住民票 1番窓口」.
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub department: String,
    /// The counter PC's bearer token.
    pub token: String,
}

/// An account created at start-up when it does not exist yet (later
/// changes are made on the admin page and kept in the database).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
    pub name: String,
    pub role: Role,
    #[serde(default)]
    pub department: String,
    /// Counters a clerk may sign in to.
    #[serde(default)]
    pub counters: Vec<String>,
    /// An argon2 PHC string (`madoguchi hash-password`), or
    pub password_hash: Option<String>,
    /// a plain password (for demos; a warning is logged).
    pub password: Option<String>,
}

/// Optional LLM drafting.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LlmConfig {
    pub url: String,
    #[serde(default)]
    pub model: String,
    /// Name of the environment variable holding the API key.
    #[serde(default = "default_key_env")]
    pub key_env: String,
    pub azure_api_version: Option<String>,
    #[serde(default = "default_deadline")]
    pub deadline_ms: u64,
}

fn default_key_env() -> String {
    "MADOGUCHI_LLM_KEY".into()
}

fn default_deadline() -> u64 {
    1500
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            data: "data".into(),
            database: "madoguchi.sqlite3".into(),
            retention_days: 90,
            idle_minutes: 30,
            login_hours: 12,
            secure_cookies: true,
            allowed_origins: Vec::new(),
            counters: Vec::new(),
            accounts: Vec::new(),
            llm: None,
        }
    }
}

/// A configuration that cannot be used; says what and where.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("config file {0}: {1}")]
    Parse(PathBuf, String),
    #[error("environment variable {0}: {1}")]
    Env(&'static str, String),
    #[error("config: {0}")]
    Invalid(String),
}

impl Config {
    /// Reads `file` (or starts from the defaults), applies the environment
    /// overrides, and validates.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut cfg = match file {
            Some(p) => {
                let text =
                    std::fs::read_to_string(p).map_err(|e| ConfigError::Read(p.into(), e))?;
                toml::from_str(&text).map_err(|e| ConfigError::Parse(p.into(), e.to_string()))?
            }
            None => Config::default(),
        };
        cfg.apply_env(|k| std::env::var(k).ok())?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// The overrides, each documented in README: `MADOGUCHI_LISTEN`,
    /// `MADOGUCHI_DATA`, `MADOGUCHI_DATABASE`, `MADOGUCHI_RETENTION_DAYS`,
    /// `MADOGUCHI_IDLE_MINUTES`, `MADOGUCHI_SECURE_COOKIES`,
    /// `MADOGUCHI_LLM_URL`, `MADOGUCHI_LLM_MODEL`.
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        fn num<T: std::str::FromStr>(k: &'static str, v: &str) -> Result<T, ConfigError> {
            v.trim()
                .parse()
                .map_err(|_| ConfigError::Env(k, format!("{v:?} is not a number")))
        }
        if let Some(v) = var("MADOGUCHI_LISTEN") {
            self.listen = v;
        }
        if let Some(v) = var("MADOGUCHI_DATA") {
            self.data = v.into();
        }
        if let Some(v) = var("MADOGUCHI_DATABASE") {
            self.database = v.into();
        }
        if let Some(v) = var("MADOGUCHI_RETENTION_DAYS") {
            self.retention_days = num("MADOGUCHI_RETENTION_DAYS", &v)?;
        }
        if let Some(v) = var("MADOGUCHI_IDLE_MINUTES") {
            self.idle_minutes = num("MADOGUCHI_IDLE_MINUTES", &v)?;
        }
        if let Some(v) = var("MADOGUCHI_SECURE_COOKIES") {
            self.secure_cookies = match v.trim() {
                "1" | "true" => true,
                "0" | "false" => false,
                _ => {
                    return Err(ConfigError::Env(
                        "MADOGUCHI_SECURE_COOKIES",
                        format!("{v:?}: use true or false"),
                    ))
                }
            };
        }
        if let Some(url) = var("MADOGUCHI_LLM_URL").filter(|u| !u.trim().is_empty()) {
            let llm = self.llm.get_or_insert(LlmConfig {
                url: String::new(),
                model: String::new(),
                key_env: default_key_env(),
                azure_api_version: None,
                deadline_ms: default_deadline(),
            });
            llm.url = url;
        }
        if let (Some(m), Some(llm)) = (var("MADOGUCHI_LLM_MODEL"), self.llm.as_mut()) {
            llm.model = m;
        }
        Ok(())
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |m: String| Err(ConfigError::Invalid(m));
        if self.listen.parse::<SocketAddr>().is_err() {
            return bad(format!(
                "listen = {:?} is not an address like 127.0.0.1:8080",
                self.listen
            ));
        }
        if self.retention_days == 0 {
            return bad("retention_days must be at least 1".into());
        }
        let mut seen = std::collections::HashSet::new();
        for c in &self.counters {
            if !valid_id(&c.id) {
                return bad(format!(
                    "counter id {:?}: use 1-32 letters, digits, - or _",
                    c.id
                ));
            }
            if !seen.insert(&c.id) {
                return bad(format!("counter {:?} is listed twice", c.id));
            }
            if c.token.len() < 16 {
                return bad(format!(
                    "counter {:?}: the token must be at least 16 characters",
                    c.id
                ));
            }
        }
        let mut names = std::collections::HashSet::new();
        for a in &self.accounts {
            if !valid_id(&a.name) {
                return bad(format!(
                    "account name {:?}: use 1-32 letters, digits, - or _",
                    a.name
                ));
            }
            if !names.insert(&a.name) {
                return bad(format!("account {:?} is listed twice", a.name));
            }
            if a.password.is_none() && a.password_hash.is_none() {
                return bad(format!(
                    "account {:?}: give password_hash (or password for a demo)",
                    a.name
                ));
            }
            for c in &a.counters {
                if !self.counters.iter().any(|k| &k.id == c) {
                    return bad(format!("account {:?}: unknown counter {c:?}", a.name));
                }
            }
        }
        Ok(())
    }

    /// The database file.
    pub fn database_path(&self) -> PathBuf {
        if self.database.is_absolute() {
            self.database.clone()
        } else {
            self.data.join(&self.database)
        }
    }
}

/// Counter ids and account names: short, ASCII, safe in paths and URLs.
pub fn valid_id(s: &str) -> bool {
    (1..=32).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_with_no_file() {
        let mut c = Config::default();
        c.apply_env(|_| None).unwrap();
        c.validate().unwrap();
        assert_eq!(c.database_path(), Path::new("data/madoguchi.sqlite3"));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let e = toml::from_str::<Config>("listen = \"x\"\nlisten_port = 1").unwrap_err();
        assert!(e.to_string().contains("listen_port"), "{e}");
        let c: Config = toml::from_str("listen = \"nowhere\"").unwrap();
        assert!(c.validate().unwrap_err().to_string().contains("nowhere"));
        let c: Config =
            toml::from_str("[[counters]]\nid = \"c/1\"\ntoken = \"0123456789abcdef\"").unwrap();
        assert!(c.validate().unwrap_err().to_string().contains("c/1"));
        let mut c = Config::default();
        let e = c
            .apply_env(|k| (k == "MADOGUCHI_RETENTION_DAYS").then(|| "ninety".into()))
            .unwrap_err();
        assert!(e.to_string().contains("MADOGUCHI_RETENTION_DAYS"), "{e}");
    }

    #[test]
    fn environment_overrides_the_file() {
        let mut c: Config =
            toml::from_str("listen = \"127.0.0.1:9000\"\nretention_days = 30").unwrap();
        c.apply_env(|k| match k {
            "MADOGUCHI_LISTEN" => Some("0.0.0.0:8081".into()),
            "MADOGUCHI_LLM_URL" => Some("http://127.0.0.1:9/v1".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.listen, "0.0.0.0:8081");
        assert_eq!(c.retention_days, 30);
        assert_eq!(c.llm.unwrap().deadline_ms, 1500);
    }
}
