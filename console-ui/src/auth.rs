//! Accounts, roles, passwords and login cookies.
//!
//! Passwords are argon2 hashes; a login is a random token in a cookie
//! (`HttpOnly; SameSite=Strict; Secure`) whose SHA-256 is what the store
//! keeps, so a copy of the database opens no session.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::store::Account;

/// Name of the login cookie.
pub const COOKIE: &str = "madoguchi_login";

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The consoles of the counters they sign in to.
    Clerk,
    /// All counters of their department: live view (read-only), review.
    Supervisor,
    /// The knowledge pages.
    Editor,
    /// Accounts, counters, retention.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Clerk, Role::Supervisor, Role::Editor, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Supervisor => "supervisor",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The role's name on pages.
    pub fn japanese(self) -> &'static str {
        match self {
            Role::Clerk => "窓口職員",
            Role::Supervisor => "監督者",
            Role::Editor => "マニュアル編集者",
            Role::Admin => "管理者",
        }
    }

    /// Where the role lands after logging in.
    pub fn home(self) -> &'static str {
        match self {
            Role::Clerk => "/console",
            Role::Supervisor => "/supervisor",
            Role::Editor => "/editor",
            Role::Admin => "/admin",
        }
    }
}

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone (login page, style sheet, health, metrics).
    Public,
    /// A counter PC with its bearer token.
    Counter,
    /// A logged-in account with one of these roles.
    Staff(&'static [Role]),
}

pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A fresh login token (256 random bits, hex).
pub fn new_token() -> String {
    let mut b = [0u8; 32];
    OsRng.fill_bytes(&mut b);
    hex(&b)
}

/// What the store keeps of a token.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Failed logins per account name: after [`Throttle::LIMIT`] failures in
/// [`Throttle::WINDOW`], that name may not try again until the window has
/// passed (argon2 is slow, but a password list is long).
#[derive(Default)]
pub struct Throttle(std::sync::Mutex<std::collections::HashMap<String, (u32, std::time::Instant)>>);

impl Throttle {
    pub const LIMIT: u32 = 5;
    pub const WINDOW: std::time::Duration = std::time::Duration::from_secs(600);

    pub fn blocked(&self, name: &str) -> bool {
        let m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        m.get(name)
            .is_some_and(|(n, since)| *n >= Self::LIMIT && since.elapsed() < Self::WINDOW)
    }

    pub fn failed(&self, name: &str) {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if m.len() > 10_000 {
            m.retain(|_, (_, since)| since.elapsed() < Self::WINDOW);
        }
        let e = m
            .entry(name.to_owned())
            .or_insert((0, std::time::Instant::now()));
        if e.1.elapsed() >= Self::WINDOW {
            *e = (0, std::time::Instant::now());
        }
        e.0 += 1;
    }

    pub fn succeeded(&self, name: &str) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name);
    }
}

/// Compares secrets without an early exit.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The `Set-Cookie` value for a login.
pub fn login_cookie(token: &str, hours: u64, secure: bool) -> String {
    format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        hours * 3600,
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that ends a login.
pub fn logout_cookie(secure: bool) -> String {
    format!(
        "{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The login token from a `Cookie` header.
pub fn token_from_cookies(header: &str) -> Option<&str> {
    header
        .split(';')
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

/// Whether `account` may see counter `counter` (of `department`): a clerk
/// the counters they sign in to, a supervisor their department's.
pub fn may_see_counter(account: &Account, counter: &str, department: &str) -> bool {
    match account.role {
        Role::Clerk => account.counters.iter().any(|c| c == counter),
        Role::Supervisor => account.department.is_empty() || account.department == department,
        Role::Editor | Role::Admin => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let h = hash_password("窓口のパスワード").unwrap();
        assert!(h.starts_with("$argon2"));
        assert!(verify_password("窓口のパスワード", &h));
        assert!(!verify_password("窓口のパスワードx", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn throttle_blocks_after_five_failures() {
        let t = Throttle::default();
        for _ in 0..Throttle::LIMIT {
            assert!(!t.blocked("tanaka"));
            t.failed("tanaka");
        }
        assert!(t.blocked("tanaka"));
        assert!(!t.blocked("suzuki"));
        t.succeeded("tanaka");
        assert!(!t.blocked("tanaka"));
    }

    #[test]
    fn cookies_round_trip() {
        let t = new_token();
        assert_eq!(t.len(), 64);
        assert_ne!(t, new_token());
        let c = login_cookie(&t, 12, true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.contains("Secure"));
        let header = format!("a=b; {}", c.split(';').next().unwrap());
        assert_eq!(token_from_cookies(&header), Some(t.as_str()));
        assert_eq!(token_from_cookies("madoguchi_login="), None);
        assert!(
            same_secret("abc", "abc") && !same_secret("abc", "abd") && !same_secret("ab", "abc")
        );
    }
}
