#!/usr/bin/env python3
"""Evidence-ingest benchmark: `anjian photo ingest` side by side with vipsthumbnail (the same
two outputs: 2048-px q80 upload copy and 320-px thumbnail) and a plain libjpeg-turbo `djpeg`
decode (the floor), in one run, interleaved, each process pinned to one core.

    benches/ingest_vs_vips.py PHOTO ANJIAN_BINARY [--runs 15] [--font FONT.ttc]

Wall time is measured around each process; peak memory is GNU time's %M (maximum resident
set size) of the tool itself. Medians are reported.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time


def run(cmd):
    # GNU time reports the tool's own peak RSS; forking Python directly would count
    # Python's pages in the child's high-water mark.
    with tempfile.NamedTemporaryFile("r") as rss:
        start = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss.name, *cmd],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"failed: {' '.join(cmd)}")
        return wall * 1000.0, int(rss.read().strip().splitlines()[-1]) / 1024.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("photo")
    ap.add_argument("anjian")
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--font")
    args = ap.parse_args()
    os.sched_setaffinity(0, {0})  # every tool on one core (children inherit)
    out = tempfile.mkdtemp()
    tools = {
        "anjian photo ingest (hash + EXIF + upload copy + thumbnail)": [
            [args.anjian, "photo", "ingest", args.photo, "--out", out]],
        "vipsthumbnail ×2 (2048 q80, 320 q75)": [
            ["vipsthumbnail", args.photo, "--size", "2048", "-o", f"{out}/v2048.jpg[Q=80]"],
            ["vipsthumbnail", args.photo, "--size", "320", "-o", f"{out}/v320.jpg[Q=75]"]],
        "djpeg full decode (floor)": [["djpeg", "-outfile", "/dev/null", args.photo]],
    }
    if args.font:
        tools["anjian photo ingest + watermark"] = [[
            args.anjian, "photo", "ingest", args.photo, "--out", out, "--font", args.font,
            "--site", "白公街道某加油站", "--inspector", "蒋华", "--hazard", "YH-20261128-A1B2C3"]]
    results = {name: ([], []) for name in tools}
    for cmds in tools.values():  # warm the page cache and the binaries
        for c in cmds:
            run(c)
    for _ in range(args.runs):
        for name, cmds in tools.items():
            walls, peaks = zip(*(run(c) for c in cmds))
            results[name][0].append(sum(walls))
            results[name][1].append(max(peaks))
    shutil.rmtree(out)
    med = {n: (statistics.median(w), statistics.median(p)) for n, (w, p) in results.items()}
    vips = med["vipsthumbnail ×2 (2048 q80, 320 q75)"]
    floor = med["djpeg full decode (floor)"]
    size = os.path.getsize(args.photo)
    print(f"photo: {args.photo} ({size / 1e6:.1f} MB), runs: {args.runs}, one core, medians")
    print()
    print("| tool | wall ms | peak MiB | wall / vips | peak / vips | wall / djpeg |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, (w, p) in med.items():
        print(f"| {name} | {w:.1f} | {p:.1f} | {w / vips[0]:.2f} | {p / vips[1]:.2f} | {w / floor[0]:.2f} |")


if __name__ == "__main__":
    main()
