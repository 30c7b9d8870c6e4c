// Sharing a demo: its parameters live in the page's URL (`?demo=cpu&tasks=8&n=1000000`), a link
// restores them (`autorun=1` also runs once), `embed=1` shows that demo alone for an iframe, and
// each demo has an "Embed or share" panel and a history of its runs with CSV and JSON export.

import { fieldSchema, maxOf, urlFields } from "./schema.js";

const $ = (id) => document.getElementById(id);

/**
 * Each demo: its section and its run buttons (`run` value → id). Its fields (URL key → element id)
 * come from the schema Rust exports (src/model/schema.rs), in the order a link restores them.
 */
export const DEMOS = {
  cpu: {
    section: "cpu",
    title: "CPU-bound work",
    runs: { compare: "cpu-compare", threads: "cpu-run-threads", sequential: "cpu-run-sequential", processes: "cpu-run-processes" },
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
  gallery: {
    section: "gallery",
    title: "Scheduler gallery",
    runs: { both: "gallery-run", static: "gallery-run-static", dynamic: "gallery-run-dynamic" },
  },
};


/** A value from the address bar, cut short for a message (a link can carry anything, at any length). */
function shorten(text) {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/** The fields that hold a number; a link writes theirs without digit separators. */
const NUMERIC_KINDS = new Set(["whole", "decimal", "slider"]);

/**
 * "100,000,000", "100_000_000" or "100 000 000" → "100000000" (the separators the parsers accept),
 * so a link reads plainly and does not carry `%2C`; any other text comes back as it was.
 */
export function plainNumber(text) {
  const bare = text.trim().replace(/[_,\s]/g, "");
  return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(bare) ? bare : text;
}

/**
 * The logical cores the page's limits are for: the same count app.js hands every demo, whose
 * parsers refuse more threads than this (or more than 4 per core for the server's pool).
 */
const reportedCores = () => navigator.hardwareConcurrency || 1;

/**
 * Field id → the value this device gave it (`perDevice` fields in the schema: counts of threads,
 * processes and workers the page sets from the device's cores), read before a link or a learner
 * changes any. A link leaves such a field out while it holds this value, and `all` restores it.
 */
let deviceDefaults = null;

function rememberDeviceDefaults() {
  if (deviceDefaults) return;
  deviceDefaults = new Map();
  for (const field of Object.values(fieldSchema()).flat())
    if (field.perDevice) deviceDefaults.set(field.id, plainNumber($(field.id).value));
}

/** A field's label as a reader sees it next to the field ("Thread pool size"), for messages. */
function labelText(field) {
  return field.label
    .replace(/<output[\s\S]*?<\/output>/g, "")
    .replace(/<[^>]*>/g, "")
    .replace(/:\s*$/, "")
    .trim();
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

/**
 * The link that reopens `demo` with its current parameters (plus `extra`, e.g. embed=1). It holds
 * the experiment, not this machine: numbers without digit separators (`n=100000000`), and a count
 * still at this device's default (threads, processes: see `perDevice`) left out, so every reader
 * gets their own.
 */
export function linkFor(demo, extra = {}) {
  rememberDeviceDefaults();
  const url = new URL(location.href);
  url.search = "";
  url.hash = "";
  url.searchParams.set("demo", demo);
  for (const field of fieldSchema()[demo]) {
    const element = $(field.id);
    // Hidden fields (the URL list of a sample run) say nothing.
    if (element.closest("[hidden]")) continue;
    const value = NUMERIC_KINDS.has(field.kind) ? plainNumber(readField(element)) : readField(element);
    // Empty fields keep their default.
    if (value === "" || (field.perDevice && value === deviceDefaults.get(field.id))) continue;
    url.searchParams.set(field.key, value);
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

/**
 * Puts the URL's parameters into `demo`'s fields, so that what they ask for runs here. Returns
 * messages for the page: a count above this device's limit is lowered to it and said so; a value
 * that does not fit at all keeps the field's default and is said so. `cores`: the logical cores
 * the demos' limits are for.
 */
export function restoreFields(demo, cores = reportedCores()) {
  rememberDeviceDefaults();
  const params = new URLSearchParams(location.search);
  const problems = [];
  for (const field of fieldSchema()[demo]) {
    if (!params.has(field.key)) continue;
    const given = params.get(field.key);
    const value = NUMERIC_KINDS.has(field.kind) ? fittedNumber(field, given, cores, problems) : given;
    if (value === null) continue;
    if (!writeField($(field.id), value)) problems.push(`The link's ${field.key}=${shorten(given)} is not one of the choices; kept the default.`);
  }
  return problems;
}

/**
 * The text to put in a number field for the link's `given`, or null to keep the field as it is (with
 * a message in `problems` when that is not what the link asked). `all` in a per-device count means
 * this device's own default (the same as leaving the key out: threads that ran at full speed here).
 */
function fittedNumber(field, given, cores, problems) {
  const keep = (why) => (problems.push(`The link's ${field.key}=${shorten(given)} ${why}; kept the default.`), null);
  if (given.trim() === "") return field.default === "" ? "" : keep("is empty");
  if (field.perDevice && given.trim().toLowerCase() === "all") return deviceDefaults.get(field.id);
  const plain = plainNumber(given);
  const whole = field.kind !== "decimal";
  const max = maxOf(field, cores);
  const range = field.min !== null && max !== null ? ` from ${field.min} to ${max}` : "";
  if (!(whole ? /^\+?\d+$/ : /^\+?(\d+\.?\d*|\.\d+)$/).test(plain)) return keep(`is not a ${whole ? "whole " : ""}number${range}`);
  const asked = Number(plain);
  if (field.min !== null && asked < field.min) return keep(`is below ${field.min}, the least ${labelText(field)} can be`);
  if (max === null || asked <= max) return given;
  // Above a limit that is the same on every device: the author's page refused it too.
  if (field.maxPerCore === null) return keep(`is above ${max.toLocaleString("en-US")}, the most ${labelText(field)} can be`);
  const cored = `${cores} logical core${cores === 1 ? "" : "s"}`;
  const limit = field.maxPerCore === 1 ? `this device has ${cored}` : `this device allows at most ${max} (${field.maxPerCore} per logical core, ${cored})`;
  problems.push(`This link asked for ${labelText(field)} = ${shorten(plain)}; ${limit}, so it runs with ${max}.`);
  return String(max);
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
  // Now, at start-up, before a learner's first edit could be taken for this device's default.
  rememberDeviceDefaults();
  for (const demo of Object.keys(DEMOS)) {
    $(DEMOS[demo].section).addEventListener("change", (event) => {
      if (Object.values(urlFields(demo)).includes(event.target.id)) history.replaceState(null, "", linkFor(demo, embedParams()));
    });
  }
}

function embedParams() {
  return new URLSearchParams(location.search).get("embed") === "1" ? { embed: "1" } : {};
}
