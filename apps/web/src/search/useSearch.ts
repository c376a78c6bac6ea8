import { useDeferredValue, useEffect, useMemo, useSyncExternalStore } from 'react';
import type { AccountWorkspace } from '../workspace/AccountWorkspace.ts';
import type { KindFilter } from '../workspace/list/documentListModel.ts';
import type { SearchHit, SearchKind } from './SearchIndex.ts';

export interface SearchState {
  /** The documents and notes found, best first (null when no search is typed). */
  documents: readonly SearchHit[] | null;
  /** The files and folders of the Drive found, best first. */
  files: readonly SearchHit[];
  /** Files whose content is still being read for the index. */
  pending: number;
}

const KINDS: Record<KindFilter, readonly SearchKind[]> = {
  all: ['document', 'note', 'file', 'folder'],
  document: ['document'],
  note: ['note'],
};

/**
 * The search box's results from the workspace's index. While the box has
 * the focus or a query, the Drive is opened (once for the session) so its
 * names and file contents join the index.
 */
export function useSearch(
  workspace: AccountWorkspace,
  query: string,
  filter: KindFilter,
  wanted: boolean,
): SearchState {
  const { search } = workspace;
  const version = useSyncExternalStore(search.subscribe, search.getVersion);

  useEffect(() => {
    if (!wanted) return;
    // Offline before the Drive was ever opened here: documents are still found.
    workspace.drive().catch(() => undefined);
  }, [workspace, wanted]);

  // Typing stays ahead of the results: a search over a large index runs when React has time for it.
  const deferred = useDeferredValue(query);
  const hits = useMemo(
    () => (deferred.trim() === '' ? null : search.search(deferred, KINDS[filter])),
    // `version` changes whenever the index does.
    [search, deferred, filter, version],
  );
  return {
    documents: hits?.filter((hit) => hit.kind === 'document' || hit.kind === 'note') ?? null,
    files: hits?.filter((hit) => hit.kind === 'file' || hit.kind === 'folder') ?? [],
    pending: search.pending,
  };
}
