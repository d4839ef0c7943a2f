#!/usr/bin/python3
"""newsindex watch with real inotify (docs/watching.md).

Each step changes the files under a watched source, then waits (a
generous timeout that only catches a hang, never a timing assertion)
until the index is what a first build of the same files makes: the
same documents (keys, paths, titles, excerpts, related records ...),
from `newsquery --all --format jsonl`, as many as `stats` counts.

- made, changed, deleted, renamed within a folder and across watched
  folders; a crawler's temporary file renamed into place (indexed
  once); hidden and swap files ignored; a folder made, moved in, moved
  within and out; a link to a folder made and removed; a duplicate URL
  taking over when its first file goes;
- a burst of 10,000 files, in batches of at most 1000 paths;
- the kernel's queue overflowed (the watcher stopped by SIGSTOP during
  a burst): a whole build again;
- SIGKILL mid-batch, then watch again;
- build, forget and compact while watch runs: refused at once, naming
  watch and its pid; SIGTERM and SIGINT: the last events built,
  committed, and the exit status of the signal;
- --max-watches: a folder not watched is walked every --rescan;
- on a terminal, a status line.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

NEWSINDEX = os.environ.get("NI_BUILT_NEWSINDEX") or \
    os.environ.get("NEWSINDEX", "newsindex")
NEWSQUERY = os.environ.get("NI_BUILT_NEWSQUERY") or \
    os.environ.get("NEWSQUERY", "newsquery")
WORK = tempfile.mkdtemp(prefix="ni-watch-")
# Only catches a hang: an ASan build of 10,000 files takes a while.
TIMEOUT = float(os.environ.get("NI_WATCH_TIMEOUT", "240"))
FAILURES = []
CHECKS = [0]
ENV = dict(os.environ, HOME=os.path.join(WORK, "home"), NEWSINDEX_DB="",
           NEWSINDEX_CONFIG="", XDG_CONFIG_HOME="", XDG_DATA_HOME="")


def check(ok, what, detail=""):
    CHECKS[0] += 1
    if not ok:
        FAILURES.append(what)
        print("FAIL: %s" % what, file=sys.stderr)
        if detail:
            print("  " + str(detail)[:3000].replace("\n", "\n  "),
                  file=sys.stderr)
    return ok


def article(path, n, url=None, excerpt="", via=None):
    """Write article number n at `path`; `via`: a temporary name in the
    same folder, renamed into place (a crawler's way)."""
    text = ('---\ntitle: "Story %d about markets"\nexcerpt: "Word%d %s"\n'
            'webUrl: "%s"\n---\n' % (n, n % 89, excerpt,
                                     url or "https://example.com/%d" % n))
    target = via or path
    with open(target, "w") as f:
        f.write(text)
    if via:
        os.rename(via, path)


def run(*args, timeout=TIMEOUT):
    return subprocess.run(list(args), capture_output=True, text=True,
                          env=ENV, timeout=timeout)


def dump(db):
    """Every document of the index, sorted; None when it cannot be
    listed whole."""
    stats = run(NEWSINDEX, "stats", "--db", db)
    want = 0
    for line in stats.stdout.splitlines():
        key, _, value = line.partition(": ")
        if key in ("articles", "related records"):
            want += int(value.split()[0])
    if stats.returncode != 0:
        return None
    keys = ("url", "path", "title", "excerpt", "related_of", "date",
            "quality", "topics")
    lines = []
    while True:
        got = run(NEWSQUERY, "--db", db, "--all", "--format", "jsonl",
                  "--limit", "10000", "--offset", str(len(lines)), "--",
                  "-nosuchword")
        page = got.stdout.splitlines()
        if got.returncode > 1:
            return None
        lines += [json.dumps([json.loads(line)[k] for k in keys])
                  for line in page]
        if len(page) < 10000:
            break
    return sorted(lines) if len(lines) == want else None


def fresh(src):
    db = os.path.join(WORK, "fresh")
    shutil.rmtree(db, ignore_errors=True)
    done = run(NEWSINDEX, "build", "--db", db, src)
    check(done.returncode == 0, "a first build of %s" % src, done.stderr)
    return dump(db)


def settles(db, src, what):
    """Wait until the watched index is a first build of `src`."""
    want = fresh(src)
    if not check(want is not None, "%s: a first build can be listed" % what):
        return False
    deadline = time.time() + TIMEOUT
    got = None
    while time.time() < deadline:
        got = dump(db)
        if got == want:
            break
        time.sleep(0.1)
    if got == want:
        return check(True, what)
    only_got = sorted(set(got or []) - set(want or []))[:5]
    only_want = sorted(set(want or []) - set(got or []))[:5]
    return check(False, "%s: the index is not a first build of the files"
                 % what, "only in the watched index: %s\nonly in a first "
                 "build: %s" % (only_got, only_want))


class Watch:
    """newsindex watch --log, its log in a file."""

    def __init__(self, db, *args):
        self.log_path = os.path.join(WORK, "watch-%d.log" % time.time_ns())
        self.log = open(self.log_path, "w")
        self.err = open(self.log_path + ".err", "w")
        self.proc = subprocess.Popen(
            [NEWSINDEX, "watch", "--log", "--db", db] + list(args),
            stdout=self.log, stderr=self.err, env=ENV)
        self.wait_line(r"^watching ", "watch starts")

    def lines(self):
        with open(self.log_path) as f:
            return f.read().splitlines()

    def errors(self):
        with open(self.log_path + ".err") as f:
            return f.read()

    def wait_line(self, regex, what, after=0):
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            if any(re.search(regex, line) for line in self.lines()[after:]):
                return True
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        return check(False, "%s: no line /%s/ in the log" % (what, regex),
                     "\n".join(self.lines()) + "\n" + self.errors())

    def wait_err(self, regex, what):
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            if re.search(regex, self.errors(), re.M):
                return True
            time.sleep(0.05)
        return check(False, "%s: no line /%s/ on stderr" % (what, regex),
                     self.errors())

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        try:
            status = self.proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            status = self.proc.wait()
        self.log.close()
        self.err.close()
        return status


def reads_since(w, mark, sentinel):
    """added + updated over the batch lines since `mark`, once the
    batch that deleted `sentinel` (a file of the index) has logged: a
    batch logs after its commit, so searches may see it first, but it
    logs before the next batch begins."""
    os.unlink(sentinel)
    w.wait_line(r"^batch.*deleted [1-9]", "the sentinel's batch", mark)
    return counts(w.lines()[mark:])


def counts(lines):
    """added + updated over the batch lines."""
    total = 0
    for line in lines:
        m = re.search(r"added (\d+), updated (\d+)", line)
        if m and line.startswith("batch"):
            total += int(m.group(1)) + int(m.group(2))
    return total


def everyday(db, src):
    """Files and folders coming, changing and going."""
    os.makedirs(os.path.join(src, "one"))
    os.makedirs(os.path.join(src, "two"))
    for i in range(10):
        article(os.path.join(src, "one", "a%d.txt" % i), i)
    w = Watch(db, src)
    settles(db, src, "the first build")

    article(os.path.join(src, "one", "new.txt"), 100)
    settles(db, src, "a file made")
    article(os.path.join(src, "one", "a1.txt"), 1, excerpt="changed")
    settles(db, src, "a file changed")
    article(os.path.join(src, "one", "a2.txt"), 2,
            url="https://example.com/moved-url")
    settles(db, src, "a file given another URL")
    os.unlink(os.path.join(src, "one", "a3.txt"))
    settles(db, src, "a file deleted")
    os.rename(os.path.join(src, "one", "a4.txt"),
              os.path.join(src, "one", "renamed.md"))
    settles(db, src, "a file renamed in its folder")
    os.rename(os.path.join(src, "one", "a5.txt"),
              os.path.join(src, "two", "a5.txt"))
    settles(db, src, "a file moved to another watched folder")
    os.rename(os.path.join(src, "one", "a6.txt"),
              os.path.join(src, "one", "a6.txt.bak"))
    settles(db, src, "a file renamed to a name that is no article's")
    if os.geteuid() != 0:  # root reads it anyway
        os.chmod(os.path.join(src, "one", "a7.txt"), 0)
        settles(db, src, "a file made unreadable")
        os.chmod(os.path.join(src, "one", "a7.txt"), 0o644)
        settles(db, src, "a file readable again")

    # A crawler: a temporary name, renamed into place: indexed once.
    mark = len(w.lines())
    for n, name, via in ((201, "c1.txt", ".c1.txt.tmp"),
                         (202, "c2.txt", "c2.txt.part"),
                         (203, "c3.txt", ".c3.txt")):
        article(os.path.join(src, "two", name), n,
                via=os.path.join(src, "two", via))
    settles(db, src, "articles renamed into place")
    check(reads_since(w, mark, os.path.join(src, "one", "a9.txt")) == 3,
          "each article renamed into place is indexed once",
          "\n".join(w.lines()[mark:]))

    # Hidden files, swap files, backups: never indexed.
    mark = len(w.lines())
    for name in (".hidden.txt", ".a0.txt.swp", "a0.txt~", "4913",
                 "notes.txt.swx"):
        article(os.path.join(src, "one", name), 300)
    os.makedirs(os.path.join(src, ".git"))
    article(os.path.join(src, ".git", "x.txt"), 301)
    settles(db, src, "hidden and swap files")
    check(reads_since(w, mark, os.path.join(src, "one", "a0.txt")) == 0,
          "hidden and swap files are not read",
          "\n".join(w.lines()[mark:]))

    # Folders: made with files, moved in, moved within, moved out,
    # removed.
    os.makedirs(os.path.join(src, "three", "deep"))
    article(os.path.join(src, "three", "deep", "d.txt"), 400)
    settles(db, src, "a folder made, with a file")
    outside = os.path.join(WORK, "outside")
    os.makedirs(os.path.join(outside, "sub"))
    for i in range(5):
        article(os.path.join(outside, "sub", "m%d.txt" % i), 500 + i)
    article(os.path.join(outside, "m.txt"), 510)
    os.rename(outside, os.path.join(src, "in"))
    settles(db, src, "a folder moved in")
    article(os.path.join(src, "in", "sub", "later.txt"), 520)
    settles(db, src, "a file in a folder moved in (it is watched)")
    os.rename(os.path.join(src, "in"), os.path.join(src, "two", "in"))
    settles(db, src, "a folder moved within")
    article(os.path.join(src, "two", "in", "sub", "later2.txt"), 521)
    settles(db, src, "a file in a folder moved within")
    os.rename(os.path.join(src, "two", "in"), os.path.join(WORK, "gone"))
    settles(db, src, "a folder moved out")
    article(os.path.join(WORK, "gone", "sub", "after.txt"), 530)
    shutil.rmtree(os.path.join(src, "three"))
    settles(db, src, "a folder removed")

    # A symbolic link to a folder outside is walked as the folder, by
    # watch as by a build: made, a file written there, removed.
    linked = os.path.join(WORK, "linked")
    os.makedirs(linked)
    article(os.path.join(linked, "l.txt"), 540)
    os.symlink(linked, os.path.join(src, "two", "shelf"))
    settles(db, src, "a link to a folder made")
    article(os.path.join(linked, "l2.txt"), 541)
    settles(db, src, "a file in a linked folder")
    os.unlink(os.path.join(src, "two", "shelf"))
    settles(db, src, "a link to a folder removed")

    # A second file with a URL another has: a duplicate, until the
    # first goes.
    article(os.path.join(src, "two", "dup.txt"), 600,
            url="https://example.com/8")
    w.wait_err(r"dup\.txt: skipped: https://example\.com/8 is already "
               r"the article of .*/one/a8\.txt$", "the duplicate is said")
    settles(db, src, "a duplicate URL")
    os.unlink(os.path.join(src, "one", "a8.txt"))
    settles(db, src, "the duplicate's URL freed: it is the article now")

    others = [line for line in w.errors().splitlines()
              if "already the article of" in line and
              "/dup.txt: " not in line]
    check(not others, "no other file is said a duplicate", others)

    # While watch runs, other writers are refused at once.
    pid = str(w.proc.pid)
    for cmd in (["build", src], ["forget", src], ["compact"]):
        got = run(NEWSINDEX, cmd[0], "--db", db, *cmd[1:], timeout=60)
        check(got.returncode == 4, "%s while watch runs: exit 4" % cmd[0],
              "%d %s" % (got.returncode, got.stderr))
        check("kept up to date by 'newsindex watch' (pid %s)" % pid in
              got.stderr, "%s: the watcher and its pid are named" % cmd[0],
              got.stderr)
    got = run(NEWSINDEX, "build", "--wait", "--db", db, src, timeout=60)
    check(got.returncode == 4, "build --wait does not wait for watch",
          got.stderr)

    # SIGTERM: the events already there are built and committed.
    article(os.path.join(src, "one", "last.txt"), 700)
    status = w.stop(signal.SIGTERM)
    check(status == -signal.SIGTERM, "SIGTERM ends watch by SIGTERM",
          status)
    check(not os.path.exists(os.path.join(db, "newsindex-watch.pid")),
          "the pid file goes with watch")
    settles(db, src, "the last file before SIGTERM was committed")
    got = run(NEWSINDEX, "build", "--db", db)
    check(got.returncode == 0 and got.stdout.startswith(
        "added 0, updated 0, unchanged "), "a build after watch has "
          "nothing to do", got.stdout + got.stderr)

    w = Watch(db)
    check(re.search(r"^build: added 0, updated 0, deleted 0",
                    w.lines()[0]), "watch of the remembered sources starts "
          "with a build that has nothing to do", w.lines())
    status = w.stop(signal.SIGINT)
    check(status == -signal.SIGINT, "SIGINT ends watch by SIGINT", status)


def burst(db, src):
    """10,000 files at once; the queue overflowed; kill -9."""
    os.makedirs(src)
    article(os.path.join(src, "first.txt"), 0)
    w = Watch(db, src)
    many = os.path.join(src, "many")
    os.makedirs(many)
    for i in range(10000):
        with open(os.path.join(many, "%05d.txt" % i), "w") as f:
            f.write('---\ntitle: "T%d"\nwebUrl: "https://b.example/%d"\n'
                    '---\n' % (i, i))
    settles(db, src, "a burst of 10,000 files")
    sizes = [int(m.group(1)) for m in
             (re.match(r"batch of (\d+) path", line) for line in w.lines())
             if m]
    check(2 <= len(sizes) < 1000 and max(sizes) <= 1000,
          "the burst is built in batches of at most 1000 paths", sizes)

    # Stopped, watch misses more events than the kernel keeps.
    with open("/proc/sys/fs/inotify/max_queued_events") as f:
        queue = int(f.read())
    w.proc.send_signal(signal.SIGSTOP)
    for i in range(0, 10000, 2):
        os.unlink(os.path.join(many, "%05d.txt" % i))
    for i in range(queue // 2 + 100):
        with open(os.path.join(src, "o%05d.txt" % i), "w") as f:
            f.write('---\ntitle: "O%d"\nwebUrl: "https://o.example/%d"\n'
                    '---\n' % (i, i))
    mark = len(w.lines())
    w.proc.send_signal(signal.SIGCONT)
    w.wait_line(r"^rescan \(events were lost\)", "an overflow", mark)
    settles(db, src, "after the kernel's queue overflowed")

    # SIGKILL in a batch: the next watch makes the index what the
    # files are.
    mark = len(w.lines())
    for i in range(1, 10000, 2):
        os.unlink(os.path.join(many, "%05d.txt" % i))
    w.wait_line(r"^batch", "batches of deletions", mark)
    w.proc.kill()
    w.stop()
    check(os.path.exists(os.path.join(db, "newsindex-watch.pid")),
          "a watch killed by SIGKILL leaves its pid file")
    got = run(NEWSINDEX, "build", "--db", db, src)
    check(got.returncode == 0, "build after watch was killed: the pid "
          "file of a dead watch does not stop it", got.stderr)
    for i in range(3):
        os.unlink(os.path.join(src, "o%05d.txt" % i))
    w = Watch(db, src)
    settles(db, src, "watch again after SIGKILL")
    w.stop()
    got = run(NEWSINDEX, "check", "--db", db)
    check(got.returncode == 0, "newsindex check after it all",
          got.stdout + got.stderr)


def status_line(db, src):
    """On a terminal: a status line, not log lines."""
    import pty
    import select
    os.makedirs(src)
    article(os.path.join(src, "a.txt"), 1)
    master, slave = pty.openpty()
    proc = subprocess.Popen([NEWSINDEX, "watch", "--db", db, src],
                            stdout=subprocess.PIPE, stderr=slave, env=ENV)
    os.close(slave)
    seen = b""
    deadline = time.time() + TIMEOUT
    want = re.compile(rb"\r\x1b\[Kwatching 1 folder, queue 0, last commit "
                      rb"[0-9:]+ \(1 file\), [0-9]+ articles/s")
    while time.time() < deadline and not want.search(seen):
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                seen += os.read(master, 4096)
            except OSError:
                break
    check(want.search(seen), "the status line on a terminal", seen)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=TIMEOUT)
    os.close(master)
    check(out == b"", "no log lines on a terminal without --log", out)


def few_watches(db, src):
    """Out of watches: said, and the folders walked every --rescan."""
    os.makedirs(os.path.join(src, "a", "b"))
    w = Watch(db, "--max-watches", "1", "--rescan", "0.3", src)
    check("not watched, over --max-watches 1" in w.errors() and
          "walked again every 0.3 s" in w.errors(),
          "folders not watched are said", w.errors())
    article(os.path.join(src, "a", "b", "x.txt"), 1)
    article(os.path.join(src, "top.txt"), 2)
    settles(db, src, "files in folders not watched")
    w.stop()


def main():
    os.makedirs(ENV["HOME"])
    try:
        everyday(os.path.join(WORK, "db"), os.path.join(WORK, "src"))
        burst(os.path.join(WORK, "db2"), os.path.join(WORK, "src2"))
        few_watches(os.path.join(WORK, "db3"), os.path.join(WORK, "src3"))
        status_line(os.path.join(WORK, "db4"), os.path.join(WORK, "src4"))
    finally:
        if "--keep" not in sys.argv:
            shutil.rmtree(WORK, ignore_errors=True)
    print("%d passed, %d failed" % (CHECKS[0] - len(FAILURES),
                                    len(FAILURES)))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
