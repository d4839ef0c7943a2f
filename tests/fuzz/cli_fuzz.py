#!/usr/bin/python3
"""Fuzz the command lines of newsquery and newsindex: random argument
vectors against real indexes, for a bounded time.

    cli_fuzz.py NEWSINDEX NEWSQUERY SAMPLES

newsquery: options and their values (valid and not, in any order, read
from --help so new options are fuzzed too) and query strings (pasted
prose, unbalanced syntax, control characters, invalid UTF-8, huge
texts), against an index of SAMPLES.  newsindex: its commands, each
with the options its help lists (good and bad values, missing ones),
`--`, `help X`, sources that exist or not, against a copy of that
index in the temporary folder (never the one newsquery reads, nor
anything outside the folder).  All drawn from a seeded generator.

Each run must end by itself (a generous wall-clock timeout: it catches
hangs), never by a signal, never with a sanitizer report, with an exit
status the program documents (newsquery 0, 1, 2; newsindex 0 to 4), and
within a budget of CPU time (user + system, measured for each child):
the issue's "every run under a second".  With --json or --format
json(l), the output of a search must parse as JSON (UTF-8), as must that
of `newsindex stats --json`.

Environment: NI_FUZZ_SEED (default 12; printed), NI_FUZZ_SECONDS (how
long to go on, default 30), NI_FUZZ_TIMEOUT (wall clock per run, default
60 s), NI_FUZZ_CPU_SECONDS (CPU budget per run, default 1; meson sets it
higher for a sanitized build, tests/fuzz/meson.build).  A failure prints
the seed, the run's number and its arguments, so that `NI_FUZZ_SEED=S`
replays the same runs.  docs/testing.md has more.
"""
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

SEED = int(os.environ.get("NI_FUZZ_SEED", "12"))
SECONDS = float(os.environ.get("NI_FUZZ_SECONDS", "30"))
TIMEOUT = float(os.environ.get("NI_FUZZ_TIMEOUT", "60"))
CPU_BUDGET = float(os.environ.get("NI_FUZZ_CPU_SECONDS", "1"))
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
# newsquery: each option's values (valid ones, invalid ones).
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
# newsindex: its commands, the exit statuses it documents (newsindex(1):
# 130 and 143 only when a signal stops a build, which no run sends), and
# each option's values (valid ones, invalid ones); --db, --values and
# sources are drawn from the paths main() makes.
NI_COMMANDS = ["build", "stats", "check", "compact", "forget"]
NI_STATUSES = {0, 1, 2, 3, 4}
NI_VALUES = {
    "max-file-size": (["1", "1000", "16777216", "4294967295"],
                      ["0", "-1", "x", "", "4294967296"]),
    "max-field-words": (["1", "10", "10000", "10000000"],
                        ["0", "10000001", "x", ""]),
    "jobs": (["1", "2", "8"], ["0", "-1", "x", "100000"]),
    "shards": (["1", "2", "3", "64"], ["0", "65", "x", ""]),
    "wait": (["0", "1", "0.5"], ["x", "-1", ""]),
    "values": (["topic", "provider", "month"], ["colour", "", "TOPIC"]),
}


# The share of options given a value of the invalid kind.
INVALID = 0.1
# Options after which the output is not a search's JSON.
NOT_A_SEARCH = {"-h", "--help", "--version", "--count"}


def options_from_help(program, *args):
    """{name: takes} of every option `program args --help` lists: the
    lines "  -n, --limit N    text", "  --bm25-k1 K, --bm25-b B  text"
    and "  --wait[=SECONDS]  text", and those of its usage line only
    ("[--db PATH]"); takes is True (a value), False (none) or "optional"
    (a value only after '=')."""
    text = subprocess.run([program, *args, "--help"], capture_output=True,
                          timeout=TIMEOUT).stdout.decode("utf-8", "replace")
    found = {"--help": False}
    usage = text.split("\n\n")[0]
    for m in re.finditer(r"\[(--?[A-Za-z0-9][-A-Za-z0-9]*)(\[=\S+?\])?"
                         r"( [A-Z]+)?\]", usage):
        found[m.group(1)] = "optional" if m.group(2) else bool(m.group(3))
    for line in text.splitlines():
        m = re.match(r"  (-\S.*?)(?:\s{2,}|$)", line)
        items = [re.fullmatch(r"(--?[A-Za-z0-9][-A-Za-z0-9]*)(\[=\S+\])?"
                              r"( \S+)?", i)
                 for i in (m.group(1).split(", ") if m else [])]
        items = [o for o in items if o]
        # "-n, --limit N": the short form takes the value too.
        takes = any(o.group(3) for o in items)
        for o in items:
            found.setdefault(o.group(1), "optional" if o.group(2)
                             else bool(o.group(3)) or takes)
    return found


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


def ni_option_args(rng, name, takes, paths):
    """One newsindex option as it may be written: with a good or bad
    value, written apart or after '=', or its value missing."""
    if not takes:
        return [name.encode()]
    key = name.lstrip("-")
    if key == "db":
        value = paths["db"] if rng.random() > INVALID else \
            rng.choice([paths["new_db"], paths["not_an_index"], ""])
    else:
        valid, invalid = NI_VALUES.get("jobs" if key == "j" else key,
                                       (["1"], ["", "x"]))
        value = rng.choice(invalid if rng.random() < INVALID else valid)
    value = value.encode("utf-8", "surrogateescape")
    if takes == "optional":
        return [name.encode() + b"=" + value] if rng.random() < 0.5 \
            else [name.encode()]
    if name.startswith("--") and rng.random() < 0.3:
        return [name.encode() + b"=" + value]
    if rng.random() < INVALID / 2:
        return [name.encode()]      # its value missing
    return [name.encode(), value]


def newsindex_argv(rng, ni_options, paths):
    """A command with its options and sources in any order (newsindex
    takes options anywhere), now and then `--`, `help X`, the options of
    no command, or something that is no command."""
    r = rng.random()
    if r < 0.05:
        return [rng.choice([b"--help", b"-h", b"--version", b"--bogus",
                            b"--db"])][:rng.choice([0, 1])]
    if r < 0.15:
        words = [b"help"] + [rng.choice(NI_COMMANDS + ["help", "bogus", ""])
                             .encode() for _ in range(rng.choice([0, 1, 2]))]
        if rng.random() < INVALID:
            words.insert(rng.randrange(len(words) + 1),
                         rng.choice([b"--help", b"--bogus", b"--"]))
        return words
    command = rng.choice(NI_COMMANDS) if rng.random() > INVALID / 2 \
        else rng.choice(["bogus", "Build", ""])
    options = sorted(ni_options.get(command, {"--db": True}).items())
    units = [ni_option_args(rng, *rng.choice(options), paths)
             for _ in range(rng.choice([0, 1, 1, 2, 3]))]
    if command in ("build", "forget") or rng.random() < INVALID:
        units += [[rng.choice(paths["sources"]).encode()]
                  for _ in range(rng.choice([0, 1, 1, 2, 3]))]
    if rng.random() < INVALID:
        units.append([rng.choice([b"--bogus", b"-x", b"--", b"-"])])
    rng.shuffle(units)
    # The command first, mostly; else after some options (as with
    # `newsindex --db PATH stats`), or after `--`.
    at = 0 if rng.random() < 0.7 else rng.randrange(len(units) + 1)
    units.insert(at, [command.encode()])
    if rng.random() < INVALID:
        units.insert(rng.randrange(len(units) + 1), [b"--"])
    return [arg for unit in units for arg in unit]


def ni_command_at(args):
    """Where newsindex finds its command (indexer/newsindex.c,
    command_at): the first argument that is no option nor --db's value,
    or the one after `--`; None when there is none."""
    i = 0
    while i < len(args):
        if args[i] == b"--":
            return i + 1 if i + 1 < len(args) else None
        if not args[i].startswith(b"-") or args[i] == b"-":
            return i
        i += 2 if args[i] == b"--db" else 1
    return None


def permutes(newsquery, db):
    """Whether options may follow the query's words (GNU getopt), or
    end at the first word."""
    out = subprocess.run([newsquery, "--db", db, "word", "--version"],
                         capture_output=True, timeout=TIMEOUT).stdout
    return out.startswith(b"newsquery ")


def given_options(args, takes_value, permute):
    """The options a program reads from `args`, as getopt_long does:
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
        takes = takes_value.get(name)
        if takes is True and not eq and not value:
            value = args[i] if i < len(args) else None
            i += 1
        given.append((name, value if takes and (eq or takes is True)
                      else None))
    return given


def common_problems(proc, statuses):
    """What is wrong with how a run ended, whatever the program."""
    problems = []
    err = proc.stderr.decode("utf-8", "replace")
    if proc.returncode < 0:
        problems.append(f"killed by signal {-proc.returncode}")
    elif proc.returncode not in statuses:
        problems.append(f"exit status {proc.returncode}")
    for mark in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
        if mark in err:
            problems.append(f"sanitizer report ({mark})")
    return problems


def json_problems(what, text, lines=False):
    """Whether `text` parses as JSON (one document, or one a line)."""
    for line in [ln for ln in text.split(b"\n") if ln] if lines else [text]:
        try:
            json.loads(line)
        except ValueError as e:
            return [f"{what} output does not parse: {e}"]
    return []


def check_newsquery(args, proc, takes_value, permute):
    """A list of what is wrong with one run of newsquery."""
    problems = common_problems(proc, {0, 1, 2})
    fmt, search = "text", proc.returncode in (0, 1)
    for name, value in given_options(args, takes_value, permute):
        if name == "--json":
            fmt = "json"
        elif name == "--format" and value is not None:
            fmt = value.decode("utf-8", "replace")
        search = search and name not in NOT_A_SEARCH
    if search and fmt in ("json", "jsonl"):
        problems += json_problems(f"--format {fmt}", proc.stdout,
                                  fmt == "jsonl")
    return problems


def check_newsindex(args, proc, ni_options):
    """A list of what is wrong with one run of newsindex."""
    problems = common_problems(proc, NI_STATUSES)
    at = ni_command_at(args)
    if at is None or args[at] != b"stats" or proc.returncode != 0:
        return problems
    names = {name for name, _ in given_options(
        args[:at] + args[at + 1:], ni_options["stats"], True)}
    if "--json" in names and not names & {"-h", "--help"}:
        problems += json_problems("stats --json", proc.stdout)
    return problems


def run_child(argv, env, cwd):
    """Run `argv` in `cwd`: (CompletedProcess or None after the timeout,
    the CPU seconds it used, user and system, its threads included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        proc = subprocess.run(argv, env=env, capture_output=True,
                              timeout=TIMEOUT, stdin=subprocess.DEVNULL,
                              cwd=cwd)
    except subprocess.TimeoutExpired:
        proc = None
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return proc, (after.ru_utime - before.ru_utime +
                  after.ru_stime - before.ru_stime)


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
    # caller set; no config file unless a run says so.  Not for the
    # new/delete size mismatch inside libxapian 1.4.22's own
    # Database::check() (`newsindex check`; scripts/test says more).
    env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") +
                           ":abort_on_error=1:detect_leaks=1"
                           ":new_delete_type_mismatch=0").lstrip(":")
    env["UBSAN_OPTIONS"] = (env.get("UBSAN_OPTIONS", "") +
                            ":halt_on_error=1:abort_on_error=1").lstrip(":")
    env["HOME"] = work
    env["NEWSINDEX_CONFIG"] = ""
    env["XDG_CONFIG_HOME"] = ""
    env["NEWSINDEX_DB"] = ""
    return env


def make_paths(samples_dir, db, work):
    """The paths newsindex runs are given, all in `work`: a copy of the
    index, where an index may be made, a file that is no index, and
    sources that exist (the samples, one of them, a folder of a few) or
    not."""
    ni = os.path.join(work, "newsindex")
    news = os.path.join(ni, "news")
    os.makedirs(news)
    samples = sorted(os.path.join(top, name)
                     for top, _, names in os.walk(samples_dir)
                     for name in names)
    for path in samples[:5]:
        shutil.copy(path, news)
    not_an_index = os.path.join(ni, "notes.txt")
    with open(not_an_index, "w") as f:
        f.write("no index, no article\n")
    copy = os.path.join(ni, "db")
    shutil.copytree(db, copy)
    return {
        "db": copy,
        "new_db": os.path.join(ni, "made", "db"),
        "not_an_index": not_an_index,
        "sources": [samples_dir, samples_dir, news, samples[0],
                    not_an_index, os.path.join(ni, "nowhere"), ""],
    }


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: cli_fuzz.py NEWSINDEX NEWSQUERY SAMPLES")
    # Absolute: the runs are in the work folder.
    newsindex, newsquery, samples_dir = map(os.path.abspath, sys.argv[1:])
    print(f"cli_fuzz: seed {SEED} (NI_FUZZ_SEED), {SECONDS:g} s "
          f"(NI_FUZZ_SECONDS), {CPU_BUDGET:g} s of CPU a run "
          f"(NI_FUZZ_CPU_SECONDS)", flush=True)
    work = tempfile.mkdtemp(prefix="ni-cli-fuzz-")
    try:
        db = build_index(newsindex, samples_dir, work)
        paths = make_paths(samples_dir, db, work)
        samples, like = sample_texts(samples_dir)
        takes_value = options_from_help(newsquery)
        options = sorted(takes_value.items())
        ni_options = {c: options_from_help(newsindex, c)
                      for c in NI_COMMANDS}
        permute = permutes(newsquery, db)
        config = os.path.join(work, "config.yaml")
        with open(config, "w") as f:
            f.write("strict_syntax: true\nlimit: 3\nfacets: topic\n"
                    "max_file_size: 100000\n")
        env = child_env(work)
        rng = random.Random(SEED)
        deadline = time.monotonic() + SECONDS
        runs = failures = 0
        statuses = {"newsquery": {}, "newsindex": {}}
        slowest = (0.0, None)
        while time.monotonic() < deadline:
            runs += 1
            # A quarter of the runs are newsindex's, on its copy.
            if rng.random() < 0.25:
                program = "newsindex"
                args = newsindex_argv(rng, ni_options, paths)
                run_env = dict(env, NEWSINDEX_DB=paths["db"])
            else:
                program = "newsquery"
                args = argv_for(rng, options, samples, db, like)
                # The index from the environment, unless --db says
                # otherwise (options may end before it, at the first
                # word).
                run_env = dict(env, NEWSINDEX_DB=db)
            if rng.random() < INVALID:
                run_env["NEWSINDEX_DB"] = ""
            if rng.random() < INVALID:
                run_env["NEWSINDEX_CONFIG"] = config
            binary = newsindex if program == "newsindex" else newsquery
            # In the work folder: a relative path ("--db --", a
            # missing value) makes its index there, not here.
            proc, cpu = run_child([binary.encode()] + args, run_env, work)
            if proc is None:
                problems = [f"still running after {TIMEOUT:g} s"]
            else:
                problems = check_newsindex(args, proc, ni_options) \
                    if program == "newsindex" else \
                    check_newsquery(args, proc, takes_value, permute)
                counts = statuses[program]
                counts[proc.returncode] = counts.get(proc.returncode, 0) + 1
            if cpu > CPU_BUDGET:
                problems.append(f"{cpu:.2f} s of CPU, over the budget of "
                                f"{CPU_BUDGET:g} s")
            if cpu > slowest[0]:
                slowest = (cpu, [program] + args)
            if problems:
                failures += 1
                print(f"FAIL: seed {SEED}, run {runs}: "
                      f"{'; '.join(problems)}\n  {program}: {args!r}",
                      flush=True)
                if proc is not None:
                    tail = proc.stderr[-2000:].decode("utf-8", "replace")
                    print("  stderr: " + tail.replace("\n", "\n  stderr: "))
                if failures >= 5:
                    break
        shown = repr(slowest[1])
        print(f"cli_fuzz: {runs} runs, {failures} failed (seed {SEED}); "
              f"exit statuses {dict(sorted(statuses['newsquery'].items()))}"
              f" (newsquery), "
              f"{dict(sorted(statuses['newsindex'].items()))} (newsindex); "
              f"most CPU {slowest[0]:.2f} s: "
              f"{shown[:300] + '...' if len(shown) > 300 else shown}")
        return 1 if failures else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
