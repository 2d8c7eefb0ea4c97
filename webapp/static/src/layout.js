// Several shipped processes have no diagram (DI): bpmn-auto-layout draws one before import, so
// the modeller and the viewer can show them. Extension elements survive its round trip.

import { layoutProcess } from 'bpmn-auto-layout';

/** True when the XML has no shapes, so there is nothing for bpmn-js to draw. */
export function lacksDiagram(xml) {
  return !/<([A-Za-z0-9_-]+:)?BPMNShape[\s>]/.test(xml);
}

/** The XML itself, or the XML with a generated diagram; {xml, laidOut}. */
export async function withDiagram(xml) {
  if (!lacksDiagram(xml)) return { xml, laidOut: false };
  return { xml: await layoutProcess(xml), laidOut: true };
}
