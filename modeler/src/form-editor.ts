// The form editor: @bpmn-io/form-js's editor; a form is JSON, linked to a user task by its id.
import { FormEditor } from '@bpmn-io/form-js-editor';

export function emptyForm(id: string): string {
  return JSON.stringify({ id, type: 'default', components: [], schemaVersion: 16 }, null, 2);
}

export class FormEditorView {
  private readonly editor: FormEditor;

  constructor(container: HTMLElement, onChange: () => void) {
    this.editor = new FormEditor({ container });
    this.editor.on('changed', onChange);
  }

  async load(json: string): Promise<void> {
    await this.editor.importSchema(JSON.parse(json));
  }

  json(): string {
    return JSON.stringify(this.editor.saveSchema(), null, 2);
  }
}
