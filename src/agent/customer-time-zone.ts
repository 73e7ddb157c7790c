import { parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * The most likely IANA zone for a country calling code region, where one zone covers most people. For
 * countries spanning several zones this is the most populous one; the agent asks when it matters, and
 * schedule_callback takes the customer's own zone.
 */
const ZONE_BY_COUNTRY: Record<string, string> = {
  AR: 'America/Argentina/Buenos_Aires',
  BO: 'America/La_Paz',
  BR: 'America/Sao_Paulo',
  CA: 'America/Toronto',
  CL: 'America/Santiago',
  CO: 'America/Bogota',
  CR: 'America/Costa_Rica',
  DE: 'Europe/Berlin',
  DO: 'America/Santo_Domingo',
  EC: 'America/Guayaquil',
  ES: 'Europe/Madrid',
  FR: 'Europe/Paris',
  GB: 'Europe/London',
  GG: 'Europe/Guernsey',
  IM: 'Europe/Isle_of_Man',
  JE: 'Europe/Jersey',
  GT: 'America/Guatemala',
  HN: 'America/Tegucigalpa',
  IE: 'Europe/Dublin',
  IN: 'Asia/Kolkata',
  IT: 'Europe/Rome',
  MX: 'America/Mexico_City',
  NI: 'America/Managua',
  PA: 'America/Panama',
  PE: 'America/Lima',
  PT: 'Europe/Lisbon',
  PY: 'America/Asuncion',
  SV: 'America/El_Salvador',
  US: 'America/New_York',
  UY: 'America/Montevideo',
  VE: 'America/Caracas',
  AO: 'Africa/Luanda',
  MZ: 'Africa/Maputo',
};

/** Parsing a number takes about half a millisecond: each customer's zone is worked out once. */
const cache = new Map<string, string | null>();

/** The customer's likely time zone from their WhatsApp number, or null when the country is not known here. */
export function customerTimeZone(waId: string | null): string | null {
  if (!waId) return null;
  const cached = cache.get(waId);
  if (cached !== undefined) return cached;
  const country = parsePhoneNumberFromString(`+${waId.replace(/\D/g, '')}`)?.country;
  const zone = country ? (ZONE_BY_COUNTRY[country] ?? null) : null;
  if (cache.size >= 50_000) cache.clear();
  cache.set(waId, zone);
  return zone;
}
