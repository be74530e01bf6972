import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { precompress } from "./precompress";

// The API server listens on :3000 in development; the SPA proxies /api and /pki to it so cookies
// (session, CSRF double-submit) stay same-origin exactly as in production, where the server serves dist/.
const apiTarget = process.env.CERTHALL_API ?? "http://localhost:3000";

export default defineConfig({
  // vite 8 (Rolldown), the same copy vitest uses: with a second, nested vite 7 the hoisted
  // @vitejs/plugin-react saw the root vite 8, switched to Rolldown's built-in refresh transform and the
  // dev server answered 500 for every module.
  // precompress: .br and .gz beside every text asset, served as they are by the server (apps/server app.ts).
  plugins: [react(), precompress()],
  server: {
    proxy: {
      "/api": { target: apiTarget, changeOrigin: false },
      "/pki": { target: apiTarget, changeOrigin: false },
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // The reports chunk (echarts, loaded only by 报表) is the one above the default 500 kB.
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      output: {
        // React and the router change less often than our pages: their own chunk stays cached across
        // deployments. antd is deliberately NOT one chunk: each page group's chunk (app/pages.tsx) carries
        // the antd components it uses, so the login page does not download the tables, date pickers and
        // trees of the back office.
        // Function form: understood by Rollup (vite 7) and Rolldown (vite 8) alike.
        manualChunks(id: string) {
          if (/node_modules\/(react|react-dom|react-router|scheduler|@tanstack)\//.test(id)) return "react";
          return undefined;
        },
      },
    },
  },
});
