"""Writes compound files (OLE, version 3, 512-byte sectors) for the fixture
generators, as Outlook's .msg files are: storages and streams, streams under
4,096 bytes in the mini stream. Byte-identical on every run (no times)."""
import datetime
import struct
import zlib

SECTOR, MINI, CUTOFF = 512, 64, 4096
FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _key(name):
    # Siblings are ordered by name length, then by their upper-cased text.
    return (len(name), name.upper())


def compound(tree):
    """`tree` maps names to bytes (a stream) or to a dict (a storage)."""
    entries = [{"name": "Root Entry", "type": 5, "data": b"", "children": []}]

    def add(children, into):
        for name in sorted(children, key=_key):
            value = children[name]
            entry = {"name": name, "type": 1 if isinstance(value, dict) else 2,
                     "data": b"" if isinstance(value, dict) else value, "children": []}
            entries.append(entry)
            into["children"].append(len(entries) - 1)
            if isinstance(value, dict):
                add(value, entry)

    add(tree, entries[0])

    mini_stream, mini_fat = b"", []
    big = []
    for e in entries[1:]:
        data = e["data"]
        if e["type"] != 2 or not data:
            e["start"] = END if e["type"] == 2 else 0
            continue
        if len(data) < CUTOFF:
            count = -(-len(data) // MINI)
            e["start"] = len(mini_fat)
            mini_fat += list(range(len(mini_fat) + 1, len(mini_fat) + count)) + [END]
            mini_stream += data.ljust(count * MINI, b"\0")
        else:
            big.append(e)

    def sectors(data):
        return -(-len(data) // SECTOR)

    directory = len(entries) * 128
    # Unused entries of the last MiniFAT sector are free, not zero.
    mini_fat += [FREE] * (-len(mini_fat) % (SECTOR // 4))
    mini_fat_bytes = b"".join(struct.pack("<I", v) for v in mini_fat)
    chains = [("dir", sectors(b"\0" * directory)), ("minifat", sectors(mini_fat_bytes)),
              ("ministream", sectors(mini_stream))] + [(id(e), sectors(e["data"])) for e in big]
    used = sum(n for _, n in chains)
    fat_sectors = 1
    while fat_sectors * (SECTOR // 4) < used + fat_sectors:
        fat_sectors += 1
    assert fat_sectors <= 109, "too large for a header's DIFAT"
    fat = [FATSECT] * fat_sectors
    start = {}
    for key, n in chains:
        start[key] = len(fat) if n else END
        fat += list(range(len(fat) + 1, len(fat) + n)) + ([END] if n else [])
    fat += [FREE] * (fat_sectors * (SECTOR // 4) - len(fat))

    entries[0]["start"] = start["ministream"]
    entries[0]["data"] = mini_stream
    for e in big:
        e["start"] = start[id(e)]

    def tree_of(ids):
        # A balanced tree of the ordered siblings; every node black.
        if not ids:
            return NOSTREAM
        mid = len(ids) // 2
        node = entries[ids[mid]]
        node["left"], node["right"] = tree_of(ids[:mid]), tree_of(ids[mid + 1:])
        return ids[mid]

    for e in entries:
        e["child"] = tree_of(e["children"])
    entries[0]["left"] = entries[0]["right"] = NOSTREAM

    def entry_bytes(e):
        name = e["name"].encode("utf-16-le") + b"\0\0"
        size = len(e["data"]) if e["type"] != 1 else 0
        return (name.ljust(64, b"\0") + struct.pack("<HBBIII", len(name), e["type"], 1, e["left"], e["right"],
                                                    e["child"])
                + b"\0" * 16 + b"\0" * 4 + b"\0" * 16 + struct.pack("<IQ", e["start"], size))

    empty = b"\0" * 64 + struct.pack("<HBBIII", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM) + b"\0" * 36 + \
        struct.pack("<IQ", 0, 0)
    dir_bytes = b"".join(entry_bytes(e) for e in entries)
    dir_bytes += empty * ((-len(dir_bytes) % SECTOR) // 128)
    assert len(empty) == 128 and len(dir_bytes) % SECTOR == 0

    header = (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, fat_sectors, start["dir"], 0, CUTOFF,
                            start["minifat"], sectors(mini_fat_bytes), END, 0)
              + b"".join(struct.pack("<I", i) for i in range(fat_sectors))
              + struct.pack("<I", FREE) * (109 - fat_sectors))
    assert len(header) == SECTOR

    def padded(data):
        return data.ljust(sectors(data) * SECTOR, b"\0")

    body = b"".join(struct.pack("<I", v) for v in fat)
    body += dir_bytes + padded(mini_fat_bytes) + padded(mini_stream)
    body += b"".join(padded(e["data"]) for e in big)
    return header + body


def filetime(y, mo, d, h=9, mi=30):
    """100 ns ticks since 1601-01-01, as Windows dates files."""
    days = (datetime.date(y, mo, d) - datetime.date(1601, 1, 1)).days
    return ((days * 24 + h) * 60 + mi) * 60 * 10_000_000


def summary_information(author, created, saved):
    """A summary information property set (MS-OLEPS): code page 1252, the
    author, and the creation and last-saved times (FILETIMEs)."""
    name = author.encode("cp1252") + b"\0"
    name += b"\0" * (-len(name) % 4)
    values = [(1, struct.pack("<IHH", 0x0002, 1252, 0)),
              (4, struct.pack("<II", 0x001E, len(name)) + name),
              (12, struct.pack("<IQ", 0x0040, created)),
              (13, struct.pack("<IQ", 0x0040, saved))]
    entries, data = b"", b""
    for pid, value in values:
        entries += struct.pack("<II", pid, 8 + 8 * len(values) + len(data))
        data += value
    section = struct.pack("<II", 8 + len(entries) + len(data), len(values)) + entries + data
    # The FMTID of the summary information set.
    fmtid = bytes.fromhex("E0859FF2F94F6810AB9108002B27B3D9")
    return struct.pack("<HHI16sI", 0xFFFE, 0, 0x00020006, b"\0" * 16, 1) + fmtid + struct.pack("<I", 48) + section


def word97(body, headers="", summary=None):
    """A Word 97-2003 document (.doc): `body` (paragraphs ending in \\r, table
    cells in \\x07, fields as \\x13 code \\x14 result \\x15) in one 8-bit
    Windows-1252 piece, `headers` in a UTF-16 piece after it. Only what a
    reader needs to find the text: the FIB's counts and piece table."""
    text_at, wide_at = 0x400, 0x800
    body_bytes = body.encode("cp1252")
    header_units = headers.encode("utf-16-le")
    assert text_at + len(body_bytes) <= wide_at
    fib = bytearray(0x384)
    struct.pack_into("<HH", fib, 0, 0xA5EC, 0x00C1)
    struct.pack_into("<H", fib, 0x0A, 0x0200)  # the piece table is in 1Table
    struct.pack_into("<H", fib, 0x20, 14)
    struct.pack_into("<H", fib, 0x3E, 22)
    # ccpText, ccpFtn, ccpHdd: the body, no footnotes, the headers.
    struct.pack_into("<III", fib, 0x4C, len(body), 0, len(headers))
    struct.pack_into("<H", fib, 0x98, 93)
    document = bytes(fib).ljust(text_at, b"\0") + body_bytes
    document = document.ljust(wide_at, b"\0") + header_units
    cps = [0, len(body), len(body) + len(headers)]
    descriptors = [(text_at * 2) | 0x40000000, wide_at]
    plc = b"".join(struct.pack("<I", cp) for cp in cps)
    plc += b"".join(struct.pack("<HIH", 0, fc, 0) for fc in descriptors)
    clx = b"\x02" + struct.pack("<I", len(plc)) + plc
    struct.pack_into("<II", fib, 0x1A2, 0, len(clx))
    document = bytes(fib) + document[len(fib):]
    streams = {"WordDocument": document, "1Table": clx}
    if summary:
        streams["\x05SummaryInformation"] = summary
    return compound(streams)


# The dictionary compressed RTF starts with (MS-OXRTFCP 2.1.2.1).
_RTF_DICTIONARY = (
    b"{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss "
    b"\\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier"
    b"{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx"
)


def _rtf_crc(data):
    # The specification's CRC: CRC-32's table, started at 0, not inverted.
    return zlib.crc32(data, 0xFFFFFFFF) ^ 0xFFFFFFFF


def compressed_rtf(rtf):
    """RTF compressed as Outlook keeps a body (PR_RTF_COMPRESSED, "LZFu"):
    runs of eight tokens, each a literal byte or a reference (offset, length)
    into a 4,096-byte dictionary that starts with the specification's text.
    References are to text already written and never wrap, so the RTF must
    fit the dictionary's rest."""
    assert len(_RTF_DICTIONARY) + len(rtf) < 4096
    window = bytearray(_RTF_DICTIONARY)
    tokens, at = [], 0
    while at < len(rtf):
        best, best_len = 0, 0
        limit = min(17, len(rtf) - at)
        start = window.find(rtf[at:at + 2]) if limit >= 2 else -1
        while start != -1:
            n = 0
            while n < limit and start + n < len(window) and window[start + n] == rtf[at + n]:
                n += 1
            if n > best_len:
                best, best_len = start, n
            start = window.find(rtf[at:at + 2], start + 1)
        if best_len >= 2:
            tokens.append(struct.pack(">H", best << 4 | (best_len - 2)))
            window += rtf[at:at + best_len]
            at += best_len
        else:
            tokens.append(rtf[at:at + 1])
            window += rtf[at:at + 1]
            at += 1
    # The end: a reference to where the next byte would be written.
    tokens.append(struct.pack(">H", len(window) << 4))
    body = bytearray()
    for i in range(0, len(tokens), 8):
        run = tokens[i:i + 8]
        body.append(sum(1 << j for j, t in enumerate(run) if len(t) == 2))
        body += b"".join(run)
    return struct.pack("<IIII", len(body) + 12, len(rtf), 0x75465A4C, _rtf_crc(bytes(body))) + bytes(body)
