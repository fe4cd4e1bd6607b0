"""The Ethics Office's page of the messages the platform sent: each delivery with its state,
filtered by kind and recipient, newest first. The notifications service keeps them."""
from typing import Any

from shared.contracts.deliveries import KINDS, DeliveryQuery
from shared.kernel.errors import Unavailable

from ..routes.notifications import Answering
from ..use_cases import notifications as uc
from .forms import validated
from .web import page

FILTERS = ("kind", "recipient")
DELIVERIES_PAGE = 50


class NotificationPages:
    # given by the gateway service, of which these pages are a part
    notifications: Any

    @page("GET", "/notifications")
    def portal_notifications(self, visit):
        filters = {k: visit.query.get(k).strip() for k in FILTERS
                   if (visit.query.get(k) or "").strip()}
        query = validated(DeliveryQuery, {**filters, "limit": DELIVERIES_PAGE,
                                          "cursor": visit.query.get("cursor") or None})
        found = uc.deliveries(Answering(self.notifications), visit.actor, query)
        return visit.render("notifications.html", deliveries=found["items"], filters=filters,
                            next_cursor=found["next"], kinds=KINDS)

    def _last_reminder_on(self, visit, year: int, entity: str):
        """The day `entity` was last reminded of the `year` cycle: a date, None (never), or
        the string "unknown" while the notifications service does not answer."""
        try:
            return uc.last_reminder(Answering(self.notifications), visit.actor, year,
                                    entity)["last_reminder_on"]
        except Unavailable:
            return "unknown"
