#!/usr/bin/env python3
"""Startup benchmark: spawn `ghl-mcp serve`, send initialize + tools/list at once, and time
from spawn to the tools/list answer; report the median and spread over RUNS spawns, the
answer's size in bytes and estimated tokens (bytes/4), and the server's peak RSS at that
moment (VmHWM from /proc/PID/status, read before stdin closes).

Not wait4's ru_maxrss: a child spawned by Python (vfork) inherits the peak of Python's own
memory at exec, about 14 MiB, so that figure can never come out below Python's RSS.

    scripts/bench-startup.py [--runs N] [--binary PATH] [--tools meta|all|NAMES] [--apps APPS]
                             [--instructions]

Build first: cargo build --release. Nothing here talks to GHL (tools/list sends nothing).
--instructions runs one spawn under valgrind's callgrind instead and prints the instructions
the server executed from exec to exit (initialize, tools/list, shutdown): a figure that does
not move with the machine's load.
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
parser.add_argument("--apps", help="passed to serve --apps")
parser.add_argument("--instructions", action="store_true")
args = parser.parse_args()

messages = [
    {"jsonrpc": "2.0", "id": 1, "method": "initialize",
     "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "0"}}},
    {"jsonrpc": "2.0", "method": "notifications/initialized"},
    {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
]
payload = "".join(json.dumps(m) + "\n" for m in messages).encode()
serve = [args.binary, "serve", "--tools", args.tools] + (["--apps", args.apps] if args.apps else [])

# A token, as every real deployment has: with one, `serve` sets up its HTTP client (loads the
# CA certificates) at start; nothing here sends a request.
env = {**os.environ, "GHL_LOG": "error", "GHL_API_KEY": "pit-bench-startup-not-a-token"}

if args.instructions:
    run = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + serve,
                         input=payload, capture_output=True, env=env, check=True)
    collected = [line for line in run.stderr.decode().splitlines() if "Collected :" in line]
    if not collected or b'"id":2' not in run.stdout:
        raise SystemExit("no instruction count or no tools/list answer:\n" + run.stderr.decode())
    count = int(collected[-1].split(":")[-1])
    print(f"{' '.join(serve[1:])}: {count:,} instructions from exec to exit "
          f"(initialize + tools/list, callgrind)")
    raise SystemExit(0)

latencies, rss, sizes, counts = [], [], [], []
for _ in range(args.runs):
    start = time.perf_counter()
    proc = subprocess.Popen(serve,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env=env)
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
    with open(f"/proc/{proc.pid}/status") as status:
        hwm_kib = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
    proc.stdin.close()
    proc.stdout.read()
    proc.wait()
    if answer is None:
        raise SystemExit("no tools/list answer")
    latencies.append(elapsed * 1000)
    rss.append(hwm_kib / 1024)
    sizes.append(len(answer))
    counts.append(len(json.loads(answer)["result"]["tools"]))

q = statistics.quantiles(latencies, n=10, method="inclusive")
print(f"{' '.join(serve)}  runs: {args.runs}  "
      f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
print(f"tools listed: {counts[0]}  tools/list answer: {sizes[0]} bytes (~{sizes[0] // 4} tokens at 4 bytes/token)")
print(f"spawn → tools/list answer: median {statistics.median(latencies):.1f} ms, "
      f"p10 {q[0]:.1f} ms, p90 {q[-1]:.1f} ms, min {min(latencies):.1f} ms, max {max(latencies):.1f} ms")
print(f"peak RSS at the answer (VmHWM): median {statistics.median(rss):.1f} MiB "
      f"({statistics.median(rss) * 1.048576:.1f} MB), max {max(rss):.1f} MiB")
