# The tutorial's Pool, at every worker count: how much faster does each extra process make it?
import time
from multiprocessing import Pool, cpu_count


def cpu_bound_task(n):
    return sum(i * i for i in range(n))


if __name__ == "__main__":
    baseline = None
    for workers in range(1, cpu_count() + 1):
        start = time.perf_counter()
        with Pool(workers) as pool:
            pool.map(cpu_bound_task, [10_000_000] * 4)
        elapsed = time.perf_counter() - start
        baseline = baseline or elapsed
        print(f"{workers} workers: {elapsed:.2f} s, speedup {baseline / elapsed:.2f}x")
