import { createHash } from 'node:crypto';
import { createSimulator } from '../../src/simulator/index.ts';
import { runGraphClientContract } from '../../src/whatsapp/graph/graph-client.contract.ts';
import { createGraphTarget, UndiciGraphClient } from '../../src/whatsapp/graph/index.ts';

const accessToken = 'EAAG-contract-simulator-token-2b81';
const phoneNumberId = '106540352242922';
const wabaId = '102290129340398';

// The third adapter target of the Graph client contract: our undici client against the product
// simulator over real HTTP, with the simulator's scripted responses for the exact failures. The simulator shares no code with src/whatsapp/, so this checks the client
// against an independent reading of Meta's API.
runGraphClientContract('UndiciGraphClient against the Cloud API simulator', async (setup) => {
  const simulator = createSimulator({
    appId: '900000000000077',
    appSecret: 'contract-app-secret',
    accessTokens: [accessToken],
    webhookUrl: null,
    wabas: [
      {
        id: wabaId,
        phoneNumbers: [
          {
            id: phoneNumberId,
            displayPhoneNumber: '+1 555-0100',
            verifiedName: 'Coxcox Test',
            qualityRating: 'GREEN',
            messagingLimitTier: 'TIER_1K',
          },
        ],
        templates: [
          {
            name: 'hello_world',
            language: 'en_US',
            category: 'UTILITY',
            status: 'APPROVED',
            components: [{ type: 'BODY', text: 'Hello World' }],
          },
          {
            name: 'follow_up',
            language: 'pt_BR',
            category: 'MARKETING',
            status: 'APPROVED',
            components: [
              { type: 'HEADER', format: 'IMAGE' },
              { type: 'BODY', text: 'Olá {{1}}, o plano custa {{2}} até {{3}}.', parameterCount: 3 },
              {
                type: 'BUTTONS',
                buttons: [
                  { type: 'QUICK_REPLY', text: 'Parar' },
                  { type: 'URL', text: 'Ver oferta', url: 'https://example.com/o/{{1}}', parameterCount: 1 },
                ],
              },
            ],
          },
        ],
      },
    ],
    seed: 3,
  });
  const url = await simulator.listen(0, '127.0.0.1');
  // The contract's customer wrote first, so the 24-hour window is open for free-form messages.
  simulator.customerSays({ from: '5511987654321', to: phoneNumberId, text: 'Olá' });
  const client = new UndiciGraphClient({
    sendTimeoutMs: setup.timeoutMs,
    requestTimeoutMs: setup.timeoutMs,
    mediaTimeoutMs: setup.timeoutMs,
    // The simulator listens on loopback.
    targetPolicy: { allowPrivateNetworkTargets: true },
  });
  return {
    client,
    target: createGraphTarget({ phoneNumberId, accessToken, graphApiUrl: url, graphApiVersion: 'v23.0' }),
    wabaId,
    scriptFailure: (failure) => simulator.scriptNext(failure),
    seedMedia: ({ bytes, mimeType, corruptSha256 }) =>
      simulator.seedMedia({
        bytes,
        mimeType,
        phoneNumberId,
        ...(corruptSha256
          ? {
              sha256: createHash('sha256')
                .update(Buffer.concat([bytes, Buffer.from('x')]))
                .digest('hex'),
            }
          : {}),
      }),
    signup: () => {
      const issued = simulator.issueSignupCode({ businessName: 'Contract Signup' });
      return {
        app: { appId: '900000000000077', appSecret: 'contract-app-secret' },
        code: issued.code,
        wabaId: issued.wabaId,
        phoneNumberId: issued.phoneNumberId,
      };
    },
    close: async () => {
      await client.close();
      await simulator.close();
    },
  };
});
