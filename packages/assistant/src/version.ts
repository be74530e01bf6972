import { readFileSync } from "node:fs";

/** The package's own version, as the self-check page shows it. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;
