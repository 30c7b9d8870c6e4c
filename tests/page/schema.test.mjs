// The form the page shows against the schema Rust exports (src/model/schema.rs, `fieldSchema`),
// read from the very wasm module the page runs: every field's label, hint, default, range or
// choices, message element and URL key, and the option kinds window.playground checks. What the
// page renders must agree with Rust, whichever file renders it.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { openPage, servePlayground, sessionForFile } from "./browser.mjs";

let server;
let browser;
sessionForFile(servePlayground, (session) => ({ server, browser } = session));

/** Text a person reads from a piece of the schema's HTML (labels and hints may hold <code> and the like). */
const textOf = (page, html) => page.evaluate((html) => new DOMParser().parseFromString(html, "text/html").body.textContent, html);

/** What the page rendered for each schema field, and the schema itself, from one page. */
async function renderedAndSchema(page) {
  return page.evaluate(async () => {
    // The module the page loaded (the threaded or the fallback build): importing it again gives the
    // same, initialised instance.
    const glue = playground.isolation.threads ? "../playground.js" : "../fallback/playground.js";
    const wasm = await import(new URL(glue, new URL("www/app.js", location.href)).href);
    const schema = wasm.fieldSchema();
    const { API_OPTIONS } = await import(new URL("www/api-options.js", location.href).href);
    const text = (element) => element?.textContent.replace(/\s+/g, " ").trim() ?? null;
    const rendered = {};
    for (const field of Object.values(schema).flat()) {
      const element = document.getElementById(field.id);
      if (!element) {
        rendered[field.id] = null;
        continue;
      }
      const label = element.type === "checkbox" ? element.closest("label") : document.querySelector(`label[for="${field.id}"]`);
      rendered[field.id] = {
        tag: element.tagName.toLowerCase(),
        type: element.type,
        name: element.getAttribute("name"),
        value: element.type === "checkbox" ? (element.checked ? "1" : "") : element.value,
        label: text(label),
        hint: text(document.getElementById(field.hintId)),
        describedBy: (element.getAttribute("aria-describedby") ?? "").split(" ").filter(Boolean),
        errorExists: field.errorId === null || document.getElementById(field.errorId) !== null,
        min: element.getAttribute("min"),
        max: element.getAttribute("max"),
        step: element.getAttribute("step"),
        placeholder: element.getAttribute("placeholder") ?? "",
        choices: element.tagName === "SELECT" ? [...element.options].map((o) => ({ value: o.value, label: o.textContent })) : [],
        defaultChoice: element.tagName === "SELECT" ? [...element.options].find((o) => o.defaultSelected)?.value ?? null : null,
      };
    }
    return { schema, rendered, apiOptions: API_OPTIONS, cores: navigator.hardwareConcurrency || 1 };
  });
}

/** The option kinds of api-options.js each field kind may be checked as. */
const API_KINDS = { whole: ["whole", "wholeOrNone"], decimal: ["number"], choice: ["name", "network"], check: ["boolean"], lines: ["textList"] };

describe("the form against Rust's schema", () => {
  test("every field shows the schema's label, hint, default, range, choices and message element", async () => {
    const { page, problems } = await openPage(browser, server.url);
    await page.evaluate(() => playground.ready);
    const { schema, rendered, apiOptions, cores } = await renderedAndSchema(page);
    // Sorted: WebKit's WebDriver hands objects back with their keys in another order.
    assert.deepEqual(Object.keys(schema).sort(), ["cpu", "downloads", "gallery", "processes", "server"]);
    const fields = Object.values(schema).flat();
    assert.ok(fields.length >= 25, `${fields.length} fields in the schema`);
    // Every form control of the demos is a schema field: none is written into the page by hand.
    const controls = await page.$$eval("main section .controls input, main section .controls select, main section .controls textarea", (all) => all.map((e) => e.id));
    assert.deepEqual(controls.filter((id) => !fields.some((f) => f.id === id)), [], "controls the schema does not know");
    for (const field of fields) {
      const shown = rendered[field.id];
      const where = `#${field.id}`;
      assert.ok(shown, `${where} is on the page`);
      assert.equal(shown.name, field.name, `${where} name`);
      assert.equal(shown.label, (await textOf(page, field.label)).replace(/\s+/g, " ").trim(), `${where} label`);
      // The demos add to some hints (the core check's note, the network's label); the schema's part stays.
      const hint = (await textOf(page, field.hint)).replace("your logical cores", String(cores));
      // A field without a hint has no hint element, unless its demo writes one (the server's takeaway).
      if (field.hint === "" && field.hintId === `${field.id}-hint`) assert.equal(shown.hint, null, `${where} has no hint`);
      else assert.ok(shown.hint !== null && shown.hint.includes(hint), `${where} hint: ${JSON.stringify(shown.hint)} should say ${JSON.stringify(hint)}`);
      if (field.hint !== "") assert.ok(shown.describedBy.includes(field.hintId), `${where} is described by its hint`);
      if (field.errorId !== null) assert.ok(shown.describedBy.includes(field.errorId), `${where} is described by ${field.errorId}`);
      assert.ok(shown.errorExists, `${where}'s message element #${field.errorId} exists`);
      assert.equal(shown.placeholder, field.placeholder, `${where} placeholder`);
      const tag = { choice: "select", lines: "textarea" }[field.kind] ?? "input";
      assert.equal(shown.tag, tag, `${where} element`);
      if (field.kind === "choice") {
        // The downloads demo adds each sample set's size from the manifest: the schema's label leads.
        assert.deepEqual(shown.choices.map((c) => c.value), field.choices.map((c) => c.value), `${where} choices`);
        field.choices.forEach((choice, i) => assert.ok(shown.choices[i].label.startsWith(choice.label), `${where} choice ${choice.value}: ${JSON.stringify(shown.choices[i].label)}`));
        assert.equal(shown.defaultChoice, field.default, `${where} default choice`);
      } else if (field.kind === "slider") {
        assert.deepEqual([shown.type, Number(shown.min), Number(shown.max), Number(shown.step), shown.value], ["range", field.min, field.max, field.step, field.default], `${where} range`);
      } else if (field.default !== null) {
        assert.equal(shown.value, field.default, `${where} default`);
      } else {
        // Set by the page from the device (the core count, a preset): a value the field accepts here.
        const value = Number(shown.value);
        const max = field.maxPerCore !== null ? field.maxPerCore * cores : field.max;
        assert.ok(shown.value !== "" && value >= (field.min ?? 0) && (max === null || value <= max), `${where} = ${shown.value}, outside ${field.min} to ${max}`);
      }
      if (field.api !== "") {
        const kind = apiOptions[field.api]?.[field.name];
        assert.ok(API_KINDS[field.kind]?.includes(kind), `playground.${field.api}'s option ${field.name} is checked as ${kind}, the form's ${field.kind}`);
      }
    }
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("each demo's share link carries the schema's URL keys of its filled, visible fields, numbers plainly, and leaves this device's counts out", async () => {
    const { page, problems } = await openPage(browser, server.url);
    await page.evaluate(() => playground.ready);
    const { schema } = await renderedAndSchema(page);
    for (const [demo, fields] of Object.entries(schema)) {
      await page.click(`#${demo}-share summary`);
      // The panel fills its link on its toggle event, which the browser fires after the click returns.
      await page.waitForFunction((id) => document.getElementById(id).value !== "", `${demo}-share-link`);
      const link = new URL(await page.inputValue(`#${demo}-share-link`));
      const expected = {};
      for (const field of fields) {
        const { value, visible } = await page.$eval(`#${field.id}`, (e) => ({
          value: e.type === "checkbox" ? (e.checked ? "1" : "") : e.value,
          visible: !e.closest("[hidden]"),
        }));
        // A count the page set from this device's cores (`perDevice`, untouched here) is the reader's
        // to set; a number goes without digit separators ("10,000,000" → "10000000").
        const plain = ["whole", "decimal", "slider"].includes(field.kind) ? value.replace(/[,_\s]/g, "") : value;
        if (plain !== "" && visible && !field.perDevice) expected[field.key] = plain;
      }
      const carried = Object.fromEntries([...link.searchParams].filter(([key]) => key !== "demo"));
      assert.deepEqual(carried, expected, `${demo}'s link`);
      // And a link with every key restores each field (a value the field accepts: its own).
      const reopened = await openPage(browser, `${server.url}${link.search}`);
      await reopened.page.evaluate(() => playground.ready);
      for (const field of fields.filter((f) => Object.hasOwn(expected, f.key)))
        assert.equal(await reopened.page.$eval(`#${field.id}`, (e) => (e.type === "checkbox" ? (e.checked ? "1" : "") : e.value)), expected[field.key], `${demo}: ${field.key} restored`);
      assert.deepEqual(reopened.problems, []);
      await reopened.page.close();
    }
    assert.deepEqual(problems, []);
    await page.close();
  });
});
