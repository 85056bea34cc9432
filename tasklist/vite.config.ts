import { defineConfig } from 'vite';

// Relative base: `cadenza serve` mounts the built files at /tasklist/, and any other prefix works unchanged.
export default defineConfig({
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2048 },
  server: { proxy: { '/v1': 'http://127.0.0.1:8080', '/auth': 'http://127.0.0.1:8080' } },
});
