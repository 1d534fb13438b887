//! Collects every custom error the contracts declare (`contracts/*/src/
//! errors.rs`, and the shared ones of `crates/contract-kit`: the `sol!`
//! declaration and its doc comment) into `$OUT_DIR/errors.rs`, so that a
//! refusal is explained in the words of the code that raises it.

use std::{fmt::Write, path::Path};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../contracts");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("the contracts folder")
        .map(|e| e.expect("a folder entry").path())
        .collect();
    dirs.sort();
    let kit = Path::new(env!("CARGO_MANIFEST_DIR")).join("../contract-kit/src");
    // (file, package; "" for errors every contract shares)
    let mut files: Vec<_> = ["admin/mod.rs", "calls.rs"]
        .into_iter()
        .map(|f| (kit.join(f), String::new()))
        .collect();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let package = if name.starts_with("spon-") {
            name
        } else {
            format!("spon-{name}")
        };
        // A contract may declare no errors of its own: its sources folder
        // is watched for the file to appear.
        println!("cargo:rerun-if-changed={}", dir.join("src").display());
        files.push((dir.join("src/errors.rs"), package));
    }
    let mut out = String::from("&[\n");
    for (file, package) in files {
        // Watched only where it exists: cargo counts a missing watched file
        // as changed, and would rebuild the bindings on every invocation.
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        println!("cargo:rerun-if-changed={}", file.display());
        let mut doc: Vec<String> = Vec::new();
        for line in text.lines().map(str::trim) {
            if let Some(d) = line.strip_prefix("///") {
                doc.push(d.trim().to_string());
            } else if let Some(decl) = line.strip_prefix("error ") {
                let decl = decl.trim_end_matches(';');
                writeln!(out, "    ({package:?}, {decl:?}, {:?}),", doc.join(" ")).unwrap();
                doc.clear();
            } else if !line.starts_with("#[") {
                doc.clear();
            }
        }
    }
    out.push(']');
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("errors.rs");
    std::fs::write(dest, out).unwrap();
}
