#!/usr/bin/env python3
"""Writes the text, CSV and JSON part of fixtures/ (a synthetic housing share)
and its ground truth, fixtures/expected/planted_text.json.

Everyone in it is invented (seeded), phone numbers come from Ofcom's drama
ranges and emails from the example domains. Run from the repository root:
    python3 tests/gen_text_fixtures.py
The output is byte-identical on every run.
"""
import json
import os
import random

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
rng = random.Random(2026)
planted = []


def plant(path, detector, value, where, expect="found", why=""):
    planted.append({"path": path, "detector": detector, "value": value, "where": where,
                    "expect": expect, "why": why})


# --- valid value generators -------------------------------------------------
FIRST_OK = "ABCEGHJKLMNOPRSTWXYZ"
SECOND_OK = "ABCEGHJKLMNPRSTWXYZ"
NEVER = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def nino(sep=" "):
    while True:
        p = rng.choice(FIRST_OK) + rng.choice(SECOND_OK)
        if p not in NEVER:
            break
    d = "".join(rng.choice("0123456789") for _ in range(6))
    s = rng.choice("ABCD")
    if sep is None:
        return p + d + s
    return sep.join([p, d[0:2], d[2:4], d[4:6], s])


def nhs(grouped=True):
    while True:
        d = [rng.randint(4, 7)] + [rng.randint(0, 9) for _ in range(8)]
        total = sum(x * w for x, w in zip(d, range(10, 1, -1)))
        check = 11 - total % 11
        if check == 10:
            continue
        d.append(0 if check == 11 else check)
        s = "".join(map(str, d))
        return f"{s[0:3]} {s[3:6]} {s[6:10]}" if grouped else s


def luhn_complete(body):
    total = 0
    for i, ch in enumerate(reversed(body)):
        x = int(ch)
        if i % 2 == 0:
            x *= 2
            if x > 9:
                x -= 9
        total += x
    return body + str((10 - total % 10) % 10)


def luhn_ok(num):
    total = 0
    for i, ch in enumerate(reversed(num)):
        x = int(ch)
        if i % 2 == 1:
            x *= 2
            if x > 9:
                x -= 9
        total += x
    return total % 10 == 0


def card(prefix, length):
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    return luhn_complete(body)


def iban(country, bban):
    moved = bban + country + "00"
    num = "".join(str(int(c, 36)) for c in moved)
    check = 98 - int(num) % 97
    return f"{country}{check:02d}{bban}"


def group4(s):
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))


def digits(n):
    return "".join(rng.choice("0123456789") for _ in range(n))


def sort_code(sep="-"):
    d = digits(6)
    return sep.join([d[0:2], d[2:4], d[4:6]]) if sep else d


def account():
    return str(rng.randint(1, 9)) + digits(7)


def mobile():
    return f"07700 900{rng.randint(0, 999):03d}"


def dob():
    return rng.randint(1, 28), rng.randint(1, 12), rng.randint(1940, 2004)


FIRST = ["Amara", "Ben", "Chloe", "Dev", "Ellis", "Fatima", "Gareth", "Hana", "Isla", "Jamal", "Kerry", "Liam"]
LAST = ["Ashby", "Brennan", "Chaudhry", "Dunmore", "Eke", "Fairley", "Gould", "Hartigan", "Iqbal", "Jessop"]


def person():
    return rng.choice(FIRST), rng.choice(LAST)


def email(first, last, domain="example.com"):
    return f"{first.lower()}.{last.lower()}{rng.randint(1, 99)}@{domain}"


def write(rel, data, encoding="utf-8"):
    path = os.path.join(ROOT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(data, str):
        data = data.encode(encoding)
    with open(path, "wb") as f:
        f.write(data)


def line_of(lines, value):
    for i, l in enumerate(lines, 1):
        if value in l:
            return f"line {i}"
    raise AssertionError(value)


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]

# --- text/case_notes.txt ------------------------------------------------------
f1, l1 = person()
n_spaced, n_compact, n_hyphen, n_lower, n_alone = nino(" "), nino(None), nino("-"), nino(None).lower(), nino(None)
dobs = []
forms = []
for fmt in ["dd/mm/yyyy", "d/m/yy", "dd-mm-yyyy", "dd.mm.yyyy", "iso", "d Month yyyy", "dth Mon yyyy", "dd-Mon-yy", "Month d, yyyy"]:
    d, m, y = dob()
    if fmt == "d/m/yy":
        y = rng.randint(1950, 1999)
    text = {
        "dd/mm/yyyy": f"{d:02d}/{m:02d}/{y}",
        "d/m/yy": f"{d}/{m}/{y % 100:02d}",
        "dd-mm-yyyy": f"{d:02d}-{m:02d}-{y}",
        "dd.mm.yyyy": f"{d:02d}.{m:02d}.{y}",
        "iso": f"{y}-{m:02d}-{d:02d}",
        "d Month yyyy": f"{d} {MONTHS[m - 1]} {y}",
        "dth Mon yyyy": f"{d}{'st' if d in (1, 21) else 'nd' if d in (2, 22) else 'rd' if d in (3, 23) else 'th'} {MONTHS[m - 1][:3]} {y}",
        "dd-Mon-yy": f"{d:02d}-{MONTHS[m - 1][:3]}-{y % 100:02d}",
        "Month d, yyyy": f"{MONTHS[m - 1]} {d}, {y}",
    }[fmt]
    forms.append(text)
sc1, sc2, sc3 = sort_code("-"), sort_code(" "), sort_code("-")
acc_pair, acc1, acc2, acc3 = account(), account(), account(), account()
gb = iban("GB", "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4)) + digits(14))
gb2 = iban("GB", "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4)) + digits(14))
de = iban("DE", digits(18))
visa = card("4", 16)
mc5 = card("5" + str(rng.randint(1, 5)), 16)
mc2 = card(str(rng.randint(2221, 2720)), 16)
amex = card(rng.choice(["34", "37"]), 15)
nhs1, nhs2 = nhs(True), nhs(False)
e1 = email(f1, l1)
p_mob, p_intl, p_intl0, p_london, p_drama, p_manc = mobile(), f"+44 7700 900{rng.randint(0,999):03d}", f"+44 (0)20 7946 0{rng.randint(0,999):03d}", f"020 7946 0{rng.randint(0,999):03d}", f"01632 960{rng.randint(0,999):03d}", f"0161 496 0{rng.randint(0,999):03d}"
pc1, pc2, pc3, pc4 = "GIR 0AA", "LS6 2QT", "M14 5RB", "BN11 3HJ"

case_lines = [
    "CASE NOTES - Tenancy Sustainment (synthetic data for testing; all people invented)",
    "",
    f"Tenant: {f1} {l1}. NI number: {n_spaced}. Visit carried out at the property.",
    f"Benefit form checked, NINO {n_compact} matches the claim.",
    f"Partner's National Insurance number is {n_lower}, written in lower case on the form.",
    f"Lodger's NI no. {n_hyphen} (hyphenated on the old paper file).",
    f"A reference {n_alone} was written on the envelope, with nothing else beside it.",
    "",
    f"Date of birth: {forms[0]}.",
    f"DOB {forms[1]} as given on the housing application.",
    f"D.O.B. {forms[2]} per the passport copy.",
    f"Child born {forms[3]}.",
    f"Birth date {forms[4]} from the school letter.",
    f"Date of birth: {forms[5]}.",
    f"Birthday: {forms[6]}.",
    f"DOB: {forms[7]}.",
    f"Partner was born on {forms[8]}.",
    "",
    f"Rent by direct debit: sort code {sc1}, account number {acc1}.",
    f"Old bank details s/c {sc2}, a/c {acc2}.",
    f"Bank: {sc3} {acc_pair}",
    f"Savings acc no {acc3} held with a building society.",
    f"Refund to IBAN {group4(gb)} please.",
    f"Second refund went to {gb2} last year.",
    f"Overseas account of a relative, IBAN {group4(de)}.",
    f"Paid by card {group4(visa)} over the phone.",
    f"Mastercard on file: {'-'.join(mc5[i:i+4] for i in range(0, 16, 4))}.",
    f"Payment card {mc2} declined once.",
    f"Amex card {amex[0:4]} {amex[4:10]} {amex[10:15]}.",
    f"NHS number {nhs1} confirmed with the GP surgery.",
    f"Number {nhs2} appears on the prescription slip.",
    "",
    f"{f1} has type 2 diabetes and suffers from depression; she is a wheelchair user.",
    f"Her daughter is pregnant. Contact {e1} or mobile {p_mob}.",
    f"Son has epilepsy and his NI number is {n_spaced}.",
    f"International mobile {p_intl}; office line {p_intl0}.",
    f"Landlines: {p_london}, {p_drama}, {p_manc}.",
    f"Correspondence address postcode {pc2}; previous address {pc3}.",
    f"Parcel returned from {pc1}; new postcode {pc4}.",
    "Joint visit with Mrs da Costa and Mr McALLISTER, then Jane MacLeod of the support team.",
    "Interpreter booked for Mrs Ștefania Mureșan and Mr ŁUKASZEWSKI; Łukasz Wójcik and Mr Ahmed al-Hassan also attended.",
    "Letter to Mr JOHN SMITH; Sarah Jane Smith-Jones asked for a copy by email to Tom Okafor12@example.com.",
    "Home visits: Siobhán Ní Bhriain, Seán Ó Briain and Pádraig Mac Giolla Phádraig; Niamh O'Driscoll and Fiona McFadzean rang.",
    "Name: OKONKWO, Chidinma",
    "Also present: Rhodri Probert and Angharad Harries.",
    "Forwarded from Tobenna Eze <tobenna.eze@example.net>; copy to Rent Support <rent.support@example.org>.",
    "Right to rent: her partner has indefinite leave to remain; biometric residence permit ZU3018847 seen, share code R7K 4TQ 9XP checked online.",
    "Her brother is an asylum seeker with no recourse to public funds (NRPF); parking permit number PP4471930 issued to the household.",
    "She receives Universal Credit and PIP; a discretionary housing payment was refused in March, and the benefit cap applies.",
    "Sex: F",
    "Gender: Male / Female / Prefer not to say",
    "",
]
write("text/case_notes.txt", "\n".join(case_lines) + "\n")
P = "text/case_notes.txt"
for v in [n_spaced, n_compact, n_lower, n_hyphen, n_alone]:
    plant(P, "uk_nino", v, line_of(case_lines, v))
for v in forms:
    plant(P, "date_of_birth", v, line_of(case_lines, v), why="after a birth keyword")
for v in [sc1, sc2, sc3]:
    plant(P, "uk_sort_code", v, line_of(case_lines, v))
for v in [acc1, acc2, acc_pair, acc3]:
    plant(P, "uk_bank_account", v, line_of(case_lines, v))
for v in [group4(gb), gb2, group4(de)]:
    plant(P, "iban", v, line_of(case_lines, v))
for v in [group4(visa), '-'.join(mc5[i:i+4] for i in range(0, 16, 4)), mc2, f"{amex[0:4]} {amex[4:10]} {amex[10:15]}"]:
    plant(P, "payment_card", v, line_of(case_lines, v))
plant(P, "nhs_number", nhs1, line_of(case_lines, nhs1), why="with NHS context: high")
for term in ["type 2 diabetes", "depression", "wheelchair user", "pregnant", "epilepsy"]:
    plant(P, "health_term", term, line_of(case_lines, term), why="beside a person's identifier")
plant(P, "email", e1, line_of(case_lines, e1))
for v in [p_mob, p_intl, p_intl0, p_london, p_drama, p_manc]:
    plant(P, "uk_phone", v, line_of(case_lines, v))
for v in [pc1, pc2, pc3, pc4]:
    plant(P, "uk_postcode", v, line_of(case_lines, v))
# Surnames as registers write them: a small word, capitals, Mac.
for v, why in [("da Costa", "after a title, a small word inside"),
               ("McALLISTER", "after a title, in capitals"),
               ("Jane MacLeod", "a listed forename and surname")]:
    plant(P, "person_name", v, line_of(case_lines, v), why=why)
# Names beyond English spellings, capitals before a name word, a middle
# forename; an address run on from a name word is the address.
for v, why in [("Ștefania Mureșan", "after a title, Romanian letters"),
               ("ŁUKASZEWSKI", "after a title, capitals beyond Latin-1"),
               ("Łukasz Wójcik", "a listed forename; the surname listed as wojcik"),
               ("Ahmed al-Hassan", "after a title, Arabic's article"),
               ("JOHN SMITH", "after a title, capitals before another word"),
               ("Sarah Jane Smith-Jones", "a middle forename; both parts listed")]:
    plant(P, "person_name", v, line_of(case_lines, v), why=why)
# Irish names, unlisted surnames known by their form: a Gaelic small word
# before them, or a prefix's capital inside.
for v, why in [("Siobhán Ní Bhriain", "a listed forename; Ní before the surname"),
               ("Seán Ó Briain", "a listed forename; Ó before the surname"),
               ("Pádraig Mac Giolla Phádraig", "a listed forename; two small words"),
               ("Niamh O'Driscoll", "a listed forename; O' and a capital"),
               ("Fiona McFadzean", "a listed forename; Mc and a capital")]:
    plant(P, "person_name", v, line_of(case_lines, v), why=why)
for v in ["Rhodri Probert", "Angharad Harries"]:
    plant(P, "person_name", v, line_of(case_lines, v), why="Welsh forename and surname, listed")
plant(P, "person_name", "Tobenna Eze", line_of(case_lines, "Tobenna Eze"),
      why="a name before its own address")
plant(P, "email", "tobenna.eze@example.net", line_of(case_lines, "Tobenna Eze"))
plant(P, "email", "rent.support@example.org", line_of(case_lines, "Rent Support"))
plant(P, "person_name", "Rent Support", line_of(case_lines, "Rent Support"), "not_found",
      "a desk, though its address is made of its words")
plant(P, "person_name", "OKONKWO, Chidinma", line_of(case_lines, "OKONKWO, Chidinma"),
      why="after a form's Name: label, Surname, Forename")
# Immigration status: terms beside a person, a residence permit's number and
# a share code by their words; a parking permit's number of the same shape.
for term in ["indefinite leave to remain", "biometric residence permit", "asylum seeker",
             "no recourse to public funds", "NRPF"]:
    plant(P, "immigration_status", term, line_of(case_lines, term), why="beside a person's identifier")
plant(P, "uk_residence_permit", "ZU3018847", line_of(case_lines, "ZU3018847"), why="after its name")
for term in ["Universal Credit", "PIP", "discretionary housing payment", "benefit cap"]:
    plant(P, "benefit", term, line_of(case_lines, term), why="beside a person's identifier")
plant(P, "uk_share_code", "R7K 4TQ 9XP", line_of(case_lines, "R7K 4TQ 9XP"), why="after \"share code\"")
plant(P, "gender", "F", line_of(case_lines, "Sex: F"), why="after its label, in the tenant's notes")
plant(P, "gender", "Male", line_of(case_lines, "Gender: Male /"), "not_found", "a form's choices, no one's answer")
plant(P, "uk_residence_permit", "PP4471930", line_of(case_lines, "PP4471930"), "not_found",
      "a parking permit's number, the same shape")
plant(P, "email", "Okafor12@example.com", line_of(case_lines, "Okafor12@"),
      why="run on from a name word")
plant(P, "person_name", "Tom Okafor", line_of(case_lines, "Okafor12@"), "not_found",
      "the surname is the address's start")

# --- text/negatives.txt ---------------------------------------------------------
def bad_nino(first=None, second=None, prefix=None, suffix=None):
    p = prefix or ((first or rng.choice(FIRST_OK)) + (second or rng.choice(SECOND_OK)))
    return f"{p}{digits(6)}{suffix or rng.choice('ABCD')}"


neg = []
for c in "DFIQUV":
    neg.append(("uk_nino", bad_nino(first=c), f"first letter {c} is never used"))
for c in "DFIOQUV":
    neg.append(("uk_nino", bad_nino(first="A", second=c), f"second letter {c} is never used"))
for p in sorted(NEVER):
    neg.append(("uk_nino", bad_nino(prefix=p), f"prefix {p} is never allocated"))
neg.append(("uk_nino", bad_nino(suffix="E"), "suffix must be A-D"))
neg.append(("uk_nino", "QQ 12 34 56 C", "HMRC's documentation example (Q is never a first letter)"))
while True:
    bad_card = digits(16)
    if not luhn_ok(bad_card):
        break
neg.append(("payment_card", bad_card, "fails Luhn"))
bad_nhs = None
while bad_nhs is None:
    d = [rng.randint(4, 7)] + [rng.randint(0, 9) for _ in range(9)]
    total = sum(x * w for x, w in zip(d[:9], range(10, 1, -1)))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    if check != d[9]:
        bad_nhs = "".join(map(str, d))
neg.append(("nhs_number", bad_nhs, "fails the modulus-11 check"))
rem10 = None
while rem10 is None:
    d = [rng.randint(4, 7)] + [rng.randint(0, 9) for _ in range(8)]
    total = sum(x * w for x, w in zip(d, range(10, 1, -1)))
    if 11 - total % 11 == 10:
        rem10 = "".join(map(str, d)) + str(rng.randint(0, 9))
neg.append(("nhs_number", rem10, "check digit would be 10: never valid"))
bad_iban = gb[:2] + f"{(int(gb[2:4]) + 1) % 100:02d}" + gb[4:]
inner = card("4", 16)
long_run = "99" + inner + "1234"
nl = [
    "Hard negatives: none of these is personal data, and trawl must report none of them.",
    "",
]
for det, v, why in neg:
    if det == "uk_nino":
        nl.append(f"NI number {v} ({why})" if not v.startswith("QQ") else f"For example, {v} is how a NINO is written.")
    elif det == "payment_card":
        nl.append(f"card {v} ({why})")
    else:
        nl.append(f"NHS {v} ({why})")
nl += [
    "Tenancy start date: 01/04/2019",
    "Repair completed 12/05/2023",
    "Date of letter: 3 March 2024",
    "Invoice ref 12-34-56 was paid late.",
    "Invoice no. 654321 for the boiler.",
    "Job no 40012345 raised for the roof.",
    "Meter serial 1234 5678 9012 3456 7890 read in March.",
    f"Reference {long_run} on the remittance.",
    f"Refund IBAN {group4(bad_iban)} (wrong check digits).",
    "Dear JavaScript developers: the forms moved to the new share.",
    "Dear HR, please note the change.",
]
write("text/negatives.txt", "\n".join(nl) + "\n")
P = "text/negatives.txt"
for det, v, why in neg:
    plant(P, det, v, line_of(nl, v), "not_found", why)
plant(P, "date_of_birth", "01/04/2019", line_of(nl, "01/04/2019"), "not_found", "tenancy start date")
plant(P, "date_of_birth", "12/05/2023", line_of(nl, "12/05/2023"), "not_found", "repair date")
plant(P, "date_of_birth", "3 March 2024", line_of(nl, "3 March 2024"), "not_found", "date of letter")
plant(P, "uk_sort_code", "12-34-56", line_of(nl, "12-34-56"), "not_found", "invoice reference")
plant(P, "uk_sort_code", "654321", line_of(nl, "654321"), "not_found", "invoice number")
plant(P, "uk_bank_account", "40012345", line_of(nl, "40012345"), "not_found", "job number")
plant(P, "payment_card", "1234 5678 9012 3456", line_of(nl, "1234 5678"), "not_found", "part of a 20-digit number")
plant(P, "payment_card", inner, line_of(nl, long_run), "not_found", "inside a longer digit run")
plant(P, "iban", group4(bad_iban), line_of(nl, group4(bad_iban)), "not_found", "wrong check digits")
plant(P, "person_name", "Java", line_of(nl, "JavaScript"), "not_found", "a piece of a longer word")
plant(P, "person_name", "HR", line_of(nl, "Dear HR"), "not_found", "a team, in capitals after Dear")

# --- text/privacy_notice.txt ----------------------------------------------------
notice = """Privacy Notice - Meadowbank Housing Association (an invented organisation)

What we collect
We collect your name, address, date of birth, National Insurance number, bank details,
contact details, and information about your household. Where you tell us, we also hold
special category data: information about your health and any disabilities, your ethnicity,
your religion, and details of criminal convictions where relevant to tenancy management.

Why we use it
We use your data to manage your tenancy (contract, Article 6(1)(b)), to meet our legal
obligations (Article 6(1)(c)) and, for special category data, for reasons of substantial
public interest (Article 9(2)(g)) or with your explicit consent (Article 9(2)(a)).

How long we keep it
Tenancy files are kept for six years after the tenancy ends. Rent records are kept for
seven years. Anti-social behaviour case files are kept for two years after closure.

Your rights
You can ask for a copy of your data, ask us to correct it, and complain to the ICO.
Visit https://www.example.org/privacy to contact our Data Protection Officer.
"""
write("text/privacy_notice.txt", notice)
for term in ["date of birth", "National Insurance number", "bank details"]:
    pass  # category names, not values: nothing to plant

# --- text/letter_utf16.txt --------------------------------------------------------
f2, l2 = person()
n2 = nino(" ")
d, m, y = dob()
dob2 = f"{d:02d}/{m:02d}/{y}"
e2 = email(f2, l2, "example.org")
pc5 = "EX4 4QJ"
letter = [
    "Meadowbank Housing Association",
    f"Dear {f2} {l2},",
    f"We have updated your record. National Insurance number: {n2}.",
    f"Date of birth: {dob2}.",
    f"Your new address postcode is {pc5}.",
    f"We will write to {e2} when your tenancy agreement is ready.",
    "Yours sincerely, the Lettings Team",
]
write("text/letter_utf16.txt", "\ufeff" + "\r\n".join(letter) + "\r\n", "utf-16-le")
P = "text/letter_utf16.txt"
plant(P, "uk_nino", n2, line_of(letter, n2))
plant(P, "date_of_birth", dob2, line_of(letter, dob2))
plant(P, "uk_postcode", pc5, line_of(letter, pc5))
plant(P, "email", e2, line_of(letter, e2))

# --- text/legacy_cp1252.txt -------------------------------------------------------
n3 = nino(None)
d, m, y = dob()
dob3 = f"{d:02d}/{m:02d}/{y}"
p3 = mobile()
legacy = [
    "Arrears note for Ren\u00e9e O\u2019Brien (legacy system export, Windows-1252)",
    f"NI number {n3}; tel {p3}.",
    f"DOB {dob3}; rent arrears of \u00a31,234.50 \u201cagreed\u201d.",
]
write("text/legacy_cp1252.txt", "\r\n".join(legacy) + "\r\n", "cp1252")
P = "text/legacy_cp1252.txt"
plant(P, "uk_nino", n3, line_of(legacy, n3))
plant(P, "uk_phone", p3, line_of(legacy, p3))
plant(P, "date_of_birth", dob3, line_of(legacy, dob3))

# --- tables/tenants.csv --------------------------------------------------------------
rows = [["TenantRef", "Forename", "Surname", "DOB", "NI Number", "Email", "Phone", "Postcode", "Tenancy Start", "Notes"]]
postcodes = ["LS6 2QT", "M14 5RB", "B33 8TH", "CR2 6XH", "NE1 4ST", "SW1A 2AA", "EH1 1YZ", "CF10 3NQ"]
for i in range(8):
    fn, ln = person()
    d, m, y = dob()
    rows.append([f"T{rng.randint(1000, 999999):06d}", fn, ln, f"{d:02d}/{m:02d}/{y}", nino(" "),
                 email(fn, ln), mobile(), postcodes[i], f"{rng.randint(1,28):02d}/{rng.randint(1,12):02d}/{rng.randint(2005,2024)}",
                 "asthma; uses\nan inhaler" if i == 2 else ""])


def csv_line(cells, sep=","):
    out = []
    for c in cells:
        if sep in c or "\n" in c or '"' in c:
            c = '"' + c.replace('"', '""') + '"'
        out.append(c)
    return sep.join(out)


write("tables/tenants.csv", "\n".join(csv_line(r) for r in rows) + "\n")
P = "tables/tenants.csv"
for r_i, r in enumerate(rows[1:], 2):
    plant(P, "date_of_birth", r[3], f"row {r_i} column DOB")
    plant(P, "uk_nino", r[4], f"row {r_i} column NI Number")
    plant(P, "email", r[5], f"row {r_i} column Email")
    plant(P, "uk_phone", r[6], f"row {r_i} column Phone")
    plant(P, "uk_postcode", r[7], f"row {r_i} column Postcode")
    plant(P, "date_of_birth", r[8], f"row {r_i} column Tenancy Start", "not_found", "tenancy start date")
plant(P, "health_term", "asthma", "row 4 column Notes (a quoted field with a newline)")

# --- tables/direct_debits.tsv -------------------------------------------------------
dd = [["Tenant", "Sort Code", "Account Number", "Amount", "Invoice Ref"]]
for i in range(6):
    fn, ln = person()
    dd.append([f"{fn} {ln}", sort_code("-" if i % 2 == 0 else ""), account(), f"{rng.randint(50, 400)}.00",
               sort_code("-")])
write("tables/direct_debits.tsv", "\n".join("\t".join(r) for r in dd) + "\n")
P = "tables/direct_debits.tsv"
for r_i, r in enumerate(dd[1:], 2):
    plant(P, "uk_sort_code", r[1], f"row {r_i} column Sort Code")
    plant(P, "uk_bank_account", r[2], f"row {r_i} column Account Number")
    plant(P, "uk_sort_code", r[4], f"row {r_i} column Invoice Ref", "not_found", "invoice reference shaped like a sort code")

# --- tables/repairs_pipe.txt --------------------------------------------------------
rp = [["Job No", "Address", "Postcode", "Reported", "Contact Phone"]]
for i in range(5):
    rp.append([str(40000000 + rng.randint(0, 99999)), f"{rng.randint(1, 120)} Mill Lane", postcodes[i],
               f"{rng.randint(1,28):02d}/{rng.randint(1,12):02d}/2024", mobile()])
write("tables/repairs_pipe.txt", "\n".join("|".join(r) for r in rp) + "\n")
P = "tables/repairs_pipe.txt"
for r_i, r in enumerate(rp[1:], 2):
    plant(P, "uk_bank_account", r[0], f"row {r_i} column Job No", "not_found", "job number")
    plant(P, "uk_postcode", r[2], f"row {r_i} column Postcode")
    plant(P, "date_of_birth", r[3], f"row {r_i} column Reported", "not_found", "date reported")
    plant(P, "uk_phone", r[4], f"row {r_i} column Contact Phone")

# --- tables/no_header.csv -----------------------------------------------------------
nh = []
for i in range(3):
    fn, ln = person()
    nh.append([f"{fn} {ln}", email(fn, ln, "example.net"), nino(None), mobile()])
write("tables/no_header.csv", "\n".join(csv_line(r) for r in nh) + "\n")
P = "tables/no_header.csv"
for r_i, r in enumerate(nh, 1):
    plant(P, "email", r[1], f"row {r_i} column 2")
    plant(P, "uk_nino", r[2], f"row {r_i} column 3")
    plant(P, "uk_phone", r[3], f"row {r_i} column 4")

# --- tables/tenants.json ------------------------------------------------------------
tenants = []
for i, key in enumerate(["dob", "date_of_birth", "BirthDate"]):
    fn, ln = person()
    d, m, y = dob()
    acct = account()
    t = {
        "ref": f"T{rng.randint(1000, 999999):06d}",
        "name": f"{fn} {ln}",
        key: f"{y}-{m:02d}-{d:02d}",
        "ni_number": nino(" "),
        "contact": {"email": email(fn, ln), "mobile": mobile()},
        "bank": {"sort_code": sort_code("-"), "account_number": int(acct) if i == 1 else acct},
        "tenancy_start": f"{rng.randint(2005, 2024)}-0{rng.randint(1, 9)}-01",
        "notes": "Tenant has epilepsy; support plan agreed." if i == 0 else "No issues.",
    }
    tenants.append((key, t))
doc = {"exported": "2025-06-30", "tenants": [t for _, t in tenants]}
write("tables/tenants.json", json.dumps(doc, indent=2) + "\n")
P = "tables/tenants.json"
for i, (key, t) in enumerate(tenants):
    base = f"/tenants/{i}"
    plant(P, "date_of_birth", t[key], f"{base}/{key}")
    plant(P, "uk_nino", t["ni_number"], f"{base}/ni_number")
    plant(P, "email", t["contact"]["email"], f"{base}/contact/email")
    plant(P, "uk_phone", t["contact"]["mobile"], f"{base}/contact/mobile")
    plant(P, "uk_sort_code", t["bank"]["sort_code"], f"{base}/bank/sort_code")
    plant(P, "uk_bank_account", str(t["bank"]["account_number"]), f"{base}/bank/account_number")
    plant(P, "date_of_birth", t["tenancy_start"], f"{base}/tenancy_start", "not_found", "tenancy start")
plant(P, "health_term", "epilepsy", "/tenants/0/notes")
plant(P, "date_of_birth", "2025-06-30", "/exported", "not_found", "export date")

# --- tables/contacts.ndjson ---------------------------------------------------------
nd = []
for i in range(4):
    fn, ln = person()
    d, m, y = dob()
    nd.append({"name": f"{fn} {ln}", "email": email(fn, ln, "example.org"), "phone": mobile(),
               "postcode": postcodes[i + 3], "nhs_number": nhs(True), "DateOfBirth": f"{d:02d}/{m:02d}/{y}"})
write("tables/contacts.ndjson", "".join(json.dumps(o) + "\n" for o in nd))
P = "tables/contacts.ndjson"
for i, o in enumerate(nd, 1):
    plant(P, "email", o["email"], f"line {i} /email")
    plant(P, "uk_phone", o["phone"], f"line {i} /phone")
    plant(P, "uk_postcode", o["postcode"], f"line {i} /postcode")
    plant(P, "nhs_number", o["nhs_number"], f"line {i} /nhs_number")
    plant(P, "date_of_birth", o["DateOfBirth"], f"line {i} /DateOfBirth")

# --- other/blob.bin -------------------------------------------------------------------
write("other/blob.bin", bytes(rng.randint(0, 255) for _ in range(2048)) + b"\x00" * 16)

# --- tables/<img src=x onerror=alert(1)>.csv ------------------------------------------
# A hostile file name, header and cells: the HTML report must show them as text
# and run nothing. Its own generator, so the values above stay as they were.
hostile_rng = random.Random(1)
HOSTILE = "tables/<img src=x onerror=alert(1)>.csv"
hrows = [["Name", "Email", "<svg onload=alert(3)>", "Notes"]]
for i in range(2):
    fn, ln = hostile_rng.choice(["Ada", "Bryn", "Cerys"]), hostile_rng.choice(["Lovell", "Morgan", "Pryce"])
    hrows.append([f"{fn} {ln}", f"{fn.lower()}.{ln.lower()}@example.org",
                  "JT " + " ".join(f"{hostile_rng.randint(0, 99):02d}" for _ in range(3)) + " C",
                  "<img src=x onerror=alert(2)> rang about rent </script><script>alert(4)</script>"])
write(HOSTILE, "\n".join(csv_line(r) for r in hrows) + "\n")
for r_i, r in enumerate(hrows[1:], 2):
    plant(HOSTILE, "email", r[1], f"row {r_i} column Email")
    plant(HOSTILE, "uk_nino", r[2], f"row {r_i} column <svg onload=alert(3)>")

# --- tables/visit_rota.csv and tables/tenants_by_nino.json ------------------------------
# Names where a header's or a key's would be: a list without a header row whose
# first row has no email address or long number to tell it from names, and an
# export keyed by its tenants' NINOs and email addresses. The first row and the
# keys are values: found, and never shown unmasked as a column or a pointer.
# Their own generator, so the values above stay as they were.
keyed_rng = random.Random(7)


def keyed_nino():
    while True:
        p = keyed_rng.choice(FIRST_OK) + keyed_rng.choice(SECOND_OK)
        if p not in NEVER:
            return p + "".join(keyed_rng.choice("0123456789") for _ in range(6)) + keyed_rng.choice("ABCD")


ROTA = "tables/visit_rota.csv"
rota = []
for i, title in enumerate(["Mrs", "Mr", "Ms"]):
    fn, ln = keyed_rng.choice(FIRST), keyed_rng.choice(LAST)
    rota.append([f"{title} {fn} {ln}", f"Flat {keyed_rng.randint(1, 40)} Mill Court", postcodes[i + 4],
                 ["Tuesday", "Thursday", "Friday"][i]])
write(ROTA, "\n".join(csv_line(r) for r in rota) + "\n")
for r_i, r in enumerate(rota, 1):
    plant(ROTA, "person_name", r[0].split(" ", 1)[1], f"row {r_i} column 1")
    plant(ROTA, "uk_postcode", r[2], f"row {r_i} column 3")

KEYED = "tables/tenants_by_nino.json"
by_nino, phones = {}, {}
for i in range(3):
    fn, ln = keyed_rng.choice(FIRST), keyed_rng.choice(LAST)
    d, m, y = keyed_rng.randint(1, 28), keyed_rng.randint(1, 12), keyed_rng.randint(1940, 2004)
    address = f"{fn.lower()}.{ln.lower()}{keyed_rng.randint(10, 99)}@example.org"
    ni = keyed_nino()
    by_nino[ni] = {"name": f"{fn} {ln}", "dob": f"{y}-{m:02d}-{d:02d}", "email": address}
    phones[address] = f"07700 900{keyed_rng.randint(0, 999):03d}"
    plant(KEYED, "uk_nino", ni, "/tenants (key)")
    plant(KEYED, "date_of_birth", by_nino[ni]["dob"], "/tenants/<NINO>/dob")
    plant(KEYED, "email", address, "/tenants/<NINO>/email and /phones (key)")
    plant(KEYED, "uk_phone", phones[address], "/phones/<email>")
write(KEYED, json.dumps({"exported": "2025-06-30", "tenants": by_nino, "phones": phones}, indent=2) + "\n")

# --- tables/tenant_immigration_checks.csv -----------------------------------------------
# Right to rent checks: a residence permit's number and a share code under
# their columns, a status beside the tenant; a tenant with a UK passport has
# none. Fixed values, so the values above stay as they were.
CHECKS = "tables/tenant_immigration_checks.csv"
checks = [["Tenant Ref", "Tenant", "Check Date", "Document", "BRP Number", "Share Code", "Status", "Tenancy End"],
          ["T2041", "Amira Haddad", "14/03/2025", "Biometric residence permit", "RX6203914", "", "Indefinite leave to remain", ""],
          ["T2057", "Tomasz Nowak", "02/04/2025", "Share code", "", "R4K 7TQ 9XP", "Pre-settled status", ""],
          ["T2063", "Grace Mensah", "19/05/2025", "UK passport", "", "", "", ""]]
write(CHECKS, "\n".join(csv_line(r) for r in checks) + "\n")
plant(CHECKS, "uk_residence_permit", "RX6203914", "row 2 column BRP Number", why="under its column")
plant(CHECKS, "immigration_status", "Biometric residence permit", "row 2 column Document", why="in a tenant's row")
plant(CHECKS, "immigration_status", "Indefinite leave to remain", "row 2 column Status", why="in a tenant's row")
plant(CHECKS, "uk_share_code", "R4K 7TQ 9XP", "row 3 column Share Code", why="under its column")
plant(CHECKS, "immigration_status", "Pre-settled status", "row 3 column Status", why="in a tenant's row")
plant(CHECKS, "date_of_birth", "19/05/2025", "row 4 column Check Date", "not_found", "a check's date, no one's birth")

# --- tables/tenant_household.csv ----------------------------------------------------------
# Household members with their sex as the housing system codes it ("F",
# "Male", "Non-binary"); one preferred not to say. Fixed values, so the
# values above stay as they were.
HOUSEHOLD = "tables/tenant_household.csv"
household = [["Tenant Ref", "Household member", "Relationship", "Sex", "Date of Birth", "Tenancy End"],
             ["T2041", "Amira Haddad", "Lead tenant", "F", "12/09/1984", ""],
             ["T2041", "Yusuf Haddad", "Son", "M", "03/02/2011", ""],
             ["T2057", "Tomasz Nowak", "Lead tenant", "Male", "27/06/1979", ""],
             ["T2057", "Alex Nowak", "Partner", "Non-binary", "14/11/1981", ""],
             ["T2063", "Grace Mensah", "Lead tenant", "Prefer not to say", "30/01/1990", ""]]
write(HOUSEHOLD, "\n".join(csv_line(r) for r in household) + "\n")
for r_i, r in enumerate(household[1:], 2):
    plant(HOUSEHOLD, "person_name", r[1], f"row {r_i} column Household member", why="under a name column")
    plant(HOUSEHOLD, "date_of_birth", r[4], f"row {r_i} column Date of Birth")
    if r[3] == "Prefer not to say":
        plant(HOUSEHOLD, "gender", r[3], f"row {r_i} column Sex", "not_found", "no gender given")
    else:
        plant(HOUSEHOLD, "gender", r[3], f"row {r_i} column Sex", why="under a Sex column, in a person's row")

# --- tables/arrears_titled.csv --------------------------------------------------------
# A report exported with its title, the date it was run and a blank line above
# the header: the header is found below them, so the birth dates are read under
# "Date of Birth", and the run date is no one's birth date.
titled_rng = random.Random(8)
TITLED = "tables/arrears_titled.csv"
titled = [["Rent arrears report", "", "", ""], ["Run 02/06/2025 by the income team", "", "", ""],
          ["", "", "", ""], ["Tenant", "Date of Birth", "NI Number", "Arrears"]]
for i in range(3):
    fn, ln = titled_rng.choice(FIRST), titled_rng.choice(LAST)
    born = f"{titled_rng.randint(1, 28):02d}/{titled_rng.randint(1, 12):02d}/{titled_rng.randint(1940, 2004)}"
    ni = "".join([titled_rng.choice(FIRST_OK), titled_rng.choice(SECOND_OK)]) + \
        "".join(titled_rng.choice("0123456789") for _ in range(6)) + titled_rng.choice("ABCD")
    if ni[:2] in NEVER:
        ni = "AB" + ni[2:]
    titled.append([f"{fn} {ln}", born, ni, f"{titled_rng.randint(50, 900)}.{titled_rng.randint(0, 99):02d}"])
write(TITLED, "\n".join(csv_line(r) for r in titled) + "\n")
for r_i, r in enumerate(titled[4:], 5):
    plant(TITLED, "person_name", r[0], f"row {r_i} column Tenant")
    plant(TITLED, "date_of_birth", r[1], f"row {r_i} column Date of Birth")
    plant(TITLED, "uk_nino", r[2], f"row {r_i} column NI Number")
plant(TITLED, "date_of_birth", "02/06/2025", "row 2 column 1", "not_found", "the date the report was run")

# --- the share's own files --------------------------------------------------------------
write(".trawlignore", "# What trawl itself keeps here is not part of the share.\nexpected/\nREADME.md\n")
write("README.md", """# fixtures

A small synthetic file share for trawl's tests and for auditors' reruns. Every person in it is
invented; phone numbers come from Ofcom's drama ranges and email addresses from the example
domains. It is judged under `rules/policies/example_housing.toml` ("Example Homes") at
`--as-of 2026-01-01`. `expected/` (excluded from scans by `.trawlignore`) holds what a scan must
report:

- `findings.jsonl`: the exact output of
  `trawl scan fixtures/ --as-of 2026-01-01 --policy rules/policies/example_housing.toml`;
- `planted*.json`: every value planted on purpose (`expect: found`) and every hard negative
  (`expect: not_found`), with where it is and why;
- `flags.json`: for each policy flag, the records that must raise it and records that must not,
  with why.

Generators (in `tests/`, run from the repository root): `gen_text_fixtures.py` (text, CSV and
JSON), `gen_office_fixtures.py` (Word and slides), `gen_container_fixtures.py` (PDF, spreadsheets,
email, archives, HTML and XML, malformed files), `gen_policy_fixtures.py` (`housing/`: records
that raise, and must not raise, each policy flag, dated PDFs among them); `fixture_pdf.py` draws
the PDFs for both, and `fixture_cfb.py` writes compound files (OLE): `mail/arrears_chase.msg` (an
email saved from Outlook, with a CSV and an earlier message attached) and
`documents/old_case_note.doc` (a Word 97-2003 document with a table and a tracked deletion), `documents/resident_panel_2008.ppt`
(a PowerPoint 97-2003 deck, saved twice: the second save replaced a text box and left the old one
in the file), and the compressed RTF body of
`mail/repair_visit.msg`; `gen_office_fixtures.py` writes `documents/support_case_letter.rtf` (RTF
as Word writes it). `tables/<img src=x onerror=alert(1)>.csv`
has a hostile name, header and cells on purpose: the HTML report must show them as text.
`tables/visit_rota.csv` has no header and a first row of names and addresses only, and
`tables/tenants_by_nino.json` is keyed by NINOs and email addresses: those are values, to be
found and never shown unmasked as a column's name or in a pointer. `tables/tenant_immigration_checks.csv` records right to rent checks: a residence
permit's number, a share code and a status, and a tenant with a UK passport who has none.
`tables/tenant_household.csv` lists household members with their sex, coded as a housing system
codes it; one preferred not to say.
`tables/arrears_titled.csv` has
a title, the date it was run and a blank line above its header. `web/tenant_record.html` (a
record page printed from a housing system), `spreadsheets/tenant_details.xlsx` and
`documents/referral_form.docx` (a support referral) are laid out as forms, label beside value, one
tenant each; the page keeps an old email address in a comment, and `web/newsletter.html` another.
`web/tenant_portal.html` is a page saved from a tenant portal (a web app): the tenant, her household
and her housing officer are in its data scripts (JSON), her emergency contact in JSON in an attribute, her contact details in its form's controls
(a select's chosen option, her ethnic group, and a text area among them) and a `mailto:` link, and
none of them is on the page as shown; an address in its code, an option not chosen and a password
control's value are hard negatives. `mail/repair_request.eml` is an email a web form sent in
HTML alone: its table is a form, read label by label (flattened to text, its cells ran together).
`web/arrears_list.html` is a page saved from an ASP.NET WebForms system: its grid's NINO column is
hidden, and kept in the page's view state.

`expected/audit.toml` pins the policy, the as-of date and the expected output for
`trawl audit fixtures`.
""")

planted.sort(key=lambda p: p["path"])
write("expected/planted_text.json", json.dumps(planted, indent=1, ensure_ascii=False) + "\n")
print(f"{len(planted)} planted values ({sum(p['expect'] == 'found' for p in planted)} to find)")
