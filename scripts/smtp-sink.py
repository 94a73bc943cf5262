#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) for tests and development that keeps what it receives.

Each accepted message is written to DIR as <n>.json (envelope, subject, Message-ID, the plain
and HTML parts decoded, attachments with their names, types and sizes) beside <n>.eml (the
raw message). Stops on SIGTERM.

    scripts/smtp-sink.py --port 2525 --dir /tmp/mail [--delay-rcpt SECONDS]

--delay-rcpt makes every RCPT TO wait before it is accepted (before any message is
transferred): the fault tests kill a sender in that pause.
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import signal
import threading

from aiosmtpd.controller import Controller


class Keep:
    def __init__(self, folder, delay_rcpt=0.0):
        self.folder = folder
        self.delay_rcpt = delay_rcpt
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.delay_rcpt:
            await asyncio.sleep(self.delay_rcpt)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = html = None
        attachments = []
        for part in message.walk():
            if part.is_multipart():
                continue
            name = part.get_filename()
            if name:
                payload = part.get_payload(decode=True) or b""
                attachments.append(
                    {"filename": name, "content_type": part.get_content_type(), "size": len(payload),
                     "head": payload[:8].decode("latin-1")}
                )
            elif part.get_content_type() == "text/plain" and text is None:
                text = part.get_content()
            elif part.get_content_type() == "text/html" and html is None:
                html = part.get_content()
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(message["From"]),
            "to": str(message["To"]),
            "subject": str(message["Subject"]),
            "message_id": str(message["Message-ID"]),
            "text": text,
            "html": html,
            "attachments": attachments,
        }
        with self.lock:
            self.count += 1
            n = self.count
        base = os.path.join(self.folder, f"{n:06d}")
        with open(base + ".eml", "wb") as raw:
            raw.write(envelope.content)
        # Written whole, then renamed: a reader never sees half a file.
        with open(base + ".tmp", "w", encoding="utf-8") as out:
            json.dump(record, out, ensure_ascii=False)
        os.replace(base + ".tmp", base + ".json")
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--delay-rcpt", type=float, default=0.0)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    controller = Controller(Keep(args.dir, args.delay_rcpt), hostname=args.host, port=args.port)
    controller.start()
    print(f"smtp-sink listening on {args.host}:{args.port}, keeping mail in {args.dir}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
