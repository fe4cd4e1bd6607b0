"""Reporting's rules, in plain Python: the read models' arithmetic (`read_models`), what was
effective by a date (`dates`), the system-wide roll-up's rule (`rollup`) and issued versions of
the reports (`issues`)."""
from .read_models import (BY_DAY, CLAIMED, CONSUMER, KEYS, Add, Change, Generations,  # noqa: F401
                          Resolved, Revise, added, adding_to, by_day, consumer_of, counted_by,
                          counter_changes, figures_missing, identity, latest, merged, resolve,
                          revised, setting)
