import type { FastifyReply } from "fastify";

/** Vite names every file under /assets/ by a hash of its content: a changed file gets a new name. */
export const IMMUTABLE = "public, max-age=31536000, immutable";
/** index.html (and the few unhashed files): cached, but asked again every time, so a deployment shows at once. */
export const REVALIDATE = "no-cache";

/** The Cache-Control for a file of the web build, by its path (with or without a .br/.gz suffix). */
export function webCacheControl(filePath: string): string {
  return /[\\/]assets[\\/][^\\/]+$/.test(filePath) ? IMMUTABLE : REVALIDATE;
}

/**
 * @fastify/static options for the built web app: the .br/.gz copies written at build time
 * (apps/web/precompress.ts) go to browsers that accept them, hashed assets are cached for a year and
 * never revalidated, index.html is revalidated on every load.
 */
export function webStaticOptions(root: string) {
  return {
    root,
    wildcard: false,
    index: false as const,
    preCompressed: true,
    // setHeaders runs after @fastify/send's own Cache-Control, so this one is what is sent.
    setHeaders: (reply: FastifyReply, filePath: string) => {
      reply.header("cache-control", webCacheControl(filePath));
    },
  };
}

/** A request for a file of the build's assets/ directory (which exists only when the web app is served). */
export function isWebAsset(url: string): boolean {
  return url.startsWith("/assets/");
}
