"""The portal: server-rendered pages for the people of the mission, mixed into the gateway.

Pages call the same service RPCs as the JSON API, with the signed-in actor, so the services apply
the same authorization rules; one module per area."""
from .account import AccountPages
from .focal import FocalPages
from .panel import PanelPages


class PortalRoutes(AccountPages, FocalPages, PanelPages):
    pass
