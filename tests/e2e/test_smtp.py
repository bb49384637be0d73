"""Issue 6, SMTP: the real affild delivering to a real aiosmtpd on loopback.

Each test writes the Affild fixture's config with `mail.transport: smtp`
towards a Recorder server (smtp_server.py) on a free port, with short
retry delays, then drops payroll files and watches what reaches the
server and what `affilctl outbox` says.
"""
import email
import email.policy
import json
import os
import signal
import sqlite3
import subprocess
import time
from datetime import date

from conftest import BIN, HEADER, REPO, Affild, make_nir, row, wait_for
from smtp_server import Server, Silent

FROM_ADDR = "affiliation@assureur.example"
MAIL = """\
mail:
  transport: smtp
  url: smtp://{host}:{port}
  tls: {tls}
  from: "Espace entreprise <{from_addr}>"
  templates: {repo}/templates/fr
  print_dir: {root}/print
  connect_timeout_s: {connect_timeout}
  timeout_s: {timeout}
  retry_min_s: 1
  retry_max_s: 2
{extra}"""


def smtp_affild(root, port, connect_timeout=2, timeout=10, extra="",
                host="127.0.0.1", tls="none"):
    """An Affild whose mail section points at host:port (not started)."""
    a = Affild(root)
    text = a.config.read_text()
    start, end = text.index("mail:\n"), text.index("portal:\n")
    block = MAIL.format(host=host, port=port, tls=tls, repo=REPO, root=a.root,
                        from_addr=FROM_ADDR,
                        connect_timeout=connect_timeout, timeout=timeout,
                        extra=extra)
    a.config.write_text(text[:start] + block + text[end:])
    return a


BORN = date(1988, 9, 3)


def people(n, first_serial):
    return [make_nir(1, BORN, first_serial + i) for i in range(n)]


def affiliations(rows):
    """rows: (operation, nom, prenom, email[, option]); a CSV text."""
    nirs = people(len(rows), 300)
    text = HEADER
    for nir, r in zip(nirs, rows):
        op, nom, prenom, mail = r[:4]
        text += row(op, nir, nom, prenom, BORN.isoformat(), mail,
                    r[4] if len(r) > 4 else "")
    return text


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def outbox(a, *args):
    return a.ctl_json("outbox", *args)


def ctl_rc(a, *args):
    r = subprocess.run([str(BIN / "affilctl"), "-c", str(a.config), *args],
                       capture_output=True, text=True, timeout=30)
    return r.returncode, r.stdout, r.stderr


def test_invitations_and_confirmations_arrive_decoded(tmp_path):
    srv = Server()
    srv.start()
    a = smtp_affild(tmp_path, srv.port)
    a.start()
    try:
        a.drop("aff.csv", affiliations([
            ("AFFILIATION_SIMPLE", "Lefèvre", "Anaïs", "anais@example.fr"),
            ("AFFILIATION_SIMPLE", "Dupont", "Jean-Noël", "jn@example.fr"),
            ("AFFILIATION_COMPLETE", "Bernard", "Hélène", "helene@example.fr",
             "BASE"),
        ]))
        a.wait_report("aff.csv")
        wait_for(lambda: len(srv.handler.messages) == 3, what="3 messages",
                 log=a.log)
        wait_for(lambda: all(m["state"] == "sent" for m in outbox(a)),
                 what="outbox all sent", log=a.log)
    finally:
        a.stop()
        srv.stop()
    got = {}
    for mail_from, rcpts, raw in srv.handler.messages:
        assert mail_from == FROM_ADDR
        assert len(rcpts) == 1, "one envelope recipient per message"
        assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
        msg = parse(raw)
        assert not msg.defects
        assert str(msg["To"]) == rcpts[0]
        assert msg["Message-ID"] and msg["Date"]
        got[rcpts[0]] = (str(msg["Subject"]),
                         msg.get_body(("plain",)).get_content())
    assert set(got) == {"anais@example.fr", "jn@example.fr", "helene@example.fr"}
    subject, body = got["anais@example.fr"]
    assert subject == ("Votre affiliation à la complémentaire santé de "
                       "Exemple SAS")
    assert "Bonjour Anaïs Lefèvre," in body
    assert "https://espace.assureur.example/affiliation/" in body
    assert "Bonjour Jean-Noël Dupont," in got["jn@example.fr"][1]
    subject, body = got["helene@example.fr"]
    assert subject.endswith("de Exemple SAS est confirmée")
    assert "Bonjour Hélène Bernard," in body and "BASE" in body
    # Three messages, one connection: the easy handle's connection is reused.
    assert srv.handler.connections() == 1


def test_server_down_then_up_every_message_arrives_once(tmp_path):
    srv = Server()            # port chosen, nothing listening yet
    a = smtp_affild(tmp_path, srv.port)
    a.start()
    try:
        rows = [("AFFILIATION_SIMPLE", "Martin", "Zoé", "p%d@example.fr" % i)
                for i in range(6)]
        a.drop("aff.csv", affiliations(rows))
        a.wait_report("aff.csv")
        # Every message fails at least once while the port is closed.
        wait_for(lambda: all(m["state"] == "pending" and m["error"]
                             for m in outbox(a)) and len(outbox(a)) == 6,
                 what="6 pending with an error", log=a.log)
        time.sleep(3)
        pending = outbox(a)
        assert all(m["state"] == "pending" for m in pending)
        assert any(m["attempts"] >= 1 for m in pending)
        assert any("chec temporaire" in m["error"] for m in pending)
        srv.start()
        wait_for(lambda: all(m["state"] == "sent" for m in outbox(a)),
                 timeout=30, what="all sent once the server is up", log=a.log)
        time.sleep(2)          # a duplicate would have time to arrive
    finally:
        a.stop()
        srv.stop()
    rcpts = sorted(r[0] for _, r, _ in srv.handler.messages)
    assert rcpts == sorted("p%d@example.fr" % i for i in range(6))
    ids = [parse(raw)["Message-ID"] for _, _, raw in srv.handler.messages]
    assert len(set(ids)) == 6


def test_550_is_parked_with_its_reason_and_retry_requeues_it(tmp_path):
    srv = Server(refuse={"refuse@example.fr", "invite-refuse@example.fr"})
    srv.start()
    a = smtp_affild(tmp_path, srv.port)
    a.start()
    try:
        a.drop("aff.csv", affiliations([
            ("AFFILIATION_COMPLETE", "Roux", "Léon", "refuse@example.fr", "BASE"),
            ("AFFILIATION_COMPLETE", "Blanc", "Inès", "ines@example.fr", "BASE"),
            ("AFFILIATION_SIMPLE", "Noir", "Loïc", "invite-refuse@example.fr"),
            ("AFFILIATION_SIMPLE", "Vert", "Maëlle", "maelle@example.fr"),
        ]))
        a.wait_report("aff.csv")
        wait_for(lambda: len(outbox(a, "--failed")) == 2 and
                 sum(m["state"] == "sent" for m in outbox(a)) == 2,
                 what="2 parked, 2 sent", log=a.log)
        failed = {m["recipient"]: m for m in outbox(a, "--failed")}
        conf = failed["refuse@example.fr"]
        assert conf["kind"] == "confirmation"
        assert conf["error"].startswith("refusé par le serveur : 550 5.1.1")
        assert "refuse@example.fr" in conf["error"]
        assert conf["attempts"] == 1
        got = sorted(r[0] for _, r, _ in srv.handler.messages)
        assert got == ["ines@example.fr", "maelle@example.fr"]

        # The admin retries: back to pending at once, attempts kept.
        srv.handler.refuse.clear()
        rc, out, err = ctl_rc(a, "outbox", "retry", str(conf["outbox_id"]))
        assert rc == 0, err
        assert "remis en file" in out
        # the daemon did it, from the admin drop, and says who asked
        assert "event=outbox_retry id=%s by=root" % conf["outbox_id"] in \
            a.log.read_text()
        wait_for(lambda: any(r == ["refuse@example.fr"]
                             for _, r, _ in srv.handler.messages),
                 what="the retried message", log=a.log)
        wait_for(lambda: {m["outbox_id"]: m for m in outbox(a)}[conf["outbox_id"]]["state"]
                 == "sent", what="retried message sent", log=a.log)
        assert {m["outbox_id"]: m for m in outbox(a)}[conf["outbox_id"]]["attempts"] == 2

        # A parked invitation lost its link: retrying it is refused.
        inv = failed["invite-refuse@example.fr"]
        assert inv["kind"] == "invitation"
        rc, _, err = ctl_rc(a, "outbox", "retry", str(inv["outbox_id"]))
        assert rc != 0 and "lien d'invitation" in err
        # Retrying a sent message or an unknown id is an error too.
        assert ctl_rc(a, "outbox", "retry", str(conf["outbox_id"]))[0] != 0
        assert ctl_rc(a, "outbox", "retry", "99999")[0] != 0
    finally:
        a.stop()
        srv.stop()


def test_451_is_retried_until_accepted(tmp_path):
    srv = Server(tempfail={"later@example.fr": 2})
    srv.start()
    a = smtp_affild(tmp_path, srv.port)
    a.start()
    try:
        a.drop("aff.csv", affiliations([
            ("AFFILIATION_COMPLETE", "Morel", "Gaëlle", "later@example.fr",
             "BASE")]))
        a.wait_report("aff.csv")
        wait_for(lambda: [m["state"] for m in outbox(a)] == ["sent"],
                 what="sent after two 451", log=a.log)
    finally:
        a.stop()
        srv.stop()
    assert srv.handler.rcpts() == ["later@example.fr"] * 3
    assert len(srv.handler.messages) == 1
    assert outbox(a)[0]["attempts"] == 3
    assert a.log.read_text().count("event=mail_retry id=1 ") == 2
    assert "code=451" in a.log.read_text()


def test_too_old_to_retry_is_parked_with_the_last_reason(tmp_path):
    srv = Server()             # never started: the port stays closed
    # max_age_s: 5 days by default, 1 day here; the row was queued 2 days ago.
    a = smtp_affild(tmp_path, srv.port, extra="  max_age_s: 86400\n")
    a.start()
    try:
        db = sqlite3.connect(str(a.root / "affild.db"), timeout=30)
        with db:
            db.execute(
                "INSERT INTO outbox (created_at, kind, recipient, data,"
                " message_id, attempts) VALUES"
                " (strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-2 days'),"
                " 'confirmation', 'old@example.fr', ?,"
                " 'x.2@assureur.example', 7)",
                (json.dumps({"prenom": "Jules", "nom": "Faure",
                             "employeur": "Exemple SAS", "option": "BASE",
                             "date_effet": "2026-01-01"}),))
        db.close()
        wait_for(lambda: len(outbox(a, "--failed")) == 1,
                 what="parked for age", log=a.log)
    finally:
        a.stop()
    [m] = outbox(a, "--failed")
    assert m["attempts"] == 8
    assert m["error"].startswith("abandonné après 8 tentatives en 86400 s : "
                                 "échec temporaire : ")
    assert "onnect" in m["error"]


def test_crlf_in_an_address_never_reaches_the_server(tmp_path):
    srv = Server()
    srv.start()
    a = smtp_affild(tmp_path, srv.port)
    a.start()
    evil = "victim@example.fr\r\nRCPT TO:<evil@attacker.example>"
    try:
        # Through the payroll file: the quoted field keeps its CR/LF.
        nir = people(1, 400)[0]
        text = HEADER + ";".join([
            "AFFILIATION_COMPLETE", nir, "Leroy", "Paul", BORN.isoformat(),
            BORN.replace(year=2020).isoformat(), "NON_CADRE",
            '"%s"' % evil, "BASE"]) + "\r\n"
        text += row("AFFILIATION_COMPLETE", people(1, 401)[0], "Moreau",
                    "Anne", BORN.isoformat(), "anne@example.fr", "BASE")
        a.drop("aff.csv", text)
        rows = a.wait_report("aff.csv")
        bad = [r for r in rows if r["ligne"] == "2"]
        assert bad and bad[0]["resultat"] == "REJETE", rows
        assert bad[0]["champ"] == "email"
        # Straight into the outbox, as a future kind of message might.
        db = sqlite3.connect(str(a.root / "affild.db"), timeout=30)
        with db:
            db.execute(
                "INSERT INTO outbox (created_at, kind, recipient, data,"
                " message_id) VALUES (strftime('%Y-%m-%dT%H:%M:%SZ'),"
                " 'confirmation', ?, ?, 'x.1@assureur.example')",
                (evil, json.dumps({"prenom": "Paul", "nom": "Leroy",
                                   "employeur": "Exemple SAS",
                                   "option": "BASE",
                                   "date_effet": "2026-01-01"})))
        db.close()
        wait_for(lambda: len(outbox(a, "--failed")) >= 1 and
                 any(m["state"] == "sent" for m in outbox(a)),
                 what="the bad row parked", log=a.log)
        time.sleep(1)
    finally:
        a.stop()
        srv.stop()
    assert srv.handler.rcpts() == ["anne@example.fr"]
    for _, rcpts, raw in srv.handler.messages:
        assert b"evil" not in raw and rcpts == ["anne@example.fr"]
    parked = [m for m in outbox(a, "--failed") if "evil" in m["recipient"]]
    assert len(parked) == 1 and parked[0]["error"].startswith("message refusé")


def test_reply_lost_after_data_is_retried_with_the_same_message_id(tmp_path):
    srv = Server(drop_after_data=1)
    srv.start()
    a = smtp_affild(tmp_path, srv.port)
    a.start()
    try:
        a.drop("aff.csv", affiliations([
            ("AFFILIATION_COMPLETE", "Simon", "Aurélie", "aurelie@example.fr",
             "BASE")]))
        a.wait_report("aff.csv")
        wait_for(lambda: [m["state"] for m in outbox(a)] == ["sent"],
                 what="sent after the ambiguous failure", log=a.log)
    finally:
        a.stop()
        srv.stop()
    assert len(srv.handler.messages) == 2
    first, second = (parse(raw) for _, _, raw in srv.handler.messages)
    assert first["Message-ID"] == second["Message-ID"]
    assert first["Date"] == second["Date"]
    assert srv.handler.messages[0][2] == srv.handler.messages[1][2]
    assert outbox(a)[0]["attempts"] == 2
    assert "event=mail_ambiguous" in a.log.read_text()


def test_authentication_with_the_credentials_file(tmp_path):
    srv = Server(auth=("affild", "s3cr3t-pa55"))
    srv.start()
    cred = tmp_path / "smtp.cred"
    cred.write_text("affild:s3cr3t-pa55\n")
    cred.chmod(0o600)
    a = smtp_affild(tmp_path, srv.port,
                    extra="  credentials_file: %s\n" % cred)
    a.start()
    try:
        a.drop("aff.csv", affiliations([
            ("AFFILIATION_COMPLETE", "Petit", "Noé", "noe@example.fr", "BASE")]))
        a.wait_report("aff.csv")
        wait_for(lambda: [m["state"] for m in outbox(a)] == ["sent"],
                 what="sent with authentication", log=a.log)
    finally:
        a.stop()
        srv.stop()
    assert srv.handler.logins == ["affild"]
    assert "s3cr3t" not in a.log.read_text()


def test_wrong_password_is_retried_not_parked(tmp_path):
    srv = Server(auth=("affild", "right"))
    srv.start()
    cred = tmp_path / "smtp.cred"
    cred.write_text("affild:wrong")
    cred.chmod(0o600)
    a = smtp_affild(tmp_path, srv.port,
                    extra="  credentials_file: %s\n" % cred)
    a.start()
    try:
        a.drop("aff.csv", affiliations([
            ("AFFILIATION_COMPLETE", "Petit", "Noé", "noe@example.fr", "BASE")]))
        a.wait_report("aff.csv")
        wait_for(lambda: outbox(a)[0]["attempts"] >= 1, log=a.log,
                 what="a failed attempt")
        m = outbox(a)[0]
        assert m["state"] == "pending" and "535" in m["error"]
    finally:
        a.stop()
        srv.stop()
    assert srv.handler.messages == []


def make_cert(d):
    """A self-signed certificate for localhost: our private CA."""
    key, crt = d / "key.pem", d / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", str(key), "-out", str(crt), "-days", "2",
                    "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost"],
                   check=True, capture_output=True)
    return key, crt


def one_confirmation(a):
    a.drop("aff.csv", affiliations([
        ("AFFILIATION_COMPLETE", "Fabre", "Célia", "celia@example.fr", "BASE")]))
    a.wait_report("aff.csv")


def test_starttls_required_and_the_certificate_verified(tmp_path):
    key, crt = make_cert(tmp_path)
    srv = Server(tls=(key, crt))
    srv.start()
    # The private CA given: STARTTLS, then the message.
    a = smtp_affild(tmp_path / "ok", srv.port, host="localhost",
                    tls="required", extra="  ca_file: %s\n" % crt)
    a.start()
    try:
        one_confirmation(a)
        wait_for(lambda: [m["state"] for m in outbox(a)] == ["sent"],
                 what="sent over STARTTLS", log=a.log)
    finally:
        a.stop()
    assert srv.handler.tls_sessions == [True]
    # Without the CA the self-signed certificate is refused: not sent.
    b = smtp_affild(tmp_path / "noca", srv.port, host="localhost",
                    tls="required")
    b.start()
    try:
        one_confirmation(b)
        wait_for(lambda: outbox(b)[0]["error"], what="an error", log=b.log)
        m = outbox(b)[0]
        assert m["state"] == "pending" and "certificate" in m["error"]
    finally:
        b.stop()
        srv.stop()
    assert len(srv.handler.messages) == 1


def test_a_server_without_starttls_gets_nothing(tmp_path):
    srv = Server()             # plain SMTP, no STARTTLS offered
    srv.start()
    a = smtp_affild(tmp_path, srv.port, host="localhost", tls="required")
    a.start()
    try:
        one_confirmation(a)
        wait_for(lambda: outbox(a)[0]["error"], what="an error", log=a.log)
        m = outbox(a)[0]
        assert m["state"] == "pending" and "STARTTLS" in m["error"]
    finally:
        a.stop()
        srv.stop()
    assert srv.handler.commands == [] and srv.handler.messages == []


def test_sighup_moves_to_a_new_server(tmp_path):
    srv = Server()
    srv.start()
    closed = Server()          # never started
    a = smtp_affild(tmp_path, closed.port)
    a.start()
    try:
        one_confirmation(a)
        wait_for(lambda: outbox(a)[0]["error"], what="an error", log=a.log)
        # A config whose transport cannot start is refused whole.
        good = a.config.read_text()
        a.config.write_text(good.replace(
            "  retry_min_s: 1\n",
            "  retry_min_s: 1\n  credentials_file: %s/nope\n" % tmp_path))
        a.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "event=reload_refused" in a.log.read_text(),
                 what="reload refused", log=a.log)
        assert outbox(a)[0]["state"] == "pending"
        a.config.write_text(good.replace(":%d\n" % closed.port,
                                         ":%d\n" % srv.port))
        a.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: [m["state"] for m in outbox(a)] == ["sent"],
                 what="sent through the new server", log=a.log)
        assert "event=mail_transport_restarted" in a.log.read_text()
    finally:
        a.stop()
        srv.stop()
    assert [r for _, r, _ in srv.handler.messages] == [["celia@example.fr"]]


def test_sigterm_during_a_stuck_transfer_exits_quickly(tmp_path):
    silent = Silent()          # accepts, never greets
    a = smtp_affild(tmp_path, silent.port, connect_timeout=60, timeout=120)
    a.start()
    try:
        a.drop("aff.csv", affiliations([
            ("AFFILIATION_COMPLETE", "Garnier", "Chloé", "chloe@example.fr",
             "BASE")]))
        a.wait_report("aff.csv")
        wait_for(lambda: silent.conns, what="the sender connected", log=a.log)
        time.sleep(0.5)
        t0 = time.monotonic()
        a.proc.send_signal(signal.SIGTERM)
        assert a.proc.wait(timeout=10) == 0
        assert time.monotonic() - t0 < 4, "SIGTERM must not wait for timeouts"
        a.proc = None
    finally:
        a.stop()
        silent.stop()
    # Not finished, so not counted: still pending, due at the next start.
    [m] = outbox(a)
    assert m["state"] == "pending" and m["attempts"] == 0


def test_unsafe_settings_are_refused_at_start(tmp_path):
    a = smtp_affild(tmp_path, 25)
    text = a.config.read_text().replace("smtp://127.0.0.1:25",
                                        "smtp://relay.example.org:25")
    a.config.write_text(text)
    r = subprocess.run([str(BIN / "affild"), "-c", str(a.config)],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 78      # EX_CONFIG
    assert "key=mail.tls" in r.stderr and "loopback" in r.stderr

    b = smtp_affild(tmp_path / "b", 25,
                    extra="  credentials_file: %s/nope\n" % tmp_path)
    r = subprocess.run([str(BIN / "affild"), "-c", str(b.config)],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 78
    assert "smtp_credentials_unreadable" in r.stderr

    # --check-config finds both, and passes a sound smtp configuration.
    for cfg, what in ((a.config, "key=mail.tls"),
                      (b.config, "smtp_credentials_unreadable")):
        r = subprocess.run([str(BIN / "affild"), "-c", str(cfg),
                            "--check-config"],
                           capture_output=True, text=True, timeout=20)
        assert r.returncode == 78 and what in r.stderr
        assert "configuration OK" not in r.stdout
    c = smtp_affild(tmp_path / "c", 25)
    r = subprocess.run([str(BIN / "affild"), "-c", str(c.config),
                        "--check-config"], capture_output=True, text=True,
                       timeout=20)
    assert r.returncode == 0 and "configuration OK" in r.stdout


def test_reminders_and_radiation_notices_arrive_decoded(tmp_path):
    """RELANCE and RADIATION notices, French subjects and dates, over SMTP."""
    from datetime import timedelta
    srv = Server()
    srv.start()
    a = smtp_affild(tmp_path, srv.port)
    a.start()
    nirs = people(3, 700)
    end = date.today() - timedelta(days=5)
    hired = (date.today() - timedelta(days=60)).isoformat()
    try:
        a.drop("aff.csv", HEADER +
               row("AFFILIATION_SIMPLE", nirs[0], "Roux", "Zoé",
                   BORN.isoformat(), "zoe@example.fr", hired=hired) +
               row("AFFILIATION_COMPLETE", nirs[1], "Lefèvre", "Hélène",
                   BORN.isoformat(), "helene@example.fr", "BASE", hired) +
               row("AFFILIATION_COMPLETE", nirs[2], "Noël", "Gérard",
                   BORN.isoformat(), "gerard@example.fr", "BASE", hired))
        a.wait_report("aff.csv")
        a.drop("mvts.csv", "operation;nir;date_fin_contrat;motif_rupture\n"
               "RELANCE;%s;;\nRADIATION;%s;%s;043\nRADIATION;%s;%s;039\n"
               % (nirs[0], nirs[1], end.isoformat(), nirs[2], end.isoformat()))
        rows = a.wait_report("mvts.csv")
        assert rows[-1]["code"] == "CR0", rows
        wait_for(lambda: len(srv.handler.messages) == 6, what="6 messages",
                 log=a.log)
    finally:
        a.stop()
        srv.stop()
    last = {}
    for _, rcpts, raw in srv.handler.messages:
        msg = parse(raw)
        assert not msg.defects
        last[rcpts[0]] = (str(msg["Subject"]),
                          msg.get_body(("plain",)).get_content())
    subject, body = last["zoe@example.fr"]
    assert "Rappel" in subject or "rappel" in subject, subject
    assert "Bonjour Zoé Roux," in body
    assert "https://espace.assureur.example/affiliation/" in body
    subject, body = last["helene@example.fr"]
    assert "maintenues gratuitement" in subject, subject
    assert (end + timedelta(days=1)).strftime("%d/%m/%Y") in body
    assert nirs[1] not in body
    subject, body = last["gerard@example.fr"]
    assert "Bonjour Gérard Noël," in body
    assert end.strftime("%d/%m/%Y") in body
