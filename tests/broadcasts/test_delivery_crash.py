"""A real `simpul worker` is killed with SIGKILL while it sends 300 e-mails to a real SMTP
server; a second worker finishes. Every recipient gets the siaran, and the repeats stay
within the documented bound (DELIVERY_FLUSH messages per killed worker)."""

import asyncio
import os
import signal
from collections import Counter

from aiosmtpd.controller import Controller

from tests.core.test_worker_crash import (  # noqa: F401
    scratch_db,
    simpul,
    start_worker,
    wait_for,
    worker_env,
)

from ..smtp import Sink, free_port

N = 300
FLUSH = 10  # SIMPUL_DELIVERY_FLUSH: the duplicate bound per killed worker


class SlowSink(Sink):
    """Takes ~15 ms per message, so the kill lands in the middle of the run."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.015)
        return await super().handle_DATA(server, session, envelope)


def test_sigkill_mid_send_loses_nothing_and_duplicates_are_bounded(tmp_path, scratch_db):  # noqa: F811
    sink = SlowSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    env = worker_env(
        tmp_path,
        scratch_db,
        SIMPUL_EMAIL_URL=f"smtp://127.0.0.1:{controller.port}",
        SIMPUL_DELIVERY_CHAINS="1",
        SIMPUL_DELIVERY_BATCH="50",
        SIMPUL_DELIVERY_FLUSH=str(FLUSH),
        SIMPUL_DELIVERY_CLAIM_TIMEOUT="4",
    )
    first = second = None
    try:
        simpul(env, "migrate", "-v", "0")
        out = simpul(
            env, "shell", "-c", f"from tests.broadcasts.crash_support import seed; seed({N})"
        )
        siaran_id = out.stdout.strip().splitlines()[-1]

        first = start_worker(env)
        assert wait_for(lambda: len(sink.messages) >= 100, 60), len(sink.messages)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        at_kill = len(sink.messages)
        assert at_kill < N  # killed mid-send

        second = start_worker(env)

        def all_sent():
            received = {m["to"][0] for m in sink.messages}
            return len(received) >= N

        assert wait_for(all_sent, 90), len({m["to"][0] for m in sink.messages})
        assert wait_for(
            lambda: (
                f"sent {N}"
                in simpul(
                    env,
                    "shell",
                    "-c",
                    f"from tests.broadcasts.crash_support import report; report({siaran_id})",
                ).stdout
            ),
            30,
        )
    finally:
        for p in (first, second):
            if p is not None and p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(timeout=15)
        controller.stop()

    counts = Counter(m["to"][0] for m in sink.messages)
    assert set(counts) == {f"warga{i}@contoh.id" for i in range(N)}  # nothing lost
    duplicates = sum(c - 1 for c in counts.values())
    assert duplicates <= FLUSH, duplicates
    print(f"killed after {at_kill} messages; {duplicates} duplicate(s) (bound {FLUSH})")
