//! What the person at the terminal sees: a progress line while scanning
//! (only on a terminal) and a summary at the end, both on stderr.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{HistoryInfo, Summary};

pub struct Progress {
    files: AtomicU64,
    bytes: AtomicU64,
    findings: AtomicU64,
    started: Instant,
    bar: Option<ProgressBar>,
}

impl Progress {
    /// `visible`: draw a progress line on stderr.
    pub fn new(visible: bool) -> Progress {
        let bar = visible.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress {
            files: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            findings: AtomicU64::new(0),
            started: Instant::now(),
            bar,
        }
    }

    pub fn file_done(&self, bytes: u64, findings: u64) {
        let files = self.files.fetch_add(1, Ordering::Relaxed) + 1;
        let bytes = self.bytes.fetch_add(bytes, Ordering::Relaxed) + bytes;
        let findings = self.findings.fetch_add(findings, Ordering::Relaxed) + findings;
        if let Some(bar) = &self.bar {
            let mb = bytes as f64 / 1e6;
            let rate = mb / self.started.elapsed().as_secs_f64().max(1e-3);
            bar.set_message(format!(
                "{files} files, {mb:.1} MB, {findings} findings, {rate:.1} MB/s"
            ));
        }
    }

    /// How far the scan has got, in one line for the log.
    pub fn so_far(&self) -> String {
        let secs = self.started.elapsed().as_secs();
        let taken = if secs >= 120 {
            format!("{} min", secs / 60)
        } else {
            format!("{secs} s")
        };
        format!(
            "progress after {taken}: {} done, {:.1} MB, {}",
            counted(self.files.load(Ordering::Relaxed), "file"),
            self.bytes.load(Ordering::Relaxed) as f64 / 1e6,
            counted(self.findings.load(Ordering::Relaxed), "finding")
        )
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The end-of-scan summary for people.
pub fn print_summary(summary: &Summary, elapsed: Duration, err: &mut dyn Write) {
    let secs = elapsed.as_secs_f64();
    let mb = summary.bytes_scanned as f64 / 1e6;
    let f = &summary.files;
    let mut line = format!(
        "trawl: {} files seen: {} scanned, {} skipped, {} failed",
        summary.files_seen, f.scanned, f.skipped, f.failed
    );
    if f.encrypted > 0 {
        line += &format!(", {} encrypted", f.encrypted);
    }
    if f.no_text > 0 {
        line += &format!(", {} with no text", f.no_text);
    }
    let _ = writeln!(
        err,
        "{line}; {mb:.1} MB in {secs:.2} s ({:.1} MB/s)",
        mb / secs.max(1e-6)
    );
    let m = &summary.members;
    if m.scanned + m.skipped + m.unreadable() > 0 {
        let _ = writeln!(
            err,
            "trawl: archive members and attachments: {} scanned, {} skipped, {} encrypted, {} with no text, {} failed",
            m.scanned, m.skipped, m.encrypted, m.no_text, m.failed
        );
    }
    let _ = writeln!(err, "trawl: {} findings", summary.findings);
    if summary.findings_suppressed + summary.records_suppressed > 0 {
        let _ = writeln!(
            err,
            "trawl: {} and {} suppressed by triage decisions or suppressions.toml: not counted here nor shown (--show-suppressed lists them)",
            counted(summary.findings_suppressed, "finding"),
            counted(summary.records_suppressed, "record")
        );
    }
    for (detector, n) in &summary.findings_by_detector {
        let _ = writeln!(err, "  {detector:<18} {n}");
    }
    if summary.findings_not_listed > 0 {
        let _ = writeln!(
            err,
            "trawl: and {} more in files over --max-findings-per-file: counted, not listed nor counted above (each such file's line says how many){}",
            summary.findings_not_listed,
            match summary.rows_not_judged {
                0 => String::new(),
                n => format!("; {} holding only those not judged", counted(n, "row")),
            }
        );
        for (detector, n) in &summary.findings_not_listed_by_detector {
            let _ = writeln!(err, "  {detector:<18} {n}");
        }
    }
    let _ = writeln!(
        err,
        "trawl: {} records hold findings, {} of them personal data; {} flagged",
        summary.records, summary.records_personal, summary.records_flagged
    );
    for (flag, n) in &summary.flags_by_type {
        let _ = writeln!(err, "  {:<36} {n}", flag.to_string());
    }
}

/// `n` things, in words: "1 finding", "2 findings".
fn counted(n: u64, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}

/// The end-of-scan summary of a run with a state: what it read, and what
/// changed since the run it is compared with.
pub fn print_history(history: &HistoryInfo, err: &mut dyn Write) {
    let h = history;
    let read = format!(
        "{} read, {} unchanged and reused, {} removed",
        counted(h.files_read, "file"),
        h.files_reused,
        h.files_removed
    );
    let line = match h.previous_run {
        None => format!(
            "trawl: run {}: {read}; no completed run before it to compare with",
            h.run
        ),
        Some(before) => {
            let mut line = format!(
                "trawl: run {}: {read}; since run {before}: {} new and {} resolved findings and records",
                h.run,
                h.new,
                h.resolved.len()
            );
            if !h.moved.is_empty() {
                line += &format!(
                    "; {} moved (their findings and decisions followed them)",
                    counted(h.moved.len() as u64, "file")
                );
            }
            if h.kept_open > 0 {
                line += &format!(
                    ", {} kept open in what could not be read or was excluded",
                    h.kept_open
                );
            }
            let changed: Vec<&str> = [(h.rules_changed, "rules"), (h.policy_changed, "policy")]
                .into_iter()
                .filter_map(|(changed, what)| changed.then_some(what))
                .collect();
            if !changed.is_empty() {
                line += &format!("; the {} changed since run {before}", changed.join(" and "));
            }
            line
        }
    };
    let _ = writeln!(err, "{line}");
}

/// `text` fit for one line of plain text read by a person or a program (a
/// log, a terminal): a file's name may hold a line break, which would forge
/// a line of its own in a log that monitoring reads, or a terminal's escape
/// sequences, or the controls that reverse the direction of text and make
/// a name read as another. Each is written as an escape (`\n`, `\u{1b}`).
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    fn hidden(c: char) -> bool {
        c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }
    if !text.chars().any(hidden) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hidden(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::{print_history, printable};
    use crate::report::HistoryInfo;

    fn history_line(h: &HistoryInfo) -> String {
        let mut out = Vec::new();
        print_history(h, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_run_says_when_the_rules_or_policy_changed() {
        let mut h = HistoryInfo {
            run: 7,
            previous_run: Some(6),
            files_reused: 3,
            ..HistoryInfo::default()
        };
        let plain = history_line(&h);
        assert!(!plain.contains("changed since"), "{plain}");
        h.policy_changed = true;
        assert!(
            history_line(&h).ends_with("; the policy changed since run 6\n"),
            "{}",
            history_line(&h)
        );
        h.rules_changed = true;
        assert!(history_line(&h).ends_with("; the rules and policy changed since run 6\n"));
        h.previous_run = None;
        assert!(!history_line(&h).contains("changed since"));
    }

    #[test]
    fn what_could_forge_a_line_or_hide_a_name_is_escaped() {
        for (text, shown) in [
            ("tenants/rent.csv", "tenants/rent.csv"),
            ("Siân's café – notes.txt", "Siân's café – notes.txt"),
            (
                "x\n2026-01-01T00:00:00Z trawl[1]: run 9 completed",
                "x\\n2026-01-01T00:00:00Z trawl[1]: run 9 completed",
            ),
            ("a\rb\tc", "a\\rb\\tc"),
            ("\u{1b}[2Jwiped", "\\u{1b}[2Jwiped"),
            ("invoice\u{202e}fdp.exe", "invoice\\u{202e}fdp.exe"),
            ("\u{85}next line", "\\u{85}next line"),
        ] {
            assert_eq!(printable(text), shown, "{text:?}");
        }
    }
}
