"""Issue 13, SMTP faults test_smtp.py does not cover yet.

test_smtp.py has: relay down then up, 550 and 451 at RCPT, the reply lost
after the whole message, a wrong password, STARTTLS with an unknown CA
on a relay that requires STARTTLS, a relay without STARTTLS, a silent
relay at SIGTERM.  Here:

- TLS refused on a relay that offers STARTTLS but would take clear text:
  affild must never fall back (no MAIL in clear), and retries, per
  docs/design.md ("TLS or login failure: retried");
- a certificate from the trusted CA but for another name;
- smtps:// (TLS from the first byte) with an unknown certificate;
- 554 and 451 as the reply to the message itself (after the data);
- 421 at MAIL FROM;
- the connection cut after 354, in the middle of the data: ambiguous,
  sent again with the same Message-ID, delivered once;
- a relay that never greets: timed out, retried, and files keep flowing.
"""
import email
import email.policy
import socket
import ssl
import threading
import time

from aiosmtpd.controller import Controller

from conftest import wait_for
from smtp_server import Recorder, Server, Silent
from test_smtp import affiliations, make_cert, outbox, smtp_affild


def one_confirmation(a, name="aff.csv", who="celia"):
    a.drop(name, affiliations([
        ("AFFILIATION_COMPLETE", "Fabre", "Célia", "%s@example.fr" % who,
         "BASE")]))
    a.wait_report(name)


class LaxTLS(Server):
    """STARTTLS offered, not required: a clear-text MAIL would be taken.
    implicit=True: TLS from the first byte (smtps://)."""

    def __init__(self, key, crt, implicit=False, **kw):
        super().__init__(**kw)
        self.key, self.crt, self.implicit = key, crt, implicit

    def start(self):
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(str(self.crt), str(self.key))
        kw = dict(ssl_context=ctx) if self.implicit else \
            dict(tls_context=ctx, require_starttls=False)
        self.controller = Controller(self.handler, hostname="127.0.0.1",
                                     port=self.port, **kw)
        self.controller.start()


def refused_and_retried(a, srv, what):
    """Two attempts at least, both refused before any SMTP command."""
    one_confirmation(a)
    wait_for(lambda: outbox(a)[0]["attempts"] >= 2,
             what="two attempts", log=a.log)
    [m] = outbox(a)
    assert m["state"] == "pending", m
    assert what in m["error"], m["error"]
    assert srv.handler.commands == [], "something was sent in clear"
    assert srv.handler.messages == []


def test_a_bad_certificate_never_falls_back_to_clear_text(tmp_path):
    key, crt = make_cert(tmp_path)
    srv = LaxTLS(key, crt)
    srv.start()
    a = smtp_affild(tmp_path / "a", srv.port, host="localhost",
                    tls="required")    # no ca_file: the cert is unknown
    a.start()
    try:
        refused_and_retried(a, srv, "certificate")
        assert "event=mail_retry id=1" in a.log.read_text()
    finally:
        a.stop()
        srv.stop()


def test_a_trusted_certificate_for_another_name_is_refused(tmp_path):
    key, crt = make_cert(tmp_path)       # for localhost only
    srv = LaxTLS(key, crt)
    srv.start()
    a = smtp_affild(tmp_path / "a", srv.port, host="127.0.0.1",
                    tls="required", extra="  ca_file: %s\n" % crt)
    a.start()
    try:
        refused_and_retried(a, srv, "127.0.0.1")
    finally:
        a.stop()
        srv.stop()


def test_smtps_with_an_unknown_certificate_sends_nothing(tmp_path):
    key, crt = make_cert(tmp_path)
    srv = LaxTLS(key, crt, implicit=True)
    srv.start()
    a = smtp_affild(tmp_path / "a", srv.port, host="localhost",
                    tls="required")
    a.config.write_text(a.config.read_text().replace("smtp://", "smtps://"))
    a.start()
    try:
        refused_and_retried(a, srv, "certificate")
    finally:
        a.stop()
        srv.stop()
    # The same relay with its CA: the message goes, over TLS.
    srv = LaxTLS(key, crt, implicit=True, port=srv.port)
    srv.start()
    b = smtp_affild(tmp_path / "b", srv.port, host="localhost",
                    tls="required", extra="  ca_file: %s\n" % crt)
    b.config.write_text(b.config.read_text().replace("smtp://", "smtps://"))
    b.start()
    try:
        one_confirmation(b)
        wait_for(lambda: [m["state"] for m in outbox(b)] == ["sent"],
                 what="sent over smtps", log=b.log)
    finally:
        b.stop()
        srv.stop()
    # (aiosmtpd marks session.ssl only after STARTTLS: count the message)
    assert [r for _, r, _ in srv.handler.messages] == [["celia@example.fr"]]


class AfterData(Recorder):
    """Replies `code` to the message itself for the listed recipients
    (`times` times each), after it was received whole."""

    def __init__(self, replies, **kw):
        super().__init__(**kw)
        self.replies = dict(replies)   # rcpt -> [reply, times]
        self.refused = []

    async def handle_DATA(self, server, session, envelope):
        rcpt = envelope.rcpt_tos[0]
        with self.lock:
            r = self.replies.get(rcpt)
            if r and r[1] > 0:
                r[1] -= 1
                self.refused.append(rcpt)
                return r[0]
        return await super().handle_DATA(server, session, envelope)


def test_554_after_the_data_is_parked_at_once(tmp_path):
    srv = Server()
    srv.handler = AfterData({"no@example.fr": ["554 5.7.1 contenu refusé", 9]})
    srv.start()
    a = smtp_affild(tmp_path, srv.port)
    a.start()
    try:
        a.drop("aff.csv", affiliations([
            ("AFFILIATION_COMPLETE", "Fabre", "Célia", "no@example.fr",
             "BASE"),
            ("AFFILIATION_COMPLETE", "Roux", "Léon", "yes@example.fr",
             "BASE")]))
        a.wait_report("aff.csv")
        wait_for(lambda: sorted(m["state"] for m in outbox(a))
                 == ["failed", "sent"], what="parked and sent", log=a.log)
        time.sleep(2.5)            # retry_min_s is 1: a retry would show
    finally:
        a.stop()
        srv.stop()
    [parked] = [m for m in outbox(a) if m["state"] == "failed"]
    assert parked["recipient"] == "no@example.fr"
    assert parked["attempts"] == 1
    assert parked["error"].startswith("refusé par le serveur : 554 5.7.1")
    assert srv.handler.refused == ["no@example.fr"]
    assert [r for _, r, _ in srv.handler.messages] == [["yes@example.fr"]]
    assert "event=mail_ambiguous" not in a.log.read_text()


def test_451_after_the_data_is_retried_and_delivered_once(tmp_path):
    srv = Server()
    srv.handler = AfterData({"later@example.fr": ["451 4.3.0 plus tard", 2]})
    srv.start()
    a = smtp_affild(tmp_path, srv.port)
    a.start()
    try:
        one_confirmation(a, "a.csv", "later")
        wait_for(lambda: [m["state"] for m in outbox(a)] == ["sent"],
                 timeout=30, what="sent after two 451", log=a.log)
    finally:
        a.stop()
        srv.stop()
    assert srv.handler.refused == ["later@example.fr"] * 2
    assert len(srv.handler.messages) == 1
    assert outbox(a)[0]["attempts"] == 3
    assert "event=mail_ambiguous" not in a.log.read_text()


class TempfailMail(Recorder):
    def __init__(self, times, **kw):
        super().__init__(**kw)
        self.times_left = times

    async def handle_MAIL(self, server, session, envelope, address, options):
        with self.lock:
            if self.times_left > 0:
                self.times_left -= 1
                return "421 4.3.2 service indisponible"
        return await super().handle_MAIL(server, session, envelope, address,
                                         options)


def test_421_at_mail_from_is_retried(tmp_path):
    srv = Server()
    srv.handler = TempfailMail(1)
    srv.start()
    a = smtp_affild(tmp_path, srv.port)
    a.start()
    try:
        one_confirmation(a)
        wait_for(lambda: [m["state"] for m in outbox(a)] == ["sent"],
                 timeout=30, what="sent after a 421", log=a.log)
    finally:
        a.stop()
        srv.stop()
    assert len(srv.handler.messages) == 1
    assert outbox(a)[0]["attempts"] == 2
    assert "code=421" in a.log.read_text()


class CutInData:
    """A scripted relay: the first connection is cut after 354 and a few
    bytes of the message; later ones take the message (one per
    connection) and keep its bytes."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.cuts = 1
        self.messages = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        try:
            while True:
                c, _ = self.sock.accept()
                with c:
                    self._session(c.makefile("rb"), c)
        except OSError:
            pass

    def _session(self, rf, c):
        c.sendall(b"220 cut.example ESMTP\r\n")
        while True:
            line = rf.readline()
            if not line:
                return
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                c.sendall(b"250 cut.example\r\n")
            elif verb == b"QUIT":
                c.sendall(b"221 bye\r\n")
                return
            elif verb == b"DATA":
                c.sendall(b"354 go ahead\r\n")
                if self.cuts > 0:
                    self.cuts -= 1
                    rf.read(64)
                    c.shutdown(socket.SHUT_RDWR)
                    return
                data = b""
                while not data.endswith(b"\r\n.\r\n"):
                    chunk = rf.readline()
                    if not chunk:
                        return
                    data += chunk
                self.messages.append(data)
                c.sendall(b"250 2.0.0 queued\r\n")
            else:
                c.sendall(b"250 OK\r\n")

    def stop(self):
        self.sock.close()


def test_connection_cut_in_the_middle_of_the_data(tmp_path):
    srv = CutInData()
    a = smtp_affild(tmp_path, srv.port)
    a.start()
    try:
        one_confirmation(a)
        wait_for(lambda: [m["state"] for m in outbox(a)] == ["sent"],
                 timeout=30, what="sent after the cut", log=a.log)
    finally:
        a.stop()
        srv.stop()
    assert len(srv.messages) == 1
    assert outbox(a)[0]["attempts"] == 2
    assert "event=mail_ambiguous id=1" in a.log.read_text()
    msg = email.message_from_bytes(srv.messages[0],
                                   policy=email.policy.default)
    assert msg["Message-ID"]


def test_a_relay_that_never_greets_is_timed_out_and_files_flow(tmp_path):
    silent = Silent()
    a = smtp_affild(tmp_path, silent.port, connect_timeout=1, timeout=2)
    a.start()
    try:
        one_confirmation(a, "a.csv", "a")
        wait_for(lambda: outbox(a)[0]["attempts"] >= 1, timeout=20,
                 what="a timed-out attempt", log=a.log)
        m = outbox(a)[0]
        assert m["state"] == "pending" and m["error"], m
        # The sender thread is stuck on the network; files are not.
        t0 = time.monotonic()
        one_confirmation(a, "b.csv", "b")
        assert time.monotonic() - t0 < 5
    finally:
        a.stop()
        silent.stop()
