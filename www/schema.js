// Every demo's form fields come from Rust (the `fieldSchema` export, src/model/schema.rs): this file
// renders them into the page's `data-fields` containers and answers what the other scripts ask of
// the schema (a demo's URL keys, a field's range on this device). Nothing here knows one field.

/** `{ cpu: [field], downloads: [...], … }` once rendered. */
let schema = null;

/** The schema as the page rendered it (see `fieldSchema` in src/web/mod.rs). */
export function fieldSchema() {
  if (!schema) throw new Error("The form fields are not rendered yet.");
  return schema;
}

/** Replaces every `<div data-fields="group">` with the fields of that group, in the schema's order. */
export function renderFields(exported) {
  schema = exported;
  const groups = new Map();
  for (const field of Object.values(schema).flat()) {
    if (!groups.has(field.group)) groups.set(field.group, []);
    groups.get(field.group).push(renderField(field));
  }
  for (const container of document.querySelectorAll("[data-fields]")) {
    const fields = groups.get(container.dataset.fields);
    if (!fields) throw new Error(`No field belongs to the form group "${container.dataset.fields}".`);
    container.replaceWith(...fields);
    groups.delete(container.dataset.fields);
  }
  if (groups.size) throw new Error(`The page has no place for the form group "${[...groups.keys()][0]}".`);
}

/** A demo's fields for share links: URL key → element id, in the order a link restores them. */
export function urlFields(demo) {
  return Object.fromEntries(fieldSchema()[demo].map((field) => [field.key, field.id]));
}

/** The largest value `field` accepts on a device with `cores` logical cores (null: no limit). */
export function maxOf(field, cores) {
  return field.maxPerCore !== null ? field.maxPerCore * Math.max(1, cores) : field.max;
}

/** The default value of the field with this id, as the form shows it ("10,000,000"). */
export function defaultOf(id) {
  return Object.values(fieldSchema()).flat().find((field) => field.id === id)?.default;
}

function element(tag, attributes = {}) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== null && value !== "") node.setAttribute(name, value);
  return node;
}

function renderField(field) {
  const wrapper = element("div", { class: ["field", field.kind === "check" ? "field-check" : "", field.wide ? "field-wide" : ""].filter(Boolean).join(" "), id: `${field.id}-field` });
  if (field.onlyWhen) wrapper.hidden = defaultOf(field.onlyWhen.id) !== field.onlyWhen.value;
  const hasHint = field.hint !== "" || field.hintId !== `${field.id}-hint`;
  const describedBy = [hasHint ? field.hintId : "", field.errorId ?? ""].filter(Boolean).join(" ");
  const control = controlFor(field, describedBy);
  const label = element("label", field.kind === "check" ? {} : { for: field.id });
  if (field.kind === "check") label.append(control, " ");
  label.insertAdjacentHTML("beforeend", field.label);
  wrapper.append(label);
  if (field.kind !== "check") wrapper.append(control);
  if (hasHint) {
    const hint = element("small", { id: field.hintId, class: "hint" });
    hint.innerHTML = field.hint;
    wrapper.append(hint);
  }
  // A shared message element sits elsewhere in the form (one for several fields).
  if (field.errorId === `${field.id}-error`) wrapper.append(element("p", { id: field.errorId, class: "field-error", "aria-live": "polite" }));
  return wrapper;
}

function controlFor(field, describedBy) {
  const common = { id: field.id, name: field.name, "aria-describedby": describedBy };
  switch (field.kind) {
    case "choice": {
      const select = element("select", common);
      for (const choice of field.choices) select.append(new Option(choice.label, choice.value, choice.value === field.default, choice.value === field.default));
      return select;
    }
    case "check":
      return element("input", { ...common, type: "checkbox" });
    case "slider":
      return element("input", { ...common, type: "range", min: field.min, max: field.max, step: field.step, value: field.default });
    case "lines":
      return element("textarea", { ...common, rows: "4", spellcheck: "false", placeholder: field.placeholder });
    default:
      return element("input", {
        ...common,
        inputmode: field.kind === "decimal" ? "decimal" : "numeric",
        autocomplete: "off",
        value: field.default ?? "",
        placeholder: field.placeholder,
      });
  }
}
