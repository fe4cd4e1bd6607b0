"""The portal: server-rendered pages for the people of the mission, mixed into the gateway.

Pages call the same service RPCs as the JSON API, with the signed-in actor, so the services apply
the same authorization rules; one module per area."""
from .account import AccountPages
from .filer import FilerPages
from .focal import FocalPages
from .panel import PanelPages
from .public import PublicPages
from .reports import ReportPages
from .review import ReviewPages


class PortalRoutes(AccountPages, FocalPages, PanelPages, ReviewPages, FilerPages, ReportPages,
                   PublicPages):
    pass
