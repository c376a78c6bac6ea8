/**
 * The baseline relay: plain Hocuspocus on plain Yjs, with the usual
 * persistence (the merged Yjs state written on the debounced
 * onStoreDocument, to a file per document). Run in its own process by the
 * benchmark, like the Coffre relay.
 *
 *   node tests/bench/plainRelay.ts --port 0 --data <dir>
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as Y from 'yjs';
import { Server } from '@hocuspocus/server';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, data: { type: 'string' } } });
const dataDir = values.data ?? '.';
const fileOf = (documentName: string) => join(dataDir, `${encodeURIComponent(documentName)}.yjs`);

const server = new Server({
  port: Number(values.port),
  address: '127.0.0.1',
  quiet: true,
  stopOnSignals: true,
  async onLoadDocument({ documentName, document }) {
    try {
      Y.applyUpdate(document, await readFile(fileOf(documentName)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  },
  async onStoreDocument({ documentName, document }) {
    await writeFile(fileOf(documentName), Y.encodeStateAsUpdate(document));
  },
});
await server.listen();
console.log(JSON.stringify({ msg: 'ready', port: server.address.port }));
