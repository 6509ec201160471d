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


def _fkp(runs, entry, props):
    """A formatted disk page (FKP): the runs' stream offsets, then an entry
    for each run (a CHPX page's one byte, a PAPX page's 13: the offset and a
    blank PHE) naming its properties, which are stored from the page's end
    down, each at a word's offset (0: none)."""
    page = bytearray(512)
    page[511] = len(runs)
    offsets = [r[0] for r in runs] + [runs[-1][1]]
    struct.pack_into("<%dI" % len(offsets), page, 0, *offsets)
    top, placed = 511, {}
    for i, (_, _, key) in enumerate(runs):
        if key is not None and key not in placed:
            data = props[key]
            top = (top - len(data)) & ~1
            page[top:top + len(data)] = data
            placed[key] = top // 2
        page[len(offsets) * 4 + i * entry] = placed.get(key, 0)
    assert len(offsets) * 4 + len(runs) * entry <= top
    return bytes(page)


def word97(body, headers="", summary=None, deleted=()):
    """A Word 97-2003 document (.doc): `body` (paragraphs ending in \\r, table
    cells in \\x07, a row's end an \\x07 after a cell's, fields as \\x13 code
    \\x14 result \\x15) in one 8-bit Windows-1252 piece, `headers` in a UTF-16
    piece after it. The body's formatting says which paragraphs are in a
    table and which end a row, and which of its text is `deleted` (a tracked
    change). Only what a reader needs: the FIB's counts, the piece table and
    those pages of formatting."""
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
    # Paragraphs, each to its mark: in a table when a cell's mark ends it,
    # a row's end when it is that mark alone after a cell's.
    paragraphs, start = [], 0
    for i, c in enumerate(body):
        if c in "\r\x07":
            alone = c == "\x07" and i == start and i > 0 and body[i - 1] == "\x07"
            key = "row_end" if alone else ("cell" if c == "\x07" else None)
            paragraphs.append((text_at + start, text_at + i + 1, key))
            start = i + 1
    # Character runs: the deleted text, and the rest.
    cuts = sorted({0, len(body)} | {b for d in deleted for b in (body.index(d), body.index(d) + len(d))})
    spans = {(body.index(d), body.index(d) + len(d)) for d in deleted}
    runs = [(text_at + a, text_at + b, "deleted" if (a, b) in spans else None) for a, b in zip(cuts, cuts[1:])]
    # sprmCFRMarkDel; sprmPFInTable and sprmPItap (depth 1), and at a row's
    # end sprmPFTtp and the row's columns (sprmTDefTable: two, 1.5 inches each), each after its
    # size (a CHPX's in bytes; a PAPX's, with its style's index 0, in words).
    columns = struct.pack("<HB3h", 8, 2, 0, 2160, 4320)
    chpx = {"deleted": bytes([3]) + struct.pack("<HB", 0x0800, 1)}
    papx = {"cell": bytes([0, 6]) + struct.pack("<HHBHIx", 0, 0x2416, 1, 0x6649, 1),
            "row_end": bytes([0, 12]) + struct.pack("<HHBHBHIH", 0, 0x2416, 1, 0x2417, 1, 0x6649, 1, 0xD608) + columns + b"\0"}
    chpx_page, papx_page = 8, 9
    document = document.ljust(chpx_page * 512, b"\0") + _fkp(runs, 1, chpx) + _fkp(paragraphs, 13, papx)
    bins = b""
    for n, (page, spans_) in enumerate([(chpx_page, runs), (papx_page, paragraphs)]):
        plc = struct.pack("<III", spans_[0][0], spans_[-1][1], page)
        # The bin tables' places: FIB pairs 12 (characters) and 13 (paragraphs).
        struct.pack_into("<II", fib, 0x9A + (12 + n) * 8, len(clx) + len(bins), len(plc))
        bins += plc
    document = bytes(fib) + document[len(fib):]
    streams = {"WordDocument": document, "1Table": clx + bins}
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


def _record(kind, body, version=0, instance=0):
    # A PowerPoint record (MS-PPT 2.3.1): version and instance, type, length.
    return struct.pack("<HHI", instance << 4 | version, kind, len(body)) + body


def _container(kind, children, instance=0):
    return _record(kind, b"".join(children), 0xF, instance)


def _text_atoms(text, wide=True, kind=4):
    # A text's header (its type: 0 a title's, 1 a body's, 2 notes', 4
    # other), its characters (UTF-16, or one byte each), and the run of its
    # style, as PowerPoint writes them.
    chars = _record(0x0FA0, text.encode("utf-16-le")) if wide else _record(0x0FA8, text.encode("latin-1"))
    style = _record(0x0FA1, struct.pack("<IHI", len(text) + 1, 0, 0))
    return [_record(0x0F9F, struct.pack("<I", kind)), chars, style]


def _shape(client_text, placeholder=None):
    # A shape (OfficeArtSpContainer): its FSP and properties, what it holds
    # the place of (an OEPlaceholderAtom: its position and kind), then its
    # text box.
    client = [_container(0xF011, [_record(0x0BC3, struct.pack("<IBBH", *placeholder, 0, 0))])] if placeholder else []
    return _container(0xF004, [_record(0xF00A, struct.pack("<II", 0, 0), 2, 1),
                               _record(0xF00B, b"", 3, 0)] + client + [_container(0xF00D, client_text)])


def _drawing(shapes):
    # PPDrawing > OfficeArtDgContainer > OfficeArtSpgrContainer of shapes.
    group = _container(0xF004, [_record(0xF009, b"\0" * 16, 1), _record(0xF00A, b"\0" * 8, 2)])
    return _container(0x040C, [_container(0xF002, [_record(0xF008, struct.pack("<II", len(shapes) + 1, 0)),
                                                   _container(0xF003, [group] + shapes)])])


def _slide(slide, notes_id):
    """A SlideContainer: its SlideAtom, then its drawing: a shape referring
    to each of its outline texts (OutlineTextRefAtom), then its text boxes,
    then its comments (PowerPoint 2002's, in a binary tag)."""
    # Its layout: 1, a title and a body (placeholders 0x0D and 0x0E).
    atom = _record(0x03EF, struct.pack("<I8sIIHH", 1, b"\x0d\x0e" + b"\0" * 6, 0x80000000, notes_id, 1, 0), 2)
    # The outline's texts: the title's (placeholder 0x0D), then the body's (0x0E).
    shapes = [_shape([_record(0x0F9E, struct.pack("<I", i))], (i, 0x0D if i == 0 else 0x0E))
              for i in range(len(slide.get("outline", [])))]
    shapes += [_shape(_text_atoms(text, wide)) for text, wide in slide.get("boxes", [])]
    children = [atom, _drawing(shapes)]
    comments = [_container(0x2EE0, [_record(0x0FBA, author.encode("utf-16-le"), 0, 0),
                                    _record(0x0FBA, text.encode("utf-16-le"), 0, 1),
                                    _record(0x0FBA, "".join(w[:1] for w in author.split()).encode("utf-16-le"), 0, 2),
                                    _record(0x2EE1, struct.pack("<I", i) + b"\0" * 24)])
                for i, (author, text) in enumerate(slide.get("comments", []))]
    if comments:
        tag = _container(0x138A, [_record(0x0FBA, "___PPT10".encode("utf-16-le")),
                                  _container(0x138B, comments)])
        children.append(_container(0x1388, [tag]))
    return _container(0x03EE, children)


def powerpoint97(slides, footer, summary=None, replaced=None):
    """A PowerPoint 97-2003 presentation (.ppt): its Current User stream and
    PowerPoint Document stream, as PowerPoint saves one. Each slide is a dict
    of `outline` (placeholder texts, kept in the document's slide list and
    referred to by the drawing), `boxes` ((text, wide) text boxes, UTF-16 or
    8-bit), `comments` ((author, text)) and `notes` (text). The document
    lists the slides and their notes and keeps `footer`; a master holds its
    prompt text. `replaced` maps a slide's index to the slide as it was first
    saved: that one is written by a first edit, and a second edit (a fast
    save) appends the slide as it is now, its persist directory naming it
    instead, as PowerPoint leaves a file it saved in a hurry."""
    persist_slide = lambda i: 3 + i
    persist_notes = lambda i: 3 + len(slides) + i
    slide_id = lambda i: 256 + i
    notes_id = lambda i: 512 + i
    list_slides = []
    for i, slide in enumerate(slides):
        outline = slide.get("outline", [])
        list_slides.append(_record(0x03F3, struct.pack("<IIiII", persist_slide(i), 4, len(outline), slide_id(i), 0)))
        for n, text in enumerate(outline):
            list_slides += _text_atoms(text, kind=0 if n == 0 else 1)
    list_notes = [_record(0x03F3, struct.pack("<IIiII", persist_notes(i), 0, 0, notes_id(i), 0))
                  for i, s in enumerate(slides) if s.get("notes")]
    document = _container(0x03E8, [
        _record(0x03E9, struct.pack("<IIII", 5760, 4320, 5760, 4320) + b"\0" * 24, 1),
        _container(0x0FF0, [_record(0x03F3, struct.pack("<IIiII", 2, 0, 0, 0x80000000, 0))], 1),
        _container(0x0FF0, list_slides, 0),
        _container(0x0FF0, list_notes, 2),
        _container(0x0FD9, [_record(0x0FDA, struct.pack("<hH", 0, 0x0020)), _record(0x0FBA, footer.encode("utf-16-le"), 0, 2)], 3),
        _record(0x03EA, b""),
    ])
    master = _container(0x03F8, [_drawing([_shape(_text_atoms("Click to edit Master title style"))])])
    stream = b""
    offsets = {}

    def place(persist, record):
        nonlocal stream
        offsets[persist] = len(stream)
        stream += record

    def edit(persists, last_edit):
        # The persist directory of what this edit wrote, then its UserEditAtom.
        nonlocal stream
        entries = b""
        for persist in sorted(persists):
            entries += struct.pack("<II", 1 << 20 | persist, offsets[persist])
        directory_at = len(stream)
        stream += _record(0x1772, entries)
        edit_at = len(stream)
        seed = persist_notes(len(slides))
        stream += _record(0x0FF5, struct.pack("<IHBBIIIIHH", slide_id(0), 0, 0, 3, last_edit, directory_at, 1, seed, 1, 0))
        return edit_at

    place(1, document)
    place(2, master)
    first = replaced or {}
    for i, slide in enumerate(slides):
        place(persist_slide(i), _slide(first.get(i, slide), notes_id(i) if slide.get("notes") else 0))
    for i, slide in enumerate(slides):
        if slide.get("notes"):
            notes = _container(0x03F0, [_record(0x03F1, struct.pack("<IHH", slide_id(i), 0, 0), 1),
                                        _drawing([_shape(_text_atoms(slide["notes"], kind=2))])])
            place(persist_notes(i), notes)
    last = edit(list(offsets), 0)
    if replaced:
        for i in sorted(replaced):
            place(persist_slide(i), _slide(slides[i], notes_id(i) if slides[i].get("notes") else 0))
        last = edit([persist_slide(i) for i in replaced], last)
    user = b"trawl"
    current = _record(0x0FF6, struct.pack("<IIIHHBBH", 0x14, 0xE391C05F, last, len(user), 0x03F4, 3, 0, 0)
                      + user + struct.pack("<I", 8) + user.decode().encode("utf-16-le"))
    streams = {"Current User": current, "PowerPoint Document": stream}
    if summary:
        streams["\x05SummaryInformation"] = summary
    return compound(streams)
