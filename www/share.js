// Sharing a demo: its parameters live in the page's URL (`?demo=cpu&tasks=8&n=1000000`), a link
// restores them (`autorun=1` also runs once), `embed=1` shows that demo alone for an iframe, and
// each demo has an "Embed or share" panel and a history of its runs with CSV and JSON export.

import { urlFields } from "./schema.js";

const $ = (id) => document.getElementById(id);

/**
 * Each demo: its section and its run buttons (`run` value → id). Its fields (URL key → element id)
 * come from the schema Rust exports (src/model/schema.rs), in the order a link restores them.
 */
export const DEMOS = {
  cpu: {
    section: "cpu",
    title: "CPU-bound work",
    runs: { threads: "cpu-run-threads", sequential: "cpu-run-sequential", processes: "cpu-run-processes" },
  },
  downloads: {
    section: "downloads",
    title: "I/O-bound downloads",
    runs: { concurrent: "dl-run-concurrent", sequential: "dl-run-sequential", bounded: "dl-run-bounded", threads: "dl-run-threads" },
  },
  processes: {
    section: "lab",
    title: "Threads vs processes lab",
    runs: { compare: "lab-compare", counter: "lab-counter-run", sweep: "lab-sweep-run" },
  },
  server: {
    section: "server",
    title: "Web server under load",
    runs: { all: "server-run" },
  },
};


/** A value from the address bar, cut short for a message (a link can carry anything, at any length). */
function shorten(text) {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

function readField(element) {
  return element.type === "checkbox" ? (element.checked ? "1" : "") : element.value;
}

function writeField(element, value) {
  // Unchanged: no event, so a field that follows another (a preset's latency) does not flip it to "custom".
  if (readField(element) === value) return true;
  if (element.type === "checkbox") element.checked = value === "1" || value === "true";
  else if (element.tagName === "SELECT") {
    if (![...element.options].some((o) => o.value === value && !o.disabled)) return false;
    element.value = value;
  } else element.value = value;
  element.dispatchEvent(new Event(element.tagName === "SELECT" || element.type === "checkbox" ? "change" : "input", { bubbles: true }));
  return true;
}

/** The link that reopens `demo` with its current parameters (plus `extra`, e.g. embed=1). */
export function linkFor(demo, extra = {}) {
  const url = new URL(location.href);
  url.search = "";
  url.hash = "";
  url.searchParams.set("demo", demo);
  for (const [key, id] of Object.entries(urlFields(demo))) {
    const value = readField($(id));
    // Empty fields keep their default; hidden ones (the URL list of a sample run) say nothing.
    if (value !== "" && !$(id).closest("[hidden]")) url.searchParams.set(key, value);
  }
  for (const [key, value] of Object.entries(extra)) url.searchParams.set(key, value);
  return url.href;
}

/** What the page's URL asks for: `{ demo, embed, autorun, run, problems }` (problems: messages for the page). */
export function requested() {
  const params = new URLSearchParams(location.search);
  const demo = params.get("demo");
  const problems = [];
  // Own keys only: `?demo=constructor` must not find Object.prototype.constructor.
  if (demo !== null && !Object.hasOwn(DEMOS, demo)) {
    problems.push(`There is no demo called "${shorten(demo)}"; the demos are ${Object.keys(DEMOS).join(", ")}.`);
    return { demo: null, embed: false, autorun: false, run: null, problems };
  }
  return {
    demo,
    embed: params.get("embed") === "1",
    autorun: params.get("autorun") === "1",
    run: params.get("run"),
    problems,
  };
}

/** Puts the URL's parameters into `demo`'s fields. Returns messages for values that do not fit. */
export function restoreFields(demo) {
  const params = new URLSearchParams(location.search);
  const problems = [];
  for (const [key, id] of Object.entries(urlFields(demo))) {
    if (!params.has(key)) continue;
    if (!writeField($(id), params.get(key))) problems.push(`The link's ${key}=${shorten(params.get(key))} is not one of the choices; kept the default.`);
  }
  return problems;
}

/** Clicks the run button the URL names (or the demo's first): the same path as a learner's click. */
export function autorun(demo, run) {
  const runs = DEMOS[demo].runs;
  if (run !== null && !Object.hasOwn(runs, run))
    return `The link's run=${shorten(run)} is not a way to run this demo (${Object.keys(runs).join(", ")}).`;
  const id = run === null ? Object.values(runs)[0] : runs[run];
  const button = $(id);
  if (button.disabled) return `This page cannot run "${run ?? Object.keys(runs)[0]}" here (see the banner above).`;
  button.click();
  return null;
}

/** Keeps the address bar on the last demo a learner touched, so copying it shares those parameters. */
export function followEdits() {
  for (const demo of Object.keys(DEMOS)) {
    $(DEMOS[demo].section).addEventListener("change", (event) => {
      if (Object.values(urlFields(demo)).includes(event.target.id)) history.replaceState(null, "", linkFor(demo, embedParams()));
    });
  }
}

function embedParams() {
  return new URLSearchParams(location.search).get("embed") === "1" ? { embed: "1" } : {};
}
