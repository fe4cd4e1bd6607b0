"""Disclosure's use cases: one function per command or question, `(uow, command) -> result`.

Each loads what it needs through the unit of work's repositories, asks the domain, saves,
audits and commits; the events the aggregates recorded go out with the commit. A batch is one
transaction and one event (`filers_enrolled`, or `filer_changes_recorded` for many per-filer
changes); each refused row is reported with its reasons and the status it would have alone.
Results are the API's JSON-ready answers.
"""
from .commands import (Batch, CloseCycle, ComplianceQuery, DrawSample,  # noqa: F401
                       EnrolParticipant, ForFiler, ListFilers, ListNonFilers, ListReminders,
                       Remind)
from .compliance import (compliance, draw_verification_sample,  # noqa: F401
                         get_verification_sample, list_reminders, non_filers,
                         record_verification, record_verifications, remind_filer,
                         send_due_reminders, send_reminders)
from .drafts import discard_draft, get_draft, save_draft  # noqa: F401
from .filers import (STATEMENT_READERS, STATEMENT_READERS_ONLY,  # noqa: F401
                     acknowledge_recommendation, approve_public_disclosure,
                     approve_public_disclosures,
                     decide_public_disclosure, decide_public_disclosures,
                     enrol_filers, exempt_filer, exempt_filers, file_statement,
                     file_statements, get_filer, get_public_disclosure, get_statement,
                     list_filers, pending_public_disclosures, published_disclosures,
                     record_mitigation, record_mitigations, return_public_disclosure,
                     review_filer, review_filers)
from .programme import (close_cycle, cost_shares, enrol_participant,  # noqa: F401
                        get_cycle, get_participant, list_cycles, list_participants,
                        open_annual_cycle, open_cycle,
                        rotate_key)
