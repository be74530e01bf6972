import { NO_EFFECTS, type ServerBusiness } from "./define";

/** 解锁: the medium's PIN is unlocked; no certificate changes (modules/unlock). */
export const unlock = { code: "unlock", lineage: null, ...NO_EFFECTS } satisfies ServerBusiness<"unlock">;
