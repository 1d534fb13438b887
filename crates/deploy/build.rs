//! Collects every custom error the contracts declare (`contracts/*/src/
//! errors.rs`: the `sol!` declaration and its doc comment) into
//! `$OUT_DIR/errors.rs`, so that a refusal is explained in the words of the
//! code that raises it.

use std::{fmt::Write, path::Path};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../contracts");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("the contracts folder")
        .map(|e| e.expect("a folder entry").path())
        .collect();
    dirs.sort();
    let mut out = String::from("&[\n");
    for dir in dirs {
        let file = dir.join("src/errors.rs");
        println!("cargo:rerun-if-changed={}", file.display());
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let dir = dir.file_name().unwrap().to_string_lossy().into_owned();
        let package = if dir.starts_with("spon-") {
            dir
        } else {
            format!("spon-{dir}")
        };
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
