#!/usr/bin/python3
"""Fuzz newsquery's command line: random argument vectors against a real
index, for a bounded time.

    cli_fuzz.py NEWSINDEX NEWSQUERY SAMPLES

Options and their values (valid and not, in any order, read from
--help so new options are fuzzed too) and query strings (pasted prose,
unbalanced syntax, control characters, invalid UTF-8, huge texts) are
drawn from a seeded generator.  Each run must end by itself (a generous
timeout: it catches hangs, not slowness) with exit status 0, 1 or 2,
never a signal, never a sanitizer report; with --json or --format
json(l), the output of a search must parse as JSON (UTF-8).

Environment: NI_FUZZ_SEED (default 12; printed), NI_FUZZ_SECONDS (how
long to go on, default 30), NI_FUZZ_TIMEOUT (per run, default 60 s).
A failure prints the seed, the run's number and its arguments, so that
`NI_FUZZ_SEED=S` replays the same runs.  docs/testing.md has more.
"""
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

SEED = int(os.environ.get("NI_FUZZ_SEED", "12"))
SECONDS = float(os.environ.get("NI_FUZZ_SECONDS", "30"))
TIMEOUT = float(os.environ.get("NI_FUZZ_TIMEOUT", "60"))
# A query argument is at most this long (Linux's limit is 128 KiB).
MAX_ARG = 120000

SYNTAX = [
    "(", ")", "((", "))", '"', '""', '" "', "AND", "OR", "NOT", "NEAR",
    "NEAR/5", "NEAR/0", "NEAR/1001", "NEAR/", "*", "s*", "sanc*", "zz*",
    "+", "-", "--", "+-", "-(", "title:", "title:(", "topic:", "topic:ai",
    "topic:(ai OR", "date:2021", "date:2021-13", "date:..", "date:7d..",
    "date:2022..2021", "quality:>=40", "quality:101", "quality:..",
    "published:maybe", "url:", "site:x.com", "provider:\"", "foo:bar",
    "std::vector", "https://example.com/a", "Note:", "a*b", "e-commerce",
    "U.S.", "1)", "2)", "\u00a0", "\u3000", "\u200b", "\u0301", "NOT NOT",
]
WORDS = [
    "sanctions", "china", "SenseTime", "oil", "price", "interest", "rate",
    "the", "of", "and", "or", "not", "near", "stock", "sale", "market",
    "人工智能", "ソニー", "판매량", "Überwachung", "café", "Wärmepumpe",
    "\U0001F600", "\u05e9\u05dc\u05d5\u05dd", "x" * 70, "3.5", "2021",
]
CONTROL = [chr(c) for c in range(1, 32)] + ["\x7f", "\x1b[31m", "\x1b]0;x\x07"]
BAD_UTF8 = [b"\xff", b"\xfe", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80",
            b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\x80"]
# Each option's values: (valid ones, invalid ones).
VALUES = {
    "limit": (["0", "1", "3", "10", "100", "10000"],
              ["10001", "-1", "ten", "", "1e3"]),
    "offset": (["0", "5", "100", "1000000000"], ["-5", "x", ""]),
    "sort": (["relevance", "date", "quality", "date-asc"], ["bogus", ""]),
    "half-life": (["0.01", "7", "36500"], ["0", "1e9", "nan", "x"]),
    "facets": (["topic", "provider,month", "topic,,month", ""], ["bogus"]),
    "quality-weight": (["0", "1", "1000"], ["1001", "-1", "inf", "x"]),
    "bm25-k1": (["0", "1.2", "100"], ["101", "x"]),
    "bm25-b": (["0", "0.75", "1"], ["2", "x"]),
    "lang": (["en", "de", "fr-FR", "zh-Hans", "none", "german"],
             ["klingon", ""]),
    "format": (["text", "json", "json", "paths", "urls", "tsv", "jsonl"],
               ["bogus", ""]),
    "color": (["auto", "always", "never"], ["sometimes"]),
    "hyperlinks": (["auto", "always", "never"], ["x"]),
}
# The share of options given a value of the invalid kind.
INVALID = 0.1
# Options after which the output is not a search's JSON.
NOT_A_SEARCH = {"-h", "--help", "--version", "--count"}


def options_from_help(newsquery):
    """[(name, takes_value)] of every option --help lists: the lines
    "  -n, --limit N    text" and "  --bm25-k1 K, --bm25-b B  text"."""
    text = subprocess.run([newsquery, "--help"], capture_output=True,
                          timeout=TIMEOUT).stdout.decode("utf-8", "replace")
    found = {}
    for line in text.splitlines():
        m = re.match(r"  (-\S.*?)(?:\s{2,}|$)", line)
        items = [re.fullmatch(r"(--?[A-Za-z0-9][-A-Za-z0-9]*)( \S+)?", i)
                 for i in (m.group(1).split(", ") if m else [])]
        items = [o for o in items if o]
        # "-n, --limit N": the short form takes the value too.
        takes = any(o.group(2) for o in items)
        for o in items:
            found.setdefault(o.group(1), bool(o.group(2)) or takes)
    return sorted(found.items())


def prose(rng, samples):
    """A slice of the sample articles' text, as a person would paste."""
    text = rng.choice(samples)
    start = rng.randrange(len(text))
    return text[start:start + rng.choice([20, 80, 300, 2000])]


def query_piece(rng, samples):
    kind = rng.randrange(8)
    if kind == 0:
        return prose(rng, samples)
    if kind == 1:
        return rng.choice(SYNTAX)
    if kind == 2:
        return rng.choice(CONTROL)
    if kind == 3:
        return rng.choice(BAD_UTF8)
    if kind == 4:
        return "".join(chr(rng.randrange(0x20, 0x3000))
                       for _ in range(rng.randrange(1, 8)))
    return rng.choice(WORDS)


def encode(piece):
    return piece if isinstance(piece, bytes) else piece.encode("utf-8")


def query_arg(rng, samples):
    """One query argument, as bytes: pieces joined, sometimes huge."""
    n = rng.choice([0, 1, 2, 5, 20])
    parts = [encode(query_piece(rng, samples)) for _ in range(n)]
    seps = [b" ", b"", b"  ", b"\t"]
    arg = b"".join(p + rng.choice(seps) for p in parts)
    if rng.random() < 0.04:
        arg = (arg or b"word ") * (MAX_ARG // max(len(arg), 5))
    return arg[:MAX_ARG].replace(b"\0", b"")


def option_args(rng, options, db, like):
    name, takes = rng.choice(options)
    if not takes:
        return [name.encode()]
    key = name.lstrip("-")
    if key == "db":
        value = db if rng.random() > INVALID else \
            rng.choice(["/nonexistent", __file__, ""])
    elif key == "like":
        value = rng.choice(like + ["https://nowhere.example/", "", "-x"])
    else:
        valid, invalid = VALUES.get("limit" if key == "n" else key,
                                    (["1"], ["", "x", "-1", "\xff"]))
        value = rng.choice(invalid if rng.random() < INVALID else valid)
    value = value.encode("utf-8", "surrogateescape")
    if name.startswith("--") and rng.random() < 0.3:
        return [name.encode() + b"=" + value]
    if rng.random() < INVALID / 2:
        return [name.encode()]      # its value missing
    return [name.encode(), value]


def argv_for(rng, options, samples, db, like):
    """Options (each with its value), words and junk, in any order."""
    units = [option_args(rng, options, db, like)
             for _ in range(rng.choice([0, 1, 2, 3, 6]))]
    if rng.random() < INVALID:
        units.append([rng.choice([b"--bogus", b"-x", b"--", b"-"])])
    units += [[query_arg(rng, samples)]
              for _ in range(rng.choice([0, 1, 1, 1, 2, 3]))]
    if rng.random() < INVALID:
        units.append([b"--db", db.encode()])
    rng.shuffle(units)
    return [arg for unit in units for arg in unit]


def permutes(newsquery, db):
    """Whether options may follow the query's words (GNU getopt), or
    end at the first word."""
    out = subprocess.run([newsquery, "--db", db, "word", "--version"],
                         capture_output=True, timeout=TIMEOUT).stdout
    return out.startswith(b"newsquery ")


def given_options(args, takes_value, permute):
    """The options newsquery reads from `args`, as getopt_long does:
    [(name, value or None)]."""
    given, i = [], 0
    while i < len(args):
        a = args[i]
        i += 1
        if a == b"--":
            break
        if not a.startswith(b"-") or a == b"-":
            if permute:
                continue
            break
        name, eq, value = a.partition(b"=") if a.startswith(b"--") \
            else (a[:2], b"", a[2:])
        name = name.decode("utf-8", "replace")
        if takes_value.get(name) and not eq and not value:
            value = args[i] if i < len(args) else None
            i += 1
        given.append((name, value if takes_value.get(name) else None))
    return given


def check(args, proc, takes_value, permute):
    """A list of what is wrong with one run."""
    problems = []
    err = proc.stderr.decode("utf-8", "replace")
    if proc.returncode < 0:
        problems.append(f"killed by signal {-proc.returncode}")
    elif proc.returncode not in (0, 1, 2):
        problems.append(f"exit status {proc.returncode}")
    for mark in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
        if mark in err:
            problems.append(f"sanitizer report ({mark})")
    fmt, search = "text", proc.returncode in (0, 1)
    for name, value in given_options(args, takes_value, permute):
        if name == "--json":
            fmt = "json"
        elif name == "--format" and value is not None:
            fmt = value.decode("utf-8", "replace")
        search = search and name not in NOT_A_SEARCH
    if search and fmt in ("json", "jsonl"):
        lines = [proc.stdout] if fmt == "json" else \
            [ln for ln in proc.stdout.split(b"\n") if ln]
        for line in lines:
            try:
                json.loads(line)
            except ValueError as e:
                problems.append(f"--format {fmt} output does not parse: "
                                f"{e}")
                break
    return problems


def build_index(newsindex, samples_dir, work):
    db = os.path.join(work, "db")
    subprocess.run([newsindex, "build", "--db", db, samples_dir],
                   check=True, capture_output=True, timeout=600)
    return db


def sample_texts(samples_dir):
    texts, urls, paths = [], [], []
    files = sorted(os.path.join(top, name)
                   for top, _, names in os.walk(samples_dir)
                   for name in names)
    for path in files:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        texts.append(text)
        paths.append(path)
        m = re.search(r'^webUrl: "([^"]+)"', text, re.M)
        if m:
            urls.append(m.group(1))
    return texts, urls + paths[:3]


def child_env(work):
    env = dict(os.environ)
    # A sanitizer's report must end the run with a signal, whatever the
    # caller set; no config file unless a run says so.
    env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") +
                           ":abort_on_error=1:detect_leaks=1").lstrip(":")
    env["UBSAN_OPTIONS"] = (env.get("UBSAN_OPTIONS", "") +
                            ":halt_on_error=1:abort_on_error=1").lstrip(":")
    env["HOME"] = work
    env["NEWSINDEX_CONFIG"] = ""
    env["XDG_CONFIG_HOME"] = ""
    env["NEWSINDEX_DB"] = ""
    return env


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: cli_fuzz.py NEWSINDEX NEWSQUERY SAMPLES")
    newsindex, newsquery, samples_dir = sys.argv[1:]
    print(f"cli_fuzz: seed {SEED} (NI_FUZZ_SEED), {SECONDS:g} s "
          f"(NI_FUZZ_SECONDS)", flush=True)
    work = tempfile.mkdtemp(prefix="ni-cli-fuzz-")
    try:
        db = build_index(newsindex, samples_dir, work)
        samples, like = sample_texts(samples_dir)
        options = options_from_help(newsquery)
        takes_value = dict(options)
        permute = permutes(newsquery, db)
        config = os.path.join(work, "config.yaml")
        with open(config, "w") as f:
            f.write("strict_syntax: true\nlimit: 3\nfacets: topic\n")
        env = child_env(work)
        rng = random.Random(SEED)
        deadline = time.monotonic() + SECONDS
        runs = failures = 0
        statuses = {}
        while time.monotonic() < deadline:
            args = argv_for(rng, options, samples, db, like)
            # The index from the environment, unless --db says otherwise
            # (options may end before it, at the first word).
            run_env = dict(env, NEWSINDEX_DB=db)
            if rng.random() < INVALID:
                run_env["NEWSINDEX_DB"] = ""
            if rng.random() < INVALID:
                run_env["NEWSINDEX_CONFIG"] = config
            runs += 1
            try:
                proc = subprocess.run([newsquery.encode()] + args,
                                      env=run_env, capture_output=True,
                                      timeout=TIMEOUT,
                                      stdin=subprocess.DEVNULL)
                problems = check(args, proc, takes_value, permute)
                statuses[proc.returncode] = \
                    statuses.get(proc.returncode, 0) + 1
            except subprocess.TimeoutExpired:
                proc = None
                problems = [f"still running after {TIMEOUT:g} s"]
            if problems:
                failures += 1
                print(f"FAIL: seed {SEED}, run {runs}: "
                      f"{'; '.join(problems)}\n  argv: {args!r}",
                      flush=True)
                if proc is not None:
                    tail = proc.stderr[-2000:].decode("utf-8", "replace")
                    print("  stderr: " + tail.replace("\n", "\n  stderr: "))
                if failures >= 5:
                    break
        print(f"cli_fuzz: {runs} runs, {failures} failed (seed {SEED}); "
              f"exit statuses {dict(sorted(statuses.items()))}")
        return 1 if failures else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
