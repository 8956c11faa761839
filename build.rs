//! Embeds the bundled sample manuals (manuals/) so `madoguchi demo` works from
//! the binary alone.
use std::fmt::Write;
use std::path::Path;

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("manuals/")
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            collect(root, &p, out);
        } else if p.is_file() {
            out.push(
                p.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
            );
        }
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("manuals");
    println!("cargo:rerun-if-changed=manuals");
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    let mut src = String::from("/// (name, bytes) of every bundled sample manual.\npub const SAMPLE_MANUALS: &[(&str, &[u8])] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed=manuals/{f}");
        writeln!(
            src,
            "    ({f:?}, include_bytes!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/manuals/{f}\"))),"
        )
        .unwrap();
    }
    src.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("manuals.rs");
    std::fs::write(out, src).unwrap();
}
