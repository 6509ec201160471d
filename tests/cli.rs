//! The binary as IT runs it: exit codes, outputs, determinism, and the
//! files a share holds that must not stop or hang a scan.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

#[allow(dead_code)]
mod common;

fn trawl() -> Command {
    let mut cmd = Command::cargo_bin("trawl").unwrap();
    cmd.env_remove("RUST_LOG");
    cmd
}

fn write(dir: &Path, rel: &str, content: &[u8]) {
    let path = dir.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, content).unwrap();
}

fn scan_lines(dir: &Path, extra: &[&str]) -> (i32, Vec<Value>) {
    let out = trawl()
        .arg("scan")
        .arg(dir)
        .args(["--as-of", "2026-01-01", "--quiet"])
        .args(extra)
        .output()
        .unwrap();
    let lines = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (out.status.code().unwrap(), lines)
}

fn of_kind<'a>(lines: &'a [Value], kind: &str) -> Vec<&'a Value> {
    lines.iter().filter(|l| l["kind"] == kind).collect()
}

#[test]
fn exit_codes_say_found_or_not() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "clean.txt", b"nothing personal here\n");
    assert_eq!(scan_lines(dir.path(), &[]).0, 0);
    write(dir.path(), "note.txt", b"NI number AB 12 34 56 C\n");
    assert_eq!(scan_lines(dir.path(), &[]).0, 1);
    trawl().args(["scan", "/no/such/place"]).assert().code(2);
    trawl()
        .args(["scan", "--format", "yaml", "."])
        .assert()
        .code(2);
    trawl()
        .args(["scan", "--rules", "/no/such/rules", "."])
        .assert()
        .code(2);
}

#[test]
fn values_masked_unless_revealed() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "note.txt", b"NI number AB 12 34 56 C\n");
    let out = trawl()
        .arg("scan")
        .arg(dir.path())
        .arg("-q")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("AB 12 34 56 C"), "{text}");
    assert!(text.contains("AB ** ** ** C"), "{text}");
    let (_, lines) = scan_lines(dir.path(), &["--reveal"]);
    assert_eq!(of_kind(&lines, "finding")[0]["value"], "AB 12 34 56 C");
}

// FIFOs and symbolic links as Unix makes them.
#[cfg(unix)]
#[test]
fn special_files_do_not_hang_or_stop_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/note.txt", b"email someone@example.com\n");
    write(dir.path(), "b/blob.bin", b"\x00\x01\x02binary\x00");
    write(
        dir.path(),
        "c/broken.json",
        b"[{\"email\": \"x@example.org\"}, {\"em",
    );
    let fifo = dir.path().join("a/pipe");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    std::os::unix::fs::symlink(dir.path().join("a"), dir.path().join("a/loop")).unwrap();

    let (code, lines) = scan_lines(dir.path(), &[]);
    assert_eq!(code, 1);
    let files = of_kind(&lines, "file");
    let by_path = |p: &str| {
        files
            .iter()
            .find(|f| f["path"] == p)
            .unwrap_or_else(|| panic!("no record for {p}: {files:?}"))
    };
    assert_eq!(by_path("a/pipe")["status"], "skipped");
    assert_eq!(by_path("a/loop")["status"], "skipped");
    assert_eq!(by_path("b/blob.bin")["status"], "skipped");
    assert_eq!(by_path("c/broken.json")["status"], "failed");
    assert!(by_path("c/broken.json")["reason"]
        .as_str()
        .unwrap()
        .contains("truncated JSON"));
    // What was read before the break is still reported.
    let found: Vec<&str> = of_kind(&lines, "finding")
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(found, vec!["a/note.txt", "c/broken.json"]);

    // Following links: the loop is detected and reported, not walked forever.
    let (_, lines) = scan_lines(dir.path(), &["--follow"]);
    let files = of_kind(&lines, "file");
    assert!(
        files
            .iter()
            .any(|f| f["path"] == "a/loop" && f["reason"].as_str().unwrap().contains("loop")),
        "{files:?}"
    );
    // --strict turns unreadable files into exit code 3.
    assert_eq!(scan_lines(dir.path(), &["--strict"]).0, 3);
}

#[test]
fn exclusions_and_size_limit() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "keep/a.txt", b"mail a@example.com\n");
    write(dir.path(), "old/b.txt", b"mail b@example.com\n");
    write(dir.path(), "keep/c.bak", b"mail c@example.com\n");
    write(dir.path(), ".hidden/d.txt", b"mail d@example.com\n");
    write(dir.path(), ".gitignore", b"keep/\n");
    write(dir.path(), ".trawlignore", b"old/\n");
    write(dir.path(), "big.txt", &b"mail e@example.com\n".repeat(100));
    let (_, lines) = scan_lines(dir.path(), &["--exclude", "*.bak", "--max-file-size", "1K"]);
    let found: Vec<&str> = of_kind(&lines, "finding")
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    // Hidden files are scanned and .gitignore is not honoured.
    assert_eq!(found, vec![".hidden/d.txt", "keep/a.txt"]);
    let files = of_kind(&lines, "file");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["path"], "big.txt");
    assert!(files[0]["reason"]
        .as_str()
        .unwrap()
        .contains("--max-file-size"));
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..40 {
        let body = format!(
            "Tenant {i}\nNI number AB 12 34 {:02} C\nDOB 03/04/1985\nmail t{i}@example.com\n",
            i % 100
        );
        write(dir.path(), &format!("d{}/f{i}.txt", i % 7), body.as_bytes());
        write(
            dir.path(),
            &format!("d{}/f{i}.csv", i % 5),
            format!("Name,Email\nX,t{i}@example.org\n").as_bytes(),
        );
    }
    // Large files (over 256 KiB) take turns, one a core: read with the
    // small ones around them.
    for i in 0..3 {
        let mut body = String::new();
        for n in 0..6000 {
            match n % 100 {
                0 => body += &format!("Tenant {n} NI number AB 12 35 {i:02} C\n"),
                _ => body += "The repair was booked and the tenant told by letter.\n",
            }
        }
        assert!(body.len() > 256 << 10);
        write(dir.path(), &format!("big{i}/notes.txt"), body.as_bytes());
    }
    for format in ["jsonl", "json", "csv"] {
        let run = |threads: &[&str]| {
            trawl()
                .arg("scan")
                .arg(dir.path())
                .args(["--as-of", "2026-01-01", "-q", "--format", format])
                .args(threads)
                .output()
                .unwrap()
                .stdout
        };
        let one = run(&["--threads", "1"]);
        assert!(!one.is_empty());
        assert_eq!(one, run(&["--threads", "2"]), "{format}");
        assert_eq!(one, run(&["--threads", "8"]), "{format}");
        // The default: as many as its pace lets read.
        assert_eq!(one, run(&[]), "{format}");
    }
}

#[test]
fn out_file_json_and_csv_shapes() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "in/note.txt", b"NI number AB 12 34 56 C\n");
    write(dir.path(), "in/blob.bin", b"\x00\x00");
    let out = dir.path().join("out.json");
    trawl()
        .arg("scan")
        .arg(dir.path().join("in"))
        .args(["-q", "--format", "json", "--out"])
        .arg(&out)
        .assert()
        .code(1);
    let doc: Value = serde_json::from_slice(&fs::read(&out).unwrap()).unwrap();
    assert_eq!(doc["findings"][0]["detector"], "uk_nino");
    assert_eq!(doc["findings"][0]["location"]["line"], 1);
    assert_eq!(doc["errors"][0]["path"], "blob.bin");
    assert_eq!(doc["summary"]["files"]["scanned"], 1);
    assert_eq!(doc["summary"]["findings_by_detector"]["uk_nino"], 1);

    let csv = trawl()
        .arg("scan")
        .arg(dir.path().join("in"))
        .args(["-q", "--format", "csv"])
        .output()
        .unwrap()
        .stdout;
    let csv = String::from_utf8(csv).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("kind,path,location,record,process,detector,category,confidence,masked,flags,reason")
    );
    assert_eq!(lines.next(), Some("finding,note.txt,\"line 1, column 11\",document,,uk_nino,national_insurance_number,high,AB ** ** ** C,,"));
    let record = lines.next().unwrap();
    assert!(
        record.starts_with(
            "record,note.txt,,document,,,national_insurance_number,,,no_lawful_basis,"
        ),
        "{record}"
    );
    assert!(lines.next().unwrap().starts_with("skipped,blob.bin,"));
}

/// A file named as a formula (`=HYPERLINK(…)`, which a spreadsheet opening
/// the CSV would run) is written as text, in the CSV only.
#[test]
fn a_csv_cell_that_would_be_a_formula_is_written_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let name = "=HYPERLINK(\"http:\\\\x\",\"y\") +1.txt";
    write(dir.path(), name, b"NI number AB 12 34 56 C\n");
    let scan = |format: &str| {
        let out = trawl()
            .arg("scan")
            .arg(dir.path())
            .args(["-q", "--as-of", "2026-01-01", "--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        out.stdout
    };
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(&scan("csv")[..])
        .records()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    for row in &rows {
        assert_eq!(&row[1], format!("'{name}"), "{row:?}");
    }
    // Other cells are as they were.
    assert_eq!(&rows[0][0], "finding");
    assert_eq!(&rows[0][8], "AB ** ** ** C");
    // JSON gives the name as it is.
    let first: Value =
        serde_json::from_slice(scan("jsonl").split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(first["path"], name);
}

#[test]
fn summary_on_stderr_only_when_not_quiet() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "note.txt", b"mail a@example.com\n");
    let out = trawl().arg("scan").arg(dir.path()).output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("1 files seen: 1 scanned, 0 skipped, 0 failed"),
        "{err}"
    );
    assert!(err.contains("MB/s"), "{err}");
    assert!(err.contains("email"), "{err}");
    // Not a terminal: no progress bar escape codes.
    assert!(!err.contains('\u{1b}'), "{err}");
    let out = trawl()
        .arg("scan")
        .arg(dir.path())
        .arg("-q")
        .output()
        .unwrap();
    assert!(out.stderr.is_empty());
}

#[test]
fn custom_rules_replace_the_embedded_ones() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "rules/detectors.toml",
        br#"version = 1
[[detector]]
id = "tenant_ref"
label = "Tenant reference"
category = "tenancy"
pattern = '\bT[0-9]{6}\b'
confidence = "medium"
confidence_with_context = "high"
[[detector]]
id = "housing_words"
label = "Housing words"
category = "other"
words = "words.txt"
confidence = "low"
confidence_with_context = "low"
"#,
    );
    write(
        dir.path(),
        "rules/words.txt",
        b"# test list\nrent arrears\n",
    );
    write(
        dir.path(),
        "share/a.txt",
        b"Ref T004512 has rent arrears; NI AB 12 34 56 C\n",
    );
    let rules = dir.path().join("rules");
    let (code, lines) = scan_lines(
        &dir.path().join("share"),
        &["--rules", rules.to_str().unwrap()],
    );
    assert_eq!(code, 1);
    let detectors: Vec<&str> = of_kind(&lines, "finding")
        .iter()
        .map(|f| f["detector"].as_str().unwrap())
        .collect();
    assert_eq!(detectors, vec!["tenant_ref", "housing_words"]);
    // A broken rules file stops the scan with a reason.
    write(
        dir.path(),
        "rules/detectors.toml",
        b"version = 1\n[[detector]]\nid = 'x'\n",
    );
    let out = trawl()
        .arg("scan")
        .arg(dir.path().join("share"))
        .arg("--rules")
        .arg(&rules)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("detectors.toml"));
}

/// A title or a small word of names is a line in a word list, read by the
/// pattern and the validator alike: no code path.
#[test]
fn a_title_added_to_the_rules_names_people() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    fs::create_dir_all(&rules).unwrap();
    for entry in fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/rules")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            fs::copy(&path, rules.join(path.file_name().unwrap())).unwrap();
        }
    }
    write(
        dir.path(),
        "share/a.txt",
        "Spoke to Sgt Kowalczyk and Ms ter Horst today.\n".as_bytes(),
    );
    let names = |extra: &[&str]| -> Vec<String> {
        let (_, lines) = scan_lines(&dir.path().join("share"), extra);
        of_kind(&lines, "finding")
            .iter()
            .filter(|f| f["detector"] == "person_name")
            .map(|f| f["value"].as_str().unwrap().to_string())
            .collect()
    };
    let with_rules = ["--rules", rules.to_str().unwrap(), "--reveal"];
    assert!(names(&with_rules).is_empty(), "Sgt is no title yet");
    let add = |file: &str, line: &str| {
        let path = rules.join(file);
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, format!("{text}{line}\n")).unwrap();
    };
    add("titles.txt", "sgt");
    add("particles.txt", "ter");
    assert_eq!(names(&with_rules), ["Kowalczyk", "ter Horst"]);
}

#[test]
fn help_documents_exit_codes() {
    let out = trawl().args(["scan", "--help"]).output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("Exit codes"), "{help}");
    for flag in [
        "--format",
        "--out",
        "--reveal",
        "--exclude",
        "--follow",
        "--max-file-size",
        "--rules",
        "--as-of",
        "--threads",
        "--quiet",
        "--strict",
    ] {
        assert!(help.contains(flag), "{flag}");
    }
}

#[test]
fn nothing_is_written_beside_scanned_files() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/note.txt", b"NI number AB 12 34 56 C\n");
    let before: Vec<_> = walkdir(dir.path());
    scan_lines(dir.path(), &[]);
    assert_eq!(before, walkdir(dir.path()));
}

fn walkdir(p: &Path) -> Vec<(String, u64, std::time::SystemTime)> {
    let mut out = Vec::new();
    for e in fs::read_dir(p).unwrap() {
        let e = e.unwrap();
        let m = e.metadata().unwrap();
        out.push((
            e.path().display().to_string(),
            m.len(),
            m.modified().unwrap(),
        ));
        if m.is_dir() {
            out.extend(walkdir(&e.path()));
        }
    }
    out.sort();
    out
}

/// Under the embedded default policy (categories, no processes) every record
/// holding personal data lacks a lawful basis, and says so.
#[test]
fn default_policy_flags_records_without_a_process() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "people.csv",
        b"Name,Email,Notes\nAnn Example,ann@example.com,has asthma\n,,no contact\n",
    );
    let (code, lines) = scan_lines(dir.path(), &[]);
    assert_eq!(code, 1);
    let records = of_kind(&lines, "record");
    assert_eq!(
        records.len(),
        1,
        "only the row holding findings: {records:?}"
    );
    let r = records[0];
    assert_eq!(r["record"], "row 2");
    assert_eq!(
        r["categories"],
        serde_json::json!(["contact_details", "health", "name"])
    );
    let flags: Vec<&str> = r["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["flag"].as_str().unwrap())
        .collect();
    assert_eq!(
        flags,
        ["special_category_without_condition", "no_lawful_basis"]
    );
    let finding = of_kind(&lines, "finding")[0];
    assert_eq!(finding["record"], "row 2");
    let summary = of_kind(&lines, "summary")[0];
    assert_eq!(summary["flags_by_type"]["no_lawful_basis"], 1);
    assert_eq!(summary["flags_by_process"]["(none)"]["no_lawful_basis"], 1);
}

#[test]
fn policy_check_and_show() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/policies");
    for name in [
        "default.toml",
        "example_housing.toml",
        "basildon_housing.toml",
        "adur_worthing_housing.toml",
        "halton_housing.toml",
    ] {
        trawl()
            .args(["policy", "check"])
            .arg(root.join(name))
            .assert()
            .code(0);
    }
    // Against a tree: what each process claims, and a warning for one that
    // claims nothing there.
    let dir = tempfile::tempdir().unwrap();
    let with_stray = dir.path().join("stray.toml");
    let mut text = fs::read_to_string(root.join("example_housing.toml")).unwrap();
    text.push_str("\n[[process]]\nid = \"garages\"\nname = \"Garage lettings\"\ncategories = [\"contact_details\"]\nlawful_bases = [\"contract\"]\nretention = { period = \"2 years\", after = \"modified\" }\nmatch = { paths = [\"**/garages/**\"] }\n");
    fs::write(&with_stray, text).unwrap();
    let out = trawl()
        .args(["policy", "check"])
        .arg(&with_stray)
        .arg("--against")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "warnings do not fail a check");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    for process in ["rents", "tenancy", "support", "repairs", "engagement"] {
        assert!(
            stdout
                .lines()
                .any(|l| l.trim_start().starts_with(process) && l.contains("claims")),
            "{process} not counted:\n{stdout}"
        );
    }
    assert!(
        stderr.contains("warning: process \"garages\" claims no record holding findings"),
        "{stderr}"
    );
    let bad = dir.path().join("bad.toml");
    fs::write(
        &bad,
        "[policy]\nname = \"Bad\"\n\n[[category]]\nid = \"x\"\nlabel = \"X\"\nkind = \"personal\"\nevidence = [\"uk_bogus_number\"]\n\n[[process]]\nid = \"p\"\nname = \"P\"\ncategories = [\"x\"]\nlawful_bases = [\"contract\"]\nretention = { period = \"six years\", after = \"modified\" }\nmatch = { paths = [\"**/p/**\"] }\n",
    )
    .unwrap();
    let out = trawl()
        .args(["policy", "check"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    let name = bad.display().to_string();
    assert!(
        err.contains(&format!(
            "{name}:8: error: category \"x\": unknown detector \"uk_bogus_number\""
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{name}:15: error: process \"p\": bad retention period \"six years\""
        )),
        "{err}"
    );
    // A scan refuses a policy with errors, before reading anything.
    trawl()
        .arg("scan")
        .arg(dir.path())
        .arg("--policy")
        .arg(&bad)
        .assert()
        .code(2);
    let shown = trawl()
        .args(["policy", "show"])
        .arg(root.join("example_housing.toml"))
        .output()
        .unwrap();
    let shown = String::from_utf8(shown.stdout).unwrap();
    assert!(
        shown.contains("rents — Tenancy Services – Housing Rents"),
        "{shown}"
    );
    assert!(shown.contains("Art. 6(1)(b) contract"), "{shown}");
    assert!(
        shown.contains("6 years after the date in column \"Tenancy End\""),
        "{shown}"
    );
}

/// `suppressions.toml` in a rules directory: what it names is counted, not
/// listed, and listed with its reason on request.
#[test]
fn suppressions_in_the_rules_are_counted_not_listed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    common::copy_rules(&rules);
    let scan = |extra: &[&str]| -> Value {
        let out = trawl()
            .arg("scan")
            .arg(root.join("fixtures"))
            .args([
                "--quiet",
                "--format",
                "json",
                "--as-of",
                "2026-01-01",
                "--rules",
            ])
            .arg(&rules)
            .args(extra)
            .output()
            .unwrap();
        common::found(&out)
    };
    let emails_in_tables = |v: &Value| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| {
                f["detector"] == "email" && f["path"].as_str().unwrap().starts_with("tables/")
            })
            .count()
    };
    let before = scan(&[]);
    let n = emails_in_tables(&before);
    assert!(n > 0);
    fs::write(
        rules.join("suppressions.toml"),
        "version = 1\n[[suppress]]\nreason = \"test addresses in the sample tables\"\npath = \"tables/**\"\ndetector = \"email\"\n",
    )
    .unwrap();
    let after = scan(&[]);
    assert_eq!(emails_in_tables(&after), 0);
    assert_eq!(
        after["summary"]["findings_suppressed"].as_u64(),
        Some(n as u64)
    );
    assert_eq!(
        after["summary"]["findings"].as_u64().unwrap() + n as u64,
        before["summary"]["findings"].as_u64().unwrap()
    );
    assert_ne!(
        after["rules_sha256"], before["rules_sha256"],
        "the rules' fingerprint covers it"
    );
    let shown = scan(&["--show-suppressed"]);
    let listed: Vec<&Value> = shown["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["triage"]["status"] == "suppressed")
        .collect();
    assert_eq!(listed.len(), n);
    assert_eq!(
        listed[0]["triage"]["note"],
        "test addresses in the sample tables"
    );
    // A suppression without a reason is refused.
    fs::write(
        rules.join("suppressions.toml"),
        "version = 1\n[[suppress]]\nreason = \"\"\ndetector = \"email\"\n",
    )
    .unwrap();
    let out = trawl()
        .arg("scan")
        .arg(root.join("fixtures"))
        .args(["--quiet", "--rules"])
        .arg(&rules)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs a reason"));
}

/// On Linux a `\\` is part of a name: a file called `a\\b.txt` (as a
/// Windows path copied by a tool that knew no better) is not the file
/// `b.txt` in the folder `a`, and each is reported under its own name, with
/// one root or several.
#[cfg(unix)]
#[test]
fn a_backslash_in_a_name_is_not_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let share = dir.path().join("share");
    write(&share, "a/b.txt", b"Write to robin.tenant@example.org\n");
    write(&share, "a\\b.txt", b"Write to sam.resident@example.org\n");
    let other = dir.path().join("other");
    write(&other, "c.txt", b"Write to alex.staff@example.org\n");
    let paths = |lines: &[Value]| -> Vec<String> {
        let mut paths: Vec<String> = of_kind(lines, "finding")
            .iter()
            .map(|f| f["path"].as_str().unwrap().to_string())
            .collect();
        paths.sort();
        paths
    };
    let (code, lines) = scan_lines(&share, &[]);
    assert_eq!(code, 1);
    assert_eq!(paths(&lines), ["a/b.txt", "a\\b.txt"]);
    let out = trawl()
        .arg("scan")
        .arg(&share)
        .arg(&other)
        .args(["--as-of", "2026-01-01", "--quiet"])
        .output()
        .unwrap();
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (share, other) = (share.display().to_string(), other.display().to_string());
    assert_eq!(
        paths(&lines),
        [
            format!("{other}/c.txt"),
            format!("{share}/a/b.txt"),
            format!("{share}/a\\b.txt"),
        ]
    );
}

/// A name that is not UTF-8 (an older file server's Latin-1) is read as
/// Windows-1252: `caf\xe9.txt` is reported as "café.txt", and `caf\xe8.txt`
/// beside it as "cafè.txt", not both as "caf\u{fffd}.txt"; a state then
/// tells them apart, and a second run reads neither again. An exclusion
/// names it as reported.
#[cfg(unix)]
#[test]
fn a_name_that_is_not_utf8_is_read_as_windows_1252() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let share = dir.path().join("share");
    fs::create_dir(&share).unwrap();
    for (name, who) in [(&b"caf\xe9.txt"[..], "robin"), (b"caf\xe8.txt", "sam")] {
        let path = share.join(std::ffi::OsStr::from_bytes(name));
        fs::write(path, format!("Write to {who}.tenant@example.org\n")).unwrap();
    }
    let state = dir.path().join("state.db");
    let run = |extra: &[&str]| -> Value {
        let out = trawl()
            .arg("scan")
            .arg(&share)
            .args(["--as-of", "2026-01-01", "--quiet", "--format", "json"])
            .arg("--state")
            .arg(&state)
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let paths = |report: &Value| -> Vec<String> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap().to_string())
            .collect()
    };
    let first = run(&[]);
    assert_eq!(paths(&first), ["cafè.txt", "café.txt"]);
    let second = run(&[]);
    assert_eq!(second["history"]["files_read"], 0, "{}", second["history"]);
    assert_eq!(paths(&second), paths(&first));
    let fewer = run(&["--exclude", "café.txt"]);
    assert_eq!(paths(&fewer), ["cafè.txt"]);
}

/// Past `--max-findings-per-file`, a file's findings are counted, not
/// listed: the first in the file are listed as without the limit, the file's
/// line and the summary say how many more, and the rows holding only those
/// are counted, not judged. 0 lifts the limit.
#[test]
fn a_huge_export_lists_its_first_findings_and_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "tenants.csv", common::export(30).as_bytes());
    let (code, all) = scan_lines(dir.path(), &["--max-findings-per-file", "0"]);
    assert_eq!(code, 1);
    let every = of_kind(&all, "finding");
    let detectors =
        |fs: &[&Value]| -> Vec<String> { fs.iter().map(|f| f["detector"].to_string()).collect() };
    let per_row = every.len() / 30;
    assert!(per_row >= 2, "{every:?}");
    assert!(of_kind(&all, "file").is_empty());

    let (code, capped) = scan_lines(dir.path(), &["--max-findings-per-file", "10"]);
    assert_eq!(code, 1);
    let listed = of_kind(&capped, "finding");
    assert_eq!(listed.len(), 10);
    for (a, b) in listed.iter().zip(&every) {
        assert_eq!(
            a["location"], b["location"],
            "the first in the file are listed"
        );
    }
    assert_eq!(detectors(&listed), detectors(&every[..10]));
    let rows_listed: std::collections::BTreeSet<u64> = listed
        .iter()
        .map(|f| f["location"]["row"].as_u64().unwrap())
        .collect();
    assert_eq!(of_kind(&capped, "record").len(), rows_listed.len());
    let summary = of_kind(&capped, "summary")[0];
    let more = every.len() as u64 - 10;
    assert_eq!(summary["findings"], 10);
    assert_eq!(summary["findings_not_listed"], more);
    let by_detector = summary["findings_not_listed_by_detector"]
        .as_object()
        .unwrap();
    assert_eq!(
        by_detector
            .values()
            .map(|n| n.as_u64().unwrap())
            .sum::<u64>(),
        more
    );
    assert_eq!(summary["rows_not_judged"], 30 - rows_listed.len() as u64);
    let file = of_kind(&capped, "file");
    assert_eq!(file.len(), 1);
    assert_eq!(file[0]["status"], "scanned");
    let reason = file[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains(&format!(
            "the first 10 findings listed, {more} more counted"
        )),
        "{reason}"
    );
    // Without the flag: the default, 10,000, is far off.
    let (_, default) = scan_lines(dir.path(), &[]);
    assert_eq!(default, all);
}
