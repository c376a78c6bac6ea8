import * as Automerge from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { AutomergeEngine, YjsEngine } from '../src/index.ts';

describe('YjsEngine.queueLocalChange', () => {
  it('applies a change made in another tab and hands it over for sealing', () => {
    const otherTab = new YjsEngine();
    otherTab.doc.getText('body').insert(0, 'from the other tab');
    const change = otherTab.takeLocalChanges();
    if (!change) throw new Error('expected a change');

    const writer = new YjsEngine();
    let notified = 0;
    writer.onLocalChange(() => (notified += 1));
    writer.queueLocalChange(change);

    expect(writer.doc.getText('body').toString()).toBe('from the other tab');
    expect(notified).toBe(1);
    const sealed = writer.takeLocalChanges();
    expect(sealed).not.toBeNull();
    const reader = new YjsEngine();
    reader.applyRemote(sealed as Uint8Array);
    expect(reader.doc.getText('body').toString()).toBe('from the other tab');
    expect(writer.takeLocalChanges()).toBeNull();
  });

  it('hands over a change the doc already holds, so a tab taking over re-seals it', () => {
    const engine = new YjsEngine();
    engine.doc.getText('body').insert(0, 'typed here');
    const change = engine.takeLocalChanges() as Uint8Array;
    engine.queueLocalChange(change);
    expect(engine.doc.getText('body').toString()).toBe('typed here');
    expect(engine.takeLocalChanges()).toEqual(change);
  });
});

describe('AutomergeEngine.queueLocalChange', () => {
  it('applies a change made in another tab and seals it with later local changes', () => {
    const otherTab = new AutomergeEngine<{ items: string[] }>(Automerge.from({ items: [] as string[] }));
    const writer = new AutomergeEngine<{ items: string[] }>(Automerge.clone(otherTab.doc));
    otherTab.change((doc) => doc.items.push('from the other tab'));
    const change = otherTab.takeLocalChanges() as Uint8Array;

    writer.queueLocalChange(change);
    writer.change((doc) => doc.items.push('typed here'));
    const sealed = writer.takeLocalChanges() as Uint8Array;

    const reader = new AutomergeEngine<{ items: string[] }>(Automerge.clone(otherTab.doc));
    reader.applyRemote(sealed);
    expect([...writer.doc.items].sort()).toEqual(['from the other tab', 'typed here']);
    expect([...reader.doc.items].sort()).toEqual(['from the other tab', 'typed here']);
    expect(writer.takeLocalChanges()).toBeNull();
  });

  it('hands over a change the document already holds', () => {
    const engine = new AutomergeEngine<{ n: number }>();
    engine.change((doc) => {
      doc.n = 1;
    });
    const change = engine.takeLocalChanges() as Uint8Array;
    engine.queueLocalChange(change);
    const again = engine.takeLocalChanges();
    expect(again).toEqual(change);
    const reader = new AutomergeEngine<{ n: number }>();
    reader.applyRemote(again as Uint8Array);
    expect(reader.doc.n).toBe(1);
  });
});
