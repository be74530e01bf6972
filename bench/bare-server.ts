// The limit for bench/portal.ts: a bare Fastify server with one JSON route, no database, no session,
// measured by the same load client in the same run. certhall's routes are reported as a ratio to it.
import Fastify from "fastify";

const port = Number(process.env.PORT ?? 0);
const app = Fastify({ logger: false });
app.get("/bare", async () => ({ ok: true }));
app.post("/bare", async () => ({ ok: true }));
await app.listen({ port, host: "127.0.0.1" });
console.log(`READY ${(app.server.address() as { port: number }).port}`);
