//! Writing output files safely: readable by their owner only, and atomically
//! (a temporary file beside the target, then a rename), so that nobody ever
//! opens a half-written report, and a failed run leaves the last good one.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use anyhow::{Context, Result};

/// A file being written: nobody sees it at `path` until [`commit`]. Dropped
/// without a commit, it vanishes and leaves what was at `path` untouched.
/// On Unix it is created with mode 0600, whatever the umask, and keeps it on
/// rename.
///
/// [`commit`]: PrivateFile::commit
pub struct PrivateFile {
    path: PathBuf,
    out: BufWriter<NamedTempFile>,
}

impl PrivateFile {
    /// Creates the temporary file now, so an unwritable place fails before
    /// any work is done.
    pub fn create(path: &Path) -> Result<PrivateFile> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let name = path
            .file_name()
            .with_context(|| format!("cannot write {}: not a file name", path.display()))?;
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".{}.", name.to_string_lossy()))
            .suffix(".tmp")
            .tempfile_in(dir)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(PrivateFile {
            path: path.to_path_buf(),
            out: BufWriter::new(tmp),
        })
    }

    pub fn writer(&mut self) -> &mut dyn Write {
        &mut self.out
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(self) -> Result<()> {
        let path = self.path;
        let tmp = self
            .out
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("writing {}", path.display()))?;
        tmp.as_file()
            .sync_all()
            .with_context(|| format!("writing {}", path.display()))?;
        tmp.persist(&path)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(())
    }
}

/// Writes `path` whole through `write`, as a [`PrivateFile`].
pub fn write_private(path: &Path, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let mut file = PrivateFile::create(path)?;
    write(file.writer()).with_context(|| format!("writing {}", path.display()))?;
    file.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_whole_and_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.html");
        std::fs::write(&path, "old").unwrap();
        write_private(&path, &mut |out: &mut dyn Write| {
            out.write_all(b"new")?;
            Ok(())
        })
        .unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Nothing left beside it.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_failed_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        std::fs::write(&path, "old").unwrap();
        let result = write_private(&path, &mut |out: &mut dyn Write| {
            out.write_all(b"half")?;
            anyhow::bail!("stopped")
        });
        assert!(result.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
