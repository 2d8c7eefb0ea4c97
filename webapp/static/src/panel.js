// Our properties panel: plain labelled form controls for the properties the engine reads, in
// Italian, usable with the keyboard alone. Lists come from the workshop's choices (never free text
// where a list exists); each change is one modeling command, applied on `change`.

import { is } from 'bpmn-js/lib/util/ModelUtil';

import {
  bo, bodyText, formatDuration, parseDuration, properties, serviceOperator, setBodyText,
  setNotificationMessage, setProperty, setServiceOperator, setTimer, timerDefinition, timerValue,
} from './extensions.js';
import { t } from './i18n.js';

let counter = 0;

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) el.append(child);
  }
  return el;
}

function fieldId(key) {
  counter += 1;
  return `wk-${key}-${counter}`;
}

function hint(id, text) {
  return text ? h('small', { id, class: 'form-text' }, text) : null;
}

function textField(key, label, value, onChange, { help, multiline, readonly, type } = {}) {
  const id = fieldId(key);
  const helpId = help ? `${id}-help` : undefined;
  const input = multiline
    ? h('textarea', { id, class: 'form-control', rows: 4, 'aria-describedby': helpId, readonly, 'data-key': key })
    : h('input', { id, class: 'form-control', type: type || 'text', 'aria-describedby': helpId, readonly, 'data-key': key });
  input.value = value ?? '';
  if (!readonly) input.addEventListener('change', () => onChange(input.value.trim()));
  return h('div', { class: 'wk-field' }, h('label', { for: id, text: label }), input, hint(helpId, help));
}

/** A select over `options` ({value, label}); `extra` adds options after them (e.g. "other…"). */
function selectField(key, label, value, options, onChange, { none, extra = [], readonly, help } = {}) {
  const id = fieldId(key);
  const helpId = help ? `${id}-help` : undefined;
  const select = h('select', { id, class: 'form-select', disabled: readonly, 'aria-describedby': helpId, 'data-key': key });
  if (none !== undefined) select.append(h('option', { value: '', text: none }));
  for (const option of [...options, ...extra]) {
    select.append(h('option', { value: option.value, text: option.label || option.value }));
  }
  select.value = value;
  if (select.value !== value) {
    // a value the lists do not know (an old draft, an upload): keep it visible, never drop it silently
    select.append(h('option', { value, text: value }));
    select.value = value;
  }
  select.addEventListener('change', () => onChange(select.value));
  return h('div', { class: 'wk-field' }, h('label', { for: id, text: label }), select, hint(helpId, help));
}

const OTHER = '__other__';

/** A select with a free-text companion for values outside the list (status codes, expressions). */
function selectOrFree(key, label, value, options, onChange, { none, otherLabel, freeLabel, readonly, toFree, fromFree }) {
  const known = options.some((o) => o.value === value);
  const free = value !== '' && !known;
  const wrap = h('div', { class: 'wk-group' });
  const freeField = textField(`${key}-free`, freeLabel, free ? toFree(value) : '', (text) => onChange(fromFree(text)),
    { readonly });
  freeField.hidden = !free;
  const select = selectField(key, label, free ? OTHER : value, options, (chosen) => {
    freeField.hidden = chosen !== OTHER;
    if (chosen === OTHER) freeField.querySelector('input').focus();
    else onChange(chosen);
  }, { none, extra: [{ value: OTHER, label: otherLabel }], readonly });
  wrap.append(select, freeField);
  return wrap;
}

function fieldset(legend, ...children) {
  return h('fieldset', { class: 'wk-fieldset' }, h('legend', { text: legend }), ...children);
}

export class Panel {
  constructor(root, modeler, choices, { readonly = false } = {}) {
    this.root = root;
    this.modeler = modeler;
    this.choices = choices;
    this.readonly = readonly;
    this.element = null;
    this.body = h('div', { class: 'wk-panel-body' });
    this.root.append(this.body);
    modeler.on('selection.changed', ({ newSelection }) => this.show(newSelection.length === 1 ? newSelection[0] : null));
    modeler.on('elements.changed', ({ elements }) => {
      // Redraw after an undo or a change on the canvas, but not under the user's cursor.
      if (this.element && elements.includes(this.element) && !this.root.contains(document.activeElement)) {
        this.show(this.element);
      }
    });
    this.show(null);
  }

  list(name) {
    return this.choices[name] || [];
  }

  show(element) {
    this.element = element && element.type !== 'label' ? element : element && element.labelTarget;
    this.body.replaceChildren(...(this.element ? this.fields(this.element) : [h('p', { text: t('panelEmpty') })]));
  }

  fields(element) {
    const m = this.modeler;
    const business = bo(element);
    const ro = this.readonly;
    const type = t('types')[business.$type] || business.$type.replace('bpmn:', '');
    const out = [
      h('h3', { class: 'h6', id: 'wk-panel-title', text: `${type}: ${business.name || business.id}` }),
      textField('id', t('id'), business.id, () => {}, { readonly: true }),
    ];
    if (!is(element, 'bpmn:Process')) {
      out.push(textField('name', t('name'), business.name || '', (name) => m.get('modeling').updateLabel(element, name || null),
        { readonly: ro }));
    }
    const props = properties(element);
    const set = (name) => (value) => setProperty(element, m, name, value);

    if (is(element, 'bpmn:UserTask')) {
      out.push(this.statusField(props.status || '', set('status')));
      out.push(selectField('form', t('form'), props.form || '', this.list('forms'), set('form'),
        { none: t('formNone'), readonly: ro }));
      out.push(selectOrFree('candidate', t('candidate'), props.candidate || '', this.list('candidates'), set('candidate'), {
        none: t('candidateNone'), otherLabel: t('candidateExpr'), freeLabel: t('candidateFree'), readonly: ro,
        toFree: (v) => v.replace(/^=/, ''), fromFree: (v) => (v ? `=${v.replace(/^=/, '')}` : ''),
      }));
      out.push(textField('actions', t('actions'), props.actions || '',
        (v) => set('actions')(v.split(',').map((a) => a.trim()).filter(Boolean).join(',')),
        { help: t('actionsHint'), readonly: ro }));
      out.push(textField('variable', t('variable'), bodyText(element, 'spiffworkflow:VariableName'),
        (v) => setBodyText(element, m, 'spiffworkflow:VariableName', v), { help: t('variableHint'), readonly: ro }));
    }
    const notifies = is(element, 'bpmn:SendTask')
      || (is(element, 'bpmn:IntermediateThrowEvent') && (business.eventDefinitions || []).some((d) => is(d, 'bpmn:MessageEventDefinition')));
    if (notifies) {
      out.push(selectField('template', t('template'), props.template || '', this.list('templates'), (v) => {
        setProperty(element, m, 'template', v);
        setNotificationMessage(element, m, v);
      }, { none: t('templateNone'), readonly: ro }));
      const recipients = this.list('candidates').filter((c) => c.value !== 'cittadino');
      out.push(selectField('to', t('to'), props.to || 'cittadino',
        [{ value: 'cittadino', label: this.label('candidates', 'cittadino') }, ...recipients],
        (v) => set('to')(v === 'cittadino' ? '' : v), { readonly: ro }));
    }
    if (is(element, 'bpmn:ServiceTask')) out.push(this.serviceFields(element));
    if (is(element, 'bpmn:CallActivity')) {
      out.push(selectField('fragment', t('fragment'), business.calledElement || '', this.list('fragments'),
        (v) => m.get('modeling').updateProperties(element, { calledElement: v || undefined }),
        { none: t('fragmentNone'), readonly: ro }));
    }
    if (is(element, 'bpmn:ScriptTask')) {
      out.push(textField('script', t('script'), business.script || '',
        (v) => m.get('modeling').updateProperties(element, { script: v || undefined, scriptFormat: business.scriptFormat || 'python' }),
        { multiline: true, readonly: ro }));
    }
    if (is(element, 'bpmn:EndEvent')) out.push(this.statusField(props.status || '', set('status')));
    if (timerDefinition(element)) out.push(this.timerFields(element));
    if (is(element, 'bpmn:BoundaryEvent')) {
      const id = fieldId('interrupting');
      const box = h('input', { id, type: 'checkbox', class: 'form-check-input', disabled: ro, 'data-key': 'interrupting' });
      box.checked = business.cancelActivity !== false;
      box.addEventListener('change', () => m.get('modeling').updateProperties(element, { cancelActivity: box.checked }));
      out.push(h('div', { class: 'form-check wk-field' }, box, h('label', { for: id, class: 'form-check-label', text: t('interrupting') })));
    }
    if (is(element, 'bpmn:SequenceFlow') && (is(business.sourceRef, 'bpmn:ExclusiveGateway') || is(business.sourceRef, 'bpmn:InclusiveGateway'))) {
      const isDefault = business.sourceRef.default === business;
      if (!isDefault) {
        const current = business.conditionExpression ? business.conditionExpression.body || '' : '';
        out.push(textField('condition', t('condition'), current, (v) => {
          const expression = v ? m.get('moddle').create('bpmn:FormalExpression', { body: v }) : undefined;
          m.get('modeling').updateProperties(element, { conditionExpression: expression });
        }, { help: t('conditionHint'), readonly: ro }));
      }
    }
    if (is(element, 'bpmn:ExclusiveGateway') || is(element, 'bpmn:InclusiveGateway')) {
      const flows = business.outgoing || [];
      const options = flows.map((f) => ({ value: f.id, label: `${f.name || f.id} → ${(f.targetRef && (f.targetRef.name || f.targetRef.id)) || ''}` }));
      out.push(selectField('default', t('defaultFlow'), business.default ? business.default.id : '', options, (v) => {
        const flow = flows.find((f) => f.id === v);
        const changes = { default: flow || undefined };
        m.get('modeling').updateProperties(element, changes);
        if (flow && flow.conditionExpression) {
          m.get('modeling').updateProperties(m.get('elementRegistry').get(flow.id), { conditionExpression: undefined });
        }
      }, { none: t('defaultNone'), readonly: ro }));
    }
    return out;
  }

  label(list, value) {
    const found = this.list(list).find((o) => o.value === value);
    return found ? found.label : value;
  }

  statusField(value, onChange) {
    return selectOrFree('status', t('status'), value, this.list('statuses'), onChange, {
      none: t('statusNone'), otherLabel: t('statusOther'), freeLabel: t('statusFree'), readonly: this.readonly,
      toFree: (v) => v, fromFree: (v) => v,
    });
  }

  serviceFields(element) {
    const m = this.modeler;
    const ro = this.readonly;
    const spec = serviceOperator(element);
    const save = () => setServiceOperator(element, m, spec);
    const rows = h('ul', { class: 'list-unstyled wk-params' });
    const drawRows = () => {
      rows.replaceChildren(...spec.parameters.map((param, index) => {
        const name = textField('param-name', t('paramName'), param.id, (v) => { param.id = v; save(); }, { readonly: ro });
        const value = textField('param-value', t('paramValue'), param.value, (v) => { param.value = v; save(); }, { readonly: ro });
        const remove = ro ? null : h('button', {
          type: 'button', class: 'btn btn-outline-secondary btn-xs', text: '×',
          'aria-label': t('paramRemove', { name: param.id || index + 1 }),
          onclick: () => { spec.parameters.splice(index, 1); save(); drawRows(); },
        });
        return h('li', { class: 'wk-param' }, name, value, remove);
      }));
    };
    drawRows();
    const add = ro ? null : h('button', {
      type: 'button', class: 'btn btn-outline-primary btn-sm', text: t('paramAdd'),
      onclick: () => {
        spec.parameters.push({ id: '', type: 'str', value: '' });
        drawRows();
        rows.querySelector('li:last-child input').focus();
      },
    });
    return h('div', {},
      selectField('operation', t('operation'), spec.operation, this.list('operations'),
        (v) => { spec.operation = v; save(); }, { none: t('operationNone'), readonly: ro }),
      textField('result', t('result'), spec.resultVariable, (v) => { spec.resultVariable = v; save(); }, { readonly: ro }),
      fieldset(t('parameters'), rows, add));
  }

  timerFields(element) {
    const m = this.modeler;
    const ro = this.readonly;
    const { kind, text } = timerValue(element);
    const plain = kind === '' || (kind === 'timeDuration' && parseDuration(text));
    if (!plain) {
      return textField('timer-expr', t('timerExpr'), text, (v) => setTimer(element, m, kind, v),
        { help: t('timerExprHint'), readonly: ro });
    }
    const current = parseDuration(text) || { amount: '', unit: 'days' };
    const amountId = fieldId('timer-amount');
    const unitId = fieldId('timer-unit');
    const helpId = `${amountId}-help`;
    const amount = h('input', { id: amountId, type: 'number', min: '0', step: '1', class: 'form-control', readonly: ro,
      'aria-describedby': helpId, 'data-key': 'timer-amount' });
    amount.value = current.amount;
    const unit = h('select', { id: unitId, class: 'form-select', disabled: ro, 'data-key': 'timer-unit' },
      ...['days', 'hours', 'minutes'].map((u) => h('option', { value: u, text: t(u) })));
    unit.value = current.unit;
    const write = () => { if (amount.value !== '') setTimer(element, m, 'timeDuration', formatDuration(amount.value, unit.value)); };
    amount.addEventListener('change', write);
    unit.addEventListener('change', write);
    return fieldset(t('timer'),
      h('div', { class: 'wk-inline' },
        h('div', { class: 'wk-field' }, h('label', { for: amountId, text: t('timerAmount') }), amount),
        h('div', { class: 'wk-field' }, h('label', { for: unitId, text: t('timerUnit') }), unit)),
      hint(helpId, t('timerHint')));
  }
}
