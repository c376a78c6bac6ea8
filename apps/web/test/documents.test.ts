import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { generateSymmetricKey, ready } from '@coffre/crypto';
import { contentFragment } from '@coffre/editor';
import { LocalDatabase, Vault } from '@coffre/storage';
import { DocumentCatalog } from '../src/workspace/DocumentCatalog.ts';
import { displayTitle, documentTitle, givenTitle, setTitle, summarize } from '../src/workspace/documentMeta.ts';
import { matchesQuery, matchingLine } from '../src/workspace/searchDocuments.ts';
import { syncStatusText } from '../src/workspace/syncStatusText.ts';
import { fileNameFor } from '../src/workspace/downloadFile.ts';

beforeAll(async () => {
  await ready();
});

/** A content doc holding `blocks` as the editor stores them: XML elements with text in the 'content' fragment. */
function docWith(blocks: [string, string][]): Y.Doc {
  const doc = new Y.Doc();
  const fragment = contentFragment(doc);
  fragment.insert(
    0,
    blocks.map(([type, text]) => {
      const element = new Y.XmlElement(type);
      if (type === 'heading') element.setAttribute('level', '1');
      element.insert(0, [new Y.XmlText(text)]);
      return element;
    }),
  );
  return doc;
}

describe('document catalog', () => {
  it('keeps titles sealed: the row holds no title in the clear and opens back with the vault key', async () => {
    const database = new LocalDatabase(`test-${Math.random()}`);
    const catalog = new DocumentCatalog(database, new Vault(generateSymmetricKey()));
    await catalog.remember('doc-1', 'Salary review');
    const row = await database.catalog.get('doc-1');
    expect(row?.kind).toBe('document');
    expect(new TextDecoder().decode(row?.sealedMeta)).not.toContain('Salary');
    expect((await catalog.list()).map((entry) => [entry.id, entry.title])).toEqual([['doc-1', 'Salary review']]);
    database.close();
  });

  it('reads a row sealed under another key or moved to another id as absent, and still lists its id to forget it', async () => {
    const database = new LocalDatabase(`test-${Math.random()}`);
    await new DocumentCatalog(database, new Vault(generateSymmetricKey())).remember('doc-1', 'Secret plan');
    const other = new DocumentCatalog(database, new Vault(generateSymmetricKey()));
    expect(await other.get('doc-1')).toBeNull();
    expect(await other.list()).toEqual([]);
    expect(await other.ids()).toEqual(['doc-1']);

    const vault = new Vault(generateSymmetricKey());
    const catalog = new DocumentCatalog(database, vault);
    await catalog.remember('doc-1', 'Secret plan');
    const row = await database.catalog.get('doc-1');
    await database.catalog.put({
      id: 'doc-2',
      kind: 'document',
      parent: '',
      sealedMeta: row?.sealedMeta ?? new Uint8Array(),
    });
    expect(await catalog.get('doc-2')).toBeNull();
    database.close();
  });

  it('forgets a document', async () => {
    const database = new LocalDatabase(`test-${Math.random()}`);
    const catalog = new DocumentCatalog(database, new Vault(generateSymmetricKey()));
    await catalog.remember('doc-1', 'Gone soon');
    await catalog.forget('doc-1');
    expect(await catalog.list()).toEqual([]);
    database.close();
  });
});

describe('document title', () => {
  it('is the title typed in the title field when there is one', () => {
    const doc = docWith([['heading', 'First heading']]);
    setTitle(doc, 'Given title');
    expect(givenTitle(doc)).toBe('Given title');
    expect(documentTitle(doc)).toBe('Given title');
  });

  it('falls back to the first heading, then to the first line, then to nothing', () => {
    expect(
      documentTitle(
        docWith([
          ['paragraph', 'Intro'],
          ['heading', 'Plans'],
        ]),
      ),
    ).toBe('Plans');
    expect(documentTitle(docWith([['paragraph', 'Only a line']]))).toBe('Only a line');
    expect(documentTitle(new Y.Doc())).toBe('');
    expect(displayTitle('')).toBe('Untitled document');
  });

  it('keeps control characters out of a title and lives in the document, so it syncs with it', () => {
    const doc = new Y.Doc();
    setTitle(doc, 'Tab\there\nnewline');
    expect(givenTitle(doc)).toBe('Tab here newline');
    const copy = new Y.Doc();
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
    expect(givenTitle(copy)).toBe('Tab here newline');
  });

  it('summarizes the text one line per block for the search box', () => {
    const summary = summarize(
      docWith([
        ['heading', 'Budget'],
        ['paragraph', 'Rent and espresso'],
      ]),
    );
    expect(summary).toEqual({ title: 'Budget', text: 'Budget\nRent and espresso', kind: 'document' });
  });
});

describe('search over titles and text', () => {
  it('matches every word, in any case and without accents', () => {
    expect(matchesQuery('resume', 'Mon Résumé', '')).toBe(true);
    expect(matchesQuery('ESPRESSO rent', 'Budget', 'Rent and espresso')).toBe(true);
    expect(matchesQuery('espresso tea', 'Budget', 'Rent and espresso')).toBe(false);
    expect(matchesQuery('   ', 'Anything', '')).toBe(true);
  });

  it('shows the matching line, shortened around the word', () => {
    expect(matchingLine('espresso', 'Budget\nRent and espresso')).toBe('Rent and espresso');
    const long = `${'word '.repeat(40)}espresso${' tail'.repeat(40)}`;
    const line = matchingLine('espresso', long) ?? '';
    expect(line).toContain('espresso');
    expect(line.startsWith('…')).toBe(true);
    expect(line.endsWith('…')).toBe(true);
    expect(matchingLine('absent', 'Budget')).toBeNull();
  });
});

describe('sync status in words', () => {
  it('says where the edits are', () => {
    expect(syncStatusText({ state: 'offline', unsaved: 3 })).toBe('Offline — 3 changes on this device');
    expect(syncStatusText({ state: 'offline', unsaved: 1 })).toBe('Offline — 1 change on this device');
    expect(syncStatusText({ state: 'syncing', unsaved: 2 })).toBe('Saving 2 changes…');
    expect(syncStatusText({ state: 'saved', unsaved: 0 })).toBe('Saved');
    expect(syncStatusText({ state: 'connecting', unsaved: 0 })).toBe('Connecting…');
  });
});

describe('export file names', () => {
  it('come from the title without characters file systems refuse', () => {
    expect(fileNameFor('Plans: 2027/2028?', 'md')).toBe('Plans 2027 2028.md');
    expect(fileNameFor('   ', 'html')).toBe('Untitled document.html');
  });
});
