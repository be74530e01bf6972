/** Login lockouts and named locks (migration 0008). Same portability rules as tables.ts. */
export interface LoginLockoutsTable {
  /** SHA-256 of `realm:identifier` (the phone or username as typed), known or not. */
  key: string;
  failed_logins: number;
  locked_until: string | null;
  updated_at: string;
}

/** Rows a transaction updates first to queue behind any other transaction holding the same name. */
export interface LocksTable {
  name: string;
}

export interface AuthTables {
  login_lockouts: LoginLockoutsTable;
  locks: LocksTable;
}
