#!/usr/bin/env python3
"""Writes the spreadsheet, PDF, email, archive, HTML/XML and malformed parts of
fixtures/, and their ground truth, fixtures/expected/planted_containers.json.

Everyone in it is invented (seeded). Run from the repository root:
    python3 tests/gen_container_fixtures.py
Needs only Python's standard library, plus `xlwt` (pip) for the .xls and
`qpdf` (Debian) for the encrypted PDFs; without them those files are kept as
they are. Zip entries carry fixed timestamps and gzip no mtime, so the output
is byte-identical on every run.
"""
import base64
import gzip
import io
import json
import os
import random
import shutil
import struct
import subprocess
import tarfile
import zipfile
import zlib

from fixture_cfb import compound, compressed_rtf, filetime
from fixture_pdf import pdf, serialise

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
rng = random.Random(3033)
planted = []
EPOCH = (1980, 1, 1, 0, 0, 0)


def plant(path, detector, value, where, expect="found", why=""):
    planted.append({"path": path, "detector": detector, "value": value, "where": where,
                    "expect": expect, "why": why})


def write(rel, data):
    path = os.path.join(ROOT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)
    return path


FIRST_OK, SECOND_OK = "ABCEGHJKLMNOPRSTWXYZ", "ABCEGHJKLMNPRSTWXYZ"
NEVER = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
FIRST = ["Amara", "Ben", "Chloe", "Dev", "Ellis", "Fatima", "Gareth", "Hana", "Isla", "Jamal"]
LAST = ["Ashby", "Brennan", "Chaudhry", "Dunmore", "Eke", "Fairley", "Gould", "Hartigan"]


def digits(n):
    return "".join(rng.choice("0123456789") for _ in range(n))


def nino(sep=" "):
    while True:
        p = rng.choice(FIRST_OK) + rng.choice(SECOND_OK)
        if p not in NEVER:
            break
    d = digits(6)
    return sep.join([p, d[0:2], d[2:4], d[4:6], rng.choice("ABCD")]) if sep else p + d + rng.choice("ABCD")


def person():
    return rng.choice(FIRST), rng.choice(LAST)


def email(f, l, domain="example.com"):
    return f"{f.lower()}.{l.lower()}{rng.randint(1, 99)}@{domain}"


def mobile():
    return f"07700 900{rng.randint(0, 999):03d}"


def dob_parts():
    return rng.randint(1, 28), rng.randint(1, 12), rng.randint(1940, 2004)


def sort_code():
    d = digits(6)
    return f"{d[0:2]}-{d[2:4]}-{d[4:6]}"


def account():
    return str(rng.randint(1, 9)) + digits(7)


def zip_bytes(members, compress=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, EPOCH)
            info.compress_type = compress
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return buf.getvalue()


def excel_serial(d, m, y):
    import datetime
    return (datetime.date(y, m, d) - datetime.date(1899, 12, 30)).days


def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def col_letter(i):
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i]


# --- spreadsheets/rents.xlsx ---------------------------------------------------
def xlsx(sheets):
    """sheets: [(name, rows)] where a cell is str (shared string), int/float
    (number) or ("date", serial)."""
    strings, index = [], {}

    def sst(s):
        if s not in index:
            index[s] = len(strings)
            strings.append(s)
        return index[s]

    sheet_xml = []
    for _, rows in sheets:
        out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
        for r, row in enumerate(rows, 1):
            out.append(f'<row r="{r}">')
            for c, v in enumerate(row):
                ref = f"{col_letter(c)}{r}"
                if isinstance(v, tuple):
                    out.append(f'<c r="{ref}" s="1"><v>{v[1]}</v></c>')
                elif isinstance(v, (int, float)):
                    out.append(f'<c r="{ref}"><v>{v}</v></c>')
                elif v != "":
                    out.append(f'<c r="{ref}" t="s"><v>{sst(v)}</v></c>')
            out.append("</row>")
        out.append("</sheetData></worksheet>")
        sheet_xml.append("".join(out))
    members = [
        ("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
         '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
         '<Default Extension="xml" ContentType="application/xml"/>'
         '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
         + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, len(sheets) + 1))
         + '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
         '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'),
        ("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        ("xl/workbook.xml", '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
         'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
         + "".join(f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, (n, _) in enumerate(sheets, 1)) + "</sheets></workbook>"),
        ("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         + "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(sheets) + 1))
         + f'<Relationship Id="rId{len(sheets) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
         f'<Relationship Id="rId{len(sheets) + 2}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
        ("xl/styles.xml", '<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         '<fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders>'
         '<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>'),
    ]
    for i, x in enumerate(sheet_xml, 1):
        members.append((f"xl/worksheets/sheet{i}.xml", x))
    members.append(("xl/sharedStrings.xml", '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    + "".join(f"<si><t>{xml_escape(s)}</t></si>" for s in strings) + "</sst>"))
    return zip_bytes(members)


P = "spreadsheets/rents.xlsx"
tenants = [["Name", "DOB", "NI Number", "Sort Code", "Account Number", "Tenancy Start", "Notes"]]
for i in range(4):
    f, l = person()
    d, m, y = dob_parts()
    n = nino(" ")
    sc = sort_code()
    acct = account()
    acct_cell = int(acct) if i == 0 else "0" + acct[1:]
    start = (rng.randint(1, 28), rng.randint(1, 12), rng.randint(2005, 2024))
    notes = "type 2 diabetes, needs level access" if i == 1 else ""
    tenants.append([f"{f} {l}", ("date", excel_serial(d, m, y)), n, sc, acct_cell, ("date", excel_serial(*start)), notes])
    r = i + 2
    plant(P, "date_of_birth", f"{d:02d}/{m:02d}/{y}", f"sheet Tenants cell B{r} (a date serial)")
    plant(P, "uk_nino", n, f"sheet Tenants cell C{r}")
    plant(P, "uk_sort_code", sc, f"sheet Tenants cell D{r}")
    plant(P, "uk_bank_account", str(acct_cell), f"sheet Tenants cell E{r}", why="stored as a number" if i == 0 else "text with its leading zero")
    plant(P, "date_of_birth", f"{start[0]:02d}/{start[1]:02d}/{start[2]}", f"sheet Tenants cell F{r}", "not_found", "tenancy start")
    if notes:
        plant(P, "health_term", "type 2 diabetes", f"sheet Tenants cell G{r}", why="same row as a NINO")
contacts = [["Email", "Mobile"]]
for i in range(2):
    f, l = person()
    e, p = email(f, l), mobile()
    contacts.append([e, p])
    plant(P, "email", e, f"sheet Contacts cell A{i + 2}")
    plant(P, "uk_phone", p, f"sheet Contacts cell B{i + 2}")
rents_xlsx = xlsx([("Tenants", tenants), ("Contacts", contacts)])
write(P, rents_xlsx)

# --- spreadsheets/rents.ods -----------------------------------------------------------
P = "spreadsheets/rents.ods"
rows_xml = ['<table:table-row><table:table-cell office:value-type="string"><text:p>Name</text:p></table:table-cell>'
            '<table:table-cell office:value-type="string"><text:p>Date of Birth</text:p></table:table-cell>'
            '<table:table-cell office:value-type="string"><text:p>NI Number</text:p></table:table-cell></table:table-row>']
for i in range(2):
    f, l = person()
    d, m, y = dob_parts()
    n = nino(None)
    rows_xml.append(f'<table:table-row><table:table-cell office:value-type="string"><text:p>{f} {l}</text:p></table:table-cell>'
                    f'<table:table-cell office:value-type="date" office:date-value="{y}-{m:02d}-{d:02d}"><text:p>{d:02d}/{m:02d}/{y}</text:p></table:table-cell>'
                    f'<table:table-cell office:value-type="string"><text:p>{n}</text:p></table:table-cell></table:table-row>')
    plant(P, "date_of_birth", f"{d:02d}/{m:02d}/{y}", f"row {i + 2} column Date of Birth",
          why="ODS dates are read as Excel's are, as the cell shows them")
    plant(P, "uk_nino", n, f"row {i + 2} column NI Number")
content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
           '<office:body><office:spreadsheet><table:table table:name="Tenants">' + "".join(rows_xml) +
           '</table:table></office:spreadsheet></office:body></office:document-content>')
manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    info = zipfile.ZipInfo("mimetype", EPOCH)
    info.compress_type = zipfile.ZIP_STORED
    z.writestr(info, "application/vnd.oasis.opendocument.spreadsheet")
    for name, data in [("content.xml", content), ("META-INF/manifest.xml", manifest)]:
        info = zipfile.ZipInfo(name, EPOCH)
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, data)
write(P, buf.getvalue())

# --- spreadsheets/legacy.xls (BIFF, via xlwt) ---------------------------------------------
P = "spreadsheets/legacy.xls"
# Drawn and planted whether or not xlwt is here to write them, so that what
# follows draws the same values either way.
legacy = []
for i in range(2):
    f, l = person()
    d, m, y = dob_parts()
    e = email(f, l, "example.org")
    legacy.append((f"{f} {l}", (d, m, y), e))
    plant(P, "date_of_birth", f"{d:02d}/{m:02d}/{y}", f"sheet Legacy cell B{i + 2}")
    plant(P, "email", e, f"sheet Legacy cell C{i + 2}")
try:
    import xlwt
    import datetime
    wb = xlwt.Workbook()
    ws = wb.add_sheet("Legacy")
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    for c, h in enumerate(["Name", "DOB", "Email"]):
        ws.write(0, c, h)
    for i, (name, (d, m, y), e) in enumerate(legacy):
        ws.write(i + 1, 0, name)
        ws.write(i + 1, 1, datetime.date(y, m, d), date_style)
        ws.write(i + 1, 2, e)
    out = io.BytesIO()
    wb.save(out)
    write(P, out.getvalue())
except ImportError:
    print("xlwt not installed: legacy.xls left as it is")

# --- spreadsheets/export_really_html.xls, export_really_csv.xls ------------------------------
P = "spreadsheets/export_really_html.xls"
html_rows = ["<tr><th>Tenant</th><th>DOB</th><th>NI No</th></tr>"]
for i in range(2):
    f, l = person()
    d, m, y = dob_parts()
    n = nino(" ")
    html_rows.append(f"<tr><td>{f} {l}</td><td>{d:02d}/{m:02d}/{y}</td><td>{n}</td></tr>")
    plant(P, "date_of_birth", f"{d:02d}/{m:02d}/{y}", f"table 1 row {i + 2} column DOB")
    plant(P, "uk_nino", n, f"table 1 row {i + 2} column NI No")
write(P, "<html><body><table>" + "\n".join(html_rows) + "</table></body></html>\n")
P = "spreadsheets/export_really_csv.xls"
csv_rows = ["Name,DOB,Email"]
for i in range(2):
    f, l = person()
    d, m, y = dob_parts()
    e = email(f, l)
    csv_rows.append(f"{f} {l},{d:02d}/{m:02d}/{y},{e}")
    plant(P, "date_of_birth", f"{d:02d}/{m:02d}/{y}", f"row {i + 2} column DOB")
    plant(P, "email", e, f"row {i + 2} column Email")
write(P, "\n".join(csv_rows) + "\n")


# --- documents/*.pdf -----------------------------------------------------------------------------
P = "documents/letter.pdf"
f, l = person()
n = nino(" ")
d, m, y = dob_parts()
e = email(f, l)
ph = mobile()
pc = "LS6 2QT"
page1 = ["Meadowbank Housing Association", "Lettings Team, 1 Mill Lane, Leeds", "",
         f"Dear {f} {l},", "Thank you for your application for the tenancy of 4 Beech Court.",
         f"National Insurance number: {n}", f"Date of birth: {d:02d}/{m:02d}/{y}",
         f"We note that you have type 2 diabetes and will arrange level access."]
page2 = [f"Please reply to {e} or call {ph}.", f"Your new postcode will be {pc}.", "Yours sincerely,", "Lettings Team"]
letter_pdf = pdf([page1, page2])
write(P, letter_pdf)
plant(P, "uk_nino", n, "page 1 line 6")
plant(P, "date_of_birth", f"{d:02d}/{m:02d}/{y}", "page 1 line 7")
plant(P, "health_term", "type 2 diabetes", "page 1 line 8", why="same page as the NINO")
plant(P, "email", e, "page 2 line 1")
plant(P, "uk_phone", ph, "page 2 line 1")
plant(P, "uk_postcode", pc, "page 2 line 2")
write("documents/scan.pdf", pdf([[], []]))
write("malformed/truncated.pdf", letter_pdf[: len(letter_pdf) // 2])
bad = bytearray(letter_pdf)
x = bytes(bad).rfind(b"xref")
bad[x:x + 40] = b"X" * 40
bad[bytes(bad).rfind(b"startxref") + 10:bytes(bad).rfind(b"startxref") + 14] = b"9999"
write("malformed/badxref.pdf", bytes(bad))
# Read all the same, from a table rebuilt from its objects: the letter's plants are its own.
for p in [p for p in planted if p["path"] == P]:
    plant("malformed/badxref.pdf", p["detector"], p["value"], p["where"], p["expect"], p["why"])
# qpdf salts encryption randomly, so encrypted PDFs are made once and kept;
# their values are drawn all the same, so that what follows draws the same.
enc_done = os.path.exists(os.path.join(ROOT, "documents/encrypted.pdf"))
e2 = email(*person(), "example.org")
plant("documents/empty_password.pdf", "email", e2, "page 1 line 1", why="opens with the empty password")
e_locked = email(*person())
if shutil.which("qpdf") and not enc_done:
    src = write("documents/_plain.pdf", pdf([[f"Contact {e_locked} about the key safe."]]))
    enc = os.path.join(ROOT, "documents/encrypted.pdf")
    subprocess.run(["qpdf", "--encrypt", "userpw", "ownerpw", "256", "--", src, enc], check=True)
    src2 = write("documents/_plain.pdf", pdf([[f"Contact {e2} about the key safe."]]))
    subprocess.run(["qpdf", "--encrypt", "", "ownerpw", "128", "--use-aes=y", "--", src2,
                    os.path.join(ROOT, "documents/empty_password.pdf")], check=True)
    os.remove(src2)
elif not enc_done:
    print("qpdf not installed: no encrypted PDFs written")

# --- mail/complaint.eml ----------------------------------------------------------------------
P = "mail/complaint.eml"
f, l = person()
sender = email(f, l)
n = nino(" ")
ph = mobile()
arrears = ["Name,Email,Sort Code,Account Number"]
att_planted = []
for i in range(2):
    af, al = person()
    ae, sc, ac = email(af, al, "example.org"), sort_code(), account()
    arrears.append(f"{af} {al},{ae},{sc},{ac}")
    att_planted += [("email", ae, f"row {i + 2} column Email"), ("uk_sort_code", sc, f"row {i + 2} column Sort Code"),
                    ("uk_bank_account", ac, f"row {i + 2} column Account Number")]
att = base64.encodebytes(("\n".join(arrears) + "\n").encode()).decode()
eml = f"""From: "{f} {l}" <{sender}>
To: "Housing Team" <housing@example.org>
Subject: Complaint about repairs
Date: Mon, 3 Mar 2025 10:00:00 +0000
Message-ID: <complaint-0001@mail.example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=utf-8

I have been waiting three months for the damp to be fixed.
My NI number: {n}. Please call me on {ph}.

--alt
Content-Type: text/html; charset=utf-8

<p>I have been waiting three months for the damp to be fixed.</p><p>My NI number: {n}.</p>

--alt--

--outer
Content-Type: text/csv; name="arrears.csv"
Content-Disposition: attachment; filename="arrears.csv"
Content-Transfer-Encoding: base64

{att}
--outer--
"""
eml = eml.replace("\n", "\r\n")
write(P, eml)
plant(P, "email", sender, "message 1 part from")
plant(P, "uk_nino", n, "message 1 part body")
plant(P, "uk_phone", ph, "message 1 part body")
for det, v, w in att_planted:
    plant(P + "!/attachment/arrears.csv", det, v, w)
write("malformed/truncated.eml", eml[: len(eml) // 2])

# --- mail/inbox.mbox -------------------------------------------------------------------------------
P = "mail/inbox.mbox"
msgs = []
f, l = person()
msgs.append(f"From a@example.com Mon Jan  6 09:00:00 2025\nFrom: {f} <{email(f, l)}>\nTo: housing@example.org\nSubject: Bins\nDate: Mon, 6 Jan 2025 09:00:00 +0000\n\nThe bins were not collected this week.\n")
first_sender = msgs[0].split("<")[1].split(">")[0]
plant(P, "email", first_sender, "message 1 part from")
f, l = person()
d, m, y = dob_parts()
msgs.append(f"From b@example.com Tue Jan  7 09:00:00 2025\nFrom: housing@example.org\nTo: {f} {l} <{email(f, l, 'example.net')}>\nSubject: Your application\nDate: Tue, 7 Jan 2025 09:00:00 +0000\n\nWe have your application. Date of birth: {d:02d}/{m:02d}/{y}.\n")
plant(P, "date_of_birth", f"{d:02d}/{m:02d}/{y}", "message 2 part body")
plant(P, "email", msgs[1].split("<")[1].split(">")[0], "message 2 part to")
inner_email = email(*person(), "example.org")
inner_zip = zip_bytes([("notes/keysafe.txt", f"Key safe contact: {inner_email}\n")])
b64 = base64.encodebytes(inner_zip).decode()
msgs.append(f"From c@example.com Wed Jan  8 09:00:00 2025\nFrom: housing@example.org\nTo: archive@example.org\nSubject: Old notes\nDate: Wed, 8 Jan 2025 09:00:00 +0000\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nSee the attached notes.\n\n--b\nContent-Type: application/zip; name=\"notes.zip\"\nContent-Disposition: attachment; filename=\"notes.zip\"\nContent-Transfer-Encoding: base64\n\n{b64}\n--b--\n")
plant(P + "!/3/attachment/notes.zip!/notes/keysafe.txt", "email", inner_email, "line 1")
write(P, "\n".join(msgs))

# --- archives -------------------------------------------------------------------------------------
P = "archives/old_exports.zip"
csv_rows = ["Name,DOB,Email"]
for i in range(2):
    f, l = person()
    d, m, y = dob_parts()
    e = email(f, l)
    csv_rows.append(f"{f} {l},{d:02d}/{m:02d}/{y},{e}")
    plant(P + "!/exports/2019/tenants.csv", "date_of_birth", f"{d:02d}/{m:02d}/{y}", f"row {i + 2} column DOB")
    plant(P + "!/exports/2019/tenants.csv", "email", e, f"row {i + 2} column Email")
n = nino(" ")
plant(P + "!/notes/case.txt", "uk_nino", n, "line 1")
je, jm = email(*person()), mobile()
contacts = json.dumps({"tenants": [{"email": je, "mobile": jm}]}, indent=2)
plant(P + "!/nested/inner.zip!/deeper/contacts.json", "email", je, "/tenants/0/email")
plant(P + "!/nested/inner.zip!/deeper/contacts.json", "uk_phone", jm, "/tenants/0/mobile")
inner = zip_bytes([("deeper/contacts.json", contacts)])
old_exports = zip_bytes([("exports/2019/tenants.csv", "\n".join(csv_rows) + "\n"), ("notes/case.txt", f"NI number: {n}\n"),
                         ("nested/inner.zip", inner)])
write(P, old_exports)

P = "archives/backup.tar.gz"
rows = ["Name,Email"]
for i in range(2):
    f, l = person()
    e = email(f, l, "example.net")
    rows.append(f"{f} {l},{e}")
    plant(P + "!/backup.tar!/records/list.csv", "email", e, f"row {i + 2} column Email")
data = ("\n".join(rows) + "\n").encode()
tbuf = io.BytesIO()
with tarfile.open(fileobj=tbuf, mode="w", format=tarfile.USTAR_FORMAT) as t:
    info = tarfile.TarInfo("records/list.csv")
    info.size, info.mtime, info.mode = len(data), 0, 0o644
    t.addfile(info, io.BytesIO(data))
write(P, gzip.compress(tbuf.getvalue(), mtime=0))

P = "archives/single.txt.gz"
e = email(*person())
write(P, gzip.compress(f"Forwarding address requested by {e}\n".encode(), mtime=0))
plant(P + "!/single.txt", "email", e, "line 1")

P = "archives/encrypted_member.zip"
e = email(*person())
plain = zip_bytes([("notes.txt", f"Contact {e}\n"), ("secret.csv", "Name,NI Number\nX,AB123456C\n")], zipfile.ZIP_STORED)
raw = bytearray(plain)
# Set the "encrypted" flag on secret.csv's local and central headers.
name = b"secret.csv"
for sig in (b"PK\x03\x04", b"PK\x01\x02"):
    pos = 0
    while True:
        pos = bytes(raw).find(sig, pos)
        if pos < 0:
            break
        name_off = pos + (30 if sig == b"PK\x03\x04" else 46)
        flag_off = pos + (6 if sig == b"PK\x03\x04" else 8)
        if bytes(raw[name_off:name_off + len(name)]) == name:
            raw[flag_off] |= 1
        pos += 4
write(P, bytes(raw))
plant(P + "!/notes.txt", "email", e, "line 1")
plant(P + "!/secret.csv", "uk_nino", "AB123456C", "row 2", "not_found", "encrypted member: reported, not read")

bomb = zip_bytes([("zeros.bin", b"\0" * (50 << 20))])
write("archives/bomb.zip", bomb)
e = email(*person())
deep = zip_bytes([("bottom.txt", f"mail {e}\n")])
for level in range(7, 0, -1):
    deep = zip_bytes([(f"level{level}.zip", deep)])
write("archives/deep.zip", deep)
plant("archives/deep.zip!/level1.zip!/level2.zip!/level3.zip!/level4.zip!/level5.zip!/level6.zip!/level7.zip!/bottom.txt",
      "email", e, "line 1", "not_found", "nested deeper than the limit: reported")

# --- web ---------------------------------------------------------------------------------------------
P = "web/newsletter.html"
real = email(*person())
ph = f"020 7946 0{rng.randint(0, 999):03d}"
hidden = [email(*person()) for _ in range(3)]
write(P, f"""<!DOCTYPE html>
<html><head><title>Residents' newsletter</title>
<style>.contact::after {{ content: "{hidden[0]}"; }}</style>
<script>var support = "{hidden[1]}";</script></head>
<body><!-- old contact {hidden[2]} -->
<h1>Spring news</h1>
<p>Garden competition entries to {real}.</p>
<p>Tel: {ph}</p>
</body></html>
""")
plant(P, "email", real, "line of the text")
plant(P, "uk_phone", ph, "line of the text")
for h, why in zip(hidden[:2], ["inside a style block", "inside a script"]):
    plant(P, "email", h, "-", "not_found", why)
# What an author hid from the page in a comment is still in the file.
plant(P, "email", hidden[2], "part comments, line 1")

P = "web/tenants.xml"
parts = []
for i in range(2):
    f, l = person()
    d, m, y = dob_parts()
    n, e = nino(None), email(f, l)
    parts.append(f"<tenant><name>{f} {l}</name><dob>{y}-{m:02d}-{d:02d}</dob><ni_number>{n}</ni_number><email>{e}</email></tenant>")
    plant(P, "date_of_birth", f"{y}-{m:02d}-{d:02d}", f"/tenants[1]/tenant[{i + 1}]/dob[1]")
    plant(P, "uk_nino", n, f"/tenants[1]/tenant[{i + 1}]/ni_number[1]")
    plant(P, "email", e, f"/tenants[1]/tenant[{i + 1}]/email[1]")
write(P, '<?xml version="1.0" encoding="UTF-8"?>\n<tenants>\n' + "\n".join(parts) + "\n</tenants>\n")

# --- malformed ---------------------------------------------------------------------------------------
write("malformed/truncated.xlsx", rents_xlsx[: len(rents_xlsx) // 2])
cd = bytearray(old_exports)
c = bytes(cd).find(b"PK\x01\x02")
cd[c:c + 60] = b"\xff" * 60
write("malformed/corrupt_cd.zip", bytes(cd))
# Its members are still read from their local headers, up to the broken directory.
for p in [p for p in planted if p["path"].startswith("archives/old_exports.zip!/")]:
    plant(p["path"].replace("archives/old_exports.zip", "malformed/corrupt_cd.zip", 1), p["detector"], p["value"],
          p["where"], p["expect"], p["why"])
write("malformed/empty.zip", b"")
write("malformed/not_a_zip.zip", "This is a note saved with the wrong name.\n")
gz = gzip.compress(b"line one\nline two\n" * 200, mtime=0)
write("malformed/truncated.gz", gz[: len(gz) // 2])

# --- documents/application_form.pdf: a filled-in form -------------------------------------------
# (Drawn last, so that the values above stay as they were.) What was typed is held in the form's
# fields, not drawn on its pages; a stamp (a form XObject) is drawn on the first page.
P = "documents/application_form.pdf"
f, l = person()
n = nino(" ")
d, m, y = dob_parts()
ph, ph2 = mobile(), mobile()
e = email(f, l)
ph3 = mobile()


def pdf_string(text):
    return b"(" + text.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def application_form():
    objs = []

    def add(body):
        objs.append(body)
        return len(objs)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    stamp_text = b"BT /F1 8 Tf 0 20 Td " + pdf_string(f"Received by Lettings; queries to {e}") + b" Tj ET"
    stamp = add(b"<< /Type /XObject /Subtype /Form /BBox [0 0 300 40] /Resources << /Font << /F1 %d 0 R >> >> "
                b"/Length %d >>\nstream\n" % (font, len(stamp_text)) + stamp_text + b"\nendstream")
    pages_id = add(None)
    page_ids = [add(None), add(None)]
    labels = [[b"Housing application form", b"Full name:", b"National Insurance number:", b"Date of birth:",
               b"Telephone:", b"I agree to the privacy notice:"], [b"Emergency contact telephone:"]]
    fields = []

    def field(name, tooltip, value, page, kind=b"/Tx", parent=None):
        body = b"<< /FT %s /T %s /TU %s /V %s /Type /Annot /Subtype /Widget /Rect [200 700 400 714] /P %d 0 R" % (
            kind, pdf_string(name), pdf_string(tooltip), value, page)
        if parent:
            body += b" /Parent %d 0 R" % parent
        return add(body + b" >>")

    applicant = add(None)
    kids = [field("name", "Full name", pdf_string(f"{f} {l}"), page_ids[0], parent=applicant),
            field("ni", "National Insurance number", pdf_string(n), page_ids[0], parent=applicant),
            field("dob", "Date of birth", pdf_string(f"{d:02d}/{m:02d}/{y}"), page_ids[0], parent=applicant)]
    objs[applicant - 1] = b"<< /T (applicant) /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + b"] >>"
    phone = field("Text7", "Telephone number", pdf_string(ph), page_ids[0])
    consent = field("consent", "I agree to the privacy notice", b"/Yes", page_ids[0], kind=b"/Btn")
    emergency = field("Text9", "Emergency contact telephone", pdf_string(ph2), page_ids[1])
    # A reviewer's sticky note on page 2, and a link whose text is not a comment.
    note = add(b"<< /Type /Annot /Subtype /Text /Rect [500 700 520 720] /Contents %s >>"
               % pdf_string(f"Called the applicant back on {ph3}."))
    link = add(b"<< /Type /Annot /Subtype /Link /Rect [72 40 200 52] /Contents (Privacy notice) >>")
    annots = [kids + [phone, consent], [emergency, note, link]]
    for i, page in enumerate(page_ids):
        ops = [b"BT /F1 11 Tf 72 760 Td"]
        for j, label in enumerate(labels[i]):
            ops.append((b"0 -20 Td " if j else b"") + b"(" + label + b") Tj")
        ops.append(b"ET")
        if i == 0:
            ops.append(b"q 1 0 0 1 300 40 cm /Stamp Do Q")
        content_stream = b"\n".join(ops)
        content = add(b"<< /Length %d >>\nstream\n" % len(content_stream) + content_stream + b"\nendstream")
        objs[page - 1] = (b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                          b"/Resources << /Font << /F1 %d 0 R >> /XObject << /Stamp %d 0 R >> >> /Annots [%s] >>" % (
                              pages_id, content, font, stamp, b" ".join(b"%d 0 R" % a for a in annots[i])))
    objs[pages_id - 1] = b"<< /Type /Pages /Kids [%d 0 R %d 0 R] /Count 2 >>" % tuple(page_ids)
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R /AcroForm << /Fields [%d 0 R %d 0 R %d 0 R %d 0 R] "
                  b"/NeedAppearances true >> >>" % (pages_id, applicant, phone, consent, emergency))
    return serialise(objs, catalog)


write(P, application_form())
plant(P, "person_name", f"{f} {l}", "page 1 pointer applicant.name", why="typed into the form's field")
plant(P, "uk_nino", n, "page 1 pointer applicant.ni", why="typed into the form's field")
plant(P, "date_of_birth", f"{d:02d}/{m:02d}/{y}", "page 1 pointer applicant.dob", why="typed into the form's field")
plant(P, "uk_phone", ph, "page 1 pointer Text7", why="typed into the form's field")
plant(P, "uk_phone", ph2, "page 2 pointer Text9", why="a field whose box is on page 2")
plant(P, "email", e, "page 1 line 7", why="drawn by a stamp (a form XObject) the page draws")
plant(P, "uk_phone", ph3, "part comment, page 2, line 1", why="a reviewer's sticky note")

# --- mail/arrears_chase.msg: an email saved from Outlook -------------------------------------------
P = "mail/arrears_chase.msg"


def utf16(text):
    return text.encode("utf-16-le")


def mapi_properties(header, fixed):
    """A property stream: `header` bytes, then (id, type, value) entries."""
    return b"\0" * header + b"".join(struct.pack("<IIQ", pid << 16 | ptype, 6, value)
                                     for pid, ptype, value in fixed)


f, l = person()
tenant = email(f, l)
officer_f, officer_l = person()
officer = email(officer_f, officer_l, "example.org")
n, ph = nino(" "), mobile()
sc, ac = sort_code(), account()
d, m, y = dob_parts()
msg = {
    "__properties_version1.0": mapi_properties(32, [(0x0039, 0x0040, filetime(2025, 4, 7))]),
    "__substg1.0_0037001F": utf16("Rent account reminder"),
    "__substg1.0_0C1A001F": utf16("Rents Team"),
    "__substg1.0_5D01001F": utf16("rents@example.org"),
    "__substg1.0_1000001F": utf16(f"Dear {f},\r\nYour rent account is in arrears. Please call us on {ph} "
                                  f"to agree a plan. Our records show your NI number as {n}.\r\n"),
    "__recip_version1.0_#00000000": {
        "__properties_version1.0": mapi_properties(8, [(0x0C15, 0x0003, 1)]),
        "__substg1.0_3001001F": utf16(f"{f} {l}"),
        "__substg1.0_39FE001F": utf16(tenant),
    },
    "__recip_version1.0_#00000001": {
        "__properties_version1.0": mapi_properties(8, [(0x0C15, 0x0003, 2)]),
        "__substg1.0_3001001F": utf16(f"{officer_f} {officer_l}"),
        "__substg1.0_39FE001F": utf16(officer),
    },
    "__attach_version1.0_#00000000": {
        "__substg1.0_3707001F": utf16("statement.csv"),
        "__substg1.0_37010102": f"Name,Sort Code,Account Number\r\n{f} {l},{sc},{ac}\r\n".encode(),
    },
    "__attach_version1.0_#00000001": {
        "__substg1.0_3001001F": utf16("Earlier reminder"),
        "__substg1.0_3701000D": {
            "__properties_version1.0": mapi_properties(24, [(0x0039, 0x0040, filetime(2024, 11, 4))]),
            "__substg1.0_0037001E": b"Reminder",
            # 8-bit text in Windows-1252, as older Outlook wrote it.
            "__substg1.0_1000001E": f"Date of birth: {d:02d}/{m:02d}/{y} \u2013 please confirm.".encode("cp1252"),
        },
    },
}
write(P, compound(msg))
plant(P, "person_name", f"{f} {l}", "message 1 part to", why="a recipient's display name")
plant(P, "email", tenant, "message 1 part to")
plant(P, "email", officer, "message 1 part cc")
plant(P, "uk_phone", ph, "message 1 part body")
plant(P, "uk_nino", n, "message 1 part body")
plant(P + "!/attachment/statement.csv", "person_name", f"{f} {l}", "row 2 column Name")
plant(P + "!/attachment/statement.csv", "uk_sort_code", sc, "row 2 column Sort Code")
plant(P + "!/attachment/statement.csv", "uk_bank_account", ac, "row 2 column Account Number")
plant(P + "!/attachment/Earlier reminder.msg", "date_of_birth", f"{d:02d}/{m:02d}/{y}", "message 1 part body",
      why="a message attached inside the message, its text in Windows-1252")

# --- mail/repair_visit.msg: an Outlook message whose body is kept only as compressed RTF -------------
P = "mail/repair_visit.msg"
f, l = person()
ph, n = mobile(), nino(" ")
rtf = (
    r"{\rtf1\ansi\ansicpg1252\fromtext \fbidis \deff0{\fonttbl{\f0\fswiss Arial;}}"
    "\r\n"
    rf"\uc1\pard\plain\f0\fs20 Dear {f} {l},\par Our surveyor will visit on Tuesday. "
    rf"Please call {ph} if that does not suit.\par "
    rf"\par Repair ref 4471 \endash  tenant NI number {n}\par }}"
).encode("cp1252")
msg = {
    "__properties_version1.0": mapi_properties(32, [(0x0039, 0x0040, filetime(2025, 9, 15))]),
    "__substg1.0_0037001F": utf16("Repair visit"),
    "__substg1.0_0C1A001F": utf16("Repairs Team"),
    "__substg1.0_10090102": compressed_rtf(rtf),
}
write(P, compound(msg))
plant(P, "person_name", f"{f} {l}", "message 1 part body", why="a body kept only as compressed RTF")
plant(P, "uk_phone", ph, "message 1 part body", why="a body kept only as compressed RTF")
plant(P, "uk_nino", n, "message 1 part body", why="a body kept only as compressed RTF")

# --- documents/arrears_report.pdf: a table drawn cell by cell ------------------------------------
# Drawn last, so that the fixtures above keep their values.
P = "documents/arrears_report.pdf"
report = ["Meadowbank Housing Association", "Rent arrears report, March 2012", "",
          [(72, "Tenant"), (190, "Date of Birth"), (290, "NI Number"), (390, "Tenancy End"), (480, "Arrears")]]
overleaf = ["Rent arrears report, March 2012 (continued)"]
for i in range(6):
    f, l = person()
    d, m, y = dob_parts()
    n = nino(" ")
    end = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2009, 2012)}"
    owed = f"{rng.randint(10, 2500)}.{rng.randint(0, 99):02d}"
    # Amounts right aligned: they start where their width leaves them.
    row = [(72, f"{f} {l}"), (190, f"{d:02d}/{m:02d}/{y}"), (290, n), (390, end), (520 - 6 * len(owed), owed)]
    # The table runs onto a second page, its header not repeated (as Word
    # leaves it unless asked).
    if i < 4:
        report.append(row)
        where = f"page 1 table 1 row {i + 2}"
    else:
        overleaf.append(row)
        where = f"page 2 table 1 row {i - 3} (the table of page 1 going on)"
    plant(P, "person_name", f"{f} {l}", f"{where} column Tenant", why="a name under its column, the table drawn cell by cell")
    plant(P, "date_of_birth", f"{d:02d}/{m:02d}/{y}", f"{where} column Date of Birth",
          why="a date under its column, rows below the header")
    plant(P, "uk_nino", n, f"{where} column NI Number")
    plant(P, "date_of_birth", end, f"{where} column Tenancy End", expect="not_found",
          why="a tenancy's end, in its own column beside the birth dates")
report.append("Continued overleaf.")
overleaf += ["", "Report run 12/03/2012 by the income team."]
plant(P, "date_of_birth", "12/03/2012", "page 2 line 4", expect="not_found", why="the report's date, after the table")
write(P, pdf([report, overleaf]))

# --- forms: a record page printed from a housing system, a tenant's details sheet --------------
# Each table is one person's record, laid out label | value: each value is
# judged under its label, and beside the others (a health term beside a name).
P = "web/tenant_record.html"
f, l = person()
d, m, y = dob_parts()
n, ph, old_email, pc = nino(" "), mobile(), email(f, l), f"LS6 {rng.randint(1, 9)}QT"
start = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2005, 2015)}"
payer, sc, acct = f"{rng.choice(FIRST)} {l}", sort_code(), account()
write(P, f"""<!DOCTYPE html>
<html><head><title>Tenant record</title></head><body>
<h1>Tenant record</h1>
<!-- email before 2019: {old_email} -->
<table>
<tr><th colspan="2">Lead tenant</th></tr>
<tr><th>Name</th><td>Mrs {f} {l}</td></tr>
<tr><th>Date of birth</th><td>{d:02d}/{m:02d}/{y}</td></tr>
<tr><th>NI number</th><td>{n}</td></tr>
<tr><th>Address</th><td>{rng.randint(1, 40)} Mill Court</td></tr>
<tr><td></td><td>Leeds {pc}</td></tr>
<tr><th>Mobile</th><td>{ph}</td></tr>
<tr><th>Support needs</th><td>Uses a wheelchair</td></tr>
<tr><th>Tenancy start</th><td>{start}</td></tr>
</table>
<h2>Direct debit</h2>
<table>
<tr><td>Account name:</td><td>{payer}</td><td>Sort code:</td><td>{sc}</td></tr>
<tr><td>Account number:</td><td>{acct}</td><td>Day of month:</td><td>{rng.randint(1, 28)}</td></tr>
</table>
</body></html>
""")
plant(P, "email", old_email, "part comments, line 1", why="an old address left in a comment")
plant(P, "person_name", f"{f} {l}", "table 1 row 2 column Name")
plant(P, "date_of_birth", f"{d:02d}/{m:02d}/{y}", "table 1 row 3 column Date of birth",
      why="a date under its label, the table laid out as a form")
plant(P, "uk_nino", n, "table 1 row 4 column NI number")
plant(P, "uk_postcode", pc, "table 1 row 6 column Address", why="an address's second line, under the label above")
plant(P, "uk_phone", ph, "table 1 row 7 column Mobile")
plant(P, "health_term", "Uses a wheelchair", "table 1 row 8 column Support needs",
      why="a health term in the same record as the tenant's name")
plant(P, "date_of_birth", start, "table 1 row 9 column Tenancy start", expect="not_found",
      why="a tenancy's start under its own label, beside a birth date")
plant(P, "person_name", payer, "table 2 row 1 column Account name:")
plant(P, "uk_sort_code", sc, "table 2 row 1 column Sort code:", why="a label later in its row")
plant(P, "uk_bank_account", acct, "table 2 row 2 column Account number:",
      why="eight digits under their label, the table laid out as a form")

P = "spreadsheets/tenant_details.xlsx"
f, l = person()
d, m, y = dob_parts()
n, ph, em = nino(" "), mobile(), email(f, l)
pc = f"LS6 {rng.randint(1, 9)}QU"
write(P, xlsx([("Tenant details", [
    ["Tenant details"],
    [],
    ["Name", f"{f} {l}", "Date of birth", ("date", excel_serial(d, m, y))],
    ["NI number", n, "Phone", ph],
    ["Address", f"{rng.randint(1, 40)} Mill Court"],
    ["", f"Leeds {pc}"],
    ["Email", em],
    ["Support needs", "Diabetes"],
])]))
plant(P, "person_name", f"{f} {l}", "B3 column Name")
plant(P, "date_of_birth", f"{d:02d}/{m:02d}/{y}", "D3 column Date of birth",
      why="a date under a label later in its row, the sheet laid out as a form")
plant(P, "uk_nino", n, "B4 column NI number")
plant(P, "uk_phone", ph, "D4 column Phone")
plant(P, "uk_postcode", pc, "B6 column Address")
plant(P, "email", em, "B7 column Email")
plant(P, "health_term", "Diabetes", "B8 column Support needs",
      why="a health term in the same record as the tenant's name")

# --- a page saved from a tenant portal (a web app): what it holds but does not show ------------
# The data is in a JSON script (Next.js's __NEXT_DATA__), the housing officer in schema.org's
# JSON-LD, the edit form's values in its controls, the tenant's address in a mailto link. Code in
# scripts is not read, nor a password control's value.
P = "web/tenant_portal.html"
f, l = person()
d, m, y = dob_parts()
n, ph, em, pc = nino(""), mobile(), email(f, l), f"LS6 {rng.randint(1, 9)}QX"
cf, cl = person()
cd, cm, cy = dob_parts()
of, ol = person()
officer_email, officer_phone = email(of, ol, "example.org"), mobile()
code_email, secret = email(*person()), nino(" ")
other_email = email(f, l, "example.net")
ef, el = person()
emergency = {"contact": {"name": f"{ef} {el}", "phone": mobile()}}
next_data = {"props": {"pageProps": {
    "tenant": {"name": f"{f} {l}", "dateOfBirth": f"{y}-{m:02d}-{d:02d}", "niNumber": n,
               "supportNeeds": ["Type 2 diabetes"]},
    "household": [{"name": f"{cf} {cl}", "dob": f"{cd:02d}/{cm:02d}/{cy}", "relationship": "Son"}],
}}, "page": "/tenancy/[ref]", "buildId": "b7Tz"}
ld = {"@context": "https://schema.org", "@type": "Person", "name": f"{of} {ol}",
      "jobTitle": "Housing officer", "email": officer_email, "telephone": officer_phone}
write(P, f"""<!DOCTYPE html>
<html><head><title>My tenancy</title>
<script type="application/ld+json">{json.dumps(ld)}</script>
<script>window.support = {{ contact: "{code_email}" }};</script>
</head><body><div id="__next"><h1>My tenancy</h1>
<form action="/contact" method="post">
<label>Mobile <input type="tel" name="mobile" value="{ph}"></label>
<label>Email <input type="email" name="email" value="{em}"></label>
<label>Postcode <input name="postcode" value="{pc}"></label>
<label>Ethnic group <select name="ethnicity"><option value="">Prefer not to say</option>
<option>White British</option><option selected>Black Caribbean</option><option>Pakistani</option>
</select></label>
<label>Anything we should know before visiting? <textarea name="visit_notes">My son uses a wheelchair.</textarea></label>
<input type="password" name="memorable" value="{secret}">
<button type="submit">Save</button>
</form>
<div id="emergency" data-props="{json.dumps(emergency).replace('"', '&quot;')}" x-data="{{ open: false }}"></div>
<p>We also write to <a href="mailto:{other_email.replace("@", "%40")}">your other address</a>.</p>
</div>
<script id="__NEXT_DATA__" type="application/json">{json.dumps(next_data)}</script>
</body></html>
""")
plant(P, "person_name", f"{f} {l}", "part script 3, pointer /props/pageProps/tenant/name",
      why="a JSON data script (Next.js) holds what the page does not show")
plant(P, "date_of_birth", f"{y}-{m:02d}-{d:02d}", "part script 3, pointer /props/pageProps/tenant/dateOfBirth")
plant(P, "uk_nino", n, "part script 3, pointer /props/pageProps/tenant/niNumber")
plant(P, "health_term", "Type 2 diabetes", "part script 3, pointer /props/pageProps/tenant/supportNeeds/0")
plant(P, "person_name", f"{cf} {cl}", "part script 3, pointer /props/pageProps/household/0/name")
plant(P, "date_of_birth", f"{cd:02d}/{cm:02d}/{cy}", "part script 3, pointer /props/pageProps/household/0/dob",
      why="an object in an array of a data script is a record, as in a JSON file")
plant(P, "email", officer_email, "part script 1, pointer /email", why="schema.org's JSON-LD")
plant(P, "uk_phone", officer_phone, "part script 1, pointer /telephone")
plant(P, "uk_phone", ph, "part form, column mobile", why="a form control's value, under its name")
plant(P, "email", em, "part form, column email")
plant(P, "uk_postcode", pc, "part form, column postcode")
plant(P, "ethnic_origin", "Black Caribbean", "part form, column ethnicity",
      why="a select's chosen option, in the same record as the tenant's contact details")
plant(P, "ethnic_origin", "White British", "part form, column ethnicity", expect="not_found",
      why="an option not chosen is the form's choice, not the tenant's")
plant(P, "health_term", "uses a wheelchair", "part form, column visit_notes",
      why="a text area's text, in the same record as the tenant's contact details")
plant(P, "email", other_email, "part links, line 1", why="where a mailto link goes, not shown on the page")
plant(P, "person_name", f"{ef} {el}", "part data-props attribute 1, pointer /contact/name",
      why="JSON in an attribute (a component's props), read as JSON")
plant(P, "uk_phone", emergency["contact"]["phone"], "part data-props attribute 1, pointer /contact/phone")
plant(P, "email", code_email, "script 2", expect="not_found", why="code in a script is not read")
plant(P, "uk_nino", secret, "part form", expect="not_found", why="a password control's value is not read")

# --- an email a web form sends, in HTML alone: its table read as a form ---------------------------
# Flattened to text, its cells ran together ("Date of birth03/04/1971") and were missed.
P = "mail/repair_request.eml"
f, l = person()
d, m, y = dob_parts()
ph, reply, pc = mobile(), email(f, l, "example.net"), f"LS6 {rng.randint(1, 9)}QZ"
start = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2005, 2015)}"
html = f"""<html><body><p>A repair was reported on the website.</p>
<table>
<tr><td>Name</td><td>Mr {f} {l}</td></tr>
<tr><td>Date of birth</td><td>{d:02d}/{m:02d}/{y}</td></tr>
<tr><td>Tenancy start</td><td>{start}</td></tr>
<tr><td>Phone</td><td>{ph}</td></tr>
<tr><td>Address</td><td>{rng.randint(1, 40)} Mill Court</td></tr>
<tr><td></td><td>Leeds {pc}</td></tr>
<tr><td>Access needs</td><td>Epilepsy: please call before visiting</td></tr>
<tr><td>Repair</td><td>Kitchen tap leaking</td></tr>
</table>
<p>Reply to <a href="mailto:{reply}">the tenant</a>.</p>
</body></html>
"""
eml = f"""From: "Website" <noreply@example.org>
To: "Repairs" <repairs@example.org>
Subject: Repair request
Date: Tue, 4 Mar 2025 09:30:00 +0000
Message-ID: <repair-0002@mail.example.org>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

{html}"""
write(P, eml.replace("\n", "\r\n"))
plant(P, "person_name", f"{f} {l}", "message 1 part body table 1 row 1 column Name")
plant(P, "date_of_birth", f"{d:02d}/{m:02d}/{y}", "message 1 part body table 1 row 2 column Date of birth",
      why="an HTML body's table is read as a page's is, not run together as text")
plant(P, "date_of_birth", start, "message 1 part body table 1 row 3 column Tenancy start", expect="not_found",
      why="a tenancy's start under its own label")
plant(P, "uk_phone", ph, "message 1 part body table 1 row 4 column Phone")
plant(P, "uk_postcode", pc, "message 1 part body table 1 row 6 column Address")
plant(P, "health_term", "Epilepsy", "message 1 part body table 1 row 7 column Access needs",
      why="a health term in the same record as the tenant's name")
plant(P, "email", reply, "message 1 part body links line 1", why="where a mailto link goes")

# --- a page saved from an ASP.NET WebForms system: a grid, its hidden column in the view state ---
# The grid shows names and arrears; its NINO column is hidden, but ASP.NET keeps every cell in the
# page's __VIEWSTATE (base64 of ObjectStateFormatter: FF 01, then tokens; 05 or 1E, a length, UTF-8).
P = "web/arrears_list.html"
rows = []
for i in range(3):
    gf, gl = person()
    rows.append((f"{gf} {gl}", nino(""), f"{rng.randint(100, 900)}.{rng.randint(0, 99):02d}"))


def vs_string(token, text):
    data = text.encode()
    return bytes([token, len(data)]) + data


state = bytes([0xFF, 0x01, 0x0F, 0x0F]) + vs_string(0x05, "1234567890")
for name, ni, arrears in rows:
    state += bytes([0x64, 0x0F]) + vs_string(0x1E, name) + vs_string(0x05, ni) + vs_string(0x05, arrears)
state += bytes(rng.randint(0, 255) for _ in range(20))  # the MAC
view_state = base64.b64encode(state).decode()
grid = "".join(f"<tr><td>{name}</td><td>{arrears}</td></tr>\n" for name, _, arrears in rows)
write(P, f"""<!DOCTYPE html>
<html><head><title>Arrears over 100</title></head><body>
<form method="post" action="./ArrearsList.aspx" id="form1">
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{view_state}" />
<input type="hidden" name="__VIEWSTATEGENERATOR" id="__VIEWSTATEGENERATOR" value="CA0B0334" />
<table id="gvArrears">
<tr><th>Tenant</th><th>Arrears</th></tr>
{grid}</table>
</form></body></html>
""")
for i, (name, ni, _) in enumerate(rows):
    plant(P, "uk_nino", ni, f"part viewstate, line {3 * i + 3}",
          why="a grid's hidden column, kept in the page's ASP.NET view state" if i == 0 else "")

planted.sort(key=lambda p: p["path"])
write("expected/planted_containers.json", json.dumps(planted, indent=1) + "\n")
print(f"{len(planted)} planted values ({sum(p['expect'] == 'found' for p in planted)} to find)")
