"""Reading back what the notifications service sent: its deliveries (admin, the Ethics Office,
auditors) and the last reminder an entity received (also its focal point). `notifications` is
the service's RPC: `deliveries(actor, **query)` and `last_reminders(actor, year, entity)`."""
from shared.auth import require
from shared.contracts.common import Actor, Role
from shared.contracts.deliveries import DeliveryPage, DeliveryQuery, LastReminder

DELIVERY_READERS = (Role.admin, Role.ethics_office, Role.auditor)
REMINDER_READERS = (*DELIVERY_READERS, Role.focal_point)


def deliveries(notifications, actor: Actor, query: DeliveryQuery) -> dict:
    """One page of deliveries, newest first, as the query filters them."""
    require(actor, DELIVERY_READERS)
    page = notifications.deliveries(actor.model_dump(mode="json"), **query.asked())
    return DeliveryPage.model_validate(page).model_dump(mode="json")


def last_reminder(notifications, actor: Actor, year: int, entity: str) -> dict:
    """When `entity` was last reminded of the `year` cycle (a focal point: its own entity)."""
    require(actor, REMINDER_READERS, entity=entity)
    found = notifications.last_reminders(actor.model_dump(mode="json"), year, entity)
    return LastReminder.model_validate(found).model_dump(mode="json")
