#!/usr/bin/env python3
"""Flash sale against running servers: BUYERS customers, each with one unit of a hot
product in the cart, check out at the same moment, spread over the given server URLs.
Prints what was sold, what is left and how fast. Standard library only.

    bench/oversell.py --db URL --secret JWT_SECRET --urls http://127.0.0.1:3091,... \
        --buyers 1000 --stock 100 --sku MT-0102-1 --label "2 processes, Redis gate"

With --uncontended every buyer buys a different product with plenty of stock: the
checkout's own speed, without the row contention of a flash sale. --json FILE writes the
figures for bench/run.sh.
"""

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import random
import subprocess
import time
import urllib.parse
import urllib.request
import uuid


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def access_token(secret: str, user: str) -> str:
    """An HS256 access token as the server issues them (claims sub, role, jti, iat, exp)."""
    now = int(time.time())
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {"sub": user, "role": "customer", "jti": str(uuid.uuid4()), "iat": now - 1, "exp": now + 900}
    payload = b64(json.dumps(claims).encode())
    signature = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(signature)}"


def psql(db: str, sql: str) -> str:
    done = subprocess.run(["psql", db, "-qtAX", "-v", "ON_ERROR_STOP=1"], input=sql, text=True,
                          capture_output=True, check=True)
    return done.stdout.strip()


def prepare(db: str, sku: str, stock: int, buyers: int) -> list[str]:
    """Sets the stock, creates the buyers with one unit each in their carts."""
    ids = [str(uuid.uuid4()) for _ in range(buyers)]
    base = random.randrange(10_000_000, 90_000_000)
    rows = ",".join(f"('{u}', '+4879{base + i:08d}')" for i, u in enumerate(ids))
    psql(db, f"""
        begin;
        update products set stock = {stock}, is_active = true, min_qty_individual = 1,
               qty_per_box = null where sku = '{sku}';
        insert into users (id, phone, customer_type, first_name, last_name, profile_completed_at)
        select id::uuid, phone, 'individual', 'Flash', 'Buyer', now()
          from (values {rows}) as b(id, phone);
        with c as (
            insert into carts (id, user_id)
            select gen_random_uuid(), id::uuid from (values {rows}) as b(id, phone)
            returning id
        )
        insert into cart_items (cart_id, product_id, quantity)
        select c.id, p.id, 1 from c, products p where p.sku = '{sku}';
        commit;
    """)
    return ids


def prepare_uncontended(db: str, buyers: int) -> list[str]:
    """One buyer per product, the first BUYERS active products by SKU, all at one price with
    stock to spare, so that every cart has the same total."""
    ids = [str(uuid.uuid4()) for _ in range(buyers)]
    base = random.randrange(10_000_000, 90_000_000)
    rows = ",".join(f"('{u}', '+4878{base + i:08d}', {i + 1})" for i, u in enumerate(ids))
    psql(db, f"""
        begin;
        create temp table picked on commit drop as
            select id, row_number() over (order by sku) as n
              from products where is_active order by sku limit {buyers};
        update products set stock = 100000, min_qty_individual = 1, qty_per_box = null,
               base_price_minor = 999, individual_price_minor = null, vat_rate_bp = 500
         where id in (select id from picked);
        insert into users (id, phone, customer_type, first_name, last_name, profile_completed_at)
        select id::uuid, phone, 'individual', 'Calm', 'Buyer', now()
          from (values {rows}) as b(id, phone, n);
        with c as (
            insert into carts (id, user_id)
            select gen_random_uuid(), id::uuid from (values {rows}) as b(id, phone, n)
            returning id, user_id
        )
        insert into cart_items (cart_id, product_id, quantity)
        select c.id, p.id, 1
          from c join (values {rows}) as b(id, phone, n) on b.id::uuid = c.user_id
                 join picked p on p.n = b.n;
        commit;
    """)
    return ids


def forget_gate(db: str, redis: str, prefix: str, where: str) -> None:
    """Drops the Redis stock counters of the products just edited in SQL (as the catalog's
    own stock edits do); the servers rebuild them from Postgres on next use."""
    if not redis:
        return
    ids = psql(db, f"select id from products where {where}").split()
    for start in range(0, len(ids), 500):
        keys = [f"{prefix}{{stock}}:{i}" for i in ids[start:start + 500]]
        subprocess.run(["redis-cli", "-u", redis, "DEL", *keys], check=True, capture_output=True)


def cart_total(url: str, token: str) -> int:
    request = urllib.request.Request(f"{url}/api/v1/cart", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)["total_minor"]


async def checkout(url: str, token: str, body: bytes) -> int:
    parts = urllib.parse.urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    head = (f"POST /api/v1/orders HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    writer.write(head.encode() + body)
    await writer.drain()
    status = await reader.readline()
    writer.close()
    try:
        return int(status.split()[1])
    except (IndexError, ValueError):
        return 0


async def stampede(urls: list[str], tokens: list[str], body: bytes) -> list[int]:
    return await asyncio.gather(*(checkout(urls[i % len(urls)], t, body) for i, t in enumerate(tokens)))


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--db", required=True)
    args.add_argument("--secret", required=True)
    args.add_argument("--urls", required=True)
    args.add_argument("--buyers", type=int, default=1000)
    args.add_argument("--stock", type=int, default=100)
    args.add_argument("--sku", default="MT-0102-1")
    args.add_argument("--label", default="")
    args.add_argument("--uncontended", action="store_true")
    args.add_argument("--redis", default="", help="the servers' REDIS_URL (empty: no gate)")
    args.add_argument("--prefix", default="", help="the servers' REDIS_KEY_PREFIX")
    args.add_argument("--json", help="write the figures to this file")
    a = args.parse_args()
    urls = a.urls.split(",")
    before = int(psql(a.db, "select count(*) from orders"))
    if a.uncontended:
        ids = prepare_uncontended(a.db, a.buyers)
        forget_gate(a.db, a.redis, a.prefix, "stock = 100000")
    else:
        ids = prepare(a.db, a.sku, a.stock, a.buyers)
        forget_gate(a.db, a.redis, a.prefix, f"sku = '{a.sku}'")
    tokens = [access_token(a.secret, u) for u in ids]
    total = cart_total(urls[0], tokens[0])
    body = json.dumps({
        "shipping_address": {"recipient_name": "Flash Buyer", "street": "ul. Długa 1",
                             "city": "Gdańsk", "postal_code": "80-001"},
        "expected_total_minor": total, "accept_terms": True,
    }).encode()
    started = time.perf_counter()
    statuses = asyncio.run(stampede(urls, tokens, body))
    elapsed = time.perf_counter() - started
    accepted = statuses.count(201)
    refused = statuses.count(409)
    other = len(statuses) - accepted - refused
    orders = int(psql(a.db, "select count(*) from orders")) - before
    if a.json:
        with open(a.json, "w") as out:
            json.dump({"buyers": a.buyers, "accepted": accepted, "refused": refused, "other": other,
                       "orders": orders, "seconds": elapsed,
                       "checkouts_per_second": a.buyers / elapsed}, out)
    if a.uncontended:
        print(f"{a.label:<34} buyers {a.buyers:>5}  accepted {accepted:>5}  other {other + refused:>3}  "
              f"orders {orders:>5}  {a.buyers / elapsed:8.0f} checkouts/s  ({elapsed * 1000:.0f} ms)")
        if accepted != orders or accepted != a.buyers:
            raise SystemExit("lost or refused checkouts")
        return
    left = int(psql(a.db, f"select stock from products where sku = '{a.sku}'"))
    print(f"{a.label:<34} buyers {a.buyers:>5}  stock {a.stock:>4}  accepted {accepted:>4}  "
          f"sold out {refused:>5}  other {other:>3}  orders {orders:>4}  left {left:>3}  "
          f"{a.buyers / elapsed:8.0f} checkouts/s  ({elapsed * 1000:.0f} ms)")
    if a.json:
        with open(a.json) as f:
            figures = json.load(f)
        figures.update({"stock": a.stock, "left": left})
        with open(a.json, "w") as out:
            json.dump(figures, out)
    if accepted != orders or accepted + left != a.stock or left < 0:
        raise SystemExit("OVERSOLD or lost orders")


if __name__ == "__main__":
    main()
