#!/usr/bin/env python3
"""Runs every command of scripts/cli-compare.cmds with two bbb binaries and
reports where they differ: exit code, stdout, stderr and every file the
command wrote. A refactor of the CLI that must not change behaviour is
checked so (docs/TESTING.md, "The CLI comparison"):

    git worktree add /tmp/old HEAD && (cd /tmp/old && go build -o /tmp/bbb-old ./cmd/bbb)
    go build -o /tmp/bbb-new ./cmd/bbb
    scripts/cli-compare.py /tmp/bbb-old /tmp/bbb-new [FIRST [LAST]]

Each command runs in a fresh scratch folder holding the fixtures (train.csv,
new.csv, val.csv, bad.csv, grid files, and model.npz saved once by the OLD
binary, so predict and --resume read the same file in both runs), as
`sh -c LINE` with $BBB the binary. What varies from run to run is masked
before the comparison: timings and memory (keys and lines naming seconds,
rss, wall time or speed), the build's commit, and a PDF's creation date.
A line starting with "~" also masks every number (bench's timings).
Exit 0: no difference; 1: differences, listed.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# Words whose lines or JSON keys carry run-to-run values.
VOLATILE = re.compile(r"seconds?|\brss|rss\b|_rss|wall|elapsed|per_sec|/s\b|\beta\b|\d\s?(ms|µs|ns|s)\b|throughput|speed|commit|revision|modified|time|available", re.I)
HEX = re.compile(r"0x[0-9a-f]+")  # pointers (dot --grad's node names)
SPACES = re.compile(r"\s+")
NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


def mask_text(text, all_numbers):
    out = []
    for line in HEX.sub("0x#", text).splitlines():
        if all_numbers or VOLATILE.search(line):
            line = SPACES.sub(" ", NUMBER.sub("#", line))
        out.append(line)
    return "\n".join(out)


def mask_json(v, all_numbers):
    if isinstance(v, dict):
        return {k: ("#" if VOLATILE.search(k) and not isinstance(x, (dict, list)) else mask_json(x, all_numbers)) for k, x in v.items()}
    if isinstance(v, list):
        return [mask_json(x, all_numbers) for x in v]
    if all_numbers and isinstance(v, (int, float)) and not isinstance(v, bool):
        return "#"
    return v


def digest(path, all_numbers):
    with open(path, "rb") as f:
        b = f.read()
    if path.endswith(".json"):
        try:
            return json.dumps(mask_json(json.loads(b), all_numbers), sort_keys=True)
        except ValueError:
            pass
    if path.endswith(".pdf"):
        b = re.sub(rb"/(CreationDate|ModDate) \([^)]*\)", b"", b)
    if all_numbers and path.endswith((".png", ".svg", ".pdf")):
        return "a figure"  # (of timings)
    if path.endswith((".csv", ".txt", ".dot", ".log", ".grid", ".tsv")) or b"\0" not in b[:4096]:
        try:
            return mask_text(b.decode(), all_numbers)
        except UnicodeDecodeError:
            pass
    return hashlib.sha256(b).hexdigest()


def tree(root, all_numbers):
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            rel = os.path.relpath(p, root)
            if rel.startswith("fixtures" + os.sep) or os.path.islink(p):
                continue
            out[rel] = digest(p, all_numbers)
    return out


def fixtures(dst, old):
    with open(os.path.join(dst, "train.csv"), "w") as f:
        import random
        r = random.Random(1)
        f.write("x,y\n")
        for _ in range(300):
            x = -4 + 8 * r.random()
            f.write("%.4f,%.4f\n" % (x, x ** 3 + 3 * r.gauss(0, 1)))
    with open(os.path.join(dst, "val.csv"), "w") as f:
        f.write("x,y\n" + "".join("%.2f,%.2f\n" % (x / 10, (x / 10) ** 3) for x in range(-40, 41, 4)))
    with open(os.path.join(dst, "new.csv"), "w") as f:
        f.write("x\n" + "".join("%.2f\n" % (x / 10) for x in range(-40, 41, 8)))
    with open(os.path.join(dst, "bad.csv"), "w") as f:
        f.write("x,y\n1,2\nthree,4\n")
    with open(os.path.join(dst, "small.grid"), "w") as f:
        f.write("epochs: 20\nsamples: 10\npoints: 100\nhidden: [4, 8]\n")
    subprocess.run([old, "train", "--epochs", "40", "--samples", "10", "--points", "200", "--out", "m-out",
                    "--save", "model.npz", "-q"], cwd=dst, check=True, stdout=subprocess.DEVNULL)
    shutil.rmtree(os.path.join(dst, "m-out"))


def run(binary, line, fix):
    # The same folder for both binaries: files record absolute paths.
    work = os.path.join(tempfile.gettempdir(), "cli-compare-work")
    shutil.rmtree(work, ignore_errors=True)
    os.mkdir(work)
    try:
        for f in os.listdir(fix):
            shutil.copy(os.path.join(fix, f), work)
        all_numbers = line.startswith("~")
        cmd = line.lstrip("~ ")
        env = dict(os.environ, BBB=binary)
        p = subprocess.run(["sh", "-c", cmd], cwd=work, env=env, capture_output=True, timeout=300)
        files = tree(work, all_numbers)
        for f in os.listdir(fix):
            if files.get(f) == digest(os.path.join(fix, f), all_numbers):
                del files[f]
        return {"rc": p.returncode, "stdout": mask_text(p.stdout.decode(errors="replace"), all_numbers),
                "stderr": mask_text(p.stderr.decode(errors="replace").replace(binary, "$BBB"), all_numbers), "files": files}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    old, new = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    with open(os.path.join(HERE, "cli-compare.cmds")) as f:
        lines = [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]
    first = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    last = int(sys.argv[4]) if len(sys.argv) > 4 else len(lines)
    fix = tempfile.mkdtemp(prefix="cli-compare-fixtures-")
    try:
        fixtures(fix, old)
        differ = 0
        for i, line in enumerate(lines, 1):
            if not first <= i <= last:
                continue
            a, b = run(old, line, fix), run(new, line, fix)
            if a == b:
                print("%3d same  rc=%d  %s" % (i, a["rc"], line))
                continue
            differ += 1
            print("%3d DIFF  %s" % (i, line))
            for k in ("rc", "stdout", "stderr"):
                if a[k] != b[k]:
                    print("     %s: old %r\n     %s: new %r" % (k, a[k], k, b[k]))
            for f in sorted(set(a["files"]) | set(b["files"])):
                if a["files"].get(f) != b["files"].get(f):
                    print("     file %s differs (or is in one run only)" % f)
        print("%d commands, %d differ" % (last - first + 1, differ))
        sys.exit(1 if differ else 0)
    finally:
        shutil.rmtree(fix, ignore_errors=True)


if __name__ == "__main__":
    main()
