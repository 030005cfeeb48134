import { defineConfig } from "vite";

// The gateway serves dist/ (copied next to its binaries by the gateway's build).
export default defineConfig({
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
  },
});
