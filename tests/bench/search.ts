/**
 * The search box's index (`SearchIndex`, MiniSearch) over synthetic items
 * (10,000 by default: realistic titles and a few hundred words of text
 * each, some with accents, from a fixed seed): the time to build it, the
 * time of ~200 queries (single words, prefixes, two words, typos) at p50
 * and p95 (each the median of three runs), beside the substring matcher it replaces (`matchesQuery` over
 * every item, as the documents list did); then the index sealed with the
 * vault key into the device's `LocalDatabase` (fake-indexeddb under Node,
 * the same `Vault` and XChaCha20-Poly1305 the app uses): its size in bytes,
 * the time to save it, and to open and load it again. Prints figures and
 * ratios, then one JSON line.
 *
 *   ./run bench-search [--items N] [--seed N]
 */
import 'fake-indexeddb/auto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { generateSymmetricKey, ready } from '@coffre/crypto';
import { LocalDatabase, Vault } from '@coffre/storage';
import { SealedSearchIndex, SearchIndex, type SearchItem, matchesQuery } from '@coffre/web/search';

const { values: args } = parseArgs({
  options: { items: { type: 'string', default: '10000' }, seed: { type: 'string', default: '11' } },
});
const ITEMS = Number(args.items);

/** mulberry32: the same items and queries for the same seed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
const random = seeded(Number(args.seed));
const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;

const COMMON = `the of and to in a is that for it as was with be by on not he this are or his from at which but have an
they you were her she there been one all we their has would when if so no will more about can out up them some could what
into than then its our two time only new after year over also like work first well way even because any these people may`
  .split(/\s+/)
  .filter(Boolean);
const TOPICS =
  `budget report meeting agenda minutes invoice contract proposal roadmap design review plan hiring onboarding
quarterly annual summary notes draft research analysis strategy marketing sales revenue customer support release sprint
retrospective backlog architecture database migration security audit compliance travel expenses receipt résumé café
genève zürich münchen são paulo crème brûlée naïve coöperation façade déjà entrepôt élève projet réunion équipe`
    .split(/\s+/)
    .filter(Boolean);
const CONSONANTS = 'bcdfghjklmnprstvwz';
const VOWELS = 'aeiouy';
/** A pronounceable made-up word of 3 to 10 letters: as sparse among its neighbours (one letter off) as real words. */
function inventedWord(): string {
  const length = 3 + Math.floor(random() * 8);
  let word = '';
  for (let at = 0; word.length < length; at += 1) word += pick([...(at % 2 === 0 ? CONSONANTS : VOWELS)]);
  return word;
}
// A vocabulary of made-up words besides the real ones, drawn with a skew so some are frequent and most are rare.
const INVENTED = Array.from({ length: 8000 }, inventedWord);
const VOCABULARY = [...TOPICS, ...INVENTED];
const skewed = (): string => VOCABULARY[Math.floor(VOCABULARY.length * random() ** 2.2)] as string;

function titleOf(): string {
  const words = Array.from({ length: 2 + Math.floor(random() * 4) }, () => (random() < 0.6 ? pick(TOPICS) : skewed()));
  const title = words.join(' ');
  return `${title.charAt(0).toUpperCase()}${title.slice(1)}${random() < 0.3 ? ` ${2020 + Math.floor(random() * 8)}` : ''}`;
}

function textOf(): string {
  const lines: string[] = [];
  const count = 200 + Math.floor(random() * 300);
  let line: string[] = [];
  for (let at = 0; at < count; at += 1) {
    line.push(random() < 0.45 ? pick(COMMON) : skewed());
    if (line.length >= 8 + Math.floor(random() * 10)) {
      lines.push(`${line.join(' ')}.`);
      line = [];
    }
  }
  if (line.length > 0) lines.push(line.join(' '));
  return lines.join('\n');
}

const KINDS: SearchItem['kind'][] = ['document', 'note', 'file', 'folder'];
const items: SearchItem[] = Array.from({ length: ITEMS }, (_, at) => {
  const kind = random() < 0.6 ? 'document' : pick(KINDS);
  const text = kind === 'folder' ? '' : textOf();
  return {
    id: `item-${at}`,
    kind,
    title: titleOf(),
    text,
    where: random() < 0.5 ? 'Work / 2027' : '',
    stamp: String(at),
  };
});
const words = items.reduce((total, item) => total + item.text.split(/\s+/).length, 0);

// ~200 queries: single words, prefixes, two words that occur together, and a word with a typo.
function typo(word: string): string {
  const at = 1 + Math.floor(random() * (word.length - 2));
  const letter = 'abcdefghijklmnopqrstuvwxyz'[Math.floor(random() * 26)] as string;
  return `${word.slice(0, at)}${letter === word[at] ? 'x' : letter}${word.slice(at + 1)}`;
}
const longWord = (): string => {
  for (;;) {
    const word = skewed();
    if (word.length >= 6) return word;
  }
};
const queries: { kind: string; query: string }[] = [
  ...Array.from({ length: 60 }, () => ({ kind: 'word', query: random() < 0.3 ? pick(TOPICS) : skewed() })),
  ...Array.from({ length: 50 }, () => ({ kind: 'prefix', query: longWord().slice(0, 4) })),
  ...Array.from({ length: 50 }, () => {
    const line = pick(pick(items.filter((item) => item.text !== '')).text.split('\n'));
    const parts = line.replace('.', '').split(' ');
    const start = Math.floor(random() * Math.max(1, parts.length - 1));
    return { kind: 'two words', query: parts.slice(start, start + 2).join(' ') };
  }),
  ...Array.from({ length: 40 }, () => ({ kind: 'typo', query: typo(longWord()) })),
];

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] as number;
}
const ms = (value: number) => `${value.toFixed(2)} ms`;

await ready();

// 1. Build.
let started = performance.now();
const index = SearchIndex.empty();
for (const item of items) index.put(item);
const buildMs = performance.now() - started;

// 2. Queries: the index, then the substring matcher over the same items.
const indexTimes: number[] = [];
/** The CPU time of the process for each query (median of the three runs): what a shared machine's load does not add. */
const indexCpuTimes: number[] = [];
const baselineTimes: number[] = [];
let indexHits = 0;
let baselineHits = 0;
// Every match counted (the list shows the best 50): the same work as the list's search, scoring included.
const all = { limit: Number.POSITIVE_INFINITY };
for (const { query } of queries) index.search(query, all); // warm up
for (const { query } of queries) {
  // The median of three runs of each query: one run paused by the collector or a busy machine is not the index's time.
  const runs: number[] = [];
  const cpuRuns: number[] = [];
  for (let run = 0; run < 3; run += 1) {
    started = performance.now();
    const cpu = process.cpuUsage();
    const found = index.search(query, all).length;
    const used = process.cpuUsage(cpu);
    runs.push(performance.now() - started);
    cpuRuns.push((used.user + used.system) / 1000);
    if (run === 0) indexHits += found;
  }
  indexTimes.push(percentile(runs, 0.5));
  indexCpuTimes.push(percentile(cpuRuns, 0.5));
  started = performance.now();
  baselineHits += items.filter((item) => matchesQuery(query, item.title, item.text)).length;
  baselineTimes.push(performance.now() - started);
}
const byKind = Object.fromEntries(
  [...new Set(queries.map((query) => query.kind))].map((kind) => [
    kind,
    percentile(
      indexTimes.filter((_, at) => queries[at]?.kind === kind),
      0.5,
    ),
  ]),
);

// 3. Sealed on the device, then opened and loaded as a new session would.
const name = `bench-search-${Date.now()}`;
const key = generateSymmetricKey();
let database = new LocalDatabase(name);
started = performance.now();
await new SealedSearchIndex(database.keyring, new Vault(key)).save(index);
const saveMs = performance.now() - started;
const rows = await database.keyring.toArray();
const sealedBytes = rows.reduce((total, row) => total + row.sealed.length, 0);
database.close();
started = performance.now();
database = new LocalDatabase(name);
const { index: loaded, outcome } = await new SealedSearchIndex(database.keyring, new Vault(key)).load();
const loadMs = performance.now() - started;
if (outcome !== 'loaded' || loaded?.size !== index.size) throw new Error(`the sealed index did not load (${outcome})`);
if (loaded.search(queries[0]?.query ?? '').length !== index.search(queries[0]?.query ?? '').length) {
  throw new Error('the loaded index answers differently');
}
database.close();

const result = {
  items: ITEMS,
  words,
  queries: queries.length,
  buildMs: Math.round(buildMs),
  queryP50Ms: percentile(indexTimes, 0.5),
  queryP95Ms: percentile(indexTimes, 0.95),
  queryCpuP50Ms: percentile(indexCpuTimes, 0.5),
  queryCpuP95Ms: percentile(indexCpuTimes, 0.95),
  queryP50ByKindMs: byKind,
  baselineP50Ms: percentile(baselineTimes, 0.5),
  baselineP95Ms: percentile(baselineTimes, 0.95),
  indexHits,
  baselineHits,
  sealedBytes,
  sealedParts: rows.length - 1,
  saveMs: Math.round(saveMs),
  openLoadMs: Math.round(loadMs),
};

console.log(
  `search index over ${ITEMS} items (${words} words of text), ${queries.length} queries, seed ${args.seed}, load average ${loadavg()[0]?.toFixed(1)}`,
);
console.log(`  build                  ${ms(buildMs)}`);
console.log(`  query p50 / p95        ${ms(result.queryP50Ms)} / ${ms(result.queryP95Ms)}`);
console.log(
  `  query CPU p50 / p95    ${ms(result.queryCpuP50Ms)} / ${ms(result.queryCpuP95Ms)} (this process's CPU time)`,
);
for (const [kind, value] of Object.entries(byKind)) console.log(`    ${kind.padEnd(20)} p50 ${ms(value)}`);
const slowest = queries
  .map((query, at) => ({ ...query, ms: indexTimes[at] ?? 0 }))
  .sort((a, b) => b.ms - a.ms)
  .slice(0, 4)
  .map((query) => `“${query.query}” (${query.kind}) ${ms(query.ms)}`);
console.log(`    slowest              ${slowest.join(', ')}`);
console.log(
  `  substring p50 / p95    ${ms(result.baselineP50Ms)} / ${ms(result.baselineP95Ms)} (matchesQuery, the old matcher)`,
);
console.log(
  `  ratio (old / index)    p50 ${(result.baselineP50Ms / result.queryP50Ms).toFixed(1)}x, p95 ${(result.baselineP95Ms / result.queryP95Ms).toFixed(1)}x`,
);
console.log(`  results                ${indexHits} (index: prefixes and typos too) vs ${baselineHits} (substrings)`);
console.log(`  sealed index           ${(sealedBytes / 1024 / 1024).toFixed(1)} MiB in ${result.sealedParts} parts`);
console.log(`  save (seal + write)    ${ms(saveMs)}`);
console.log(`  open + load            ${ms(loadMs)}`);
console.log(JSON.stringify(result));
