"""The portal: server-rendered pages for the people of the mission, mixed into the gateway.

Pages call the same service RPCs as the JSON API, with the signed-in actor, so the services apply
the same authorization rules; one module per area."""
from .account import AccountPages
from .admin import AdminPages
from .filer import FilerPages
from .focal import FocalPages
from .notifications import NotificationPages
from .office_disclosure import OfficeDisclosurePages
from .office import OfficePages
from .panel import PanelPages
from .public import PublicPages
from .public_review import PublicReviewPages
from .reports import ReportPages
from .review import ReviewPages
from .sign_in import SignInPages


class PortalRoutes(AccountPages, SignInPages, AdminPages, FocalPages, PanelPages, ReviewPages,
                   PublicReviewPages, FilerPages, ReportPages, PublicPages, NotificationPages,
                   OfficeDisclosurePages, OfficePages):
    pass
