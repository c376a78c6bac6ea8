import * as Y from 'yjs';
import { YjsEngine } from '../src/index.ts';
import { runConvergenceSuite } from './harness/runConvergenceSuite.ts';
import type { SeededRandom } from './harness/SeededRandom.ts';

function makeEngine(replicaIndex: number): YjsEngine {
  const doc = new Y.Doc();
  // Fixed client ids keep the run reproducible from its seed (Yjs orders concurrent inserts by client id).
  doc.clientID = 1 + replicaIndex;
  return new YjsEngine(doc);
}

function randomEdit(engine: YjsEngine, random: SeededRandom): void {
  const body = engine.doc.getText('body');
  const meta = engine.doc.getMap<number>('meta');
  const items = engine.doc.getArray<string>('items');
  const edits = random.between(1, 3);
  // Several edits in one transaction become one Yjs update, as a paste or an undo would.
  engine.doc.transact(() => {
    for (let edit = 0; edit < edits; edit += 1) {
      const kind = random.int(6);
      if (kind <= 1) {
        body.insert(random.int(body.length + 1), random.word());
      } else if (kind === 2 && body.length > 0) {
        const index = random.int(body.length);
        body.delete(index, random.between(1, Math.min(4, body.length - index)));
      } else if (kind === 3) {
        meta.set(`key-${random.int(4)}`, random.int(1000));
      } else if (kind === 4) {
        meta.delete(`key-${random.int(4)}`);
      } else if (items.length > 0 && random.chance(0.4)) {
        items.delete(random.int(items.length), 1);
      } else {
        items.insert(random.int(items.length + 1), [random.word()]);
      }
    }
  });
}

function readContent(engine: YjsEngine): unknown {
  return {
    body: engine.doc.getText('body').toJSON(),
    meta: engine.doc.getMap<number>('meta').toJSON(),
    items: engine.doc.getArray<string>('items').toJSON(),
  };
}

runConvergenceSuite('YjsEngine', makeEngine, randomEdit, readContent);
