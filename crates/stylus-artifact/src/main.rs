//! `stylus-artifact`: processes contract modules for deployment, prints their
//! size table, and turns exported Solidity interfaces into JSON ABIs.
//!
//! ```text
//! stylus-artifact pack --out-dir DIR [--wasm-opt PATH|none] [--json FILE] NAME=INPUT.wasm...
//! stylus-artifact abi INTERFACE.sol CONSTRUCTOR.txt EVENTS.txt > ABI.json
//! ```
//!
//! `pack`: for each `NAME=INPUT.wasm` (rustc's output) it re-encodes the
//! module, runs `wasm-opt -Oz` on it (unless `--wasm-opt none`), checks what
//! Nitro's activation refuses, writes `DIR/NAME.wasm`, and measures it with
//! brotli-11. Exits 1 when any contract is refused or over a size limit.
//!
//! `abi`: reads what a contract's `export-abi` binary prints (the interface,
//! the constructor signature, the events) and prints the JSON ABI.

use std::{
    fs,
    path::{Path, PathBuf},
    process::{Command, ExitCode},
};

use anyhow::{bail, Context, Result};
use stylus_artifact::{check, json_abi, reencode, sizes, Sizes, MAX_CODE_BYTES};

struct Args {
    out_dir: PathBuf,
    wasm_opt: Option<String>,
    json: Option<PathBuf>,
    inputs: Vec<(String, PathBuf)>,
}

const USAGE: &str = "usage: stylus-artifact pack --out-dir DIR [--wasm-opt PATH|none] [--json FILE] NAME=INPUT.wasm...
       stylus-artifact abi INTERFACE.sol CONSTRUCTOR.txt EVENTS.txt";

fn parse_pack_args(mut args: impl Iterator<Item = String>) -> Result<Args> {
    let mut out = Args {
        out_dir: PathBuf::new(),
        wasm_opt: Some("wasm-opt".into()),
        json: None,
        inputs: Vec::new(),
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out-dir" => out.out_dir = args.next().context(USAGE)?.into(),
            "--wasm-opt" => {
                let v = args.next().context(USAGE)?;
                out.wasm_opt = (v != "none").then_some(v);
            }
            "--json" => out.json = Some(args.next().context(USAGE)?.into()),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => {
                let (name, path) = other.split_once('=').context(USAGE)?;
                out.inputs.push((name.to_string(), path.into()));
            }
        }
    }
    if out.out_dir.as_os_str().is_empty() || out.inputs.is_empty() {
        bail!(USAGE);
    }
    Ok(out)
}

fn wasm_opt(tool: &str, input: &Path, output: &Path) -> Result<()> {
    let status = Command::new(tool)
        .args(["-Oz", "--converge"])
        .args([
            "--enable-bulk-memory",
            "--enable-sign-ext",
            "--enable-mutable-globals",
            "--enable-nontrapping-float-to-int",
            "--enable-multivalue",
            "--strip-debug",
            "--strip-producers",
        ])
        .arg(input)
        .arg("-o")
        .arg(output)
        .status()
        .with_context(|| format!("running {tool} (Debian package binaryen)"))?;
    if !status.success() {
        bail!("{tool} failed on {}", input.display());
    }
    Ok(())
}

fn process(args: &Args, name: &str, input: &Path) -> Result<(Sizes, Vec<String>)> {
    let raw = fs::read(input).with_context(|| format!("reading {}", input.display()))?;
    let mut module = reencode(&raw).with_context(|| format!("{name}: {}", input.display()))?;
    let out = args.out_dir.join(format!("{name}.wasm"));
    if let Some(tool) = &args.wasm_opt {
        let pre = args.out_dir.join(format!("{name}.reencoded.wasm"));
        fs::write(&pre, &module)?;
        wasm_opt(tool, &pre, &out)?;
        fs::remove_file(&pre)?;
        // wasm-opt writes encodings of its own: re-encode once more so the
        // module is canonical whatever binaryen's version.
        module = reencode(&fs::read(&out)?)?;
    }
    fs::write(&out, &module)?;
    let mut why = check(&module);
    let s = sizes(&module)?;
    why.extend(s.violations());
    Ok((s, why))
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("stylus-artifact: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<bool> {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("pack") => pack(parse_pack_args(args)?),
        Some("abi") => {
            let files: Vec<String> = args.collect();
            let [interface, constructor, events] = files.as_slice() else {
                bail!(USAGE);
            };
            let read = |p: &String| fs::read_to_string(p).with_context(|| format!("reading {p}"));
            let abi = json_abi(&read(interface)?, &read(constructor)?, &read(events)?)?;
            println!("{}", serde_json::to_string_pretty(&abi)?);
            Ok(true)
        }
        Some("-h" | "--help") => {
            println!("{USAGE}");
            Ok(true)
        }
        _ => bail!(USAGE),
    }
}

fn pack(args: Args) -> Result<bool> {
    fs::create_dir_all(&args.out_dir)?;
    let mut ok = true;
    let mut rows = Vec::new();
    println!(
        "{:<17} {:>10} {:>11} {:>7} {:>9} {:>13} {:>9}",
        "contract", "raw bytes", "compressed", "code", "headroom", "cargo-stylus", "headroom"
    );
    for (name, input) in &args.inputs {
        let (s, why) = process(&args, name, input)?;
        println!(
            "{:<17} {:>10} {:>11} {:>7} {:>9} {:>13} {:>9}",
            name,
            s.raw,
            s.compressed,
            s.code(),
            s.headroom(),
            s.cargo_stylus,
            MAX_CODE_BYTES as i64 - s.cargo_stylus as i64
        );
        for w in &why {
            println!("  REFUSED {name}: {w}");
        }
        ok &= why.is_empty();
        rows.push(serde_json::json!({
            "contract": name,
            "raw_bytes": s.raw,
            "compressed_bytes": s.compressed,
            "code_bytes": s.code(),
            "headroom_bytes": s.headroom(),
            "cargo_stylus_code_bytes": s.cargo_stylus,
            "problems": why,
        }));
    }
    println!(
        "(code = 4-byte Stylus prefix + brotli-11 stream; cargo-stylus = the same of the module as cargo stylus 0.10 rewrites it, with its project_hash section; limit {MAX_CODE_BYTES} bytes; headroom = limit - code)"
    );
    if let Some(json) = &args.json {
        fs::write(json, serde_json::to_string_pretty(&rows)? + "\n")?;
    }
    Ok(ok)
}
