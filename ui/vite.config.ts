import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 200,
    // The agent app, and the chat page the widget's iframe shows (the loader has its own config).
    rollupOptions: { input: { main: 'index.html', widget: 'widget.html' } },
  },
  // `npm run dev` talks to a host desk started with `frontdesk serve` on the default port.
  server: { proxy: { '/api': 'http://127.0.0.1:7878', '/health': 'http://127.0.0.1:7878' } },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
