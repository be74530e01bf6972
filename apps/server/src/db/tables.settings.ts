/** Admin-edited platform settings (migration 0007). Same portability rules as tables.ts. */
export interface PlatformSettingsTable {
  key: string;
  /** The value as text; modules/settings parses and checks it. */
  value: string;
  updated_at: string;
  /** The staff id of the last edit, null for the migration's default. */
  updated_by: string | null;
}

export interface SettingsTables {
  platform_settings: PlatformSettingsTable;
}
