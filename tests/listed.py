#!/usr/bin/python3
"""Every test file on disk is run by a meson test.

    tests/listed.py SOURCE_ROOT BUILD_ROOT

tests/meson.build lists the tests by hand, so a test file left out of
it would never run, silently.  This reads what meson registered (the
build's meson-info/intro-tests.json and intro-targets.json) and walks
tests/ on disk:

- tests/unit/test_*.c and tests/fuzz/fuzz_*.c must be a source of an
  executable that a test runs;
- every other *.sh and *.py, and every file starting with "#!", must be
  a test's program or one of its arguments; unless it is in HELPERS,
  which says who uses it instead.

Data folders (fixtures/, corpus/, regressions/) and __pycache__/ are
not looked in.  Exit status 1, naming each unlisted file and what would
list it, when one is not run; 0 otherwise.
"""
import json
import os
import sys

# Files that are not tests themselves, and what uses them.
HELPERS = {
    "tests/e2e/lib.sh": "sourced by the e2e tests",
    "tests/differential/model.py": "imported by differential.py",
    "tests/differential/expect.py": "imported by differential.py",
    "tests/fuzz/run-fuzzer": "runs the fuzz_TARGET tests of a "
                             "-Dfuzz=true build (tests/fuzz/meson.build)",
    "tests/e2e/bin/newsquery": "NEWSQUERY of the e2e tests: checks "
                               "their JSON outputs (tests/meson.build)",
    "tests/e2e/bin/newsindex": "NEWSINDEX of the e2e tests, a link to "
                               "bin/newsquery",
    "tests/e2e/json_check.py": "run by tests/e2e/bin/, imported by "
                               "differential.py and tests/http/",
    "tests/http/serving.py": "imported by the tests of tests/http/",
    "tests/http/browsing.py": "imported by the browser tests of "
                              "tests/http/",
}
DATA = {"fixtures", "corpus", "regressions", "__pycache__"}


def is_compiled_test(rel):
    """Whether rel is the C source of a test program."""
    name = os.path.basename(rel)
    return rel.endswith(".c") and (
        (rel.startswith("tests/unit/") and name.startswith("test_"))
        or (rel.startswith("tests/fuzz/") and name.startswith("fuzz_")))


def is_script(path):
    """Whether the file at path is a script a test may run."""
    if path.endswith((".sh", ".py")):
        return True
    with open(path, "rb") as f:
        return f.read(2) == b"#!"


def on_disk(source):
    """The paths (from source) of tests/ files that must be run."""
    found = []
    for top, dirs, files in os.walk(os.path.join(source, "tests")):
        dirs[:] = sorted(d for d in dirs if d not in DATA)
        for name in sorted(files):
            path = os.path.join(top, name)
            rel = os.path.relpath(path, source)
            if rel in HELPERS:
                continue
            if is_compiled_test(rel) or is_script(path):
                found.append(rel)
    return found


def registered(build):
    """The files meson's tests run: their programs and arguments, and
    the sources of the executables among them, as real paths."""
    info = os.path.join(build, "meson-info")
    with open(os.path.join(info, "intro-tests.json")) as f:
        tests = json.load(f)
    with open(os.path.join(info, "intro-targets.json")) as f:
        targets = json.load(f)
    run = {os.path.realpath(a) for t in tests for a in t["cmd"]}
    files = set(run)
    for target in targets:
        if not run & {os.path.realpath(p) for p in target["filename"]}:
            continue
        for group in target["target_sources"]:
            files.update(os.path.realpath(s)
                         for s in group.get("sources", []))
    return files


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: listed.py SOURCE_ROOT BUILD_ROOT")
    source, build = argv[1], argv[2]
    listed = registered(build)
    found = on_disk(source)
    unlisted = [rel for rel in found
                if os.path.realpath(os.path.join(source, rel)) not in listed]
    for rel in unlisted:
        how = ("a test of its executable" if is_compiled_test(rel)
               else "a test running it")
        print(f"FAIL: {rel} is run by no meson test: add {how} to "
              "tests/meson.build (or, if it is no test, to HELPERS in "
              "tests/listed.py, saying who uses it)")
    print(f"{len(found) - len(unlisted)} test files listed, "
          f"{len(unlisted)} not")
    return 1 if unlisted else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
