//! A FUSE file's or folder's attributes, as the tests' and benches' own
//! file systems give them: read-only, owned by root, dated 14 November
//! 2023 (fixed, so that a rescan sees nothing changed).

use std::time::{Duration, SystemTime};

use fuser::{FileAttr, FileType};

pub fn attr(ino: u64, size: u64, dir: bool) -> FileAttr {
    let when = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    FileAttr {
        ino,
        size,
        blocks: size.div_ceil(512),
        atime: when,
        mtime: when,
        ctime: when,
        crtime: when,
        kind: if dir {
            FileType::Directory
        } else {
            FileType::RegularFile
        },
        perm: if dir { 0o755 } else { 0o644 },
        nlink: if dir { 2 } else { 1 },
        uid: 0,
        gid: 0,
        rdev: 0,
        blksize: 4096,
        flags: 0,
    }
}
