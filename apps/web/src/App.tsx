import { useEffect } from 'react';
import { useAccountState } from './account/AccountContext.tsx';
import { AppLayout } from './layout/AppLayout.tsx';
import type { RelayConfig } from './relay/fetchRelayConfig.ts';
import { documentIdOf, fileIdOf, routes } from './router/routes.ts';
import { navigate, useHashLocation } from './router/useHashLocation.ts';
import { FilesScreen } from './files/FilesScreen.tsx';
import { DevicesScreen } from './screens/DevicesScreen.tsx';
import { DocumentScreen } from './screens/DocumentScreen.tsx';
import { DocumentsScreen } from './screens/DocumentsScreen.tsx';
import { LinkScreen } from './screens/LinkScreen.tsx';
import { LogInScreen } from './screens/LogInScreen.tsx';
import { MembersScreen } from './screens/MembersScreen.tsx';
import { NotFoundScreen } from './screens/NotFoundScreen.tsx';
import { SecurityScreen } from './screens/SecurityScreen.tsx';
import { SignUpScreen } from './screens/SignUpScreen.tsx';
import { UnlockScreen } from './screens/UnlockScreen.tsx';
import { StartingScreen } from './screens/StartingScreen.tsx';
import { WorkspaceProvider } from './workspace/WorkspaceContext.tsx';

function SignedInPage({ path }: { path: string }) {
  const documentId = documentIdOf(path);
  if (documentId) return <DocumentScreen key={documentId} documentId={documentId} />;
  const fileId = fileIdOf(path);
  if (fileId) return <FilesScreen key={fileId} show={fileId} />;
  switch (path) {
    case routes.documents:
      return <DocumentsScreen />;
    case routes.files:
      return <FilesScreen />;
    case routes.security:
      return <SecurityScreen />;
    case routes.devices:
      return <DevicesScreen />;
    case routes.members:
      return <MembersScreen />;
    default:
      return <NotFoundScreen />;
  }
}

/** Picks the screen from the account state and the route. */
export function App({ config }: { config: RelayConfig }) {
  const state = useAccountState();
  const path = useHashLocation();
  const signedIn = state.status === 'signed-in';
  const onAuthRoute = path === routes.logIn || path === routes.signUp;

  useEffect(() => {
    if (signedIn && onAuthRoute) navigate(routes.documents, { replace: true });
  }, [signedIn, onAuthRoute]);

  useEffect(() => {
    // The document screen names the page after the document.
    if (signedIn && documentIdOf(path)) return;
    const titles: Record<string, string> = {
      [routes.documents]: 'Documents',
      [routes.files]: 'Files',
      [routes.security]: 'Security',
      [routes.devices]: 'Devices',
      [routes.members]: 'Members',
      [routes.signUp]: 'Create your account',
      [routes.logIn]: 'Log in',
    };
    if (fileIdOf(path)) titles[path] = 'Files';
    const page =
      state.status === 'locked'
        ? 'Unlock'
        : state.status === 'signed-out' && !onAuthRoute
          ? 'Log in'
          : (titles[path] ?? 'Coffre');
    document.title = page === 'Coffre' ? 'Coffre' : `${page} · Coffre`;
  }, [path, state.status, onAuthRoute, signedIn]);

  if (path.startsWith(routes.linkPrefix)) return <LinkScreen />;
  switch (state.status) {
    case 'starting':
      return <StartingScreen />;
    case 'locked':
      return <UnlockScreen account={state.account} />;
    case 'signed-out':
      return path === routes.signUp ? (
        <SignUpScreen defaultTenant={config.defaultTenant} />
      ) : (
        <LogInScreen
          defaultTenant={state.previous?.tenant ?? config.defaultTenant}
          defaultEmail={state.previous?.email ?? ''}
          notice={state.notice}
        />
      );
    case 'signed-in':
      return (
        <AppLayout path={path}>
          <WorkspaceProvider account={state.account} vaultKey={state.vaultKey}>
            <SignedInPage path={path} />
          </WorkspaceProvider>
        </AppLayout>
      );
  }
}
