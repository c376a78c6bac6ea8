import { useCallback, useEffect, useState } from 'react';
import { describeError } from '../../ui/describeError.ts';
import type { AccountWorkspace, DocumentListing } from '../AccountWorkspace.ts';

export type ListState =
  { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; listing: DocumentListing };

/**
 * The user's documents as the relay lists them (or as this device knows
 * them, offline), listed again on `reload()`, when the browser goes online or
 * offline, and when the tab becomes visible again.
 */
export function useDocumentIndex(workspace: AccountWorkspace): { state: ListState; reload: () => void } {
  const [state, setState] = useState<ListState>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);

  useEffect(() => {
    let current = true;
    workspace.listDocuments().then(
      (listing) => {
        if (current) setState({ status: 'ready', listing });
      },
      (caught: unknown) => {
        if (current) setState({ status: 'error', message: describeError(caught) });
      },
    );
    return () => {
      current = false;
    };
  }, [workspace, generation]);

  // Back online, or back to this tab: the relay's list may say more than this device knew.
  useEffect(() => {
    const onVisible = () => {
      if (window.document.visibilityState === 'visible') reload();
    };
    window.addEventListener('online', reload);
    window.addEventListener('offline', reload);
    window.document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.removeEventListener('online', reload);
      window.removeEventListener('offline', reload);
      window.document.removeEventListener('visibilitychange', onVisible);
    };
  }, [reload]);

  return { state, reload };
}
