"""Which parts of the portal each role sees in its menu (the services decide what it may do)."""
from shared.contracts.common import Actor, Role

PUBLIC = [("/public/disclosures", "nav.public")]
BY_ROLE = {
    Role.focal_point: lambda a: [(f"/focal/{a.entity}", "nav.focal")],
    Role.panel_chair: lambda a: [("/panel", "nav.panel"), ("/reports", "nav.reports")],
    Role.panel_member: lambda a: [("/panel", "nav.panel")],
    Role.reviewer: lambda a: [("/review", "nav.review")],
    Role.filer: lambda a: [("/filer", "nav.filer")],
    Role.ethics_office: lambda a: [("/reports", "nav.reports"),
                                   ("/office/cycles", "nav.office_cycles"),
                                   ("/office/participants", "nav.office_participants"),
                                   ("/office/service-requests", "nav.office_requests"),
                                   ("/office/activities", "nav.office_activities"),
                                   ("/office/retaliation", "nav.office_retaliation"),
                                   ("/panel", "nav.panel"),
                                   ("/review", "nav.review"),
                                   ("/review/public-disclosures", "nav.public_review"),
                                   ("/notifications", "nav.notifications")],
    Role.auditor: lambda a: [("/reports", "nav.reports"), ("/audit", "nav.audit"),
                             ("/notifications", "nav.notifications")],
    Role.admin: lambda a: [("/admin/people", "nav.people"), ("/admin/tokens", "nav.tokens"),
                           ("/audit", "nav.audit"), ("/reports", "nav.reports"),
                           ("/panel", "nav.panel"), ("/notifications", "nav.notifications")],
}


def menu(actor: Actor | None) -> list[tuple[str, str]]:
    own = BY_ROLE[actor.role](actor) if actor else []
    return [("/", "nav.home"), *own, *PUBLIC]


def home_of(actor: Actor) -> str:
    """Where a role starts."""
    return BY_ROLE[actor.role](actor)[0][0]
