"""The notifications' rules: the reminder schedule, who is told what, composing messages from
templates, and meeting invitations as iCalendar."""
from .calendar import meeting_calendar, meeting_uid  # noqa: F401
from .messages import Composed, TemplateBroken, compose, kinds  # noqa: F401
from .notices import Notice, Notices, Recipient, contacts_of, message_id, office  # noqa: F401
from .schedule import OVERDUE, Cycle, Due, due, on_demand, parse_offsets  # noqa: F401
