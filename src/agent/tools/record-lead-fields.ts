import { z } from 'zod';
import { defineTool } from './agent-tool.ts';

export const recordLeadFields = defineTool({
  name: 'record_lead_fields',
  description:
    "Store what the customer told you about themselves, as the profile's lead fields, e.g. { fields: { budget: '5000 USD' } }. Only record what the customer actually said.",
  arguments: z.object({
    fields: z.record(z.string(), z.string().max(300)).superRefine((fields, context) => {
      const names = Object.keys(fields);
      if (names.length === 0) context.addIssue({ code: 'custom', message: 'give at least one field' });
      for (const name of names) {
        if (!/^[a-z][a-z0-9_]{0,63}$/.test(name)) {
          context.addIssue({
            code: 'custom',
            path: [name],
            message: `"${name}": field names are lowercase letters, digits and _, as in the profile`,
          });
        }
      }
    }),
  }),
  async run(environment, args) {
    return { leadFields: await environment.mergeLeadFields(args.fields) };
  },
});
