// The form document's edits, as the visual editor makes them: plain functions changing the document in
// place. Whatever the editor does not model (patterns, descriptions, other conditions) is left untouched,
// so a power user's JSON survives the visual editor. Nothing here judges the document: the server does.

const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);

export function usable(doc) {
  // What the visual editor needs to draw the document at all; anything else is left to the JSON view.
  if (!isObject(doc) || !isObject(doc.schema) || !isObject(doc.schema.properties)) { return false; }
  const ui = doc.ui;
  if (ui !== undefined && !isObject(ui)) { return false; }
  const steps = ui && ui.steps;
  return steps === undefined || (Array.isArray(steps) && steps.every((s) => isObject(s) && Array.isArray(s.fields)));
}

function ui(doc) {
  if (!isObject(doc.ui)) { doc.ui = {}; }
  return doc.ui;
}

function uiMap(doc, key) {
  const map = ui(doc)[key];
  if (isObject(map)) { return map; }
  doc.ui[key] = {};
  return doc.ui[key];
}

function dropEmptyMap(doc, key) {
  if (isObject(doc.ui) && isObject(doc.ui[key]) && Object.keys(doc.ui[key]).length === 0) { delete doc.ui[key]; }
}

// Object keys in a new order (JSON objects keep insertion order, which is the field order without steps).
function reorder(object, keys) {
  const copy = Object.fromEntries(keys.map((key) => [key, object[key]]));
  for (const key of Object.keys(object)) { delete object[key]; }
  Object.assign(object, copy);
}

function renameKey(object, from, to) {
  if (!isObject(object) || !(from in object)) { return; }
  const keys = Object.keys(object).map((key) => (key === from ? to : key));
  object[to] = object[from];
  delete object[from];
  reorder(object, keys);
}

const replaceIn = (list, from, to) => (Array.isArray(list) ? list.map((item) => (item === from ? to : item)) : list);
const without = (list, name) => (Array.isArray(list) ? list.filter((item) => item !== name) : list);

// --- Steps -------------------------------------------------------------------------------------------

export function steps(doc) {
  // Without ui.steps the form is one step holding every field, in schema order.
  const declared = isObject(doc.ui) ? doc.ui.steps : undefined;
  if (Array.isArray(declared)) { return declared; }
  return [{ id: "modulo", title: doc.title || "", fields: Object.keys(doc.schema.properties), implicit: true }];
}

function declaredSteps(doc) {
  const found = steps(doc);
  if (found[0] && found[0].implicit) {
    ui(doc).steps = [{ id: "modulo", title: doc.title || "Modulo", fields: Object.keys(doc.schema.properties) }];
  }
  return doc.ui.steps;
}

function uniqueName(taken, stem) {
  let index = 1;
  while (taken.includes(`${stem}_${index}`)) { index += 1; }
  return `${stem}_${index}`;
}

export function addStep(doc, title) {
  const list = declaredSteps(doc);
  const id = uniqueName(list.map((s) => s.id), "passo");
  list.push({ id, title, fields: [] });
  return list.length - 1;
}

export function moveStep(doc, index, delta) {
  const list = declaredSteps(doc);
  const target = index + delta;
  if (target < 0 || target >= list.length) { return; }
  [list[index], list[target]] = [list[target], list[index]];
}

export function removeStep(doc, index) {
  // A step's fields are not lost with it: they move to the step before (or after, for the first).
  const list = declaredSteps(doc);
  if (list.length < 2) { return false; }
  const [removed] = list.splice(index, 1);
  const heir = list[Math.max(0, index - 1)];
  heir.fields.push(...(removed.fields || []));
  return true;
}

export function setStep(doc, index, key, value) {
  declaredSteps(doc)[index][key] = value;
}

// --- Fields: kinds --------------------------------------------------------------------------------------

export function kindOf(prop, widget) {
  if (!isObject(prop)) { return "other"; }
  const type = prop.type;
  if (type === "object") { return "group"; }
  if (type === "array") {
    const items = isObject(prop.items) ? prop.items : {};
    return items.format === "attachment" ? "files" : "checkboxes";
  }
  if (type === "boolean") { return prop.const === true ? "consent" : "boolean"; }
  if (type === "number") { return "number"; }
  if (type === "integer") { return "integer"; }
  if (type !== "string") { return "other"; }
  if (prop.format === "attachment") { return "file"; }
  if (prop.format === "date") { return "date"; }
  if (Array.isArray(prop.enum)) {
    if (widget === "select" || widget === "radio") { return widget; }
    return prop.enum.length <= 3 ? "radio" : "select";
  }
  if (widget === "textarea" || (!widget && (prop.maxLength || 0) > 500)) { return "textarea"; }
  return "text";
}

const KIND_KEYS = ["type", "format", "enum", "items", "const", "properties", "required", "additionalProperties",
  "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern", "default",
  "uniqueItems", "minItems", "maxItems", "multipleOf"];
const KIND_WIDGETS = { textarea: "textarea", radio: "radio", select: "select", checkboxes: "checkboxes",
  boolean: "checkbox", consent: "checkbox" };

export function choicesOf(prop) {
  if (!isObject(prop)) { return []; }
  if (Array.isArray(prop.enum)) { return prop.enum.map(String); }
  if (isObject(prop.items) && Array.isArray(prop.items.enum)) { return prop.items.enum.map(String); }
  return [];
}

export function setKind(doc, dotted, prop, kind) {
  const choices = choicesOf(prop);
  const wasGroup = prop.type === "object";
  for (const key of KIND_KEYS) { delete prop[key]; }
  const options = choices.length ? choices : ["Opzione 1", "Opzione 2"];
  const shapes = {
    text: { type: "string", maxLength: 200 },
    textarea: { type: "string", maxLength: 5000 },
    number: { type: "number" },
    integer: { type: "integer" },
    date: { type: "string", format: "date" },
    boolean: { type: "boolean" },
    consent: { type: "boolean", const: true },
    radio: { type: "string", enum: options },
    select: { type: "string", enum: options },
    checkboxes: { type: "array", items: { type: "string", enum: options }, uniqueItems: true },
    file: { type: "string", format: "attachment" },
    files: { type: "array", items: { type: "string", format: "attachment" }, uniqueItems: true, maxItems: 5 },
    group: { type: "object", additionalProperties: false, required: [], properties: {} },
  };
  Object.assign(prop, structuredClone(shapes[kind]));
  if (wasGroup && kind !== "group") { dropChildrenUi(doc, dotted); }
  const widgets = uiMap(doc, "widgets");
  if (KIND_WIDGETS[kind]) { widgets[dotted] = KIND_WIDGETS[kind]; } else { delete widgets[dotted]; }
  dropEmptyMap(doc, "widgets");
}

function dropChildrenUi(doc, dotted) {
  for (const key of ["widgets", "help"]) {
    const map = isObject(doc.ui) ? doc.ui[key] : undefined;
    if (!isObject(map)) { continue; }
    for (const name of Object.keys(map)) { if (name.startsWith(dotted + ".")) { delete map[name]; } }
  }
}

export function setChoices(prop, values) {
  if (prop.type === "array") {
    if (!isObject(prop.items)) { prop.items = { type: "string" }; }
    prop.items.enum = values;
  } else {
    prop.enum = values;
  }
}

export function setNumber(prop, key, raw) {
  const text = String(raw).trim().replace(",", ".");
  if (text === "") { delete prop[key]; return; }
  const number = Number(text);
  prop[key] = Number.isFinite(number) ? number : text;  // left as typed: the server says what is wrong
}

export function setText(prop, key, value) {
  if (value === "") { delete prop[key]; } else { prop[key] = value; }
}

export function help(doc, dotted) {
  const map = isObject(doc.ui) ? doc.ui.help : undefined;
  return isObject(map) && typeof map[dotted] === "string" ? map[dotted] : "";
}

export function setHelp(doc, dotted, text) {
  const map = uiMap(doc, "help");
  if (text.trim()) { map[dotted] = text; } else { delete map[dotted]; }
  dropEmptyMap(doc, "help");
}

export function widget(doc, dotted) {
  const map = isObject(doc.ui) ? doc.ui.widgets : undefined;
  return isObject(map) ? map[dotted] : undefined;
}

// --- Conditions: root allOf blocks {if: {properties: {X: {const: V}}, required: [X]}, then: {...}} ---------

function blocks(doc) {
  return Array.isArray(doc.schema.allOf) ? doc.schema.allOf : [];
}

function simpleTrigger(block) {
  // [trigger, value] when the block is the editor's own shape, else null.
  if (!isObject(block) || Object.keys(block).some((key) => key !== "if" && key !== "then")) { return null; }
  const test = block.if, then = block.then;
  if (!isObject(test) || !isObject(then) || !isObject(test.properties)) { return null; }
  if (Object.keys(test).some((key) => key !== "properties" && key !== "required")) { return null; }
  if (Object.keys(then).some((key) => key !== "properties" && key !== "required")) { return null; }
  const names = Object.keys(test.properties);
  if (names.length !== 1) { return null; }
  const rule = test.properties[names[0]];
  if (!isObject(rule) || Object.keys(rule).length !== 1 || !("const" in rule)) { return null; }
  const props = isObject(then.properties) ? Object.values(then.properties) : [];
  if (props.some((value) => value !== true && !(isObject(value) && Object.keys(value).length === 0))) { return null; }
  return [names[0], rule.const];
}

function mentions(branch, name) {
  if (!isObject(branch)) { return false; }
  if (Array.isArray(branch.required) && branch.required.includes(name)) { return true; }
  if (isObject(branch.properties) && name in branch.properties) { return true; }
  return Array.isArray(branch.allOf) && branch.allOf.some((item) => mentions(item, name));
}

export function conditionOf(doc, name) {
  // {trigger, value}, "advanced" (a condition the editor does not draw: edit it in the JSON), or null.
  const schema = doc.schema;
  if (mentions(schema.then, name) || mentions(schema.else, name)) { return "advanced"; }
  if (isObject(schema.dependentSchemas) && Object.values(schema.dependentSchemas).some((b) => mentions(b, name))) {
    return "advanced";
  }
  let found = null;
  for (const block of blocks(doc)) {
    if (!isObject(block) || !(mentions(block.then, name) || mentions(block.else, name))) { continue; }
    const simple = simpleTrigger(block);
    if (!simple || found) { return "advanced"; }
    found = { trigger: simple[0], value: simple[1], block };
  }
  return found;
}

export function triggers(doc) {
  // Fields other fields' conditions depend on.
  return blocks(doc).map(simpleTrigger).filter(Boolean).map(([trigger]) => trigger);
}

export function isRequired(doc, name, group) {
  if (group) { return Array.isArray(group.required) && group.required.includes(name); }
  const condition = conditionOf(doc, name);
  if (condition && condition !== "advanced") {
    return Array.isArray(condition.block.then.required) && condition.block.then.required.includes(name);
  }
  return Array.isArray(doc.schema.required) && doc.schema.required.includes(name);
}

function addTo(owner, key, name) {
  if (!Array.isArray(owner[key])) { owner[key] = []; }
  if (!owner[key].includes(name)) { owner[key].push(name); }
}

export function setRequired(doc, name, required, group) {
  if (group) {
    if (required) { addTo(group, "required", name); } else { group.required = without(group.required, name); }
    return;
  }
  const condition = conditionOf(doc, name);
  if (condition === "advanced") { return; }
  if (!condition) {
    if (required) { addTo(doc.schema, "required", name); } else { doc.schema.required = without(doc.schema.required, name); }
    return;
  }
  const then = condition.block.then;
  // An optional conditional field is still named by its branch (then.properties), so it shows only then.
  if (required) {
    addTo(then, "required", name);
    if (isObject(then.properties)) { delete then.properties[name]; }
  } else {
    then.required = without(then.required, name);
    then.properties = { ...(isObject(then.properties) ? then.properties : {}), [name]: true };
  }
  pruneBlocks(doc);
}

function pruneBlocks(doc) {
  for (const block of blocks(doc)) {
    if (!simpleTrigger(block)) { continue; }
    const then = block.then;
    if (Array.isArray(then.required) && then.required.length === 0) { delete then.required; }
    if (isObject(then.properties) && Object.keys(then.properties).length === 0) { delete then.properties; }
  }
  if (Array.isArray(doc.schema.allOf)) {
    doc.schema.allOf = doc.schema.allOf.filter((block) => !simpleTrigger(block) || Object.keys(block.then).length > 0);
    if (doc.schema.allOf.length === 0) { delete doc.schema.allOf; }
  }
}

export function setCondition(doc, name, condition) {
  const current = conditionOf(doc, name);
  if (current === "advanced") { return; }
  const required = isRequired(doc, name);
  for (const block of blocks(doc)) {
    if (!simpleTrigger(block)) { continue; }
    block.then.required = without(block.then.required, name);
    if (isObject(block.then.properties)) { delete block.then.properties[name]; }
  }
  doc.schema.required = without(doc.schema.required, name);
  if (Array.isArray(doc.schema.required) && doc.schema.required.length === 0) { delete doc.schema.required; }
  if (condition) {
    let block = blocks(doc).find((item) => {
      const simple = simpleTrigger(item);
      return simple && simple[0] === condition.trigger && JSON.stringify(simple[1]) === JSON.stringify(condition.value);
    });
    if (!block) {
      block = { if: { properties: { [condition.trigger]: { const: condition.value } }, required: [condition.trigger] },
        then: {} };
      if (!Array.isArray(doc.schema.allOf)) { doc.schema.allOf = []; }
      doc.schema.allOf.push(block);
    }
    if (required) { addTo(block.then, "required", name); } else {
      block.then.properties = { ...(isObject(block.then.properties) ? block.then.properties : {}), [name]: true };
    }
  } else if (required) {
    addTo(doc.schema, "required", name);
  }
  pruneBlocks(doc);
}

// --- Fields: add, remove, rename, move ---------------------------------------------------------------

export function addField(doc, stepIndex, group) {
  const owner = group || doc.schema;
  if (!isObject(owner.properties)) { owner.properties = {}; }
  const name = uniqueName(Object.keys(owner.properties), "campo");
  owner.properties[name] = { type: "string", title: "Nuovo campo", maxLength: 200 };
  if (!group) {
    const list = steps(doc);
    if (!list[0].implicit) { list[Math.min(stepIndex, list.length - 1)].fields.push(name); }
  }
  return name;
}

function renameInBranch(branch, from, to) {
  if (!isObject(branch)) { return; }
  branch.required = replaceIn(branch.required, from, to);
  renameKey(branch.properties, from, to);
  if (Array.isArray(branch.allOf)) { branch.allOf.forEach((item) => renameInBranch(item, from, to)); }
}

function renameUi(doc, from, to) {
  for (const key of ["widgets", "help"]) {
    const map = isObject(doc.ui) ? doc.ui[key] : undefined;
    if (!isObject(map)) { continue; }
    for (const name of Object.keys(map)) {
      if (name === from) { renameKey(map, from, to); }
      else if (name.startsWith(from + ".")) { renameKey(map, name, to + name.slice(from.length)); }
    }
  }
}

export function renameField(doc, from, to, group, groupName) {
  const owner = group || doc.schema;
  if (!to || from === to || to in owner.properties) { return false; }
  renameKey(owner.properties, from, to);
  owner.required = replaceIn(owner.required, from, to);
  if (group) {
    renameUi(doc, `${groupName}.${from}`, `${groupName}.${to}`);
    return true;
  }
  renameUi(doc, from, to);
  for (const step of steps(doc)) { if (!step.implicit) { step.fields = replaceIn(step.fields, from, to); } }
  const schema = doc.schema;
  [schema, ...blocks(doc)].forEach((block) => {
    if (!isObject(block)) { return; }
    ["if", "then", "else"].forEach((key) => renameInBranch(block[key], from, to));
  });
  if (isObject(schema.dependentSchemas)) { renameKey(schema.dependentSchemas, from, to); }
  return true;
}

export function removeField(doc, name, group, groupName) {
  const owner = group || doc.schema;
  delete owner.properties[name];
  owner.required = without(owner.required, name);
  const dotted = group ? `${groupName}.${name}` : name;
  for (const key of ["widgets", "help"]) {
    const map = isObject(doc.ui) ? doc.ui[key] : undefined;
    if (isObject(map)) { delete map[dotted]; }
    dropEmptyMap(doc, key);
  }
  dropChildrenUi(doc, dotted);
  if (group) { return; }
  if (Array.isArray(doc.schema.required) && doc.schema.required.length === 0) { delete doc.schema.required; }
  for (const step of steps(doc)) { if (!step.implicit) { step.fields = without(step.fields, name); } }
  for (const block of blocks(doc)) {
    if (!simpleTrigger(block)) { continue; }
    block.then.required = without(block.then.required, name);
    if (isObject(block.then.properties)) { delete block.then.properties[name]; }
  }
  pruneBlocks(doc);
}

export function moveField(doc, name, delta, group) {
  // Within its step (or, without steps and inside a group, in the schema's order).
  const list = steps(doc);
  if (group || list[0].implicit) {
    const owner = group || doc.schema;
    const keys = Object.keys(owner.properties);
    const index = keys.indexOf(name), target = index + delta;
    if (target < 0 || target >= keys.length) { return; }
    [keys[index], keys[target]] = [keys[target], keys[index]];
    reorder(owner.properties, keys);
    return;
  }
  const step = list.find((s) => s.fields.includes(name));
  const index = step.fields.indexOf(name), target = index + delta;
  if (target < 0 || target >= step.fields.length) { return; }
  [step.fields[index], step.fields[target]] = [step.fields[target], step.fields[index]];
}

export function moveToStep(doc, name, stepIndex) {
  const list = declaredSteps(doc);
  for (const step of list) { step.fields = without(step.fields, name); }
  list[stepIndex].fields.push(name);
}
