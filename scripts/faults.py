#!/usr/bin/env python3
"""Fault tests against release server processes (scripts/faults.sh sets the environment).

    crash             a server SIGKILLed in the middle of a checkout load: after a restart
                      every order is whole or absent, the Redis gate is re-synced, and the
                      expiry job returns the stock of the orders left unpaid.
    notify-crash      a server SIGKILLed while it is sending e-mails (each mail server
                      conversation held before the message is transferred): after a
                      restart every notice is delivered exactly once.
    postgres-restart  Postgres stopped for 5 s and started again (pg_ctlcluster) under a
                      checkout load: 503 in the error shape while it is down, /health/ready
                      follows, the pool recovers by itself, no order is half-written.

Standard library only; exits non-zero on the first broken promise.
"""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "bench"))
from oversell import access_token, cart_total, checkout, forget_gate, prepare, psql  # noqa: E402

DB = os.environ["DATABASE_URL"]
SECRET = os.environ["JWT_SECRET"]
BIN = os.environ["BIN"]
REDIS = os.environ.get("REDIS_URL", "")
PREFIX = os.environ.get("REDIS_KEY_PREFIX", "")
PORT = int(os.environ.get("FAULTS_PORT", "3095"))
URL = f"http://127.0.0.1:{PORT}"
SKU = "MT-0102-1"
STOCK = 1000

# Orders that are not whole: items missing or not adding up, or no placement event.
NOT_WHOLE = """
    select count(*) from orders o
     where o.items_total_minor <> coalesce(
               (select sum(line_total_minor) from order_items i where i.order_id = o.id), -1)
        or not exists (select 1 from order_events e where e.order_id = o.id)"""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"FAILED: {message}")
    print(f"  ok: {message}")


STARTED: list[subprocess.Popen] = []


def stop_all() -> None:
    """Leaves no server behind, whatever happened."""
    for server in STARTED:
        if server.poll() is None:
            server.kill()
            server.wait()


def start(**env: str) -> subprocess.Popen:
    server = subprocess.Popen([BIN, "serve"], env={**os.environ, "LEPTOS_SITE_ADDR": f"127.0.0.1:{PORT}", **env},
                              stdout=subprocess.DEVNULL)
    STARTED.append(server)
    ready = False
    for _ in range(1000):
        if status(f"{URL}/health/ready")[0] == 200:
            ready = True
            break
        time.sleep(0.01)
    check(ready, "the server is ready")
    return server


def status(url: str, token: str | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as e:
        try:
            return e.code, json.load(e)
        except ValueError:
            return e.code, {}
    except OSError:
        return 0, {}


def gate_counter(product: str) -> int | None:
    if not REDIS:
        return None
    out = subprocess.run(["redis-cli", "-u", REDIS, "GET", f"{PREFIX}{{stock}}:{product}"],
                         capture_output=True, text=True, check=True).stdout.strip()
    return int(out) if out else None


def ledger(product: str) -> tuple[int, int, int]:
    """(orders, units ordered, stock left); fails if any order is not whole."""
    check(int(psql(DB, NOT_WHOLE)) == 0, "every order is whole (items, totals, placement event)")
    orders, units = psql(DB, "select count(*), coalesce(sum(quantity), 0) from orders o "
                             "left join order_items i on i.order_id = o.id "
                             "where o.status <> 'cancelled'").split("|")
    stock = int(psql(DB, f"select stock from products where id = '{product}'"))
    return int(orders), int(units), stock


def buyers(n: int) -> tuple[str, list[str]]:
    """`n` customers with one unit of the product in their carts, its stock set to STOCK."""
    ids = prepare(DB, SKU, STOCK, n)
    forget_gate(DB, REDIS, PREFIX, f"sku = '{SKU}'")
    product = psql(DB, f"select id from products where sku = '{SKU}'")
    return product, [access_token(SECRET, u) for u in ids]


def order_body(token: str) -> bytes:
    return json.dumps({
        "shipping_address": {"recipient_name": "Fault Buyer", "street": "ul. Długa 1",
                             "city": "Gdańsk", "postal_code": "80-001"},
        "expected_total_minor": cart_total(URL, token), "accept_terms": True,
    }).encode()


async def waves(tokens: list[str], body: bytes, workers: int, statuses: list[int] | None = None) -> list[int]:
    """`workers` buyers at a time, each placing orders one after another; the answers go to
    `statuses` as they come (a caller may watch it)."""
    queue = list(tokens)
    statuses = [] if statuses is None else statuses

    async def worker() -> None:
        while queue:
            token = queue.pop()
            try:
                statuses.append(await checkout(URL, token, body))
            except OSError:
                statuses.append(0)

    await asyncio.gather(*(worker() for _ in range(workers)))
    return statuses


def crash() -> None:
    print("== a server process SIGKILLed mid-checkout")
    psql(DB, "update orders set status = 'cancelled', reserved_until = null where status = 'pending_payment'")
    server = start()
    product, tokens = buyers(400)
    body = order_body(tokens[0])
    before = ledger(product)

    async def load_and_kill() -> list[int]:
        statuses: list[int] = []
        load = asyncio.ensure_future(waves(tokens, body, 64, statuses))
        # Kill once a first batch is through, while 64 more are in flight.
        for _ in range(500):
            if statuses.count(201) >= 40:
                break
            await asyncio.sleep(0.01)
        server.send_signal(signal.SIGKILL)
        return await load

    statuses = asyncio.run(load_and_kill())
    server.wait()
    placed = statuses.count(201)
    print(f"  {placed} answered 201, {statuses.count(0)} cut off, of {len(statuses)}")
    check(placed > 0 and statuses.count(0) > 0, "the kill landed in the middle of the load")
    check(set(statuses) <= {0, 201}, f"only placed or cut off: {sorted(set(statuses))}")
    orders, units, stock = ledger(product)
    made = orders - before[0]
    check(made >= placed, f"every 201 is an order ({made} orders, {placed} answers)")
    check(units - before[1] == made and stock == STOCK - made,
          f"stock went down by exactly the units ordered ({STOCK} -> {stock})")
    left_in_gate = gate_counter(product)
    print(f"  Redis gate after the kill: {left_in_gate} (Postgres: {stock})")

    server = start()
    synced = False
    for _ in range(100):
        if gate_counter(product) in (None, stock):
            synced = True
            break
        time.sleep(0.05)
    check(synced, "the restarted process re-synced the gate from Postgres")
    # The unpaid orders' reservations lapse; the expiry job (first run at start) returns them.
    psql(DB, "update orders set reserved_until = now() - interval '1 second' where status = 'pending_payment'")
    server.terminate()
    server.wait()
    server = start()
    expired = False
    for _ in range(200):
        if int(psql(DB, "select count(*) from orders where status = 'pending_payment'")) == 0:
            expired = True
            break
        time.sleep(0.05)
    check(expired, "the expiry job cancelled every unpaid order")
    stock = int(psql(DB, f"select stock from products where id = '{product}'"))
    check(stock == STOCK, f"their stock came back ({stock})")
    check(gate_counter(product) in (None, STOCK), "and the gate agrees")
    server.terminate()
    server.wait()


def notify_crash() -> None:
    print("== a server process SIGKILLed while it sends notification e-mails")
    import glob
    import socket
    import tempfile

    notices = 20
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        mail_port = s.getsockname()[1]
    mail_dir = tempfile.mkdtemp()
    root = os.path.join(os.path.dirname(__file__), "..")
    sink = subprocess.Popen([os.path.join(root, ".tools/venv/bin/python"), os.path.join(root, "scripts/smtp-sink.py"),
                             "--port", str(mail_port), "--dir", mail_dir, "--delay-rcpt", "2"],
                            stdout=subprocess.DEVNULL)
    STARTED.append(sink)
    listening = False
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", mail_port), timeout=1).close()
            listening = True
            break
        except OSError:
            time.sleep(0.05)
    check(listening, "the mail server is listening")
    user = "00000000-0000-7000-8000-00000000fa17"
    psql(DB, f"""
        delete from notifications;
        insert into users (id, email, email_verified_at, customer_type)
        values ('{user}', 'faults@example.com', now(), 'individual') on conflict (id) do nothing;
        insert into notifications (id, user_id, kind, channel, recipient, locale, data, dedupe_key)
        select gen_random_uuid(), '{user}', 'email_confirmation', 'email', 'faults@example.com', 'pl',
               '{{"path": "/account/confirm-email?token=fault"}}'::jsonb, 'fault:' || n
          from generate_series(1, {notices}) n;""")
    # A short lease: the notices of the killed process go again 6 s after they were taken.
    smtp = {"SMTP_URL": f"smtp://127.0.0.1:{mail_port}", "NOTIFY_CONCURRENCY": "8",
            "NOTIFY_LEASE_SECS": "6"}
    server = start(**smtp)
    # The worker's first run starts at once; every conversation then waits 2 s at RCPT TO.
    in_flight = False
    for _ in range(100):
        taken = int(psql(DB, "select count(*) from notifications "
                             "where dedupe_key like 'fault:%' and attempts > 0 and status = 'queued'"))
        if taken > 0:
            in_flight = True
            break
        time.sleep(0.02)
    time.sleep(0.5)
    server.send_signal(signal.SIGKILL)
    server.wait()
    check(in_flight, "notices were being sent when the server was killed")
    check(not glob.glob(os.path.join(mail_dir, "*.json")), "no message reached the mail server before the kill")
    ours = "dedupe_key like 'fault:%'"
    queued = int(psql(DB, f"select count(*) from notifications where {ours} and status = 'queued'"))
    check(queued == notices, f"every notice is still queued ({queued})")

    server = start(**smtp)
    done = False
    for _ in range(600):
        if int(psql(DB, f"select count(*) from notifications where {ours} and status = 'queued'")) == 0:
            done = True
            break
        time.sleep(0.1)
    check(done, "the restarted server delivered the queue")
    time.sleep(0.5)
    mails = []
    for path in glob.glob(os.path.join(mail_dir, "*.json")):
        with open(path, encoding="utf-8") as file:
            mail = json.load(file)
        if mail["rcpt_tos"] == ["faults@example.com"]:
            mails.append(mail)
    ids = {mail["message_id"] for mail in mails}
    check(len(mails) == notices and len(ids) == notices,
          f"every notice arrived exactly once ({len(mails)} messages, {len(ids)} distinct)")
    sent = int(psql(DB, f"select count(*) from notifications where {ours} and status = 'sent'"))
    check(sent == notices, f"and each is recorded sent ({sent})")
    server.terminate()
    server.wait()
    sink.terminate()
    sink.wait()


def postgres_restart(cluster: list[str]) -> None:
    print("== Postgres restarted under a checkout load")
    server = start()
    product, tokens = buyers(1500)
    body = order_body(tokens[0])
    before = ledger(product)
    ready_seen: set[int] = set()
    me_seen: dict[int, dict] = {}

    async def probe(stop: asyncio.Event) -> None:
        while not stop.is_set():
            (ready, _), (code, answer) = await asyncio.gather(
                asyncio.to_thread(status, f"{URL}/health/ready"),
                asyncio.to_thread(status, f"{URL}/api/v1/me", tokens[0]))
            ready_seen.add(ready)
            me_seen.setdefault(code, answer)
            await asyncio.sleep(0.02)

    async def run() -> list[int]:
        stop = asyncio.Event()
        probing = asyncio.ensure_future(probe(stop))
        load = asyncio.ensure_future(waves(tokens, body, 16))
        await asyncio.sleep(0.3)
        # Down for longer than the pool waits for a connection (3 s), then back.
        for action, pause in (("stop", 5.0), ("start", 0.0)):
            control = await asyncio.create_subprocess_exec(*cluster, action)
            await control.wait()
            await asyncio.sleep(pause)
        statuses = await load
        await asyncio.sleep(0.5)
        stop.set()
        await probing
        return statuses

    statuses = asyncio.run(run())
    counts = {s: statuses.count(s) for s in sorted(set(statuses))}
    print(f"  checkout answers: {counts}; /health/ready answers: {sorted(ready_seen)}; "
          f"/api/v1/me answers: {sorted(me_seen)}")
    check(set(statuses) <= {201, 409, 503}, "checkouts were placed, sold out, or refused with 503")
    check(503 in statuses, "the outage was felt")
    check(503 in ready_seen and 200 in ready_seen, "/health/ready said 503 while down, 200 after")
    shaped = me_seen.get(503, {}).get("error", {}).get("code")
    check(shaped == "unavailable", f"a request during the outage got the error shape ({shaped})")
    code, _ = status(f"{URL}/api/v1/me", tokens[0])
    check(code == 200, "the pool recovered without a restart of the server")
    orders, units, stock = ledger(product)
    made = orders - before[0]
    check(made >= statuses.count(201), f"every 201 is an order ({made} orders)")
    check(stock == STOCK - made, f"stock went down by exactly the units ordered ({stock})")
    server.terminate()
    server.wait()


def main() -> None:
    try:
        run(sys.argv[1:] or ["crash"])
    finally:
        stop_all()


def run(scenarios: list[str]) -> None:
    for scenario in scenarios:
        if scenario == "crash":
            crash()
        elif scenario == "notify-crash":
            notify_crash()
        elif scenario == "postgres-restart":
            cluster = os.environ.get("PG_CLUSTER_CTL", "").split()
            if not cluster:
                print("== Postgres restart: skipped (set PG_CLUSTER_CTL, e.g. 'pg_ctlcluster 15 main')")
                continue
            postgres_restart(cluster)
        else:
            raise SystemExit(f"unknown scenario {scenario}")


if __name__ == "__main__":
    main()
