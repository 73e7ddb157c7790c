import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Meta's and other projects' public sample bodies live beside the repository, in ../shared/fixtures, and are
 * never copied into it. A plain clone has no ../shared: the tests that read them are then skipped, with this
 * message, and the rest of the suite (which carries its own generated bodies) runs as usual.
 */
export const SHARED_FIXTURES = new URL('../../../shared/fixtures/', import.meta.url);

export const hasSharedFixtures = existsSync(fileURLToPath(SHARED_FIXTURES));

if (!hasSharedFixtures) {
  console.warn(
    `${fileURLToPath(SHARED_FIXTURES)} is missing: the tests that read Meta's public sample bodies are skipped. ` +
      'Put the shared folder beside the repository (../shared) to run them.',
  );
}

/** The `.json` files of a folder of the shared fixtures, sorted; none when the fixtures are missing. */
export function sharedFixtureFiles(folder: URL): string[] {
  if (!hasSharedFixtures || !existsSync(fileURLToPath(folder))) return [];
  return readdirSync(folder)
    .filter((file) => file.endsWith('.json'))
    .sort();
}
