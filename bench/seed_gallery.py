# The same lesson in the tutorial's world: Pool.map over uneven work, with the chunksize that decides
# how the rows are handed out. One chunk per process is a static split; small chunks go to whichever
# process is free.
import time
from multiprocessing import Pool, cpu_count

WIDTH, HEIGHT, MAX_ITER = 360, 240, 2000
STEP = 3.0 / WIDTH
TOP = 0.7 * STEP * HEIGHT  # the set's body fills the lower rows: they cost far more


def mandelbrot_row(row):
    ci = TOP - row * STEP
    counts = []
    for column in range(WIDTH):
        cr = -2.2 + column * STEP
        zr = zi = 0.0
        n = 0
        while n < MAX_ITER and zr * zr + zi * zi <= 4.0:
            zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
            n += 1
        counts.append(n)
    return counts


if __name__ == "__main__":
    processes = cpu_count()
    rows = range(HEIGHT)
    for name, chunksize in [("static", HEIGHT // processes), ("dynamic", max(1, HEIGHT // (8 * processes)))]:
        start = time.perf_counter()
        with Pool(processes) as pool:
            image = pool.map(mandelbrot_row, rows, chunksize=chunksize)
        elapsed = time.perf_counter() - start
        print(f"{name} (chunksize {chunksize}): {elapsed:.2f} s, {sum(map(sum, image))} iterations")
