//! Helpers shared by the end-to-end tests.

use std::path::{Path, PathBuf};
use std::process::Command;

pub mod browser;
pub mod server;

/// A knowledge base under `dir` with the bundled sample manuals, imported
/// through the CLI as an editor would; returns its data directory.
pub fn sample_knowledge(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    let manuals = dir.join("manuals");
    madoguchi::manuals::write_to(&manuals).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
        .args([
            "knowledge",
            "import",
            manuals.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    data
}
