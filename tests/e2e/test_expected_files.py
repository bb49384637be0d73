"""Issue "What payroll exports really contain...", item 5: silence is the
failure mode of a file watcher.  An employer's calendar (`expected:`) says
when a file is due; a missed cutoff queues one email to the employer and
one to process.admin_email, once per occurrence, caught up at start; a
file far smaller than the employer's usual ones queues the same kind of
alert, once.

Time: "now" is the real clock where the real clock gives the case (a
weekly day yesterday, at 00:00, is past; a file dropped now is in the
period); the instants around a cutoff in the future are injected the way
test_timers.py injects dates: `affilctl timers run --at AAAA-MM-JJTHH:MM
--force`, an ECHEANCES row the daemon applies from the admin drop, which
runs the very check the daemon runs at each wake-up.
"""
import email
import email.policy
import pytest
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from conftest import EMPLOYER, HEADER, Affild, make_nir, row, wait_for

PARIS = ZoneInfo("Europe/Paris")
ADMIN = "admin@assureur.example"
HR = "rh@exemple-sas.example"
DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
        "sunday"]
BORN = date(1990, 4, 12)


def paris_today():
    return datetime.now(PARIS).date()


def configured(tmp_path, expected=None):
    """An affild whose first employer has `expected: {expected}`."""
    a = Affild(tmp_path)
    text = a.config.read_text()
    text = text.replace("process:\n", "process:\n  admin_email: %s\n" % ADMIN, 1)
    a.config.write_text(text)
    if expected:
        set_expected(a, expected)
    return a


def set_expected(a, expected):
    text = a.config.read_text()
    text = text.replace("    contact_email: %s\n" % HR,
                        "    contact_email: %s\n    expected: %s\n" % (HR, expected), 1)
    a.config.write_text(text)


@pytest.fixture
def stopper():
    started = []
    yield started.append
    for a in started:
        a.stop()


def restart(a):
    old = a.log.with_suffix(".log.%d" % len(list(a.root.glob("affild.log*"))))
    a.log.rename(old)
    a.start()


def alerts(a, kind):
    return sorted(o["recipient"] for o in a.ctl_json("outbox") if o["kind"] == kind)


def mails_with(a, subject):
    out = []
    for m in a.mails():
        msg = email.message_from_bytes(m.read_bytes(), policy=email.policy.default)
        if subject in str(msg["Subject"]):
            out.append((str(msg["To"]), msg.get_body(("plain",)).get_content()))
    return sorted(out)


def metric(a, line_start):
    text = (a.root / "affild.prom").read_text()
    return [l for l in text.splitlines() if l.startswith(line_start)]


def employer_row(a):
    rows = a.ctl_json("employers")
    return {r["employer"]: r for r in rows}[EMPLOYER]


def test_missed_cutoff_caught_up_at_start_once_to_both(tmp_path, stopper):
    yesterday = paris_today() - timedelta(days=1)
    a = configured(tmp_path, "{ weekly_day: %s, cutoff: \"00:00\" }"
                   % DAYS[yesterday.weekday()])
    a.start()
    stopper(a)
    wait_for(lambda: len(mails_with(a, "Fichier attendu non reçu")) == 2,
             what="two late-file emails", log=a.log)
    mails = mails_with(a, "Fichier attendu non reçu")
    assert [to for to, _ in mails] == [ADMIN, HR]
    body = mails[0][1]
    assert "Exemple SAS" in body and yesterday.strftime("%d/%m/%Y") in body
    assert "00:00" in body
    # the other employer has no calendar: nobody told about it
    assert all("Autre SARL" not in b for _, b in mails)
    r = employer_row(a)
    assert r["late"] is True and r["last_file_id"] is None
    assert r["next_due"] == (yesterday + timedelta(days=7)).isoformat()
    assert r["cutoff"] == "00:00"
    wait_for(lambda: metric(a, 'affild_expected_file_late{employer="%s"} 1'
                            % EMPLOYER), what="late gauge", log=a.log)
    assert metric(a, 'affild_expected_alerts{kind="late"} 1')

    # Restarted: the same occurrence is not told again.
    a.stop()
    restart(a)
    a.stop()
    assert alerts(a, "fichier_attendu") == [ADMIN, HR]
    assert len(mails_with(a, "Fichier attendu non reçu")) == 2
    a.start()

    # A file arrives: no longer late, and the listing names it.
    nir = make_nir(1, BORN, 901)
    a.drop("tardif.csv", HEADER + row("AFFILIATION_SIMPLE", nir, "Lenoir",
                                      "Léa", BORN.isoformat(), "lea@example.fr"))
    a.wait_report("tardif.csv")
    r = employer_row(a)
    assert r["late"] is False and r["last_file_id"] and r["last_movements"] == 1
    wait_for(lambda: metric(a, 'affild_expected_file_late{employer="%s"} 0'
                            % EMPLOYER), what="gauge back to 0", log=a.log)


def test_cutoff_not_before_not_with_a_file_then_once(tmp_path, stopper):
    tomorrow = paris_today() + timedelta(days=1)
    a = configured(tmp_path)
    a.start()
    stopper(a)
    nir = make_nir(2, BORN, 902)
    a.drop("hebdo.csv", HEADER + row("AFFILIATION_SIMPLE", nir, "Martin",
                                     "Zoé", BORN.isoformat(), "zoe@example.fr"))
    a.wait_report("hebdo.csv")
    a.stop()
    # The calendar from now on: the file dropped today is in the period of
    # the last occurrence (a week ago) as of each instant below.
    set_expected(a, "{ weekly_day: %s, cutoff: \"12:00\" }"
                 % DAYS[tomorrow.weekday()])
    assert alerts(a, "fichier_attendu") == []
    restart(a)          # the new calendar; the daemon applies the runs

    def run_at(when):
        return a.ctl("timers", "run", "--at", when, "--force")

    # One minute before tomorrow's cutoff: not yet.
    assert "0 fichier(s) attendu(s) non reçu(s)" in run_at(
        tomorrow.isoformat() + "T11:59")
    # At the cutoff: the file dropped today is in the period.
    assert "0 fichier(s) attendu(s) non reçu(s)" in run_at(
        tomorrow.isoformat() + "T12:00")
    assert alerts(a, "fichier_attendu") == []
    # A week later, nothing came since tomorrow's cutoff: told once.
    week = (tomorrow + timedelta(days=7)).isoformat() + "T12:00"
    assert "1 fichier(s) attendu(s) non reçu(s)" in run_at(week)
    assert "0 fichier(s) attendu(s) non reçu(s)" in run_at(week)
    assert alerts(a, "fichier_attendu") == [ADMIN, HR]
    a.stop()
    restart(a)
    wait_for(lambda: len(mails_with(a, "Fichier attendu non reçu")) == 2,
             what="the two emails written", log=a.log)
    assert alerts(a, "fichier_attendu") == [ADMIN, HR]
    assert employer_row(a)["late"] is False


def test_monthly_last_day_in_the_listing(tmp_path, stopper):
    a = configured(tmp_path, "{ monthly_day: last, cutoff: \"18:00\" }")
    a.start()
    stopper(a)
    today = paris_today()
    nxt = date(today.year + today.month // 12, today.month % 12 + 1, 1) - timedelta(days=1)
    now = datetime.now(PARIS)
    if today == nxt and now.hour >= 18:
        nxt = date(nxt.year + nxt.month // 12, nxt.month % 12 + 1, 1)
        nxt = date(nxt.year + nxt.month // 12, nxt.month % 12 + 1, 1) - timedelta(days=1)
    r = employer_row(a)
    assert r["next_due"] == nxt.isoformat() and r["cutoff"] == "18:00"
    table = a.ctl("employers")
    assert "Autre SARL" in table and "Exemple SAS" in table
    csv_out = a.ctl("--format", "csv", "employers").splitlines()
    assert csv_out[0].startswith("\ufeffemployer;employer_name;folders;")


def affiliations(serial0, n):
    return HEADER + "".join(
        row("AFFILIATION_SIMPLE", make_nir(1, BORN, serial0 + i), "Nom%d" % i,
            "Prénom", BORN.isoformat(), "p%d@example.fr" % (serial0 + i))
        for i in range(n))


def test_small_file_alert_once_and_not_for_a_normal_one(tmp_path, stopper):
    a = configured(tmp_path, "{ min_share: 0.5 }")
    a.start()
    stopper(a)
    # Two earlier files: too few for a median, a tiny one is no alert.
    for k in range(2):
        a.drop("paie%d.csv" % k, affiliations(100 + 10 * k, 4))
        a.wait_report("paie%d.csv" % k)
    a.drop("tot.csv", affiliations(200, 1))
    a.wait_report("tot.csv")
    assert alerts(a, "fichier_petit") == []
    # Now three earlier files (4, 4, 1: median 4): 1 < 0.5 x 4.
    a.drop("petit.csv", affiliations(300, 1))
    a.wait_report("petit.csv")
    assert alerts(a, "fichier_petit") == [ADMIN, HR]
    a.drop("normal.csv", affiliations(400, 4))
    a.wait_report("normal.csv")
    assert alerts(a, "fichier_petit") == [ADMIN, HR]
    wait_for(lambda: len(mails_with(a, "Fichier inhabituellement petit")) == 2,
             what="small-file emails", log=a.log)
    body = mails_with(a, "Fichier inhabituellement petit")[0][1]
    assert "petit.csv" in body and "1 mouvement" in body and "4 en valeur" in body
    # no calendar: no late alert, no late gauge
    assert alerts(a, "fichier_attendu") == []
    wait_for(lambda: metric(a, 'affild_expected_alerts{kind="small"} 1'),
             what="small-file metric", log=a.log)
    assert metric(a, "affild_expected_file_late") == []
    assert employer_row(a)["late"] is None
