// The form editor: a visual editor and a raw JSON view of one form document, kept in sync, and a live
// preview the server draws with the citizen's own templates. The browser judges nothing: the preview,
// "Prova la validazione" and saving all ask the server, which answers with its messages.
import * as model from "./form-editor-model.js";

const root = document.getElementById("editor-modulo");
const T = JSON.parse(root.dataset.texts);
const KINDS = JSON.parse(root.dataset.kinds);
const FORMATS = JSON.parse(root.dataset.formats).filter((f) => f.value !== "date" && f.value !== "attachment");
const editable = root.dataset.editable === "1";
const textarea = document.getElementById("fe-json");
const visual = document.getElementById("fe-visuale");
const status = document.getElementById("fe-stato");
const previewBox = document.getElementById("fe-anteprima");
const stepChoice = document.getElementById("fe-passo");
let revision = Number(root.dataset.revision);
let doc = null;
let savedText = textarea.value;
const open = new Set();  // the fields whose details are open, kept across redraws

// --- Small DOM helpers -----------------------------------------------------------------------------------

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) { continue; }
    if (key === "class") { el.className = value; } else if (key === "text") { el.textContent = value; } else
    if (key.startsWith("on")) { el.addEventListener(key.slice(2), value); } else { el.setAttribute(key, value === true ? "" : value); }
  }
  for (const child of children.flat()) { if (child !== null && child !== undefined && child !== false) { el.append(child); } }
  return el;
}

const hidden = (text) => h("span", { class: "visually-hidden", text });
const safeId = (text) => String(text).replace(/[^A-Za-z0-9_-]/g, "-");

function input(id, label, value, onchange, extra = {}) {
  return h("div", { class: "form-group mb-3" },
    h("label", { for: id, class: "active", text: label }),
    h("input", { id, class: "form-control", type: "text", value: value ?? "", ...extra,
      oninput: (event) => onchange(event.target.value, false),
      onchange: (event) => onchange(event.target.value, true) }));
}

function select(id, label, options, value, onchange) {
  return h("div", { class: "select-wrapper mb-3" },
    h("label", { for: id, text: label }),
    h("select", { id, onchange: (event) => onchange(event.target.value) },
      options.map((o) => h("option", { value: o.value, selected: String(o.value) === String(value), text: o.label }))));
}

function checkbox(id, label, checked, onchange) {
  return h("div", { class: "form-check mb-3" },
    h("input", { id, class: "form-check-input", type: "checkbox", checked, onchange: (e) => onchange(e.target.checked) }),
    h("label", { for: id, class: "form-check-label", text: label }));
}

function button(text, context, onclick, cls = "btn btn-outline-primary btn-xs me-1 mb-1") {
  return h("button", { type: "button", class: cls, onclick }, text, context ? hidden(" " + context) : null);
}

function say(text, kind = "info") {
  status.replaceChildren(h("div", { class: `alert alert-${kind} mb-3`, role: kind === "danger" ? "alert" : "status", text }));
}

// --- Keeping the JSON text, the visual editor and the preview together ------------------------------------

function changed(redraw) {
  // Every visual edit lands in the JSON text at once; the preview follows, debounced.
  textarea.value = JSON.stringify(doc, null, 2);
  markDirty();
  if (redraw) { drawVisual(); } else { refreshStepChoice(); }
  schedulePreview();
}

function markDirty() {
  const dirty = textarea.value !== savedText;
  root.dataset.dirty = dirty ? "1" : "";
  document.getElementById("fe-modifiche").textContent = dirty ? T.unsaved : "";
}

function readText() {
  try {
    doc = JSON.parse(textarea.value);
  } catch {
    doc = null;
  }
}

textarea.addEventListener("input", () => {
  readText();
  markDirty();
  drawVisual();
  schedulePreview();
});

// --- The visual editor --------------------------------------------------------------------------------

function drawVisual() {
  const focused = document.activeElement && visual.contains(document.activeElement) ? document.activeElement.id : null;
  if (!doc || !model.usable(doc)) {
    visual.replaceChildren(h("div", { class: "alert alert-warning", role: "status", text: doc ? T.not_drawable : T.bad_json }));
    return;
  }
  const box = h("fieldset", { disabled: !editable }, h("legend", { class: "visually-hidden", text: T.visual }));
  box.append(input("fe-titolo", T.form_title, doc.title, (value) => { doc.title = value; changed(false); }));
  const steps = model.steps(doc);
  steps.forEach((step, index) => box.append(drawStep(step, index, steps)));
  box.append(button(T.add_step, null, () => {
    const index = model.addStep(doc, T.new_step);
    changed(true);
    document.getElementById(`fe-passo-${index}-titolo`)?.focus();
  }, "btn btn-outline-primary btn-sm"));
  visual.replaceChildren(box);
  if (focused) { document.getElementById(focused)?.focus(); }
  refreshStepChoice();
}

function drawStep(step, index, steps) {
  const card = h("div", { class: "card card-bg mb-4 fe-passo" });
  const body = h("div", { class: "card-body" });
  const name = step.title || step.id;
  body.append(h("h3", { class: "h5", text: step.implicit ? T.single_step : `${T.step} ${index + 1}: ${name}` }));
  if (!step.implicit) {
    body.append(
      input(`fe-passo-${index}-titolo`, T.step_title, step.title, (v) => { model.setStep(doc, index, "title", v); changed(false); }),
      input(`fe-passo-${index}-id`, T.step_id, step.id, (v) => { model.setStep(doc, index, "id", v); changed(false); }),
      h("div", { class: "mb-3" },
        button(T.up, name, () => { model.moveStep(doc, index, -1); changed(true); }),
        button(T.down, name, () => { model.moveStep(doc, index, 1); changed(true); }),
        steps.length > 1 ? button(T.remove_step, name, () => {
          model.removeStep(doc, index);
          changed(true);
          say(T.step_removed);
        }) : null));
  }
  const list = h("ol", { class: "list-unstyled fe-campi" });
  for (const fieldName of step.fields) {
    if (fieldName in doc.schema.properties) { list.append(h("li", {}, drawField(fieldName, null, null, steps, index))); }
  }
  body.append(list, button(T.add_field, step.implicit ? null : name, () => {
    const added = model.addField(doc, index, null);
    open.add(added);
    changed(true);
    document.getElementById(`fe-c-${safeId(added)}-chiave`)?.focus();
  }, "btn btn-primary btn-sm"));
  card.append(body);
  return card;
}

function drawField(fieldName, group, groupName, steps, stepIndex) {
  const owner = group || doc.schema;
  const prop = owner.properties[fieldName];
  const dotted = group ? `${groupName}.${fieldName}` : fieldName;
  const id = `fe-c-${safeId(dotted)}`;
  const kind = model.kindOf(prop, model.widget(doc, dotted));
  const kindLabel = (KINDS.find((k) => k.value === kind) || { label: T.other_kind }).label;
  const label = (prop && prop.title) || fieldName;
  const details = h("details", { class: "fe-campo mb-2", open: open.has(dotted),
    ontoggle: (event) => { if (event.target.open) { open.add(dotted); } else { open.delete(dotted); } } });
  const title = h("strong", { text: label });
  details.append(h("summary", {}, title, ` (${fieldName}) – ${kindLabel}`));
  const body = h("div", { class: "p-2" });
  body.append(
    input(`${id}-chiave`, T.key, fieldName, (value, done) => {
      if (!done) { return; }
      if (model.renameField(doc, fieldName, value.trim(), group, groupName)) {
        open.delete(dotted);
        open.add(group ? `${groupName}.${value.trim()}` : value.trim());
        changed(true);
        document.getElementById(`fe-c-${safeId(group ? `${groupName}.${value.trim()}` : value.trim())}-chiave`)?.focus();
      } else if (value.trim() !== fieldName) {
        say(T.key_taken, "warning");
      }
    }, { "aria-describedby": `${id}-chiave-aiuto` }),
    h("small", { id: `${id}-chiave-aiuto`, class: "form-text d-block mb-3", text: T.key_help }));
  if (kind === "other") {
    body.append(h("p", { class: "small", text: T.other_help }));
  } else {
    body.append(
      select(`${id}-tipo`, T.kind, KINDS.filter((k) => !group || k.value !== "group"), kind, (value) => {
        model.setKind(doc, dotted, prop, value);
        changed(true);
      }),
      input(`${id}-etichetta`, T.label, prop.title, (value) => {
        model.setText(prop, "title", value);
        title.textContent = value || fieldName;
        changed(false);
      }),
      input(`${id}-aiuto`, T.help, model.help(doc, dotted), (value) => { model.setHelp(doc, dotted, value); changed(false); }));
    if (kind !== "consent") {
      body.append(checkbox(`${id}-obbligatorio`, T.required, model.isRequired(doc, fieldName, group), (value) => {
        model.setRequired(doc, fieldName, value, group);
        changed(true);
      }));
    }
    body.append(...kindDetails(kind, prop, id, dotted));
  }
  if (!group) { body.append(...conditionEditor(fieldName, id)); }
  if (kind === "group") { body.append(drawChildren(fieldName, prop)); }
  const moves = h("div", { class: "mt-2" },
    button(T.up, label, () => { model.moveField(doc, fieldName, -1, group); changed(true); }),
    button(T.down, label, () => { model.moveField(doc, fieldName, 1, group); changed(true); }),
    button(T.remove_field, label, () => {
      if (!group && model.triggers(doc).includes(fieldName)) { say(T.remove_trigger, "warning"); return; }
      model.removeField(doc, fieldName, group, groupName);
      open.delete(dotted);
      changed(true);
      say(`${T.field_removed}: ${label}`);
    }));
  body.append(moves);
  if (!group && !steps[0].implicit && steps.length > 1) {
    body.append(select(`${id}-passo`, T.move_to_step, steps.map((s, i) => ({ value: i, label: s.title || s.id })),
      stepIndex, (value) => { model.moveToStep(doc, fieldName, Number(value)); changed(true); }));
  }
  details.append(body);
  return details;
}

function kindDetails(kind, prop, id, dotted) {
  const parts = [];
  if (kind === "text") {
    parts.push(select(`${id}-formato`, T.format, [{ value: "", label: T.no_format }, ...FORMATS], prop.format || "",
      (value) => { model.setText(prop, "format", value); changed(true); }));
  }
  if (kind === "text" || kind === "textarea") {
    parts.push(limits(prop, id, [["minLength", T.min_length], ["maxLength", T.max_length]]));
  }
  if (kind === "number" || kind === "integer") {
    parts.push(limits(prop, id, [["minimum", T.minimum], ["maximum", T.maximum]]));
  }
  if (kind === "files") { parts.push(limits(prop, id, [["maxItems", T.max_files]])); }
  if (kind === "radio" || kind === "select" || kind === "checkboxes") {
    const choices = model.choicesOf(prop);
    parts.push(h("div", { class: "form-group mb-3" },
      h("label", { for: `${id}-scelte`, class: "active", text: T.choices }),
      h("textarea", { id: `${id}-scelte`, class: "form-control", rows: Math.max(3, choices.length + 1),
        "aria-describedby": `${id}-scelte-aiuto`,
        onchange: (event) => {
          model.setChoices(prop, event.target.value.split("\n").map((v) => v.trim()).filter(Boolean));
          changed(true);
        } }, choices.join("\n")),
      h("small", { id: `${id}-scelte-aiuto`, class: "form-text d-block", text: T.choices_help })));
  }
  if (kind === "file" || kind === "files") { parts.push(h("p", { class: "small", text: T.file_help })); }
  return parts;
}

function limits(prop, id, keys) {
  return h("div", { class: "row" }, keys.map(([key, label]) => h("div", { class: "col-6" },
    input(`${id}-${key}`, label, prop[key] ?? "", (value) => { model.setNumber(prop, key, value); changed(false); },
      { inputmode: "decimal" }))));
}

function conditionEditor(fieldName, id) {
  const condition = model.conditionOf(doc, fieldName);
  if (condition === "advanced") { return [h("p", { class: "small", text: T.advanced_condition })]; }
  const others = Object.keys(doc.schema.properties).filter((name) => {
    const kind = model.kindOf(doc.schema.properties[name], model.widget(doc, name));
    return name !== fieldName && !["group", "file", "files", "checkboxes", "other"].includes(kind);
  });
  const parts = [h("h4", { class: "h6 mt-3", text: T.condition })];
  parts.push(select(`${id}-quando`, T.show_when, [{ value: "", label: T.always }, ...others.map((name) => ({
    value: name, label: doc.schema.properties[name].title || name }))], condition ? condition.trigger : "", (value) => {
    model.setCondition(doc, fieldName, value ? { trigger: value, value: firstValue(value) } : null);
    changed(true);
  }));
  if (condition) {
    const trigger = doc.schema.properties[condition.trigger];
    const choices = model.choicesOf(trigger);
    const setValue = (value) => { model.setCondition(doc, fieldName, { trigger: condition.trigger, value }); changed(true); };
    if (trigger && trigger.type === "boolean") {
      parts.push(select(`${id}-valore`, T.has_value, [{ value: "true", label: T.yes }, { value: "false", label: T.no }],
        String(condition.value), (v) => setValue(v === "true")));
    } else if (choices.length) {
      parts.push(select(`${id}-valore`, T.has_value, choices.map((c) => ({ value: c, label: c })), condition.value,
        setValue));
    } else {
      const numeric = trigger && (trigger.type === "number" || trigger.type === "integer");
      parts.push(input(`${id}-valore`, T.has_value, condition.value, (v, done) => {
        if (done) { setValue(numeric && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : v); }
      }));
    }
  }
  return parts;
}

function firstValue(trigger) {
  const prop = doc.schema.properties[trigger];
  if (prop && prop.type === "boolean") { return true; }
  return model.choicesOf(prop)[0] ?? "";
}

function drawChildren(groupName, group) {
  const box = h("div", { class: "border-start ps-3 mt-3" }, h("h4", { class: "h6", text: T.section_fields }));
  const list = h("ol", { class: "list-unstyled" });
  for (const child of Object.keys(group.properties || {})) { list.append(h("li", {}, drawField(child, group, groupName))); }
  box.append(list, button(T.add_section_field, group.title || groupName, () => {
    const added = model.addField(doc, 0, group);
    open.add(`${groupName}.${added}`);
    changed(true);
  }, "btn btn-outline-primary btn-sm"));
  return box;
}

// --- The preview ------------------------------------------------------------------------------------------

let timer = null;
let inFlight = null;

function refreshStepChoice() {
  const chosen = stepChoice.value;
  const options = [h("option", { value: "", text: T.all_steps })];
  if (doc && model.usable(doc)) {
    for (const step of model.steps(doc)) {
      if (!step.implicit) { options.push(h("option", { value: step.id, selected: step.id === chosen, text: step.title || step.id })); }
    }
  }
  stepChoice.replaceChildren(...options);
}

stepChoice.addEventListener("change", () => requestPreview(false));

function schedulePreview() {
  window.clearTimeout(timer);
  timer = window.setTimeout(() => requestPreview(false), 400);
}

function answers() {
  const form = document.getElementById("fe-prova");
  if (!form) { return []; }
  // Files stay in the browser: the preview never uploads anything.
  return [...new FormData(form).entries()].filter(([, value]) => typeof value === "string");
}

async function requestPreview(validate) {
  window.clearTimeout(timer);
  if (inFlight) { inFlight.abort(); }
  const controller = new AbortController();
  inFlight = controller;
  const focused = document.activeElement && previewBox.contains(document.activeElement) ? document.activeElement.id : null;
  previewBox.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(root.dataset.previewUrl, {
      method: "POST", signal: controller.signal, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": root.dataset.csrf, Accept: "text/html" },
      body: JSON.stringify({ text: textarea.value, step: stepChoice.value || null, answers: answers(), validate }),
    });
    const html = await response.text();
    if (controller !== inFlight) { return; }
    previewBox.innerHTML = html;  // the server's own rendering, escaped by its templates
    const summary = validate ? document.getElementById("error-summary") : null;
    if (summary) { summary.focus(); } else if (focused) { document.getElementById(focused)?.focus(); }
  } catch (error) {
    if (error.name !== "AbortError") { previewBox.replaceChildren(h("div", { class: "alert alert-danger", role: "alert", text: T.preview_failed })); }
  } finally {
    if (controller === inFlight) { inFlight = null; previewBox.setAttribute("aria-busy", "false"); }
  }
}

// The preview's own form: a change redraws it (conditional sections), a submit asks for its errors.
previewBox.addEventListener("change", (event) => {
  if (event.target.closest("#fe-prova")) { requestPreview(false); }
});
previewBox.addEventListener("submit", (event) => {
  event.preventDefault();
  requestPreview(true);
});

// --- Saving ----------------------------------------------------------------------------------------------

async function save() {
  const button = document.getElementById("fe-salva");
  button.disabled = true;
  const text = textarea.value;
  try {
    const response = await fetch(root.dataset.saveUrl, {
      method: "PUT", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": root.dataset.csrf, Accept: "application/json" },
      body: JSON.stringify({ text, revision }),
    });
    const answer = await response.json().catch(() => ({}));
    if (response.ok) {
      revision = answer.revision;
      root.dataset.revision = String(revision);
      savedText = text;
      markDirty();
      say(answer.message || T.saved, "success");
    } else {
      say(answer.error || T.save_failed, "danger");
    }
  } catch {
    say(T.save_failed, "danger");
  } finally {
    button.disabled = false;
  }
}

document.getElementById("fe-salva")?.addEventListener("click", save);
window.addEventListener("beforeunload", (event) => {
  if (root.dataset.dirty) { event.preventDefault(); }
});

readText();
drawVisual();
requestPreview(false);
