import { describe, expect, it } from 'vitest';
import { tenantViewOfBody } from './tenant-view-of-body.ts';

const change = (phoneNumberId: string, text: string) => ({
  field: 'messages',
  value: { metadata: { phone_number_id: phoneNumberId }, messages: [{ text: { body: text } }] },
});

describe('tenantViewOfBody', () => {
  const body = Buffer.from(
    `\ufeff${JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        { id: 'waba-a', changes: [change('pn-a', 'a1'), change('pn-x', 'x1')] },
        { id: 'waba-b', changes: [change('pn-b', 'b1')] },
        { id: 'waba-a', changes: [{ field: 'account_update', value: { event: 'VERIFIED' } }] },
      ],
    })}`,
  );

  it('keeps only the changes whose routing keys are the tenant’s, and drops emptied entries', () => {
    const view = JSON.parse(tenantViewOfBody(body, new Set(['pn-a|waba-a', '|waba-a']))!);
    expect(view.object).toBe('whatsapp_business_account');
    expect(view.entry).toEqual([
      { id: 'waba-a', changes: [change('pn-a', 'a1')] },
      { id: 'waba-a', changes: [{ field: 'account_update', value: { event: 'VERIFIED' } }] },
    ]);
  });

  it('shows nothing without keys, or for a body that is not a JSON object', () => {
    expect(tenantViewOfBody(body, null)).toBeNull();
    expect(tenantViewOfBody(body, new Set())).toBeNull();
    expect(tenantViewOfBody(Buffer.from('not json'), new Set(['pn-a|waba-a']))).toBeNull();
    expect(tenantViewOfBody(Buffer.from('[1]'), new Set(['pn-a|waba-a']))).toBeNull();
  });
});
