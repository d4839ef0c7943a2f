#!/usr/bin/python3
"""Turn the search page's assets into C, for newsquery to serve.

    embed.py OUTPUT.c FILE...

Writes OUTPUT.c with `page_assets[]` (query/page.h's struct page_asset)
and `page_n_assets`: each FILE's bytes, served at /assets/NAME with the
content type its extension says, and a hash of its bytes as its version
(the page links to /assets/NAME?v=VERSION, the server's ETag).  The
program reads nothing from disk at run time.
"""
import hashlib
import os
import sys

TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".webmanifest": "application/manifest+json",
}


def c_bytes(data):
    """The bytes as lines of C initializers, 12 a line."""
    lines = []
    for i in range(0, len(data), 12):
        lines.append("\t" + " ".join("0x%02x," % b for b in data[i:i + 12]))
    return "\n".join(lines)


def main(argv):
    if len(argv) < 3:
        sys.exit("usage: embed.py OUTPUT.c FILE...")
    out = [
        "/* Made by query/assets/embed.py from the files of query/assets/:",
        " * edit those, not this. */",
        '#include "page.h"',
        "",
    ]
    entries = []
    for n, path in enumerate(argv[2:]):
        name = os.path.basename(path)
        ext = os.path.splitext(name)[1]
        if ext not in TYPES:
            sys.exit("embed.py: %s: no content type for '%s'" % (path, ext))
        with open(path, "rb") as f:
            data = f.read()
        version = hashlib.sha256(data).hexdigest()[:12]
        out.append("static const unsigned char asset_%d[] = {" % n)
        out.append(c_bytes(data + b"\0"))
        out.append("};")
        out.append("")
        entries.append('\t{"/assets/%s", "%s", asset_%d, %d, "%s"},'
                       % (name, TYPES[ext], n, len(data), version))
    out.append("const struct page_asset page_assets[] = {")
    out.extend(entries)
    out.append("};")
    out.append("const size_t page_n_assets = %d;" % len(entries))
    with open(argv[1], "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(sys.argv)
