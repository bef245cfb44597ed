#!/usr/bin/env python3
"""Startup benchmark: spawn `ghl-mcp serve`, send initialize + tools/list at once, and time
from spawn to the tools/list answer; report the median and spread over RUNS spawns, the
answer's size, and the server's peak RSS (from wait4) after it exits on stdin close.

    scripts/bench-startup.py [--runs N] [--binary PATH] [--tools meta|all]

Build first: cargo build --release. Nothing here talks to GHL (tools/list sends nothing).
"""
import argparse
import json
import os
import statistics
import subprocess
import time

parser = argparse.ArgumentParser()
parser.add_argument("--runs", type=int, default=20)
parser.add_argument("--binary", default="target/release/ghl-mcp")
parser.add_argument("--tools", default="all")
args = parser.parse_args()

messages = [
    {"jsonrpc": "2.0", "id": 1, "method": "initialize",
     "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "0"}}},
    {"jsonrpc": "2.0", "method": "notifications/initialized"},
    {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
]
payload = "".join(json.dumps(m) + "\n" for m in messages).encode()

latencies, rss, sizes, counts = [], [], [], []
for _ in range(args.runs):
    start = time.perf_counter()
    proc = subprocess.Popen([args.binary, "serve", "--tools", args.tools],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env={**os.environ, "GHL_LOG": "error"})
    proc.stdin.write(payload)
    proc.stdin.flush()
    answer = None
    while True:
        line = proc.stdout.readline()
        if not line:
            break
        if b'"id":2' in line:
            answer = line
            break
    elapsed = time.perf_counter() - start
    proc.stdin.close()
    proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = status
    if answer is None:
        raise SystemExit("no tools/list answer")
    latencies.append(elapsed * 1000)
    rss.append(usage.ru_maxrss / 1024)
    sizes.append(len(answer))
    counts.append(len(json.loads(answer)["result"]["tools"]))

q = statistics.quantiles(latencies, n=10)
print(f"binary: {args.binary}  --tools {args.tools}  runs: {args.runs}")
print(f"tools listed: {counts[0]}  tools/list answer: {sizes[0]} bytes (~{sizes[0] // 4} tokens at 4 bytes/token)")
print(f"spawn → tools/list answer: median {statistics.median(latencies):.1f} ms, "
      f"p10 {q[0]:.1f} ms, p90 {q[-1]:.1f} ms, min {min(latencies):.1f} ms, max {max(latencies):.1f} ms")
print(f"peak RSS: median {statistics.median(rss):.1f} MiB, max {max(rss):.1f} MiB")
