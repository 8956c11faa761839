//! The session store (SQLite): accounts and logins, masked session
//! summaries, staff feedback, 相談 flags and the audit trail. Nothing else is
//! kept of a session.
//!
//! Privacy by type: the only ways in for session content take the agent's
//! [`Summary`] or a [`MaskedText`], which only the masker makes. Records
//! older than the retention period are deleted and the file is vacuumed, so
//! deleted text does not linger in free pages.

use std::path::Path;
use std::sync::Mutex;

use madoguchi_agent::mask::MaskedText;
use madoguchi_agent::session::Summary;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::auth::Role;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("session store {0}: {1}")]
    Open(String, rusqlite::Error),
    #[error("session store: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("session store: stored record is damaged: {0}")]
    Damaged(String),
    #[error("session store: the worker thread failed")]
    Worker,
}

/// A staff account.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Account {
    pub name: String,
    pub role: Role,
    pub department: String,
    pub counters: Vec<String>,
}

/// One stored session summary.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryRow {
    pub id: i64,
    pub session: String,
    pub counter: String,
    pub department: String,
    pub started_at: String,
    pub ended_at: String,
    /// Cited sections (document and label, one a line), for filtering by
    /// procedure.
    pub procedures: String,
    pub summary: serde_json::Value,
}

/// One piece of staff feedback on a draft.
#[derive(Debug, Clone, Serialize)]
pub struct FeedbackRow {
    pub session: String,
    pub counter: String,
    pub question: String,
    pub draft: String,
    pub verdict: String,
    pub at: String,
}

/// A request that found no good answer (the gap report).
#[derive(Debug, Clone, Serialize)]
pub struct GapRow {
    pub summary_id: i64,
    pub counter: String,
    pub question: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditRow {
    pub at: String,
    pub account: String,
    pub action: String,
    pub target: String,
}

/// Filters of the review page; empty fields match everything.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ReviewFilter {
    /// YYYY-MM-DD
    pub date: String,
    pub counter: String,
    pub procedure: String,
    /// Only these departments (a supervisor's); empty means all.
    #[serde(skip)]
    pub departments: Vec<String>,
}

pub struct Store {
    conn: Mutex<Connection>,
}

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
CREATE TABLE IF NOT EXISTS accounts (
  name TEXT PRIMARY KEY, role TEXT NOT NULL, department TEXT NOT NULL,
  counters TEXT NOT NULL, password_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS logins (
  token_hash TEXT PRIMARY KEY, account TEXT NOT NULL, expires_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS summaries (
  id INTEGER PRIMARY KEY, session TEXT NOT NULL UNIQUE, counter TEXT NOT NULL,
  department TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT NOT NULL,
  procedures TEXT NOT NULL, summary TEXT NOT NULL, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS gaps (
  summary_id INTEGER NOT NULL REFERENCES summaries(id) ON DELETE CASCADE,
  question TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS feedback (
  id INTEGER PRIMARY KEY, session TEXT NOT NULL, counter TEXT NOT NULL,
  question TEXT NOT NULL, draft TEXT NOT NULL, verdict TEXT NOT NULL,
  account TEXT NOT NULL, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS counters (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, department TEXT NOT NULL,
  token_hash TEXT NOT NULL, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY, account TEXT NOT NULL, action TEXT NOT NULL,
  target TEXT NOT NULL, created INTEGER NOT NULL);
PRAGMA foreign_keys = ON;
";

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn local(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

impl Store {
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Open(
                    path.display().to_string(),
                    rusqlite::Error::ToSqlConversionFailure(Box::new(e)),
                )
            })?;
        }
        let conn =
            Connection::open(path).map_err(|e| StoreError::Open(path.display().to_string(), e))?;
        conn.execute_batch(SCHEMA)
            .map_err(|e| StoreError::Open(path.display().to_string(), e))?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    /// Runs `op` on a blocking thread: the one way async code uses the
    /// store.
    pub async fn call<T: Send + 'static>(
        self: &std::sync::Arc<Self>,
        op: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let s = self.clone();
        tokio::task::spawn_blocking(move || op(&s))
            .await
            .map_err(|_| StoreError::Worker)?
    }

    fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    // ---- accounts and logins

    /// Creates the account unless one of that name exists; true if created.
    pub fn ensure_account(&self, a: &Account, password_hash: &str) -> Result<bool, StoreError> {
        let n = self.db().execute(
            "INSERT OR IGNORE INTO accounts VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                a.name,
                a.role.as_str(),
                a.department,
                serde_json::to_string(&a.counters).unwrap_or_default(),
                password_hash
            ],
        )?;
        Ok(n == 1)
    }

    /// Creates or replaces an account (the admin page).
    pub fn put_account(&self, a: &Account, password_hash: Option<&str>) -> Result<(), StoreError> {
        let db = self.db();
        let counters = serde_json::to_string(&a.counters).unwrap_or_default();
        match password_hash {
            Some(h) => db.execute(
                "INSERT INTO accounts VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(name) DO UPDATE SET
                 role = ?2, department = ?3, counters = ?4, password_hash = ?5",
                params![a.name, a.role.as_str(), a.department, counters, h],
            )?,
            None => db.execute(
                "UPDATE accounts SET role = ?2, department = ?3, counters = ?4 WHERE name = ?1",
                params![a.name, a.role.as_str(), a.department, counters],
            )?,
        };
        Ok(())
    }

    fn account_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<(Account, String)> {
        let role: String = row.get(1)?;
        let counters: String = row.get(3)?;
        Ok((
            Account {
                name: row.get(0)?,
                role: Role::parse(&role).unwrap_or(Role::Clerk),
                department: row.get(2)?,
                counters: serde_json::from_str(&counters).unwrap_or_default(),
            },
            row.get(4)?,
        ))
    }

    /// The account and its password hash.
    pub fn account(&self, name: &str) -> Result<Option<(Account, String)>, StoreError> {
        Ok(self
            .db()
            .query_row(
                "SELECT name, role, department, counters, password_hash FROM accounts WHERE name = ?1",
                [name],
                Self::account_of,
            )
            .optional()?)
    }

    pub fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        let db = self.db();
        let mut st = db.prepare(
            "SELECT name, role, department, counters, password_hash FROM accounts ORDER BY name",
        )?;
        let rows = st.query_map([], Self::account_of)?;
        Ok(rows
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .map(|(a, _)| a)
            .collect())
    }

    pub fn delete_account(&self, name: &str) -> Result<(), StoreError> {
        let db = self.db();
        db.execute("DELETE FROM logins WHERE account = ?1", [name])?;
        db.execute("DELETE FROM accounts WHERE name = ?1", [name])?;
        Ok(())
    }

    pub fn create_login(
        &self,
        token_hash: &str,
        account: &str,
        hours: u64,
    ) -> Result<(), StoreError> {
        let db = self.db();
        db.execute("DELETE FROM logins WHERE expires_at < ?1", [now()])?;
        db.execute(
            "INSERT INTO logins VALUES (?1, ?2, ?3)",
            params![token_hash, account, now() + (hours as i64) * 3600],
        )?;
        Ok(())
    }

    /// The account a login token belongs to, while it lasts.
    pub fn login(&self, token_hash: &str) -> Result<Option<Account>, StoreError> {
        Ok(self
            .db()
            .query_row(
                "SELECT a.name, a.role, a.department, a.counters, a.password_hash
                 FROM logins l JOIN accounts a ON a.name = l.account
                 WHERE l.token_hash = ?1 AND l.expires_at >= ?2",
                params![token_hash, now()],
                Self::account_of,
            )
            .optional()?
            .map(|(a, _)| a))
    }

    pub fn delete_login(&self, token_hash: &str) -> Result<(), StoreError> {
        self.db()
            .execute("DELETE FROM logins WHERE token_hash = ?1", [token_hash])?;
        Ok(())
    }

    // ---- counters and settings

    /// Counters added on the admin page (the config's are not stored).
    pub fn counters(&self) -> Result<Vec<crate::hub::CounterSpec>, StoreError> {
        let db = self.db();
        let mut st =
            db.prepare("SELECT id, name, department, token_hash FROM counters ORDER BY id")?;
        let rows = st.query_map([], |r| {
            Ok(crate::hub::CounterSpec {
                id: r.get(0)?,
                name: r.get(1)?,
                department: r.get(2)?,
                token_hash: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn add_counter(&self, c: &crate::hub::CounterSpec) -> Result<(), StoreError> {
        self.db().execute(
            "INSERT INTO counters VALUES (?1, ?2, ?3, ?4, ?5)",
            params![c.id, c.name, c.department, c.token_hash, now()],
        )?;
        Ok(())
    }

    /// The retention period: what an admin set, else `default` (the
    /// config's).
    pub fn retention_days(&self, default: u32) -> Result<u32, StoreError> {
        Ok(self
            .db()
            .query_row(
                "SELECT value FROM settings WHERE key = 'retention_days'",
                [],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .and_then(|v| v.parse().ok())
            .unwrap_or(default))
    }

    pub fn set_retention_days(&self, days: u32) -> Result<(), StoreError> {
        self.db().execute(
            "INSERT INTO settings VALUES ('retention_days', ?1)
             ON CONFLICT(key) DO UPDATE SET value = ?1",
            [days.to_string()],
        )?;
        Ok(())
    }

    // ---- sessions

    /// Stores a finished session's summary (masked by construction) and its
    /// unanswered requests for the gap report. Idempotent per session key.
    pub fn save_summary(
        &self,
        session: &str,
        department: &str,
        started: i64,
        summary: &Summary,
    ) -> Result<i64, StoreError> {
        let mut procs: Vec<String> = summary
            .requests
            .iter()
            .flat_map(|r| {
                r.citations
                    .iter()
                    .map(|c| format!("{} {}", c.document, c.label))
            })
            .collect();
        procs.sort_unstable();
        procs.dedup();
        let json =
            serde_json::to_string(summary).map_err(|e| StoreError::Damaged(e.to_string()))?;
        let mut db = self.db();
        let tx = db.transaction()?;
        let n = tx.execute(
            "INSERT OR IGNORE INTO summaries (session, counter, department, started_at, ended_at, procedures, summary, created)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![session, summary.counter, department, local(started), local(now()), procs.join("\n"), json, now()],
        )?;
        let id: i64 = tx.query_row(
            "SELECT id FROM summaries WHERE session = ?1",
            [session],
            |r| r.get(0),
        )?;
        if n == 1 {
            for r in summary.requests.iter().filter(|r| !r.answered) {
                tx.execute(
                    "INSERT INTO gaps VALUES (?1, ?2)",
                    params![id, r.text.as_str()],
                )?;
            }
        }
        tx.commit()?;
        Ok(id)
    }

    fn summary_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<SummaryRow> {
        let json: String = row.get(7)?;
        Ok(SummaryRow {
            id: row.get(0)?,
            session: row.get(1)?,
            counter: row.get(2)?,
            department: row.get(3)?,
            started_at: row.get(4)?,
            ended_at: row.get(5)?,
            procedures: row.get(6)?,
            summary: serde_json::from_str(&json).unwrap_or(serde_json::Value::Null),
        })
    }

    pub fn summaries(&self, f: &ReviewFilter) -> Result<Vec<SummaryRow>, StoreError> {
        let db = self.db();
        let mut st = db.prepare(
            "SELECT id, session, counter, department, started_at, ended_at, procedures, summary
             FROM summaries
             WHERE (?1 = '' OR started_at LIKE ?1 || '%') AND (?2 = '' OR counter = ?2)
               AND (?3 = '' OR procedures LIKE '%' || ?3 || '%')
             ORDER BY id DESC LIMIT 500",
        )?;
        let rows = st.query_map(params![f.date, f.counter, f.procedure], Self::summary_of)?;
        Ok(rows
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .filter(|r| f.departments.is_empty() || f.departments.contains(&r.department))
            .collect())
    }

    pub fn summary(&self, id: i64) -> Result<Option<SummaryRow>, StoreError> {
        Ok(self
            .db()
            .query_row(
                "SELECT id, session, counter, department, started_at, ended_at, procedures, summary
                 FROM summaries WHERE id = ?1",
                [id],
                Self::summary_of,
            )
            .optional()?)
    }

    /// Staff feedback on a draft: `verdict` is `helpful` or `wrong`.
    pub fn add_feedback(
        &self,
        session: &str,
        counter: &str,
        question: &MaskedText,
        draft: &str,
        verdict: &str,
        account: &str,
    ) -> Result<(), StoreError> {
        self.db().execute(
            "INSERT INTO feedback (session, counter, question, draft, verdict, account, created)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                session,
                counter,
                question.as_str(),
                draft,
                verdict,
                account,
                now()
            ],
        )?;
        Ok(())
    }

    fn feedback_where(&self, clause: &str, arg: &str) -> Result<Vec<FeedbackRow>, StoreError> {
        let db = self.db();
        let mut st = db.prepare(&format!(
            "SELECT session, counter, question, draft, verdict, created FROM feedback
             WHERE {clause} ORDER BY id DESC LIMIT 500"
        ))?;
        let rows = st.query_map([arg], |r| {
            Ok(FeedbackRow {
                session: r.get(0)?,
                counter: r.get(1)?,
                question: r.get(2)?,
                draft: r.get(3)?,
                verdict: r.get(4)?,
                at: local(r.get(5)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn feedback_for(&self, session: &str) -> Result<Vec<FeedbackRow>, StoreError> {
        self.feedback_where("session = ?1", session)
    }

    /// Drafts staff marked 違う.
    pub fn wrong_drafts(&self) -> Result<Vec<FeedbackRow>, StoreError> {
        self.feedback_where("verdict = ?1", "wrong")
    }

    /// Requests that found no good answer.
    pub fn gaps(&self) -> Result<Vec<GapRow>, StoreError> {
        let db = self.db();
        let mut st = db.prepare(
            "SELECT g.summary_id, s.counter, g.question, s.started_at FROM gaps g
             JOIN summaries s ON s.id = g.summary_id ORDER BY g.summary_id DESC LIMIT 500",
        )?;
        let rows = st.query_map([], |r| {
            Ok(GapRow {
                summary_id: r.get(0)?,
                counter: r.get(1)?,
                question: r.get(2)?,
                at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    // ---- audit and retention

    /// Who did what to which record (never the record's content).
    pub fn audit(&self, account: &str, action: &str, target: &str) -> Result<(), StoreError> {
        self.db().execute(
            "INSERT INTO audit (account, action, target, created) VALUES (?1, ?2, ?3, ?4)",
            params![account, action, target, now()],
        )?;
        Ok(())
    }

    pub fn audit_trail(&self, target: &str) -> Result<Vec<AuditRow>, StoreError> {
        let db = self.db();
        let mut st = db.prepare(
            "SELECT created, account, action, target FROM audit
             WHERE (?1 = '' OR target = ?1) ORDER BY id DESC LIMIT 500",
        )?;
        let rows = st.query_map([target], |r| {
            Ok(AuditRow {
                at: local(r.get(0)?),
                account: r.get(1)?,
                action: r.get(2)?,
                target: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Deletes summaries, feedback and audit records older than `days` and
    /// reclaims the space. Returns how many records went.
    pub fn purge(&self, days: u32) -> Result<usize, StoreError> {
        self.purge_before(now() - i64::from(days) * 86_400)
    }

    pub fn purge_before(&self, cutoff: i64) -> Result<usize, StoreError> {
        let db = self.db();
        let mut n = 0;
        n += db.execute(
            "DELETE FROM gaps WHERE summary_id IN (SELECT id FROM summaries WHERE created < ?1)",
            [cutoff],
        )?;
        n += db.execute("DELETE FROM summaries WHERE created < ?1", [cutoff])?;
        n += db.execute("DELETE FROM feedback WHERE created < ?1", [cutoff])?;
        n += db.execute("DELETE FROM audit WHERE created < ?1", [cutoff])?;
        if n > 0 {
            db.execute_batch(
                "PRAGMA wal_checkpoint(TRUNCATE); VACUUM; PRAGMA wal_checkpoint(TRUNCATE);",
            )?;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_logins_and_expiry() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("db/m.sqlite3")).unwrap();
        let a = Account {
            name: "tanaka".into(),
            role: Role::Clerk,
            department: "市民課".into(),
            counters: vec!["c1".into()],
        };
        assert!(s.ensure_account(&a, "hash").unwrap());
        assert!(
            !s.ensure_account(&a, "other").unwrap(),
            "an existing account is kept"
        );
        assert_eq!(s.account("tanaka").unwrap().unwrap().1, "hash");
        s.create_login("t1", "tanaka", 1).unwrap();
        assert_eq!(s.login("t1").unwrap(), Some(a.clone()));
        assert_eq!(s.login("t2").unwrap(), None);
        s.create_login("t0", "tanaka", 0).unwrap();
        s.db()
            .execute(
                "UPDATE logins SET expires_at = 0 WHERE token_hash = 't0'",
                [],
            )
            .unwrap();
        assert_eq!(
            s.login("t0").unwrap(),
            None,
            "an expired login opens nothing"
        );
        s.delete_account("tanaka").unwrap();
        assert_eq!(s.login("t1").unwrap(), None);
    }

    #[test]
    fn retention_deletes_and_reclaims() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.sqlite3");
        let s = Store::open(&path).unwrap();
        let analyzer = madoguchi_knowledge::Analyzer::from_env().unwrap();
        let masker = madoguchi_agent::mask::Masker::new(std::sync::Arc::new(analyzer));
        let m = masker
            .session()
            .mask("山田花子の転入届の期限はいつですか")
            .0;
        assert!(m.as_str().starts_with("［氏名1］"));
        let summary = Summary {
            counter: "c1".into(),
            segments: 3,
            requests: vec![],
        };
        let id = s.save_summary("c1-1", "市民課", 0, &summary).unwrap();
        assert_eq!(
            s.save_summary("c1-1", "市民課", 0, &summary).unwrap(),
            id,
            "idempotent per session"
        );
        s.add_feedback("c1-1", "c1", &m, "14日以内", "wrong", "tanaka")
            .unwrap();
        s.audit("sup", "view_session", &format!("summary:{id}"))
            .unwrap();
        assert_eq!(s.wrong_drafts().unwrap().len(), 1);
        assert_eq!(s.purge(1).unwrap(), 0, "nothing is old yet");
        let n = s.purge_before(now() + 10).unwrap();
        assert_eq!(n, 3);
        assert!(s.summary(id).unwrap().is_none());
        drop(s);
        let bytes = std::fs::read(&path).unwrap();
        let needle = "転入届の期限".as_bytes();
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "deleted text does not linger in free pages"
        );
    }
}
