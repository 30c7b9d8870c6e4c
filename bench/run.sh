#!/usr/bin/env bash
# The benchmarks: builds the release site, then measures native, wasm-in-Chromium and the seed's
# Python side by side and prints markdown tables (medians; ratios from the same run).
#   bench/run.sh              every benchmark
#   bench/run.sh cpu          the CPU-bound demo only (and bench/first-click.mjs: the defaults as a learner meets them)
#   bench/run.sh downloads    the downloads demo only
#   bench/run.sh lab          the threads-vs-processes lab only
#   bench/run.sh hosts        build sizes and load times on each kind of host only
#   bench/run.sh server       the web server lab only
#   bench/run.sh gallery      the scheduler gallery only: static vs dynamic, the pieces sweep, live drawing
#   bench/run.sh soak         300+ mixed runs: JS heap, DOM and wasm memory at start, middle and end
#   bench/run.sh engines      the same figures in Chromium, Firefox and WebKit, one column each
#                             (PLAYGROUND_ENGINES="firefox webkit" picks some)
#   bench/run.sh counter      the shared counter's default runs in one engine (PLAYGROUND_ENGINE,
#                             BENCH_COUNTER_RUNS): how often the racy count loses updates, atomic vs Mutex
#   bench/run.sh sw           the simulated network's first start on fresh profiles (PLAYGROUND_ENGINE,
#                             BENCH_LAUNCHES): how long, and how often it never starts
#   bench/run.sh size         both builds' wasm and JS glue, raw and gzip, and the kernel on one thread
#                             in wasm vs native (what wasm-opt and the release profile buy and cost)
# BENCH_RUNS (default 7) sets how many runs each median takes; each table's Runs column says how
# many runs stand behind each figure. PLAYGROUND_DIST (default dist) is where the site is built and served from.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
trunk build --release --dist "${PLAYGROUND_DIST:-dist}" >/dev/null
which=${1:-all}
case "$which" in
  cpu | all | downloads | lab | hosts | server | gallery | soak | engines | size | sw | counter) ;;
  *) echo "usage: bench/run.sh [cpu|downloads|lab|hosts|server|gallery|soak|engines|size|sw|counter]" >&2; exit 2 ;;
esac
if [ "$which" = cpu ] || [ "$which" = all ]; then node bench/run.mjs; node bench/first-click.mjs; fi
if [ "$which" = downloads ] || [ "$which" = all ]; then node bench/downloads.mjs; fi
if [ "$which" = lab ] || [ "$which" = all ]; then node bench/lab.mjs; fi
if [ "$which" = hosts ] || [ "$which" = all ]; then node bench/hosts.mjs; fi
if [ "$which" = server ] || [ "$which" = all ]; then node bench/server.mjs; fi
if [ "$which" = gallery ] || [ "$which" = all ]; then node bench/gallery.mjs; fi
if [ "$which" = soak ] || [ "$which" = all ]; then node bench/soak.mjs; fi
if [ "$which" = engines ] || [ "$which" = all ]; then node bench/engines.mjs; fi
if [ "$which" = size ] || [ "$which" = all ]; then node bench/size.mjs; fi
if [ "$which" = sw ] || [ "$which" = all ]; then node bench/sw-start.mjs; fi
if [ "$which" = counter ] || [ "$which" = all ]; then node bench/counter.mjs; fi
