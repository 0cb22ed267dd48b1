# The schemathesis run's fixtures (scripts/schemathesis.sh): `python schemathesis_hooks.py seed`
# builds a small world through the API and prints it as JSON; imported as schemathesis hooks
# (SCHEMATHESIS_HOOKS), the module authenticates every call and steers path ids into that world.
#
# Logout and refresh revoke the token they are called with, so each of their test cases gets a
# token of its own (a freshly registered user) and the shared one stays valid for the rest.
# Fresh tokens come from registering rather than logging in, because the run's own bad logins
# put the loopback address under the login throttle (429), as documented.

import itertools
import json
import os
import sys
import threading
import urllib.request

PASSWORD = "correct horse battery"
REVOKING = ["logout", "refresh"]


def call(base, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{base}{path}", data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def register(base, name, email):
    return call(base, "POST", "/api/auth/register", {"name": name, "email": email, "password": PASSWORD})


def seed(base):
    """The tester owns meetings in each state and is invited to another person's meetings."""
    tester = register(base, "Schema Tester", "schema-tester@example.test")
    guest = register(base, "Schema Guest", "schema-guest@example.test")
    a, b = tester["access_token"], guest["access_token"]
    later = {"scheduled_at": "2030-01-01T10:00:00Z", "duration_minutes": 30}

    def meeting(token, title):
        return call(base, "POST", "/api/meetings", {"title": title, **later}, token)["meeting"]["id"]

    def invite(owner, meeting_id, user_id):
        return call(base, "POST", f"/api/meetings/{meeting_id}/invite", {"invitee_user_id": user_id}, owner)["id"]

    scheduled = meeting(a, "Scheduled")
    # Started, with both people present and a finished recording.
    live = meeting(a, "Live")
    guest_in_live = invite(a, live, guest["user"]["id"])
    call(base, "POST", f"/api/invitations/{guest_in_live}/accept", None, b)
    call(base, "POST", f"/api/meetings/{live}/start", None, a)
    call(base, "POST", f"/api/meetings/{live}/presence/join", None, a)
    call(base, "POST", f"/api/meetings/{live}/presence/join", None, b)
    recording = call(base, "POST", f"/api/meetings/{live}/recordings/start", None, a)["id"]
    call(base, "POST", f"/api/meetings/{live}/recordings/end", None, a)
    call(base, "POST", f"/api/meetings/{live}/notes", None, a)
    # The guest proposes another time for one of the tester's meetings.
    proposed = meeting(a, "Proposed")
    guest_in_proposed = invite(a, proposed, guest["user"]["id"])
    call(base, "POST", f"/api/invitations/{guest_in_proposed}/propose", {"proposed_time": "2031-01-01T09:00:00Z"}, b)
    # The tester is invited to the guest's meeting.
    theirs = meeting(b, "Theirs")
    tester_in_theirs = invite(b, theirs, tester["user"]["id"])
    return {
        "token": a,
        "meetings": [scheduled, live, proposed, theirs],
        "invitations": [guest_in_live, guest_in_proposed, tester_in_theirs],
        "recordings": [recording],
    }


if __name__ == "__main__":
    if sys.argv[1:2] != ["seed"] or len(sys.argv) != 3:
        sys.exit("usage: schemathesis_hooks.py seed BASE_URL")
    print(json.dumps(seed(sys.argv[2])))
    sys.exit(0)

import schemathesis  # noqa: E402  (only the hooks need it; seeding runs on the standard library)
from hypothesis import strategies as st  # noqa: E402

BASE_URL = os.environ["SCHEMATHESIS_BASE_URL"]
WORLD = json.loads(os.environ["SCHEMATHESIS_WORLD"])

_serial = itertools.count(1)
_serial_lock = threading.Lock()


def _bearer(case, token):
    case.headers = case.headers or {}
    case.headers["Authorization"] = f"Bearer {token}"


@schemathesis.auth().skip_for(operation_id=REVOKING)
class SharedToken:
    def get(self, case, ctx):
        return WORLD["token"]

    def set(self, case, data, ctx):
        _bearer(case, data)


@schemathesis.auth(refresh_interval=None).apply_to(operation_id=REVOKING)
class OwnToken:
    def get(self, case, ctx):
        with _serial_lock:
            n = next(_serial)
        email = f"revoker-{os.getpid()}-{n}@example.test"
        return register(BASE_URL, f"Revoker {n}", email)["access_token"]

    def set(self, case, data, ctx):
        _bearer(case, data)


@schemathesis.hook
def flatmap_path_parameters(ctx, path_parameters):
    """Half of the generated ids are replaced by ids that exist, so calls reach the rules."""
    operation = ctx.operation
    if operation is None or not isinstance(path_parameters, dict) or not isinstance(path_parameters.get("id"), int):
        return st.just(path_parameters)
    path = operation.path
    if path.startswith("/api/invitations/"):
        known = WORLD["invitations"]
    elif path.startswith("/api/recordings/"):
        known = WORLD["recordings"]
    else:
        known = WORLD["meetings"]
    existing = st.sampled_from(known).map(lambda id: {**path_parameters, "id": id})
    return st.one_of(st.just(path_parameters), existing)
