"""People for the tests: the test identity provider as a process of its own, and people with
local accounts enrolled the way a person enrols (the enrolment page, a password, a TOTP code)."""
import json
import re
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pyotp
import requests

from epun.stack import free_port, port_open, wait_for

PROVIDER = Path(__file__).parent / "oidc_provider.py"
CALLBACK = "/sign-in/provider/callback"
CLIENT_ID, CLIENT_SECRET = "epun-portal", "epun-portal-secret"
PASSWORD = "a long test pass phrase"


@dataclass
class TestProvider:
    """The test OpenID Connect provider (tests/oidc_provider.py) on a port of its own."""
    folder: Path
    redirect_uri: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def gateway_env(self) -> dict:
        return {"OIDC_ISSUER": self.issuer, "OIDC_CLIENT_ID": CLIENT_ID,
                "OIDC_CLIENT_SECRET": CLIENT_SECRET, "OIDC_NAME": "the test provider",
                "LOCAL_ACCOUNTS": "on"}

    def start(self):
        people = self.folder / "people.json"
        if not people.exists():
            people.write_text("{}")
        log = open(self.folder / "provider.log", "ab")
        self.process = subprocess.Popen(
            [sys.executable, str(PROVIDER), "--port", str(self.port), "--people", str(people),
             "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET,
             "--redirect-uri", self.redirect_uri], stdout=log, stderr=subprocess.STDOUT)
        wait_for(lambda: port_open("127.0.0.1", self.port), 30, "the test identity provider")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        wait_for(lambda: not port_open("127.0.0.1", self.port), 15, "the provider's stop")

    def add_person(self, email: str, password: str = PASSWORD, email_verified: bool = True):
        """Someone the provider knows (kept in its file too, so a restart keeps them)."""
        person = {"email": email, "password": password, "email_verified": email_verified}
        requests.post(f"{self.issuer}/_test/people", json=person, timeout=10).raise_for_status()
        people = self.folder / "people.json"
        known = json.loads(people.read_text())
        people.write_text(json.dumps({**known, email: person}))

    def mode(self, mode: str):
        requests.post(f"{self.issuer}/_test/mode", json={"mode": mode},
                      timeout=10).raise_for_status()


def new_email(prefix: str = "person") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@example.org"


@dataclass
class LocalPerson:
    """A person with an enrolled local account: what they type to sign in."""
    email: str
    secret: str
    password: str = PASSWORD
    recovery: list = field(default_factory=list)
    last_step: int = 0

    def code(self) -> str:
        """The next TOTP code the gateway accepts: a step it has not seen, now or the next
        (the gateway accepts one step either side); when both were used, one of the recovery
        codes rather than waiting for the next step."""
        now = int(time.time()) // 30
        step = max(now, self.last_step + 1)
        if step > now + 1 and self.recovery:
            return self.recovery.pop()
        while step > int(time.time()) // 30 + 1:
            time.sleep(1)
        self.last_step = step
        return pyotp.TOTP(self.secret).at(step * 30)


def grant(role: str, entity: str | None = None, staff_id: str | None = None) -> dict:
    return {"role": role, "entity": entity, "staff_id": staff_id}


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def enrol(base_url: str, enrolment_path: str, password: str = PASSWORD) -> LocalPerson:
    """Enrol as a person does, over plain HTTP: read the secret off the enrolment page, choose
    a password, confirm with a code."""
    browser = requests.Session()
    page = browser.get(base_url + enrolment_path, timeout=30)
    page.raise_for_status()
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.text).group(1).replace(" ", "")
    email = re.search(r"account of ([^:]+?):", page.text).group(1)
    person = LocalPerson(email, secret, password)
    done = browser.post(base_url + enrolment_path, timeout=30, data={
        "csrf": csrf_of(page.text), "password": password, "password_again": password,
        "code": person.code()})
    done.raise_for_status()
    person.recovery = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.text)
    assert len(person.recovery) == 10, done.text[:500]
    return person


def local_person(api, base_url: str, *grants: dict, name: str | None = None,
                 email: str | None = None) -> LocalPerson:
    """A new person in the directory holding `grants`, with their local account enrolled."""
    email = email or new_email(grants[0]["role"].replace("_", "-"))
    api.put(f"/people/{email}", {"name": name or email.split("@")[0], "roles": list(grants)})
    invitation = api.post(f"/people/{email}/enrolment")
    return enrol(base_url, invitation["enrolment_path"])
