// Reading and writing the spiffworkflow: extension elements the engine reads. Every write goes
// through bpmn-js's modeling commands, so it can be undone and marks the diagram as changed.

import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

export function bo(element) {
  return getBusinessObject(element);
}

function extensionValues(element) {
  const ext = bo(element).extensionElements;
  return ext ? ext.get('values') : [];
}

function findExtension(element, type) {
  return extensionValues(element).find((value) => is(value, type));
}

/** The extensionElements of `element`, created when missing. */
function ensureExtensions(element, modeler) {
  const business = bo(element);
  if (!business.extensionElements) {
    const ext = modeler.get('moddle').create('bpmn:ExtensionElements', { values: [] });
    ext.$parent = business;
    modeler.get('modeling').updateProperties(element, { extensionElements: ext });
  }
  return business.extensionElements;
}

function addExtension(element, modeler, child) {
  const ext = ensureExtensions(element, modeler);
  child.$parent = ext;
  modeler.get('modeling').updateModdleProperties(element, ext, { values: [...ext.get('values'), child] });
  return child;
}

function removeExtension(element, modeler, child) {
  const ext = bo(element).extensionElements;
  const values = ext.get('values').filter((value) => value !== child);
  modeler.get('modeling').updateModdleProperties(element, ext, { values });
}

/** spiffworkflow:property values as a {name: value} object. */
export function properties(element) {
  const props = findExtension(element, 'spiffworkflow:Properties');
  const out = {};
  for (const prop of props ? props.get('properties') : []) {
    out[prop.name] = prop.value ?? '';
  }
  return out;
}

/** Set one spiffworkflow:property; an empty value removes it. */
export function setProperty(element, modeler, name, value) {
  const modeling = modeler.get('modeling');
  let props = findExtension(element, 'spiffworkflow:Properties');
  const existing = props ? props.get('properties').find((prop) => prop.name === name) : undefined;
  if (value === '' || value === undefined || value === null) {
    if (existing) {
      modeling.updateModdleProperties(element, props, {
        properties: props.get('properties').filter((prop) => prop !== existing),
      });
    }
    return;
  }
  if (existing) {
    if (existing.value !== value) modeling.updateModdleProperties(element, existing, { value });
    return;
  }
  const moddle = modeler.get('moddle');
  if (!props) props = addExtension(element, modeler, moddle.create('spiffworkflow:Properties', { properties: [] }));
  const prop = moddle.create('spiffworkflow:Property', { name, value });
  prop.$parent = props;
  modeling.updateModdleProperties(element, props, { properties: [...props.get('properties'), prop] });
}

/** The text of a body-only extension (variableName, preScript, postScript...). */
export function bodyText(element, type) {
  const found = findExtension(element, type);
  return found ? found.value || '' : '';
}

export function setBodyText(element, modeler, type, value) {
  const found = findExtension(element, type);
  if (!value) {
    if (found) removeExtension(element, modeler, found);
  } else if (found) {
    if (found.value !== value) modeler.get('modeling').updateModdleProperties(element, found, { value });
  } else {
    addExtension(element, modeler, modeler.get('moddle').create(type, { value }));
  }
}

/** {operation, resultVariable, parameters: [{id, type, value}]} of a service task. */
export function serviceOperator(element) {
  const op = findExtension(element, 'spiffworkflow:ServiceTaskOperator');
  if (!op) return { operation: '', resultVariable: '', parameters: [] };
  const list = op.parameterList ? op.parameterList.get('parameters') : [];
  return {
    operation: op.id || '',
    resultVariable: op.resultVariable || '',
    parameters: list.map((p) => ({ id: p.id || '', type: p.type || '', value: p.value || '' })),
  };
}

/** Replace the service task's operator with `spec` (one command per changed part). */
export function setServiceOperator(element, modeler, spec) {
  const moddle = modeler.get('moddle');
  const modeling = modeler.get('modeling');
  let op = findExtension(element, 'spiffworkflow:ServiceTaskOperator');
  if (!op) op = addExtension(element, modeler, moddle.create('spiffworkflow:ServiceTaskOperator', {}));
  const changes = {};
  if ((op.id || '') !== spec.operation) changes.id = spec.operation || undefined;
  if ((op.resultVariable || '') !== spec.resultVariable) changes.resultVariable = spec.resultVariable || undefined;
  const before = JSON.stringify(serviceOperator(element).parameters);
  const wanted = spec.parameters.filter((p) => p.id);
  if (before !== JSON.stringify(wanted)) {
    const list = moddle.create('spiffworkflow:Parameters', {});
    list.$parent = op;
    list.set('parameters', wanted.map((p) => {
      const param = moddle.create('spiffworkflow:Parameter', { id: p.id, type: p.type || 'str', value: p.value });
      param.$parent = list;
      return param;
    }));
    changes.parameterList = wanted.length ? list : undefined;
  }
  if (Object.keys(changes).length) modeling.updateModdleProperties(element, op, changes);
}

/** The timer definition of an event, or undefined. */
export function timerDefinition(element) {
  return (bo(element).eventDefinitions || []).find((d) => is(d, 'bpmn:TimerEventDefinition'));
}

export function messageDefinition(element) {
  return (bo(element).eventDefinitions || []).find((d) => is(d, 'bpmn:MessageEventDefinition'));
}

/** The timer's kind and expression text: {kind: 'timeDuration'|'timeDate'|'timeCycle'|'', text}. */
export function timerValue(element) {
  const ted = timerDefinition(element);
  if (!ted) return { kind: '', text: '' };
  for (const kind of ['timeDuration', 'timeDate', 'timeCycle']) {
    if (ted[kind]) return { kind, text: ted[kind].body || '' };
  }
  return { kind: '', text: '' };
}

export function setTimer(element, modeler, kind, text) {
  const ted = timerDefinition(element);
  const expression = modeler.get('moddle').create('bpmn:FormalExpression', { body: text });
  expression.$parent = ted;
  const changes = { timeDuration: undefined, timeDate: undefined, timeCycle: undefined };
  changes[kind] = expression;
  modeler.get('modeling').updateModdleProperties(element, ted, changes);
}

/** Point a send task or message throw at the message `notifica.<template>`, created when missing:
 * the engine names notifications so, and no catch event can consume them. */
export function setNotificationMessage(element, modeler, template) {
  const modeling = modeler.get('modeling');
  const definitions = modeler.getDefinitions();
  const owner = is(element, 'bpmn:SendTask') ? bo(element) : messageDefinition(element);
  if (!owner) return;
  if (!template) {
    if (owner.messageRef) modeling.updateModdleProperties(element, owner, { messageRef: undefined });
    return;
  }
  const name = `notifica.${template}`;
  let message = definitions.get('rootElements').find((root) => is(root, 'bpmn:Message') && root.name === name);
  if (!message) {
    const ids = modeler.get('moddle').ids;
    let id = `msg_notifica_${template.replace(/[^A-Za-z0-9_]/g, '_')}`;
    if (ids.assigned(id)) id = ids.nextPrefixed('msg_notifica_', {});
    message = modeler.get('moddle').create('bpmn:Message', { id, name });
    ids.claim(id, message);
    message.$parent = definitions;
    modeling.updateModdleProperties(element, definitions, {
      rootElements: [message, ...definitions.get('rootElements')],
    });
  }
  if (owner.messageRef !== message) modeling.updateModdleProperties(element, owner, { messageRef: message });
}

/** ISO 8601 duration <-> {amount, unit} for the plain words of the panel; null for anything else. */
export function parseDuration(text) {
  const match = /^\s*'(P(\d+)D|PT(\d+)H|PT(\d+)M)'\s*$/.exec(text || '');
  if (!match) return null;
  if (match[2]) return { amount: Number(match[2]), unit: 'days' };
  if (match[3]) return { amount: Number(match[3]), unit: 'hours' };
  return { amount: Number(match[4]), unit: 'minutes' };
}

export function formatDuration(amount, unit) {
  const n = Math.max(0, Math.floor(Number(amount) || 0));
  return unit === 'days' ? `'P${n}D'` : unit === 'hours' ? `'PT${n}H'` : `'PT${n}M'`;
}
