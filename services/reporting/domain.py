"""Reporting's rules, in plain Python: how each event changes the read models."""


def directory_entry(payload: dict) -> dict:
    return {"name": payload["name"], "category": payload["category"],
            "parent": payload.get("parent")}
