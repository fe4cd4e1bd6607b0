"""Disclosure: entrypoints only; rules live in domain.py, storage in store.py."""
from shared.service import ServiceBase
from shared.storage import Storage

from .store import DisclosureRepository


class DisclosureService(ServiceBase):
    name = "disclosure"
    storage = Storage(DisclosureRepository)
