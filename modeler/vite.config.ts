import { defineConfig } from 'vite';

// Relative base: the built files are served under /modeler/ by `cadenza serve`, or from any other prefix.
export default defineConfig({
  base: './',
  build: { outDir: 'dist', chunkSizeWarningLimit: 4096 },
});
