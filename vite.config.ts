import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';
import { UI_OVERLAY_LIST, UI_PAGE_LIST } from './src/web/pages.js';

export default defineConfig({
  root: 'ui',
  plugins: [preact()],
  // the UI's pages as the server lists them (the UI imports only types from src/)
  define: { __LURK_UI_PAGES__: JSON.stringify(UI_PAGE_LIST), __LURK_UI_OVERLAYS__: JSON.stringify(UI_OVERLAY_LIST) },
  build: {
    outDir: '../dist/ui',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', ws: true },
    },
  },
});
