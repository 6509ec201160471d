//! Helpers shared by the integration tests that copy and scan the fixtures.

use std::path::Path;

use assert_cmd::Command;

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn trawl() -> Command {
    Command::cargo_bin("trawl").unwrap()
}

/// Runs `scan` under a 4 GiB address-space limit, so that a file that makes
/// a reader reserve or grow memory without end fails the test instead of the
/// machine. Unix only: elsewhere the scan runs unlimited.
pub fn limit_address_space(scan: &mut std::process::Command) {
    #[cfg(unix)]
    unsafe {
        use std::os::unix::process::CommandExt;
        scan.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 4 << 30,
                rlim_max: 4 << 30,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    #[cfg(not(unix))]
    let _ = scan;
}

/// Copies a folder and everything below it. (Where a name cannot be made,
/// as `<img …>.csv` on Windows, that file is left out: the tests that
/// compare runs with each other still hold.)
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            match std::fs::copy(entry.path(), &target) {
                Err(e) if cfg!(windows) && e.kind() == std::io::ErrorKind::InvalidFilename => {}
                copied => {
                    copied.unwrap();
                }
            }
        }
    }
}

/// Copies the rules (every file of `rules/`: detectors, word lists, the
/// allowlist and the suppressions; not the policies) to `dest`, for tests
/// that change them.
pub fn copy_rules(dest: &Path) {
    std::fs::create_dir_all(dest).unwrap();
    for entry in std::fs::read_dir(root().join("rules")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, dest.join(path.file_name().unwrap())).unwrap();
        }
    }
}

/// The JSON output of a scan that found something (exit 1); else fails,
/// with what the scan said.
pub fn found(out: &std::process::Output) -> serde_json::Value {
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A CSV export of `rows` invented tenants, each row with a name, an NI
/// number and an email address.
pub fn export(rows: usize) -> String {
    let mut rng = trawl::synth::Rng::new(7);
    let mut csv = String::from("Name,NI Number,Email\n");
    for _ in 0..rows {
        let name = trawl::synth::name(&mut rng);
        let nino = trawl::synth::nino(&mut rng);
        let email = trawl::synth::email(&mut rng);
        csv.push_str(&format!("{name},{nino},{email}\n"));
    }
    csv
}
