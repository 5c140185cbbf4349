#!/usr/bin/env python3
"""Mean wall and CPU time (user+sys, the command and its children) of a command over N runs.

usage: bench/timeit.py RUNS COMMAND [ARG...]
prints: wall_ms user_ms sys_ms cpu_ms   (means per run; peak RSS: /usr/bin/time -f %M, since a
child forked from Python counts Python's pages in its ru_maxrss)
One untimed warm-up run first (page cache, module autoload). CPU time comes from
getrusage(RUSAGE_CHILDREN) deltas, so it is the CPU the command itself used, unaffected by other
load on a shared machine (wall time is not).
"""
import resource
import subprocess
import sys
import time

runs = int(sys.argv[1])
cmd = sys.argv[2:]
devnull = subprocess.DEVNULL
subprocess.run(cmd, stdout=devnull, stderr=devnull)
r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
t0 = time.perf_counter()
for _ in range(runs):
    subprocess.run(cmd, stdout=devnull, stderr=devnull)
t1 = time.perf_counter()
r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
user = (r1.ru_utime - r0.ru_utime) * 1000 / runs
sys_ = (r1.ru_stime - r0.ru_stime) * 1000 / runs
print(f"{(t1 - t0) * 1000 / runs:.2f} {user:.2f} {sys_:.2f} {user + sys_:.2f}")
