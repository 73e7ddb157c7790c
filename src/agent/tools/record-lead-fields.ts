import { z } from 'zod';
import { defineTool } from './agent-tool.ts';

export const recordLeadFields = defineTool({
  name: 'record_lead_fields',
  description:
    "Store what the customer told you about themselves, as the profile's lead fields, e.g. { fields: { budget: '5000 USD' } }. Only record what the customer actually said.",
  arguments: z.object({
    fields: z
      .record(
        z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'field names are lowercase letters, digits and _'),
        z.string().max(300),
      )
      .refine((fields) => Object.keys(fields).length > 0, 'give at least one field'),
  }),
  async run(environment, args) {
    return { leadFields: await environment.mergeLeadFields(args.fields) };
  },
});
