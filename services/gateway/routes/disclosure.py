"""Routes of the disclosure area (API.md)."""


class DisclosureRoutes:
    pass
