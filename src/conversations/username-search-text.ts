/**
 * The text a search looks for inside a contact's username, lowercased, or null when the search cannot be
 * part of one. People type a username as they see it, with or without the leading `@` ("@ana.lima",
 * "ana.lima"); Meta's `profile.username` comes without it. A username has no spaces, so "Ana Lima" gives
 * none. Usernames are matched without case, as WhatsApp shows them.
 */
export function usernameSearchText(search: string): string | null {
  const text = search.trim().replace(/^@/, '').toLowerCase();
  if (text.length === 0 || /\s/.test(text)) return null;
  return text;
}
