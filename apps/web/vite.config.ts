import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The API server listens on :3000 in development; the SPA proxies /api and /pki to it so cookies
// (session, CSRF double-submit) stay same-origin exactly as in production, where the server serves dist/.
const apiTarget = process.env.CERTHALL_API ?? "http://localhost:3000";

export default defineConfig({
  // vite 8 (Rolldown), the same copy vitest uses: with a second, nested vite 7 the hoisted
  // @vitejs/plugin-react saw the root vite 8, switched to Rolldown's built-in refresh transform and the
  // dev server answered 500 for every module.
  plugins: [react()],
  server: {
    proxy: {
      "/api": { target: apiTarget, changeOrigin: false },
      "/pki": { target: apiTarget, changeOrigin: false },
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        // antd + icons are most of the bytes and change less often than our pages: a separate chunk
        // keeps them cached across deployments.
        // Function form: understood by Rollup (vite 7) and Rolldown (vite 8) alike.
        manualChunks(id: string) {
          if (!id.includes("node_modules")) return undefined;
          if (/node_modules\/(antd|@ant-design|@rc-component|rc-[\w-]+)\//.test(id)) return "antd";
          if (/node_modules\/(react|react-dom|react-router|scheduler|@tanstack)\//.test(id)) return "react";
          return undefined;
        },
      },
    },
  },
});
