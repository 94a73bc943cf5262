#!/usr/bin/env python3
"""Flash sale against running servers: BUYERS customers, each with one unit of a hot
product in the cart, check out at the same moment, spread over the given server URLs.
Prints what was sold, what is left and how fast. Standard library only.

    bench/oversell.py --db URL --secret JWT_SECRET --urls http://127.0.0.1:3091,... \
        --buyers 1000 --stock 100 --sku MT-0102-1 --label "2 processes, Redis gate"
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
    a = args.parse_args()
    urls = a.urls.split(",")
    before = int(psql(a.db, "select count(*) from orders"))
    ids = prepare(a.db, a.sku, a.stock, a.buyers)
    tokens = [access_token(a.secret, u) for u in ids]
    total = cart_total(urls[0], tokens[0])
    body = json.dumps({
        "shipping_address": {"recipient_name": "Flash Buyer", "street": "ul. Długa 1",
                             "city": "Gdańsk", "postal_code": "80-001"},
        "expected_total_minor": total,
    }).encode()
    started = time.perf_counter()
    statuses = asyncio.run(stampede(urls, tokens, body))
    elapsed = time.perf_counter() - started
    accepted = statuses.count(201)
    refused = statuses.count(409)
    other = len(statuses) - accepted - refused
    left = int(psql(a.db, f"select stock from products where sku = '{a.sku}'"))
    orders = int(psql(a.db, "select count(*) from orders")) - before
    print(f"{a.label:<34} buyers {a.buyers:>5}  stock {a.stock:>4}  accepted {accepted:>4}  "
          f"sold out {refused:>5}  other {other:>3}  orders {orders:>4}  left {left:>3}  "
          f"{a.buyers / elapsed:8.0f} checkouts/s  ({elapsed * 1000:.0f} ms)")
    if accepted != orders or accepted + left != a.stock or left < 0:
        raise SystemExit("OVERSOLD or lost orders")


if __name__ == "__main__":
    main()
