# Threads share memory: four threads add 1 to one counter. `counter += 1` is a read, an add and a
# write; a thread switch between the read and the write loses an update. A lock makes it exact.
# On CPython 3.10+ the GIL rarely switches threads between those two lines, so "racy" often prints
# the full count here: the GIL hides the race. Threads that really run at once (the Rust beside
# this) lose updates on every run.
import threading

counter = 0
lock = threading.Lock()


def racy(increments):
    global counter
    for _ in range(increments):
        seen = counter  # read ...
        counter = seen + 1  # ... then write: another thread may have written in between


def locked(increments):
    global counter
    for _ in range(increments):
        with lock:
            counter += 1


for work in (racy, locked):
    counter = 0
    threads = [threading.Thread(target=work, args=(1_000_000,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"{work.__name__}: {counter:,} of {4_000_000:,}")
