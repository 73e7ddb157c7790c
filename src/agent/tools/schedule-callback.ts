import { z } from 'zod';
import { timeZoneSchema } from '../agent-profile-schema.ts';
import { defineTool, ToolError } from './agent-tool.ts';

const MAX_AHEAD_MS = 366 * 24 * 60 * 60_000; // a year: further out, the lead is gone anyway
const PAST_GRACE_MS = 5 * 60_000; // "call me now" said a few minutes ago is still fine

export const scheduleCallback = defineTool({
  name: 'schedule_callback',
  description:
    "Book a call back at the time the customer agreed, as ISO 8601 with the customer's UTC offset (2026-01-14T15:00:00-03:00), and their IANA time zone if known. Only a time the customer said: if they gave no day or no hour, ask them first; never pick one for them.",
  arguments: z.object({
    at: z.iso.datetime({ offset: true }),
    timeZone: timeZoneSchema.optional(),
    note: z.string().max(500).optional(),
  }),
  async run(environment, args) {
    const scheduledAt = Date.parse(args.at);
    if (scheduledAt < environment.now - PAST_GRACE_MS) {
      throw new ToolError(`${args.at} is in the past; now is ${new Date(environment.now).toISOString()}`);
    }
    if (scheduledAt > environment.now + MAX_AHEAD_MS)
      throw new ToolError(`${args.at} is more than a year ahead`);
    const timeZone =
      args.timeZone ?? environment.customerTimeZone ?? environment.profile.businessHours?.timeZone ?? 'UTC';
    const callback = await environment.scheduleCallback({ scheduledAt, timeZone, note: args.note ?? null });
    return {
      callbackId: callback.id,
      scheduledAt: callback.scheduledAt,
      localTime: callback.localTime,
      timeZone,
    };
  },
});
