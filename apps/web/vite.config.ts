import react from "@vitejs/plugin-react";
import { defineConfig, type PluginOption } from "vite";

// The API server listens on :3000 in development; the SPA proxies /api and /pki to it so cookies
// (session, CSRF double-submit) stay same-origin exactly as in production, where the server serves dist/.
const apiTarget = process.env.CERTHALL_API ?? "http://localhost:3000";

export default defineConfig({
  // @vitejs/plugin-react is hoisted to the root and types itself against the root vite (vitest's,
  // rolldown-based); this app builds with its own vite 7. The plugin works with both at run time, only
  // the two Plugin types differ, hence the cast.
  plugins: [react() as unknown as PluginOption],
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
        manualChunks: {
          antd: ["antd", "@ant-design/icons"],
          react: ["react", "react-dom", "react-router", "@tanstack/react-query"],
        },
      },
    },
  },
});
