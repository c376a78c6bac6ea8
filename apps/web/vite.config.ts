import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/** Where `pnpm --filter @coffre/web dev` sends API and sync traffic (the relay of `./run start` by default). */
const relay = process.env.COFFRE_RELAY_URL ?? 'http://127.0.0.1:8787';

export default defineConfig({
  plugins: [react()],
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
});
