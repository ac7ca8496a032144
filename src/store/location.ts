/**
 * What a store location names: `postgres://` or `postgresql://` is PostgreSQL; `sqlite:<path>` or a
 * bare path, a SQLite file. No imports, so the config can read a location without loading a driver.
 */

/** The SQLite file a location names, or undefined when it is a PostgreSQL URL. */
export function sqliteFileAt(location: string): string | undefined {
  if (/^postgres(ql)?:\/\//i.test(location)) return undefined;
  return location.startsWith('sqlite:') ? location.slice('sqlite:'.length) : location;
}
