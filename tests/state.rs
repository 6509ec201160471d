//! Nightly runs with `--state`: incremental rescans, history, new and
//! resolved, triage, the lock, signals, `--log`, and a scanned tree left
//! exactly as it was.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
#[cfg(unix)]
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant, SystemTime};

use common::{copy_dir, root, trawl};
use serde_json::Value;

#[allow(dead_code)]
mod common;

const AS_OF: &str = "2026-01-01";

/// A copy of the fixtures in `dir/share`.
fn share(dir: &Path) -> PathBuf {
    let share = dir.join("share");
    copy_dir(&root().join("fixtures"), &share);
    share
}

/// Scans `share` with the state `dir/state.db`; returns the JSON output.
fn nightly(dir: &Path, share: &Path, extra: &[&str]) -> Value {
    nightly_as_of(dir, share, AS_OF, extra)
}

fn nightly_as_of(dir: &Path, share: &Path, as_of: &str, extra: &[&str]) -> Value {
    let policy = root().join("rules/policies/example_housing.toml");
    nightly_under(dir, share, as_of, &policy, extra)
}

fn nightly_under(dir: &Path, share: &Path, as_of: &str, policy: &Path, extra: &[&str]) -> Value {
    let out = trawl()
        .arg("scan")
        .arg(share)
        .args(["--quiet", "--as-of", as_of, "--format", "json", "--policy"])
        .arg(policy)
        .arg("--state")
        .arg(dir.join("state.db"))
        .args(extra)
        .output()
        .unwrap();
    common::found(&out)
}

/// A plain scan with a state, for its exit code and messages.
fn scan_with_state(share: &Path, state: &Path) -> std::process::Output {
    trawl()
        .arg("scan")
        .arg(share)
        .args(["--quiet", "--state"])
        .arg(state)
        .output()
        .unwrap()
}

/// (kind, path, label) of each new or resolved item.
fn items(list: &Value) -> BTreeSet<(String, String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap().to_string(),
                c["path"].as_str().unwrap().to_string(),
                c["label"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn new_items(report: &Value) -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    for f in report["findings"].as_array().unwrap() {
        if f["new"] == true {
            out.insert((
                "finding".to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["detector"].as_str().unwrap().to_string(),
            ));
        }
    }
    for r in report["records"].as_array().unwrap() {
        if r["new"] == true {
            out.insert((
                "record".to_string(),
                r["path"].as_str().unwrap().to_string(),
                r["record"].as_str().unwrap().to_string(),
            ));
        }
    }
    out
}

/// A later run that read `read` files and reported what `first` did:
/// nothing new, nothing resolved.
fn reports_the_same(first: &Value, later: &Value, read: u64) {
    assert_eq!(
        later["history"]["files_read"].as_u64(),
        Some(read),
        "{}",
        later["history"]
    );
    for part in ["findings", "records", "errors", "summary"] {
        assert_eq!(first[part], later[part], "{part} differ between runs");
    }
    assert_eq!(later["history"]["new"].as_u64(), Some(0));
    assert_eq!(later["history"]["resolved"], serde_json::json!([]));
}

/// Outputs, state and log written inside the scanned share (the report
/// put where the DPO reads it, on the same share) are not scanned: the next
/// run neither reads its own report, raw values and all under --reveal, nor
/// reports it again; it lists each as trawl's own, and finds what it found
/// before they were there.
#[test]
fn a_runs_own_files_inside_the_share_are_listed_not_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let share = share(dir.path());
    let dpo = share.join("dpo");
    std::fs::create_dir(&dpo).unwrap();
    let run = || -> Value {
        let out = trawl()
            .arg("scan")
            .arg(&share)
            .args(["--quiet", "--as-of", AS_OF, "--format", "json", "--reveal"])
            .arg("--state")
            .arg(dpo.join("state.db"))
            .arg("--out")
            .arg(dpo.join("out.json"))
            .arg("--html")
            .arg(dpo.join("report.html"))
            .arg("--log")
            .arg(dpo.join("trawl.log"))
            .arg("--manifest")
            .arg(dpo.join("manifest.json"))
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&std::fs::read(dpo.join("out.json")).unwrap()).unwrap()
    };
    // An auditor reruns the night's scan from its manifest, after the run
    // has written its outputs beside what it scanned, and later runs have
    // changed them: the rerun passes over them as the run did.
    let verify = |manifest: &Path| {
        let out = trawl().arg("verify").arg(manifest).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let own = |report: &Value| -> BTreeSet<(String, String)> {
        report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["path"].as_str().unwrap().starts_with("dpo/"))
            .map(|e| {
                assert_eq!(e["status"], "skipped", "{e}");
                let path = e["path"].as_str().unwrap().to_string();
                (path, e["reason"].as_str().unwrap().to_string())
            })
            .collect()
    };
    let listed = |names: &[(&str, &str)]| -> BTreeSet<(String, String)> {
        names
            .iter()
            .map(|(p, what)| {
                (
                    format!("dpo/{p}"),
                    format!("trawl's own {what}: not scanned"),
                )
            })
            .collect()
    };
    let state = [
        ("state.db", "state"),
        ("state.db-shm", "state"),
        ("state.db-wal", "state"),
        ("state.db.lock", "state"),
        ("trawl.log", "log"),
    ];
    let first = run();
    // The outputs being written are not listed: their names are of chance.
    assert_eq!(own(&first), listed(&state));
    let first_manifest = dir.path().join("first-manifest.json");
    std::fs::copy(dpo.join("manifest.json"), &first_manifest).unwrap();
    let second = run();
    let mut all = listed(&state);
    all.extend(listed(&[
        ("out.json", "output"),
        ("report.html", "HTML report"),
        ("manifest.json", "manifest"),
    ]));
    assert_eq!(own(&second), all);
    verify(&first_manifest);
    verify(&dpo.join("manifest.json"));
    for part in ["findings", "records"] {
        assert_eq!(first[part], second[part], "{part} differ between runs");
    }
    assert_eq!(second["history"]["new"].as_u64(), Some(0));
    assert_eq!(second["history"]["resolved"], serde_json::json!([]));
}

#[test]
fn a_second_run_reads_nothing_and_reports_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let share = share(dir.path());
    let first = nightly(dir.path(), &share, &[]);
    let second = nightly(dir.path(), &share, &[]);
    let files = first["summary"]["files_seen"].as_u64().unwrap();
    assert_eq!(first["history"]["files_read"].as_u64(), Some(files));
    reports_the_same(&first, &second, 0);
    assert_eq!(second["history"]["files_reused"].as_u64(), Some(files));
    assert_eq!(second["history"]["previous_run"].as_i64(), Some(1));
    // Every finding and record has a fingerprint, for triage.
    assert!(second["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["fingerprint"].as_str().is_some_and(|s| s.len() == 32)));
    assert!(second["records"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["fingerprint"].as_str().is_some_and(|s| s.len() == 32)));
    // Without a state, the same findings as with one.
    let out = trawl()
        .arg("scan")
        .arg(&share)
        .args(["--quiet", "--as-of", AS_OF, "--format", "json", "--policy"])
        .arg(root().join("rules/policies/example_housing.toml"))
        .output()
        .unwrap();
    let plain: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plain["summary"], second["summary"]);

    // The history lists both runs.
    let out = trawl()
        .args(["history", "--format", "json", "--state"])
        .arg(dir.path().join("state.db"))
        .output()
        .unwrap();
    let runs: Value = serde_json::from_slice(&out.stdout).unwrap();
    let runs = runs.as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[1]["outcome"], "completed");
    assert_eq!(runs[1]["files_read"], 0);
    assert_eq!(runs[0]["files_read"].as_u64(), Some(files));
}

/// A share mounted again (after a reboot, say) gets a new device number:
/// its files are the same files, and are not read again. A file replaced by
/// another (a new inode) of the same size and time is read again.
#[test]
fn a_share_mounted_again_is_not_read_again_but_a_replaced_file_is() {
    let dir = tempfile::tempdir().unwrap();
    let share = share(dir.path());
    let first = nightly(dir.path(), &share, &[]);
    let replaced = first["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .find(|p| !p.contains('!'))
        .unwrap();
    let conn = rusqlite::Connection::open(dir.path().join("state.db")).unwrap();
    let files = conn.execute("UPDATE files SET dev = dev + 1", []).unwrap();
    assert_eq!(
        Some(files as u64),
        first["summary"]["files_seen"].as_u64(),
        "every file the first run saw is stored"
    );
    let one = conn
        .execute("UPDATE files SET ino = ino + 1 WHERE path = ?1", [replaced])
        .unwrap();
    assert_eq!(one, 1, "{replaced}");
    drop(conn);
    let second = nightly(dir.path(), &share, &[]);
    reports_the_same(&first, &second, 1);
}

/// A state follows its roots: pointed at another share by mistake it is
/// refused, not emptied (every file removed, every finding resolved); the
/// same share named otherwise is the same; a share that has moved is
/// followed once told, and its files keep their names and results.
#[cfg(unix)]
#[test]
fn a_state_is_not_turned_on_another_share_unless_told() {
    let dir = tempfile::tempdir().unwrap();
    let share = share(dir.path());
    let first = nightly(dir.path(), &share, &[]);
    let state = dir.path().join("state.db");

    let other = dir.path().join("other");
    copy_dir(&root().join("fixtures/text"), &other);
    let out = scan_with_state(&other, &state);
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("this state follows "), "{said}");
    assert!(said.contains("--roots-changed"), "{said}");
    for root in [&share, &other] {
        let named = std::fs::canonicalize(root).unwrap();
        assert!(said.contains(&named.display().to_string()), "{said}");
    }
    assert_eq!(history(&state).lines().count(), 2, "no run was recorded");

    // The same folder, through a link and with a trailing '/'.
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&share, &link).unwrap();
    let again = nightly(dir.path(), Path::new(&format!("{}/", link.display())), &[]);
    assert_eq!(again["history"]["files_read"].as_u64(), Some(0));
    assert_eq!(again["findings"], first["findings"]);

    // Not mounted tonight, behind the link: a link to nothing is no other
    // share, and what it led to is neither removed nor resolved.
    let moved = dir.path().join("moved");
    std::fs::rename(&share, &moved).unwrap();
    let out = trawl()
        .arg("scan")
        .arg(&link)
        .args(["--quiet", "--as-of", AS_OF, "--format", "json", "--policy"])
        .arg(root().join("rules/policies/example_housing.toml"))
        .arg("--state")
        .arg(&state)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let away: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(only_failure(&away, "link").contains("stay open"));
    assert_eq!(away["history"]["files_removed"].as_u64(), Some(0));
    assert!(items(&away["history"]["resolved"]).is_empty());

    // Mounted elsewhere: followed once told, then without.
    assert_eq!(scan_with_state(&moved, &state).status.code(), Some(2));
    for extra in [&["--roots-changed"][..], &[]] {
        let report = nightly(dir.path(), &moved, extra);
        reports_the_same(&first, &report, 0);
    }
}

/// With several roots, files are named by their root as given: the same
/// folders named otherwise would rename every file, so that is refused too.
#[test]
fn several_roots_are_followed_as_named() {
    let dir = tempfile::tempdir().unwrap();
    share(dir.path());
    let scan = |roots: [&str; 2]| {
        trawl()
            .current_dir(dir.path())
            .arg("scan")
            .args(roots)
            .args(["--quiet", "--state", "state.db"])
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(scan(["share/text", "share/tables"]), Some(1));
    assert_eq!(scan(["share/tables/", "share/text"]), Some(1));
    let absolute = dir.path().join("share/text").display().to_string();
    assert_eq!(scan([&absolute, "share/tables"]), Some(2));
}

/// JSONL and CSV tell what JSON tells of a run with a state: each item's
/// fingerprint and whether it is new, what was resolved, and the run.
#[test]
fn every_output_format_tells_what_is_new_and_what_was_resolved() {
    let dir = tempfile::tempdir().unwrap();
    let share = share(dir.path());
    nightly(dir.path(), &share, &[]);
    std::fs::remove_file(share.join("tables/no_header.csv")).unwrap();
    std::fs::write(
        share.join("text/new.txt"),
        "Write to robin.new@example.com\n",
    )
    .unwrap();
    // The same run three times over: from copies of the state.
    let state = dir.path().join("state.db");
    let run = |format: &str| {
        let copy = dir.path().join(format!("{format}.db"));
        std::fs::copy(&state, &copy).unwrap();
        let out = trawl()
            .arg("scan")
            .arg(&share)
            .args(["--quiet", "--as-of", AS_OF, "--format", format, "--policy"])
            .arg(root().join("rules/policies/example_housing.toml"))
            .arg("--state")
            .arg(&copy)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8(out.stdout).unwrap()
    };
    let json: Value = serde_json::from_str(&run("json")).unwrap();
    let tracked = |item: &Value| {
        (
            item["fingerprint"].as_str().unwrap().to_string(),
            item["new"] == true,
        )
    };
    let mut want: Vec<(String, bool)> = ["findings", "records"]
        .iter()
        .flat_map(|part| json[part].as_array().unwrap().iter().map(tracked))
        .collect();
    let resolved = |kind: &str, fingerprint: &str, path: &str, label: &str| {
        [kind, fingerprint, path, label].map(str::to_string)
    };
    let mut want_resolved: Vec<[String; 4]> = json["history"]["resolved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let field = |k: &str| c[k].as_str().unwrap().to_string();
            resolved(
                &field("kind"),
                &field("fingerprint"),
                &field("path"),
                &field("label"),
            )
        })
        .collect();
    assert!(want.iter().any(|(_, new)| *new));
    assert!(!want_resolved.is_empty());
    want.sort();
    want_resolved.sort();

    let lines: Vec<Value> = run("jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let of = |kind: &'static str| lines.iter().filter(move |l| l["kind"] == kind);
    let mut got: Vec<(String, bool)> = of("finding").chain(of("record")).map(tracked).collect();
    got.sort();
    assert_eq!(got, want);
    let mut got_resolved: Vec<[String; 4]> = of("resolved")
        .map(|l| {
            let field = |k: &str| l[k].as_str().unwrap().to_string();
            resolved(
                &field("item"),
                &field("fingerprint"),
                &field("path"),
                &field("label"),
            )
        })
        .collect();
    got_resolved.sort();
    assert_eq!(got_resolved, want_resolved);
    let runs: Vec<&Value> = of("run").collect();
    assert_eq!(runs.len(), 1);
    for count in [
        "run",
        "previous_run",
        "files_read",
        "files_reused",
        "files_removed",
        "new",
        "kept_open",
    ] {
        assert_eq!(runs[0][count], json["history"][count], "{count}");
    }
    assert_eq!(
        runs[0]["resolved"].as_u64(),
        Some(want_resolved.len() as u64)
    );
    assert_eq!(lines.last().unwrap()["kind"], "summary");

    let csv = run("csv");
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let header = rows.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (kind, fingerprint, new) = (column("kind"), column("fingerprint"), column("new"));
    let (path, record, reason) = (column("path"), column("record"), column("reason"));
    let (mut got, mut got_resolved) = (Vec::new(), Vec::new());
    for row in rows.records() {
        let row = row.unwrap();
        match &row[kind] {
            "finding" | "record" => got.push((row[fingerprint].to_string(), &row[new] == "true")),
            "resolved" => got_resolved.push(resolved(
                &row[record],
                &row[fingerprint],
                &row[path],
                &row[reason],
            )),
            _ => {}
        }
    }
    got.sort();
    got_resolved.sort();
    assert_eq!(got, want);
    assert_eq!(got_resolved, want_resolved);
}

/// A run whose output could not be written (here, a full disk: /dev/full)
/// is recorded as failed, and what it found new or resolved is not taken as
/// told: the next run, whose report is written, reports it as new and
/// resolved. Otherwise the DPO would never hear of it.
#[cfg(target_os = "linux")]
#[test]
fn what_a_run_could_not_report_is_reported_by_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let share = share(dir.path());
    let first = nightly(dir.path(), &share, &[]);
    std::fs::write(
        share.join("text/new_note.txt"),
        "Please write to robin.new@example.com\n",
    )
    .unwrap();
    std::fs::remove_file(share.join("tables/no_header.csv")).unwrap();
    let failed = trawl()
        .arg("scan")
        .arg(&share)
        .args(["--quiet", "--as-of", AS_OF, "--format", "json", "--policy"])
        .arg(root().join("rules/policies/example_housing.toml"))
        .arg("--state")
        .arg(dir.path().join("state.db"))
        .args(["--out", "/dev/full"])
        .output()
        .unwrap();
    assert_eq!(failed.status.code(), Some(2));
    let said = String::from_utf8_lossy(&failed.stderr);
    assert!(said.contains("No space left on device"), "{said}");
    let runs = history(&dir.path().join("state.db"));
    assert!(
        runs.lines().any(|l| l.contains("failed")),
        "the run is recorded as failed: {runs}"
    );

    let third = nightly(dir.path(), &share, &[]);
    assert_eq!(
        third["history"]["previous_run"], first["history"]["run"],
        "compared with the last run whose report was written"
    );
    let new = new_items(&third);
    assert!(
        new.contains(&("finding".into(), "text/new_note.txt".into(), "email".into())),
        "{new:?}"
    );
    assert_eq!(third["history"]["new"].as_u64(), Some(new.len() as u64));
    let resolved = items(&third["history"]["resolved"]);
    assert!(
        resolved
            .iter()
            .any(|(_, path, _)| path == "tables/no_header.csv"),
        "{resolved:?}"
    );
}

#[test]
fn changed_added_and_deleted_files_show_as_new_and_resolved() {
    let dir = tempfile::tempdir().unwrap();
    let share = share(dir.path());
    let first = nightly(dir.path(), &share, &[]);
    // Change one tenant's email, add a note with an email, delete a file.
    let tenants = share.join("tables/no_header.csv");
    let deleted: Vec<(String, String, String)> = first["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == "tables/no_header.csv")
        .map(|f| {
            (
                "finding".into(),
                "tables/no_header.csv".into(),
                f["detector"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(!deleted.is_empty());
    std::fs::remove_file(&tenants).unwrap();
    std::fs::write(
        share.join("text/new_note.txt"),
        "Please write to robin.new@example.com\n",
    )
    .unwrap();
    let contacts = share.join("tables/tenants.csv");
    let text = std::fs::read_to_string(&contacts).unwrap();
    let old_email = text
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .nth(5)
        .unwrap()
        .to_string();
    std::fs::write(
        &contacts,
        text.replacen(&old_email, "changed.person@example.com", 1),
    )
    .unwrap();

    let second = nightly(dir.path(), &share, &[]);
    assert_eq!(
        second["history"]["files_read"].as_u64(),
        Some(2),
        "only the changed and the new file are read"
    );
    assert_eq!(second["history"]["files_removed"].as_u64(), Some(1));
    let new = new_items(&second);
    let expected_new: BTreeSet<(String, String, String)> = [
        ("finding", "tables/tenants.csv", "email"),
        ("finding", "text/new_note.txt", "email"),
        ("record", "text/new_note.txt", "document"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(new, expected_new);
    assert_eq!(second["history"]["new"].as_u64(), Some(3));
    let resolved = items(&second["history"]["resolved"]);
    let findings_resolved: BTreeSet<(String, String)> = resolved
        .iter()
        .filter(|(k, _, _)| k == "finding")
        .map(|(_, p, l)| (p.clone(), l.split(" · ").nth(1).unwrap().to_string()))
        .collect();
    let mut expected: BTreeSet<(String, String)> = deleted
        .iter()
        .map(|(_, p, d)| (p.clone(), d.clone()))
        .collect();
    expected.insert(("tables/tenants.csv".into(), "email".into()));
    assert_eq!(findings_resolved, expected);
    // The deleted file's records are resolved; the changed row's record
    // stays (same record, same flags).
    let records_resolved: BTreeSet<&str> = resolved
        .iter()
        .filter(|(k, _, _)| k == "record")
        .map(|(_, p, _)| p.as_str())
        .collect();
    assert_eq!(records_resolved, BTreeSet::from(["tables/no_header.csv"]));

    // `trawl diff` says the same, from the stored runs.
    let out = trawl()
        .args(["diff", "1", "2", "--format", "json", "--state"])
        .arg(dir.path().join("state.db"))
        .output()
        .unwrap();
    let diff: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(items(&diff["resolved"]), resolved);
    assert_eq!(diff["new"].as_array().unwrap().len(), 3);
    let text = trawl()
        .args(["diff", "1", "2", "--state"])
        .arg(dir.path().join("state.db"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.starts_with("run 1 → run 2: 3 new,"), "{text}");
    assert!(text.contains("+ finding text/new_note.txt"), "{text}");
    assert!(
        !text.contains("robin.new@example.com"),
        "a raw value in the diff"
    );
}

/// A record can pass its retention date while its file stays as it was:
/// the rescan reads nothing, yet the record now flagged is new and the same
/// record as it was reported (without the flag) is resolved.
#[test]
fn a_record_past_its_retention_date_is_new_without_its_file_changing() {
    let dir = tempfile::tempdir().unwrap();
    let share = share(dir.path());
    let first = nightly(dir.path(), &share, &[]);
    let later = nightly_as_of(dir.path(), &share, "2045-01-01", &[]);
    assert_eq!(later["history"]["files_read"].as_u64(), Some(0));
    let past = |report: &Value| -> BTreeSet<(String, String)> {
        report["records"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| {
                r["flags"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|f| f["flag"] == "past_retention")
            })
            .map(|r| {
                (
                    r["path"].as_str().unwrap().to_string(),
                    r["record"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let newly_past: BTreeSet<_> = past(&later).difference(&past(&first)).cloned().collect();
    assert!(
        !newly_past.is_empty(),
        "no record passed its retention date"
    );
    // Each is new now, and its earlier self resolved.
    let new: BTreeSet<(String, String)> = new_items(&later)
        .into_iter()
        .filter(|(kind, _, _)| kind == "record")
        .map(|(_, path, record)| (path, record))
        .collect();
    assert!(
        newly_past.is_subset(&new),
        "{newly_past:?} not all in {new:?}"
    );
    assert_eq!(later["history"]["new"].as_u64(), Some(new.len() as u64));
    let resolved: BTreeSet<&str> = later["history"]["resolved"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "record")
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    for (path, _) in &newly_past {
        assert!(resolved.contains(path.as_str()), "{path} not resolved");
    }
    // Findings are what they were: none new, none resolved.
    assert!(new_items(&later)
        .iter()
        .all(|(kind, _, _)| kind == "record"));
    assert!(later["history"]["resolved"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["kind"] == "record"));
}

/// What a scan of `share` without a state gives (JSON): what a run with
/// one must give too, whatever it reused.
fn scan_without_state(share: &Path, policy: &Path, extra: &[&str]) -> Value {
    let out = trawl()
        .arg("scan")
        .arg(share)
        .args(["--quiet", "--as-of", AS_OF, "--format", "json", "--policy"])
        .arg(policy)
        .args(extra)
        .output()
        .unwrap();
    common::found(&out)
}

/// (path, record, flags) of every record a report lists.
fn record_flags(report: &Value) -> BTreeSet<(String, String, String)> {
    report["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["path"].as_str().unwrap().to_string(),
                r["record"].as_str().unwrap().to_string(),
                r["flags"].to_string(),
            )
        })
        .collect()
}

/// A DPO's edit to the retention schedule is applied the next night
/// without reading the share again, and gives what a fresh scan under the
/// new policy gives; a policy that names another column for its records to
/// keep has every file read again, since those values are taken as a file
/// is read.
#[test]
fn a_policy_edit_judges_stored_records_again_without_reading() {
    let dir = tempfile::tempdir().unwrap();
    let share = share(dir.path());
    let log = dir.path().join("trawl.log");
    let log_args = ["--log", log.to_str().unwrap()];
    let first = nightly(dir.path(), &share, &log_args);
    let text = std::fs::read_to_string(root().join("rules/policies/example_housing.toml")).unwrap();
    let schedule =
        r#"retention = { period = "2 years", after = { column = ["Completed", "Date Completed"] }"#;
    assert_eq!(text.matches(schedule).count(), 1);
    let edited = dir.path().join("edited.toml");
    std::fs::write(
        &edited,
        text.replace(schedule, &schedule.replace("2 years", "30 years")),
    )
    .unwrap();

    let html = dir.path().join("report.html");
    let later = nightly_under(
        dir.path(),
        &share,
        AS_OF,
        &edited,
        &[&log_args[..], &["--html", html.to_str().unwrap()]].concat(),
    );
    assert_eq!(later["history"]["files_read"].as_u64(), Some(0));
    // Told, with the run it is compared with, wherever the run is told of.
    assert_eq!(later["history"]["policy_changed"], true);
    assert_eq!(later["history"]["rules_changed"], Value::Null);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("The policy changed since run 1"),
        "no word of it in the report"
    );
    let runs: Value = serde_json::from_str(&history_json(&dir.path().join("state.db"))).unwrap();
    assert_eq!(runs[0]["policy_sha256"], first["policy"]["sha256"]);
    assert_eq!(runs[1]["policy_sha256"], later["policy"]["sha256"]);
    assert_ne!(runs[0]["policy_sha256"], runs[1]["policy_sha256"]);
    assert_eq!(runs[0]["rules_sha256"], runs[1]["rules_sha256"]);
    assert_eq!(runs[1]["rules_sha256"], later["rules_sha256"]);
    let diff = trawl()
        .args(["diff", "1", "2", "--state"])
        .arg(dir.path().join("state.db"))
        .output()
        .unwrap();
    let diff = String::from_utf8_lossy(&diff.stdout);
    assert!(
        diff.lines()
            .next()
            .unwrap()
            .ends_with("; they judged by another policy"),
        "{diff}"
    );
    let listed = history(&dir.path().join("state.db"));
    let short = &later["policy"]["sha256"].as_str().unwrap()[..8];
    assert!(listed.lines().nth(2).unwrap().ends_with(short), "{listed}");
    let fresh = scan_without_state(&share, &edited, &[]);
    assert_eq!(record_flags(&later), record_flags(&fresh));
    assert_eq!(later["summary"], fresh["summary"]);
    assert_ne!(
        record_flags(&later),
        record_flags(&first),
        "the edit changed no record's flags: the test proves nothing"
    );
    // A record whose flags the edit changed is new, its earlier self
    // resolved; one whose flags only read otherwise (the period named in a
    // reason) is the same item.
    let kinds = |report: &Value| -> BTreeSet<(String, String, Vec<String>)> {
        report["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let flags = r["flags"].as_array().unwrap().iter();
                (
                    r["path"].as_str().unwrap().to_string(),
                    r["record"].as_str().unwrap().to_string(),
                    flags
                        .map(|f| f["flag"].as_str().unwrap().to_string())
                        .collect(),
                )
            })
            .collect()
    };
    let changed: BTreeSet<_> = kinds(&later)
        .difference(&kinds(&first))
        .map(|(path, record, _)| ("record".to_string(), path.clone(), record.clone()))
        .collect();
    assert!(!changed.is_empty());
    assert_eq!(new_items(&later), changed);
    let resolved: BTreeSet<_> = items(&later["history"]["resolved"])
        .into_iter()
        .map(|(kind, path, label)| (kind, path, label.split(" · ").next().unwrap().to_string()))
        .collect();
    assert_eq!(resolved, changed);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("the policy changed since run 1: every record is judged under the new one, with no file read again for it"),
        "{text}"
    );

    // A column more to keep: every file is read again.
    let keeps_more = dir.path().join("keeps_more.toml");
    std::fs::write(
        &keeps_more,
        text_with_column(&std::fs::read_to_string(&edited).unwrap()),
    )
    .unwrap();
    let again = nightly_under(dir.path(), &share, AS_OF, &keeps_more, &[]);
    assert_eq!(
        again["history"]["files_read"],
        first["history"]["files_read"]
    );
}

/// The policy with a lawful-basis column more for the repairs process.
fn text_with_column(policy: &str) -> String {
    let anchor = r#"headers = [["Job No", "Contact Phone"]] }"#;
    assert_eq!(policy.matches(anchor).count(), 1);
    policy.replace(
        anchor,
        &format!("{anchor}\ncolumns = {{ lawful_basis = [\"Basis\"] }}"),
    )
}

#[test]
fn a_triage_decision_survives_rescans() {
    let dir = tempfile::tempdir().unwrap();
    let share = share(dir.path());
    let first = nightly(dir.path(), &share, &[]);
    let finding = finding_at(&first, "tables/tenants.csv", "uk_phone");
    let fp = finding["fingerprint"].as_str().unwrap();
    let out = decide(
        &dir.path().join("state.db"),
        fp,
        "false_positive",
        "office switchboard",
    );
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.starts_with("recorded false_positive for 1 fingerprint (by A. DPO, "),
        "{said}"
    );
    // Rescan, with a change elsewhere so the run is not a no-op.
    std::fs::write(share.join("text/other.txt"), "nothing here\n").unwrap();
    let second = nightly(dir.path(), &share, &[]);
    let listed = second["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["fingerprint"] == fp);
    assert!(!listed, "a false positive is hidden by default");
    assert_eq!(second["summary"]["findings_suppressed"], 1);
    // Decided on, not gone: nothing is resolved, nothing new.
    assert_eq!(second["history"]["resolved"], serde_json::json!([]));
    assert_eq!(second["history"]["new"].as_u64(), Some(0));
    assert_eq!(
        second["summary"]["findings"].as_u64().unwrap() + 1,
        first["summary"]["findings"].as_u64().unwrap()
    );
    // Shown on request, with the decision.
    let third = nightly(dir.path(), &share, &["--show-suppressed"]);
    let shown = third["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["fingerprint"] == fp)
        .expect("listed with --show-suppressed");
    assert_eq!(shown["triage"]["status"], "false_positive");
    assert_eq!(shown["triage"]["by"], "A. DPO");
    assert_eq!(shown["triage"]["note"], "office switchboard");
    // A record's decision hides the record, and survives too.
    let record = third["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"] == "tables/tenants.csv" && r["triage"].is_null())
        .unwrap();
    let record_fp = record["fingerprint"].as_str().unwrap().to_string();
    let out = decide(
        &dir.path().join("state.db"),
        &record_fp,
        "accepted",
        "kept under the tenancy contract",
    );
    assert!(out.status.success());
    let fourth = nightly(dir.path(), &share, &[]);
    assert_eq!(fourth["summary"]["records_suppressed"], 1);
    // The terminal's summary says what it does not count.
    let out = trawl()
        .arg("scan")
        .arg(&share)
        .arg("--state")
        .arg(dir.path().join("state.db"))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("trawl: 1 finding and 1 record suppressed by triage decisions or suppressions.toml: not counted here nor shown"),
        "{said}"
    );
    assert!(!fourth["records"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["fingerprint"] == record_fp.as_str()));
    // A fingerprint must look like one.
    let out = decide(
        &dir.path().join("state.db"),
        "not-a-fingerprint",
        "accepted",
        "n",
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn rehash_finds_a_change_that_kept_size_and_time() {
    let dir = tempfile::tempdir().unwrap();
    let share = dir.path().join("share");
    std::fs::create_dir_all(&share).unwrap();
    let note = share.join("note.txt");
    std::fs::write(&note, "Contact: aaaa.bbbb@example.com\n").unwrap();
    let when = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    std::fs::File::options()
        .write(true)
        .open(&note)
        .unwrap()
        .set_modified(when)
        .unwrap();
    nightly(dir.path(), &share, &[]);
    std::fs::write(&note, "Contact: cccc.dddd@example.com\n").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&note)
        .unwrap()
        .set_modified(when)
        .unwrap();
    let quick = nightly(dir.path(), &share, &[]);
    assert_eq!(
        quick["history"]["files_read"], 0,
        "size and time alone cannot tell"
    );
    let thorough = nightly(dir.path(), &share, &["--rehash"]);
    assert_eq!(thorough["history"]["files_read"], 1);
    assert_eq!(thorough["findings"][0]["masked"], "c***.****@*******.com");
    assert_eq!(
        thorough["history"]["new"], 1,
        "the new value (its record is the same)"
    );
    // Raw values are never stored: to reveal them, every file is read, and
    // what is stored of it is still masked.
    let revealed = nightly(dir.path(), &share, &["--reveal"]);
    assert_eq!(revealed["history"]["files_read"], 1);
    assert_eq!(revealed["findings"][0]["value"], "cccc.dddd@example.com");
    let conn = rusqlite::Connection::open(dir.path().join("state.db")).unwrap();
    // Stored results are packed (binary), their strings as written.
    let stored: Vec<u8> = conn
        .prepare("SELECT result FROM results")
        .unwrap()
        .query_map([], |r| r.get::<_, Vec<u8>>(0))
        .unwrap()
        .flat_map(Result::unwrap)
        .collect();
    let holds = |text: &str| stored.windows(text.len()).any(|w| w == text.as_bytes());
    assert!(holds("c***.****@*******.com"), "the masked value is kept");
    assert!(!holds("cccc.dddd@example.com"), "a raw value in the state");
    // And the next run, without --reveal, reuses it.
    let after = nightly(dir.path(), &share, &[]);
    assert_eq!(after["history"]["files_read"], 0);
    assert!(after["findings"][0].get("value").is_none());
}

/// Results stored by another build of trawl (another version, or one built
/// from other source, which may read a format differently) are not reused:
/// every file is read again, and its results are stored as this build's.
#[test]
fn results_another_build_made_are_not_reused() {
    let dir = tempfile::tempdir().unwrap();
    let share = share(dir.path());
    let first = nightly(dir.path(), &share, &[]);
    let read = first["history"]["files_read"].as_u64().unwrap();
    assert!(read > 60, "{read}");
    let conn = rusqlite::Connection::open(dir.path().join("state.db")).unwrap();
    let made_with: String = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'results_made_with'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(made_with.len(), 64, "a digest: {made_with}");
    conn.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'results_made_with'",
        [made_with.replace(|c: char| c != '0', "0")],
    )
    .unwrap();
    drop(conn);
    let other = nightly(dir.path(), &share, &[]);
    assert_eq!(other["history"]["files_read"].as_u64(), Some(read));
    assert_eq!(other["findings"], first["findings"]);
    let then = nightly(dir.path(), &share, &[]);
    assert_eq!(then["history"]["files_read"].as_u64(), Some(0));
}

/// Content hashes are taken as files are read (a text file is read once,
/// a zip's skipped parts again at the end): every one must be its file's.
#[test]
fn stored_content_hashes_are_the_files_and_rehash_reads_nothing_again() {
    let dir = tempfile::tempdir().unwrap();
    let share = share(dir.path());
    let first = nightly(dir.path(), &share, &[]);
    let conn = rusqlite::Connection::open(dir.path().join("state.db")).unwrap();
    let stored: Vec<(String, Option<String>, String)> = conn
        .prepare("SELECT path, sha256, format FROM files ORDER BY path")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    drop(conn);
    assert_eq!(
        stored.len() as u64,
        first["summary"]["files_seen"].as_u64().unwrap()
    );
    let mut formats = BTreeSet::new();
    for (path, sha256, format) in &stored {
        let bytes = std::fs::read(share.join(path)).unwrap();
        assert_eq!(
            sha256.as_deref(),
            Some(trawl::digest::sha256_hex(&bytes).as_str()),
            "{path}"
        );
        formats.insert(format.as_str());
    }
    // Formats read in order and formats read from their end alike.
    for format in ["text", "csv", "json", "xlsx", "docx", "pdf", "zip"] {
        assert!(formats.contains(format), "no {format} file: {formats:?}");
    }
    let rehashed = nightly(dir.path(), &share, &["--rehash"]);
    assert_eq!(rehashed["history"]["files_read"].as_u64(), Some(0));
}

/// A suppression by the value's hash holds on a rescan too, though the state
/// keeps no hash of any value.
#[test]
fn a_value_suppression_holds_when_the_file_is_not_read_again() {
    let dir = tempfile::tempdir().unwrap();
    let share = dir.path().join("share");
    std::fs::create_dir_all(&share).unwrap();
    std::fs::write(
        share.join("note.txt"),
        "Test address aaaa.bbbb@example.com; real one cccc.dddd@example.com\n",
    )
    .unwrap();
    let rules = dir.path().join("rules");
    common::copy_rules(&rules);
    std::fs::write(
        rules.join("suppressions.toml"),
        format!(
            "version = 1\n[[suppress]]\nreason = \"our test address\"\nvalue_sha256 = \"{}\"\n",
            trawl::digest::sha256_hex(b"aaaa.bbbb@example.com")
        ),
    )
    .unwrap();
    let rules = rules.to_str().unwrap();
    for (run, read) in [(1, 1), (2, 0)] {
        let report = nightly(dir.path(), &share, &["--rules", rules]);
        assert_eq!(report["history"]["files_read"], read, "run {run}");
        assert_eq!(report["summary"]["findings_suppressed"], 1, "run {run}");
        let masked: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["masked"].as_str().unwrap())
            .collect();
        assert_eq!(masked, ["c***.****@*******.com"], "run {run}");
    }
}

/// The README's backup, `flock STATE.lock sqlite3 STATE ".backup COPY"`:
/// the lock is the one a run holds (a run started while it is held is
/// refused with exit 4), and the copy, put back in place of the state, is
/// used as it was (nothing read again).
#[cfg(unix)]
#[test]
fn a_state_copied_under_its_lock_is_a_usable_backup() {
    use std::os::unix::io::AsRawFd;
    let dir = tempfile::tempdir().unwrap();
    let share = share(dir.path());
    let state = dir.path().join("state.db");
    let lock_path = dir.path().join("state.db.lock");
    let first = nightly(dir.path(), &share, &[]);
    let lock = std::fs::File::open(&lock_path).unwrap();
    // SAFETY: flock on a descriptor the test owns, as flock(1) takes it.
    assert_eq!(unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) }, 0);
    let out = scan_with_state(&share, &state);
    assert_eq!(out.status.code(), Some(4), "a run started beside the copy");
    drop(lock);
    let backup = dir.path().join("backup.db");
    let tools = ["flock", "sqlite3"]
        .iter()
        .all(|t| Process::new(t).arg("--version").output().is_ok());
    if !tools {
        // As the browser test: CI installs them and sets this.
        assert!(
            std::env::var_os("TRAWL_REQUIRE_SQLITE3").is_none(),
            "TRAWL_REQUIRE_SQLITE3 is set but flock or sqlite3 is missing (apt-get install sqlite3 util-linux)"
        );
        eprintln!("SKIPPED the README's backup: flock or sqlite3 is not installed (apt-get install sqlite3 util-linux; CI installs them)");
        return;
    }
    let status = Process::new("flock")
        .arg(&lock_path)
        .arg("sqlite3")
        .arg(&state)
        .arg(format!(".backup '{}'", backup.display()))
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::remove_file(&state).unwrap();
    std::fs::rename(&backup, &state).unwrap();
    let restored = nightly(dir.path(), &share, &[]);
    reports_the_same(&first, &restored, 0);
}

/// A suppression added to the rules has the files that held anything
/// read again (a suppression can match a value's hash, which the state
/// never keeps), not the whole share, and the run reports what a fresh scan
/// with those rules does; the next run reads nothing.
#[test]
fn a_suppression_added_reads_only_the_files_that_held_anything() {
    let dir = tempfile::tempdir().unwrap();
    let share = share(dir.path());
    // As on a share, most files hold nothing.
    std::fs::create_dir_all(share.join("minutes")).unwrap();
    for i in 0..100 {
        std::fs::write(
            share.join(format!("minutes/meeting_{i:03}.txt")),
            format!("Board meeting {i}: the boiler programme is on schedule.\n"),
        )
        .unwrap();
    }
    let rules = dir.path().join("rules");
    common::copy_rules(&rules);
    let rules_arg = ["--rules", rules.to_str().unwrap()];
    let first = nightly(dir.path(), &share, &rules_arg);
    let seen = first["summary"]["files_seen"].as_u64().unwrap();
    let holding: BTreeSet<&str> = first["findings"]
        .as_array()
        .unwrap()
        .iter()
        .chain(first["errors"].as_array().unwrap())
        .map(|f| f["path"].as_str().unwrap().split("!/").next().unwrap())
        .collect();
    assert!(
        holding.len() as u64 * 2 < seen,
        "{} of {seen}",
        holding.len()
    );
    let suppressed = finding_at(&first, "housing/support/visit_notes.txt", "uk_nino");
    std::fs::write(
        rules.join("suppressions.toml"),
        "version = 1\n[[suppress]]\nreason = \"a letter template\"\npath = \"housing/support/visit_notes.txt\"\ndetector = \"uk_nino\"\n",
    )
    .unwrap();
    let log = dir.path().join("trawl.log");
    let later = nightly(
        dir.path(),
        &share,
        &[&rules_arg[..], &["--log", log.to_str().unwrap()]].concat(),
    );
    let read = later["history"]["files_read"].as_u64().unwrap();
    assert!(
        read > 0 && read <= holding.len() as u64,
        "{read} read, {} held anything",
        holding.len()
    );
    let policy = root().join("rules/policies/example_housing.toml");
    let fresh = scan_without_state(&share, &policy, &rules_arg);
    assert_eq!(later["summary"], fresh["summary"]);
    assert!(later["summary"]["findings_suppressed"].as_u64().unwrap() > 0);
    let fingerprint = suppressed["fingerprint"].as_str().unwrap();
    assert!(!later["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["fingerprint"] == fingerprint));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("the suppressions changed"), "{text}");
    assert_eq!(later["history"]["rules_changed"], true);
    assert_eq!(later["history"]["policy_changed"], Value::Null);

    let again = nightly(dir.path(), &share, &rules_arg);
    reports_the_same(&later, &again, 0);
}

#[test]
fn a_busy_state_is_refused_with_its_own_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let share = share(dir.path());
    nightly(dir.path(), &share, &[]);
    let held = trawl::state::State::open(&dir.path().join("state.db")).unwrap();
    let out = scan_with_state(&share, &dir.path().join("state.db"));
    assert_eq!(out.status.code(), Some(4));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("another trawl run"), "{err}");
    assert!(out.stdout.is_empty());
    drop(held);
    nightly(dir.path(), &share, &[]);
}

/// A DPO's decision does not wait for a run that may last the night: it is
/// recorded while the run holds the state, and applies from the next run.
/// A mistyped state is refused, not created with the decision in it.
#[test]
fn a_decision_is_recorded_while_a_run_holds_the_state_and_never_into_a_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let share = share(dir.path());
    let state = dir.path().join("state.db");
    let first = nightly(dir.path(), &share, &[]);
    let fp = first["findings"][0]["fingerprint"].as_str().unwrap();
    let decide = |state: &Path| decide(state, fp, "accepted", "kept");
    let held = trawl::state::State::open(&state).unwrap();
    let out = decide(&state);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("a run is under way"), "{said}");
    assert_eq!(
        scan_with_state(&share, &state).status.code(),
        Some(4),
        "runs still exclude each other"
    );
    drop(held);
    let second = nightly(dir.path(), &share, &["--show-suppressed"]);
    let decided = second["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["fingerprint"] == fp)
        .unwrap();
    assert_eq!(decided["triage"]["status"], "accepted");

    let mistyped = dir.path().join("stat.db");
    let out = decide(&mistyped);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no state at"));
    assert!(!mistyped.exists());
    assert!(!dir.path().join("stat.db.lock").exists());
}

#[test]
fn a_state_from_elsewhere_is_refused_not_misread() {
    let dir = tempfile::tempdir().unwrap();
    let share = share(dir.path());
    // Not a state at all: left exactly as it was.
    let other = dir.path().join("other.db");
    std::fs::write(&other, b"just some file, not SQLite").unwrap();
    let out = trawl()
        .arg("scan")
        .arg(&share)
        .args(["--quiet", "--state"])
        .arg(&other)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read(&other).unwrap(),
        b"just some file, not SQLite"
    );
    // A state damaged (cut short, as by a full disk): said so, and left.
    nightly(dir.path(), &share, &[]);
    let damaged = dir.path().join("damaged.db");
    let bytes = std::fs::read(dir.path().join("state.db")).unwrap();
    std::fs::write(&damaged, &bytes[..bytes.len() / 3]).unwrap();
    let out = scan_with_state(&share, &damaged);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is damaged"), "{err}");
    assert!(err.contains("restore it from a backup"), "{err}");
    assert_eq!(std::fs::read(&damaged).unwrap(), bytes[..bytes.len() / 3]);
    // Damaged inside (a disk's bad blocks), past what is read on opening
    // it: said as plainly, by a scan and by history.
    let mut inside = bytes.clone();
    inside[8192..].fill(0xa5);
    std::fs::write(&damaged, &inside).unwrap();
    let out = scan_with_state(&share, &damaged);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("is damaged: restore it from a backup"),
        "{err}"
    );
    let out = trawl()
        .args(["history", "--state"])
        .arg(&damaged)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("is damaged: restore it from a backup"),
        "{err}"
    );
    // A state written by a newer trawl.
    nightly(dir.path(), &share, &[]);
    let conn = rusqlite::Connection::open(dir.path().join("state.db")).unwrap();
    conn.execute(
        "UPDATE meta SET value = '99' WHERE key = 'schema_version'",
        [],
    )
    .unwrap();
    drop(conn);
    let out = scan_with_state(&share, &dir.path().join("state.db"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("newer trawl (state version 99"), "{err}");
}

/// A share big enough to stop part-way: many files of generated text.
#[cfg(unix)]
fn big_share(dir: &Path) -> PathBuf {
    let share = dir.join("big");
    for folder in 0..20 {
        let d = share.join(format!("f{folder:02}"));
        std::fs::create_dir_all(&d).unwrap();
        for file in 0..100 {
            let text = trawl::synth::mixed_text(24 << 10, (folder * 100 + file) as u64, 6);
            std::fs::write(d.join(format!("n{file:03}.txt")), text).unwrap();
        }
    }
    share
}

#[cfg(unix)]
fn wait_for_log(log: &Path, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !std::fs::read_to_string(log)
        .unwrap_or_default()
        .contains(what)
    {
        assert!(Instant::now() < deadline, "{what:?} never logged");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// `trawl history` of a state, as text.
fn history(state: &Path) -> String {
    history_as(state, "text")
}

fn history_json(state: &Path) -> String {
    history_as(state, "json")
}

fn history_as(state: &Path, format: &str) -> String {
    let out = trawl()
        .args(["history", "--format", format, "--state"])
        .arg(state)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The report's records of `path` not read (or read in part).
/// `trawl triage FINGERPRINT --status STATUS --note NOTE --by "A. DPO"` on
/// the state `state`.
fn decide(state: &Path, fingerprint: &str, status: &str, note: &str) -> std::process::Output {
    trawl()
        .args(["triage", fingerprint, "--status", status, "--note", note])
        .args(["--by", "A. DPO", "--state"])
        .arg(state)
        .output()
        .unwrap()
}

/// The report's first finding in `path` by `detector`.
fn finding_at(report: &Value, path: &str, detector: &str) -> Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == path && f["detector"] == detector)
        .unwrap_or_else(|| panic!("no {detector} finding in {path}"))
        .clone()
}

fn errors_at<'r>(report: &'r Value, path: &str) -> Vec<&'r Value> {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["path"] == path)
        .collect()
}

/// The report's one file that could not be read: it must be `path`, and
/// have failed; returns why.
fn only_failure(report: &Value, path: &str) -> String {
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["path"], path);
    assert_eq!(errors[0]["status"], "failed");
    errors[0]["reason"].as_str().unwrap().to_string()
}

/// Sends SIGTERM to a scan under way: it must stop cleanly, exit 5 and
/// write its JSON report marked partial, which is returned.
#[cfg(unix)]
fn terminate(child: std::process::Child) -> Value {
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(5), "stopped runs exit 5");
    let partial: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(partial["partial"], true);
    partial
}

#[cfg(unix)]
#[test]
fn a_stopped_or_killed_scan_leaves_a_usable_state() {
    let dir = tempfile::tempdir().unwrap();
    let share = big_share(dir.path());
    let state = dir.path().join("state.db");
    let log = dir.path().join("trawl.log");
    let start = |extra: &[&str]| {
        Process::new(env!("CARGO_BIN_EXE_trawl"))
            .arg("scan")
            .arg(&share)
            .args([
                "--quiet",
                "--as-of",
                AS_OF,
                "--format",
                "json",
                "--threads",
                "1",
                "--state",
            ])
            .arg(&state)
            .arg("--log")
            .arg(&log)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    // SIGTERM: stops cleanly, writes a partial report, exits 5.
    let html = dir.path().join("partial.html");
    let child = start(&["--html", html.to_str().unwrap()]);
    wait_for_log(&log, "run 1:");
    std::thread::sleep(Duration::from_millis(150));
    let partial = terminate(child);
    let read_before_stop = partial["history"]["files_read"].as_u64().unwrap();
    assert!(
        read_before_stop < 2000,
        "the scan finished before it was stopped"
    );
    assert!(std::fs::read_to_string(&log)
        .unwrap()
        .contains("stopped before every file was read"));

    // SIGKILL part-way through the next run: nothing to clean up with.
    let child = start(&["--rehash"]);
    wait_for_log(&log, "run 2:");
    std::thread::sleep(Duration::from_millis(100));
    unsafe {
        libc::kill(child.id() as i32, libc::SIGKILL);
    }
    let _ = child.wait_with_output().unwrap();

    // The state still works: the next run completes, reuses what was
    // stored, and gives what a scan without a state gives.
    let out = start(&[]).wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let done: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(done.get("partial").is_none());
    assert!(done["history"]["files_reused"].as_u64().unwrap() >= read_before_stop);
    assert_eq!(done["summary"]["files_seen"], 2000);
    let plain = trawl()
        .arg("scan")
        .arg(&share)
        .args(["--quiet", "--as-of", AS_OF, "--format", "json"])
        .output()
        .unwrap();
    let plain: Value = serde_json::from_slice(&plain.stdout).unwrap();
    assert_eq!(plain["summary"], done["summary"]);
    let strip = |v: &Value| -> Vec<Value> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let mut f = f.clone();
                f.as_object_mut().unwrap().remove("fingerprint");
                f.as_object_mut().unwrap().remove("new");
                f
            })
            .collect()
    };
    assert!(
        strip(&plain) == strip(&done),
        "findings differ after the interruptions"
    );
    let runs = history(&state);
    assert!(runs.contains("interrupted"), "{runs}");
    assert!(
        runs.contains("running"),
        "the killed run is listed as it was left: {runs}"
    );
}

/// An XLSX whose one cell carries `attributes` attributes: calamine leaves
/// quick-xml's duplicate-attribute check on, which is quadratic, so 200,000
/// take it about a minute (see `tests/hostile/`). A reader that does not
/// return in time, made to order.
fn slow_workbook(attributes: usize) -> Vec<u8> {
    use std::io::Write;
    let cell_attributes: String = (0..attributes).map(|i| format!(r#" a{i}="1""#)).collect();
    let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let parts = [
        ("[Content_Types].xml", r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>"#.to_string()),
        ("_rels/.rels", format!(r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#)),
        ("xl/workbook.xml", format!(r#"<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#)),
        ("xl/_rels/workbook.xml.rels", format!(r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#)),
        ("xl/worksheets/sheet1.xml", format!(r#"<worksheet xmlns="{main}"><sheetData><row r="1"><c r="A1" t="inlineStr"{cell_attributes}><is><t>x</t></is></c></row></sheetData></worksheet>"#)),
    ];
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in parts {
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(text.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[cfg(unix)]
#[test]
fn a_reader_that_does_not_return_cannot_keep_a_stopped_scan_from_finishing() {
    let dir = tempfile::tempdir().unwrap();
    let share = dir.path().join("share");
    std::fs::create_dir(&share).unwrap();
    std::fs::write(share.join("slow.xlsx"), slow_workbook(200_000)).unwrap();
    let state = dir.path().join("state.db");
    let log = dir.path().join("trawl.log");
    let child = Process::new(env!("CARGO_BIN_EXE_trawl"))
        .arg("scan")
        .arg(&share)
        .args(["--quiet", "--as-of", AS_OF, "--format", "json"])
        .args(["--threads", "1", "--stop-grace", "1", "--state"])
        .arg(&state)
        .arg("--log")
        .arg(&log)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_log(&log, "run 1:");
    // Well into the minute the workbook takes.
    std::thread::sleep(Duration::from_secs(2));
    // Without the grace, this waits for the reader: a minute, not a second.
    let partial = terminate(child);
    let reason = only_failure(&partial, "slow.xlsx");
    assert!(
        reason.starts_with("still being read 1 s after the scan was stopped: abandoned"),
        "{reason}"
    );
    // The state is usable, and does not hold the abandoned file: the next
    // run reads it again.
    let conn = rusqlite::Connection::open(&state).unwrap();
    let stored: i64 = conn
        .query_row("SELECT count(*) FROM files", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, 0);
    let runs = history(&state);
    assert!(runs.contains("interrupted"), "{runs}");
}

/// A scan with `--file-timeout 1` and a state of a share holding the slow
/// workbook beside a note with an email: its exit code and JSON report.
fn scan_with_a_file_that_does_not_return(dir: &Path, threads: &str) -> (Option<i32>, Value) {
    let share = dir.join("share");
    std::fs::create_dir(&share).unwrap();
    std::fs::write(share.join("slow.xlsx"), slow_workbook(200_000)).unwrap();
    std::fs::write(share.join("note.txt"), "Write to robin.new@example.com\n").unwrap();
    let started = Instant::now();
    let out = trawl()
        .arg("scan")
        .arg(&share)
        .args(["--quiet", "--as-of", AS_OF, "--format", "json"])
        .args([
            "--file-timeout",
            "1",
            "--stop-grace",
            "1",
            "--threads",
            threads,
        ])
        .arg("--state")
        .arg(dir.join("state.db"))
        .output()
        .unwrap();
    // The workbook takes about a minute; the scan does not wait for it.
    assert!(started.elapsed() < Duration::from_secs(30));
    (
        out.status.code(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

#[test]
fn a_file_read_past_file_timeout_is_abandoned_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let (code, report) = scan_with_a_file_that_does_not_return(dir.path(), "2");
    assert_eq!(code, Some(1), "the note's email is found");
    assert_ne!(report["partial"], true, "the other worker read the rest");
    assert_eq!(report["findings"][0]["path"], "note.txt");
    let reason = only_failure(&report, "slow.xlsx");
    assert!(
        reason.starts_with("still being read after 1 s (--file-timeout): abandoned"),
        "{reason}"
    );
    // Not stored: the next run reads it again.
    let conn = rusqlite::Connection::open(dir.path().join("state.db")).unwrap();
    let stored: Vec<String> = conn
        .prepare("SELECT path FROM files")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(stored, ["note.txt"]);
}

#[test]
fn a_scan_whose_every_worker_is_held_past_file_timeout_stops() {
    let dir = tempfile::tempdir().unwrap();
    let (code, report) = scan_with_a_file_that_does_not_return(dir.path(), "1");
    assert_eq!(code, Some(5), "stopped, as after a signal");
    assert_eq!(report["partial"], true);
    let abandoned = errors_at(&report, "slow.xlsx");
    assert_eq!(abandoned.len(), 1, "reported once: {abandoned:?}");
    assert!(history(&dir.path().join("state.db")).contains("interrupted"));
}

/// Every file's bytes, size, modification and access times, and every
/// folder's listing.
fn snapshot(p: &Path) -> Vec<(String, Vec<u8>, u64, SystemTime, SystemTime)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(p).unwrap() {
        let e = e.unwrap();
        let m = std::fs::symlink_metadata(e.path()).unwrap();
        let bytes = if m.is_file() {
            std::fs::read(e.path()).unwrap()
        } else {
            Vec::new()
        };
        // Read the times before reading the bytes changed nothing we check:
        // the metadata was taken first.
        out.push((
            e.path().display().to_string(),
            bytes,
            m.len(),
            m.modified().unwrap(),
            if m.is_file() {
                m.accessed().unwrap()
            } else {
                SystemTime::UNIX_EPOCH
            },
        ));
        if m.is_dir() {
            out.extend(snapshot(&e.path()));
        }
    }
    out.sort();
    out
}

#[test]
fn a_scan_leaves_the_share_byte_and_timestamp_identical() {
    let dir = tempfile::tempdir().unwrap();
    let share = share(dir.path());
    // Old access times, so that any read that updated them would show
    // (relatime updates an access time older than a day).
    let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000);
    fn age(p: &Path, when: SystemTime) {
        for e in std::fs::read_dir(p).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                age(&e.path(), when);
            } else {
                let f = std::fs::File::options().write(true).open(e.path()).unwrap();
                f.set_times(
                    std::fs::FileTimes::new()
                        .set_accessed(when)
                        .set_modified(when),
                )
                .unwrap();
            }
        }
    }
    age(&share, old);
    let before = snapshot(&share);
    // Snapshots read every file: age them again so the scan's reads are
    // what is tested.
    age(&share, old);
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    for extra in [&[][..], &["--rehash"][..]] {
        trawl()
            .arg("scan")
            .arg(&share)
            .args(["--quiet", "--format", "json", "--out"])
            .arg(out.join("scan.json"))
            .arg("--html")
            .arg(out.join("report.html"))
            .arg("--manifest")
            .arg(out.join("manifest.json"))
            .arg("--log")
            .arg(out.join("trawl.log"))
            .arg("--state")
            .arg(out.join("state.db"))
            .args(extra)
            .assert()
            .code(1);
    }
    let after = snapshot(&share);
    assert_eq!(before.len(), after.len(), "files were added or removed");
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(b.0, a.0);
        assert!(b.1 == a.1, "{} changed", b.0);
        assert_eq!(b.2, a.2, "{} changed size", b.0);
        assert_eq!(b.3, a.3, "{} changed modification time", b.0);
        // O_NOATIME is Linux's: elsewhere the system's setting decides
        // (README, on Windows).
        if cfg!(target_os = "linux") && b.4 != SystemTime::UNIX_EPOCH {
            assert_eq!(a.4, old, "{}: its access time changed", b.0);
        }
    }
}

/// A manifest written by a nightly run is the scan's, as `trawl verify`
/// reruns it without the state: it lists and hashes every file, those a
/// rescan settles without reading among them, and digests the output
/// without what only the state gives (fingerprints, "new"). So the first
/// run's manifest and a rescan's verify as identical, and agree.
#[test]
fn a_nightly_runs_manifest_lists_every_file_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let share = share(dir.path());
    let manifest = |night: u32| -> Value {
        let at = dir.path().join(format!("manifest{night}.json"));
        nightly(dir.path(), &share, &["--manifest", at.to_str().unwrap()]);
        let verified = trawl()
            .current_dir(dir.path())
            .arg("verify")
            .arg(&at)
            .output()
            .unwrap();
        assert_eq!(
            verified.status.code(),
            Some(0),
            "night {night}: {}",
            String::from_utf8_lossy(&verified.stdout)
        );
        serde_json::from_slice(&std::fs::read(&at).unwrap()).unwrap()
    };
    let (first, second) = (manifest(1), manifest(2));
    assert_eq!(first["files"], second["files"]);
    assert_eq!(first["output_sha256"], second["output_sha256"]);
    // As a scan without a state lists them.
    let plain = dir.path().join("plain.json");
    trawl()
        .arg("scan")
        .arg(&share)
        .args(["--quiet", "--as-of", AS_OF, "--format", "json", "--policy"])
        .arg(root().join("rules/policies/example_housing.toml"))
        .arg("--manifest")
        .arg(&plain)
        .assert()
        .code(1);
    let plain: Value = serde_json::from_slice(&std::fs::read(&plain).unwrap()).unwrap();
    assert_eq!(plain["files"], second["files"], "every file is listed");
    assert_eq!(plain["output_sha256"], second["output_sha256"]);
}

#[test]
fn the_log_says_what_happened_without_values() {
    let dir = tempfile::tempdir().unwrap();
    let share = share(dir.path());
    let log = dir.path().join("trawl.log");
    let out = trawl()
        .arg("scan")
        .arg(&share)
        .args(["--quiet", "--reveal", "--log"])
        .arg(&log)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("scan started: "), "{text}");
    assert!(
        text.contains("not read: documents/encrypted.pdf: encrypted"),
        "{text}"
    );
    assert!(text.contains("scan finished: 77 files, "), "{text}");
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        // A gender's "F" is a letter any line of a log holds.
        if let Some(value) = v["value"].as_str().filter(|v| v.chars().count() > 2) {
            assert!(!text.contains(value), "raw value {value:?} in the log");
        }
    }
}

/// A file's name can hold a line break: in the log it is written as `\n`,
/// so it cannot forge a line that monitoring would read as trawl's own.
#[cfg(unix)]
#[test]
fn a_name_cannot_forge_a_line_of_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let share = dir.path().join("share");
    std::fs::create_dir(&share).unwrap();
    let forged = "2026-01-01T00:00:00Z trawl[1]: run 9 completed: 0 files";
    // Not a Word document: not read, and logged so.
    std::fs::write(
        share.join(format!("x\n{forged}.docx")),
        b"PK\x03\x04 cut short",
    )
    .unwrap();
    let log = dir.path().join("trawl.log");
    let out = trawl()
        .arg("scan")
        .arg(&share)
        .args(["--quiet", "--log"])
        .arg(&log)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains(&format!("not read: x\\n{forged}.docx: ")),
        "{text}"
    );
    for line in text.lines() {
        assert!(!line.starts_with(forged), "a forged line: {text}");
        assert!(line.contains(" trawl["), "{line}");
    }
}

/// A stored result that is damaged (bytes that do not decode, or not bytes
/// at all) is never guessed at: its file alone is read again, and the run
/// reports what a clean one does.
#[test]
fn a_damaged_stored_result_has_its_file_read_again() {
    let dir = tempfile::tempdir().unwrap();
    let share = share(dir.path());
    let first = nightly(dir.path(), &share, &[]);
    let conn = rusqlite::Connection::open(dir.path().join("state.db")).unwrap();
    let damaged = conn
        .execute(
            "UPDATE results SET result = CASE WHEN rowid % 2 = 0 THEN x'00ff' ELSE 'not packed' END
             WHERE rowid IN (SELECT rowid FROM results ORDER BY rowid LIMIT 2)",
            [],
        )
        .unwrap();
    assert_eq!(damaged, 2);
    drop(conn);
    let second = nightly(dir.path(), &share, &[]);
    reports_the_same(&first, &second, 2);
}

/// A state written by the first trawl to keep one (version 1: its results
/// as JSON, in a WITHOUT ROWID table) is migrated step by step to this
/// version. Its JSON results are dropped, not misread as packed ones: every
/// file is read once more, and gives what it gave before.
#[test]
fn a_version_1_state_is_migrated_and_its_files_read_once_more() {
    let dir = tempfile::tempdir().unwrap();
    let share = share(dir.path());
    let first = nightly(dir.path(), &share, &[]);
    let files = first["history"]["files_read"].as_u64().unwrap();
    // Put the state back as version 1 left it, results as JSON.
    let conn = rusqlite::Connection::open(dir.path().join("state.db")).unwrap();
    conn.execute_batch(
        "CREATE TABLE results_v1 (path TEXT PRIMARY KEY, result TEXT NOT NULL) WITHOUT ROWID;
         INSERT INTO results_v1 SELECT path, '{\"format\":\"text\",\"findings\":[]}' FROM results;
         DROP TABLE results;
         ALTER TABLE results_v1 RENAME TO results;
         ALTER TABLE files DROP COLUMN racy;
         DROP TABLE moves;
         ALTER TABLE runs DROP COLUMN rules_sha256;
         ALTER TABLE runs DROP COLUMN policy_sha256;
         UPDATE meta SET value = '1' WHERE key = 'schema_version';",
    )
    .unwrap();
    drop(conn);
    let second = nightly(dir.path(), &share, &[]);
    assert_eq!(
        second["history"]["files_read"], files,
        "every file read again"
    );
    assert_eq!(first["findings"], second["findings"]);
    assert_eq!(second["history"]["new"], 0, "{}", second["history"]);
    // A run from before runs recorded their rules and policy: nothing is
    // claimed changed against it.
    assert_eq!(second["history"]["policy_changed"], Value::Null);
    assert_eq!(second["history"]["rules_changed"], Value::Null);
    let runs: Value = serde_json::from_str(&history_json(&dir.path().join("state.db"))).unwrap();
    assert_eq!(runs[0]["policy_sha256"], Value::Null);
    assert_eq!(runs[1]["policy_sha256"], first["policy"]["sha256"]);
    let third = nightly(dir.path(), &share, &[]);
    assert_eq!(third["history"]["files_read"], 0, "and then reused");
    assert_eq!(first["findings"], third["findings"]);
    let conn = rusqlite::Connection::open(dir.path().join("state.db")).unwrap();
    let version: String = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(version, trawl::state::SCHEMA_VERSION.to_string());
    let sql: String = conn
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'results'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        !sql.contains("WITHOUT ROWID") && sql.contains("BLOB"),
        "{sql}"
    );
}

/// `trawl scan` of `share` with the state `dir/state.db`, as a user without
/// root's right to read any folder (root reads a folder whatever its mode:
/// then the scan runs as `nobody`, through util-linux's `setpriv`).
#[cfg(unix)]
fn unprivileged_scan(dir: &Path, share: &Path) -> (Option<i32>, Value) {
    let mut cmd = if unsafe { libc::geteuid() } == 0 {
        let mut cmd = Process::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_trawl"));
        cmd
    } else {
        Process::new(env!("CARGO_BIN_EXE_trawl"))
    };
    let out = cmd
        .arg("scan")
        .arg(share)
        .args(["--quiet", "--as-of", AS_OF, "--format", "json", "--policy"])
        .arg(root().join("rules/policies/example_housing.toml"))
        .arg("--state")
        .arg(dir.join("state.db"))
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), report)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The paths of a report's findings under `folder/`.
fn findings_under(report: &Value, folder: &str) -> BTreeSet<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["path"].as_str())
        .filter(|p| p.starts_with(&format!("{folder}/")))
        .map(str::to_string)
        .collect()
}

/// Files excluded since the last run (or skipped for a lowered
/// --max-file-size) are still there: they are not taken for removed, nor
/// their findings for resolved, as if the data had been dealt with. A
/// folder excluded whole is listed once as skipped, saying so, with the
/// findings that stay open in it; once the exclusion is lifted, its files
/// are reused and nothing is new. With --roots-changed the exclusion is
/// taken as meant: removed and resolved.
#[test]
fn excluded_files_are_not_taken_for_resolved() {
    let dir = tempfile::tempdir().unwrap();
    let share = share(dir.path());
    let first = nightly(dir.path(), &share, &[]);
    let in_tables = findings_under(&first, "tables");
    assert!(!in_tables.is_empty());
    let open_in_tables = first["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"].as_str().unwrap().starts_with("tables/"))
        .count() as u64;

    let excluded = nightly(dir.path(), &share, &["--exclude", "tables/**"]);
    let history = &excluded["history"];
    assert_eq!(history["files_removed"], 0, "{history}");
    assert_eq!(history["resolved"], serde_json::json!([]));
    assert_eq!(history["kept_open"].as_u64(), Some(open_in_tables));
    let in_folder = std::fs::read_dir(share.join("tables")).unwrap().count();
    let listed: Vec<&str> = excluded["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .filter(|p| p.starts_with("tables"))
        .collect();
    assert_eq!(listed, ["tables"], "listed once, not file by file");
    let folder = &errors_at(&excluded, "tables")[0];
    assert_eq!(folder["status"], "skipped");
    let reason = folder["reason"].as_str().unwrap();
    assert!(
        reason.starts_with(&format!(
            "a folder of {in_folder} files the state read, excluded since"
        )),
        "{reason}"
    );
    assert!(
        reason.ends_with(&format!(
            "; {open_in_tables} findings reported before in it stay open until it is read again"
        )),
        "{reason}"
    );

    // Some of a folder's files excluded: each listed, the folder not.
    let some = nightly(dir.path(), &share, &["--exclude", "tables/*.csv"]);
    assert_eq!(some["history"]["resolved"], serde_json::json!([]));
    let csv: BTreeSet<&str> = some["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .filter(|p| p.starts_with("tables"))
        .collect();
    assert_eq!(
        csv,
        BTreeSet::from([
            "tables/<img src=x onerror=alert(1)>.csv",
            "tables/arrears_titled.csv",
            "tables/no_header.csv",
            "tables/tenant_household.csv",
            "tables/tenant_immigration_checks.csv",
            "tables/tenants.csv",
            "tables/visit_rota.csv"
        ])
    );
    for path in csv {
        let reason = errors_at(&some, path)[0]["reason"].as_str().unwrap();
        assert!(
            reason.starts_with("excluded since the state last read it"),
            "{reason}"
        );
    }

    let back = nightly(dir.path(), &share, &[]);
    reports_the_same(&first, &back, 0);

    let meant = nightly(
        dir.path(),
        &share,
        &["--exclude", "tables/**", "--roots-changed"],
    );
    let resolved = items(&meant["history"]["resolved"]);
    let resolved_paths: BTreeSet<String> = resolved
        .iter()
        .filter(|(kind, _, _)| kind == "finding")
        .map(|(_, path, _)| path.clone())
        .collect();
    assert_eq!(resolved_paths, in_tables);
    assert!(meant["history"]["files_removed"].as_u64().unwrap() > 0);

    // Skipped for size tonight: still there, not resolved either.
    let small = nightly(dir.path(), &share, &["--max-file-size", "2000"]);
    assert!(small["summary"]["files"]["skipped"].as_u64().unwrap() > 0);
    assert_eq!(small["history"]["resolved"], serde_json::json!([]));
}

#[cfg(unix)]
#[test]
fn a_folder_that_cannot_be_read_tonight_is_neither_removed_nor_resolved() {
    let dir = tempfile::tempdir().unwrap();
    // The state's folder, writable by the unprivileged scan.
    set_mode(dir.path(), 0o777);
    let share = share(dir.path());
    let (code, first) = unprivileged_scan(dir.path(), &share);
    assert_eq!(code, Some(1));
    let tables = findings_under(&first, "tables");
    assert!(!tables.is_empty());

    // A folder that cannot be listed tonight (a permission changed, a share
    // that stopped answering).
    set_mode(&share.join("tables"), 0o000);
    let (code, second) = unprivileged_scan(dir.path(), &share);
    set_mode(&share.join("tables"), 0o755);
    assert_eq!(code, Some(1));
    let failed = errors_at(&second, "tables");
    assert_eq!(failed.len(), 1, "{:?}", second["errors"]);
    assert_eq!(failed[0]["status"], "failed");
    // The report says what it cannot show tonight.
    let open = first["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"].as_str().unwrap().starts_with("tables/"))
        .count();
    let reason = failed[0]["reason"].as_str().unwrap();
    assert!(
        reason.ends_with(&format!(
            "; {open} findings reported before in it stay open until it is read again"
        )),
        "{reason}"
    );
    assert!(findings_under(&second, "tables").is_empty());
    assert_eq!(second["history"]["files_removed"].as_u64(), Some(0));
    let resolved = items(&second["history"]["resolved"]);
    assert!(resolved.is_empty(), "not seen is not gone: {resolved:?}");
    assert_eq!(second["history"]["new"].as_u64(), Some(0));

    // Readable again: nothing is new, nothing is read (the state kept it).
    let (_, third) = unprivileged_scan(dir.path(), &share);
    assert_eq!(third["history"]["new"].as_u64(), Some(0));
    assert_eq!(third["history"]["files_read"].as_u64(), Some(0));
    assert!(items(&third["history"]["resolved"]).is_empty());
    assert_eq!(findings_under(&third, "tables"), tables);
    assert_eq!(third["findings"], first["findings"]);
}

/// A file changed and then not given by the file system tonight (its
/// permissions wrong, a share that stopped answering) is not stored as
/// failed: stored, it would stay failed while unchanged, through the fix and
/// for ever after. It is read again next run, and what it holds is not new.
#[cfg(unix)]
#[test]
fn a_file_the_file_system_would_not_give_is_read_once_it_does() {
    let dir = tempfile::tempdir().unwrap();
    set_mode(dir.path(), 0o777);
    let share = share(dir.path());
    let notes = "text/case_notes.txt";
    let (_, first) = unprivileged_scan(dir.path(), &share);
    let found = |report: &Value| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["path"] == notes)
            .cloned()
            .collect::<Vec<_>>()
    };
    assert!(!found(&first).is_empty());

    let file = share.join(notes);
    let later = SystemTime::now() + Duration::from_secs(60);
    std::fs::File::options()
        .append(true)
        .open(&file)
        .unwrap()
        .set_modified(later)
        .unwrap();
    set_mode(&file, 0o000);
    let (_, second) = unprivileged_scan(dir.path(), &share);
    set_mode(&file, 0o644);
    let failed = errors_at(&second, notes);
    assert_eq!(failed.len(), 1, "{failed:?}");
    let reason = failed[0]["reason"].as_str().unwrap();
    assert!(reason.starts_with("cannot open: "), "{reason}");
    assert!(found(&second).is_empty());
    assert!(items(&second["history"]["resolved"]).is_empty());

    // Readable again, and unchanged since: read, not taken from the state.
    let (_, third) = unprivileged_scan(dir.path(), &share);
    assert_eq!(third["history"]["files_read"].as_u64(), Some(1));
    assert!(errors_at(&third, notes).is_empty());
    assert_eq!(found(&third), found(&first));
    assert_eq!(third["history"]["new"].as_u64(), Some(0));
    assert!(items(&third["history"]["resolved"]).is_empty());
}

/// A file that fails part-way keeps open, and counts, only what it no
/// longer reports: what it does report tonight is listed as ever.
#[test]
fn a_file_read_part_way_counts_what_it_did_not_report() {
    let dir = tempfile::tempdir().unwrap();
    let share = dir.path().join("share");
    std::fs::create_dir(&share).unwrap();
    let rows: Vec<String> = (0..40)
        .map(|i| format!(r#"{{"name": "T{i}", "email": "tenant{i}@example.org"}}"#))
        .collect();
    let json = format!("[{}]", rows.join(", "));
    let file = share.join("tenants.json");
    std::fs::write(&file, &json).unwrap();
    let first = nightly(dir.path(), &share, &[]);
    assert_eq!(first["summary"]["findings"].as_u64(), Some(40));
    // Cut short after the tenth row, and so changed.
    let cut = json.match_indices("}, ").nth(9).unwrap().0 + 3;
    std::fs::write(&file, &json[..cut]).unwrap();
    let f = std::fs::File::options().append(true).open(&file).unwrap();
    f.set_modified(SystemTime::now() + Duration::from_secs(60))
        .unwrap();
    let html = dir.path().join("report.html");
    let second = nightly(dir.path(), &share, &["--html", html.to_str().unwrap()]);
    assert_eq!(second["summary"]["findings"].as_u64(), Some(10));
    let reason = only_failure(&second, "tenants.json");
    assert!(
        reason.ends_with("; 30 findings reported before in it stay open until it is read again"),
        "{reason}"
    );
    // Counted for the DPO at a glance, beside what could not be scanned.
    assert_eq!(second["history"]["kept_open"].as_u64(), Some(30));
    let html = std::fs::read_to_string(html).unwrap();
    assert!(html.contains("holding 30 findings from earlier runs, kept open"));
    assert!(items(&second["history"]["resolved"]).is_empty());
}

/// A share mounted inside the scanned tree, not mounted tonight, leaves an
/// empty folder: its files are not taken for removed nor its findings for
/// resolved, and it is reported not read; mounted again, nothing is new;
/// let go with --roots-changed, it is gone. (Run in a user and mount
/// namespace of its own, where the test may mount a file system.)
#[cfg(unix)]
#[test]
fn a_share_mounted_below_the_root_and_not_mounted_tonight_is_not_gone() {
    share_not_mounted_tonight(b"finance", "finance");
}

/// As above, for a mount point named in Latin-1 (not UTF-8), as an older
/// server's share may be: the kernel's table of mounts names it in those
/// bytes, which must not make the table unreadable, nor the mount point
/// differ from the folder the walk names (Windows-1252: "café").
#[cfg(unix)]
#[test]
fn a_share_mounted_at_a_name_not_in_utf8_is_not_gone_either() {
    share_not_mounted_tonight(b"caf\xe9", "café");
}

#[cfg(unix)]
fn share_not_mounted_tonight(name: &[u8], shown: &str) {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let script = r#"
        share="$DIR/share"
        mkdir -p "$share/office" "$share/$NAME"
        printf 'NI number AB123456C\n' > "$share/office/a.txt"
        populate() {
            mount -t tmpfs none "$share/$NAME" || exit 90
            mkdir -p "$share/$NAME/sub"
            printf 'Write to jo@example.org\n' > "$share/$NAME/b.txt"
            printf 'Write to al@example.org\n' > "$share/$NAME/sub/c.txt"
            touch -d @1700000000 "$share/$NAME/b.txt" "$share/$NAME/sub/c.txt"
        }
        scan() {
            n=$1; shift
            "$TRAWL" scan "$share" --quiet --as-of 2026-01-01 --format json \
                --state "$DIR/state.db" --out "$DIR/$n.json" "$@"
            echo $? > "$DIR/$n.code"
        }
        populate; scan 1
        umount "$share/$NAME" || exit 91; scan 2 --strict
        populate; scan 3
        umount "$share/$NAME" || exit 91; scan 4 --roots-changed
    "#;
    let out = Process::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-uc", script])
        .env("DIR", dir.path())
        .env("NAME", std::ffi::OsStr::from_bytes(name))
        .env("TRAWL", env!("CARGO_BIN_EXE_trawl"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let run = |n: u32| -> (String, Value) {
        let code = std::fs::read_to_string(dir.path().join(format!("{n}.code"))).unwrap();
        let report = std::fs::read(dir.path().join(format!("{n}.json"))).unwrap();
        (
            code.trim().to_string(),
            serde_json::from_slice(&report).unwrap(),
        )
    };
    let (_, first) = run(1);
    assert_eq!(first["summary"]["findings"].as_u64(), Some(3));

    let (code, second) = run(2);
    assert_eq!(code, "3", "--strict: the share was not read");
    let reason = only_failure(&second, shown);
    assert!(
        reason.starts_with("a mount point when last scanned, and not one now: is the share mounted? None of the 2 files"),
        "{reason}"
    );
    assert!(reason.ends_with("; 2 findings reported before in it stay open until it is read again"));
    assert_eq!(second["history"]["files_removed"].as_u64(), Some(0));
    assert!(items(&second["history"]["resolved"]).is_empty());

    let (_, third) = run(3);
    assert_eq!(third["errors"], serde_json::json!([]));
    assert_eq!(third["history"]["new"].as_u64(), Some(0));
    assert!(items(&third["history"]["resolved"]).is_empty());
    assert_eq!(third["summary"]["findings"].as_u64(), Some(3));

    let (_, fourth) = run(4);
    assert_eq!(fourth["errors"], serde_json::json!([]));
    assert_eq!(fourth["history"]["files_removed"].as_u64(), Some(2));
    let gone: BTreeSet<String> = items(&fourth["history"]["resolved"])
        .into_iter()
        .filter(|(kind, _, _)| kind == "finding")
        .map(|(_, path, _)| path)
        .collect();
    assert_eq!(
        gone,
        BTreeSet::from([format!("{shown}/b.txt"), format!("{shown}/sub/c.txt")])
    );
}

#[test]
fn an_empty_root_is_taken_for_an_unmounted_share_not_for_removed_files() {
    let dir = tempfile::tempdir().unwrap();
    let share = share(dir.path());
    let first = nightly(dir.path(), &share, &[]);
    // The share is not mounted tonight: its mount point is an empty folder.
    let away = dir.path().join("away");
    std::fs::rename(&share, &away).unwrap();
    std::fs::create_dir(&share).unwrap();
    let out = trawl()
        .arg("scan")
        .arg(&share)
        .args(["--quiet", "--as-of", AS_OF, "--format", "json", "--strict"])
        .args(["--policy"])
        .arg(root().join("rules/policies/example_housing.toml"))
        .arg("--state")
        .arg(dir.path().join("state.db"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "--strict: something was not read"
    );
    let second: Value = serde_json::from_slice(&out.stdout).unwrap();
    let reason = only_failure(&second, "share");
    assert!(
        reason.starts_with("the folder is empty, where the state knew "),
        "{reason}"
    );
    assert!(reason.contains("is the share mounted?"), "{reason}");
    let open = first["summary"]["findings"].as_u64().unwrap();
    assert!(
        reason.ends_with(&format!(
            "; {open} findings reported before in it stay open until it is read again"
        )),
        "{reason}"
    );
    assert_eq!(second["history"]["files_removed"].as_u64(), Some(0));
    assert!(items(&second["history"]["resolved"]).is_empty());

    // Mounted again: the same files, read from the state, nothing new.
    std::fs::remove_dir(&share).unwrap();
    std::fs::rename(&away, &share).unwrap();
    let third = nightly(dir.path(), &share, &[]);
    assert_eq!(third["history"]["files_read"].as_u64(), Some(0));
    assert_eq!(third["history"]["new"].as_u64(), Some(0));
    assert!(items(&third["history"]["resolved"]).is_empty());
    assert_eq!(third["findings"], first["findings"]);

    // Emptied on purpose, and said so: every file removed, every finding
    // resolved, nothing reported not read.
    std::fs::remove_dir_all(&share).unwrap();
    std::fs::create_dir(&share).unwrap();
    let out = trawl()
        .arg("scan")
        .arg(&share)
        .args(["--quiet", "--as-of", AS_OF, "--format", "json", "--strict"])
        .args(["--roots-changed", "--policy"])
        .arg(root().join("rules/policies/example_housing.toml"))
        .arg("--state")
        .arg(dir.path().join("state.db"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "nothing found, nothing unread");
    let fourth: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(fourth["errors"], serde_json::json!([]));
    assert_eq!(
        fourth["history"]["files_removed"],
        first["summary"]["files_seen"]
    );
    let resolved = fourth["history"]["resolved"].as_array().unwrap();
    let findings = resolved.iter().filter(|c| c["kind"] == "finding").count() as u64;
    assert_eq!(Some(findings), first["summary"]["findings"].as_u64());
}

/// At the terminal, a run with a state says what it read and reused, and
/// what is new and resolved since the run it is compared with: the summary
/// alone counts every unchanged file as scanned.
#[test]
fn the_terminal_says_what_a_run_read_and_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let share = share(dir.path());
    let run = || -> String {
        let out = trawl()
            .arg("scan")
            .arg(&share)
            .args(["--as-of", AS_OF, "--format", "json", "--out"])
            .arg(dir.path().join("out.json"))
            .arg("--state")
            .arg(dir.path().join("state.db"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let first = run();
    assert!(
        first.contains("trawl: run 1: 77 files read, 0 unchanged and reused, 0 removed; no completed run before it to compare with\n"),
        "{first}"
    );
    std::fs::write(
        share.join("text/new_note.txt"),
        "Write to robin.new@example.com\n",
    )
    .unwrap();
    std::fs::remove_file(share.join("tables/no_header.csv")).unwrap();
    let second = run();
    let out: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out.json")).unwrap()).unwrap();
    let resolved = out["history"]["resolved"].as_array().unwrap().len();
    assert!(resolved > 0);
    assert!(
        second.contains(&format!("trawl: run 2: 1 file read, 76 unchanged and reused, 1 removed; since run 1: 2 new and {resolved} resolved findings and records\n")),
        "{second}"
    );
}

/// A file changed again just after a run read it, within its file system's
/// time resolution and keeping its size (an export rewritten in place as
/// the nightly run passed), has the size and time the run stored: the next
/// run still finds the change, by comparing the content of a file the state
/// marked as changed just before it was read, and reads it again. Compared
/// and the same, it is reused, not read.
#[test]
fn a_file_changed_again_within_its_times_resolution_is_not_missed() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let share = dir.path().join("share");
    std::fs::create_dir(&share).unwrap();
    let export = share.join("export.csv");
    std::fs::write(&export, "name,email\nAlex Smith,alex.one@example.com\n").unwrap();
    let first = nightly(dir.path(), &share, &[]);
    assert_eq!(first["summary"]["findings_by_detector"]["email"], 1);
    let stamp = std::fs::metadata(&export).unwrap().modified().unwrap();
    // In place, the same size, and its time as it was (a coarse clock).
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(&export)
        .unwrap();
    file.write_all(b"name,email\nAlex Smith,alex.two@example.com\n")
        .unwrap();
    file.set_modified(stamp).unwrap();
    drop(file);
    assert_eq!(
        std::fs::metadata(&export).unwrap().modified().unwrap(),
        stamp
    );

    let second = nightly(dir.path(), &share, &[]);
    assert_eq!(second["history"]["files_read"], 1, "{}", second["history"]);
    assert_eq!(second["history"]["new"], 1, "the new address");
    let resolved = items(&second["history"]["resolved"]);
    assert!(
        resolved.iter().any(|(kind, path, label)| kind == "finding"
            && path == "export.csv"
            && label.contains("email")),
        "the old address: {resolved:?}"
    );
    let third = nightly(dir.path(), &share, &[]);
    assert_eq!(third["history"]["files_read"], 0, "compared, the same");
    assert_eq!(third["history"]["new"], 0);
    let fingerprints = |report: &Value| -> Vec<Value> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["fingerprint"].clone())
            .collect()
    };
    assert_eq!(fingerprints(&second), fingerprints(&third));
}

/// A folder moved on the share (tables/ into archive/): its files' content
/// is found again at new paths, so their findings and records are neither
/// resolved (they were not dealt with) nor new, and the DPO's decisions on
/// them follow them; each move is listed, in every output. A file moved and
/// changed is not taken for moved.
#[test]
fn a_moved_folders_findings_are_neither_resolved_nor_new_and_decisions_follow() {
    let dir = tempfile::tempdir().unwrap();
    let share = share(dir.path());
    let first = nightly(dir.path(), &share, &[]);
    let finding = finding_at(&first, "tables/tenants.csv", "email");
    let triage = |fp: &str, status: &str| {
        assert!(decide(&dir.path().join("state.db"), fp, status, "n")
            .status
            .success());
    };
    triage(finding["fingerprint"].as_str().unwrap(), "false_positive");
    let record = first["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"] == "tables/direct_debits.tsv")
        .unwrap()
        .clone();
    triage(record["fingerprint"].as_str().unwrap(), "accepted");
    let files: BTreeSet<String> = std::fs::read_dir(share.join("tables"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    std::fs::create_dir(share.join("archive")).unwrap();
    std::fs::rename(share.join("tables"), share.join("archive/tables2019")).unwrap();
    // Moved and changed: not the same file.
    std::fs::rename(
        share.join("text/case_notes.txt"),
        share.join("archive/case_notes.txt"),
    )
    .unwrap();
    std::fs::write(
        share.join("archive/case_notes.txt"),
        "Call Robin on 07700 900123\n",
    )
    .unwrap();
    let before = dir.path().join("before-the-move.db");
    std::fs::copy(dir.path().join("state.db"), &before).unwrap();

    let html = dir.path().join("report.html");
    let second = nightly(dir.path(), &share, &["--html", html.to_str().unwrap()]);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains(&format!(
            "{} files since the last run, the same content at a new path",
            files.len()
        )),
        "the HTML report lists the moves"
    );
    assert!(page.contains("tables&#x2f;tenants.csv → archive&#x2f;tables2019&#x2f;tenants.csv"));
    let history = &second["history"];
    let moved: BTreeSet<(String, String)> = history["moved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["from"].as_str().unwrap().to_string(),
                m["to"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String)> = files
        .iter()
        .map(|f| (format!("tables/{f}"), format!("archive/tables2019/{f}")))
        .collect();
    assert_eq!(moved, expected);
    assert_eq!(
        history["moved"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["decisions"].as_u64().unwrap())
            .sum::<u64>(),
        2
    );
    // Only the changed note's items are new and resolved.
    let new = new_items(&second);
    assert!(
        new.iter()
            .all(|(_, path, _)| path == "archive/case_notes.txt"),
        "{new:?}"
    );
    assert!(!new.is_empty());
    let resolved = items(&history["resolved"]);
    assert!(
        resolved
            .iter()
            .all(|(_, path, _)| path == "text/case_notes.txt"),
        "{resolved:?}"
    );
    // The decisions followed: the finding and record are hidden at their
    // new path, and counted apart.
    for kind in ["findings", "records"] {
        let suppressed = format!("{kind}_suppressed");
        let was = first["summary"][&suppressed].as_u64().unwrap_or(0);
        assert_eq!(
            second["summary"][&suppressed].as_u64(),
            Some(was + 1),
            "{kind}"
        );
    }
    assert!(!second["records"].as_array().unwrap().iter().any(|r| {
        r["path"] == "archive/tables2019/direct_debits.tsv" && r["record"] == record["record"]
    }));
    let at_new_path = |report: &Value| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["path"] == "archive/tables2019/tenants.csv" && f["detector"] == "email")
            .count()
    };
    let before_count = first["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == "tables/tenants.csv" && f["detector"] == "email")
        .count();
    assert_eq!(at_new_path(&second), before_count - 1);
    // `trawl diff` tells the moves from the rest, either way round.
    let items_moved: u64 = history["moved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["items"].as_u64().unwrap())
        .sum();
    for (a, b) in [("1", "2"), ("2", "1")] {
        let out = trawl()
            .args(["diff", a, b, "--format", "json", "--state"])
            .arg(dir.path().join("state.db"))
            .output()
            .unwrap();
        let diff: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(diff["moved"].as_array().unwrap().len() as u64, items_moved);
        let (later, earlier) = if a == "1" {
            ("archive/case_notes.txt", "text/case_notes.txt")
        } else {
            ("text/case_notes.txt", "archive/case_notes.txt")
        };
        assert!(
            items(&diff["new"]).iter().all(|(_, p, _)| p == later),
            "{diff}"
        );
        assert!(
            items(&diff["resolved"])
                .iter()
                .all(|(_, p, _)| p == earlier),
            "{diff}"
        );
        let first_move = &diff["moved"][0];
        let from = first_move["from"]["path"].as_str().unwrap();
        let to = first_move["to"]["path"].as_str().unwrap();
        if a == "1" {
            assert!(from.starts_with("tables/") && to.starts_with("archive/tables2019/"));
        } else {
            assert!(to.starts_with("tables/") && from.starts_with("archive/tables2019/"));
        }
    }
    // And it stays so: nothing new, nothing resolved, still decided.
    let third = nightly(dir.path(), &share, &[]);
    assert_eq!(third["history"]["new"], 0);
    assert_eq!(third["history"]["resolved"], serde_json::json!([]));
    assert_eq!(third["history"]["files_read"], 0);
    assert_eq!(at_new_path(&third), before_count - 1);
    assert_eq!(third["summary"], second["summary"]);

    // The moves in the other outputs, from the state as it was before.
    for format in ["jsonl", "csv"] {
        std::fs::copy(&before, dir.path().join("state.db")).unwrap();
        let out = trawl()
            .arg("scan")
            .arg(&share)
            .args(["--quiet", "--as-of", AS_OF, "--format", format, "--policy"])
            .arg(root().join("rules/policies/example_housing.toml"))
            .arg("--state")
            .arg(dir.path().join("state.db"))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let lines = text
            .lines()
            .filter(|l| match format {
                "jsonl" => l.starts_with(r#"{"kind":"moved","#),
                _ => l.starts_with("moved,archive/tables2019/"),
            })
            .count();
        assert_eq!(lines, files.len(), "{format}:\n{text}");
    }

    // A decision made from a report of before the move (naming the old
    // path's fingerprint) follows the item to where it moved.
    let phone = finding_at(&first, "tables/tenants.csv", "uk_phone");
    let out = decide(
        &dir.path().join("state.db"),
        phone["fingerprint"].as_str().unwrap(),
        "false_positive",
        "n",
    );
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("moved with its file to archive/tables2019/tenants.csv since; the decision applies there too"),
        "{said}"
    );
    let after = nightly(dir.path(), &share, &["--show-suppressed"]);
    let at_new: Vec<&Value> = after["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["path"] == "archive/tables2019/tenants.csv"
                && f["detector"] == "uk_phone"
                && f["location"] == phone["location"]
        })
        .collect();
    assert_eq!(at_new.len(), 1, "{}", after["findings"]);
    assert_eq!(at_new[0]["triage"]["status"], "false_positive");
}

/// A file listed in part (`--max-findings-per-file`) is stored with its
/// counts: an unchanged rescan reads nothing and reports it as before, the
/// counts included; another limit has it read again.
#[test]
fn a_file_listed_in_part_is_reused_with_its_counts() {
    let dir = tempfile::tempdir().unwrap();
    let share = dir.path().join("share");
    std::fs::create_dir_all(&share).unwrap();
    std::fs::write(share.join("tenants.csv"), common::export(40)).unwrap();
    let limit = ["--max-findings-per-file", "25"];
    let first = nightly(dir.path(), &share, &limit);
    assert_eq!(first["findings"].as_array().unwrap().len(), 25);
    assert!(first["summary"]["findings_not_listed"].as_u64().unwrap() > 0);
    assert!(first["summary"]["rows_not_judged"].as_u64().unwrap() > 0);
    assert_eq!(
        first["errors"][0]["status"], "scanned",
        "{}",
        first["errors"]
    );
    let again = nightly(dir.path(), &share, &limit);
    reports_the_same(&first, &again, 0);
    let more = nightly(dir.path(), &share, &["--max-findings-per-file", "30"]);
    assert_eq!(more["history"]["files_read"], 1);
    assert_eq!(more["findings"].as_array().unwrap().len(), 30);
}
