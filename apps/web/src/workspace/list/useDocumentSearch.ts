import { useEffect, useState } from 'react';
import type { AccountWorkspace, DocumentListing } from '../AccountWorkspace.ts';

/**
 * The search box's query, and the documents this tab still reads for it:
 * those without a title on this device are read at once; once a search is
 * typed, those the search index does not hold yet (from this session or
 * an earlier one), one at a time. `indexing` counts those left.
 */
export function useDocumentSearch(
  workspace: AccountWorkspace,
  listing: DocumentListing | null,
): { query: string; setQuery: (query: string) => void; indexing: number } {
  const [query, setQuery] = useState('');
  const [indexing, setIndexing] = useState(0);
  const wantText = query.trim() !== '';

  useEffect(() => {
    if (!listing) return;
    let current = true;
    void (async () => {
      await workspace.search.opened;
      const unread = listing.documents.filter(
        (document) =>
          !workspace.summary(document.id) &&
          (document.title === '' || (wantText && !workspace.search.hasDocument(document.id, document.title))),
      );
      for (const [index, document] of unread.entries()) {
        if (!current || workspace.closed) break;
        setIndexing(unread.length - index);
        await workspace.read(document.id).catch(() => null);
      }
      if (current) setIndexing(0);
    })();
    return () => {
      current = false;
      setIndexing(0);
    };
  }, [workspace, listing, wantText]);

  return { query, setQuery, indexing };
}
