#!/usr/bin/env python3
"""Writes fixtures/housing/: records that raise, and records that must not
raise, each of the policy flags under rules/policies/example_housing.toml at
--as-of 2026-01-01; and the ground truth, fixtures/expected/flags.json.

Everyone in it is invented; phone numbers come from Ofcom's drama ranges and
emails from the example domains. Run from the repository root:
    python3 tests/gen_policy_fixtures.py
The output is byte-identical on every run.
"""
import csv
import io
import json
import os
import zlib

from fixture_pdf import pdf

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
HOUSING = os.path.join(ROOT, "housing")
expected = []


def expect(path, record, flag, raised, why):
    expected.append({"path": "housing/" + path, "record": record, "flag": flag,
                     "expect": "raised" if raised else "not_raised", "why": why})


def write(path, text):
    full = os.path.join(HOUSING, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w", newline="") as f:
        f.write(text)


def write_bytes(path, data):
    full = os.path.join(HOUSING, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb") as f:
        f.write(data)


def table(rows):
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


# --- Rents: 6 years after Tenancy End (empty: live), kept while Arrears > 0,
# a Lawful Basis column per row; date of birth is not a rents category.
rents = [
    ["Tenant Ref", "Tenant", "NI Number", "Sort Code", "Account Number", "DOB",
     "Tenancy End", "Arrears", "Lawful Basis"],
    ["R1001", "Aled Pritchard", "JT 48 21 93 B", "30-94-57", "41736520", "", "31/03/2012", "0.00", "Contract"],
    ["R1002", "Bethan Okafor", "JR 52 77 10 A", "20-71-64", "53018847", "", "30/06/2023", "0.00", "Contract"],
    ["R1003", "Caspar Lindqvist", "PA 63 19 08 C", "40-11-38", "27719904", "", "", "0.00", "Contract"],
    ["R1004", "Dilys Umeh", "WL 20 84 66 D", "60-02-91", "88260135", "", "31/01/2011", "412.50", "Contract"],
    ["R1005", "Emeka Sorensen", "HE 71 36 52 A", "11-83-27", "30691458", "", "TBC", "0.00", "Contract"],
    ["R1006", "Ffion Dubois", "KC 09 45 81 B", "52-41-09", "64402719", "", "28/02/2024", "0.00", ""],
    ["R1007", "Gwen Takahashi", "LB 37 62 24 C", "09-01-29", "17384260", "14/02/1979", "31/12/2024", "0.00", "Legal obligation"],
    ["R1008", "Huw Adeyemi", "NZ 86 13 47 D", "77-15-03", "95527381", "", "31/10/2022", "0.00", "Because we always have"],
]
write("rents/rent_accounts.csv", table(rents))
P = "rents/rent_accounts.csv"
expect(P, "row 2", "past_retention", True, "tenancy ended 31/03/2012: 6 years passed on 31/03/2018")
expect(P, "row 3", "past_retention", False, "tenancy ended 30/06/2023: due 30/06/2029")
expect(P, "row 3", "no_lawful_basis", False, "its Lawful Basis says Contract")
expect(P, "row 4", "retention_unknown", False, "an empty Tenancy End is a live tenancy (missing = live)")
expect(P, "row 4", "past_retention", False, "a live tenancy")
expect(P, "row 5", "past_retention", False, "ended 2011 but kept while Arrears (412.50) is above zero")
expect(P, "row 6", "retention_unknown", True, "Tenancy End is TBC, not a date")
expect(P, "row 6", "past_retention", False, "no date to judge")
expect(P, "row 7", "no_lawful_basis", True, "its Lawful Basis cell is empty")
expect(P, "row 8", "undeclared_category", True, "holds a date of birth, which rents does not declare")
expect(P, "row 2", "undeclared_category", False, "holds only categories rents declares")
expect(P, "row 9", "no_lawful_basis", True, "its Lawful Basis names no Article 6 basis")
expect(P, "row 8", "no_lawful_basis", False, "Legal obligation is a basis")

# --- Repairs: contact details and address only, no Article 9 condition;
# 2 years after Completed (empty: live).
repairs = [
    ["Job No", "Tenant", "Contact Phone", "Postcode", "Completed", "Notes"],
    ["J40311", "Idris Kowalski", "07700 900412", "LS6 2QT", "14/03/2021", "Kitchen tap replaced"],
    ["J40312", "Jasmine Ferreira", "07700 900413", "M14 5RB", "02/06/2025", "Tenant has asthma, avoid dust; call ahead"],
    ["J40313", "Kwame Halloran", "07700 900414", "NE1 4ST", "", "Boiler service booked"],
]
write("repairs/jobs.csv", table(repairs))
P = "repairs/jobs.csv"
expect(P, "row 2", "past_retention", True, "completed 14/03/2021: 2 years passed on 14/03/2023")
expect(P, "row 3", "special_category_without_condition", True, "a tenant's asthma, and repairs records no Article 9 condition")
expect(P, "row 3", "undeclared_category", True, "health is not a repairs category")
expect(P, "row 3", "past_retention", False, "completed 02/06/2025: due 02/06/2027")
expect(P, "row 4", "past_retention", False, "not completed yet (missing = live)")
expect(P, "row 4", "special_category_without_condition", False, "no special-category data")
expect(P, "row 2", "no_lawful_basis", False, "repairs records contract")

# --- Support: health under 9(2)(h); 6 years after the document's own date.
def eml(date, sender, subject, body):
    return (f"From: {sender}\nTo: support.team@example.org\nSubject: {subject}\n"
            f"Date: {date}\nMessage-ID: <{zlib.crc32(subject.encode()) % 10**8}@mail.example.org>\n"
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n" + body)


write("support/2014-03_case_closed.eml", eml(
    "Mon, 3 Mar 2014 10:15:00 +0000", "Lowri Mensah <lowri.mensah@example.org>",
    "Case closed",
    "Closing the support case for Lowri Mensah, NI number SK 28 64 90 A.\n"
    "She manages her diabetes well now and needs no further visits.\n"))
write("support/2025-09_visit.eml", eml(
    "Tue, 9 Sep 2025 14:30:00 +0100", "Marek Oyelaran <marek.oyelaran@example.org>",
    "Home visit",
    "Visited Marek Oyelaran (NI number TP 51 07 38 B) today.\n"
    "He has epilepsy; the support plan was reviewed with him.\n"))
write("support/visit_notes.txt",
      "Support visit notes (synthetic; all people invented)\n\n"
      "Nia Brennan, NI number CE 94 26 17 C, asked about her depression support group.\n")
expect("support/2014-03_case_closed.eml", "message 1", "past_retention", True,
       "dated 3 March 2014: 6 years passed on 3 March 2020")
expect("support/2014-03_case_closed.eml", "message 1", "special_category_without_condition", False,
       "support records the 9(2)(h) condition for health")
expect("support/2025-09_visit.eml", "message 1", "past_retention", False, "dated September 2025")
expect("support/2025-09_visit.eml", "message 1", "special_category_without_condition", False,
       "support records the 9(2)(h) condition for health")
# PDFs date themselves in their information dictionary.
write_bytes("support/2016-02_case_review.pdf", pdf(
    [["Case review (synthetic; all people invented)",
      "Reviewed the support plan for Idris Falconer, NI number JK 31 22 08 D.",
      "His asthma is well controlled; no further visits are planned."]],
    info={b"CreationDate": b"D:20160205103000Z", b"Title": b"Case review"}))
write_bytes("support/2024-06_case_review.pdf", pdf(
    [["Case review (synthetic; all people invented)",
      "Reviewed the support plan for Esme Calloway, NI number HR 62 19 47 B.",
      "Her arthritis limits the stairs; a stairlift assessment is booked."]],
    info={b"CreationDate": b"D:20240611090000Z"}))
expect("support/2016-02_case_review.pdf", "document", "past_retention", True,
       "the PDF says it was created on 5 February 2016: 6 years passed on 5 February 2022")
expect("support/2016-02_case_review.pdf", "document", "retention_unknown", False,
       "a PDF's creation date is its document date")
expect("support/2024-06_case_review.pdf", "document", "past_retention", False,
       "created June 2024: kept until June 2030")
expect("support/visit_notes.txt", "document", "retention_unknown", True,
       "a text file has no date of its own, and support keeps records after the document's date")
expect("support/visit_notes.txt", "document", "undeclared_category", False, "support declares health")

# --- Engagement: consent alone, a Consent column; 2 years after Last Contact.
engagement = [
    ["Email", "Consent", "Last Contact"],
    ["osian.achebe@example.net", "Yes", "12/05/2025"],
    ["priya.lindgren@example.net", "No", "12/05/2025"],
    ["quentin.mwangi@example.net", "", "12/05/2025"],
    ["rhian.castellano@example.net", "Yes", "01/02/2020"],
]
write("engagement/mailing_list.csv", table(engagement))
P = "engagement/mailing_list.csv"
expect(P, "row 2", "no_lawful_basis", False, "consent recorded as Yes")
expect(P, "row 2", "past_retention", False, "last contact May 2025: due May 2027")
expect(P, "row 3", "no_lawful_basis", True, "consent recorded as No, and engagement relies on consent alone")
expect(P, "row 4", "no_lawful_basis", True, "consent not recorded, and engagement relies on consent alone")
expect(P, "row 5", "past_retention", True, "last contact 01/02/2020: 2 years passed on 01/02/2022")

# --- No process claims this file: every personal record lacks a basis.
write("misc/old_list.csv", table([
    ["Name", "Email", "Phone"],
    ["Sion Abernethy", "sion.abernethy@example.com", "07700 900415"],
]))
expect("misc/old_list.csv", "row 2", "no_lawful_basis", True, "no process claims housing/misc/old_list.csv")
expect("misc/old_list.csv", "row 2", "special_category_without_condition", False, "no special-category data")

# --- A leaflet naming conditions and giving the office's details: mentions
# and a role mailbox, no person, so no flag at all.
write("misc/leaflet.txt",
      "Support for tenants living with diabetes, epilepsy or depression.\n"
      "Write to Example Homes, 1 Mill Lane, Leeds LS6 2QT, or email dpo@example.org.\n")
for flag in ["no_lawful_basis", "special_category_without_condition", "undeclared_category"]:
    expect("misc/leaflet.txt", "document", flag, False,
           "health words and an office address with a role mailbox: no person, so no personal data")

os.makedirs(os.path.join(ROOT, "expected"), exist_ok=True)
with open(os.path.join(ROOT, "expected", "flags.json"), "w") as f:
    json.dump(expected, f, indent=1)
    f.write("\n")
