"""Routes of the reports area (API.md)."""


class ReportsRoutes:
    pass
