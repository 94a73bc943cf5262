#!/usr/bin/env python3
"""Prints bench/run.sh's table, each rate as a share of the constant handler's, with the
issue's targets, and writes the same figures as JSON. Standard library only."""

import argparse
import json
import os
import platform
import time

# The targets, as shares of the constant handler's rate.
TARGETS = {
    "GET /api/v1/products (24)": 0.40,
    "product page /p/maslo-extra-200g": 0.20,
}


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__)
    for name in ("--rows", "--checkout", "--flash", "--notify", "--commit", "--out"):
        args.add_argument(name, required=True)
    args.add_argument("--cold-ms", type=int, required=True)
    args.add_argument("--peak-mb", type=float, required=True)
    args.add_argument("--products", type=int, required=True)
    args.add_argument("--seconds", type=int, required=True)
    a = args.parse_args()

    rows = []
    with open(a.rows) as f:
        for line in f:
            name, rps, p50, p99, rss = line.rstrip("\n").split("\t")
            rows.append({"name": name, "rps": float(rps), "p50_ms": float(p50),
                         "p99_ms": float(p99), "rss_mb": float(rss)})
    ceiling = rows[0]["rps"]
    with open(a.checkout) as f:
        checkout = json.load(f)
    with open(a.flash) as f:
        flash = json.load(f)
    with open(a.notify) as f:
        notify = json.load(f)

    verdicts = []
    print()
    print(f"{'':36}{'req/s':>10}{'share':>8}{'p50 ms':>9}{'p99 ms':>9}{'RSS MB':>8}")
    for row in rows:
        row["share_of_ceiling"] = row["rps"] / ceiling
        mark = ""
        if row["name"] in TARGETS:
            target = TARGETS[row["name"]]
            ok = row["share_of_ceiling"] >= target
            mark = f"  target >= {target:.0%}: {'met' if ok else 'MISSED'}"
            verdicts.append(ok)
        print(f"{row['name']:<36}{row['rps']:>10.0f}{row['share_of_ceiling']:>8.1%}"
              f"{row['p50_ms']:>9.2f}{row['p99_ms']:>9.2f}{row['rss_mb']:>8.1f}{mark}")
    rate = checkout["checkouts_per_second"]
    verdicts += [rate >= 1000, a.peak_mb < 100, a.cold_ms < 1000]
    print()
    print(f"checkout, uncontended: {checkout['accepted']} of {checkout['buyers']} placed, "
          f"{rate:.0f} checkouts/s  (target >= 1,000: {'met' if rate >= 1000 else 'MISSED'})")
    print(f"flash sale, 2 processes: {flash['accepted']} orders for {flash['stock']} units, "
          f"{flash['left']} left, {flash['refused']} sold out, {flash['other']} other, "
          f"{flash['checkouts_per_second']:.0f} checkouts/s")
    notify_rate = notify["per_second"]
    verdicts.append(notify_rate >= 1000)
    print(f"notifications: {notify['sent']} of {notify['notices']} delivered to local stand-ins, "
          f"{notify_rate:.0f}/s  (target >= 1,000: {'met' if notify_rate >= 1000 else 'MISSED'})")
    print(f"server peak RSS under load: {a.peak_mb:.1f} MB  "
          f"(target < 100: {'met' if a.peak_mb < 100 else 'MISSED'})")
    print(f"cold start to ready: {a.cold_ms} ms  (target < 1000: {'met' if a.cold_ms < 1000 else 'MISSED'})")

    result = {
        "commit": a.commit,
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "products": a.products,
        "wrk": {"threads": 2, "connections": 32, "seconds": a.seconds},
        "rows": rows,
        "checkout_uncontended": checkout,
        "flash_sale": flash,
        "notifications": notify,
        "peak_rss_mb": a.peak_mb,
        "cold_start_ms": a.cold_ms,
        "targets_met": all(verdicts),
    }
    with open(a.out, "w") as out:
        json.dump(result, out, indent=2)
        out.write("\n")
    print(f"\nwritten to {a.out}")


if __name__ == "__main__":
    main()
