#!/usr/bin/env python3
"""Writes the word-processing and slide fixtures into fixtures/documents/.

    python3 tests/gen_office_fixtures.py

DOCX, ODT, PPTX and ODP files built from hand-written XML (standard library
only), plus broken variants, and their ground truth in
fixtures/expected/planted_office.json. Every person, address and number is
invented: phones from Ofcom's drama ranges (07700 900xxx, 020 7946 0xxx),
emails at example.com / example.org, NINOs in HMRC's format with
unallocated-looking digits.

Members are stored (not deflated) with a fixed 1980-01-01 timestamp, so the
bytes are the same on every run and every machine (deflate output depends on
the zlib build). The documents carry what trawl reads and what Word,
LibreOffice and PowerPoint need to name the parts; they are not complete
enough to be opened everywhere (the slide decks have no masters or layouts).
"""

import json
import os
import zipfile

from fixture_cfb import filetime, powerpoint97, summary_information, word97

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
DOCS = os.path.join(ROOT, "documents")
EXPECTED = os.path.join(ROOT, "expected")

PLANTED = []


def plant(path, detector, value, where, expect="found", why=""):
    PLANTED.append(
        {
            "path": "documents/" + path,
            "detector": detector,
            "value": value,
            "where": where,
            "expect": expect,
            "why": why,
        }
    )


def write_zip(name, members):
    """members: list of (name, text); written in order, stored, dated 1980."""
    path = os.path.join(DOCS, name)
    with zipfile.ZipFile(path, "w") as z:
        for member, text in members:
            info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            z.writestr(info, text.encode("utf-8"))
    return path


def esc(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# --------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------

W_NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)


def w_run(text):
    return '<w:r><w:t xml:space="preserve">%s</w:t></w:r>' % esc(text)


def w_para(*pieces, style=None):
    ppr = '<w:pPr><w:pStyle w:val="%s"/></w:pPr>' % style if style else ""
    return "<w:p>%s%s</w:p>" % (ppr, "".join(pieces))


def w_table(rows):
    grid = "".join('<w:gridCol w:w="3000"/>' for _ in rows[0])
    out = [
        '<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/></w:tblPr>',
        "<w:tblGrid>%s</w:tblGrid>" % grid,
    ]
    for row in rows:
        out.append("<w:tr>")
        for cell in row:
            out.append(
                '<w:tc><w:tcPr><w:tcW w:w="3000" w:type="dxa"/></w:tcPr>%s</w:tc>'
                % w_para(w_run(cell))
            )
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def docx_members(body, header, footer, comments, core):
    content_types = (
        XML_DECL
        + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        '<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>'
        '<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>'
        '<Override PartName="/word/comments.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        "</Types>"
    )
    rels = (
        XML_DECL
        + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        "</Relationships>"
    )
    doc_rels = (
        XML_DECL
        + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>'
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments" Target="comments.xml"/>'
        "</Relationships>"
    )
    sect = (
        '<w:sectPr><w:headerReference w:type="default" r:id="rId1"/>'
        '<w:footerReference w:type="default" r:id="rId2"/>'
        '<w:pgSz w:w="11906" w:h="16838"/></w:sectPr>'
    )
    document = (
        XML_DECL
        + "<w:document %s><w:body>%s%s</w:body></w:document>" % (W_NS, body, sect)
    )
    return [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", rels),
        ("word/document.xml", document),
        ("word/_rels/document.xml.rels", doc_rels),
        ("word/header1.xml", XML_DECL + "<w:hdr %s>%s</w:hdr>" % (W_NS, header)),
        ("word/footer1.xml", XML_DECL + "<w:ftr %s>%s</w:ftr>" % (W_NS, footer)),
        ("word/comments.xml", XML_DECL + "<w:comments %s>%s</w:comments>" % (W_NS, comments)),
        ("docProps/core.xml", core),
    ]


def core_props(creator, created, modified):
    return (
        XML_DECL
        + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:title>Tenancy letter</dc:title><dc:creator>%s</dc:creator>"
        '<dcterms:created xsi:type="dcterms:W3CDTF">%s</dcterms:created>'
        '<dcterms:modified xsi:type="dcterms:W3CDTF">%s</dcterms:modified>'
        "</cp:coreProperties>" % (esc(creator), created, modified)
    )


def tenancy_letter():
    name = "tenancy_letter.docx"
    ins = '<w:ins w:id="11" w:author="Dominic Farrow" w:date="2024-02-13T10:00:00Z">%s</w:ins>'
    dele = '<w:del w:id="12" w:author="Dominic Farrow" w:date="2024-02-13T10:01:00Z"><w:r><w:delText xml:space="preserve">%s</w:delText></w:r></w:del>'
    body = "".join(
        [
            w_para(w_run("Riverside Housing Association"), style="Title"),  # 1
            w_para(w_run("Tenancy agreement: 14 Elm Court, Bristol")),  # 2
            w_para(w_run("Dear Mrs Quennell,")),  # 3
            w_para(w_run("Tenant: Harriet Quennell")),  # 4
            w_para(w_run("National Insurance number: JH 52 81 07 C")),  # 5
            w_para(w_run("Date of birth: 17/03/1968")),  # 6
            w_para(  # 7: the comment is anchored here
                '<w:commentRangeStart w:id="0"/>',
                w_run("Email: h.quennell@example.com"),
                '<w:commentRangeEnd w:id="0"/>',
                '<w:r><w:commentReference w:id="0"/></w:r>',
            ),
            w_para(w_run("Partner's NI number: "), ins % w_run("WP 40 62 19 B")),  # 8
            w_para(  # 9
                w_run("Please reply to "),
                dele % "old.contact@example.org",
                ins % w_run("the tenancy team"),
                w_run(" within 14 days."),
            ),
            w_para(w_run("Household members:")),  # 10
            w_table(
                [
                    ["Name", "DOB", "NI Number"],
                    ["Tomasz Quennell", "02/11/1971", "RC 73 09 41 A"],
                    ["Elsie Quennell", "25/06/2004", "NY183652D"],
                ]
            ),
            w_para(w_run("Yours sincerely,")),  # 11
            w_para(w_run("Tenancy Services")),  # 12
        ]
    )
    header = w_para(w_run("Riverside Housing Association, Tenancy Services, Tel 020 7946 0418"))
    footer = w_para(w_run("Registered office: 1 Quay Street, Bristol BS1 4DJ"))
    comments = (
        '<w:comment w:id="0" w:author="Dominic Farrow" w:date="2024-02-13T09:00:00Z" w:initials="DF">'
        + w_para(w_run("Confirm the new address with m.achebe@example.org before sending"))
        + "</w:comment>"
    )
    core = core_props("Dominic Farrow", "2024-02-12T09:30:00Z", "2024-02-14T16:05:00Z")
    members = docx_members(body, header, footer, comments, core)
    write_zip(name, members)

    plant(name, "uk_nino", "JH 52 81 07 C", "paragraph 5")
    plant(name, "date_of_birth", "17/03/1968", "paragraph 6")
    plant(name, "email", "h.quennell@example.com", "paragraph 7")
    plant(name, "uk_nino", "WP 40 62 19 B", "paragraph 8 (tracked insertion)")
    plant(
        name,
        "email",
        "old.contact@example.org",
        "paragraph 9 (tracked deletion)",
        "not_found",
        "deleted text (w:delText inside w:del) is no longer in the document",
    )
    plant(name, "date_of_birth", "02/11/1971", "table 1, row 2, column DOB")
    plant(name, "uk_nino", "RC 73 09 41 A", "table 1, row 2, column NI Number")
    plant(name, "date_of_birth", "25/06/2004", "table 1, row 3, column DOB")
    plant(name, "uk_nino", "NY183652D", "table 1, row 3, column NI Number")
    plant(name, "uk_phone", "020 7946 0418", "part header1, paragraph 1")
    plant(
        name,
        "uk_postcode",
        "BS1 4DJ",
        "part footer1, paragraph 1",
        "not_found",
        "the organisation's own office address in a footer: no person's home",
    )
    plant(name, "email", "m.achebe@example.org", "part comments, paragraph 1")
    return members


def referral_form():
    """A support referral as housing officers fill it in: a Word table laid
    out as a form, labels beside values and later in a row, a title row, an
    address's second line under the label above."""
    name = "referral_form.docx"
    body = "".join(
        [
            w_para(w_run("Tenancy support referral"), style="Title"),
            w_table(
                [
                    ["Referral details", "", "", ""],
                    ["Tenant name:", "Mrs Olwen Pritchard", "Date of birth:", "14/08/1979"],
                    ["Address:", "7 Ferry Lane", "Phone:", "07700 900614"],
                    ["", "Cardiff CF10 4PB", "", ""],
                    ["NI number:", "ZT 61 44 27 B", "Referred on:", "02/10/2024"],
                    ["Support needs:", "Lives with bipolar disorder", "", ""],
                ]
            ),
            w_para(w_run("Completed by the tenancy sustainment team.")),
        ]
    )
    core = core_props("Tenancy Sustainment", "2024-10-02T09:00:00Z", "2024-10-02T09:30:00Z")
    write_zip(name, docx_members(body, "", "", "", core))
    where = "table 1, laid out as a form: "
    plant(name, "person_name", "Olwen Pritchard", where + "row 2, column Tenant name:")
    plant(name, "date_of_birth", "14/08/1979", where + "row 2, column Date of birth:",
          why="a date under a label later in its row")
    plant(name, "uk_phone", "07700 900614", where + "row 3, column Phone:")
    plant(name, "uk_postcode", "CF10 4PB", where + "row 4, column Address:",
          why="an address's second line, under the label above")
    plant(name, "uk_nino", "ZT 61 44 27 B", where + "row 5, column NI number:")
    plant(name, "date_of_birth", "02/10/2024", where + "row 5, column Referred on:", "not_found",
          "the referral's date, under its own label")
    plant(name, "health_term", "bipolar disorder", where + "row 6, column Support needs:",
          why="a health term in the same record as the tenant's name")


def broken_docx(members):
    with open(os.path.join(DOCS, "tenancy_letter.docx"), "rb") as f:
        whole = f.read()
    with open(os.path.join(DOCS, "truncated.docx"), "wb") as f:
        f.write(whole[: len(whole) // 2])
    # Every central directory header's signature overwritten: the end
    # record still points at a directory that is not there.
    cd = whole.index(b"PK\x01\x02")
    broken = bytearray(whole)
    i = cd
    while True:
        i = whole.find(b"PK\x01\x02", i)
        if i < 0:
            break
        broken[i : i + 4] = b"\xde\xad\xbe\xef"
        i += 4
    with open(os.path.join(DOCS, "corrupt_cd.docx"), "wb") as f:
        f.write(bytes(broken))
    # Its parts are still read from their local headers: what the letter
    # plants, the broken copy does too.
    letter = [p for p in PLANTED if p["path"] == "documents/tenancy_letter.docx"]
    for p in letter:
        PLANTED.append(dict(p, path="documents/corrupt_cd.docx"))
    open(os.path.join(DOCS, "empty.docx"), "wb").close()
    with open(os.path.join(DOCS, "not_really.docx"), "w", encoding="utf-8") as f:
        f.write(
            "Minutes of the Elm Court residents' meeting, 5 March 2024.\n"
            "Saved as plain text although it is named .docx.\n"
            "Questions to the clerk: minutes.clerk@example.org\n"
        )
    plant(
        "not_really.docx",
        "email",
        "minutes.clerk@example.org",
        "line 3",
        why="a text file named .docx is read by its content, as text",
    )


# --------------------------------------------------------------------------
# ODT / ODP
# --------------------------------------------------------------------------

ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
    'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'office:version="1.3"'
)


def odf_members(mimetype, content, styles, meta):
    manifest = (
        XML_DECL
        + '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="%s"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>" % mimetype
    )
    return [
        ("mimetype", mimetype),
        ("content.xml", XML_DECL + content),
        ("styles.xml", XML_DECL + styles),
        ("meta.xml", XML_DECL + meta),
        ("META-INF/manifest.xml", manifest),
    ]


def odf_meta(creator, created, modified):
    return (
        "<office:document-meta %s><office:meta>"
        "<meta:initial-creator>%s</meta:initial-creator><dc:creator>%s</dc:creator>"
        "<meta:creation-date>%s</meta:creation-date><dc:date>%s</dc:date>"
        "</office:meta></office:document-meta>" % (ODF_NS, creator, creator, created, modified)
    )


def t_p(text):
    return "<text:p>%s</text:p>" % esc(text)


def odf_table(name, rows):
    out = ['<table:table table:name="%s">' % name]
    out.append('<table:table-column table:number-columns-repeated="%d"/>' % len(rows[0]))
    for row in rows:
        out.append("<table:table-row>")
        for cell in row:
            out.append('<table:table-cell office:value-type="string">%s</table:table-cell>' % t_p(cell))
        out.append("</table:table-row>")
    out.append("</table:table>")
    return "".join(out)


def case_review():
    name = "case_review.odt"
    annotation = (
        "<office:annotation><dc:creator>Priya Castellano</dc:creator>"
        "<dc:date>2024-06-03T11:00:00</dc:date>"
        + t_p("Caseworker note: call back on 07700 900911")
        + "</office:annotation>"
    )
    tracked = (
        "<text:tracked-changes>"
        '<text:changed-region text:id="ct1"><text:deletion>'
        "<office:change-info><dc:creator>Priya Castellano</dc:creator>"
        "<dc:date>2024-06-03T11:05:00</dc:date></office:change-info>"
        + t_p("Forward to removed.person@example.com")
        + "</text:deletion></text:changed-region></text:tracked-changes>"
    )
    body = "".join(
        [
            tracked,
            '<text:h text:outline-level="1">Case review: Flat 3, 27 Mill Lane</text:h>',  # 1
            t_p("Resident: Ruairi Delacourt-Mensah"),  # 2
            "<text:p>NI number:<text:s/>ZR 36 47 58 A</text:p>",  # 3
            "<text:p>Born on 08/09/1957. Contact by email at "
            "r.delacourt@example.org or on 07700 900364.%s</text:p>" % annotation,  # 4
            '<text:p>Previous contact details were removed.<text:change text:change-id="ct1"/></text:p>',  # 5
            t_p("Household:"),  # 6
            odf_table(
                "Household",
                [
                    ["Name", "Date of birth", "Phone"],
                    ["Orla Delacourt", "30/01/1962", "020 7946 0733"],
                ],
            ),
            t_p("Review closed."),  # 7
        ]
    )
    content = (
        "<office:document-content %s><office:body><office:text>%s</office:text>"
        "</office:body></office:document-content>" % (ODF_NS, body)
    )
    styles = (
        "<office:document-styles %s><office:master-styles>"
        '<style:master-page style:name="Standard">'
        "<style:footer>%s</style:footer></style:master-page>"
        "</office:master-styles></office:document-styles>"
        % (ODF_NS, t_p("Northgate Council Housing, Leeds LS2 8HD"))
    )
    meta = odf_meta("Priya Castellano", "2024-06-01T09:00:00", "2024-06-03T11:10:00")
    write_zip(name, odf_members("application/vnd.oasis.opendocument.text", content, styles, meta))

    plant(name, "person_name", "Ruairi Delacourt-Mensah", "paragraph 2")
    plant(name, "uk_nino", "ZR 36 47 58 A", "paragraph 3")
    plant(name, "date_of_birth", "08/09/1957", "paragraph 4")
    plant(name, "email", "r.delacourt@example.org", "paragraph 4")
    plant(name, "uk_phone", "07700 900364", "paragraph 4")
    plant(name, "uk_phone", "07700 900911", "part comments, paragraph 1 (annotation)")
    plant(
        name,
        "email",
        "removed.person@example.com",
        "text:tracked-changes (deletion)",
        "not_found",
        "text kept only in a tracked deletion is no longer in the document",
    )
    plant(name, "date_of_birth", "30/01/1962", "table 1, row 2, column Date of birth")
    plant(name, "uk_phone", "020 7946 0733", "table 1, row 2, column Phone")
    plant(
        name,
        "uk_postcode",
        "LS2 8HD",
        "part footer1, paragraph 1",
        "not_found",
        "the organisation's own office address in a footer: no person's home",
    )


def briefing_odp():
    name = "briefing.odp"

    def page(n, title, lines):
        frames = (
            '<draw:frame presentation:class="title" svg:x="2cm" svg:y="1cm" svg:width="24cm" svg:height="3cm">'
            "<draw:text-box>%s</draw:text-box></draw:frame>" % t_p(title)
            + '<draw:frame presentation:class="outline" svg:x="2cm" svg:y="5cm" svg:width="24cm" svg:height="12cm">'
            "<draw:text-box>%s</draw:text-box></draw:frame>" % "".join(t_p(l) for l in lines)
        )
        return '<draw:page draw:name="page%d" draw:master-page-name="Default">%s</draw:page>' % (n, frames)

    content = (
        "<office:document-content %s><office:body><office:presentation>%s%s"
        "</office:presentation></office:body></office:document-content>"
        % (
            ODF_NS,
            page(1, "Estate briefing", ["Repairs backlog", "Cyclical works"]),
            page(2, "Contacts", ["Questions to consult@example.org"]),
        )
    )
    styles = "<office:document-styles %s/>" % ODF_NS
    meta = odf_meta("Dominic Farrow", "2024-03-01T08:00:00", "2024-03-02T08:00:00")
    write_zip(name, odf_members("application/vnd.oasis.opendocument.presentation", content, styles, meta))
    plant(name, "email", "consult@example.org", "page 2, paragraph 2")


# --------------------------------------------------------------------------
# PPTX
# --------------------------------------------------------------------------

P_NS = (
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
)


def a_paras(lines):
    return "".join(
        '<a:p><a:r><a:rPr lang="en-GB" dirty="0"/><a:t>%s</a:t></a:r></a:p>' % esc(l) for l in lines
    )


def p_shape(sid, name, lines):
    return (
        '<p:sp><p:nvSpPr><p:cNvPr id="%d" name="%s"/><p:cNvSpPr/><p:nvPr/></p:nvSpPr>'
        "<p:spPr/><p:txBody><a:bodyPr/><a:lstStyle/>%s</p:txBody></p:sp>" % (sid, name, a_paras(lines))
    )


def p_slide(title, lines, root="sld"):
    return XML_DECL + (
        '<p:%s %s><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>'
        "<p:grpSpPr/>%s%s</p:spTree></p:cSld></p:%s>"
        % (root, P_NS, p_shape(2, "Title 1", [title]), p_shape(3, "Content 2", lines), root)
    )


def briefing_pptx():
    name = "briefing.pptx"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    content_types = (
        XML_DECL
        + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/>'
        '<Override PartName="/ppt/slides/slide1.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.slide+xml"/>'
        '<Override PartName="/ppt/slides/slide2.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.slide+xml"/>'
        '<Override PartName="/ppt/notesSlides/notesSlide1.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.notesSlide+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        "</Types>"
    )
    rels = (
        XML_DECL
        + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="%sofficeDocument" Target="ppt/presentation.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        "</Relationships>" % rel
    )
    presentation = XML_DECL + (
        "<p:presentation %s><p:sldIdLst>"
        '<p:sldId id="256" r:id="rId2"/><p:sldId id="257" r:id="rId3"/>'
        '</p:sldIdLst><p:sldSz cx="12192000" cy="6858000"/><p:notesSz cx="6858000" cy="9144000"/>'
        "</p:presentation>" % P_NS
    )
    pres_rels = (
        XML_DECL
        + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId2" Type="%sslide" Target="slides/slide1.xml"/>'
        '<Relationship Id="rId3" Type="%sslide" Target="slides/slide2.xml"/>'
        "</Relationships>" % (rel, rel)
    )
    slide2_rels = (
        XML_DECL
        + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId2" Type="%snotesSlide" Target="../notesSlides/notesSlide1.xml"/>'
        "</Relationships>" % rel
    )
    core = core_props("Dominic Farrow", "2024-03-01T08:00:00Z", "2024-03-02T08:00:00Z").replace(
        "Tenancy letter", "Estate briefing"
    )
    members = [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", rels),
        ("ppt/presentation.xml", presentation),
        ("ppt/_rels/presentation.xml.rels", pres_rels),
        ("ppt/slides/slide1.xml", p_slide("Estate briefing", ["Repairs backlog", "Cyclical works"])),
        (
            "ppt/slides/slide2.xml",
            p_slide("Contacts", ["Site lead mobile: 07700 900245", "Email: site.lead@example.com"]),
        ),
        ("ppt/slides/_rels/slide2.xml.rels", slide2_rels),
        (
            "ppt/notesSlides/notesSlide1.xml",
            p_slide("Notes", ["Follow up with the caretaker on 020 7946 0561"], root="notes"),
        ),
        ("docProps/core.xml", core),
    ]
    write_zip(name, members)
    plant(name, "uk_phone", "07700 900245", "page 2, paragraph 2")
    plant(name, "email", "site.lead@example.com", "page 2, paragraph 3")
    plant(name, "uk_phone", "020 7946 0561", "part notes, page 2, paragraph 2")


def legacy_doc():
    """A Word 97-2003 case note, as a share keeps from before DOCX: a field
    (the email's code is a link, its result the text), a table, a header,
    and a tracked deletion."""
    name = "old_case_note.doc"
    body = (
        "Case note, March 2009\r"
        "Tenant: Marcus Okonkwo-Reid\r"
        "NI number: RT 53 62 71 C\r"
        "Date of birth: 14/02/1961\r"
        'Email: \x13 HYPERLINK "mailto:m.okonkwo.old@example.org" \x14m.okonkwo@example.org\x15\r'
        "Contact by phone only (or m.okonkwo.private@example.net).\r"
        "Phone\x0707700 900482\x07\x07"
        "Mobile\x0707700 900519\x07\x07"
        "Closed \u2013 no further action.\r"
    )
    headers = "Sheltered Housing \u2013 out of hours 07700 900617\r\r"
    with open(os.path.join(DOCS, name), "wb") as f:
        summary = summary_information("Sheltered Housing Team", filetime(2009, 3, 2), filetime(2009, 3, 5))
        f.write(word97(body, headers, summary, deleted=[" (or m.okonkwo.private@example.net)"]))
    plant(name, "uk_nino", "RT 53 62 71 C", "paragraph 3")
    plant(name, "date_of_birth", "14/02/1961", "paragraph 4")
    plant(name, "email", "m.okonkwo@example.org", "paragraph 5", why="a field's result")
    plant(name, "email", "m.okonkwo.old@example.org", "paragraph 5", expect="not_found",
          why="a field's code (the link), not its text")
    plant(name, "email", "m.okonkwo.private@example.net", "paragraph 6", expect="not_found",
          why="deleted text (a tracked change), left out as a DOCX's is")
    plant(name, "uk_phone", "07700 900482", "table 1 row 1 cell 2", why="a table cell")
    plant(name, "uk_phone", "07700 900519", "table 1 row 2 cell 2", why="a table's second row")
    plant(name, "uk_phone", "07700 900617", "part headers, paragraph 1")


def legacy_ppt():
    """A PowerPoint 97-2003 deck from a residents panel, as a share keeps from
    before PPTX: placeholders' text kept in the document's outline, text
    boxes in UTF-16 and in 8 bits, speaker notes, a comment, a footer, and a
    fast save that replaced a text box (the old text stays in the file)."""
    name = "resident_panel_2008.ppt"
    contacts = {"outline": ["Panel contacts"],
                "boxes": [("Panel secretary: Dafydd Ellis, 07700 900733", True),
                          ("dafydd.ellis@example.org", False)],
                "notes": "Treasurer to call back on 020 7946 0833"}
    slides = [
        {"outline": ["Tenant panel \u2013 spring 2008", "Chair: Mrs Gwen Pritchard"]},
        contacts,
        {"outline": ["Expenses", "NI number for expenses: JT 61 48 27 B"],
         "comments": [("Resident Involvement", "Check DOB 12/05/1957 with the tenancy file")]},
    ]
    first = dict(contacts, boxes=[("Panel secretary (old): 07700 900911", True)] + contacts["boxes"][1:])
    summary = summary_information("Resident Involvement Team", filetime(2008, 4, 1), filetime(2008, 4, 3))
    with open(os.path.join(DOCS, name), "wb") as f:
        f.write(powerpoint97(slides, "Resident Involvement \u2013 0113 496 0274", summary, replaced={1: first}))
    plant(name, "person_name", "Gwen Pritchard", "page 1, paragraph 2", why="a placeholder's text, kept in the outline")
    plant(name, "person_name", "Dafydd Ellis", "page 2, paragraph 2", why="a text box in UTF-16")
    plant(name, "uk_phone", "07700 900733", "page 2, paragraph 2", why="a text box in UTF-16")
    plant(name, "email", "dafydd.ellis@example.org", "page 2, paragraph 3", why="a text box in 8 bits")
    plant(name, "uk_phone", "020 7946 0833", "part notes, page 2, paragraph 1")
    plant(name, "uk_nino", "JT 61 48 27 B", "page 3, paragraph 2")
    plant(name, "date_of_birth", "12/05/1957", "part comments, page 3, paragraph 1")
    plant(name, "uk_phone", "0113 496 0274", "part headers, paragraph 1", why="the slides' footer")
    plant(name, "uk_phone", "07700 900911", "a text box an edit replaced", expect="not_found",
          why="text a fast save replaced, which no slide shows, left out as a DOCX's deleted text is")


def rtf_letter():
    """A support case letter in RTF, as a housing system's mail merge saves
    it, written the way Word writes RTF: runs split by revision groups, a
    table, a field, a picture, a footnote, a comment, a deleted revision,
    and escapes (hex escapes in Windows-1252, Unicode ones with their
    fallback)."""
    name = "support_case_letter.rtf"
    rtf = (
        r"{\rtf1\adeflang1025\ansi\ansicpg1252\uc1\deff0\deflang2057"
        r"{\fonttbl{\f0\froman\fcharset0\fprq2 Times New Roman;}{\f1\fswiss\fcharset0\fprq2 Arial;}}"
        r"{\colortbl;\red0\green0\blue0;\red0\green0\blue255;}"
        r"{\stylesheet{\ql \li0\ri0\widctlpar\wrapdefault\f1\fs22 \snext0 Normal;}}"
        r"{\*\rsidtbl \rsid1074383\rsid2912437}"
        r"{\*\generator Microsoft Word 11.0.8173;}"
        r"{\info{\title Support plan review}{\author Tenancy Sustainment Team}{\operator Housing System}"
        r"{\creatim\yr2015\mo6\dy10\hr9\min12}{\revtim\yr2015\mo6\dy12\hr14\min3}{\nofpages1}}"
        "\r\n"
        r"{\header \pard\plain \ql \f1\fs18 Tenancy Sustainment \endash  duty line 0113 496 0528\par }"
        "\r\n"
        r"\pard\plain \ql \f1\fs22 {\insrsid1074383 Dear Ms Ad\u233\'e9yemi-Clarke,}{\insrsid2912437 \par }"
        r"{\insrsid1074383 Your National Insurance number is }{\b\insrsid2912437 PW 48}{\insrsid2912437  31 92 A.\par }"
        r"Date of birth: 22/09/1958\par "
        "\r\n"
        r"{\field{\*\fldinst {HYPERLINK \"mailto:s.adeyemi.old@example.com\"}}{\fldrslt {\ul\cf2 s.adeyemi@example.com}}}\par "
        "\r\n"
        r"\trowd \trgaph108\cellx3000\cellx6000\pard\intbl {\b Name}\cell {\b NI number}\cell \row "
        r"\trowd \trgaph108\cellx3000\cellx6000\pard\intbl Sam Adeyemi-Clarke\cell HL 27 63 15 D\cell \row "
        "\r\n"
        r"\pard {\*\shppict{\pict\pngblip\picw10\pich10 89504e470d0a1a0a07700900388000000d494844520000000a}}\par "
        "\r\n"
        r"Your support plan \u8211\'96 the caf\'e9 group \u8211? starts in July. "
        r"Your support worker will call you{\super\chftn}{\footnote \pard\plain {\super\chftn} "
        r"On 07700 900415, between 9am and 5pm.}.\par "
        "\r\n"
        r"{\*\atnid TS}{\*\atnauthor Tenancy Sustainment}\chatn{\*\annotation{\*\atndate 1862271232}"
        r"\pard\plain DOB 03/07/1958 checked with the tenant's GP letter}"
        r"{\deleted\revauth1 Old number 07700 900999.}Yours sincerely\par }"
    )
    with open(os.path.join(DOCS, name), "wb") as f:
        f.write(rtf.encode("ascii"))
    plant(name, "person_name", "Ad\u00e9yemi-Clarke", "paragraph 1", why="an accent written as \\u233 with its fallback")
    plant(name, "uk_nino", "PW 48 31 92 A", "paragraph 2", why="split across runs")
    plant(name, "date_of_birth", "22/09/1958", "paragraph 3")
    plant(name, "email", "s.adeyemi@example.com", "paragraph 4", why="a field's result")
    plant(name, "email", "s.adeyemi.old@example.com", "paragraph 4", expect="not_found",
          why="a field's code (the link), not its text")
    plant(name, "uk_nino", "HL 27 63 15 D", "table 1 row 2 column NI number", why="a table cell")
    plant(name, "uk_phone", "07700 900388", "picture data", expect="not_found",
          why="hex digits of an embedded picture")
    plant(name, "uk_phone", "07700 900415", "part footnotes, paragraph 1")
    plant(name, "date_of_birth", "03/07/1958", "part comments, paragraph 1", why="a comment")
    plant(name, "uk_phone", "07700 900999", "deleted revision", expect="not_found",
          why="deleted text (a tracked change), left out as a DOCX's is")
    plant(name, "uk_phone", "0113 496 0528", "part headers, paragraph 1")


def main():
    os.makedirs(DOCS, exist_ok=True)
    os.makedirs(EXPECTED, exist_ok=True)
    members = tenancy_letter()
    broken_docx(members)
    case_review()
    briefing_pptx()
    briefing_odp()
    legacy_doc()
    legacy_ppt()
    rtf_letter()
    referral_form()
    with open(os.path.join(EXPECTED, "planted_office.json"), "w", encoding="utf-8") as f:
        json.dump(PLANTED, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
