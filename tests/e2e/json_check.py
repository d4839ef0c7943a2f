#!/usr/bin/python3
"""Check a JSON output of newsquery or newsindex against docs/json.md.

    json_check.py KIND STATUS FILE
    json_check.py --run KIND PROGRAM ARGUMENT...

KIND is what the command was asked for: `query` (newsquery --json),
`jsonl` (newsquery --format jsonl), `stats` (newsindex stats --json) or
`values` (newsindex stats --values FIELD --json), or one of the
server's answers (`serve-error`, `serve-article`, `serve-suggest`,
`serve-stats`, `serve-health`, `serve-event` (the data line of an
/api/events event): tests/http/, with STATUS 0); STATUS its
exit status; FILE what it wrote on stdout.  Prints what is wrong and exits 1,
or exits 0 when the output is as documented: UTF-8, one object a line,
valid against the schema in docs/json-schema/, no DEL or C1 control
left unescaped, and the few rules the schema cannot say (an empty page
exits 1, ranks follow the offset).  With --run, it runs PROGRAM and
checks what it writes, passing it on (tests/e2e/bin/newsquery says
how): so it sees every JSON output of the e2e tests; differential.py
calls check() itself.
"""
import json
import os
import signal
import stat
import subprocess
import sys

import jsonschema

SCHEMAS = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "..", "..", "docs", "json-schema")
FILES = {"query": "newsquery.json", "jsonl": "newsquery.json",
         "stats": "newsindex-stats.json", "values": "newsindex-values.json",
         # newsquery --serve's answers (tests/http/): status 0.
         "serve-error": "serve-error.json",
         "serve-article": "serve-article.json",
         "serve-suggest": "serve-suggest.json",
         "serve-stats": "serve-stats.json",
         "serve-health": "serve-health.json",
         "serve-event": "serve-event.json"}
# The exit statuses after which stdout is JSON (anything else: empty).
JSON_STATUS = {"query": (0, 1), "jsonl": (0, 1), "stats": (0, 1),
               "values": (0,), "serve-error": (0,), "serve-article": (0,),
               "serve-suggest": (0,), "serve-stats": (0,),
               "serve-health": (0,), "serve-event": (0,)}
_validators = {}


def validator(kind):
    """The schema's validator for KIND, read once."""
    if kind not in _validators:
        with open(os.path.join(SCHEMAS, FILES[kind])) as f:
            schema = json.load(f)
        if kind == "jsonl":
            # A line is one of the results: the schema's $defs/result,
            # its references resolved against the whole schema.
            schema = dict(schema, **{"$ref": "#/$defs/result"})
            for key in ("type", "required", "properties",
                        "additionalProperties"):
                schema.pop(key)
        _validators[kind] = jsonschema.Draft202012Validator(schema)
    return _validators[kind]


def problems(kind, status, data):
    """What is wrong with DATA (bytes), written with exit STATUS."""
    if status not in JSON_STATUS[kind]:
        # Errors are not JSON (docs/json.md): nothing on stdout.
        return ["exit %d, yet stdout is not empty" % status] if data \
            else []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return ["not UTF-8: %s" % e]
    controls = sorted({"U+%04X" % ord(c) for c in text
                       if 0x7f <= ord(c) < 0xa0})
    if controls:
        return ["unescaped control characters: " + ", ".join(controls)]
    if text and not text.endswith("\n"):
        return ["the last line has no newline"]
    # Lines end at \n only: U+2028 may be in a string as it is.
    lines = text.split("\n")[:-1]
    if kind != "jsonl" and len(lines) != 1:
        return ["%d lines, not one" % len(lines)]
    if kind == "jsonl" and (status == 1) != (not lines):
        return ["exit %d with %d lines" % (status, len(lines))]
    found = []
    objects = []
    for n, line in enumerate(lines, 1):
        try:
            obj = json.loads(line)
        except ValueError as e:
            found.append("line %d is not JSON: %s" % (n, e))
            continue
        objects.append(obj)
        for error in validator(kind).iter_errors(obj):
            where = "/".join(str(p) for p in error.absolute_path)
            found.append("line %d, at /%s: %s" % (n, where, error.message))
    if found or kind not in ("query", "jsonl"):
        return found
    if kind == "query":
        d = objects[0]
        if status == 1 and d["results"]:
            found.append("exit 1 with results")
        offset, results = d["offset"], d["results"]
        if d["next_offset"] is not None and \
                d["next_offset"] != offset + len(results):
            found.append("next_offset %d is not offset + %d results" %
                         (d["next_offset"], len(results)))
    else:
        results = objects
        offset = results[0]["rank"] - 1 if results else 0
    ranks = [r["rank"] for r in results]
    if ranks != list(range(offset + 1, offset + len(ranks) + 1)):
        found.append("ranks %s do not follow offset %d" % (ranks, offset))
    return found


def check(kind, status, data):
    """problems() as one message, or None when there are none."""
    found = problems(kind, status, data)
    if not found:
        return None
    return "not as docs/json-schema/%s says: %s" % (
        FILES[kind], "; ".join(found[:5]))


def die_as(sig):
    """End as the program did, of signal SIG."""
    signal.signal(sig, signal.SIG_DFL)
    os.kill(os.getpid(), sig)
    sys.exit(128 + sig)


def run(kind, argv):
    """Run argv with stdout a file (written in place, then read back) or
    a pipe (through this process); check it; end as the program did."""
    out = os.fstat(1)
    if stat.S_ISREG(out.st_mode):
        start = os.lseek(1, 0, os.SEEK_CUR)
        status = subprocess.run(argv).returncode
        end = os.lseek(1, 0, os.SEEK_CUR)
        with open("/proc/self/fd/1", "rb") as f:
            f.seek(start)
            data = f.read(end - start)
    else:
        done = subprocess.run(argv, stdout=subprocess.PIPE)
        status, data = done.returncode, done.stdout
    problem = check(kind, status, data)
    if not stat.S_ISREG(out.st_mode):
        try:
            with os.fdopen(1, "wb", closefd=False) as f:
                f.write(data)
        except BrokenPipeError:
            die_as(signal.SIGPIPE)  # as the program would have
    if os.environ.get("NI_JSON_CHECKED"):
        with open(os.environ["NI_JSON_CHECKED"], "a",
                  errors="backslashreplace") as f:
            f.write("%s %s\n" % (os.path.basename(argv[0]), kind))
    if problem:
        line = "%s: %s" % (" ".join([os.path.basename(argv[0])] +
                                    argv[1:]), problem)
        print("json-check: " + line, file=sys.stderr)
        if os.environ.get("NI_JSON_INVALID"):
            with open(os.environ["NI_JSON_INVALID"], "a",
                  errors="backslashreplace") as f:
                f.write(line.replace("\n", " ") + "\n")
        return 125
    if status < 0:
        die_as(-status)
    return status


def main(argv):
    if argv[1] == "--run":
        return run(argv[2], argv[3:])
    kind, status, path = argv[1], int(argv[2]), argv[3]
    with open(path, "rb") as f:
        message = check(kind, status, f.read())
    if message:
        print(message, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
