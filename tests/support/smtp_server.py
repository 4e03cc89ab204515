"""A real SMTP server on loopback for Frontdesk's tests (Debian's python3-aiosmtpd).

Usage: smtp_server.py PORT DIR   (PORT 0 picks a free one)

Clients may log in as desk / hunter2-secret (any other login gets 535), or send without logging in.

Prints "listening on PORT" once it accepts connections. Every message it accepts is parsed with
Python's email package and written to DIR as one JSON file (envelope, headers, both parts, MIME
defects), so tests can assert on what a mail client would see. The file DIR/mode, read at each
message, makes it misbehave on demand:
  accept        (default) answer 250
  temporary     answer 451 (nothing stored)
  permanent     answer 550 (nothing stored)
  slow SECONDS  store the message, then wait before answering 250
"""

import asyncio
import email
import email.policy
import json
import os
import sys
import time
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

# aiosmtpd 1.4 warns about its own use of a deprecated attribute on every login.
warnings.simplefilter("ignore", DeprecationWarning)

# The one account the server knows; clients that log in must use it (plain text is allowed:
# this server is only ever on loopback).
USER, PASSWORD = b"desk", b"hunter2-secret"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (USER, PASSWORD)
    return AuthResult(success=ok, handled=False)


class Handler:
    def __init__(self, directory):
        self.directory = directory

    def mode(self):
        try:
            with open(os.path.join(self.directory, "mode")) as f:
                return f.read().split()
        except FileNotFoundError:
            return ["accept"]

    async def handle_DATA(self, server, session, envelope):
        mode = self.mode()
        if mode[0] == "temporary":
            return "451 4.3.0 Mailbox busy, try again later"
        if mode[0] == "permanent":
            return "550 5.1.1 No such user here"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        parts = {}
        for part in message.walk():
            if not part.is_multipart():
                parts[part.get_content_type()] = part.get_content()
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "headers": {k.lower(): str(v) for k, v in message.items()},
            "content_type": message.get_content_type(),
            "parts": parts,
            "defects": [str(d) for p in message.walk() for d in p.defects],
        }
        name = "%020d.json" % time.time_ns()
        tmp = os.path.join(self.directory, name + ".tmp")
        with open(tmp, "w") as f:
            json.dump(record, f)
        os.rename(tmp, os.path.join(self.directory, name))
        if mode[0] == "slow":
            await asyncio.sleep(float(mode[1]))
        return "250 2.0.0 Stored as " + name


async def main():
    port, directory = int(sys.argv[1]), sys.argv[2]
    handler = Handler(directory)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="smtp.test", authenticator=authenticator, auth_require_tls=False),
        "127.0.0.1",
        port,
    )
    print("listening on", server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
