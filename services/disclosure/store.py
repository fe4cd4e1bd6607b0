"""Disclosure's MongoDB repository."""
from shared.storage import Repository


class DisclosureRepository(Repository):
    indexes: dict = {}
