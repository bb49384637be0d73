"""affild's NIR and IBAN verdicts against python-stdnum's.

A few thousand generated NIRs and IBANs, valid and corrupted (a character
changed, two swapped, one dropped or added, another country, separators,
lower case), go through v_nir() and v_iban() (the build's
tools/validate_verdict) and through stdnum.  The verdicts must agree, within
the rules affild adds on purpose, written out below:

- NIR: first digit 1, 2, 3, 4, 7 or 8 and a possible birth month (rules.md);
  stdnum checks neither.  Provisional numbers are accepted with a warning.
- IBAN: only SEPA countries (a direct debit needs one), and the French clé
  RIB for FR and MC; stdnum's national checks (BE, ES, ME, NO) are not
  affild's, so stdnum runs with check_country=False.
- Separators: affild drops spaces, no-break spaces (U+00A0, U+202F), TAB,
  dots and hyphens; stdnum drops fewer, so it is given spaces instead.

Fixed seed: a failure is reproducible.  Skipped when python3-stdnum is not
installed or the tool is not built (make build/tools/validate_verdict).
"""
import os
import random
import re
import subprocess
from pathlib import Path

import pytest

stdnum_iban = pytest.importorskip("stdnum.iban")
stdnum_nir = pytest.importorskip("stdnum.fr.nir")
numdb = pytest.importorskip("stdnum.numdb")

REPO = Path(__file__).resolve().parents[2]

# The SEPA schemes' countries (EPC), as parsers/validate_iban.c flags them.
SEPA = set("""AD AL AT BE BG CH CY CZ DE DK EE ES FI FR GB GI GR HR HU IE IS IT
LI LT LU LV MC MD ME MK MT NL NO PL PT RO SE SI SK SM VA""".split())

SEPARATORS = [" ", ".", "-", "\u00a0", "\u202f"]
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
COUNT = 2500          # of each kind, valid and corrupted together


def tool():
    """The verdict tool of this build (normal or sanitizer)."""
    candidates = []
    if os.environ.get("AFFILD_TOOLS"):
        candidates.append(Path(os.environ["AFFILD_TOOLS"]))
    bin_dir = Path(os.environ.get("AFFILD_BIN", REPO / "bin"))
    candidates += [bin_dir.parent / "tools", REPO / "build" / "tools"]
    for c in candidates:
        if (c / "validate_verdict").exists():
            return c / "validate_verdict"
    pytest.skip("tools/validate_verdict not built")


def verdicts(lines):
    """[(status, code, normalised)] for lines "N value" / "I value"."""
    out = subprocess.run([str(tool())], input="\n".join(lines) + "\n",
                         capture_output=True, text=True, check=True,
                         timeout=60).stdout.splitlines()
    assert len(out) == len(lines)
    return [tuple(line.split(" ", 2)) for line in out]


def for_stdnum(value):
    """The value with affild's separators made ones stdnum also drops."""
    for sep in ["-", "\u00a0", "\u202f", "\t"]:
        value = value.replace(sep, " ")
    return value


def compact(value):
    return re.sub(r"[ .\-\t\u00a0\u202f]", "", value).upper()


def add_separators(rng, value, groups):
    """The value cut in groups of `groups` characters, or at random."""
    sep = rng.choice(SEPARATORS)
    if rng.random() < 0.7:
        return sep.join(value[i:i + groups]
                        for i in range(0, len(value), groups))
    chars = list(value)
    for _ in range(rng.randint(1, 5)):
        chars.insert(rng.randint(1, len(chars)), rng.choice(SEPARATORS))
    return "".join(chars)


def corrupt(rng, value, alphabet):
    """One typing mistake."""
    i = rng.randrange(len(value))
    kind = rng.randrange(4)
    if kind == 0:
        return value[:i] + rng.choice(alphabet) + value[i + 1:]
    if kind == 1 and i + 1 < len(value):
        return value[:i] + value[i + 1] + value[i] + value[i + 2:]
    if kind == 2:
        return value[:i] + value[i + 1:]
    return value[:i] + rng.choice(alphabet) + value[i:]


# ------------------------------------------------------------------- NIR

NIR_MONTHS = ([m for m in range(1, 13)] + [20] + list(range(30, 43)) +
              list(range(50, 100)))


def nir_key(body):
    digits = body[:5] + {"2A": "19", "2B": "18"}.get(body[5:7], body[5:7]) \
        + body[7:]
    return "%02d" % (97 - int(digits) % 97)


def gen_nir(rng):
    dept = rng.choice(["%02d" % rng.randint(1, 95), "2A", "2B", "99"])
    body = "%d%02d%02d%s%03d%03d" % (
        rng.choice([1, 2, 1, 2, 3, 4, 7, 8]), rng.randint(0, 99),
        rng.choice(NIR_MONTHS), dept, rng.randint(1, 999),
        rng.randint(1, 999))
    return body + nir_key(body)


def nir_expected(value):
    """affild accepts (with or without a warning): stdnum + affild's rules."""
    c = compact(value)
    if not stdnum_nir.is_valid(for_stdnum(value)):
        return False
    return c[0] in "123478" and int(c[3:5]) in NIR_MONTHS


def nir_cases(rng):
    cases = []
    while len(cases) < COUNT:
        nir = gen_nir(rng)
        roll = rng.random()
        if roll < 0.3:
            cases.append(nir)
        elif roll < 0.5:
            cases.append(add_separators(rng, nir, rng.choice([2, 3])))
        elif roll < 0.55:
            cases.append(nir.lower())
        elif roll < 0.9:
            cases.append(corrupt(rng, nir, "0123456789AB"))
        else:
            cases.append(add_separators(rng, corrupt(rng, nir, "0123456789"),
                                        2))
    return cases


def test_nir_agrees_with_stdnum():
    rng = random.Random(20261206)
    cases = nir_cases(rng)
    got = verdicts(["N " + c for c in cases])
    wrong = []
    for value, (status, code, norm) in zip(cases, got):
        want = nir_expected(value)
        if (status != "2") != want:
            wrong.append((value, status, code, want))
        elif want and norm != compact(value):
            wrong.append((value, status, norm, compact(value)))
    valid = sum(1 for c in cases if nir_expected(c))
    assert 0.3 * COUNT < valid < 0.8 * COUNT     # both sides are exercised
    assert wrong == [], wrong[:10]


# ------------------------------------------------------------------ IBAN

IBAN_DB = numdb.get("iban")


def registry(cc):
    """stdnum's copy of the IBAN registry's BBAN structure, or None."""
    info = IBAN_DB.info(cc)[0][1]
    return info.get("bban", "").replace("!", "") or None


def bban_regex(structure):
    cls = {"n": "[0-9]", "a": "[A-Z]", "c": "[A-Z0-9]"}
    return re.compile("^" + "".join(
        "%s{%s}" % (cls[k], n)
        for n, k in re.findall(r"(\d+)([nac])", structure)) + "$")


def random_bban(rng, structure):
    pools = {"n": "0123456789", "a": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
             "c": ALNUM}
    return "".join(rng.choice(pools[k]) for n, k in
                   re.findall(r"(\d+)([nac])", structure)
                   for _ in range(int(n)))


RIB_LETTERS = {ch: str(i % 9 + 1) for i, ch in
               enumerate("ABCDEFGHIJKLMNOPQR")}
RIB_LETTERS.update({ch: str(i + 2) for i, ch in enumerate("STUVWXYZ")})


def rib_key(bban):
    """French clé RIB: 97 - (89 banque + 15 guichet + 3 compte) mod 97,
    letters of the account A,J=1 B,K,S=2 ... I,R,Z=9."""
    account = int("".join(RIB_LETTERS.get(ch, ch) for ch in bban[10:21]))
    return 97 - (89 * int(bban[:5]) + 15 * int(bban[5:10]) +
                 3 * account) % 97


def rib_ok(bban):
    if not re.match(r"^\d{10}[A-Z0-9]{11}\d{2}$", bban):
        return False
    return rib_key(bban) == int(bban[21:])


def with_rib(bban):
    """A FR or MC BBAN with its right clé RIB."""
    return bban[:21] + "%02d" % rib_key(bban)


def make_iban(cc, bban):
    return cc + stdnum_iban.calc_check_digits(cc + "00" + bban) + bban


def gen_iban(rng, countries):
    cc = rng.choice(countries)
    bban = random_bban(rng, registry(cc))
    if cc in ("FR", "MC"):
        bban = with_rib(bban)
    return make_iban(cc, bban)


def iban_expected(value):
    """(accepted, code when refused and affild's extra rules decide)."""
    c = compact(value)
    if not stdnum_iban.is_valid(for_stdnum(value), check_country=False):
        return False, None
    if c[:2] not in SEPA:
        return False, "E161"
    if c[:2] in ("FR", "MC") and not rib_ok(c[4:]):
        return False, "E164"
    return True, None


def structure_code(value):
    """E167 when only the registry's structure is wrong, per affild's order."""
    c = compact(value)
    if not re.match(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]+$", c) or len(c) > 34:
        return None
    structure = registry(c[:2]) if c[:2] in SEPA else None
    if structure is None or len(c) != 4 + len(random_bban(
            random.Random(0), structure)):
        return None
    return None if bban_regex(structure).match(c[4:]) else "E167"


def iban_cases(rng):
    countries = sorted(SEPA)
    others = sorted(cc for cc in
                    ["AE", "BR", "RS", "SA", "TR", "UA", "XK", "GL", "FO"]
                    if registry(cc))
    cases = []
    while len(cases) < COUNT:
        roll = rng.random()
        iban = gen_iban(rng, countries)
        if roll < 0.25:
            cases.append(iban)
        elif roll < 0.4:
            cases.append(add_separators(rng, iban, 4))
        elif roll < 0.45:
            cases.append(add_separators(rng, iban, 4).lower())
        elif roll < 0.5:
            cases.append(gen_iban(rng, others))
        elif roll < 0.75:
            cases.append(corrupt(rng, iban, ALNUM))
        elif roll < 0.95:
            # a mistake that mod 97 cannot see: check digits made right
            bad = corrupt(rng, iban[4:], ALNUM)
            cases.append(make_iban(iban[:2], bad))
        else:
            cases.append(add_separators(rng, corrupt(rng, iban, ALNUM), 4))
    return cases


def test_iban_agrees_with_stdnum():
    rng = random.Random(13616)
    cases = iban_cases(rng)
    got = verdicts(["I " + c for c in cases])
    wrong = []
    for value, (status, code, norm) in zip(cases, got):
        want, want_code = iban_expected(value)
        if (status == "0") != want:
            wrong.append((value, status, code, want))
        elif want and norm != compact(value):
            wrong.append((value, norm, compact(value)))
        elif not want and want_code and code != want_code:
            wrong.append((value, code, want_code))
        elif structure_code(value) and code != "E167":
            wrong.append((value, code, "E167"))
    valid = sum(1 for c in cases if iban_expected(c)[0])
    structure = sum(1 for c in cases if structure_code(c))
    assert 0.3 * COUNT < valid < 0.8 * COUNT
    assert structure > 0.05 * COUNT           # the BBAN rules are exercised
    assert wrong == [], wrong[:10]


def test_every_sepa_country_of_the_registry():
    """Each SEPA country: a valid IBAN, and one with a letter where the
    registry wants a digit (or the reverse), right mod 97."""
    rng = random.Random(97)
    lines, kinds = [], []
    for cc in sorted(SEPA):
        structure = registry(cc)
        assert structure, cc
        lines.append("I " + gen_iban(rng, [cc]))
        kinds.append((cc, "valid"))
        bban = random_bban(rng, structure)
        expanded = "".join(k * int(n) for n, k in
                           re.findall(r"(\d+)([nac])", structure))
        fixed = [i for i, k in enumerate(expanded) if k in "na"]
        if fixed:
            i = fixed[len(fixed) // 2]
            wrong = "Q" if expanded[i] == "n" else "7"
            lines.append("I " + make_iban(cc, bban[:i] + wrong +
                                          bban[i + 1:]))
            kinds.append((cc, "structure"))
    got = verdicts(lines)
    wrong = [(kind, line, verdict) for kind, line, verdict in
             zip(kinds, lines, got)
             if (kind[1] == "valid" and verdict[0] != "0") or
             (kind[1] == "structure" and verdict[1] != "E167")]
    assert wrong == []
