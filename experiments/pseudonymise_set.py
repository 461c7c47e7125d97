"""A constructed, fictional evaluation set for pseudonymisation: emails and forms with planted identifiers.

Every name, number and address here is made up (phone numbers in Ofcom's drama ranges, emails on
.example domains, NHS numbers random but with a valid check digit). Templates are written for this
project in the style of a mentoring trial's emails and record forms; distractors (words that are
also names, dates that are not dates of birth, 10-digit reference numbers that fail the NHS check,
the trial's and hospitals' names) measure wrong replacements.

`build(n_emails, n_forms, seed)` returns items: {"id", "kind" (email|form), "text", "headers",
"planted": [{"kind", "start", "end", "text", "who"}]} where start/end index `text`, and
"header_planted": originals that appear in the headers.
"""
from __future__ import annotations

import random
import re

FIRST = ["Priya", "Tomasz", "Aisha", "Callum", "Niamh", "Oluwaseun", "Mei", "Gareth", "Fatima", "Rhys", "Ewa",
         "Declan", "Yusuf", "Siobhan", "Kwame", "Harriet", "Imran", "Bethan", "Lukas", "Zainab", "Duncan",
         "Chiamaka", "Morag", "Ravi", "Agnieszka", "Hamish", "Leticia", "Ifeoma", "Stuart", "Hannah"]
LAST = ["Shah", "Nowak", "Okafor", "Kowalczyk", "Nguyen", "Haddad", "O'Neill", "MacLeod", "Patel", "Begum",
        "Chaudhry", "Adeyemi", "Fraser", "Llewellyn", "Brennan", "Mensah", "Thornton", "Iqbal", "Pritchard",
        "Schmidt", "Abubakar", "Henderson", "Campbell", "Mistry", "Wiśniewska", "Sutherland", "Oyelaran",
        "Achterberg", "Whitfield", "Ferreira"]
TITLES = ["Dr", "Mrs", "Mr", "Ms", "Dr."]
TRUSTS = ["leedsth.example", "mft.example", "uhb.example", "nhs-trust.example", "stroke-vr.example"]
STREETS = ["Larch Road", "Mill Lane", "Station Road", "Church Street", "Beech Avenue", "Chapel Close",
           "Victoria Terrace", "Meadow View", "Oak Tree Drive", "Albert Grove", "Granary Court", "Kirkgate Way"]
OUTWARD = ["LS6", "M14", "B15", "NE4", "SW1A", "EH8", "CF24", "BD7", "HU3", "S10", "G12", "L8"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]

EMAILS = [
    "Hi {P2.first},\n\nThanks for sending the notes from the mentoring session with {T3} {P3.last}. "
    "{P3.first} is keen to go back to work part time and the employer has been supportive so far. "
    "Could you give me a ring on {PHONE} when you have a moment?\n\nBest wishes,\n{P1.first}",
    "Dear {T2} {P2.last},\n\nI met {P3.first} {P3.last} (NHS number {NHS}) at home on Tuesday. "
    "We talked through the return to work plan and the letter for the employer. "
    "Hope the workshop went well; will the ROC trial team send the slides round?\n\nKind regards,\n{P1.full}\n{PHONE}",
    "Hello {P2.first},\n\nQuick update: {P3.first}'s address has changed to {ADDR}, {POST}, so please send "
    "the next questionnaire there. Her date of birth is {DOB} in case the form asks for it.\n\n"
    "Thanks,\n{P1.first}",
    "Hi all,\n\nThe mentoring meeting is moved to 14 May 2019 at the Royal Infirmary. {P3.full} will chair. "
    "If you cannot come, email {EMAIL} or call {PHONE}.\n\nCheers,\n{P1.first}",
    "Dear {P2.first},\n\nI spoke to {T3} {P3.last} today. She said the mentor helped her plan the phased return "
    "and felt listened to. May I add this to the record form? Reference 1234567890 on the trial log.\n\n"
    "Many thanks,\n{P1.full}",
    "Hi {P2.first},\n\nSorry for the delay. {P3.first} {P3.last} (DOB {DOB}, NHS {NHS}) has agreed to carry on "
    "with mentoring. {P3.first} asked whether {P4.first} could join the next session.\n\n{P1.first}",
    "Morning {P2.first},\n\nJust to say that {T4} {P4.last} from occupational health rang. They want the contact "
    "details for {P3.first}: {PHONE}, {EMAIL}. I have told them to ask {P3.first} first.\n\nBest,\n{P1.first}",
    "Dear {T2} {P2.last},\n\nPlease find the summary below. The participant, {P3.full}, lives at {ADDR} "
    "({POST}) and was seen by the mentor on 3 June 2019. Will you let the ward know?\n\nYours sincerely,\n{P1.full}",
    "Hi {P2.first},\n\nThe Stroke VR team meeting minutes are attached. Action for {P4.first}: ring {P3.first} "
    "on {PHONE} about the employer visit. Action for me: check the consent form.\n\nThanks again,\n{P1.first}",
    "Hello {P2.first},\n\n{P3.first} {P3.last} was born on {DOB} and her NHS number is {NHS}. She would like "
    "the letters to go to {ADDR}, {POST}. I have told the trial office.\n\nRegards,\n{P1.full}\n{EMAIL}",
    "Dear {P2.first},\n\nThank you for your email. I agree that {P3.first} needs more time before returning. "
    "Let's discuss with {T4} {P4.last} at the supervision on Friday. Hope you have a good weekend.\n\n"
    "Warm regards,\n{P1.first}",
    "Hi {P2.first},\n\nCan you update the database: {P3.full}, phone {PHONE}, email {EMAIL}. The old number "
    "no longer works.\n\nMany thanks\n{P1.first}",
]
FORMS = [
    "Mentoring record form\n\nMentee name: {P3.full}\nNHS number: {NHS}\nDate of birth: {DOB}\n"
    "Address: {ADDR}, {POST}\nTelephone: {PHONE}\nMentor: {T1} {P1.last}\nDate of session: 12/02/2019\n\n"
    "What was discussed: {P3.first} talked about going back to her job at the bakery. We looked at the "
    "hours the employer offered and wrote down questions for the occupational health meeting.\n\n"
    "Next steps: {P3.first} will call the employer; I will email {P4.first} {P4.last} at {EMAIL}.",
    "Record of contact\n\nParticipant: {P3.full}\nD.O.B. {DOB}\nNHS No: {NHS}\nContact number: {PHONE}\n"
    "Seen by: {P1.full}\nVenue: Royal Infirmary, Ward 7\n\nSummary: the mentor explained the phased return "
    "plan and {P3.first} felt more confident. {P3.first}'s husband {P4.first} joined for the second half.",
    "Employer liaison form\n\nName: {P3.full}\nEmployer contact: {T4} {P4.last}, {EMAIL}, {PHONE}\n"
    "Home address: {ADDR}, {POST}\n\nNotes: May be able to return in June. The employer will review the "
    "workstation. Will follow up with {P4.last} next month.",
    "Session notes (ROC trial)\n\nMentee: {P3.full}   DOB: {DOB}\nMentor: {P1.full}\n\n{P3.first} reported "
    "fatigue after long shifts. We agreed a plan with shorter days. {P1.first} to share the leaflet on "
    "fatigue. Next session booked for 21 March 2019.",
    "Mentoring record form\n\nMentee name: {P3.full}\nNHS number: {NHS}\nPhone: {PHONE}\nEmail: {EMAIL}\n"
    "Mentor name: {P1.full}\n\nDiscussion: {P3.first} wants to retrain. Hope is that the college course "
    "starts in September. Contact {P3.first} again in two weeks.",
]
# Written after the pattern set was tuned on the templates above, and never tuned on: other phrasing.
HELD_OUT_EMAILS = [
    "Hiya {P2.first}\n\nAs promised, the contact sheet: {P3.full}, mob. {PHONE}, lives at Flat 3, {ADDR} "
    "{POST}. {P3.first} prefers texts to calls.\n\nTa,\n{P1.first}",
    "{P2.first} -\n\nFollowing our chat with {P3.first} yesterday, I've logged her NHS no. {NHS} against the "
    "right record (DoB {DOB}). {P4.full} from HR has asked for a copy; I said no without consent.\n\n"
    "All the best\n{P1.full}",
    "Good afternoon,\n\nI am writing on behalf of {P3.full}, who asked me to pass on her thanks to "
    "{T1} {P1.last} and the whole mentoring team. You can reach me at {EMAIL}.\n\nWith thanks,\n{P4.full}",
    "Hi {P2.first} and {P4.first},\n\nReminder that the steering group meets on Monday 4 March. {P3.first} "
    "{P3.last} has sent apologies. Dial-in number {PHONE}.\n\nSpeak soon\n{P1.first}",
]
HELD_OUT_FORMS = [
    "CONTACT LOG\n\nClient: {P3.full}\nDoB: {DOB}\nNHS no.: {NHS}\nTel: {PHONE}\nAddress: {ADDR}, {POST}\n\n"
    "Met with {P3.first} and her partner {P4.first} at their home. Mentor ({P1.full}) explained the next steps.",
    "Return to work plan\n\nEmployee: {P3.full}\nManager: {P4.full} ({EMAIL})\nDate agreed: 02/04/2019\n\n"
    "Week 1-2: two half days. {P4.first} will check in with {P3.first} each Friday.",
]
DISTRACTOR_WORDS = ["Hope", "Will", "May", "Royal Infirmary", "ROC", "Ward", "June", "Friday", "Stroke VR"]


def nhs_number(rng: random.Random) -> str:
    while True:
        d = [rng.randint(4, 7)] + [rng.randint(0, 9) for _ in range(8)]
        check = 11 - sum(x * w for x, w in zip(d, range(10, 1, -1))) % 11
        check = 0 if check == 11 else check
        if check != 10:
            s = "".join(map(str, d + [check]))
            return rng.choice([f"{s[:3]} {s[3:6]} {s[6:]}", s, f"{s[:3]}-{s[3:6]}-{s[6:]}"])


def phone(rng: random.Random) -> str:
    return rng.choice([f"01632 960{rng.randint(0, 999):03d}", f"07700 900{rng.randint(0, 999):03d}",
                       f"020 7946 0{rng.randint(0, 999):03d}", f"+44 7700 900{rng.randint(0, 999):03d}",
                       f"0113 496 0{rng.randint(0, 999):03d}", f"(0161) 496 0{rng.randint(0, 999):03d}",
                       f"07700900{rng.randint(0, 999):03d}"])


def dob(rng: random.Random) -> str:
    d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.randint(1940, 1985)
    return rng.choice([f"{d:02d}/{m:02d}/{y}", f"{d} {MONTHS[m - 1]} {y}", f"{d:02d}.{m:02d}.{y}",
                       f"{MONTHS[m - 1]} {d}, {y}", f"{d:02d}-{m:02d}-{y}"])


def people_pool(rng: random.Random) -> list[dict]:
    """30 fictional people with distinct first and last names (a study team and its participants recur)."""
    firsts, lasts = FIRST[:], LAST[:]
    rng.shuffle(firsts)
    rng.shuffle(lasts)
    return [{"first": f, "last": l, "full": f"{f} {l}"} for f, l in zip(firsts, lasts)]


def _fill(template: str, values: dict, rng: random.Random) -> tuple[str, list[dict]]:
    out, planted, pos = [], [], 0
    for m in re.finditer(r"\{([A-Z0-9]+)(?:\.(\w+))?\}", template):
        out.append(template[pos:m.start()])
        start = sum(map(len, out))
        field, part = m.group(1), m.group(2)
        if re.fullmatch(r"P\d", field):
            value, kind, who = values[field][part], "PERSON", field
        elif re.fullmatch(r"T\d", field):
            value, kind, who = rng.choice(TITLES), None, None
        else:
            value, kind, who = values[field], {"PHONE": "PHONE", "NHS": "NHS_NUMBER", "DOB": "DOB", "ADDR": "ADDRESS",
                                               "POST": "POSTCODE", "EMAIL": "EMAIL"}[field], None
        out.append(value)
        if kind:
            planted.append({"kind": kind, "start": start, "end": start + len(value), "text": value, "who": who})
        pos = m.end()
    out.append(template[pos:])
    return "".join(out), planted


def build(n_emails: int = 72, n_forms: int = 40, seed: int = 0, held_out: bool = False) -> list[dict]:
    rng = random.Random(seed)
    pool = people_pool(rng)
    items = []
    for k in range(n_emails + n_forms):
        is_email = k < n_emails
        people = dict(zip(("P1", "P2", "P3", "P4"), rng.sample(pool, 4)))
        trust = rng.choice(TRUSTS)
        values = {**people, "PHONE": phone(rng), "NHS": nhs_number(rng), "DOB": dob(rng),
                  "ADDR": f"{rng.randint(1, 240)} {rng.choice(STREETS)}",
                  "POST": f"{rng.choice(OUTWARD)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
                          f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
                  "EMAIL": f"{people['P3']['first'].lower()}.{re.sub(chr(39), '', people['P3']['last'].lower())}"
                           f"@{rng.choice(TRUSTS)}"}
        emails, forms = (HELD_OUT_EMAILS, HELD_OUT_FORMS) if held_out else (EMAILS, FORMS)
        template = (emails if is_email else forms)[k % len(emails if is_email else forms)]
        text, planted = _fill(template, values, rng)
        headers, header_planted = {}, []
        if is_email:
            p1, p2 = people["P1"], people["P2"]
            a1 = f"{p1['first'].lower()}.{re.sub(chr(39), '', p1['last'].lower())}@{trust}"
            a2 = f"{p2['first'][0].lower()}{re.sub(chr(39), '', p2['last'].lower())}@{rng.choice(TRUSTS)}"
            headers = {"sender": f"{p1['full']} <{a1}>", "to": f"{p2['full']} <{a2}>",
                       "subject": rng.choice(["Mentoring update", f"Re: {people['P3']['first']}'s return to work",
                                              "Notes from Tuesday", "Employer letter"]),
                       "date": "2019-03-0%dT10:00:00+00:00" % rng.randint(1, 9)}
            header_planted = [p1["full"], a1, p2["full"], a2]
            if people["P3"]["first"] in headers["subject"]:
                header_planted.append(people["P3"]["first"])
        items.append({"id": f"{'email' if is_email else 'form'}-{k + 1:03d}", "kind": "email" if is_email else "form",
                      "text": text, "headers": headers, "planted": planted, "header_planted": header_planted,
                      "people": {f: p["full"] for f, p in people.items()}})
    return items
