"""A real SMTP server on loopback for the tests and the benchmark.

aiosmtpd (Debian's python3-aiosmtpd) runs in a thread of the test process.
The Recorder handler keeps every command it was asked to act on (MAIL,
RCPT, DATA) and the raw bytes of every message, answers 550 to the
recipients it is told to refuse (451 a given number of times to others), can drop the connection right after
receiving a message (the reply lost: the "ambiguous" case), and counts the
connections that carried mail.
"""
import asyncio
import socket
import ssl
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    def __init__(self, refuse=(), drop_after_data=0, tempfail=None, delay=0):
        self.lock = threading.Lock()
        self.delay = delay        # seconds before each 250 to the data
        self.refuse = set(refuse)
        self.tempfail = dict(tempfail or {})  # address -> 451s still to give
        self.drop_after_data = drop_after_data  # this many replies lost
        self.commands = []        # ("MAIL", addr) / ("RCPT", addr) / ("DATA", n)
        self.messages = []        # (mail_from, [rcpt], raw bytes)
        self.sessions = []        # sessions that sent MAIL (kept alive)
        self.logins = []          # user names that authenticated
        self.times = []           # time.monotonic() of each message
        self.tls_sessions = []    # per message: was the session under TLS?

    async def handle_MAIL(self, server, session, envelope, address, options):
        with self.lock:
            self.commands.append(("MAIL", address))
            if not any(s is session for s in self.sessions):
                self.sessions.append(session)
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, options):
        with self.lock:
            self.commands.append(("RCPT", address))
        if address in self.refuse:
            return "550 5.1.1 <%s>: boîte inconnue" % address
        with self.lock:
            if self.tempfail.get(address, 0) > 0:
                self.tempfail[address] -= 1
                return "451 4.7.1 <%s>: réessayez plus tard" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.commands.append(("DATA", len(envelope.original_content)))
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                                  envelope.original_content))
            self.times.append(time.monotonic())
            self.tls_sessions.append(session.ssl is not None)
            drop = self.drop_after_data > 0
            if drop:
                self.drop_after_data -= 1
        if drop:
            server.transport.abort()   # the message is here, the 250 never leaves
        return "250 2.0.0 OK"

    def rcpts(self):
        with self.lock:
            return [a for c, a in self.commands if c == "RCPT"]

    def connections(self):
        with self.lock:
            return len(self.sessions)


class Server:
    """Recorder behind aiosmtpd on 127.0.0.1:port; start() and stop().
    auth=(user, password): AUTH PLAIN/LOGIN offered (cleartext: loopback).
    tls=(key, cert): STARTTLS offered and required before MAIL."""

    def __init__(self, port=None, auth=None, tls=None, **kw):
        self.port = port or free_port()
        self.handler = Recorder(**kw)
        self.auth = auth
        self.tls = tls
        self.controller = None

    def _authenticate(self, server, session, envelope, mechanism, data):
        ok = (data.login.decode(), data.password.decode()) == self.auth
        if ok:
            with self.handler.lock:
                self.handler.logins.append(data.login.decode())
        return AuthResult(success=ok, handled=False)

    def start(self):
        kw = {}
        if self.auth:
            # Offered, not required (aiosmtpd warns when AUTH is required
            # without TLS); affild uses it as soon as it has credentials.
            kw = dict(authenticator=self._authenticate,
                      auth_require_tls=False)
        if self.tls:
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(str(self.tls[1]), str(self.tls[0]))
            kw.update(tls_context=ctx, require_starttls=True)
        self.controller = Controller(self.handler, hostname="127.0.0.1",
                                     port=self.port, **kw)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None


class Silent:
    """Accepts TCP connections and never says a word (no greeting)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        try:
            while True:
                c, _ = self.sock.accept()
                self.conns.append(c)
        except OSError:
            pass

    def stop(self):
        for c in self.conns:
            c.close()
        self.sock.close()
