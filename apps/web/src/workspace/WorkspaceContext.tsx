import { type ReactNode, createContext, useContext, useEffect, useState, useSyncExternalStore } from 'react';
import type { AccountClient } from '@coffre/client';
import { AccountWorkspace } from './AccountWorkspace.ts';

const WorkspaceContext = createContext<AccountWorkspace | null>(null);

export interface WorkspaceProviderProps {
  account: AccountClient;
  vaultKey: Uint8Array;
  children: ReactNode;
}

/**
 * One {@link AccountWorkspace} per signed-in session: opened when the
 * signed-in layout mounts, closed (database closed, decrypted text dropped)
 * when it unmounts, which is what signing out does.
 */
export function WorkspaceProvider({ account, vaultKey, children }: WorkspaceProviderProps) {
  const [workspace, setWorkspace] = useState<AccountWorkspace | null>(null);
  useEffect(() => {
    const opened = new AccountWorkspace({ account, vaultKey, baseUrl: window.location.origin });
    setWorkspace(opened);
    return () => {
      setWorkspace(null);
      opened.close();
    };
    // The vault key does not change during a session; the account client does (a new sign-in).
  }, [account]);
  if (!workspace) return null;
  return <WorkspaceContext.Provider value={workspace}>{children}</WorkspaceContext.Provider>;
}

export function useAccountWorkspace(): AccountWorkspace {
  const workspace = useContext(WorkspaceContext);
  if (!workspace) throw new Error('useAccountWorkspace() outside <WorkspaceProvider>');
  return workspace;
}

/** Re-renders when decrypted titles or texts change. */
export function useWorkspaceVersion(workspace: AccountWorkspace): number {
  return useSyncExternalStore(workspace.subscribe, workspace.getVersion);
}
