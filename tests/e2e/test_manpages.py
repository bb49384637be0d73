"""Manual pages and shell completion stay true to the code.

The three mdoc pages lint clean; every affilctl command (from `affilctl
--help`, or the command table of ctl/affilctl.c when not built) is
documented in affilctl.8 and completed by the bash completion; every
configuration key (docs/config.md and the key tables of config/) is in
affild.yaml.5; and the completion really offers `employees` for `emp`.
"""
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
    the command table in ctl/affilctl.c."""
    exe = BIN / "affilctl"
    if exe.exists():
        out = subprocess.run([str(exe), "--help"], capture_output=True,
                             text=True, timeout=30, check=True).stdout
        # "  employees [SEARCH]   ...": two spaces, then the command
        verbs = {m.group(1) for m in
                 re.finditer(r"^  ([a-z]+)\b", out, re.MULTILINE)}
    else:
        src = (REPO / "ctl" / "affilctl.c").read_text()
        table = src[src.index("} commands[] = {"):]
        table = table[:table.index("\n};")]
        verbs = set(re.findall(r'^\t\{ "([a-z]+)", ctl_', table,
                               re.MULTILINE))
    assert len(verbs) >= 8, verbs
    return verbs


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
    completed."""
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    script = ('source "$1"; shift; COMP_WORDS=("$@"); '
              'COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; '
              'COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); '
              '_affilctl; printf "%s\\n" "${COMPREPLY[@]}"')
    r = subprocess.run(["bash", "--norc", "--noprofile", "-c", script, "_",
                        str(COMPLETION)] + list(words),
                       capture_output=True, text=True, timeout=30)
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
    text = COMPLETION.read_text()
    m = re.search(r'verbs="([^"]*)"', text)
    assert m, "no verbs= list in the completion"
    listed = set(m.group(1).split())
    assert listed == affilctl_verbs()


def test_affilctl_options_documented_and_completed():
    src = (REPO / "ctl" / "affilctl.c").read_text()
    longs = set(re.findall(r'\{ "([a-z-]+)", (?:required|no)_argument',
                           src))
    assert {"config", "format", "employer", "status", "help"} <= longs
    man, comp = page("affilctl.8"), COMPLETION.read_text()
    for opt in longs:
        assert "Fl \\-" + opt in man, opt
        assert "--" + opt in comp, opt


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
    assert complete("affilctl", "emp") == ["employees", "employers"]
    assert complete("affilctl", "employee") == ["employees"]


def test_completion_of_formats_and_subcommands():
    assert complete("affilctl", "--format", "") == ["table", "csv", "json"]
    assert complete("affilctl", "-c", "x.yaml", "--format", "json",
                    "ti") == ["timers"]
    assert complete("affilctl", "outbox", "") == ["--failed", "retry"]
    assert complete("affilctl", "timers", "") == ["run"]
