"""The demo's people: one for each role, each with a local account (a password and an enrolled
TOTP secret), set up through the API the way a person enrols, so a newcomer can sign in to the
portal as any of them (`epun totp <email>` prints the current code on this machine)."""
import time

import pyotp

PASSWORD = "demo pass phrase 2015"
DOMAIN = "demo.example.org"
PEOPLE = [
    ("admin", "Platform administrator", {"role": "admin"}),
    ("ethics-office", "Ethics Office officer", {"role": "ethics_office"}),
    ("panel-chair", "Director of the Ethics Office, chair of the Panel",
     {"role": "panel_chair", "entity": "EO"}),
    ("panel-member", "Head of the UNHCR Ethics Office", {"role": "panel_member",
                                                         "entity": "UNHCR"}),
    ("focal-point", "UNDP focal point", {"role": "focal_point", "entity": "UNDP"}),
    ("reviewer", "External reviewer", {"role": "reviewer"}),
    ("filer", "A staff member who files", {"role": "filer", "staff_id": "S000001"}),
    ("auditor", "Auditor", {"role": "auditor"}),
]


def email_of(name: str) -> str:
    return f"{name}@{DOMAIN}"


def load(client, say=print):
    existing = {p["email"] for p in client.get("/people")}
    added = 0
    for name, full_name, grant in PEOPLE:
        email = email_of(name)
        client.put(f"/people/{email}", {"name": full_name, "language": "en", "roles": [grant]})
        if email in existing and client.get(f"/people/{email}")["local_account"] == "enrolled":
            continue
        code = client.post(f"/people/{email}/enrolment")["enrolment_code"]
        secret = client.get(f"/enrolments/{code}")["secret"]
        # the code of the step before: the current code stays free for the first sign-in
        first = pyotp.TOTP(secret).at(time.time() - 30)
        client.post(f"/enrolments/{code}", {"password": PASSWORD, "totp_code": first})
        added += 1
    say(f"people: {len(PEOPLE)} demo people, one for each role ({added} set up now)")


def sign_in_help(base_url: str) -> str:
    """How to sign in as each demo person."""
    lines = [f"sign in at {base_url}/sign-in as any of these (password: {PASSWORD!r}); the "
             "code: .venv/bin/epun totp <e-mail>"]
    lines += [f"  {grant['role']:<14} {email_of(name)}" for name, _, grant in PEOPLE]
    return "\n".join(lines)
