"""Registrations per second through the participant's site, with concurrent clients.

The site runs as its own process (``python -m participatie_web``, uvicorn on
127.0.0.1, SQLite store, rate limit off); client threads on loopback each
load the form once (for the CSRF cookie and token) and then post
registrations with keep-alive connections, racing for the places of one
session. Afterwards the store is read directly: nobody may hold a place
beyond the capacity, and every accepted post must be stored exactly once
(a place or the waiting list).

Prints one JSON object per line (never asserts a speed; exits 1 on an
overbooking or a lost registration).
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from participatie import (
    Event,
    HelpDesk,
    Participatie,
    RegistrationState,
    Session,
    WaitingListPolicy,
)

EVENT = "bench-web"
SESSION = "s1"
TOKEN = re.compile(rb'name="csrf_token" value="([0-9a-f]+)"')
COOKIE = re.compile(r"participatie_csrf=([^;]+)")


def event(capacity: int) -> Event:
    start = datetime.now(UTC) + timedelta(days=30)
    return Event(
        key=EVENT,
        title="Benchmark",
        organiser="Benchmark",
        help_desk=HelpDesk(email="helpdesk@example.org"),
        consent_version="1",
        sessions=[
            Session(
                SESSION,
                "Session",
                start,
                start + timedelta(hours=2),
                capacity=capacity,
                waiting_list=WaitingListPolicy.AUTOMATIC,
                guardian_consent_below=None,
            )
        ],
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_site(store: str, folder: Path, port: int) -> subprocess.Popen[bytes]:
    secret = folder / "secret"
    secret.write_text("bench-secret-" + "x" * 40, encoding="utf-8")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "participatie_web",
            "--store",
            store,
            "--port",
            str(port),
            "--rate-limit",
            "0",
            "--secret-file",
            str(secret),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the site did not start")


def client(port: int, numbers: list[int], latencies: list[float], lock: threading.Lock) -> int:
    """One participant's browser: load the form, then post one registration per number."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", f"/events/{EVENT}")
    page = connection.getresponse()
    body = page.read()
    cookie_header = page.getheader("set-cookie") or ""
    cookie = COOKIE.search(cookie_header)
    token = TOKEN.search(body)
    if cookie is None or token is None:
        raise SystemExit("the form came without its CSRF cookie or token")
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"participatie_csrf={cookie.group(1)}",
    }
    accepted = 0
    for number in numbers:
        form = urlencode(
            {
                "csrf_token": token.group(1).decode(),
                "session": SESSION,
                "name": f"Deelnemer {number}",
                "email": f"deelnemer-{number}@example.org",
                "consent": "yes",
                "consent_version": "1",
            }
        )
        started = time.perf_counter()
        connection.request("POST", f"/events/{EVENT}", body=form, headers=headers)
        response = connection.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        with lock:
            latencies.append(elapsed)
        if response.status == 303:
            accepted += 1
    connection.close()
    return accepted


def run(folder: Path, clients: int, registrations: int, capacity: int) -> dict[str, object]:
    database = folder / f"web-{clients}.db"
    store = f"sqlite:///{database}"
    with Participatie.open(store) as app:
        app.save_event(event(capacity))
    port = free_port()
    process = start_site(store, folder, port)
    latencies: list[float] = []
    lock = threading.Lock()
    shares = [list(range(n, registrations, clients)) for n in range(clients)]
    try:
        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            accepted = sum(pool.map(lambda numbers: client(port, numbers, latencies, lock), shares))
        seconds = time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=30)
    with Participatie.open(store) as app:
        stored = app.registrations(EVENT, SESSION)
        places = app.places(EVENT, SESSION)
    registered = sum(1 for r in stored if r.state is RegistrationState.REGISTERED)
    waiting = sum(1 for r in stored if r.state is RegistrationState.WAITLISTED)
    latencies.sort()
    return {
        "benchmark": "web-register",
        "clients": clients,
        "posted": registrations,
        "accepted": accepted,
        "seconds": round(seconds, 3),
        "per_second": round(accepted / seconds, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 1),
        "capacity": capacity,
        "registered": registered,
        "waiting": waiting,
        "taken": places.taken,
        "overbooked": max(0, places.taken - capacity),
        "lost": accepted - len(stored),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--registrations", type=int, default=600)
    parser.add_argument("--capacity", type=int, default=250)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    args = parser.parse_args()
    failed = False
    with tempfile.TemporaryDirectory() as folder:
        for clients in args.clients:
            result = run(Path(folder), clients, args.registrations, args.capacity)
            print(json.dumps(result), flush=True)
            failed |= result["overbooked"] != 0 or result["lost"] != 0
            failed |= result["registered"] != min(args.capacity, result["accepted"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
