/** About a paragraph or two: small enough to rank precisely, big enough to carry a whole answer. */
const TARGET_CHUNK_CHARS = 700;
const MAX_CHUNK_CHARS = 1200;

/**
 * Splits a text or Markdown document into passages for retrieval. Paragraphs stay whole where they fit;
 * each passage starts with the heading it sits under, so "Prices" still names what a bare table means.
 */
export function splitIntoChunks(body: string): string[] {
  const chunks: string[] = [];
  let heading = '';
  let current = '';
  const flush = () => {
    const text = current.trim();
    if (text !== '') chunks.push(heading ? `${heading}\n${text}` : text);
    current = '';
  };
  for (const block of body.replace(/\r\n?/g, '\n').split(/\n\s*\n/)) {
    let paragraph = block.trim();
    if (paragraph === '') continue;
    const lines = paragraph.split('\n');
    const headingMatch = /^#{1,6}\s+(.+)$/.exec(lines[0] ?? '');
    if (headingMatch) {
      flush();
      heading = headingMatch[1]!.replace(/#+$/, '').trim();
      paragraph = lines.slice(1).join('\n').trim();
      if (paragraph === '') continue;
    }
    for (const piece of pieces(paragraph)) {
      if (current.length > 0 && current.length + piece.length + 2 > TARGET_CHUNK_CHARS) flush();
      current = current ? `${current}\n\n${piece}` : piece;
    }
  }
  flush();
  // A document of headings only still says something.
  if (chunks.length === 0 && heading !== '') chunks.push(heading);
  return chunks;
}

/** A paragraph longer than a chunk is cut at sentence ends, and a sentence longer than that by length. */
function pieces(paragraph: string): string[] {
  if (paragraph.length <= MAX_CHUNK_CHARS) return [paragraph];
  const out: string[] = [];
  let current = '';
  for (const sentence of paragraph.split(/(?<=[.!?])\s+/)) {
    for (let start = 0; start < sentence.length; start += MAX_CHUNK_CHARS) {
      const part = sentence.slice(start, start + MAX_CHUNK_CHARS);
      if (current.length + part.length + 1 > MAX_CHUNK_CHARS) {
        out.push(current);
        current = '';
      }
      current = current ? `${current} ${part}` : part;
    }
  }
  if (current) out.push(current);
  return out;
}
