#!/usr/bin/env python3
"""Change one article file in ten, and put them back.

  touch-tenth.py apply CORPUS BACKUP     copy every 10th file (in walk
                                         order) to BACKUP, then append a
                                         space to its excerpt line
  touch-tenth.py restore CORPUS BACKUP   copy them back, times included,
                                         and remove BACKUP

The change is the same every time, keeps each article's meaning (the
space is after the closing quote), and changes each chosen file's
content, size and modification time, so whatever an incremental build
looks at sees it.  Restoring keeps the original times, so the corpus is
as before for later runs.  Prints the number of files.
"""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import frontmatter  # noqa: E402


def apply(corpus, backup):
    if os.path.exists(backup):
        sys.exit(f"touch-tenth: '{backup}' exists: restore first")
    n = 0
    for i, path in enumerate(frontmatter.walk([corpus])):
        if i % 10:
            continue
        saved = os.path.join(backup, os.path.relpath(path, corpus))
        os.makedirs(os.path.dirname(saved), exist_ok=True)
        shutil.copy2(path, saved)
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        for j, line in enumerate(lines):
            if line.startswith("excerpt:"):
                lines[j] = line + " "
                break
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        n += 1
    print(n)


def restore(corpus, backup):
    n = 0
    for root, _, files in os.walk(backup):
        for name in files:
            saved = os.path.join(root, name)
            shutil.copy2(saved, os.path.join(corpus,
                                             os.path.relpath(saved, backup)))
            n += 1
    shutil.rmtree(backup, ignore_errors=True)
    print(n)


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("apply", "restore"):
        sys.exit(__doc__.strip().split("\n\n")[1])
    (apply if sys.argv[1] == "apply" else restore)(sys.argv[2], sys.argv[3])


if __name__ == "__main__":
    main()
