import { randomUUID } from "node:crypto";

/** Injected wherever time matters (code expiry, lockouts), so tests can move it. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

export const iso = (d: Date): string => d.toISOString();
export const addSeconds = (d: Date, s: number): Date => new Date(d.getTime() + s * 1000);
export const newId = (): string => randomUUID();
