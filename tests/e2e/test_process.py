"""Issue 4, "Done when": the affiliation process through the real daemon.

A month's mixed file (simple and complete affiliations with beneficiaries,
radiations with eligible and non-eligible reasons, a dispense, a
modification, a forced affiliation), then the employee portal's
FINALISATION with the token of the invitation link, must leave the exact
expected database state, reports and queued messages.  A file in employer
B's drop naming employer A's employee changes nothing at A and reads
exactly as an unknown NIR.
"""
import email
import email.policy
import re
import unicodedata
from datetime import date, timedelta

from conftest import EMPLOYER, make_nir, wait_for

COLS = ("operation;numero_personne;nir;nom;prenom;date_naissance;date_embauche;"
        "categorie;email;option;iban;date_signature_mandat;lien;situation;"
        "date_fin_contrat;motif_rupture;date_debut_contrat;motif_dispense;"
        "date_demande;justificatif;date_fin_dispense;telephone;jeton").split(";")
BORN = date(1990, 4, 12)
TODAY = date.today()
HIRED = (TODAY - timedelta(days=60)).isoformat()


def line(**kw):
    return ";".join(kw.get(c, "") for c in COLS) + "\n"


def ascii_of(name):
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


def person(nir, nom, prenom, op="AFFILIATION_COMPLETE", **kw):
    base = dict(operation=op, nir=nir, nom=nom, prenom=prenom,
                date_naissance=BORN.isoformat(), date_embauche=HIRED,
                categorie="CADRE", email=ascii_of(prenom) + "@example.fr")
    if op == "AFFILIATION_COMPLETE":
        base["option"] = "BASE"
    base.update(kw)
    return line(**base)


def csv(*rows):
    return ";".join(COLS) + "\n" + "".join(rows)


N = {k: make_nir(2, BORN, 300 + i) for i, k in enumerate("ABCDEFGHIJ")}


def statuses(affild):
    return {e["nir"]: e["status"] for e in affild.ctl_json("employees")}


def outbox_kinds(affild):
    kinds = {}
    for m in affild.ctl_json("outbox"):
        kinds[m["kind"]] = kinds.get(m["kind"], 0) + 1
    return kinds


def by_line(rows):
    out = {}
    for r in rows:
        out.setdefault(int(r["ligne"]), []).append(r)
    return out


def setup_people(affild):
    """A, B, C covered; D, E, F invited: the state before the month."""
    affild.drop("setup.csv", csv(
        person(N["A"], "Arnaud", "Alice"), person(N["B"], "Blanc", "Basile"),
        person(N["C"], "Carre", "Chloé"),
        person(N["D"], "Denis", "Diane", op="AFFILIATION_SIMPLE"),
        person(N["E"], "Émery", "Élise", op="AFFILIATION_SIMPLE"),
        person(N["F"], "Faure", "Fabien", op="AFFILIATION_SIMPLE")))
    rows = affild.wait_report("setup.csv")
    assert rows[-1]["code"] == "CR0", rows


def month_file():
    end = (TODAY - timedelta(days=10)).isoformat()
    return csv(
        person(N["G"], "Girard", "Gaëlle", op="AFFILIATION_SIMPLE"),      # 2
        person(N["H"], "Henry", "Hugo", option="CONFORT",                 # 3
               iban="FR1420041010050500013M02606",
               date_signature_mandat=HIRED),
        line(operation="AYANT_DROIT", nir=N["H"], lien="ENFANT",          # 4
             nom="Henry", prenom="Léon", date_naissance="2019-05-02"),
        line(operation="AYANT_DROIT", nir=N["H"], lien="CONJOINT",        # 5
             nom="Henry", prenom="Inès", date_naissance="1991-07-30"),
        person(N["I"], "Ibert", "Iris"),                                  # 6
        line(operation="AYANT_DROIT", nir=N["I"], lien="ENFANT",          # 7
             nom="Ibert", prenom="Yann", date_naissance="1999-01-01"),
        line(operation="RADIATION", nir=N["A"], date_fin_contrat=end,     # 8
             motif_rupture="043"),
        line(operation="RADIATION", nir=N["B"], date_fin_contrat=end,     # 9
             motif_rupture="039"),
        line(operation="RADIATION", nir=N["C"], date_fin_contrat=end,     # 10
             motif_rupture="059"),
        line(operation="DISPENSE", nir=N["D"], motif_dispense="CSS",      # 11
             date_demande=TODAY.isoformat(), justificatif="ATTESTATION-CSS-1",
             date_fin_dispense=(TODAY + timedelta(days=200)).isoformat()),
        line(operation="MODIFICATION", nir=N["E"], telephone="0102030405"),  # 12
        line(operation="AFFILIATION_FORCEE", nir=N["F"]),                 # 13
        line(operation="RADIATION", nir=N["J"], date_fin_contrat=end,     # 14
             motif_rupture="043"))


def test_month_then_portal_finalisation(affild):
    setup_people(affild)
    before = outbox_kinds(affild)
    assert before == {"confirmation": 3, "invitation": 3}

    affild.drop("mouvements-novembre.csv", month_file())
    rows = affild.wait_report("mouvements-novembre.csv")
    lines = by_line(rows)
    summary = rows[-1]
    assert summary["code"] == "CR2", summary
    assert "13 mouvements, 10 acceptés, 3 rejetés" in summary["message"]
    for n in (2, 3, 4, 5, 8, 9, 10, 11, 12, 13):
        assert lines[n][0]["resultat"] == "ACCEPTE", lines[n]
    # A rejected beneficiary rejects its whole group.
    assert [r["code"] for r in lines[7]] == ["E177"]
    assert [r["code"] for r in lines[6]] == ["E221"]
    assert "ligne 7" in lines[6][0]["message"]
    assert [r["code"] for r in lines[14]] == ["E202"]
    # The RUM of the direct-debit option was generated.
    assert lines[3][0]["code"] == "I231"

    st = statuses(affild)
    assert st == {N["A"]: "PORTABILITE", N["B"]: "RADIE", N["C"]: "RADIE",
                  N["D"]: "DISPENSE", N["E"]: "EN_COURS", N["F"]: "AFFILIE",
                  N["G"]: "EN_COURS", N["H"]: "AFFILIE"}
    after = outbox_kinds(affild)
    queued = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    assert {k: v for k, v in queued.items() if v} == {
        "invitation": 1, "confirmation": 1, "radiation_portabilite": 1,
        "loi_evin": 1, "radiation": 1, "affiliation_forcee": 1}

    h = affild.ctl_json("show", EMPLOYER, N["H"])
    assert h["employee"]["rum"].startswith("AFF-" + EMPLOYER + "-")
    assert h["employee"]["iban"] == "…2606"
    assert sorted(b["prenom"] for b in h["beneficiaries"]) == ["Inès", "Léon"]
    a = affild.ctl_json("show", EMPLOYER, N["A"])
    end = TODAY - timedelta(days=10)
    assert a["employee"]["portabilite_debut"] == (end + timedelta(days=1)).isoformat()
    assert [x["to"] for x in a["history"]] == ["AFFILIE", "PORTABILITE"]
    assert a["history"][-1]["cause"] == "fichier"
    assert a["history"][-1]["ref"].endswith(":8")

    # The employee G finishes through the link of the invitation email.
    token = None
    for path in affild.mails():
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if msg["To"] == "gaelle@example.fr":
            m = re.search(r"/affiliation/([A-Za-z0-9_-]+)", msg.get_body().get_content())
            token = m and m.group(1)
    assert token, "the invitation carries the personal link"
    portal = csv(line(operation="FINALISATION", numero_personne=EMPLOYER,
                      nir=N["G"], option="BASE", jeton=token + "x"),
                 line(operation="FINALISATION", numero_personne=EMPLOYER,
                      nir=N["G"], option="BASE", jeton=token),
                 line(operation="AYANT_DROIT", numero_personne=EMPLOYER,
                      nir=N["G"], lien="ENFANT", nom="Girard", prenom="Zoé",
                      date_naissance="2021-02-03"))
    affild.drop("portail-1.csv", portal, employer="portail")
    prow = by_line(affild.wait_report("portail-1.csv", employer="portail"))
    assert [r["code"] for r in prow[2]] == ["E280"]
    assert prow[3][0]["resultat"] == "ACCEPTE" and prow[4][0]["resultat"] == "ACCEPTE"
    g = affild.ctl_json("show", EMPLOYER, N["G"])
    assert g["employee"]["status"] == "AFFILIE"
    assert g["history"][-1]["cause"] == "portail"
    assert [b["prenom"] for b in g["beneficiaries"]] == ["Zoé"]
    assert "token_hash" not in g["employee"]
    final = outbox_kinds(affild)
    assert final["confirmation"] == after["confirmation"] + 1


def test_other_employers_employee_reads_as_unknown(affild):
    setup_people(affild)
    before = affild.ctl_json("show", EMPLOYER, N["A"])
    end = (TODAY - timedelta(days=3)).isoformat()
    # Employer B names A's employee, then a NIR nobody has.
    affild.drop("radiations.csv", csv(
        line(operation="RADIATION", nir=N["A"], date_fin_contrat=end,
             motif_rupture="043"),
        line(operation="RADIATION", nir=N["J"], date_fin_contrat=end,
             motif_rupture="043")), employer="87654321")
    rows = affild.wait_report("radiations.csv", employer="87654321")
    assert rows[0]["code"] == rows[1]["code"] == "E202"
    assert rows[0]["message"] == rows[1]["message"], "no leak of existence"
    assert rows[-1]["code"] == "CR3"
    assert affild.ctl_json("show", EMPLOYER, N["A"]) == before


def test_all_or_nothing_applies_nothing(tmp_path):
    from conftest import Affild
    a = Affild(tmp_path, apply="all_or_nothing")
    a.start()
    try:
        a.drop("lot.csv", csv(person(N["A"], "Arnaud", "Alice"),
                              line(operation="RADIATION", nir=N["J"],
                                   date_fin_contrat=TODAY.isoformat(),
                                   motif_rupture="043")))
        rows = a.wait_report("lot.csv")
        assert rows[-1]["code"] == "CR3"
        assert "all_or_nothing" in rows[-1]["message"]
        assert a.ctl_json("employees") == []
        assert a.ctl_json("outbox") == []
    finally:
        a.stop()


def test_future_radiation_is_held(affild):
    setup_people(affild)
    end = (TODAY + timedelta(days=20)).isoformat()
    affild.drop("futur.csv", csv(line(operation="RADIATION", nir=N["A"],
                                      date_fin_contrat=end, motif_rupture="043")))
    rows = affild.wait_report("futur.csv")
    assert [r["code"] for r in rows[:-1]] == ["I213"]
    assert statuses(affild)[N["A"]] == "AFFILIE"
    # Sent again unchanged: already in effect, nothing queued twice.
    affild.drop("futur-bis.csv", csv(line(operation="RADIATION", nir=N["A"],
                                          date_fin_contrat=end,
                                          motif_rupture="043")) + "\n")
    rows = affild.wait_report("futur-bis.csv")
    assert [r["code"] for r in rows[:-1]] == ["I200"]


def test_insurer_opens_portability_and_records_proof(affild):
    setup_people(affild)
    end = (TODAY - timedelta(days=10)).isoformat()
    affild.drop("departs.csv", csv(
        line(operation="RADIATION", nir=N["A"], date_fin_contrat=end,
             motif_rupture="043"),
        line(operation="RADIATION", nir=N["C"], date_fin_contrat=end,
             motif_rupture="059")))
    affild.wait_report("departs.csv")
    assert statuses(affild)[N["C"]] == "RADIE"
    # A démission légitime, proven later: the insurer opens portability.
    out = affild.ctl("portability", "open", EMPLOYER, N["C"],
                     "--justification", "démission légitime (attestation)")
    assert "ouverte" in out
    c = affild.ctl_json("show", EMPLOYER, N["C"])
    assert c["employee"]["status"] == "PORTABILITE"
    assert c["employee"]["portabilite_debut"] == (
        TODAY - timedelta(days=9)).isoformat()
    # the admin who wrote the file for the admin drop, and its line
    assert c["history"][-1]["cause"] == "admin:root"
    assert re.fullmatch(r"\d{8}-\d{6}:2", c["history"][-1]["ref"])
    # The proof of unemployment benefits for A.
    affild.ctl("portability", "proof", EMPLOYER, N["A"])
    a = affild.ctl_json("show", EMPLOYER, N["A"])
    assert a["employee"]["preuve_chomage"] == TODAY.isoformat()
    # Refused: B was never radiated.
    import subprocess
    from conftest import BIN
    r = subprocess.run([str(BIN / "affilctl"), "-c", str(affild.config),
                        "portability", "proof", EMPLOYER, N["B"]],
                       capture_output=True, text=True)
    assert r.returncode == 65 and "E276" in r.stderr
    assert "pas en portabilité" in r.stdout


def test_export_lists_the_employees_and_is_never_a_duplicate(affild):
    setup_people(affild)
    request = "operation;statut\nEXPORT;EN_COURS\n"
    affild.drop("export.csv", request)
    rows = affild.wait_report("export.csv")
    assert rows[0]["code"] == "I241" and rows[-1]["code"] == "CR0"
    [path] = sorted(affild.out_dir().glob("export.csv.*.export.csv"))
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    import csv as csvmod
    import io
    got = list(csvmod.DictReader(io.StringIO(raw[3:].decode()), delimiter=";"))
    assert sorted(g["nir"] for g in got) == sorted([N["D"], N["E"], N["F"]])
    assert {g["statut"] for g in got} == {"EN_COURS"}
    # The same request next month is processed again, not a duplicate.
    affild.drop("export.csv", request)
    rows = affild.wait_report("export.csv", count=2)
    assert rows[0]["code"] == "I241" and rows[-1]["code"] == "CR0"
    wait_for(lambda: len(list(affild.out_dir().glob("export.csv.*.export.csv"))) == 2,
             what="second export")
    # An unknown status is a clear error.
    affild.drop("export-bad.csv", "operation;statut\nEXPORT;ACTIF\n")
    rows = affild.wait_report("export-bad.csv")
    assert rows[0]["code"] == "E109" and rows[0]["champ"] == "statut"


def test_bulletin_is_a_pdf_without_the_nir(affild):
    import subprocess
    setup_people(affild)
    request = "operation;nir\nBULLETIN;%s\nBULLETIN;%s\n" % (N["A"], N["J"])
    affild.drop("bulletins.csv", request)
    rows = affild.wait_report("bulletins.csv")
    assert rows[0]["code"] == "I243" and rows[1]["code"] == "E202"
    [pdf] = list(affild.out_dir().glob("bulletins.csv.*.bulletin-2.pdf"))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "Bulletin individuel d'affiliation" in text
    assert "Alice Arnaud" in text and "Exemple SAS" in text
    assert "affilié" in text and "BASE" in text
    assert N["A"] not in text.replace(" ", "")
    # A request file is never a duplicate: the same one again works.
    affild.drop("bulletins.csv", request)
    rows = affild.wait_report("bulletins.csv", count=2)
    assert rows[0]["code"] == "I243", rows


def test_group_with_a_spaced_nir_is_still_one_group(affild):
    spaced = " ".join([N["H"][0], N["H"][1:3], N["H"][3:5], N["H"][5:7],
                       N["H"][7:10], N["H"][10:13], N["H"][13:]])
    affild.drop("famille.csv", csv(
        person(spaced, "Henry", "Hugo"),
        line(operation="AYANT_DROIT", nir=spaced, lien="ENFANT",
             nom="Henry", prenom="Yann", date_naissance="1990-01-01")))
    rows = by_line(affild.wait_report("famille.csv"))
    assert [r["code"] for r in rows[3]] == ["E177"]
    assert [r["code"] for r in rows[2]] == ["E221"], "no half family"
    assert rows[0][-1]["code"] == "CR3"
    assert affild.ctl_json("employees") == []


def test_dots_hyphens_and_no_break_spaces_are_dropped_from_nir_and_iban(affild):
    """A payroll vendor's export: NIR with dots or hyphens, IBAN with
    hyphens and no-break spaces.  Both are stored without them; a letter
    where the German BBAN wants a digit is named by its position."""
    h, i = N["H"], N["I"]
    dotted = ".".join([h[0], h[1:3], h[3:5], h[5:7], h[7:10], h[10:13],
                       h[13:]])
    hyphened = "-".join([i[0], i[1:3], i[3:5], i[5:7], i[7:10], i[10:13],
                         i[13:]])
    affild.drop("separateurs.csv", csv(
        person(dotted, "Henry", "Hugo", option="CONFORT",
               iban="FR14-2004-1010-0505-0001-3M02-606",
               date_signature_mandat=HIRED),
        person(hyphened, "Ibert", "Iris", option="CONFORT",
               iban="MT84\u00a0MALT\u202f0110-0001-2345-MTLC-AST0-01S",
               date_signature_mandat=HIRED),
        person(N["J"], "Jost", "Jules", option="CONFORT",
               iban="DE15 3704 0044 0532 0130 0O",
               date_signature_mandat=HIRED)))
    rows = by_line(affild.wait_report("separateurs.csv"))
    # accepted (I231: the RUM generated), the NIR shown normalised
    assert [(r["resultat"], r["nir"]) for r in rows[2]] == [("ACCEPTE", h)]
    assert [(r["resultat"], r["nir"]) for r in rows[3]] == [("ACCEPTE", i)]
    assert [(r["code"], r["champ"], r["message"]) for r in rows[4]] == [
        ("E167", "iban", "caractère 22 de l'IBAN (séparateurs non comptés) "
         ": chiffre attendu pour ce pays, lettre reçue (IBAN se terminant "
         "par 300O)")]
    assert statuses(affild) == {h: "AFFILIE", i: "AFFILIE"}
    assert affild.ctl_json("show", EMPLOYER, h)["employee"]["iban"] == "…2606"
    assert affild.ctl_json("show", EMPLOYER, i)["employee"]["iban"] == "…001S"
