/**
 * What to tell a person when SQLite refuses: its own messages ("attempt to write a readonly
 * database", "database or disk is full") say what but not where or what to do. No imports, so the
 * CLI's error printer can use it without loading the database driver.
 */
export function storageHint(err: unknown, file?: string): string | null {
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  const where = file ? ` at ${file}` : '';
  if (code.startsWith('SQLITE_READONLY')) return `the database${where} is read-only: check the permissions of the file and of its folder, where SQLite also writes its -wal and -shm files`;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return `the disk holding the database${where} is full: free some space and run the command again; what was committed before is kept and the database is not damaged`;
  if (code.startsWith('SQLITE_CANTOPEN') || code === 'EACCES' || code === 'EROFS') return `the database${where} cannot be opened for writing: check that its folder exists and is writable`;
  return null;
}
