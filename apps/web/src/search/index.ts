// The search index's pieces that run outside the browser too (the benchmark, tests/bench/search.ts).
export { type SearchHit, type SearchItem, type SearchKind, SEARCH_INDEX_SCHEMA, SearchIndex } from './SearchIndex.ts';
export { type LoadOutcome, PART_CHARACTERS, SealedSearchIndex } from './SealedSearchIndex.ts';
export { matchesQuery, normalizeForSearch } from '../workspace/searchDocuments.ts';
