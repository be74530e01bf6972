#!/usr/bin/env node
// 证书助手 (certhall-assistant). Installed on its own (npm pack / npm install), it runs the bundle in
// dist/; inside the certhall workspace it runs the TypeScript sources through tsx, with no build step.
import { existsSync } from "node:fs";

let main;
if (existsSync(new URL("../src/cli.ts", import.meta.url))) {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/cli.ts"));
} else {
  ({ main } = await import("../dist/cli.mjs"));
}
process.exitCode = await main(process.argv.slice(2), process.env);
