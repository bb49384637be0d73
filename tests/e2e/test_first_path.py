"""Issue 2, "Done when": a mixed file from drop to report, mail and state."""
import email
import email.policy
from datetime import date, datetime
from zoneinfo import ZoneInfo

from conftest import HEADER, bad_key, make_nir, row, wait_for


def people():
    born = date(1990, 4, 12)
    return [make_nir(2, born, 100 + i) for i in range(5)], born.isoformat()


def first_file():
    nirs, born = people()
    wrong, expected = bad_key(nirs[4])
    text = HEADER
    text += row("AFFILIATION_SIMPLE", nirs[0], "Lefèvre", "Anaïs", born, "anais@example.fr")
    text += row("AFFILIATION_SIMPLE", nirs[1], "Dupont", "Jean-Noël", born, "jn@example.fr")
    text += row("AFFILIATION_SIMPLE", nirs[2], "Martin", "Zoé", born, "zoe@example.fr")
    text += row("AFFILIATION_COMPLETE", nirs[3], "Bernard", "Hélène", born,
                "helene@example.fr", "BASE")
    text += row("AFFILIATION_SIMPLE", wrong, "Petit", "Léa", born, "lea@example.fr")
    return text, nirs, wrong, expected


def test_report_lines_and_return_code(affild):
    text, nirs, wrong, expected = first_file()
    affild.drop("affiliations.csv", text)
    rows = affild.wait_report("affiliations.csv")
    accepted = [r for r in rows if r["resultat"] == "ACCEPTE" and r["ligne"] != "0"]
    assert [r["nir"] for r in accepted] == nirs[:4]
    assert [r["ligne"] for r in accepted] == ["2", "3", "4", "5"]
    rejected = [r for r in rows if r["resultat"] == "REJETE" and r["ligne"] != "0"]
    assert len(rejected) == 1
    assert rejected[0]["ligne"] == "6" and rejected[0]["champ"] == "nir"
    assert "attendue %s" % expected in rejected[0]["message"]
    assert wrong not in rejected[0]["message"], "messages never repeat the NIR"
    summary = rows[-1]
    assert summary["code"] == "CR2" and summary["resultat"] == "REJETE"
    assert "5 mouvements, 4 acceptés, 1 rejeté" in summary["message"]


def test_report_name_carries_the_tracking_id(affild):
    text, *_ = first_file()
    affild.drop("affiliations.csv", text)
    affild.wait_report("affiliations.csv")
    [path] = affild.reports("affiliations.csv")
    fid = path.name.split(".")[-3]
    paris = datetime.now(ZoneInfo("Europe/Paris")).date()
    assert len(fid) == 15 and fid[8] == "-" and fid[:8] == paris.strftime("%Y%m%d")
    info = affild.ctl_json("file", fid)
    assert info["file"]["file_id"] == fid
    assert info["file"]["return_code"] == 2
    assert "E114" in [line["code"] for line in info["lines"]]


def test_emails_are_valid_french_rfc5322(affild):
    text, *_ = first_file()
    affild.drop("affiliations.csv", text)
    affild.wait_report("affiliations.csv")
    affild_mail_count = lambda: len(affild.mails())
    from conftest import wait_for
    wait_for(lambda: affild_mail_count() == 4, what="4 emails")
    subjects = {}
    for path in affild.mails():
        raw = path.read_bytes()
        assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        subjects[str(msg["To"])] = str(msg["Subject"])
        body = msg.get_body(("plain",)).get_content()
        assert msg["Message-ID"] and msg["Date"]
        for nir in people()[0]:
            assert nir not in body, "emails never carry a NIR"
        if msg["To"] != "helene@example.fr":
            assert "https://espace.assureur.example/affiliation/" in body
    assert set(subjects) == {"anais@example.fr", "jn@example.fr",
                             "zoe@example.fr", "helene@example.fr"}
    assert all("é" in s or "à" in s for s in subjects.values())


def test_employees_after_the_file(affild):
    text, nirs, *_ = first_file()
    affild.drop("affiliations.csv", text)
    affild.wait_report("affiliations.csv")
    emps = affild.ctl_json("employees")
    status = {e["nir"]: e["status"] for e in emps}
    assert status == {nirs[0]: "EN_COURS", nirs[1]: "EN_COURS",
                      nirs[2]: "EN_COURS", nirs[3]: "AFFILIE"}
    table = affild.ctl("employees")
    assert table.count("EN_COURS") == 3 and table.count("AFFILIE") == 1


def test_original_is_archived_and_drop_is_empty(affild):
    text, *_ = first_file()
    affild.drop("affiliations.csv", text)
    affild.wait_report("affiliations.csv")
    assert list(affild.drop_dir().glob("*.csv")) == []
    # The report is renamed into out/ just before the original is archived.
    archive = affild.root / "spool/.affild/archive/12345678"
    wait_for(lambda: list(archive.rglob("*affiliations.csv")), what="archive")
    archived = list(archive.rglob("*affiliations.csv"))
    assert len(archived) == 1 and archived[0].read_text() == text


def test_resent_unchanged_is_already_in_effect(affild):
    nirs, born = people()
    text = HEADER + row("AFFILIATION_SIMPLE", nirs[0], "Lefèvre", "Anaïs", born, "a@example.fr")
    affild.drop("one.csv", text)
    affild.wait_report("one.csv")
    # Same movement in a different file (not byte-identical): déjà pris en compte.
    affild.drop("two.csv", text + "\n")
    rows = affild.wait_report("two.csv")
    assert rows[0]["code"] == "I200" and rows[0]["resultat"] == "ACCEPTE"
    assert rows[-1]["code"] == "CR0"
