#!/usr/bin/python3
"""No two source files of the library and the programs call each other.

    tests/cycles.py NM BUILD_ROOT

A file uses another when its object file needs (nm: U) a symbol that
the other's defines (nm: T, D, B, R...: strong definitions; weak ones,
C++'s inline functions and templates, are in every object that uses
them and say nothing about who calls whom).  A cycle of uses, however
long (a.c uses b.c, which uses a.c), means neither file
can be read, tested or moved without the other: the layers of
docs/architecture.md have come apart.

The object files are those of the build's compile_commands.json whose
source is in lib/, indexer/ or query/ and which are compiled for a
target of that same folder (so not tests/'s test_progress, which
compiles indexer/progress.c again).  Each program (a target in
indexer/ or query/) is looked at with the library's objects, as it is
linked.  Prints each file's uses; exit status 1, naming the files of
each cycle and the symbols that bind them, when there is one.

The library's files also lie in one folder per layer (lib/base/,
lib/text/, ...), in the order lib/meson.build lists them, lowest first.
A file may use files of its own layer and of lower ones only, and no
library file may use a program's: else exit status 1, naming the use.
"""
import json
import os
import re
import subprocess
import sys

FOLDERS = ("lib", "indexer", "query")
# nm's letters for a strong definition a use can be bound to.
DEFINED = set("TDBRGSC")


def objects(build):
    """{target folder: [(source, object)]}: the objects of FOLDERS,
    source paths relative to the source root, by target."""
    with open(os.path.join(build, "compile_commands.json")) as f:
        commands = json.load(f)
    source_root = source_root_of(build)
    targets = {}
    for c in commands:
        obj = c["output"]
        target = os.path.dirname(obj)
        top = target.split("/")[0]
        src = os.path.join(c["directory"], c["file"])
        rel = os.path.relpath(os.path.realpath(src), source_root)
        if top in FOLDERS and rel.startswith(top + "/"):
            targets.setdefault(target, []).append(
                (rel, os.path.join(build, obj)))
    return targets


def source_root_of(build):
    """The source root of the build, as meson records it."""
    with open(os.path.join(build, "meson-info", "meson-info.json")) as f:
        info = json.load(f)
    return os.path.realpath(info["directories"]["source"])


def symbols(nm, obj):
    """(defined, needed): the sets of global symbols obj defines and
    needs."""
    out = subprocess.run([nm, "-P", obj], check=True,
                         capture_output=True, text=True).stdout
    defined, needed = set(), set()
    for line in out.splitlines():
        fields = line.split()
        if len(fields) < 2:
            continue
        name, kind = fields[0], fields[1]
        if kind == "U":
            needed.add(name)
        elif kind in DEFINED:
            defined.add(name)
    return defined, needed


def uses(files):
    """{file: {file it uses: [symbols]}} of files {file: (defined,
    needed)} linked together."""
    owner = {}
    for name, (defined, _) in files.items():
        for sym in defined:
            owner[sym] = name
    graph = {}
    for name, (_, needed) in files.items():
        edges = graph.setdefault(name, {})
        for sym in sorted(needed):
            other = owner.get(sym)
            if other and other != name:
                edges.setdefault(other, []).append(sym)
    return graph


def tangles(graph):
    """The strongly connected components of graph with more than one
    file (Tarjan's algorithm): the files of each are in a cycle."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, {})):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def layer_order(source_root):
    """{folder of lib/: rank}, from the order of lib/meson.build's
    sources (lowest layer first)."""
    with open(os.path.join(source_root, "lib", "meson.build")) as f:
        text = f.read()
    order = {}
    for folder in re.findall(r"'([a-z_]+)/[a-z_]+\.cc?'", text):
        order.setdefault(folder, len(order))
    return order


def layer_of(rel, order):
    """The rank of the layer a file of lib/ lies in, or None when the
    file is not in a layer's folder."""
    parts = rel.split("/")
    if len(parts) != 3 or parts[0] != "lib":
        return None
    return order.get(parts[1])


def wrong_way(graph, order):
    """Uses that go down the layers (a lower layer's file using a
    higher one's, or the library using a program), and library files
    outside every layer: a list of lines saying each."""
    found = []
    for name in sorted(graph):
        if not name.startswith("lib/"):
            continue
        rank = layer_of(name, order)
        if rank is None:
            found.append(f"{name} lies in no layer's folder of lib/")
            continue
        for other, syms in sorted(graph[name].items()):
            other_rank = layer_of(other, order)
            if other_rank is None or other_rank > rank:
                found.append(f"{name} uses {other}, of a higher layer: "
                             f"{' '.join(syms[:4])}")
    return found


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: cycles.py NM BUILD_ROOT")
    nm, build = argv[1], argv[2]
    targets = objects(build)
    library = [t for t in targets if t.split("/")[0] == "lib"]
    programs = [t for t in targets if t.split("/")[0] != "lib"]
    if not library or not programs:
        sys.exit(f"FAIL: no objects of {', '.join(FOLDERS)} found in "
                 f"{build}/compile_commands.json")
    read = {}
    for target in targets:
        for rel, obj in targets[target]:
            read[(target, rel)] = symbols(nm, obj)
    order = layer_order(source_root_of(build))
    if len(order) < 2:
        sys.exit("FAIL: no layers found in lib/meson.build")
    print("layers, lowest first: " + ", ".join(order))
    failed = 0
    for program in sorted(programs):
        unit = {rel: read[(t, rel)]
                for t in library + [program] for rel, _ in targets[t]}
        graph = uses(unit)
        print(f"{program}: {len(unit)} files")
        for name in sorted(graph):
            for other, syms in sorted(graph[name].items()):
                print(f"  {name} -> {other}: {' '.join(syms[:4])}"
                      f"{' ...' if len(syms) > 4 else ''}")
        for component in tangles(graph):
            failed += 1
            print(f"FAIL: these files of {program} use each other, "
                  f"in a cycle: {', '.join(component)}")
            for a in component:
                for b in component:
                    if b in graph[a]:
                        print(f"  {a} uses {b}: {' '.join(graph[a][b])}")
        for line in wrong_way(graph, order):
            failed += 1
            print(f"FAIL: {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
