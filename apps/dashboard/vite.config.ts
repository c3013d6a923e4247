import { defineConfig } from 'vite';

/**
 * The dashboard is a static bundle the gateway serves at `/`: no dev server
 * is needed to use it, no CDN, no inline script (the gateway's CSP forbids
 * one). `src/index.html` is the entry; the build lands in `dist/`.
 */
export default defineConfig({
  root: 'src',
  base: '/',
  publicDir: false,
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
});
