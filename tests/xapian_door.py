#!/usr/bin/python3
"""Only lib/xapian/ includes <xapian.h> (docs/architecture.md).

    tests/xapian_door.py SOURCE_ROOT

The rest of newsindex is C and reaches Xapian through include/
ni_xapian.h alone; lib/xapian/internal.h is private to lib/xapian/.
This walks the C and C++ sources and headers under SOURCE_ROOT (build
folders, those holding meson-private/, and hidden ones left out) and
names each file outside lib/xapian/ that includes <xapian.h>, a header
of Xapian's (<xapian/...>) or lib/xapian/'s ("xapian/..."): exit status
1 when there is one, 0 otherwise.
"""
import os
import re
import sys

SOURCES = (".c", ".h", ".cc", ".cpp", ".cxx", ".hh", ".hpp")
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"](xapian\.h|xapian/[^>"]*)[>"]',
                     re.MULTILINE)
DOOR = "lib/xapian/"


def offenders(source):
    """(path from source, header) of each include found outside DOOR."""
    found = []
    for top, dirs, files in os.walk(source):
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and not
            os.path.isdir(os.path.join(top, d, "meson-private")))
        for name in sorted(files):
            if not name.endswith(SOURCES):
                continue
            path = os.path.join(top, name)
            rel = os.path.relpath(path, source).replace(os.sep, "/")
            if rel.startswith(DOOR):
                continue
            with open(path, encoding="utf-8", errors="replace") as f:
                for header in INCLUDE.findall(f.read()):
                    found.append((rel, header))
    return found


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: xapian_door.py SOURCE_ROOT")
    bad = offenders(sys.argv[1])
    for rel, header in bad:
        print("%s includes %s: only %s may (include ni_xapian.h)"
              % (rel, header, DOOR))
    if not bad:
        print("only %s includes Xapian's headers" % DOOR)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
