//! Writing output files safely: readable by their owner only (or, when
//! asked, their group too), and atomically
//! (a temporary file beside the target, then a rename), so that nobody ever
//! opens a half-written report, and a failed run leaves the last good one.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use anyhow::{Context, Result};

/// A file being written: nobody sees it at `path` until [`commit`]. Dropped
/// without a commit, it vanishes and leaves what was at `path` untouched.
/// On Unix it is created with mode 0600, whatever the umask, and keeps it on
/// rename. A target that exists and is not a regular file (`/dev/null`, a
/// pipe) is written in place instead.
///
/// [`commit`]: PrivateFile::commit
pub struct PrivateFile {
    path: PathBuf,
    out: Target,
}

/// Who may read an output file (on Unix; elsewhere, the folder's own
/// permissions apply).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readers {
    /// Mode 0600.
    Owner,
    /// Mode 0640: the file's group too (the DPO's, where the report folder
    /// is theirs and set-group-ID, or trawl runs in it); never everyone.
    OwnerAndGroup,
}

enum Target {
    /// A new file, renamed into place on commit.
    Staged(BufWriter<NamedTempFile>),
    /// Something that is not a regular file (`/dev/null`, a pipe, a
    /// terminal): written in place, since renaming over it would replace it.
    Direct(BufWriter<std::fs::File>),
}

impl PrivateFile {
    /// Creates the temporary file now, so an unwritable place fails before
    /// any work is done.
    pub fn create(path: &Path) -> Result<PrivateFile> {
        PrivateFile::create_for(path, Readers::Owner)
    }

    /// [`create`](PrivateFile::create), readable by `readers`.
    /// (Windows gives a new file its folder's permissions: `readers` is
    /// then the folder's to say.)
    #[cfg_attr(not(unix), allow(unused_variables))]
    pub fn create_for(path: &Path, readers: Readers) -> Result<PrivateFile> {
        // Write through a symbolic link to where it points, not over it.
        // (Only a link is resolved: a device such as Windows' `NUL` is
        // written as named.)
        let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        let path = if is_link {
            std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
        } else {
            path.to_path_buf()
        };
        let path = path.as_path();
        // Not a regular file, or not one that can be looked at (Windows'
        // `NUL`): written in place; opening it says what is wrong, if
        // anything is.
        let in_place = match std::fs::metadata(path) {
            Ok(meta) => !meta.is_file(),
            Err(e) => e.kind() != std::io::ErrorKind::NotFound,
        };
        if in_place {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            return Ok(PrivateFile {
                path: path.to_path_buf(),
                out: Target::Direct(BufWriter::new(file)),
            });
        }
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
        #[cfg(unix)]
        if readers == Readers::OwnerAndGroup {
            use std::os::unix::fs::PermissionsExt;
            tmp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o640))
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        Ok(PrivateFile {
            path: path.to_path_buf(),
            out: Target::Staged(BufWriter::new(tmp)),
        })
    }

    pub fn writer(&mut self) -> &mut dyn Write {
        match &mut self.out {
            Target::Staged(w) => w,
            Target::Direct(w) => w,
        }
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(self) -> Result<()> {
        let path = self.path;
        let out = match self.out {
            Target::Staged(out) => out,
            Target::Direct(mut out) => {
                return out
                    .flush()
                    .with_context(|| format!("writing {}", path.display()));
            }
        };
        let tmp = out
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
        write_private(&path, |out: &mut dyn Write| {
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

    #[cfg(unix)]
    #[test]
    fn a_file_for_its_group_too_is_readable_by_the_group_alone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.html");
        let mut file = PrivateFile::create_for(&path, Readers::OwnerAndGroup).unwrap();
        file.writer().write_all(b"new").unwrap();
        file.commit().unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }

    #[cfg(unix)]
    #[test]
    fn a_pipe_is_written_in_place_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        write_private(&fifo, |out: &mut dyn Write| {
            out.write_all(b"through the pipe")?;
            Ok(())
        })
        .unwrap();
        assert_eq!(reader.join().unwrap(), b"through the pipe");
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.html");
        let link = dir.path().join("link.html");
        std::fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_private(&link, |out: &mut dyn Write| {
            out.write_all(b"new")?;
            Ok(())
        })
        .unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
    }

    #[test]
    fn a_failed_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        std::fs::write(&path, "old").unwrap();
        let result = write_private(&path, |out: &mut dyn Write| {
            out.write_all(b"half")?;
            anyhow::bail!("stopped")
        });
        assert!(result.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
