from __future__ import annotations

import asyncio
import threading

from builder.llm.limits import EndpointLimiter, get_limiter


async def _hammer(lim: EndpointLimiter, n: int, hold: float, seen: list[int]) -> None:
    async def one() -> None:
        async with lim:
            seen.append(lim.in_flight)
            await asyncio.sleep(hold)
    await asyncio.gather(*(one() for _ in range(n)))


def test_never_more_than_the_limit_in_flight():
    lim = EndpointLimiter("e", 3)
    seen: list[int] = []
    asyncio.run(_hammer(lim, 30, 0.002, seen))
    assert max(seen) == 3 and lim.max_in_flight == 3 and lim.in_flight == 0


def test_shared_across_event_loops_in_threads():
    """distilabel runs LLMs on their own loops: one endpoint limit must hold across them."""
    lim = get_limiter("http://x/v1#m", 4)
    seen: list[int] = []
    threads = [threading.Thread(target=lambda: asyncio.run(_hammer(lim, 20, 0.002, seen))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 60 and lim.max_in_flight <= 4 and lim.in_flight == 0


def test_cancelled_waiters_do_not_leak_slots():
    async def main() -> None:
        lim = EndpointLimiter("e", 1)
        await lim.acquire()
        waiters = [asyncio.create_task(lim.acquire()) for _ in range(5)]
        await asyncio.sleep(0)
        for w in waiters[:4]:
            w.cancel()
        lim.release()
        await asyncio.wait_for(waiters[4], 1)  # the one left gets the slot
        assert lim.in_flight == 1
        lim.release()
        assert lim.in_flight == 0
        async with lim:  # and it is usable again
            pass
    asyncio.run(main())


def test_registry_shares_and_tightens():
    a = get_limiter("http://h/v1#m", 8)
    b = get_limiter("http://h/v1#m", 4)
    assert a is b and a.limit == 4
    assert get_limiter("http://h/v1#m", 16).limit == 4
    assert get_limiter("http://h/v1#other", 2) is not a
