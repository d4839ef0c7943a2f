#!/usr/bin/python3
"""The documents say what the field table says.

    tests/fields_docs.py FIELDS_DOC SOURCE_ROOT [--write]

The field table (include/ni_fields.h, lib/schema/fields.c) is the one place a
field's name, prefix, folding and facet are written; docs/fields_doc
prints it as the documents show it.  This checks, in SOURCE_ROOT:

- each region of docs/*.md between `<!-- fields_doc TABLE ... -->` and
  `<!-- end of fields_doc TABLE -->` is what `FIELDS_DOC TABLE` prints
  (docs/schema.md must have the `terms` region, docs/query-syntax.md
  the `filters` one);
- every "(fields: ...)" of docs/ and README.md, an error message
  quoted, lists the fields the parser lists;
- docs/newsquery.1 names every field typed in queries (`\\fBNAME:`),
  and the query fuzzer's dictionary has it (tests/fuzz/qparse.dict).

Exit status 1, saying what differs, when one does not; 0 otherwise.
With --write, the regions are written instead (`ninja -C build
fields-docs` does it), and the other checks still made.
"""
import glob
import os
import re
import subprocess
import sys

REGION = re.compile(r"(<!-- fields_doc (\w+)\b[^\n]*-->\n)(.*?)"
                    r"(<!-- end of fields_doc \2 -->)", re.S)
REQUIRED = {"docs/schema.md": {"terms"}, "docs/query-syntax.md": {"filters"}}


def table(program, what):
    """What FIELDS_DOC prints for `what`."""
    return subprocess.run([program, what], check=True, text=True,
                          stdout=subprocess.PIPE).stdout


def main():
    write = "--write" in sys.argv[1:]
    args = [a for a in sys.argv[1:] if a != "--write"]
    if len(args) != 2:
        sys.exit("usage: tests/fields_docs.py FIELDS_DOC SOURCE_ROOT "
                 "[--write]")
    program, root = args
    problems = []
    for path in sorted(glob.glob(os.path.join(root, "docs", "*.md"))):
        rel = os.path.relpath(path, root)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        found = set()

        def region(m):
            found.add(m.group(2))
            want = "\n" + table(program, m.group(2)) + "\n"
            if m.group(3) != want:
                problems.append(f"{rel}: the '{m.group(2)}' table is not "
                                f"the field table's; it should read:\n"
                                f"{want}")
            return m.group(1) + want + m.group(4)

        written = REGION.sub(region, text)
        missing = REQUIRED.get(rel, set()) - found
        if missing:
            problems.append(f"{rel}: no region for {sorted(missing)} "
                            f"(<!-- fields_doc NAME ... --> and "
                            f"<!-- end of fields_doc NAME -->)")
        if write and written != text:
            with open(path, "w", encoding="utf-8") as f:
                f.write(written)
            print(f"{rel}: written")
    if write:
        problems = [p for p in problems if "should read" not in p]

    names = table(program, "list").strip()
    quoted = glob.glob(os.path.join(root, "docs", "*.md")) + \
        glob.glob(os.path.join(root, "docs", "*.1")) + \
        [os.path.join(root, "README.md")]
    for path in sorted(quoted):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for listed in re.findall(r"\(fields: ([^)]*)\)", text):
            if listed != names:
                problems.append(f"{os.path.relpath(path, root)}: "
                                f"'(fields: {listed})' is not "
                                f"'(fields: {names})'")

    with open(os.path.join(root, "docs", "newsquery.1"),
              encoding="utf-8") as f:
        man = f.read()
    with open(os.path.join(root, "tests", "fuzz", "qparse.dict"),
              encoding="utf-8") as f:
        fuzzed = f.read().split("\n")
    for name in table(program, "names").split():
        if f"\\fB{name}:" not in man:
            problems.append(f"docs/newsquery.1 does not name the field "
                            f"'{name}:' (as \\fB{name}:)")
        if f'"{name}:"' not in fuzzed:
            problems.append(f"tests/fuzz/qparse.dict has no line "
                            f'"{name}:"')

    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
