//! What the compound-file (OLE) formats share: 8-bit text in a Windows
//! code page, FILETIME dates, and the summary information property set
//! (MS-OLEPS) that holds a document's author and dates.

use super::{foreign, le_u32, DocumentMeta, Problem};

/// What a compound file that cannot be opened or read is reported as: the
/// `cfb` crate checks its chains and sizes against the file as it opens it.
pub(crate) fn damaged(what: &'static str) -> impl Fn(std::io::Error) -> Problem + Copy {
    move |e| {
        Problem::Failed(format!(
            "corrupt {what}: its compound file is damaged ({})",
            foreign(e)
        ))
    }
}

/// 8-bit text in a Windows code page (Windows-1252 when none that is known
/// is named).
pub(crate) fn decoded(bytes: &[u8], codepage: Option<u32>) -> String {
    encoding(codepage).decode(bytes).0.into_owned()
}

/// The encoding of a Windows code page, Windows-1252 for those it does not
/// know.
pub(crate) fn encoding(codepage: Option<u32>) -> &'static encoding_rs::Encoding {
    let label = match codepage {
        Some(65001) => "utf-8".to_string(),
        Some(cp @ (874 | 1250..=1258)) => format!("windows-{cp}"),
        Some(cp @ 28591..=28599) => format!("iso-8859-{}", cp - 28590),
        Some(932) => "shift_jis".into(),
        Some(936) => "gbk".into(),
        Some(949) => "euc-kr".into(),
        Some(950) => "big5".into(),
        Some(20866) => "koi8-r".into(),
        _ => String::new(),
    };
    encoding_rs::Encoding::for_label(label.as_bytes()).unwrap_or(encoding_rs::WINDOWS_1252)
}

/// A FILETIME (100 ns ticks since 1601) as `YYYY-MM-DD`; none before 1980,
/// which is how a date not set reads (zero is 1601-01-01).
pub(crate) fn filetime_date(ticks: u64) -> Option<String> {
    const UNIX_EPOCH_SECONDS: i64 = 11_644_473_600;
    let seconds = i64::try_from(ticks / 10_000_000).ok()? - UNIX_EPOCH_SECONDS;
    let date = jiff::Timestamp::from_second(seconds)
        .ok()?
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    (date.year() >= 1980).then(|| date.to_string())
}

/// A document's author and dates from its summary information stream
/// (`\u{5}SummaryInformation`), where it has them: the first property set's
/// author (4), creation (12) and last-saved (13) times.
pub(crate) fn summary_information(stream: &[u8]) -> Option<DocumentMeta> {
    const AUTHOR: u32 = 4;
    const CREATED: u32 = 12;
    const SAVED: u32 = 13;
    const CODEPAGE: u32 = 1;
    const LPSTR: u32 = 0x001E;
    const FILETIME: u32 = 0x0040;
    const I2: u32 = 0x0002;
    let u32_at = |at: usize| le_u32(stream, at);
    let u64_at = |at: usize| Some(u64::from(u32_at(at)?) | u64::from(u32_at(at + 4)?) << 32);
    let section = u32_at(44)? as usize;
    // A real set has some tens of properties.
    let count = (u32_at(section.checked_add(4)?)? as usize).min(1024);
    let mut properties = Vec::new();
    for i in 0..count {
        let entry = section + 8 + i * 8;
        let (Some(id), Some(offset)) = (u32_at(entry), u32_at(entry + 4)) else {
            break;
        };
        let at = section.saturating_add(offset as usize);
        if let Some(kind) = u32_at(at) {
            properties.push((id, kind & 0xFFFF, at + 4));
        }
    }
    let codepage = properties
        .iter()
        .find(|p| p.0 == CODEPAGE && p.1 == I2)
        .and_then(|p| u32_at(p.2))
        .map(|v| v & 0xFFFF);
    let text = |at: usize| {
        let size = u32_at(at)? as usize;
        let bytes = stream.get(at + 4..(at + 4).checked_add(size)?)?;
        let text = decoded(bytes, codepage);
        let text = text.trim_end_matches('\0').trim();
        (!text.is_empty()).then(|| text.to_string())
    };
    let mut meta = DocumentMeta::default();
    for (id, kind, at) in properties {
        match (id, kind) {
            (AUTHOR, LPSTR) => meta.author = text(at),
            (CREATED, FILETIME) => meta.created = u64_at(at).and_then(filetime_date),
            (SAVED, FILETIME) => meta.modified = u64_at(at).and_then(filetime_date),
            _ => {}
        }
    }
    (meta != DocumentMeta::default()).then_some(meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2025-03-03 10:00 UTC as a FILETIME.
    const TEN_AM: u64 = (1_740_996_000 + 11_644_473_600) * 10_000_000;

    #[test]
    fn dates_and_code_pages() {
        assert_eq!(filetime_date(TEN_AM).as_deref(), Some("2025-03-03"));
        // Not set: zero, and anything before 1980.
        assert_eq!(filetime_date(0), None);
        assert_eq!(filetime_date(10_000_000 * 86_400 * 365 * 378), None);
        assert_eq!(filetime_date(u64::MAX), None);
        assert_eq!(decoded(b"\x96", None), "\u{2013}");
        assert_eq!(decoded("é".as_bytes(), Some(65001)), "é");
        assert_eq!(decoded(b"\xe9", Some(28591)), "é");
        assert_eq!(decoded(b"\xc8", Some(1251)), "И");
        assert_eq!(decoded(b"\x96", Some(4)), "\u{2013}");
    }

    /// A summary information stream: the header, one set's identifier and
    /// offset, then the set of the given properties.
    fn summary(properties: &[(u32, Vec<u8>)]) -> Vec<u8> {
        let mut stream = vec![0xFE, 0xFF, 0, 0];
        stream.resize(24, 0);
        stream.extend(1u32.to_le_bytes());
        stream.extend([0; 16]);
        stream.extend(48u32.to_le_bytes());
        let mut values: Vec<u8> = Vec::new();
        let mut entries: Vec<u8> = Vec::new();
        for (id, value) in properties {
            entries.extend(id.to_le_bytes());
            entries.extend(((8 + properties.len() * 8 + values.len()) as u32).to_le_bytes());
            values.extend(value);
        }
        let size = 8 + entries.len() + values.len();
        stream.extend((size as u32).to_le_bytes());
        stream.extend((properties.len() as u32).to_le_bytes());
        stream.extend(entries);
        stream.extend(values);
        stream
    }

    fn typed(kind: u32, value: &[u8]) -> Vec<u8> {
        [&kind.to_le_bytes()[..], value].concat()
    }

    #[test]
    fn a_summary_gives_the_author_and_dates() {
        let author = [&6u32.to_le_bytes()[..], b"J\xf6 B\0\0"].concat();
        let stream = summary(&[
            (1, typed(2, &1252u32.to_le_bytes())),
            (4, typed(0x1E, &author)),
            (12, typed(0x40, &TEN_AM.to_le_bytes())),
            (13, typed(0x40, &0u64.to_le_bytes())),
            (2, typed(0x1E, &[2, 0, 0, 0, b'x', 0])),
        ]);
        assert_eq!(
            summary_information(&stream),
            Some(DocumentMeta {
                author: Some("Jö B".into()),
                created: Some("2025-03-03".into()),
                modified: None,
            })
        );
        // Cut anywhere, it is read as far as it goes, and never past it.
        for cut in 0..stream.len() {
            let _ = summary_information(&stream[..cut]);
        }
        assert_eq!(summary_information(&summary(&[])), None);
    }
}
