import { createContext, type ReactNode, useContext, useSyncExternalStore } from 'react';
import type { AccountController, AccountState, SignedInState } from './AccountController.ts';

const AccountContext = createContext<AccountController | null>(null);

export function AccountProvider({ controller, children }: { controller: AccountController; children: ReactNode }) {
  return <AccountContext.Provider value={controller}>{children}</AccountContext.Provider>;
}

export function useAccountController(): AccountController {
  const controller = useContext(AccountContext);
  if (!controller) throw new Error('useAccountController() outside <AccountProvider>');
  return controller;
}

/** The account state; re-renders on every change. */
export function useAccountState(): AccountState {
  const controller = useAccountController();
  return useSyncExternalStore(controller.subscribe, controller.getState);
}

/**
 * The signed-in account, its session and the local vault key. Only for
 * components rendered inside the signed-in layout.
 */
export function useSignedIn(): SignedInState {
  const state = useAccountState();
  if (state.status !== 'signed-in') throw new Error('useSignedIn() while not signed in');
  return state;
}
