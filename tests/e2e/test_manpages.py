"""Manual pages and shell completion stay true to the code.

The three mdoc pages lint clean; every affilctl command (from `affilctl
--help`, or the command table of ctl/ctl_table.c when not built) and every
option of the table is documented in affilctl.8 and completed by the bash
completion (which asks `affilctl --complete`); every configuration key
(docs/config.md and the key tables of config/) is in affild.yaml.5; and the
completion really offers `employees` for `emp`.
"""
import os
import re
import shutil
import subprocess

import pytest

from conftest import BIN, REPO

MAN = REPO / "man"
PAGES = ["affild.8", "affild.yaml.5", "affilctl.8"]
COMPLETION = REPO / "packaging" / "affilctl.bash-completion"


# --- helpers ---------------------------------------------------------------

def affilctl_verbs():
    """The commands of affilctl: from the built binary's usage, else from
    the command table in ctl/ctl_table.c."""
    exe = BIN / "affilctl"
    if exe.exists():
        out = subprocess.run([str(exe), "--help"], capture_output=True,
                             text=True, timeout=30, check=True).stdout
        # "  employees [SEARCH]   ...": two spaces, then the command
        verbs = {m.group(1) for m in
                 re.finditer(r"^  ([a-z]+)\b", out, re.MULTILINE)}
    else:
        src = (REPO / "ctl" / "ctl_table.c").read_text()
        table = src[src.index("ctl_verbs[] = {"):]
        table = table[:table.index("\n};")]
        verbs = set(re.findall(r'\.name = "([a-z]+)"', table,
                               re.MULTILINE))
    assert len(verbs) >= 8, verbs
    return verbs


def affilctl_options():
    """The long names of the options of the command table (ctl_table.c),
    aliases included."""
    src = (REPO / "ctl" / "ctl_table.c").read_text()
    names = set()
    for m in re.finditer(r'\{ OPT_\w+, "([a-z-]+)", (?:"([a-z-]+)"|NULL)',
                         src):
        names.update(n for n in m.groups() if n)
    return names


def page(name):
    return (MAN / name).read_text()


def documented_items(text):
    """Words given by Cm/Ic on the .It lines of a page: 'outbox retry',
    'retry_min_s' and 'retry_max_s', ..."""
    words = set()
    for line in text.splitlines():
        if line.startswith(".It "):
            words.update(re.findall(r"\b(?:Cm|Ic) ([A-Za-z_][\w.-]*)",
                                    line))
    return words


def man_sections(text):
    """{'spool': text of '.Ss spool', ...} of affild.yaml.5."""
    parts = re.split(r"^\.S[hs] (.*)$", text, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1]
            for i in range(1, len(parts) - 1, 2)}


def doc_config_keys():
    """docs/config.md: top-level keys (## headings, and the keys that open
    a paragraph of '## Tables'), and the keys of each section's table."""
    text = (REPO / "docs" / "config.md").read_text()
    top, sections = set(), {}
    parts = re.split(r"^## (.*)$", text, flags=re.MULTILINE)
    for i in range(1, len(parts) - 1, 2):
        title, body = parts[i].strip().strip("`"), parts[i + 1]
        if title == "Tables":
            for para in re.split(r"\n\s*\n", body):
                m = re.match(r"((?:`[a-z_]+`(?:,|\s+and)?\s*)+)",
                             para.strip())
                if m:
                    top.update(re.findall(r"`([a-z_]+)`", m.group(1)))
            continue
        if not re.fullmatch(r"[a-z_]+", title):
            continue
        top.add(title)
        keys = set()
        for line in body.splitlines():
            if line.startswith("| `"):
                keys.update(re.findall(r"`([a-z_]+)`", line.split("|")[1]))
        sections[title] = keys
    return top, sections


def code_config_keys():
    """{table name: key names} from the cfg_key tables of config/."""
    tables = {}
    for src in sorted((REPO / "config").glob("config*.c")):
        for m in re.finditer(r"struct cfg_key (\w+)_keys\[\] = \{(.*?)\n\};",
                             src.read_text(), re.DOTALL):
            tables[m.group(1)] = set(
                re.findall(r'CFG_KEY_\w+\(\s*"(\w+)"', m.group(2)))
    return tables


def complete(*words):
    """What the bash completion offers for the words, the last one being
    completed; it runs the built affilctl (found in PATH, as installed)."""
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    if not (BIN / "affilctl").exists():
        pytest.skip("affilctl is not built")
    script = ('source "$1"; shift; COMP_WORDS=("$@"); '
              'COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; '
              'COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); '
              '_affilctl; printf "%s\\n" "${COMPREPLY[@]}"')
    env = dict(os.environ, PATH="%s:%s" % (BIN, os.environ.get("PATH", "")))
    r = subprocess.run(["bash", "--norc", "--noprofile", "-c", script, "_",
                        str(COMPLETION)] + list(words),
                       capture_output=True, text=True, timeout=30, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    return r.stdout.split()


# --- the pages ----------------------------------------------------------------

@pytest.mark.parametrize("name", PAGES)
def test_page_lints_clean(name):
    if shutil.which("mandoc") is None:
        pytest.skip("mandoc is not installed")
    r = subprocess.run(["mandoc", "-Tlint", "-W", "warning",
                        str(MAN / name)],
                       capture_output=True, text=True, timeout=30)
    assert r.stdout + r.stderr == ""
    assert r.returncode == 0


def test_every_affilctl_command_is_documented():
    items = documented_items(page("affilctl.8"))
    missing = sorted(v for v in affilctl_verbs() if v not in items)
    assert missing == [], "not in man/affilctl.8: %s" % missing


def test_every_affilctl_command_is_completed():
    assert set(complete("affilctl", "")) == affilctl_verbs()
    # the completion lists nothing of its own: it asks affilctl
    assert "employees" not in COMPLETION.read_text()


def test_affilctl_options_documented_and_completed():
    longs = affilctl_options()
    assert {"config", "format", "employer", "status", "state", "help",
            "sort", "limit", "offset", "output"} <= longs
    man = page("affilctl.8")
    offered = set()
    for verb in affilctl_verbs() | {""}:
        offered.update(complete("affilctl", *([verb] if verb else []), "--"))
    offered.update(complete("affilctl", "timers", "run", "--"))
    offered.update(complete("affilctl", "portability", "open", "--"))
    for opt in longs:
        assert "Fl \\-" + opt in man, opt
    # every option is offered by some command (--status of files and
    # outbox, the older name of --state there, by employees)
    assert {o[2:] for o in offered} == longs


def test_every_documented_config_key_is_in_the_page():
    top, sections = doc_config_keys()
    assert {"spool", "database", "mail", "portal", "process", "employers",
            "metrics_file", "aliases", "departure_reasons",
            "dispense_reasons"} <= top
    text = page("affild.yaml.5")
    have = man_sections(text)
    items = documented_items(text)
    missing = sorted(k for k in top if k not in have and k not in items)
    assert missing == [], "top-level keys not in affild.yaml.5: %s" % missing
    for section, keys in sections.items():
        in_section = documented_items(have.get(section, ""))
        missing = sorted(keys - in_section)
        assert missing == [], "%s keys not in affild.yaml.5: %s" % (
            section, missing)


def test_every_key_of_the_code_is_in_the_page():
    tables = code_config_keys()
    text = page("affild.yaml.5")
    have = man_sections(text)
    everywhere = set(re.findall(r"\b(?:Cm|Ic) ([a-z_]+)", text))
    assert set(tables) >= {"root", "spool", "database", "mail", "portal",
                           "process", "employer", "option"}
    for table, keys in tables.items():
        if table in ("spool", "database", "mail", "portal", "process"):
            missing = keys - documented_items(have.get(table, ""))
        elif table == "employer":
            missing = keys - documented_items(have.get("employers", ""))
        elif table == "root":  # a section of the page, or an item
            missing = keys - set(have) - documented_items(text)
        else:
            missing = keys - everywhere
        assert not missing, "%s keys not in affild.yaml.5: %s" % (
            table, sorted(missing))


# --- the completion ----------------------------------------------------------

def test_completion_parses():
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    r = subprocess.run(["bash", "-n", str(COMPLETION)], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0 and r.stderr == "", r.stderr


def test_completion_offers_employees():
    # "emp" is also employers (the expected-file calendar's listing)
    assert sorted(complete("affilctl", "emp")) == ["employees", "employers"]
    assert complete("affilctl", "employee") == ["employees"]


def test_completion_of_formats_and_subcommands():
    assert complete("affilctl", "--format", "") == ["table", "csv", "json"]
    assert complete("affilctl", "-c", "x.yaml", "--format", "json",
                    "ti") == ["timers"]
    assert complete("affilctl", "outbox", "") == ["retry"]
    assert complete("affilctl", "timers", "") == ["run"]
    assert complete("affilctl", "file", "20261128-000042", "") == [
        "approve", "refuse"]
    assert complete("affilctl", "help", "ou") == ["outbox"]


def test_completion_of_options_after_the_command():
    # options anywhere, each command its own, their values from the table
    assert "--state" in complete("affilctl", "outbox", "--")
    assert "--failed" in complete("affilctl", "outbox", "--")
    assert "--sort" not in complete("affilctl", "outbox", "--")
    assert complete("affilctl", "employees", "--so") == ["--sort"]
    assert complete("affilctl", "employees", "Dupont", "--sort", "") == [
        "nom", "since", "status"]
    assert complete("affilctl", "files", "--state", "h") == ["held"]
    assert complete("affilctl", "outbox", "--state", "") == [
        "pending", "sent", "failed"]
    assert complete("affilctl", "timers", "run", "--") == [
        "--config", "--format", "--help", "--version", "--as-of", "--at",
        "--force", "--no-wait", "--timeout"]
    # the changes too: their options, their values, edit's fields
    radiate = complete("affilctl", "radiate", "12345678", "1", "--")
    assert {"--fin", "--motif", "--portabilite", "--no-wait",
            "--timeout"} <= set(radiate) and "--demande" not in radiate
    assert complete("affilctl", "radiate", "--portabilite", "") == ["O", "N"]
    assert "ville=" in complete("affilctl", "edit", "12345678", "1", "v")
    assert complete("affilctl", "file", "1", "") == ["approve", "refuse"]
    # --format=... : bash makes '=' a word of its own
    assert complete("affilctl", "files", "--format", "=", "c") == ["csv"]
