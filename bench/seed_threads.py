# The tutorial's CPU task on threads instead of processes. CPython's threads share one interpreter
# lock (the GIL): one thread runs Python at a time, so four threads take as long as one.
import time
from concurrent.futures import ThreadPoolExecutor


def cpu_bound_task(n):
    return sum(i * i for i in range(n))


if __name__ == "__main__":
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(cpu_bound_task, [10_000_000] * 4))
    print(results, f"{time.perf_counter() - start:.2f} s")
