import { defaultClientConditions, defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { coffrePwa } from './src/pwa/pwaPlugin.ts';

/** Where `pnpm --filter @coffre/web dev` sends API and sync traffic (the relay of `./run start` by default). */
const relay = process.env.COFFRE_RELAY_URL ?? 'http://127.0.0.1:8787';

export default defineConfig(({ command }) => ({
  plugins: [react(), coffrePwa()],
  // Automerge's browser entry imports its .wasm as an ES module, which the build handles and the dev
  // server does not; in development its `webpack` entry (the same code, WebAssembly inlined) is used.
  resolve: command === 'serve' ? { conditions: ['webpack', ...defaultClientConditions] } : {},
  // The Argon2id worker is started with `type: 'module'` (account/deriveKeysInWorker.ts).
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The relay's Content-Security-Policy allows no inline script, so no inline polyfill either.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2048,
  },
  server: {
    port: 5173,
    strictPort: false,
    proxy: {
      '/v1': { target: relay, changeOrigin: false },
      '/openapi.json': { target: relay },
      '/healthz': { target: relay },
      '/sync': { target: relay.replace(/^http/, 'ws'), ws: true },
    },
  },
}));
