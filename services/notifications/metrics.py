"""The notifications' own Prometheus metrics (served with the common ones on METRICS_PORT)."""
from prometheus_client import Counter, Gauge

SENT = Counter("epun_notifications_sent_total", "Messages the SMTP server accepted", ["kind"])
FAILED = Counter("epun_notifications_failed_total",
                 "Messages that failed for good (refused by the server, a bad address, too many "
                 "attempts)", ["kind", "reason"])
SKIPPED = Counter("epun_notifications_skipped_total",
                  "Recipients not written to", ["reason"])
FALLBACK = Counter("epun_notifications_fallback_total",
                   "Messages written in English for want of a template in the recipient's "
                   "language", ["language"])
OLDEST_QUEUED = Gauge("epun_notifications_oldest_queued_age_seconds",
                      "Age of the oldest message still queued (0 when none waits)")
QUEUED = Gauge("epun_notifications_queued_messages", "Messages waiting to be sent")


def count_queued(summary):
    if summary.skipped:
        SKIPPED.labels("no_address").inc(summary.skipped)
    for language, n in summary.fallbacks.items():
        FALLBACK.labels(language).inc(n)
