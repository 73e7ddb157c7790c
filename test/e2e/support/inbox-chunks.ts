export type ManifestChunk = {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  src?: string;
};

/**
 * What the inbox loads before it can show anything: the entry chunk, the inbox screen's chunk (the one
 * the router loads for /inbox), and every chunk those import statically, followed transitively. Lazy
 * imports (the charts, other screens) are left out: they load only when used.
 */
export function inboxInitialChunks(manifest: Record<string, ManifestChunk>): string[] {
  const files = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  const entry = Object.keys(manifest).find((key) => manifest[key]!.isEntry);
  const inbox = Object.keys(manifest).find((key) => key.endsWith('screens/inbox/inbox-screen.tsx'));
  if (!entry || !inbox) throw new Error('the manifest has no entry or no inbox chunk: is the build current?');
  visit(entry);
  visit(inbox);
  return [...files].filter((file) => file.endsWith('.js'));
}
