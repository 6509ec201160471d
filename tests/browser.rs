//! The HTML report in a real browser: headless Chromium, driven through
//! ChromeDriver's WebDriver API. It checks that the headline figures render,
//! that a filter hides rows, and that the fixture named
//! `<img src=x onerror=alert(1)>.csv` shows as text and runs no script; it
//! saves a screenshot to `target/browser/report.png`.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them).
//! Without them the test says so and passes, unless `TRAWL_REQUIRE_BROWSER`
//! is set, as CI sets it: there, a missing browser fails the run.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use base64::Engine as _;
use serde_json::{json, Value};

#[allow(dead_code)]
mod common;

use common::root;

const HOSTILE: &str = "tables/<img src=x onerror=alert(1)>.csv";

fn find_program(env: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// ChromeDriver, stopped when dropped.
struct Driver {
    child: Child,
    base: String,
    agent: ureq::Agent,
    session: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self
                .agent
                .delete(&format!("{}/session/{}", self.base, self.session))
                .call();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    fn start(chromedriver: &Path, chromium: &Path, profile: &Path) -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Process::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let mut driver = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
            agent,
            session: String::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = driver
                .agent
                .get(&format!("{}/status", driver.base))
                .call()
                .ok()
                .and_then(|mut r| r.body_mut().read_json::<Value>().ok())
                .is_some_and(|v| v["value"]["ready"] == json!(true));
            if ready {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let created = driver.send(
            "POST",
            "/session",
            json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "unhandledPromptBehavior": "ignore",
                "goog:chromeOptions": {
                    "binary": chromium,
                    // The flags this machine needs: no sandbox as root, no
                    // network chatter (the network is closed), a fresh profile.
                    "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                             "--no-first-run", "--disable-background-networking",
                             "--disable-component-update", "--disable-sync",
                             "--disable-dev-shm-usage", "--hide-scrollbars",
                             "--window-size=1280,2400",
                             format!("--user-data-dir={}", profile.display())]
                }
            }}}),
        );
        driver.session = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_string();
        driver
    }

    /// A WebDriver command; returns the whole reply (errors included).
    fn send(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}{}", self.base, path);
        let reply = match method {
            "GET" => self.agent.get(&url).call(),
            _ => self.agent.post(&url).send_json(body),
        };
        reply
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
            .body_mut()
            .read_json::<Value>()
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    fn session(&self, method: &str, path: &str, body: Value) -> Value {
        let reply = self.send(method, &format!("/session/{}{path}", self.session), body);
        if let Some(error) = reply["value"]["error"].as_str() {
            panic!(
                "{method} {path}: {error}: {}",
                reply["value"]["message"].as_str().unwrap_or("")
            );
        }
        reply["value"].clone()
    }

    /// Loads the report at `html` and waits for its script to be ready.
    fn open(&self, html: &Path) {
        let url = format!("file://{}", html.display());
        self.session("POST", "/url", json!({ "url": url }));
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.run("return document.documentElement.getAttribute('data-ready');")
            != json!("true")
        {
            assert!(
                Instant::now() < deadline,
                "the report's script never finished"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn run(&self, script: &str) -> Value {
        self.session(
            "POST",
            "/execute/sync",
            json!({"script": script, "args": []}),
        )
    }
}

fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Chromium and ChromeDriver; none when they are not installed, which
/// fails the test where TRAWL_REQUIRE_BROWSER is set (CI) and skips it
/// elsewhere.
fn browser() -> Option<(PathBuf, PathBuf)> {
    let chromium = find_program(
        "TRAWL_CHROMIUM",
        &["chromium", "chromium-browser", "google-chrome"],
    );
    let chromedriver = find_program("TRAWL_CHROMEDRIVER", &["chromedriver"]);
    let (Some(chromium), Some(chromedriver)) = (chromium, chromedriver) else {
        assert!(
            std::env::var_os("TRAWL_REQUIRE_BROWSER").is_none(),
            "TRAWL_REQUIRE_BROWSER is set but chromium or chromedriver is missing \
             (apt-get install chromium chromium-driver)"
        );
        eprintln!(
            "SKIPPED the browser test: chromium and chromedriver are not installed \
             (apt-get install chromium chromium-driver; CI installs them)"
        );
        return None;
    };
    Some((chromium, chromedriver))
}

#[test]
fn the_report_renders_filters_and_runs_no_injected_script() {
    let Some((chromium, chromedriver)) = browser() else {
        return;
    };

    let out_dir = root().join("target/browser");
    std::fs::create_dir_all(&out_dir).unwrap();
    let html = out_dir.join("report.html");
    let json_path = out_dir.join("report.json");
    // Not pinned with --as-of, so the page shows the run's times as a
    // nightly report would; the figures are checked against this run's JSON.
    let status = Command::cargo_bin("trawl")
        .unwrap()
        .current_dir(root())
        .args([
            "scan",
            "fixtures",
            "--quiet",
            "--policy",
            "rules/policies/example_housing.toml",
        ])
        .arg("--html")
        .arg(&html)
        .args(["--format", "json", "--out"])
        .arg(&json_path)
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(1), "{status:?}");
    let report: Value = serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    let summary = &report["summary"];
    let flagged_total = summary["records_flagged"].as_u64().unwrap();

    let profile = tempfile::tempdir().unwrap();
    let driver = Driver::start(&chromedriver, &chromium, profile.path());
    driver.open(&html);

    // The page's own style and script run under its Content-Security-Policy
    // (the script did: the page is ready), and they are all it runs.
    let header = driver
        .run("return getComputedStyle(document.querySelector('header.top')).backgroundColor;");
    assert_eq!(header, json!("rgb(31, 78, 121)"), "the style was blocked");

    // The headline figures, as the JSON has them.
    let figure = |id: &str| {
        driver.run(&format!(
            "return document.querySelector('[data-figure={id}] .value').textContent;"
        ))
    };
    assert_eq!(figure("records_flagged"), json!(count(flagged_total)));
    assert_eq!(
        figure("files_scanned"),
        json!(count(summary["files"]["scanned"].as_u64().unwrap()))
    );
    assert_eq!(
        figure("records_personal"),
        json!(count(summary["records_personal"].as_u64().unwrap()))
    );
    let rows = "return document.querySelectorAll('#flagged-rows tr').length;";
    let all_rows = driver.run(rows).as_u64().unwrap();
    assert_eq!(all_rows, flagged_total.min(100));

    // A filter hides rows: only records past their retention date remain,
    // and each of them says so.
    let past = summary["flags_by_type"]["past_retention"]
        .as_u64()
        .unwrap_or(0);
    assert!(
        past > 0 && past < all_rows,
        "fixtures need some, not all, past_retention"
    );
    driver.run(
        "var s = document.getElementById('f-flag'); s.value = '2'; \
         s.dispatchEvent(new Event('change')); return null;",
    );
    assert_eq!(driver.run(rows).as_u64().unwrap(), past);
    let badges = driver.run(
        "return Array.from(document.querySelectorAll('#flagged-rows tr')).every(function (tr) { \
           return tr.textContent.indexOf('Past retention date') >= 0; });",
    );
    assert_eq!(badges, json!(true));
    driver.run("document.getElementById('f-clear').click(); return null;");
    assert_eq!(driver.run(rows).as_u64().unwrap(), all_rows);

    // The hostile file: found by searching, shown as text in the flagged
    // list and in the drill-down (with its hostile column name), and no
    // element or script came of it.
    driver.run(
        "var s = document.getElementById('f-search'); s.value = 'onerror'; \
         s.dispatchEvent(new Event('input')); return null;",
    );
    std::thread::sleep(Duration::from_millis(400));
    let shown = driver.run(
        "return Array.from(document.querySelectorAll('#flagged-rows .path')).map(function (e) { return e.textContent; });",
    );
    assert_eq!(shown, json!([HOSTILE, HOSTILE]), "{shown}");
    let opened = driver.run(
        "var d = document.querySelector('#folders details.folder'); d.open = true; \
         d.dispatchEvent(new Event('toggle')); \
         var f = d.querySelector('details.file'); f.open = true; f.dispatchEvent(new Event('toggle')); \
         return f.textContent;",
    );
    let opened = opened.as_str().unwrap_or("");
    assert!(opened.contains(HOSTILE), "{opened}");
    assert!(opened.contains("<svg onload=alert(3)>"), "{opened}");
    // Each finding says why it is believed (its evidence), as text.
    let evidence = driver.run(
        "return Array.from(document.querySelectorAll('#folders .evidence')).map(function (e) { return e.textContent; });",
    );
    let evidence = evidence.as_array().cloned().unwrap_or_default();
    assert!(
        !evidence.is_empty()
            && evidence
                .iter()
                .all(|e| e.as_str().is_some_and(|t| !t.is_empty())),
        "{evidence:?}"
    );
    let injected = driver.run(
        "return { img: document.querySelectorAll('img').length, \
                  handlers: document.querySelectorAll('[onload],[onerror]').length, \
                  scripts: document.scripts.length, \
                  csp: !!document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]') };",
    );
    assert_eq!(
        injected,
        json!({"img": 0, "handlers": 0, "scripts": 2, "csp": true}),
        "{injected}"
    );
    // Had any alert() run, the browser would be holding it open.
    let alert = driver.send(
        "GET",
        &format!("/session/{}/alert/text", driver.session),
        Value::Null,
    );
    assert_eq!(alert["value"]["error"], json!("no such alert"), "{alert}");

    // A picture for people: the whole report, unfiltered.
    driver.run(
        "document.getElementById('f-clear').click(); \
         document.querySelectorAll('details').forEach(function (d) { d.open = false; }); \
         window.scrollTo(0, 0); return null;",
    );
    let png = driver.session("GET", "/screenshot", Value::Null);
    let png = base64::engine::general_purpose::STANDARD
        .decode(png.as_str().unwrap())
        .unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    std::fs::write(out_dir.join("report.png"), png).unwrap();
    eprintln!("screenshot: {}", out_dir.join("report.png").display());
}

/// Scans one file with `args`, opens it in the drill-down of the HTML
/// report, and returns its file record's reason and what the page shows:
/// the file's counts line, the note above its findings (or null), and the
/// number of findings listed.
fn open_the_one_file(
    chromium: &Path,
    chromedriver: &Path,
    name: &str,
    bytes: &[u8],
    args: &[&str],
) -> (String, Value) {
    let share = tempfile::tempdir().unwrap();
    std::fs::write(share.path().join(name), bytes).unwrap();
    let html = share.path().join("report.html");
    let out = Command::cargo_bin("trawl")
        .unwrap()
        .arg("scan")
        .arg(share.path().join(name))
        .args(["--quiet", "--as-of", "2026-01-01", "--html"])
        .arg(&html)
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let reason = report["errors"][0]["reason"].as_str().unwrap().to_string();

    let profile = tempfile::tempdir().unwrap();
    let driver = Driver::start(chromedriver, chromium, profile.path());
    driver.open(&html);
    let opened = driver.run(
        "var d = document.querySelector('#folders details.folder'); d.open = true; \
         d.dispatchEvent(new Event('toggle')); \
         var f = d.querySelector('details.file'); f.open = true; f.dispatchEvent(new Event('toggle')); \
         var note = f.querySelector('.not-listed'); \
         return [f.querySelector('summary').textContent, note ? note.textContent : null, \
                 f.querySelectorAll('tbody tr').length];",
    );
    (reason, opened)
}

/// A file listed in part (`--max-findings-per-file`) says so where the DPO
/// opens it, beside the findings that are listed.
#[test]
fn a_file_not_listed_in_full_says_so_where_it_is_opened() {
    let Some((chromium, chromedriver)) = browser() else {
        return;
    };
    let export = common::export(30);
    let (reason, opened) = open_the_one_file(
        &chromium,
        &chromedriver,
        "tenants.csv",
        export.as_bytes(),
        &["--max-findings-per-file", "10"],
    );
    assert!(
        reason.starts_with("over --max-findings-per-file"),
        "{reason}"
    );
    assert!(
        opened[0]
            .as_str()
            .unwrap()
            .ends_with("10 findings, and more not listed"),
        "{opened}"
    );
    assert_eq!(opened[1], json!(format!("Not listed in full: {reason}")));
    assert_eq!(opened[2], json!(10));
}

/// A file that failed part-way, with findings from the part read (an
/// export cut short), says so where it is opened, and is not said to have
/// more not listed.
#[test]
fn a_file_read_in_part_says_so_where_it_is_opened() {
    let Some((chromium, chromedriver)) = browser() else {
        return;
    };
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, common::export(400).as_bytes()).unwrap();
    let whole = gz.finish().unwrap();
    let (reason, opened) = open_the_one_file(
        &chromium,
        &chromedriver,
        "tenants.csv.gz",
        &whole[..whole.len() / 2],
        &[],
    );
    assert!(
        reason.starts_with("corrupt gzip: ")
            && reason.ends_with("bytes unpacked before it were scanned"),
        "{reason}"
    );
    let counts = opened[0].as_str().unwrap();
    assert!(counts.ends_with(" findings"), "{opened}");
    assert_eq!(opened[1], json!(format!("Read in part (failed): {reason}")));
    assert!(opened[2].as_u64().unwrap() > 10, "{opened}");
}

/// Scale: a report of 100,000 findings opens and filters without freezing
/// the browser. Run by hand (it prints what it measured; no timing is
/// asserted): `cargo test --release --test browser -- --ignored --nocapture`.
#[test]
#[ignore]
fn a_report_of_100000_findings_opens_and_filters() {
    let (Some(chromium), Some(chromedriver)) = (
        find_program(
            "TRAWL_CHROMIUM",
            &["chromium", "chromium-browser", "google-chrome"],
        ),
        find_program("TRAWL_CHROMEDRIVER", &["chromedriver"]),
    ) else {
        panic!("needs chromium and chromedriver");
    };
    let share = tempfile::tempdir().unwrap();
    // 50 folders × 10 files × 50 rows × 4 values.
    for folder in 0..50 {
        let dir = share.path().join(format!("area{folder:02}"));
        std::fs::create_dir_all(&dir).unwrap();
        for file in 0..10 {
            let mut csv = String::from("Name,Email,NI Number,Phone,DOB\n");
            for row in 0..50 {
                let n = (folder * 10 + file) * 50 + row;
                csv.push_str(&format!(
                    "Tenant {n},tenant{n}@example.com,AB {:02} {:02} {:02} C,07700 900{:03},{:02}/{:02}/19{:02}\n",
                    n % 100,
                    (n / 100) % 100,
                    (n / 10000) % 100,
                    n % 1000,
                    n % 28 + 1,
                    n % 12 + 1,
                    40 + n % 50
                ));
            }
            std::fs::write(dir.join(format!("tenants{file}.csv")), csv).unwrap();
        }
    }
    let html = share.path().join("report.html");
    let out = Command::cargo_bin("trawl")
        .unwrap()
        .arg("scan")
        .arg(share.path())
        .args([
            "--quiet",
            "--format",
            "json",
            "--out",
            "/dev/null",
            "--as-of",
            "2026-01-01",
            "--html",
        ])
        .arg(&html)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let size = std::fs::metadata(&html).unwrap().len();

    let profile = tempfile::tempdir().unwrap();
    let driver = Driver::start(&chromedriver, &chromium, profile.path());
    let started = Instant::now();
    driver.session(
        "POST",
        "/url",
        json!({ "url": format!("file://{}", html.display()) }),
    );
    while driver.run("return document.documentElement.getAttribute('data-ready');") != json!("true")
    {
        assert!(started.elapsed() < Duration::from_secs(120), "never ready");
        std::thread::sleep(Duration::from_millis(20));
    }
    let opened = started.elapsed();
    let findings = driver.run(
        "return JSON.parse(document.getElementById('trawl-data').textContent).findings.length;",
    );
    assert!(findings.as_u64().unwrap() >= 100_000, "{findings}");
    let filtered = driver.run(
        "var t = performance.now(); var s = document.getElementById('f-search'); \
         s.value = 'area07'; s.dispatchEvent(new Event('input')); \
         return new Promise(function (done) { setTimeout(function () { \
           done([performance.now() - t - 150, document.querySelectorAll('#flagged-rows tr').length]); }, 160); });",
    );
    eprintln!(
        "100k findings: {} findings, HTML {:.1} MB, open to ready {:.2} s, search filter {:.0} ms ({} rows shown)",
        findings,
        size as f64 / 1e6,
        opened.as_secs_f64(),
        filtered[0].as_f64().unwrap_or(-1.0),
        filtered[1]
    );
}
