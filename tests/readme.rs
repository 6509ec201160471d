//! The README's scheduling examples, run as written: IT copies them into
//! cron, systemd and Task Scheduler, so an option renamed or left out there
//! (the report not readable by the DPO's group, say) must fail here. Each
//! command is taken from the README, its paths moved into a folder of the
//! test's own, and run twice over a copy of the fixtures.

use std::path::{Path, PathBuf};

use common::{copy_dir, root, trawl};

#[allow(dead_code)]
mod common;

/// The README's text in the fenced block that opens with "```" + `info`
/// and holds `marker`.
fn block(readme: &str, info: &str, marker: &str) -> String {
    let opening = format!("```{info}\n");
    readme
        .split(opening.as_str())
        .skip(1)
        .map(|rest| rest.split("\n```").next().unwrap_or(""))
        .find(|text| text.contains(marker))
        .unwrap_or_else(|| panic!("no ```{info} block with {marker} in the README"))
        .to_string()
}

/// The words of a command, continuation lines (ending `\` or a backtick)
/// joined, quotes taken off.
fn words(command: &str) -> Vec<String> {
    command
        .replace("\\\n", " ")
        .replace("`\n", " ")
        .split_whitespace()
        .map(|w| w.trim_matches('\'').to_string())
        .collect()
}

/// Where a path of the README's lands in the test's folder: the share is
/// a copy of the fixtures, the policy the fixtures' own, and every folder
/// trawl writes to a folder of the test's.
fn moved(word: &str, dir: &Path) -> Option<PathBuf> {
    if word.ends_with("policy.toml") {
        return Some(root().join("rules/policies/example_housing.toml"));
    }
    const PLACES: [(&str, &str); 7] = [
        ("/srv/shares/housing", "share"),
        (r"\\fileserver\housing", "share"),
        ("/var/lib/trawl/", "lib/"),
        ("/var/log/trawl/", "log/"),
        ("/srv/dpo/trawl/", "dpo/"),
        (r"\\fileserver\dpo\trawl\", "dpo/"),
        (r"C:\ProgramData\trawl\", "programdata/"),
    ];
    let (from, to) = PLACES.iter().find(|(from, _)| word.starts_with(from))?;
    let path = dir.join(format!("{to}{}", &word[from.len()..]));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    Some(path)
}

/// Runs `command` (from `scan` on) twice in a folder of its own; returns
/// that folder, for the outputs.
fn run_twice(command: &[String]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("fixtures"), &dir.path().join("share"));
    let start = command
        .iter()
        .position(|w| w == "scan")
        .expect("a scan command");
    let args: Vec<std::ffi::OsString> = command[start..]
        .iter()
        .map(|w| match moved(w, dir.path()) {
            Some(path) => path.into_os_string(),
            None => w.into(),
        })
        .collect();
    for night in 1..=2 {
        let out = trawl().args(&args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "night {night}: {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    dir
}

/// Who may read `path`, as its mode's permission bits.
#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).unwrap()
}

#[test]
fn the_cron_line_runs_and_the_dpo_can_read_its_report() {
    let cron = block(&readme(), "cron", "trawl scan");
    let line = cron.lines().find(|l| l.contains("trawl scan")).unwrap();
    // Minute, hour, day, month, weekday; then the command.
    let dir = run_twice(&words(line)[5..]);
    let report = dir.path().join("dpo/housing.html");
    assert!(report.is_file());
    #[cfg(unix)]
    assert_eq!(mode(&report), 0o640, "readable by the DPO's group");
    assert!(dir.path().join("log/housing.log").is_file());
    assert!(dir.path().join("lib/housing.db").is_file());
}

#[test]
fn the_systemd_service_runs_and_the_dpo_can_read_its_reports() {
    let unit = block(&readme(), "ini", "ExecStart=");
    let start = unit.split("ExecStart=").nth(1).unwrap();
    // The command: up to the first line not continued.
    let mut command = String::new();
    for line in start.lines() {
        command.push_str(line);
        command.push('\n');
        if !line.ends_with('\\') {
            break;
        }
    }
    let dir = run_twice(&words(&command));
    for report in ["dpo/housing.html", "dpo/housing.json"] {
        let report = dir.path().join(report);
        assert!(report.is_file(), "{}", report.display());
        #[cfg(unix)]
        assert_eq!(
            mode(&report),
            0o640,
            "{} readable by the DPO's group",
            report.display()
        );
    }
    // A path trawl writes that the unit does not let it write would fail
    // under ProtectSystem=strict.
    let writable = unit
        .lines()
        .find_map(|l| l.strip_prefix("ReadWritePaths="))
        .unwrap();
    for written in ["/var/lib/trawl", "/var/log/trawl", "/srv/dpo/trawl"] {
        assert!(
            writable.split_whitespace().any(|w| w == written),
            "{written}"
        );
    }
}

#[test]
fn the_windows_task_runs_as_written_but_for_its_paths() {
    let task = block(&readme(), "powershell", "New-ScheduledTaskAction");
    let argument = task
        .split("-Argument '")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap();
    let dir = run_twice(&words(argument));
    assert!(dir.path().join("dpo/housing.html").is_file());
    assert!(dir.path().join("programdata/housing.db").is_file());
}
