// The read-only process viewer: NavigatedViewer, the trail of an application marked on it
// (completed and current elements get a class, an overlay symbol and a legend: not colour alone).
// Used on the operator's application page and in the sandbox; configured by data- attributes of
// any [data-process-viewer] element, or by window.ProcessViewer.show(container, xml, trail).

import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';

import { t, translateModule } from './i18n.js';
import { withDiagram } from './layout.js';
import spiffworkflow from './spiffworkflow.json';

function legend() {
  const list = document.createElement('ul');
  list.className = 'wk-legend list-inline';
  list.setAttribute('aria-label', t('legend'));
  for (const [kind, symbol] of [['completed', '✓'], ['current', '▶']]) {
    const item = document.createElement('li');
    item.className = 'list-inline-item';
    const sample = document.createElement('span');
    sample.className = `wk-trail-badge wk-trail-${kind}`;
    sample.setAttribute('aria-hidden', 'true');
    sample.textContent = symbol;
    item.append(sample, ` ${t(kind)}`);
    list.append(item);
  }
  return list;
}

function badge(kind, symbol) {
  const el = document.createElement('span');
  el.className = `wk-trail-badge wk-trail-${kind}`;
  el.setAttribute('role', 'img');
  el.setAttribute('aria-label', t(kind));
  el.textContent = symbol;
  return el;
}

/** Show `xml` in `container` with `trail` = {completed: [ids], current: [ids]}; returns the viewer. */
export async function show(container, xml, trail = {}) {
  const canvasEl = document.createElement('div');
  canvasEl.className = 'wk-canvas wk-viewer-canvas';
  container.replaceChildren(legend(), canvasEl);
  const viewer = new NavigatedViewer({ container: canvasEl, moddleExtensions: { spiffworkflow },
    additionalModules: [translateModule] });
  const laid = await withDiagram(xml);
  await viewer.importXML(laid.xml);
  const registry = viewer.get('elementRegistry');
  const canvas = viewer.get('canvas');
  const overlays = viewer.get('overlays');
  const mark = (ids, kind, symbol) => {
    for (const id of ids || []) {
      const element = registry.get(id);
      if (!element) continue;
      canvas.addMarker(element, `wk-${kind}`);
      if (!element.waypoints) overlays.add(element, 'wk-trail', { position: { top: -12, left: -6 }, html: badge(kind, symbol) });
    }
  };
  mark(trail.completed, 'completed', '✓');
  mark(trail.current, 'current', '▶');
  canvas.zoom('fit-viewport');
  container.dataset.ready = 'true';
  return viewer;
}

async function auto(container) {
  let trail = {};
  try {
    trail = JSON.parse(container.dataset.trail || '{}');
  } catch (error) {
    trail = {};
  }
  const response = await fetch(container.dataset.xmlUrl, { credentials: 'same-origin' });
  await show(container, await response.text(), trail);
}

window.ProcessViewer = { show };

function start() {
  document.querySelectorAll('[data-process-viewer][data-xml-url]').forEach((el) => { auto(el); });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
