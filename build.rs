//! Names the source this trawl was built from, for a state's stored
//! results: they are reused only by a trawl that reads files exactly as the
//! one that made them did. A version number is not enough: a change to how
//! a format is read (what is found, how a place is named) must have every
//! file read again, not leave last month's results standing for the files
//! that did not change.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

fn main() {
    embed_word_lists();
    println!("cargo:rerun-if-changed=src");
    let mut files = Vec::new();
    sources(Path::new("src"), &mut files);
    files.sort();
    let mut hash = Sha256::new();
    for file in &files {
        let bytes = std::fs::read(file).unwrap_or_default();
        // Each file's name and length before its bytes: no two trees hash
        // alike by moving bytes from one file to the next.
        hash.update(file.to_string_lossy().replace('\\', "/").as_bytes());
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(&bytes);
    }
    let digest: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    println!("cargo:rustc-env=TRAWL_SOURCE_SHA256={digest}");
}

/// Every word list in `rules/` is embedded, so adding one (a new detector's
/// terms) is a file and a table in detectors.toml, not a line of code.
fn embed_word_lists() {
    println!("cargo:rerun-if-changed=rules");
    let rules =
        Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo")).join("rules");
    let mut lists: Vec<PathBuf> = std::fs::read_dir(&rules)
        .expect("rules/ beside Cargo.toml")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    lists.sort();
    let mut code = String::from("&[\n");
    for path in &lists {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a UTF-8 name");
        let full = path.to_str().expect("a UTF-8 path");
        code.push_str(&format!("    ({name:?}, include_str!({full:?})),\n"));
    }
    code.push_str("]\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("set by cargo")).join("word_lists.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}
