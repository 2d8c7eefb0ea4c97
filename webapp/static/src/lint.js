// Quick feedback while drawing: bpmnlint with rules of our own that mirror some of the engine's
// load checks. The server's check stays the authority; these only spare a round trip.

import { Linter } from 'bpmnlint';

import { LANG } from './i18n.js';

const UNSUPPORTED = {
  'bpmn:EventBasedGateway': 'gateway basato su eventi', 'bpmn:ComplexGateway': 'gateway complesso',
  'bpmn:Transaction': 'transazione', 'bpmn:AdHocSubProcess': 'sottoprocesso ad hoc',
  'bpmn:DataStoreReference': 'archivio dati', 'bpmn:SignalEventDefinition': 'evento segnale',
  'bpmn:EscalationEventDefinition': 'evento di escalation', 'bpmn:ConditionalEventDefinition': 'evento condizionale',
  'bpmn:CompensateEventDefinition': 'evento di compensazione', 'bpmn:CancelEventDefinition': 'evento di annullamento',
  'bpmn:LinkEventDefinition': 'evento di collegamento',
};
const is = (node, type) => Boolean(node && typeof node.$instanceOf === 'function' && node.$instanceOf(type));
const GATEWAYS = ['bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway', 'bpmn:ParallelGateway'];
const OPERATION_RE = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/;

const MESSAGES = {
  it: {
    noForm: 'l’attività utente non ha un modulo',
    unknownForm: (f) => `il modulo «${f}» non è tra i moduli del servizio`,
    unsupported: (what) => `il motore non supporta questo elemento (${what})`,
    noFragment: 'il frammento da eseguire non è scelto',
    unknownFragment: (f) => `il frammento «${f}» non esiste`,
    oneWay: 'il gateway ha un solo flusso in entrata e uno in uscita: non serve',
    noCondition: 'un flusso in uscita dal gateway non ha condizione e non è il predefinito',
    manyOut: 'un’attività o un evento può avere un solo flusso in uscita: dividi con un gateway',
    noTemplate: 'l’invio non ha un modello di notifica',
    badOperation: 'l’operazione non è scelta o non è del tipo famiglia.operazione',
    unknownOperation: (o) => `l’operazione «${o}» non è offerta dai connettori`,
    noStart: 'il processo non ha un evento di inizio',
    noEnd: 'il processo non ha un evento di fine',
    disconnected: 'l’elemento non è collegato al resto del processo',
  },
  en: {
    noForm: 'the user task has no form',
    unknownForm: (f) => `form "${f}" is not one of the service's forms`,
    unsupported: (what) => `the engine does not support this element (${what})`,
    noFragment: 'no fragment is chosen',
    unknownFragment: (f) => `fragment "${f}" does not exist`,
    oneWay: 'the gateway has one incoming and one outgoing flow: it is not needed',
    noCondition: 'an outgoing flow of the gateway has no condition and is not the default',
    manyOut: 'a task or an event can have only one outgoing flow: split with a gateway',
    noTemplate: 'the send task has no notification template',
    badOperation: 'no operation is chosen, or it is not of the form family.operation',
    unknownOperation: (o) => `operation "${o}" is not offered by the connectors`,
    noStart: 'the process has no start event',
    noEnd: 'the process has no end event',
    disconnected: 'the element is not connected to the rest of the process',
  },
};

function spiffProperties(node) {
  const values = (node.extensionElements && node.extensionElements.values) || [];
  const props = values.find((v) => v.$type === 'spiffworkflow:Properties');
  const out = {};
  for (const p of (props && props.properties) || []) out[p.name] = p.value;
  return out;
}

function rules(choices) {
  const say = MESSAGES[LANG];
  const values = (list) => new Set((choices[list] || []).map((c) => c.value));
  const forms = values('forms');
  const fragments = values('fragments');
  const operations = values('operations');
  const rule = (check) => () => ({ check });
  return {
    'user-task-form': rule((node, reporter) => {
      if (!is(node, 'bpmn:UserTask')) return;
      const form = spiffProperties(node).form;
      if (!form) reporter.report(node.id, say.noForm);
      else if (forms.size && !forms.has(form)) reporter.report(node.id, say.unknownForm(form));
    }),
    'supported-elements': rule((node, reporter) => {
      for (const [type, what] of Object.entries(UNSUPPORTED)) {
        if (is(node, type)) reporter.report(node.id, say.unsupported(what));
        for (const d of node.eventDefinitions || []) if (is(d, type)) reporter.report(node.id, say.unsupported(what));
      }
      if (is(node, 'bpmn:SubProcess') && node.triggeredByEvent) reporter.report(node.id, say.unsupported('event subprocess'));
    }),
    'call-activity-fragment': rule((node, reporter) => {
      if (!is(node, 'bpmn:CallActivity')) return;
      const called = node.calledElement;
      let root = node;
      while (root.$parent) root = root.$parent;
      const local = (root.rootElements || []).some((r) => is(r, 'bpmn:Process') && r.id === called);
      if (!called) reporter.report(node.id, say.noFragment);
      else if (!local && !fragments.has(called)) reporter.report(node.id, say.unknownFragment(called));
    }),
    'gateway-flows': rule((node, reporter) => {
      if (!GATEWAYS.some((g) => is(node, g))) return;
      const incoming = node.incoming || [];
      const outgoing = node.outgoing || [];
      if (incoming.length <= 1 && outgoing.length <= 1) reporter.report(node.id, say.oneWay);
      if (outgoing.length > 1 && !is(node, 'bpmn:ParallelGateway')) {
        const bare = outgoing.filter((f) => !f.conditionExpression && f !== node.default);
        if (bare.length) reporter.report(bare[0].id, say.noCondition);
      }
    }),
    'single-outgoing': rule((node, reporter) => {
      if (!is(node, 'bpmn:FlowNode') || GATEWAYS.some((g) => is(node, g))) return;
      if ((node.outgoing || []).filter((f) => is(f, 'bpmn:SequenceFlow')).length > 1) reporter.report(node.id, say.manyOut);
    }),
    'send-task-template': rule((node, reporter) => {
      if (is(node, 'bpmn:SendTask') && !spiffProperties(node).template) reporter.report(node.id, say.noTemplate);
    }),
    'service-task-operation': rule((node, reporter) => {
      if (!is(node, 'bpmn:ServiceTask')) return;
      const values = (node.extensionElements && node.extensionElements.values) || [];
      const op = values.find((v) => v.$type === 'spiffworkflow:ServiceTaskOperator');
      const id = (op && op.id) || '';
      if (!OPERATION_RE.test(id)) reporter.report(node.id, say.badOperation);
      else if (operations.size && !operations.has(id)) reporter.report(node.id, say.unknownOperation(id));
    }),
    'start-and-end': rule((node, reporter) => {
      if (!is(node, 'bpmn:Process')) return;
      const elements = node.flowElements || [];
      if (!elements.length) return;
      if (!elements.some((e) => is(e, 'bpmn:StartEvent'))) reporter.report(node.id, say.noStart);
      if (!elements.some((e) => is(e, 'bpmn:EndEvent'))) reporter.report(node.id, say.noEnd);
    }),
    'connected': rule((node, reporter) => {
      if (!is(node, 'bpmn:FlowNode') || is(node, 'bpmn:BoundaryEvent')) return;
      if (node.$parent && is(node.$parent, 'bpmn:SubProcess') && node.$parent.triggeredByEvent) return;
      if (!(node.incoming || []).length && !(node.outgoing || []).length) reporter.report(node.id, say.disconnected);
    }),
  };
}

/** A linter over the model's definitions: lint(definitions) -> [{element, message, rule}]. */
export function createLinter(choices) {
  const ours = rules(choices);
  const config = { rules: Object.fromEntries(Object.keys(ours).map((name) => [`workshop/${name}`, 'error'])) };
  const resolver = {
    resolveRule: (pkg, name) => (pkg === 'bpmnlint-plugin-workshop' ? ours[name] : undefined),
    resolveConfig: () => undefined,
  };
  const linter = new Linter({ config, resolver });
  return async (definitions) => {
    const results = await linter.lint(definitions);
    const out = [];
    for (const [rule, reports] of Object.entries(results)) {
      for (const report of reports) out.push({ element: report.id || null, message: report.message, rule });
    }
    return out;
  };
}
