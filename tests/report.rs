//! The HTML report, manifests, `trawl report`, `trawl audit` and `trawl
//! verify`, run as a user runs them. (The report in a real browser is
//! tests/browser.rs.)

#[allow(dead_code)]
mod common;

use std::path::{Path, PathBuf};

use common::{copy_dir, root, trawl};
use serde_json::Value;

const AS_OF: &str = "2026-01-01";

fn policy() -> PathBuf {
    root().join("rules/policies/example_housing.toml")
}

/// Copies the fixture tree and the policy its pins name into `to`, keeping
/// their relative places.
fn copy_fixtures(to: &Path) {
    copy_dir(&root().join("fixtures"), &to.join("fixtures"));
    std::fs::create_dir_all(to.join("rules/policies")).unwrap();
    std::fs::copy(policy(), to.join("rules/policies/example_housing.toml")).unwrap();
}

/// Scans the fixtures pinned, writing each output asked for.
fn scan_fixtures(dir: &Path, extra: &[&str]) {
    let out = trawl()
        .current_dir(dir)
        .arg("scan")
        .arg(root().join("fixtures"))
        .args(["--quiet", "--as-of", AS_OF, "--policy"])
        .arg(policy())
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
}

#[test]
fn the_html_report_is_masked_escaped_self_contained_and_private() {
    let dir = tempfile::tempdir().unwrap();
    scan_fixtures(
        dir.path(),
        &[
            "--reveal",
            "--html",
            "report.html",
            "--out",
            "revealed.jsonl",
        ],
    );
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    // Every raw value is in the revealed output; none may be in the page.
    let revealed = std::fs::read_to_string(dir.path().join("revealed.jsonl")).unwrap();
    let mut raw = 0;
    for line in revealed.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        if let Some(value) = v["value"].as_str() {
            raw += 1;
            if value.len() >= 6 {
                assert!(!html.contains(value), "raw value {value:?} in the HTML");
            }
        }
    }
    assert!(raw > 300, "the revealed output should hold the raw values");
    // Nor any value planted to be found, found or not: a first row of names
    // taken for a header, or a key that is a NINO, would show one as a
    // column's name or in a pointer.
    let mut planted = 0;
    for entry in std::fs::read_dir(root().join("fixtures/expected")).unwrap() {
        let path = entry.unwrap().path();
        if !path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("planted")
        {
            continue;
        }
        let list: Vec<Value> = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        for p in list.iter().filter(|p| p["expect"] == "found") {
            let value = p["value"].as_str().unwrap();
            if value.len() >= 6 {
                planted += 1;
                assert!(!html.contains(value), "planted value {value:?} in the HTML");
            }
        }
    }
    assert!(planted > 300, "{planted} planted values checked");
    // The hostile names arrive only as escaped data, never as markup.
    for hostile in ["<img", "<svg onload", "<script>alert", "</script><script>"] {
        assert!(!html.contains(hostile), "{hostile:?} unescaped in the HTML");
    }
    assert!(html.contains(r"tables/\u003cimg src=x onerror=alert(1)\u003e.csv"));
    // Self-contained, under a strict policy.
    // (The template escapes the quotes; the browser test proves it enforced.)
    assert!(html.contains(
        r#"<meta http-equiv="Content-Security-Policy" content="default-src &#x27;none&#x27;; script-src &#x27;sha256-"#
    ));
    for external in ["http://", "https://", "src=\"", "<link", "@import", "url("] {
        let hits: Vec<_> = html.match_indices(external).collect();
        // The only URL is the SVG namespace, which is never fetched.
        let allowed = html.matches("http://www.w3.org/2000/svg").count();
        if external == "http://" {
            assert_eq!(hits.len(), allowed, "{external} in the HTML");
        } else {
            assert!(hits.is_empty(), "{external} in the HTML");
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for name in ["report.html", "revealed.jsonl"] {
            let mode = std::fs::metadata(dir.path().join(name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{name} is not owner-only");
        }
    }
    // Nothing but the outputs: no temporary file left behind.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["report.html", "revealed.jsonl"]);
}

/// For a DPO who is not the account trawl runs as: every output readable
/// by its group, and still by nobody else.
#[cfg(unix)]
#[test]
fn outputs_for_the_group_are_readable_by_the_group_alone() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    scan_fixtures(
        dir.path(),
        &[
            "--group-readable",
            "--html",
            "report.html",
            "--out",
            "scan.jsonl",
            "--manifest",
            "manifest.json",
        ],
    );
    for name in ["report.html", "scan.jsonl", "manifest.json"] {
        let mode = std::fs::metadata(dir.path().join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o640, "{name}");
    }
}

#[test]
fn the_report_from_a_saved_scan_is_the_scans_own() {
    let dir = tempfile::tempdir().unwrap();
    scan_fixtures(
        dir.path(),
        &[
            "--html",
            "direct.html",
            "--format",
            "json",
            "--out",
            "scan.json",
        ],
    );
    trawl()
        .current_dir(dir.path())
        .args(["report", "scan.json", "--html", "later.html"])
        .assert()
        .success();
    let direct = std::fs::read(dir.path().join("direct.html")).unwrap();
    let later = std::fs::read(dir.path().join("later.html")).unwrap();
    assert!(
        direct == later,
        "the report from scan.json differs from the scan's"
    );
    // A pinned run records no times; an unpinned one does.
    let scan: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("scan.json")).unwrap()).unwrap();
    assert!(scan.get("run").is_none());
    assert_eq!(scan["rules_sha256"].as_str().map(str::len), Some(64));
    assert_eq!(scan["policy"]["sha256"].as_str().map(str::len), Some(64));
    let out = trawl()
        .args(["scan", "--quiet", "--format", "json"])
        .arg(root().join("fixtures/tables/tenants.csv"))
        .output()
        .unwrap();
    let scan: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(scan["run"]["started"]
        .as_str()
        .is_some_and(|s| s.ends_with('Z')));
    assert!(scan["run"]["duration_ms"].is_u64());
}

#[test]
fn report_refuses_what_is_not_a_saved_scan() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x.json"), "{\"kind\":\"finding\"}").unwrap();
    let out = trawl()
        .current_dir(dir.path())
        .args(["report", "x.json", "--html", "r.html"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not a scan saved with `trawl scan --format json`"),
        "{err}"
    );
    assert!(!dir.path().join("r.html").exists());
}

#[test]
fn every_output_is_byte_identical_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    for threads in ["1", "2", "4"] {
        scan_fixtures(
            dir.path(),
            &[
                "--threads",
                threads,
                "--format",
                "json",
                "--out",
                &format!("scan{threads}.json"),
                "--html",
                &format!("report{threads}.html"),
                "--manifest",
                &format!("manifest{threads}.json"),
            ],
        );
    }
    for kind in ["scan", "report", "manifest"] {
        let ext = if kind == "report" { "html" } else { "json" };
        let one = std::fs::read(dir.path().join(format!("{kind}1.{ext}"))).unwrap();
        for threads in ["2", "4"] {
            let other = std::fs::read(dir.path().join(format!("{kind}{threads}.{ext}"))).unwrap();
            assert!(
                one == other,
                "{kind} differs between 1 and {threads} threads"
            );
        }
    }
}

#[test]
fn audit_passes_on_the_fixtures_and_names_each_difference_when_one_changes() {
    let dir = tempfile::tempdir().unwrap();
    copy_fixtures(dir.path());
    let out = trawl()
        .current_dir(dir.path())
        .args(["audit", "--manifest", "audit.json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let findings = expected_findings();
    assert!(
        stdout.contains(&format!("PASS: {findings} findings")),
        "{stdout}"
    );
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("audit.json")).unwrap()).unwrap();
    assert_eq!(manifest["scan"]["as_of"], AS_OF);
    assert_eq!(
        manifest["scan"]["policy"],
        "rules/policies/example_housing.toml"
    );
    let tenants = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "tables/tenants.csv")
        .expect("tables/tenants.csv in the manifest");
    assert_eq!(tenants["sha256"].as_str().map(str::len), Some(64));
    assert!(tenants["findings"].as_u64().unwrap() > 0);

    // Drop a tenant's row: its findings and record go missing.
    let csv = dir.path().join("fixtures/tables/tenants.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let shorter: String = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 1)
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    std::fs::write(&csv, shorter).unwrap();
    let out = trawl()
        .current_dir(dir.path())
        .args(["audit", "fixtures", "--manifest", "audit.json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("FAIL: "), "{stdout}");
    assert!(
        stdout.contains("missing: record tables/tenants.csv · row 9 (flags: retention_unknown)"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "changed: finding tables/tenants.csv · row 2, column DOB · date_of_birth: masked:"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "changed: summary: findings: expected {}, got",
            expected_findings()
        )),
        "{stdout}"
    );

    // No pins, no audit.
    let out = trawl()
        .current_dir(dir.path())
        .args(["audit", "rules"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected/audit.toml"));
}

/// Where output is thrown away: written in place, not replaced.
const NULL_DEVICE: &str = if cfg!(windows) { "NUL" } else { "/dev/null" };

/// A scan's limit on findings listed a file is part of its manifest, and
/// its rerun keeps it; left at the default, the manifest does not name it.
#[test]
fn verify_reruns_with_the_scans_limit_on_findings_listed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("share")).unwrap();
    std::fs::write(dir.path().join("share/tenants.csv"), common::export(30)).unwrap();
    for (limit, named) in [("10", true), ("10000", false)] {
        let out = trawl()
            .current_dir(dir.path())
            .args(["scan", "share", "--quiet", "--as-of", AS_OF])
            .args(["--manifest", "m.json", "--out", NULL_DEVICE])
            .args(["--max-findings-per-file", limit])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let manifest: Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("m.json")).unwrap()).unwrap();
        assert_eq!(
            manifest["scan"].get("max_findings_per_file").is_some(),
            named,
            "{}",
            manifest["scan"]
        );
        let out = trawl()
            .current_dir(dir.path())
            .args(["verify", "m.json"])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{limit}: {stdout}");
    }
}

/// Findings past a file's listing are told, not only counted: on the
/// terminal and in the HTML report, with the file named among those not
/// listed in full.
#[test]
fn findings_not_listed_are_told_on_the_terminal_and_in_the_report() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("share")).unwrap();
    std::fs::write(dir.path().join("share/tenants.csv"), common::export(30)).unwrap();
    let out = trawl()
        .current_dir(dir.path())
        .args(["scan", "share", "--as-of", AS_OF, "--html", "r.html"])
        .args(["--out", NULL_DEVICE, "--max-findings-per-file", "10"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("trawl: and 80 more in files over --max-findings-per-file"),
        "{stderr}"
    );
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(
        html.contains("<dt>Not listed</dt><dd>80 findings in files over --max-findings-per-file"),
        "{html}"
    );
    assert!(html.contains("over --max-findings-per-file: the first 10 findings listed"));
}

#[test]
fn verify_proves_a_rerun_identical_and_shows_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    copy_fixtures(dir.path());
    let scan = |extra: &[&str]| {
        trawl()
            .current_dir(dir.path())
            .args(["scan", "fixtures", "--quiet", "--as-of", AS_OF])
            .args(["--policy", "rules/policies/example_housing.toml"])
            .args(extra)
            .output()
            .unwrap()
    };
    assert_eq!(
        scan(&["--manifest", "m.json", "--out", NULL_DEVICE])
            .status
            .code(),
        Some(1)
    );
    let verify = |threads: &str| {
        trawl()
            .current_dir(dir.path())
            .args(["verify", "m.json", "--threads", threads])
            .output()
            .unwrap()
    };
    let out = verify("1");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.starts_with(&format!(
            "IDENTICAL: 77 files, {} findings",
            expected_findings()
        )),
        "{stdout}"
    );

    // Change one file, add one, remove one.
    let notes = dir.path().join("fixtures/tables/tenants.csv");
    let text = std::fs::read_to_string(&notes).unwrap();
    // A blank line at the end: new bytes, the same rows.
    std::fs::write(&notes, format!("{text}\n")).unwrap();
    std::fs::write(
        dir.path().join("fixtures/text/new.txt"),
        "Contact: someone@example.com\n",
    )
    .unwrap();
    std::fs::remove_file(dir.path().join("fixtures/tables/no_header.csv")).unwrap();
    let out = verify("2");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    for expected in [
        "CHANGED: ",
        "changed content: tables/tenants.csv",
        "added: text/new.txt (1 findings)",
        "removed: tables/no_header.csv",
        "the output differs",
    ] {
        assert!(stdout.contains(expected), "{expected:?} not in\n{stdout}");
    }
    // The bytes changed, but not what was found in the file.
    assert!(
        !stdout.contains("changed findings: tables/tenants.csv"),
        "{stdout}"
    );

    // A manifest from a future trawl is refused, not misread.
    let mut m: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("m.json")).unwrap()).unwrap();
    m["manifest_version"] = 2.into();
    std::fs::write(dir.path().join("m.json"), m.to_string()).unwrap();
    let out = verify("1");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("manifest version 2"));
}

/// How many findings the fixtures' expected output holds.
fn expected_findings() -> usize {
    std::fs::read_to_string(root().join("fixtures/expected/findings.jsonl"))
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("{\"kind\":\"finding\""))
        .count()
}
