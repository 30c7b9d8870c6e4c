// The type checks of window.playground's options, at the boundary between a tutorial author's
// JavaScript and the Rust module. Rust checks ranges and names (it owns the limits); this file makes
// sure every value that reaches it has the JavaScript type its export expects. A wrong type handed to
// a wasm-bindgen export does not fail politely: a number where the glue expects a string corrupts the
// instance's memory ("memory access out of bounds") and every later call freezes the tab.

/** What each kind of option accepts: returns the value to use, or throws a phrase for the message. */
const KINDS = {
  /** A whole number; digit strings as a person types them ("10,000,000") are accepted too. */
  whole(value) {
    if (typeof value === "string") {
      const digits = value.trim().replace(/[_,\s]/g, "");
      if (!/^\+?\d+$/.test(digits)) throw `must be a whole number, not the text ${quote(value)}`;
      value = Number(digits);
    }
    if (typeof value !== "number") throw `must be a whole number, not ${describe(value)}`;
    if (!Number.isFinite(value)) throw `must be a whole number, not ${value}`;
    if (!Number.isInteger(value)) throw `must be a whole number, not ${value}`;
    return value === 0 ? 0 : value; // -0 is 0
  },
  /** A finite number (milliseconds, a rate, a fraction). */
  number(value) {
    if (typeof value !== "number") throw `must be a number, not ${describe(value)}`;
    if (!Number.isFinite(value)) throw `must be a finite number, not ${value}`;
    return value === 0 ? 0 : value;
  },
  /** A word from a list; which words are allowed is checked where the list lives (Rust or the demo). */
  name(value) {
    if (typeof value !== "string") throw `must be a string, not ${describe(value)}`;
    return value;
  },
  boolean(value) {
    if (typeof value !== "boolean") throw `must be true or false, not ${describe(value)}`;
    return value;
  },
  /** A whole number, or null for "none". */
  wholeOrNone(value) {
    return value === null ? null : KINDS.whole(value);
  },
  wholeList(value) {
    if (!Array.isArray(value)) throw `must be an array of whole numbers, not ${describe(value)}`;
    return value.map((item, i) => {
      try {
        return KINDS.whole(item);
      } catch (phrase) {
        throw `[${i}] ${phrase}`;
      }
    });
  },
  textList(value) {
    if (!Array.isArray(value)) throw `must be an array of strings, not ${describe(value)}`;
    const bad = value.findIndex((item) => typeof item !== "string");
    if (bad >= 0) throw `[${bad}] must be a string, not ${describe(value[bad])}`;
    return [...value];
  },
  /** A preset name, or { latencyMs, kbps } with numbers (the network of the downloads demo). */
  network(value) {
    if (typeof value === "string") return value;
    const fields = plainObject(value, 'a preset name or { latencyMs, kbps }');
    const network = {};
    for (const [key, field] of Object.entries(fields)) {
      if (key !== "latencyMs" && key !== "kbps") throw `has an unknown field "${key}"; it takes latencyMs and kbps`;
      try {
        network[key] = KINDS.number(field);
      } catch (phrase) {
        throw `.${key} ${phrase}`;
      }
    }
    return network;
  },
};

/** Every function of window.playground that takes options, and the kind of each option. */
export const API_OPTIONS = {
  cpu: { tasks: "whole", n: "whole", threads: "whole", chunks: "whole", mode: "name", processes: "whole", gil: "boolean", crashTask: "wholeOrNone", withProcesses: "boolean" },
  downloads: { urls: "textList", samples: "whole", mode: "name", limit: "whole", network: "network", timeoutMs: "whole", maxBytes: "whole" },
  server: { model: "name", clients: "whole", rate: "number", requests: "whole", ioMs: "number", cpuMs: "number", poolSize: "whole" },
  serverSweep: { clients: "wholeList", ioMs: "number", cpuMs: "number", poolSize: "whole", requestsPerClient: "whole" },
  compare: { workers: "whole", tasks: "whole", n: "whole" },
  startupCosts: { workers: "wholeList", rounds: "whole" },
  kernel: { kernel: "name", schedule: "name", threads: "whole", pieces: "whole", size: "whole" },
  counter: { threads: "whole", increments: "whole", method: "name" },
  sweep: { mode: "name", maxWorkers: "whole", tasks: "whole", n: "whole", serialFraction: "number" },
  freeze: { where: "name" },
};

/**
 * Checks `options` for `playground[api]` and returns a fresh plain object holding only its own, known,
 * well-typed options (so nothing inherited, no getter and no later change reaches the run). Throws a
 * TypeError naming the function and the option otherwise. `undefined` means "all defaults".
 */
export function checkOptions(api, options) {
  const kinds = API_OPTIONS[api];
  if (options === undefined) return {};
  let fields;
  try {
    fields = plainObject(options, `an options object such as ${example(api)}`);
  } catch (phrase) {
    throw new TypeError(`playground.${api} expects ${phrase.replace(/^must be /, "")}`);
  }
  const checked = {};
  for (const [key, value] of Object.entries(fields)) {
    if (!Object.hasOwn(kinds, key))
      throw new TypeError(`playground.${api}: unknown option "${key}"; its options are ${Object.keys(kinds).join(", ")}.`);
    // An option given as undefined is an option left out.
    if (value === undefined) continue;
    try {
      checked[key] = KINDS[kinds[key]](value);
    } catch (phrase) {
      if (typeof phrase !== "string") throw phrase;
      // A list's item or a field of an object option ("[1] must be …", ".kbps must be …") joins the name.
      const [, inner = "", rest] = /^([.[]\S*)? ?(.*)$/.exec(phrase);
      throw new TypeError(`playground.${api}: option "${key}${inner}" ${rest}.`);
    }
  }
  return checked;
}

/** Rust's per-field messages (`[{ field, message }]`) as one error naming each option. */
export function optionErrors(api, errors) {
  return new RangeError(errors.map((e) => `playground.${api}: option "${e.field}": ${e.message}`).join(" "));
}

/** The own, enumerable, string-keyed fields of a plain object, read once; throws a phrase otherwise. */
function plainObject(value, wanted) {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw `must be ${wanted}, not ${describe(value)}`;
  // Plain: made by `{…}` or Object.create(null), in this page or in the tutorial page that embeds it
  // (another realm, another Object.prototype), and not an instance of some class (Map, Date, …).
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== null && Object.getPrototypeOf(prototype) !== null) throw `must be ${wanted}, not ${describe(value)}`;
  const symbols = Object.getOwnPropertySymbols(value);
  if (symbols.length) throw `must be ${wanted}; symbol keys (${String(symbols[0])}) are not options`;
  // No prototype: an own "__proto__" key stays a key (and is then reported as unknown).
  const fields = Object.create(null);
  for (const key of Object.keys(value)) {
    try {
      fields[key] = value[key];
    } catch (error) {
      throw `must be ${wanted}; reading its "${key}" failed (${error?.message ?? error})`;
    }
  }
  return fields;
}

function example(api) {
  const first = Object.keys(API_OPTIONS[api])[0];
  return `{ ${first}: … }`;
}

/** A value's type as a person would name it, with the value where that helps. */
function describe(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return `the text ${quote(value)}`;
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
      return `the BigInt ${value}n`;
    case "boolean":
      return String(value);
    case "symbol":
      return "a symbol";
    case "function":
      return "a function";
    case "undefined":
      return "undefined";
    default: {
      const name = Object.getPrototypeOf(value)?.constructor?.name;
      return name && name !== "Object" ? `a ${name}` : "an object";
    }
  }
}

function quote(text) {
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return JSON.stringify(shown);
}
