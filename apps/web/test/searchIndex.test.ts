import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DriveFile, DriveNode } from '@coffre/client';
import { generateSymmetricKey, ready } from '@coffre/crypto';
import { LocalDatabase, Vault } from '@coffre/storage';
import { PART_CHARACTERS, SealedSearchIndex } from '../src/search/SealedSearchIndex.ts';
import { SEARCH_INDEX_SCHEMA, SearchIndex, type SearchItem } from '../src/search/SearchIndex.ts';
import { type DriveSource, SearchIndexer } from '../src/search/SearchIndexer.ts';

beforeAll(async () => {
  await ready();
});

function item(id: string, title: string, text: string, kind: SearchItem['kind'] = 'document'): SearchItem {
  return { id, kind, title, text, where: '', stamp: `${title}|${text}` };
}

function titles(index: SearchIndex, query: string): string[] {
  return index.search(query).map((hit) => hit.title);
}

function sealedStore() {
  const database = new LocalDatabase(`search-${Math.random()}`);
  const vault = new Vault(generateSymmetricKey());
  return { database, vault, store: new SealedSearchIndex(database.keyring, vault) };
}

describe('the search index', () => {
  it('finds an item by a word of its title or text, the title first', () => {
    const index = SearchIndex.empty();
    index.put(item('a', 'Budget 2027', 'Rent and the new espresso machine.'));
    index.put(item('b', 'Espresso notes', 'Grind finer.'));
    index.put(item('c', 'Hiring plan', 'Two engineers.'));
    expect(titles(index, 'espresso')).toEqual(['Espresso notes', 'Budget 2027']);
    expect(titles(index, 'engineers')).toEqual(['Hiring plan']);
    expect(titles(index, 'nothing like this')).toEqual([]);
  });

  it('folds accents and case both ways: "resume" finds "Résumé", "RÉSUMÉ" finds "resume"', () => {
    const index = SearchIndex.empty();
    index.put(item('a', 'Résumé', 'Expérience à Genève.'));
    index.put(item('b', 'resume of the meeting', ''));
    expect(titles(index, 'resume').sort()).toEqual(['Résumé', 'resume of the meeting']);
    expect(titles(index, 'RÉSUMÉ').length).toBe(2);
    expect(titles(index, 'geneve')).toEqual(['Résumé']);
  });

  it('matches prefixes, needs every word, and forgives a typo in a longer word', () => {
    const index = SearchIndex.empty();
    index.put(item('a', 'Quarterly report', 'Revenue grew in the northern region.'));
    index.put(item('b', 'Quarterly plan', 'Hiring in the southern region.'));
    expect(titles(index, 'quart').length).toBe(2);
    expect(titles(index, 'quarterly north')).toEqual(['Quarterly report']);
    expect(titles(index, 'revenu')).toEqual(['Quarterly report']);
    expect(titles(index, 'revanue')).toEqual(['Quarterly report']);
  });

  it('gives the line of text where the match is, and none when only the title matched', () => {
    const index = SearchIndex.empty();
    index.put(item('a', 'Trip', 'Day one: Lisbon.\nDay two: the tram to Belém.\nDay three: home.'));
    expect(index.search('belem')[0]?.line).toBe('Day two: the tram to Belém.');
    expect(index.search('trip')[0]?.line).toBeNull();
  });

  it('replaces an item put again under its id, skips one with the same stamp, and removes one', () => {
    const index = SearchIndex.empty();
    expect(index.put(item('a', 'Draft', 'apples'))).toBe(true);
    expect(index.put(item('a', 'Draft', 'apples'))).toBe(false);
    expect(index.put(item('a', 'Draft', 'pears'))).toBe(true);
    expect(titles(index, 'apples')).toEqual([]);
    expect(titles(index, 'pears')).toEqual(['Draft']);
    expect(index.size).toBe(1);
    expect(index.remove('a')).toBe(true);
    expect(index.remove('a')).toBe(false);
    expect(titles(index, 'pears')).toEqual([]);
    expect(index.stampOf('a')).toBeNull();
  });

  it('filters by kind and lists the ids of a kind', () => {
    const index = SearchIndex.empty();
    index.put(item('d', 'Garden plan', ''));
    index.put(item('f', 'garden.pdf', '', 'file'));
    index.put(item('g', 'Garden', '', 'folder'));
    expect(
      index
        .search('garden', { kinds: ['file', 'folder'] })
        .map((hit) => hit.id)
        .sort(),
    ).toEqual(['f', 'g']);
    expect(index.ids(['document'])).toEqual(['d']);
  });

  it('comes back from its JSON with the same results, stamps and kinds', async () => {
    const index = SearchIndex.empty();
    index.put(item('a', 'Résumé', 'Lisbon'));
    index.put(item('f', 'lisbon.txt', 'tram', 'file'));
    const back = await SearchIndex.fromJSON(index.toJSON());
    expect(titles(back, 'lisbon').sort()).toEqual(['Résumé', 'lisbon.txt']);
    expect(back.stampOf('a')).toBe('Résumé|Lisbon');
    expect(back.ids(['file'])).toEqual(['f']);
    await expect(SearchIndex.fromJSON('{"not":"an index"}')).rejects.toThrow();
  });
});

describe('the sealed search index on the device', () => {
  it('saves and loads the index sealed with the vault key, with none of its words in the clear', async () => {
    const { database, store } = sealedStore();
    const index = SearchIndex.empty();
    index.put(item('a', 'Harbour ledger', 'The spare key is under the blue boat.'));
    await store.save(index);
    const rows = await database.keyring.toArray();
    const bytes = rows.map((row) => new TextDecoder().decode(row.sealed)).join('');
    expect(bytes).not.toContain('Harbour');
    expect(bytes).not.toContain('boat');
    expect(rows.map((row) => row.id).every((id) => id.startsWith('search-index'))).toBe(true);
    const { index: loaded, outcome } = await store.load();
    expect(outcome).toBe('loaded');
    expect(loaded && titles(loaded, 'boat')).toEqual(['Harbour ledger']);
  });

  it('splits a large index into parts and drops the previous save’s parts', async () => {
    const { database, store } = sealedStore();
    const index = SearchIndex.empty();
    for (let at = 0; at < 400; at += 1) index.put(item(`d${at}`, `Note ${at}`, `word${at} `.repeat(200)));
    await store.save(index);
    const parts = (await database.keyring.toArray()).filter((row) => row.id.startsWith('search-index-part:'));
    expect(parts.length).toBe(Math.ceil(index.toJSON().length / PART_CHARACTERS));
    expect(parts.length).toBeGreaterThan(1);
    index.remove('d1');
    await store.save(index);
    const after = (await database.keyring.toArray()).filter((row) => row.id.startsWith('search-index-part:'));
    expect(after.every((row) => row.id.startsWith('search-index-part:2:'))).toBe(true);
    const { index: loaded } = await store.load();
    expect(loaded?.size).toBe(399);
  });

  it('reads as missing when nothing was saved, and as unreadable under another vault key or when a part is corrupted', async () => {
    const { database, store } = sealedStore();
    expect((await store.load()).outcome).toBe('missing');
    const index = SearchIndex.empty();
    index.put(item('a', 'Plans', 'secret'));
    await store.save(index);
    const other = new SealedSearchIndex(database.keyring, new Vault(generateSymmetricKey()));
    expect(await other.load()).toEqual({ index: null, outcome: 'unreadable' });
    const part = (await database.keyring.toArray()).find((row) => row.id.startsWith('search-index-part:'));
    if (!part) throw new Error('no part saved');
    const tampered = part.sealed.slice();
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    await database.keyring.put({ id: part.id, sealed: tampered });
    expect(await store.load()).toEqual({ index: null, outcome: 'unreadable' });
    await database.keyring.delete(part.id);
    expect(await store.load()).toEqual({ index: null, outcome: 'unreadable' });
  });

  it('reads an index saved with an older schema as one to build again', async () => {
    const { database, vault, store } = sealedStore();
    await store.save(SearchIndex.empty());
    const { SealedRecords } = await import('@coffre/storage');
    const heads = new SealedRecords({
      table: database.keyring,
      vault,
      prefix: 'search-index:',
      parse: (value) => value,
    });
    await heads.put('head', { schema: SEARCH_INDEX_SCHEMA - 1, generation: 1, parts: 1 });
    expect((await store.load()).outcome).toBe('old-schema');
  });
});

function fileNode(id: string, name: string, version = 1, parent: string | null = null): DriveFile {
  return {
    id,
    kind: 'file',
    name,
    parent,
    createdAt: 0,
    trashedAt: null,
    latest: { fileId: id, version, name, mediaType: 'text/plain', size: 10, modifiedAt: 0, chunks: [] },
  };
}

/** A Drive of plain nodes, whose file text comes from `texts`; `changed()` tells the indexer. */
function fakeDrive(nodes: DriveNode[], texts: Record<string, string>) {
  const listeners = new Set<() => void>();
  const reads: string[] = [];
  const source: DriveSource = {
    space: { list: (parent = null) => nodes.filter((node) => node.parent === parent) },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    wantsContent: (file) => file.name.endsWith('.txt'),
    isAtHand: () => false,
    readText: (file) => {
      reads.push(file.id);
      const text = texts[file.id];
      return text === undefined ? Promise.reject(new Error('offline')) : Promise.resolve(text);
    },
  };
  return { source, reads, changed: () => listeners.forEach((listener) => listener()) };
}

/** Resolves once `check` holds, trying after each change of the indexer. */
function until(indexer: SearchIndexer, check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (check()) return resolve();
    const off = indexer.subscribe(() => {
      if (!check()) return;
      off();
      resolve();
    });
  });
}

describe('the search indexer', () => {
  it('builds the index from scratch when none is saved, and saves it a little after the last change', async () => {
    const { store } = sealedStore();
    const indexer = new SearchIndexer({ store, saveDelayMs: 10 });
    indexer.noteDocument('d1', { title: 'Budget', text: 'espresso machine', kind: 'document' });
    expect(await indexer.opened).toBe('missing');
    expect(indexer.search('espresso').map((hit) => hit.id)).toEqual(['d1']);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await indexer.flush();
    const reopened = new SearchIndexer({ store });
    expect(await reopened.opened).toBe('loaded');
    expect(reopened.hasDocument('d1')).toBe(true);
    expect(reopened.hasDocument('d1', 'Budget')).toBe(true);
    // Renamed on this device after the index was saved: the saved entry is stale, and the document is read again.
    expect(reopened.hasDocument('d1', 'Budget 2027')).toBe(false);
    expect(reopened.search('espresso').map((hit) => hit.id)).toEqual(['d1']);
  });

  it('indexes the Drive’s names with their folder, the content of text files, and takes out what is trashed', async () => {
    const { store } = sealedStore();
    const folder: DriveNode = { id: 'f1', kind: 'folder', name: 'Trips', parent: null, createdAt: 0, trashedAt: null };
    const nodes: DriveNode[] = [folder, fileNode('t1', 'lisbon.txt', 1, 'f1'), fileNode('p1', 'photo.jpg')];
    const drive = fakeDrive(nodes, { t1: 'The tram to Belém.' });
    const indexer = new SearchIndexer({ store, driveDelayMs: 1 });
    indexer.followDrive(drive.source);
    await until(indexer, () => indexer.search('belem').length === 1);
    expect(indexer.search('belem')[0]).toMatchObject({
      id: 't1',
      kind: 'file',
      where: 'Trips',
      line: 'The tram to Belém.',
    });
    expect(indexer.search('photo').map((hit) => hit.id)).toEqual(['p1']);
    expect(indexer.search('trips').map((hit) => hit.id)).toEqual(['f1']);
    expect(drive.reads).toEqual(['t1']);

    // The folder goes to the trash (the space lists it no more), with what it holds.
    nodes.splice(0, 2);
    drive.changed();
    await until(indexer, () => indexer.search('trips').length === 0);
    expect(indexer.search('belem')).toEqual([]);
    expect(indexer.search('photo').length).toBe(1);
  });

  it('reads a file’s content again only for a new version, and leaves a file it cannot read under its name', async () => {
    const { store } = sealedStore();
    const nodes: DriveNode[] = [fileNode('t1', 'notes.txt'), fileNode('t2', 'away.txt')];
    const texts: Record<string, string> = { t1: 'first draft' };
    const drive = fakeDrive(nodes, texts);
    const indexer = new SearchIndexer({ store, driveDelayMs: 1 });
    indexer.followDrive(drive.source);
    await until(indexer, () => indexer.search('draft').length === 1 && indexer.pending === 0);
    expect(indexer.search('away').map((hit) => hit.id)).toEqual(['t2']);
    drive.changed();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(drive.reads.filter((id) => id === 't1')).toEqual(['t1']);
    texts.t1 = 'second version';
    nodes[0] = fileNode('t1', 'notes.txt', 2);
    drive.changed();
    await until(indexer, () => indexer.search('second').length === 1);
    expect(indexer.search('draft')).toEqual([]);
  });

  it('forgets a document, and the documents the relay no longer lists', async () => {
    const { store } = sealedStore();
    const indexer = new SearchIndexer({ store });
    await indexer.opened;
    indexer.noteDocument('d1', { title: 'One', text: 'apples', kind: 'document' });
    indexer.noteDocument('d2', { title: 'Two', text: 'apples', kind: 'note' });
    indexer.noteDocument('d3', { title: 'Three', text: 'apples', kind: 'document' });
    indexer.forget('d1');
    indexer.keepDocuments(new Set(['d2']));
    expect(indexer.search('apples').map((hit) => hit.id)).toEqual(['d2']);
    await indexer.close();
  });

  it('starts afresh from a saved index that does not open', async () => {
    const { database, store } = sealedStore();
    const index = SearchIndex.empty();
    index.put(item('a', 'Old', 'stale'));
    await store.save(index);
    for (const row of await database.keyring.toArray())
      await database.keyring.put({ id: row.id, sealed: new Uint8Array(40) });
    const indexer = new SearchIndexer({ store });
    expect(await indexer.opened).toBe('unreadable');
    expect(indexer.size).toBe(0);
  });
});
