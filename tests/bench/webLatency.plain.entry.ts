/**
 * The baseline page of tests/bench/webLatency.ts: Coffre's TipTap editor
 * (same extensions, no carets) on a plain Y.Doc synced by a plain
 * HocuspocusProvider to plain Hocuspocus (tests/bench/plainRelay.ts), no
 * encryption. `?relay=ws://…&doc=name`; sets `window.__plainSynced` once the
 * relay's copy arrived.
 */
import { HocuspocusProvider } from '@hocuspocus/provider';
import * as Y from 'yjs';
import { contentFragment, createCoffreEditor } from '@coffre/editor';

const params = new URLSearchParams(window.location.search);
const doc = new Y.Doc();
const provider = new HocuspocusProvider({
  url: params.get('relay') ?? '',
  name: params.get('doc') ?? 'bench',
  document: doc,
});
const element = document.createElement('div');
document.body.append(element);
const editor = createCoffreEditor({ element, fragment: contentFragment(doc) });
editor.setOptions({
  editorProps: {
    attributes: { role: 'textbox', 'aria-multiline': 'true', 'aria-label': 'Document text', class: 'doc-prose' },
  },
});
provider.on('synced', () => {
  (window as unknown as { __plainSynced: boolean }).__plainSynced = true;
});
