import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_PHONE_NUMBER_ID, SANDBOX_TENANT_ID } from '../../src/coxcox.ts';
import { enqueueMessage } from '../../src/dispatch/index.ts';
import { testDatabases } from '../support/databases.ts';
import { startAgentCoxcox } from './agent-harness.ts';

const databases = await testDatabases();

/** The whole product with nothing configured but a profile: Coxcox's own model factory, i.e. the offline playbook. */
describe.each(databases)('the offline playbook end to end on $name', (database) => {
  let harness: Awaited<ReturnType<typeof startAgentCoxcox>>;

  beforeAll(async () => {
    harness = await startAgentCoxcox(database, null);
    const saved = await harness.api('PUT', `/api/v1/agent/profile?tenantId=${SANDBOX_TENANT_ID}`, {
      profile: {
        companyName: 'Sol Energia',
        persona: 'Ana, da Sol Energia',
        goal: 'qualify',
        languages: ['pt', 'en'],
        fields: [
          {
            name: 'city',
            question: 'In which city do you live?',
            questionByLanguage: { pt: 'Em qual cidade você mora?' },
          },
          {
            name: 'bill',
            question: 'How much is your monthly power bill?',
            questionByLanguage: { pt: 'Quanto vem a sua conta de luz por mês?' },
          },
        ],
      },
    });
    expect(saved.statusCode).toBe(200);
  });
  afterAll(async () => harness?.coxcox.dispose());

  const talk = async (customer: string, texts: string[]) => {
    for (const text of texts) {
      await harness.customerWrites(customer, text, { name: 'Maria' });
      await harness.runTurns();
      await harness.sendAll();
    }
  };

  it('qualifies a customer over several turns and stores the lead fields and outcome', async () => {
    const customer = '5511900004001';
    await talk(customer, [
      'Oi! Vi o anúncio de energia solar e tenho interesse',
      'Moro em Campinas',
      'Uns 400 reais por mês',
    ]);
    const texts = harness.textsTo(customer);
    expect(texts).toContain('Em qual cidade você mora?');
    expect(texts).toContain('Quanto vem a sua conta de luz por mês?');
    const conversation = await harness.conversationOf(customer);
    const shown = (await harness.api('GET', `/api/v1/conversations/${conversation.id}`)).json();
    expect(shown.leadFields.city).toContain('Campinas');
    expect(shown.leadFields.bill).toContain('400');
    expect(shown).toMatchObject({ outcome: 'qualified', owner: 'agent', agentTurnCount: 3 });
    expect(shown.turns.every((turn: { model: string }) => turn.model === 'playbook')).toBe(true);
  });

  it('hands off when the customer asks for a person, and stays silent afterwards', async () => {
    const customer = '5511900004002';
    await talk(customer, ['Olá', 'Quero falar com um atendente, por favor']);
    const conversation = await harness.conversationOf(customer);
    expect(conversation.owner).toBe('human');
    const sent = harness.textsTo(customer).length;
    await talk(customer, ['Alô?']);
    expect(harness.textsTo(customer)).toHaveLength(sent);
  });

  it('stops everything when the customer asks in their own words', async () => {
    const customer = '5511900004003';
    await talk(customer, ['Olá', 'Não quero mais receber mensagens de vocês']);
    const contact = await harness.coxcox.store.db
      .selectFrom('contacts')
      .selectAll()
      .where('wa_id', '=', customer)
      .executeTakeFirstOrThrow();
    expect(contact.opted_out_at).not.toBeNull();
    const sent = harness.textsTo(customer).length;
    await talk(customer, ['E aí?']);
    expect(harness.textsTo(customer)).toHaveLength(sent);
    const queued = await harness.coxcox.store.db.transaction().execute((trx) =>
      enqueueMessage(trx, {
        tenantId: SANDBOX_TENANT_ID,
        phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
        message: { to: customer, type: 'template', template: { name: 'promo', languageCode: 'pt_BR' } },
        category: 'MARKETING',
        source: 'api',
      }),
    );
    await harness.coxcox.dispatcher.runOnce();
    const row = await harness.coxcox.store.db
      .selectFrom('outbox')
      .select(['state', 'error_category'])
      .where('id', '=', queued.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ state: 'failed', error_category: 'opted-out' });
  });
});
