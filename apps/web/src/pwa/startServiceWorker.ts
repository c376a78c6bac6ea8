import { registerServiceWorker } from './registerServiceWorker.ts';

// Imported for this effect by main.tsx: the app shell kept on the device, so Coffre starts offline.
registerServiceWorker();
