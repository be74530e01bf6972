#!/usr/bin/env node
// 证书助手 (certhall-assistant): runs the TypeScript sources through tsx's loader, as the rest of
// certhall does, so the package needs no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli.ts");
process.exitCode = await main(process.argv.slice(2), process.env);
