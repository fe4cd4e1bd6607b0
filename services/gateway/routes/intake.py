"""Routes of the intake area (API.md)."""


class IntakeRoutes:
    pass
