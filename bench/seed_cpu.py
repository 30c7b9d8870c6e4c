# The tutorial's CPU-bound example (Project 2), as written: four processes, four equal tasks.
import multiprocessing


def cpu_bound_task(n):
    return sum(i * i for i in range(n))


if __name__ == "__main__":
    with multiprocessing.Pool(4) as pool:
        results = pool.map(cpu_bound_task, [10_000_000] * 4)
    print(results)
