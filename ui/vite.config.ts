import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  plugins: [svelte()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 200 },
  // `npm run dev` talks to a host desk started with `frontdesk serve` on the default port.
  server: { proxy: { '/api': 'http://127.0.0.1:7878', '/health': 'http://127.0.0.1:7878' } },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
