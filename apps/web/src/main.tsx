import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ready } from '@coffre/crypto';
import { AccountController } from './account/AccountController.ts';
import { deriveKeysInWorker } from './account/deriveKeysInWorker.ts';
import { AccountProvider } from './account/AccountContext.tsx';
import { App } from './App.tsx';
import { fetchRelayConfig } from './relay/fetchRelayConfig.ts';
import { StartingScreen } from './screens/StartingScreen.tsx';
import { SessionVault, WEB_DATABASE_NAME } from './session/SessionVault.ts';
import './styles/app.css';
import './pwa/startServiceWorker.ts';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root');
const root = createRoot(container);
root.render(<StartingScreen />);

/** The relay serving this page is the one the app talks to (the Vite dev server proxies it). */
const baseUrl = window.location.origin;

async function start(): Promise<void> {
  const [, vault, config] = await Promise.all([
    ready(),
    SessionVault.open(WEB_DATABASE_NAME, { deriveKeys: deriveKeysInWorker }),
    fetchRelayConfig(baseUrl),
  ]);
  const controller = new AccountController({ baseUrl, vault, deriveKeys: deriveKeysInWorker });
  await controller.start();
  root.render(
    <StrictMode>
      <AccountProvider controller={controller}>
        <App config={config} />
      </AccountProvider>
    </StrictMode>,
  );
}

start().catch((error: unknown) => {
  console.error(error);
  root.render(
    <StartingScreen failure="Coffre could not start in this browser: it needs IndexedDB and WebAssembly, which private windows of some browsers turn off." />,
  );
});
