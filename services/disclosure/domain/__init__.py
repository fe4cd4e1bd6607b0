"""Disclosure's domain, in plain Python: the programme's participants and cycles, the filers
and their moves, the counts behind compliance and the cost shares, the verification sample.

The seniority rules (senior official: D-1 and above; voluntary public disclosure: ASG and above
who have filed) are the platform's, in `shared.contracts.disclosure`, and used from there.
"""
from shared.contracts.disclosure import (is_asg_or_above, is_senior_official,  # noqa: F401
                                         public_disclosure_eligible)

from .figures import (compliance, conflict_counts, cost_shares, count,  # noqa: F401
                      counter_changes, cycle_figures, enrolled_by_entity, outstanding_entities,
                      tallies, tally_change)
from .filers import (Enrolment, Filer, FilerChanges, PublicDisclosure,  # noqa: F401
                     PublicReviewed, Reminder, Statement, summary_of)
from .programme import Cycle, Participant, annual_cycle_due  # noqa: F401
from .reminders import (FilerReminder, check_may_remind, days_to_deadline,  # noqa: F401
                        filer_reminder_problem, newest_first)
from .rules import (FILED, MOVES, NOT_FILED, OUTSTANDING, REVIEWED, S,  # noqa: F401
                    check_move, cycle_opening, cycle_problems, cycle_status, disclosure_period,
                    enrolment_date_problems,
                    filer_problems, filing_date_problem, move_allowed, move_problem,
                    public_decision_problems, reminder_due, review_problems)
from .statements import (Draft, carried_over, check_own_draft, latest_earlier,  # noqa: F401
                         starting_draft, statement_problems, unconfirmed)
from .sampling import (Sample, VerificationSample, allocate, draw_stratified_sample,  # noqa: F401
                       sample_seed, strata_key)

senior_official = is_senior_official
