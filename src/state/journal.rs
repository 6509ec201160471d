//! How the state's changes are journalled, by where the state is kept.
//!
//! SQLite's write-ahead log (WAL) is the faster journal, and safe on a local
//! disk. It shares an index between the processes that use the database
//! through a memory-mapped file (`STATE-shm`), which a network file system
//! does not keep in step between hosts: a state kept on a share, and opened
//! from two machines (the night's run on the scan server, `trawl triage` on
//! the DPO's), could be damaged. There, SQLite's rollback journal is used,
//! which relies on the file locks a network file system does pass on.

use std::path::Path;

/// The journal mode and sync level for a state at `path`.
pub fn for_state(path: &Path) -> (&'static str, &'static str) {
    if on_network_file_system(path) {
        // Every commit reaches the server before the next begins.
        ("DELETE", "FULL")
    } else {
        ("WAL", "NORMAL")
    }
}

/// Whether the folder `path` is in is on a network file system (or one whose
/// kind cannot be told as local: FUSE, as sshfs and rclone are).
fn on_network_file_system(path: &Path) -> bool {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    file_system_magic(dir).is_some_and(is_network)
}

#[cfg(target_os = "linux")]
fn file_system_magic(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let name = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut info = std::mem::MaybeUninit::<libc::statfs>::uninit();
    // SAFETY: `name` is a NUL-terminated path and `info` is written by the
    // call before it is read, only when the call succeeds.
    let done = unsafe { libc::statfs(name.as_ptr(), info.as_mut_ptr()) } == 0;
    // SAFETY: written by the successful call above.
    done.then(|| unsafe { info.assume_init() }.f_type as u64)
}

#[cfg(not(target_os = "linux"))]
fn file_system_magic(_: &Path) -> Option<u64> {
    None
}

/// Whether a `statfs` magic number names a network (or FUSE) file system.
fn is_network(magic: u64) -> bool {
    // From linux/magic.h and the file systems' own sources.
    const NETWORK: [u64; 13] = [
        0x6969,      // NFS
        0x517b,      // SMB (the old smbfs)
        0xff53_4d42, // CIFS
        0xfe53_4d42, // SMB2 (cifs.ko's newer magic)
        0x6573_5546, // FUSE: sshfs, rclone, s3fs
        0x00c3_6400, // Ceph
        0x0102_1997, // 9P (v9fs)
        0x5346_414f, // AFS
        0x6b41_4653, // kAFS
        0x7375_7245, // Coda
        0x564c,      // NCP (NetWare)
        0x0bd0_0bd0, // Lustre
        0x0116_1970, // GFS2
    ];
    NETWORK.contains(&(magic & 0xffff_ffff))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_file_systems_are_told_from_local_ones() {
        for (magic, network) in [
            (0x6969, true),       // NFS
            (0xff53_4d42, true),  // CIFS
            (0xfe53_4d42, true),  // SMB2
            (0x6573_5546, true),  // FUSE
            (0xef53, false),      // ext4
            (0x5846_5342, false), // XFS
            (0x9123_683e, false), // Btrfs
            (0x0102_1994, false), // tmpfs
            (0x794c_7630, false), // overlayfs
            (0x2fc1_2fc1, false), // ZFS
            // A 32-bit magic sign-extended into a 64-bit field.
            (0xffff_ffff_ff53_4d42, true),
        ] {
            assert_eq!(is_network(magic), network, "{magic:#x}");
        }
    }

    /// The test's own temporary folder is on a local disk (or tmpfs): WAL.
    #[test]
    fn a_state_on_a_local_disk_keeps_a_write_ahead_log() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            file_system_magic(dir.path()).map(is_network),
            cfg!(target_os = "linux").then_some(false)
        );
        assert_eq!(for_state(&dir.path().join("state.db")), ("WAL", "NORMAL"));
    }
}
