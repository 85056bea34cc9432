// The DMN editor: dmn-js (DRD, decision tables, literal expressions).
import DmnModeler from 'dmn-js/lib/Modeler';

export const EMPTY_DMN = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/"
  xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" id="Definitions_1" name="Decisions" namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="Decision_1" name="Decision 1">
    <decisionTable id="DecisionTable_1">
      <input id="Input_1" label="Input"><inputExpression id="InputExpression_1" typeRef="string"><text>input</text></inputExpression></input>
      <output id="Output_1" label="Output" name="output" typeRef="string" />
    </decisionTable>
  </decision>
  <dmndi:DMNDI><dmndi:DMNDiagram id="DMNDiagram_1">
    <dmndi:DMNShape id="DMNShape_1" dmnElementRef="Decision_1"><dc:Bounds height="80" width="180" x="160" y="100" /></dmndi:DMNShape>
  </dmndi:DMNDiagram></dmndi:DMNDI>
</definitions>
`;

// dmn-js reads and writes DMN 1.3. A DMN 1.4 or 1.5 file (whose elements Cadenza's decisions use are the same)
// is edited under the 1.3 namespaces and written back under its own, so a round trip keeps its version.
const DMN13 = 'https://www.omg.org/spec/DMN/20191111/';
const NEWER = /https:\/\/www\.omg\.org\/spec\/DMN\/(20211108|20230324)\/(MODEL|DMNDI)\//g;

export class DmnEditor {
  private readonly modeler: any;
  private restore = new Map<string, string>();

  constructor(container: HTMLElement, onChange: () => void) {
    this.modeler = new DmnModeler({ container });
    // Every view (DRD, decision table, literal expression) has its own viewer and command stack.
    const watched = new WeakSet<object>();
    this.modeler.on('views.changed', () => {
      const viewer = this.modeler.getActiveViewer();
      if (viewer && !watched.has(viewer)) {
        watched.add(viewer);
        viewer.on('commandStack.changed', onChange);
      }
    });
  }

  async load(xml: string): Promise<void> {
    this.restore = new Map();
    const as13 = xml.replace(NEWER, (uri, _date, part) => {
      this.restore.set(`${DMN13}${part}/`, uri);
      return `${DMN13}${part}/`;
    });
    await this.modeler.importXML(as13);
  }

  async xml(): Promise<string> {
    const { xml } = await this.modeler.saveXML({ format: true });
    let out = xml as string;
    this.restore.forEach((original, as13) => (out = out.split(as13).join(original)));
    return out;
  }
}
