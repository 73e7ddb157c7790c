const DAY_MS = 24 * 60 * 60 * 1000;

/** Warn this long before a version is retired: a quarter is enough to test and switch. */
export const VERSION_WARNING_MS = 90 * DAY_MS; // 90 days

/**
 * Graph API versions Meta has published: the release date and, where Meta announced it, the last day it
 * is available (Meta's Graph API changelog, cloud-api-details.md §5.10). A version lives about two years;
 * where Meta has not announced the end yet, it is taken as two years after release. Add a row when Meta
 * publishes a version.
 */
export const graphApiVersions: ReadonlyArray<{
  version: string;
  releasedOn: string;
  availableUntil: string | null;
}> = [
  { version: 'v19.0', releasedOn: '2024-01-23', availableUntil: '2026-05-21' },
  { version: 'v20.0', releasedOn: '2024-05-21', availableUntil: '2026-09-24' },
  { version: 'v21.0', releasedOn: '2024-10-02', availableUntil: '2027-01-21' },
  { version: 'v22.0', releasedOn: '2025-01-21', availableUntil: '2027-05-20' },
  { version: 'v23.0', releasedOn: '2025-05-29', availableUntil: '2027-10-08' },
  { version: 'v24.0', releasedOn: '2025-10-08', availableUntil: '2028-02-18' },
  { version: 'v25.0', releasedOn: '2026-02-18', availableUntil: '2028-07-29' },
  { version: 'v26.0', releasedOn: '2026-07-29', availableUntil: null },
];

export interface VersionRetirement {
  version: string;
  releasedAt: number | null;
  /** Epoch ms of the first day Meta no longer serves it; null for a version we do not know. */
  retiresAt: number | null;
  /** Whether the date is Meta's announcement or our release + 2 years estimate. */
  isEstimate: boolean;
  status: 'ok' | 'warning' | 'critical' | 'unknown';
  summary: string;
}

const day = (isoDate: string) => Date.parse(`${isoDate}T00:00:00Z`);

function addYears(ms: number, years: number): number {
  const date = new Date(ms);
  date.setUTCFullYear(date.getUTCFullYear() + years);
  return date.getTime();
}

/** When `version` stops working, and whether that is close enough (90 days) to warn, at `nowMs`. */
export function versionRetirement(version: string, nowMs: number): VersionRetirement {
  const known = graphApiVersions.find((row) => row.version === version);
  if (!known) {
    return {
      version,
      releasedAt: null,
      retiresAt: null,
      isEstimate: true,
      status: 'unknown',
      summary: `Graph API ${version} is not in our table of versions; check Meta's changelog for its end date`,
    };
  }
  const releasedAt = day(known.releasedOn);
  // "Available until" is the last day: it is retired the day after.
  const retiresAt =
    known.availableUntil === null ? addYears(releasedAt, 2) : day(known.availableUntil) + DAY_MS;
  const isEstimate = known.availableUntil === null;
  const when = new Date(retiresAt).toISOString().slice(0, 10);
  const about = isEstimate ? 'about ' : '';
  if (nowMs >= retiresAt) {
    return {
      version,
      releasedAt,
      retiresAt,
      isEstimate,
      status: 'critical',
      summary: `Graph API ${version} was retired on ${about}${when}: move to a newer version (GRAPH_API_VERSION)`,
    };
  }
  if (retiresAt - nowMs <= VERSION_WARNING_MS) {
    return {
      version,
      releasedAt,
      retiresAt,
      isEstimate,
      status: 'warning',
      summary: `Graph API ${version} is retired on ${about}${when}: move to a newer version before then`,
    };
  }
  return {
    version,
    releasedAt,
    retiresAt,
    isEstimate,
    status: 'ok',
    summary: `Graph API ${version}, served until ${about}${when}`,
  };
}
