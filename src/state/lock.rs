//! One run at a time per state: an exclusive lock on `STATE.lock`, held
//! while the run lasts and released by the OS if trawl dies.

use std::fmt;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// Another run holds the state.
#[derive(Debug)]
pub struct LockError {
    pub lock: PathBuf,
    /// What the holder wrote in the lock file (its process id).
    pub holder: String,
}

impl fmt::Display for LockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "another trawl run ({}) is using this state (lock {}); try again when it has finished",
            if self.holder.is_empty() {
                "process unknown".to_string()
            } else {
                format!("process {}", self.holder)
            },
            self.lock.display()
        )
    }
}

impl std::error::Error for LockError {}

#[derive(Debug)]
pub struct Lock {
    _file: File,
}

/// The lock of a state is a file beside it, named as it with this after.
pub const LOCK_SUFFIX: &str = ".lock";

impl Lock {
    pub fn take(state: &Path) -> anyhow::Result<Lock> {
        let path = super::beside(state, LOCK_SUFFIX);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| anyhow::anyhow!("cannot open the lock {}: {e}", path.display()))?;
        // flock(2) on Linux, as the `flock` command takes it (see the
        // README's backup); LockFileEx on Windows.
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                // Where locks are mandatory (Windows), the holder's number
                // cannot be read: then it is unknown.
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                return Err(LockError {
                    lock: path,
                    holder: holder.trim().to_string(),
                }
                .into());
            }
            Err(TryLockError::Error(e)) => {
                anyhow::bail!("cannot lock {}: {e}", path.display())
            }
        }
        let _ = file.set_len(0);
        let _ = file.rewind();
        let _ = write!(file, "{}", std::process::id());
        let _ = file.flush();
        Ok(Lock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_taker_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("trawl.db");
        let first = Lock::take(&state).unwrap();
        let err = Lock::take(&state).unwrap_err();
        let lock = err.downcast_ref::<LockError>().expect("a LockError");
        assert_eq!(lock.holder, std::process::id().to_string());
        assert!(err.to_string().contains("another trawl run"));
        drop(first);
        assert!(Lock::take(&state).is_ok());
    }
}
