"""The portal: server-rendered pages for the people of the mission, mixed into the gateway."""


class PortalRoutes:
    pass
