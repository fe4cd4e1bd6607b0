"""Panel: entrypoints only; rules live in domain.py, storage in store.py."""
from shared.service import ServiceBase
from shared.storage import Storage

from .store import PanelRepository


class PanelService(ServiceBase):
    name = "panel"
    storage = Storage(PanelRepository)
