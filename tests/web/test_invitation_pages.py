"""Invitations through the pages' plain forms, as a browser without the page scripts
sends them: the owner's offer and link on the members page, the pending list and
revoking, and the link's page signed out, signed in as the invited email, as someone
else, and once it no longer works."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

from tests.conftest import Person, unique_email
from tests.web.test_pages import browser, field_error, new_project, own_origin

__all__ = ["own_origin"]  # a fixture, used by name

Signup = Callable[[str], Person]


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def invite_link(html: str) -> str:
    found = re.search(r'value="([^"]*/invite/(tl_[^"]+))"', html)
    assert found, "the page shows the invite link"
    return found.group(2)


def test_an_owner_invites_an_unknown_email_and_the_person_joins_through_the_link(
    base_url: str, signup: Signup, own_origin: str
) -> None:
    ana = signup("ana")
    project = new_project(ana, "Garden")
    members = f"/projects/{project['id']}/members"
    email = unique_email("newcomer")
    with browser(base_url, ana, Origin=own_origin) as http:
        offered = http.post(members, data={"email": email, "role": "commenter"})
        assert offered.status_code == 404
        assert field_error(offered.text) == [
            "Nobody has a Tasklane account with that email yet. "
            "Invite them to Tasklane: they get a link to sign up and join."
        ]
        assert 'data-testid="invite-offer" hidden' not in offered.text
        assert f'name="email" value="{email}"' in offered.text

        made = http.post(
            f"/projects/{project['id']}/invitations", data={"email": email, "role": "commenter"}
        )
        assert made.status_code == 200
        secret = invite_link(made.text)
        assert f"{base_url}/invite/{secret}" in made.text
        page = http.get(members).text
        assert f'data-email="{email}"' in page
        assert "Revoke the invitation to " + email in page
        assert secret not in page  # shown that once

    with browser(base_url, Origin=own_origin) as newcomer:
        opened = newcomer.get(f"/invite/{secret}")
        assert opened.status_code == 200
        assert "Ana invited you to the project Garden as a commenter." in text_of(opened.text)
        assert f'readonly value="{email}"' in opened.text
        short = newcomer.post(f"/invite/{secret}/signup", data={"name": "Nia", "password": "x"})
        assert short.status_code == 422
        assert field_error(short.text) == ["Use at least 8 characters for a password."]
        signed_up = newcomer.post(
            f"/invite/{secret}/signup", data={"name": "Nia", "password": "correct horse"}
        )
        assert signed_up.status_code == 303
        assert signed_up.headers["location"] == f"/invite/{secret}"
        ready = newcomer.get(f"/invite/{secret}")
        assert 'data-testid="invitation-accept"' in ready.text
        accepted = newcomer.post(f"/invite/{secret}/accept")
        assert accepted.status_code == 303
        assert accepted.headers["location"] == f"/projects/{project['id']}"
        assert newcomer.get(accepted.headers["location"]).status_code == 200
        used = newcomer.get(f"/invite/{secret}")
        assert used.status_code == 410
        assert "This invitation has been used" in used.text

    roles = {m["user"]["email"]: m["role"] for m in ana.http.get(f"/api{members}").json()}
    assert roles[email] == "commenter"


def test_the_link_page_for_someone_else_and_after_revoking(
    base_url: str, signup: Signup, own_origin: str
) -> None:
    ana, eve = signup("ana"), signup("eve")
    project = new_project(ana)
    email = unique_email("invited")
    with browser(base_url, ana, Origin=own_origin) as http:
        made = http.post(f"/projects/{project['id']}/invitations", data={"email": email})
        secret = invite_link(made.text)
        invitation_id = ana.http.get(f"/api/projects/{project['id']}/invitations").json()[0]["id"]
        with browser(base_url, eve, Origin=own_origin) as other:
            wrong = other.get(f"/invite/{secret}")
            assert f"This invitation is for {email}" in text_of(wrong.text)
            refused = other.post(f"/invite/{secret}/accept")
            assert refused.status_code == 403
            assert "This invitation is for another email address." in text_of(refused.text)
        revoked = http.post(f"/projects/{project['id']}/invitations/{invitation_id}/revoke")
        assert revoked.status_code == 303
        assert f'data-email="{email}"' not in http.get(revoked.headers["location"]).text
    with browser(base_url) as anyone:
        gone = anyone.get(f"/invite/{secret}")
        assert gone.status_code == 410
        assert "This invitation was withdrawn" in gone.text
        nothing = anyone.get("/invite/tl_nothing-here")
        assert nothing.status_code == 404
        assert "This invitation link doesn't work" in unescape(nothing.text)
