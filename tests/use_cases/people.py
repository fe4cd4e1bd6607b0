"""The actors and the day the use-case tests act as and on."""
import datetime as dt

from shared.contracts.common import Actor, Role

TODAY = dt.date(2015, 7, 31)
EO = Actor(role=Role.ethics_office, label="eo officer")
ADMIN = Actor(role=Role.admin, label="admin")


def focal(entity: str) -> Actor:
    return Actor(role=Role.focal_point, entity=entity, label=f"{entity} focal point")
