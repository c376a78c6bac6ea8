import * as Automerge from '@automerge/automerge';
import { AutomergeEngine } from '../src/index.ts';
import { runConvergenceSuite } from './harness/runConvergenceSuite.ts';
import type { SeededRandom } from './harness/SeededRandom.ts';

type Records = { text: string; list: string[]; map: Record<string, number> };

// Every replica starts from the same initial change, so the text, list and map objects are shared, not concurrent.
const INITIAL = Automerge.save(Automerge.from<Records>({ text: '', list: [], map: {} }, { actor: 'ff'.repeat(16) }));

function makeEngine(replicaIndex: number, seed: number): AutomergeEngine<Records> {
  // Fixed actor ids keep the run reproducible from its seed (Automerge orders conflicts by actor).
  const actor = (replicaIndex + 1).toString(16).padStart(8, '0') + (seed >>> 0).toString(16).padStart(24, '0');
  return new AutomergeEngine<Records>(Automerge.load<Records>(INITIAL, { actor }));
}

function randomEdit(engine: AutomergeEngine<Records>, random: SeededRandom): void {
  const edits = random.between(1, 3);
  engine.change((doc) => {
    for (let edit = 0; edit < edits; edit += 1) {
      const kind = random.int(6);
      if (kind <= 1) {
        Automerge.splice(doc, ['text'], random.int(doc.text.length + 1), 0, random.word());
      } else if (kind === 2 && doc.text.length > 0) {
        const index = random.int(doc.text.length);
        Automerge.splice(doc, ['text'], index, random.between(1, Math.min(4, doc.text.length - index)));
      } else if (kind === 3) {
        doc.map[`key-${random.int(4)}`] = random.int(1000);
      } else if (kind === 4) {
        delete doc.map[`key-${random.int(4)}`];
      } else if (doc.list.length > 0 && random.chance(0.4)) {
        doc.list.splice(random.int(doc.list.length), 1);
      } else {
        doc.list.splice(random.int(doc.list.length + 1), 0, random.word());
      }
    }
  });
}

function readContent(engine: AutomergeEngine<Records>): unknown {
  return Automerge.toJS(engine.doc);
}

runConvergenceSuite('AutomergeEngine', makeEngine, randomEdit, readContent);
