from __future__ import annotations

from typing import Any


def test_a_member_creates_a_project_and_reads_it_back(signup: Any) -> None:
    ana = signup("ana")
    created = ana.http.post("/api/projects", json={"name": "Launch"})
    assert created.status_code == 201, created.text
    project = created.json()
    assert project["role"] == "owner"
    assert project["seq"] == 1
    got = ana.http.get(f"/api/projects/{project['id']}").json()
    assert got == project
