//! # madoguchi-console
//!
//! The axum server: authentication and roles, the websocket hub, the staff
//! console, supervisor and editor pages, and the SQLite session store.
//!
//! # Layout
//! Empty for now: issue 5 ("The console, the server…") fills this crate.
//!
//! # Invariants
//! - Only this crate knows HTTP.
//! - The store holds masked summaries only.
