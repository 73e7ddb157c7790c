import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const appDir = fileURLToPath(new URL('.', import.meta.url));

/**
 * The dashboard's build: the React app in this folder, written to ../dist (gitignored), which Coxcox
 * serves at `/`. The manifest lets the budget test follow what the inbox loads first.
 */
export default defineConfig({
  root: appDir,
  base: '/',
  plugins: [react()],
  publicDir: fileURLToPath(new URL('./public', import.meta.url)),
  build: {
    outDir: fileURLToPath(new URL('../dist', import.meta.url)),
    emptyOutDir: true,
    manifest: true,
    target: 'es2022',
    sourcemap: false,
    // The charts chunk is larger than Vite's default warning size, and loads only on chart screens.
    chunkSizeWarningLimit: 400,
  },
  server: {
    // `npx vite -c src/dashboard/app/vite.config.ts` during development, with Coxcox on :3000.
    proxy: { '/api': 'http://localhost:3000', '/webhooks': 'http://localhost:3000' },
  },
});
