// The workshop's BPMN modeller page: bpmn-js with our panel, quick lint, save to the server (whose
// check is the authority) and BPMN download/upload. Managers get the same page read-only, on the
// navigated viewer. Everything is configured by data- attributes of #wk-modeller (no inline script).

import Modeler from 'bpmn-js/lib/Modeler';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';

import { t, translateModule } from './i18n.js';
import { createLinter } from './lint.js';
import { withDiagram } from './layout.js';
import { Panel } from './panel.js';
import { Problems } from './problems.js';
import spiffworkflow from './spiffworkflow.json';

const APPENDABLE = ['bpmn:UserTask', 'bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:ScriptTask', 'bpmn:CallActivity',
  'bpmn:ExclusiveGateway', 'bpmn:ParallelGateway', 'bpmn:InclusiveGateway', 'bpmn:EndEvent'];

function json(text, fallback) {
  try {
    return text ? JSON.parse(text) : fallback;
  } catch (error) {
    return fallback;
  }
}

class WorkshopModeller {
  constructor(root) {
    this.root = root;
    this.readonly = root.dataset.readonly === 'true';
    this.revision = Number(root.dataset.revision || 0);
    this.choices = json(root.dataset.choices, {});
    this.status = root.querySelector('#wk-status');
    this.dirty = false;
    const Kind = this.readonly ? NavigatedViewer : Modeler;
    this.modeler = new Kind({
      container: root.querySelector('#wk-canvas'),
      moddleExtensions: { spiffworkflow },
      additionalModules: [translateModule],
    });
    this.problems = new Problems(this.modeler, { onFocus: () => this.focusPanel() });
    this.panel = new Panel(root.querySelector('#wk-properties'), this.modeler, this.choices, { readonly: this.readonly });
    this.lint = createLinter(this.choices);
    this.elements = root.querySelector('#wk-elements');
    this.wire();
    this.problems.set('server', json(root.dataset.problems, null) || []);
    this.serverChecked = root.dataset.problems !== undefined;
  }

  say(message) {
    this.status.textContent = message;
  }

  wire() {
    const m = this.modeler;
    m.on('import.done', () => this.refresh());
    m.on('selection.changed', ({ newSelection }) => {
      this.elements.value = newSelection.length === 1 ? newSelection[0].id : '';
    });
    if (!this.readonly) {
      m.on('commandStack.changed', () => {
        this.dirty = true;
        this.refresh();
      });
      window.addEventListener('beforeunload', (event) => {
        if (this.dirty) event.preventDefault();
      });
    }
    this.elements.addEventListener('change', () => {
      if (this.elements.value) this.problems.focus(this.elements.value);
    });
    const on = (id, event, handler) => {
      const el = this.root.querySelector(id);
      if (el) el.addEventListener(event, handler);
      return el;
    };
    on('#wk-save', 'click', () => this.save());
    on('#wk-download', 'click', () => this.download());
    on('#wk-upload', 'change', (event) => this.upload(event.target));
    const type = this.root.querySelector('#wk-append-type');
    if (type) {
      for (const value of APPENDABLE) {
        const option = document.createElement('option');
        option.value = value;
        option.textContent = t('types')[value];
        type.append(option);
      }
      on('#wk-append', 'click', () => this.append(type.value));
    }
  }

  async open(xml) {
    try {
      const laid = await withDiagram(xml);
      await this.modeler.importXML(laid.xml);
      this.modeler.get('canvas').zoom('fit-viewport');
      this.say(laid.laidOut ? t('laidOut') : t('loaded'));
      return true;
    } catch (error) {
      this.say(t('loadFailed', { message: error.message }));
      return false;
    }
  }

  async load() {
    const response = await fetch(this.root.dataset.xmlUrl, { credentials: 'same-origin' });
    if (!response.ok) {
      this.say(t('loadFailed', { message: response.status }));
      return;
    }
    await this.open(await response.text());
  }

  /** The element list, the quick check and the markers, after an import or a change. */
  refresh() {
    const registry = this.modeler.get('elementRegistry');
    const current = this.elements.value;
    const options = [new Option(t('elementChoose'), '')];
    for (const element of registry.filter((e) => e.type !== 'label' && e.businessObject && e.businessObject.$type
        && !e.businessObject.$type.startsWith('bpmndi:') && e.parent)) {
      const business = element.businessObject;
      const type = t('types')[business.$type] || business.$type.replace('bpmn:', '');
      options.push(new Option(`${business.name || business.id} (${type})`, element.id));
    }
    this.elements.replaceChildren(...options);
    this.elements.value = registry.get(current) ? current : '';
    this.runLint();
  }

  async runLint() {
    if (this.readonly) {
      this.renderProblems();
      return;
    }
    try {
      this.problems.set('quick', await this.lint(this.modeler.getDefinitions()));
    } catch (error) {
      this.problems.set('quick', [{ element: null, message: error.message }]);
    }
    this.renderProblems();
  }

  renderProblems() {
    const server = this.root.querySelector('#wk-problems-server');
    const quick = this.root.querySelector('#wk-problems-quick');
    if (server) this.problems.render(server, 'server', this.serverChecked ? t('problemsNone') : t('problemsServerNotYet'));
    if (quick) this.problems.render(quick, 'quick', t('problemsNone'));
  }

  focusPanel() {
    const field = this.root.querySelector('#wk-properties input:not([readonly]), #wk-properties select:not([disabled])')
      || this.root.querySelector('#wk-properties h3');
    if (field) {
      if (field.tagName === 'H3') field.setAttribute('tabindex', '-1');
      field.focus();
    }
  }

  append(type) {
    const selection = this.modeler.get('selection').get();
    const registry = this.modeler.get('elementRegistry');
    let source = selection.length === 1 && !selection[0].waypoints ? selection[0] : null;
    if (!source) {
      // nothing selected: after the last element without an outgoing flow, else the start
      const nodes = registry.filter((e) => e.businessObject && e.businessObject.$instanceOf
        && e.businessObject.$instanceOf('bpmn:FlowNode') && e.type !== 'label' && !e.outgoing.length
        && e.businessObject.$type !== 'bpmn:EndEvent');
      source = nodes[nodes.length - 1] || registry.filter((e) => e.type === 'bpmn:StartEvent')[0];
    }
    if (!source) return;
    const shape = this.modeler.get('elementFactory').createShape({ type });
    const created = this.modeler.get('autoPlace').append(source, shape);
    this.modeler.get('selection').select(created);
    this.focusPanel();
  }

  async save() {
    const button = this.root.querySelector('#wk-save');
    button.disabled = true;
    this.say(t('saving'));
    try {
      const { xml } = await this.modeler.saveXML({ format: true });
      const response = await fetch(this.root.dataset.saveUrl, {
        method: 'PUT',
        credentials: 'same-origin',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          'X-CSRFToken': this.root.dataset.csrf,
          'If-Match': `"${this.revision}"`,
        },
        body: JSON.stringify({ xml, revision: this.revision }),
      });
      const body = await response.json().catch(() => ({}));
      if (response.status === 409) {
        this.say(t('saveStale'));
        return;
      }
      if (!response.ok) {
        this.say(t('saveFailed', { message: body.message || response.status }));
        return;
      }
      this.revision = body.revision;
      this.root.dataset.revision = String(body.revision);
      this.dirty = false;
      this.serverChecked = true;
      this.problems.set('server', body.problems || []);
      this.renderProblems();
      const n = (body.problems || []).length;
      this.say(n ? t('savedProblems', { revision: body.revision, n }) : t('saved', { revision: body.revision }));
    } catch (error) {
      this.say(t('saveFailed', { message: error.message }));
    } finally {
      button.disabled = false;
    }
  }

  async download() {
    const { xml } = await this.modeler.saveXML({ format: true });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([xml], { type: 'application/xml' }));
    link.download = this.root.dataset.filename || 'process.bpmn';
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }

  async upload(input) {
    const file = input.files && input.files[0];
    if (!file) return;
    if (await this.open(await file.text())) {
      this.dirty = true;
      this.say(t('imported'));
    }
    input.value = '';
  }
}

function start() {
  const root = document.getElementById('wk-modeller');
  if (!root) return;
  const modeller = new WorkshopModeller(root);
  window.workshopModeller = modeller;  // for tests and the browser console
  modeller.load();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
