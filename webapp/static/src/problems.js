// Problems on the diagram: a marker class and an overlay badge on each named element (shape and
// text, not colour alone), plus a list whose items select the element and move focus to the panel.

import { t } from './i18n.js';

export class Problems {
  constructor(modeler, { onFocus } = {}) {
    this.modeler = modeler;
    this.onFocus = onFocus;
    this.sets = {};  // source -> [{element, message, file}]
  }

  /** Replace the problems of one source ("quick" or "server") and redraw the markers. */
  set(source, problems) {
    this.sets[source] = problems;
    this.draw();
  }

  all() {
    return Object.values(this.sets).flat();
  }

  draw() {
    const registry = this.modeler.get('elementRegistry');
    const canvas = this.modeler.get('canvas');
    const overlays = this.modeler.get('overlays');
    overlays.remove({ type: 'wk-problem' });
    for (const element of registry.getAll()) canvas.removeMarker(element, 'wk-has-problem');
    const byElement = new Map();
    for (const problem of this.all()) {
      if (!problem.element || !registry.get(problem.element)) continue;
      if (!byElement.has(problem.element)) byElement.set(problem.element, []);
      byElement.get(problem.element).push(problem.message);
    }
    for (const [id, messages] of byElement) {
      canvas.addMarker(id, 'wk-has-problem');
      const badge = document.createElement('span');
      badge.className = 'wk-problem-badge';
      badge.setAttribute('role', 'img');
      badge.setAttribute('aria-label', t('problemMarker', { message: messages.join('; ') }));
      badge.title = messages.join('\n');
      badge.textContent = `⚠ ${messages.length}`;
      const element = registry.get(id);
      const position = element.waypoints ? { top: -8, left: -8 } : { top: -12, right: 12 };
      overlays.add(id, 'wk-problem', { position, html: badge });
    }
  }

  /** Fill `list` (an <ul>) with one item per problem of `source`. */
  render(list, source, empty) {
    const registry = this.modeler.get('elementRegistry');
    const items = (this.sets[source] || []).map((problem) => {
      const li = document.createElement('li');
      const where = problem.element ? `${this.name(problem.element)}: ` : (problem.file ? `${problem.file}: ` : '');
      if (problem.element && registry.get(problem.element)) {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'btn btn-link p-0 text-start wk-problem-link';
        button.dataset.element = problem.element;
        button.textContent = where + problem.message;
        button.addEventListener('click', () => this.focus(problem.element));
        li.append(button);
      } else {
        li.textContent = where + problem.message;
      }
      return li;
    });
    if (!items.length) {
      const li = document.createElement('li');
      li.textContent = empty;
      items.push(li);
    }
    list.replaceChildren(...items);
  }

  name(id) {
    const element = this.modeler.get('elementRegistry').get(id);
    const name = element && element.businessObject.name;
    return name ? `${name} (${id})` : id;
  }

  focus(id) {
    const element = this.modeler.get('elementRegistry').get(id);
    if (!element) return;
    this.modeler.get('selection').select(element);
    this.modeler.get('canvas').scrollToElement(element);
    if (this.onFocus) this.onFocus(element);
  }
}
