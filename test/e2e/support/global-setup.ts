import { buildDashboard } from '../../../src/dashboard/build-dashboard.ts';

/** Builds the dashboard once for all browser tests (only when its sources changed since the last build). */
export default async function setup(): Promise<void> {
  await buildDashboard({ log: (line) => process.stderr.write(`${line}\n`) });
}
