"""How long a consumer keeps trying an event that failed, before the dead-letter queue."""
from shared.kernel.errors import NotYetKnown, PermanentFailure
from shared.messaging import MAX_ATTEMPTS, WAITING_ATTEMPTS, retry_delay


def test_a_failed_event_is_tried_again_later_and_one_that_waits_for_others_for_longer():
    failure, waiting = RuntimeError("the database went away"), NotYetKnown("not enrolled yet")
    assert [retry_delay(failure, n) for n in range(1, MAX_ATTEMPTS + 1)] == [
        1.0, 2.0, 4.0, 8.0, None]
    waits = [retry_delay(waiting, n) for n in range(1, WAITING_ATTEMPTS)]
    assert None not in waits and 25 * 60 < sum(waits) < 40 * 60
    assert retry_delay(waiting, WAITING_ATTEMPTS) is None
    assert retry_delay(PermanentFailure("never"), 1) is None
