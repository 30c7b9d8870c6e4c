# The seed's CPU work (bench/seed_cpu.py's own function, four tasks of n = 10,000,000) timed inside
# Python with the pool already started: Pool.map alone, like the wasm figure it is compared with,
# which is timed inside the page with its threads already running. Timing bench/seed_cpu.py from
# outside also counts the interpreter's start and the spawning of the four workers.
#   python3 bench/seed_cpu_inprocess.py RUNS
# prints one JSON line: {"poolStartMs": ..., "mapMs": [one figure per run]}
import json
import multiprocessing
import sys
import time

from seed_cpu import cpu_bound_task

N = 10_000_000
# sum(i * i for i in range(n)) in closed form, so the check does not trust the code it checks.
EXPECTED = (N - 1) * N * (2 * N - 1) // 6

if __name__ == "__main__":
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    started = time.perf_counter()
    with multiprocessing.Pool(4) as pool:
        # One tiny task per worker first: every worker is up and has imported the function.
        pool.map(cpu_bound_task, [1] * 4, chunksize=1)
        pool_start_ms = (time.perf_counter() - started) * 1e3
        map_ms = []
        for _ in range(runs):
            started = time.perf_counter()
            results = pool.map(cpu_bound_task, [N] * 4)
            map_ms.append((time.perf_counter() - started) * 1e3)
            if results != [EXPECTED] * 4:
                sys.exit(f"wrong sums: {results}")
    print(json.dumps({"poolStartMs": pool_start_ms, "mapMs": map_ms}))
