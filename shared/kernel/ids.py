"""Record ids: 24 hex digits that sort in the order they were made (the layout of a MongoDB
ObjectId: seconds, a per-process random part, a counter), so lists page in creation order."""
import itertools
import os
import threading
import time

_random = os.urandom(5)
_counter = itertools.count(int.from_bytes(os.urandom(3), "big"))
_lock = threading.Lock()


def new_id() -> str:
    with _lock:
        count = next(_counter) % 0xFFFFFF
    return (int(time.time()).to_bytes(4, "big") + _random + count.to_bytes(3, "big")).hex()
