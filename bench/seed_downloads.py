# The tutorial's Project 1: download several files with one thread each instead of one after another.
# The benchmark runs it against the same local server as the page: python3 bench/seed_downloads.py URL...
import sys
import threading
import time
import urllib.request


def download(url):
    name = url.rsplit("/", 1)[-1]
    with urllib.request.urlopen(url) as response, open(name, "wb") as file:
        file.write(response.read())
    print(f"downloaded {name}")


urls = sys.argv[1:]
start = time.perf_counter()
threads = [threading.Thread(target=download, args=(url,)) for url in urls]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(f"{len(urls)} files in {time.perf_counter() - start:.2f} s")
