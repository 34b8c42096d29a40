// The console's build: a React app served by the API server at /console.
// `npm run web:dev` serves it with hot reload and hands /v1 to the API
// (ALIMI_API_URL, default http://localhost:3000), so the session cookie is
// the page's own.
import path from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const web = import.meta.dirname;
const api = process.env.ALIMI_API_URL ?? "http://localhost:3000";

export default defineConfig({
  root: web,
  base: "/console/",
  plugins: [react()],
  build: {
    outDir: path.join(web, "dist"),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    proxy: { "/v1": { target: api, changeOrigin: true } },
    // The SDK lives beside the console, in ../sdk.
    fs: { allow: [path.join(web, "..")] },
  },
});
