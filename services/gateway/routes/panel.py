"""Routes of the panel area (API.md)."""


class PanelRoutes:
    pass
