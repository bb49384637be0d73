#!/usr/bin/python3
"""ingest_driver.py - the runs and the table of bench/bench_ingest.sh.

Run by bench_ingest.sh (which builds the programs first), never alone:

    ingest_driver.py WORKDIR TOOLS_DIR

Contenders, each timed by TOOLS_DIR/measure (wall time, peak RSS):
  affild   bin/affild -c CONF --once --no-deliver, the files already in
           the drop (settle_ms 0: no start-up polling, no settle delay)
  C        TOOLS_DIR/baseline_ingest (bench/baseline_ingest.c)
  Python   /usr/bin/python3 bench/ref_ingest.py
  import   sqlite3 DB < script: `.import` into the file's columns, UNIQUE
           (operation, nir): a constant column first, as the employer is

Each contender starts from a fresh state made before the clock starts
(an empty database with its schema, or a copy of a loaded portfolio);
rounds alternate the contenders (affild, C, Python, import, affild, ...),
and the ratios are the medians of the ratios of each round's pair.

Environment: INGEST_N (movements, default 200000), INGEST_K (rounds, 5),
INGEST_FILES (small files, 1000), INGEST_FILE_ROWS (10), INGEST_DROPS
(latency drops, 30), INGEST_SCENARIOS (default: rules simple_csv
simple_xml complete radiation files latency).
"""
import csv
import glob
import io
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_movements  # noqa: E402  (bench/, beside this file)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("AFFILD_BIN", os.path.join(REPO, "bin"))
PY = "/usr/bin/python3"
EMPLOYER = "12345678"
N = int(os.environ.get("INGEST_N", "200000"))
K = int(os.environ.get("INGEST_K", "5"))
FILES = int(os.environ.get("INGEST_FILES", "1000"))
FILE_ROWS = int(os.environ.get("INGEST_FILE_ROWS", "10"))
DROPS = int(os.environ.get("INGEST_DROPS", "30"))
SCENARIOS = os.environ.get(
    "INGEST_SCENARIOS",
    "rules simple_csv simple_xml complete radiation files latency").split()

CONFIG = """\
spool:
  dir: {root}/spool
  sftp_chroot: false
  settle_ms: 0
  rescan_s: 60
database:
  path: {root}/affild.db
mail:
  transport: file
  dir: {root}/mail
  from: "Espace entreprise <affiliation@assureur.example>"
  templates: {repo}/templates/fr
  print_dir: {root}/print
portal:
  enabled: false
  token_key_file: {root}/token.key
process:
  creditor_id: FR12ZZZ123456
  radiation_gate_percent: 0
employers:
  - numero: "{employer}"
    name: Exemple SAS
    options:
      - code: BASE
    base_plan: BASE
    contact_email: rh@exemple-sas.example
"""
IMPORT_SCHEMA = (
    "PRAGMA journal_mode=WAL; CREATE TABLE employee (operation TEXT,"
    " nir TEXT, nom TEXT, prenom TEXT, date_naissance TEXT,"
    " date_embauche TEXT, categorie TEXT, email TEXT);"
    " CREATE UNIQUE INDEX employee_nir ON employee (operation, nir);")


class Bench:
    def __init__(self, work, tools):
        self.work, self.tools = work, tools
        self.log = open(os.path.join(work, "runs.log"), "ab")

    # ---- plumbing -------------------------------------------------------

    def run(self, *cmd, **kw):
        self.log.flush()
        return subprocess.run(cmd, stdout=self.log, stderr=self.log,
                              check=kw.pop("check", True), **kw)

    def measured(self, *cmd, stdin=None):
        """(seconds, peak RSS in KB, exit status) of one run."""
        out = os.path.join(self.work, "measure.out")
        with open(stdin or os.devnull, "rb") as f:
            self.run(os.path.join(self.tools, "measure"), out, *cmd, stdin=f)
        secs, rss, status = open(out).read().split()
        return float(secs), int(rss), int(status)

    def gen(self, fmt, n, path, *args):
        self.run(PY, os.path.join(REPO, "bench", "gen_movements.py"), fmt,
                 str(n), path, *args)
        return path

    def small(self, path, first):
        """A FILE_ROWS-movement CSV file, written here: a thousand of them
        would cost a thousand Python start-ups through gen()."""
        hired, end = date.today().isoformat(), ""
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(gen_movements.HEADERS["simple"])
            for i in range(first, first + FILE_ROWS):
                f.write(gen_movements.csv_lines("simple", i, hired, end))
        return path

    # ---- contenders: fresh state (untimed), then the timed run ----------

    def affild_root(self, name):
        root = os.path.join(self.work, name)
        shutil.rmtree(root, ignore_errors=True)
        os.makedirs(os.path.join(root, "mail"))
        os.makedirs(os.path.join(root, "print"))
        with open(os.path.join(root, "token.key"), "wb") as f:
            f.write(os.urandom(32))
        with open(os.path.join(root, "affild.yaml"), "w") as f:
            f.write(CONFIG.format(root=root, repo=REPO, employer=EMPLOYER))
        # the schema made, and the drops: start-up is not what is timed
        self.affild_once(root, timed=False)
        return root

    def affild_drop(self, root, *paths):
        drop = os.path.join(root, "spool", EMPLOYER, "in")
        for p in paths:
            tmp = os.path.join(drop, ".%s.part" % os.path.basename(p))
            shutil.copyfile(p, tmp)
            os.rename(tmp, os.path.join(drop, os.path.basename(p)))

    def affild_once(self, root, timed=True):
        cmd = (os.path.join(BIN, "affild"), "-c",
               os.path.join(root, "affild.yaml"), "--once", "--no-deliver")
        if not timed:
            self.run(*cmd)
            return None
        secs, rss, status = self.measured(*cmd)
        if status != 0:
            sys.exit("affild --once exited %d: see %s" % (status,
                                                          self.log.name))
        return secs, rss

    def ref_db(self, name, ref):
        d = os.path.join(self.work, name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        self.run(*ref, "--init", os.path.join(d, "db"))
        return d

    def ref_run(self, d, ref, *files):
        secs, rss, status = self.measured(*ref, os.path.join(d, "db"), d,
                                          *files)
        if status != 0:
            sys.exit("%s exited %d: see %s" % (ref[-1], status,
                                               self.log.name))
        return secs, rss

    def c_ref(self):
        return (os.path.join(self.tools, "baseline_ingest"),)

    def py_ref(self):
        return (PY, os.path.join(REPO, "bench", "ref_ingest.py"))

    def import_run(self, name, *files):
        d = os.path.join(self.work, name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        db = os.path.join(d, "db")
        self.run("sqlite3", db, IMPORT_SCHEMA)
        script = os.path.join(d, "import.sql")
        with open(script, "w") as f:
            f.write("PRAGMA synchronous=FULL;\nPRAGMA cache_size=-65536;\n"
                    ".bail on\n.mode csv\n.separator \";\"\n")
            for p in files:
                f.write(".import --skip 1 '%s' employee\n" % p)
        secs, rss, status = self.measured("sqlite3", db, stdin=script)
        if status != 0:
            sys.exit("sqlite3 .import exited %d" % status)
        return secs, rss

    # ---- checks: a run that did less must not be timed as a win ---------

    def summary(self, report):
        raw = open(report, encoding="utf-8-sig").read()
        if report.endswith(".xml"):
            return raw.split('code="CR')[-1][0]
        return list(csv.reader(io.StringIO(raw), delimiter=";"))[-1][4][2]

    def expect_cr0(self, pattern):
        reports = glob.glob(pattern)
        bad = [r for r in reports if self.summary(r) != "0"]
        if not reports or bad:
            sys.exit("not CR0: %s (%d reports)" % (bad or pattern,
                                                   len(reports)))

    # ---- the scenarios --------------------------------------------------

    def rounds(self, title, count, contenders, ratios):
        """K rounds of the contenders in turn; prints the table."""
        times = {c: [] for c, _ in contenders}
        rss = {c: [] for c, _ in contenders}
        for k in range(K):
            for c, fn in contenders:
                secs, kb = fn(k)
                times[c].append(secs)
                rss[c].append(kb)
            print("  round %d/%d: %s" % (k + 1, K, "  ".join(
                "%s %.2f s" % (c, times[c][-1]) for c, _ in contenders)),
                file=sys.stderr, flush=True)
        print("\n== %s, %d rounds alternated" % (title, K))
        print("%-22s %10s %12s %14s" % ("contender", "median s", "µs/movement"
                                        if count else "", "peak RSS MiB"))
        for c, _ in contenders:
            med = statistics.median(times[c])
            per = "%.1f" % (med * 1e6 / count) if count else ""
            print("%-22s %10.3f %12s %14.1f" % (
                c, med, per, statistics.median(rss[c]) / 1024))
        parts = []
        for a, b in ratios:
            r = statistics.median(x / y for x, y in zip(times[a], times[b]))
            parts.append("%s/%s %.2f" % (label(a), label(b), r))
        if parts:
            print("paired ratios (median of %d): %s" % (K, "   ".join(parts)))
        sys.stdout.flush()
        return times

    def simple_csv(self):
        f = self.gen("csv", N, os.path.join(self.work, "simple.csv"))

        def affild(k):
            root = self.affild_root("affild")
            self.affild_drop(root, f)
            r = self.affild_once(root)
            self.expect_cr0(root + "/spool/%s/out/simple.csv.*.cr.csv"
                            % EMPLOYER)
            return r

        def ref(name, cmd):
            def go(k):
                d = self.ref_db(name, cmd)
                r = self.ref_run(d, cmd, f)
                self.expect_cr0(d + "/simple.csv.cr.csv")
                return r
            return go

        self.rounds("SIMPLE CSV: %d AFFILIATION_SIMPLE" % N, N, [
            ("affild --once", affild), ("C reference", ref("c", self.c_ref())),
            ("Python reference", ref("py", self.py_ref())),
            ("sqlite3 .import", lambda k: self.import_run("imp", f))],
            [("affild --once", "C reference"),
             ("Python reference", "affild --once"),
             ("affild --once", "sqlite3 .import")])

    def simple_xml(self):
        csv_f = os.path.join(self.work, "simple.csv")
        if not os.path.exists(csv_f):
            self.gen("csv", N, csv_f)
        xml_f = self.gen("xml", N, os.path.join(self.work, "simple.xml"))

        def affild(path):
            def go(k):
                root = self.affild_root("affild")
                self.affild_drop(root, path)
                return self.affild_once(root)
            return go

        self.rounds("SIMPLE XML against the same movements in CSV: %d" % N,
                    N, [("affild XML", affild(xml_f)),
                        ("affild CSV", affild(csv_f))],
                    [("affild XML", "affild CSV")])

    def complete(self):
        f = self.gen("csv", N, os.path.join(self.work, "complete.csv"),
                     "--kind", "complete")

        def affild(k):
            root = self.affild_root("affild")
            self.affild_drop(root, f)
            return self.affild_once(root)

        def ref(name, cmd):
            return lambda k: self.ref_run(self.ref_db(name, cmd), cmd, f)

        self.rounds("COMPLETE: %d AFFILIATION_COMPLETE, one AYANT_DROIT "
                    "each (%d movements)" % (N, 2 * N), 2 * N, [
                        ("affild --once", affild),
                        ("C reference", ref("c", self.c_ref())),
                        ("Python reference", ref("py", self.py_ref()))],
                    [("affild --once", "C reference"),
                     ("Python reference", "affild --once")])

    def radiation(self):
        hired = (date.today() - timedelta(days=60)).isoformat()
        folio = self.gen("csv", N, os.path.join(self.work, "portfolio.csv"),
                         "--kind", "complete", "--hired", hired)
        f = self.gen("csv", N, os.path.join(self.work, "radiation.csv"),
                     "--kind", "radiation")

        def fresh(tpl, name):
            d = os.path.join(self.work, name)
            shutil.rmtree(d, ignore_errors=True)
            shutil.copytree(tpl, d, symlinks=True)
            return d

        # The portfolios, loaded once (untimed), copied before each run;
        # affild's config names its root, so its copy goes back in place.
        root = self.affild_root("affild-portfolio")
        self.affild_drop(root, folio)
        self.affild_once(root, timed=False)
        tpl_a = fresh(root, "affild-portfolio.tpl")
        tpl_r = self.ref_db("ref-portfolio", self.c_ref())
        self.run(*self.c_ref(), os.path.join(tpl_r, "db"), tpl_r, folio)

        def affild(k):
            fresh(tpl_a, "affild-portfolio")
            self.affild_drop(root, f)
            r = self.affild_once(root)
            self.expect_cr0(root + "/spool/%s/out/radiation.csv.*.cr.csv"
                            % EMPLOYER)
            return r

        def ref(name, cmd):
            def go(k):
                d = fresh(tpl_r, name)
                r = self.ref_run(d, cmd, f)
                self.expect_cr0(d + "/radiation.csv.cr.csv")
                return r
            return go

        self.rounds("RADIATION: %d against a portfolio of %d" % (N, N), N, [
            ("affild --once", affild), ("C reference", ref("c", self.c_ref())),
            ("Python reference", ref("py", self.py_ref()))],
            [("affild --once", "C reference"),
             ("Python reference", "affild --once")])

    def files(self):
        d = os.path.join(self.work, "small")
        os.makedirs(d, exist_ok=True)
        paths = [self.small(os.path.join(d, "f%04d.csv" % i), i * FILE_ROWS)
                 for i in range(FILES)]

        def affild(k):
            root = self.affild_root("affild")
            self.affild_drop(root, *paths)
            return self.affild_once(root)

        def ref(name, cmd):
            return lambda k: self.ref_run(self.ref_db(name, cmd), cmd, *paths)

        times = self.rounds(
            "FILES: %d files of %d AFFILIATION_SIMPLE, each its own "
            "transaction" % (FILES, FILE_ROWS), 0, [
                ("affild --once", affild),
                ("C reference", ref("c", self.c_ref())),
                ("Python reference", ref("py", self.py_ref())),
                ("sqlite3 .import", lambda k: self.import_run("imp", *paths))],
            [("affild --once", "C reference"),
             ("Python reference", "affild --once"),
             ("affild --once", "sqlite3 .import")])
        print("ms per file: " + "   ".join(
            "%s %.2f" % (c.split()[0], statistics.median(t) * 1000 / FILES)
            for c, t in times.items()))
        if shutil.which("strace"):
            root = self.affild_root("affild")
            self.affild_drop(root, *paths)
            a = self.syncs(os.path.join(BIN, "affild"), "-c",
                           os.path.join(root, "affild.yaml"), "--once",
                           "--no-deliver")
            c = self.syncs(*self.c_ref(), os.path.join(
                self.ref_db("c", self.c_ref()), "db"),
                os.path.join(self.work, "c"), *paths)
            print("syncs per file (strace -f -c, an untimed run): affild "
                  "%.1f, C %.1f" % (a / FILES, c / FILES))

    def syncs(self, *cmd):
        """fsync + fdatasync calls of one run, counted by strace -c."""
        out = os.path.join(self.work, "strace.out")
        self.run("strace", "-f", "-qq", "-c", "-o", out, "-e",
                 "trace=fsync,fdatasync", *cmd)
        n = 0
        for line in open(out):
            w = line.split()
            if w and w[-1] in ("fsync", "fdatasync") and w[3].isdigit():
                n += int(w[3])
        return n

    def latency(self):
        """Drop to report of a FILE_ROWS-movement file, the daemon running."""
        root = self.affild_root("affild")
        d = os.path.join(self.work, "drops")
        os.makedirs(d, exist_ok=True)
        proc = subprocess.Popen([os.path.join(BIN, "affild"), "-c",
                                 os.path.join(root, "affild.yaml")],
                                stdout=self.log, stderr=self.log)
        lat = []
        try:
            time.sleep(1)   # started: a first look at the drops done
            drop = os.path.join(root, "spool", EMPLOYER, "in")
            out = os.path.join(root, "spool", EMPLOYER, "out")
            for i in range(DROPS):
                name = "lat%04d.csv" % i
                src = self.small(os.path.join(d, name),
                                 10 ** 6 + i * FILE_ROWS)
                shutil.copyfile(src, os.path.join(drop, "." + name + ".part"))
                t0 = time.monotonic()
                os.rename(os.path.join(drop, "." + name + ".part"),
                          os.path.join(drop, name))
                while not any(n.startswith(name + ".") and n.endswith(".cr.csv")
                              for n in os.listdir(out)):
                    if time.monotonic() - t0 > 60 or proc.poll() is not None:
                        sys.exit("no report for %s" % name)
                    time.sleep(0.0005)
                lat.append(time.monotonic() - t0)
                time.sleep(0.05)    # its mail written, the loop idle again
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
        print("\n== LATENCY: drop (rename) to report of a %d-movement file, "
              "daemon running, %d drops" % (FILE_ROWS, DROPS))
        print("median %.1f ms   min %.1f ms   max %.1f ms" % (
            statistics.median(lat) * 1000, min(lat) * 1000, max(lat) * 1000))

    def rules(self):
        """The references apply affild's field rules: same codes, same
        lines, on a file made to break each rule once."""
        f = os.path.join(self.work, "rules.csv")
        with open(f, "w", encoding="utf-8") as fp:
            fp.write(rules_file())
        root = self.affild_root("affild")
        self.affild_drop(root, f)
        self.run(os.path.join(BIN, "affild"), "-c",
                 os.path.join(root, "affild.yaml"), "--once", "--no-deliver",
                 check=False)
        got = {"affild": glob.glob(root + "/spool/%s/out/rules.csv.*.cr.csv"
                                   % EMPLOYER)[0]}
        for name, cmd in (("C", self.c_ref()), ("Python", self.py_ref())):
            dd = self.ref_db(name, cmd)
            self.run(*cmd, os.path.join(dd, "db"), dd, f)
            got[name] = os.path.join(dd, "rules.csv.cr.csv")
        lines = {k: codes(v) for k, v in got.items()}
        if not lines["affild"] == lines["C"] == lines["Python"]:
            for a, c, p in zip(lines["affild"], lines["C"], lines["Python"]):
                print("affild %s  C %s  Python %s%s" % (
                    a, c, p, "" if a == c == p else "   <- differs"))
            sys.exit("the references do not apply affild's rules")
        print("\n== RULES: affild, the C and the Python references give the "
              "same codes on the same lines (%d lines, %d rejected)" % (
                  len(lines["affild"]),
                  sum(1 for x in lines["affild"] if x[1] == "REJETE")))


def label(contender):
    """"affild --once" -> "affild", "affild XML" -> "XML"."""
    words = contender.split()
    return words[1] if words[0] == "affild" and words[1].isupper() \
        else words[0]


def codes(report):
    raw = open(report, encoding="utf-8-sig").read()
    return [(r["ligne"], r["resultat"], r["code"], r["champ"])
            for r in csv.DictReader(io.StringIO(raw), delimiter=";")]


def rules_file():
    """One valid movement, then one movement per field rule broken."""
    t = date.today()

    def nir(yy, mm, dept, rest, wrong=False):
        body = "1%02d%02d%s%s" % (yy, mm, dept, rest)
        key = 97 - int(body.replace("2A", "19").replace("2B", "18")) % 97
        return body + "%02d" % ((key + wrong) % 97 or 97)

    def row(n, born="1985-05-12", hired=t.isoformat(), cat="CADRE",
            mail="a@example.fr", nom="Nom"):
        return ";".join(["AFFILIATION_SIMPLE", n, nom, "Prénom", born, hired,
                         cat, mail]) + "\n"

    rows = [
        row(nir(85, 5, "99", "100001")),
        row(nir(85, 5, "2A", "100002"), mail="b@example.fr"),
        row(nir(85, 5, "2B", "100003"), mail="c@example.fr"),
        row(" ".join([nir(85, 5, "99", "100004")[:1],
                      nir(85, 5, "99", "100004")[1:]]), mail="d@example.fr"),
        row(nir(85, 5, "99", "100005", wrong=True)),
        row(nir(85, 5, "99", "1006")),
        row(nir(85, 13, "99", "100007")),
        row(nir(85, 5, "99", "100008"), born="1985-02-30"),
        row(nir(85, 5, "99", "100009"), born="12/05/85"),
        row(nir(85, 5, "99", "100010"), born="12/05/1985",
            mail="e@example.fr"),
        row(nir(85, 5, "99", "100011"),
            born=(t + timedelta(days=3)).isoformat()),
        row(nir(85, 5, "99", "100012"), born="1900-01-01"),
        row(nir(85, 5, "99", "100013"),
            hired=(t + timedelta(days=400)).isoformat()),
        row(nir(85, 5, "99", "100014"), mail="f@example.fr",
            hired=(t - timedelta(days=200)).isoformat()),
        row(nir(85, 5, "99", "100015"), mail="pas-une-adresse"),
        row(nir(85, 5, "99", "100016"), mail="a..b@example.fr"),
        row(nir(85, 5, "99", "100017"), mail="a@example"),
        row(nir(85, 5, "99", "100018"), mail="a@-x.fr"),
        row(nir(85, 5, "99", "100019"), nom=""),
        row(nir(85, 5, "99", "100020"), cat="CHEF"),
        row(nir(90, 5, "99", "100021"), mail="g@example.fr"),
        row(nir(85, 5, "99", "100001")),
    ]
    return ("operation;nir;nom;prenom;date_naissance;date_embauche;"
            "categorie;email\n" + "".join(rows))


def main():
    work, tools = sys.argv[1], sys.argv[2]
    b = Bench(work, tools)
    sqlite = subprocess.run(["sqlite3", "--version"], capture_output=True,
                            text=True).stdout.split()[0]
    print("ingest benchmark: N=%d K=%d files=%dx%d; %d cores, load %.2f; "
          "SQLite %s; %s" % (N, K, FILES, FILE_ROWS, os.cpu_count(),
                             os.getloadavg()[0], sqlite, time.strftime(
                                 "%Y-%m-%d %H:%M")))
    sys.stdout.flush()
    for s in SCENARIOS:
        getattr(b, s)()
        for name in os.listdir(work):   # its databases and spools: the
            if os.path.isdir(os.path.join(work, name)):  # disk, for the next
                shutil.rmtree(os.path.join(work, name))
    print("\nload at the end %.2f" % os.getloadavg()[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
