"""Panel's MongoDB repository."""
from shared.storage import Repository


class PanelRepository(Repository):
    indexes: dict = {}
