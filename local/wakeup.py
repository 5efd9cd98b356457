"""Wake-up hints from the emulator to the pumps, so idle pumps can sleep long and still react at once.

The emulator rings a resource's bell when something lands in it (a record in a table's stream, a
message in a queue, however it got there: an API request, a consumer, an EventBridge rule). A pump
waits on its resource's bell, up to a bounded interval: a bell is only a hint, and work that rings
no bell (a message whose visibility timeout ran out, a delayed message) is found by the next poll.
"""

from __future__ import annotations

import threading
from collections import Counter


def table_bell(table_name: str) -> str:
    return f"table/{table_name}"


def queue_bell(queue_name: str) -> str:
    return f"queue/{queue_name}"


class Bells:
    def __init__(self) -> None:
        self._rung = threading.Condition()
        self._rings: Counter[str] = Counter()

    def ring(self, bell: str) -> None:
        with self._rung:
            self._rings[bell] += 1
            self._rung.notify_all()

    def rings(self, bell: str) -> int:
        """How often ``bell`` has rung: read before looking for work, passed to ``wait`` after."""
        with self._rung:
            return self._rings[bell]

    def wait(self, bell: str, since: int, timeout: float) -> bool:
        """Wait until ``bell`` rings again after ``since`` rings (True), or ``timeout`` passes."""
        with self._rung:
            return self._rung.wait_for(lambda: self._rings[bell] != since, timeout)


# One emulator per process, so one set of bells: moto's models ring it without knowing the stack.
BELLS = Bells()
