"""Writes small PDFs for the fixture generators: text drawn as a word
processor draws it, and optionally a document information dictionary."""


def escaped(text):
    return text.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def pdf(pages, info=None):
    """A PDF whose pages draw `lines` with Helvetica, kerning words apart as
    word processors do; an empty list draws an image only. A line may be a
    table's row, a list of (x, text) cells: then, as word processors draw a
    table, each line of its page and each cell is a text object of its own,
    placed from the page's corner. `info` (a dict of byte strings, e.g.
    {b"CreationDate": b"D:20160205"}) becomes the document information
    dictionary."""
    objs = []

    def add(body):
        objs.append(body)
        return len(objs)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    image = add(b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length 4 >>\nstream\n\x00\xff\xff\x00\nendstream")
    pages_id = len(objs) + 1
    objs.append(None)
    kids = []
    for lines in pages:
        if any(not isinstance(line, str) for line in lines):
            ops = []
            for i, line in enumerate(lines):
                cells = [(72, line)] if isinstance(line, str) else line
                for x, text in cells:
                    if text:
                        ops.append(b"BT %d %d Td /F1 11 Tf (%s) Tj ET" % (x, 760 - 15 * i, escaped(text)))
        elif lines:
            ops = [b"BT /F1 11 Tf 72 760 Td"]
            for i, line in enumerate(lines):
                if i:
                    ops.append(b"0 -15 Td")
                words = escaped(line).split(b" ")
                ops.append(b"[" + b" -278 ".join(b"(" + w + b")" for w in words) + b"] TJ")
            ops.append(b"ET")
        else:
            ops = [b"q 500 0 0 700 50 50 cm /Im1 Do Q"]
        stream = b"\n".join(ops)
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                        b"/Resources << /Font << /F1 %d 0 R >> /XObject << /Im1 %d 0 R >> >> >>" % (pages_id, content, font, image)))
    objs[pages_id - 1] = b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + b"] /Count %d >>" % len(kids)
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    info_ref = b""
    if info:
        entries = b" ".join(b"/" + k + b" (" + v + b")" for k, v in sorted(info.items()))
        info_ref = b" /Info %d 0 R" % add(b"<< " + entries + b" >>")
    return serialise(objs, catalog, info_ref)


def serialise(objs, catalog, trailer_extra=b""):
    """The file of objects `objs` (numbered from 1), with its table and a
    trailer naming object `catalog` as its root."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root %d 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, catalog, trailer_extra, xref)
    return bytes(out)
