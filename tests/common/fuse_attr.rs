//! What the tests' and benches' own FUSE file systems share: a file's or
//! folder's attributes (read-only, owned by root, dated 14 November 2023,
//! fixed, so that a rescan sees nothing changed), and the bytes a read
//! asks for.

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

/// The part of a file of `len` bytes that a read at `offset` of `size`
/// bytes gives: cut at the file's end, empty past it.
pub fn span(len: usize, offset: i64, size: u32) -> std::ops::Range<usize> {
    let start = (offset.max(0) as usize).min(len);
    start..start.saturating_add(size as usize).min(len)
}
