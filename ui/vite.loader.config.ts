// The widget's loader script (`dist/widget.js`): one small IIFE, no framework, built after the
// apps into the same folder.
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    lib: { entry: 'src/widget/loader.ts', formats: ['iife'], name: 'FrontdeskWidget', fileName: () => 'widget.js' },
  },
});
