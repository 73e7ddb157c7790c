const COLORS = ['#0f766e', '#7c3aed', '#c2410c', '#0369a1', '#be185d', '#4d7c0f', '#a16207', '#334155'];

/** Initials on a color picked from the name, so a person keeps their color across screens. */
export function Avatar({ name, size = 40 }: { name: string; size?: number }) {
  const initials =
    name
      .replace(/[^\p{L}\p{N} ]/gu, '')
      .split(' ')
      .filter(Boolean)
      .slice(0, 2)
      .map((word) => word[0]!.toUpperCase())
      .join('') || '#';
  let hash = 0;
  for (const character of name) hash = (hash * 31 + character.charCodeAt(0)) >>> 0;
  return (
    <span
      className="avatar"
      aria-hidden="true"
      style={{ background: COLORS[hash % COLORS.length], width: size, height: size, fontSize: size * 0.36 }}
    >
      {initials}
    </span>
  );
}
