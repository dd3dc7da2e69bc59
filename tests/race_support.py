"""Running calls at the same moment, for the tests of row locks and optimistic concurrency."""

import threading
from collections.abc import Callable

from django.db import connection


def race(*calls: Callable[[], object]) -> list[object]:
    """Run ``calls`` at the same moment, each in its own thread and database connection;
    return what each returned or raised, in order."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racing call never finished"
    return results
