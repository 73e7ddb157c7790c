import { type FakeFailure, FakeGraphClient } from './fake-graph-client.ts';
import {
  type GraphClientHarness,
  runGraphClientContract,
  type ScriptedFailure,
} from './graph-client.contract.ts';
import { GraphError } from './graph-error.ts';
import { createGraphTarget } from './graph-target.ts';
import { startGraphTestServer } from './graph-test-server.ts';
import { sha256Hex } from './media-sha256.ts';
import { UndiciGraphClient } from './undici-graph-client.ts';

const accessToken = 'EAAG-contract-secret-token-7f3a9c';
const phoneNumberId = '106540352242922';
const wabaId = '102290129340398';

runGraphClientContract('FakeGraphClient', async () => {
  const fake = new FakeGraphClient();
  let signups = 0;
  fake.addPhoneNumber(wabaId, {
    id: phoneNumberId,
    displayPhoneNumber: '+1 555-0100',
    verifiedName: 'Coxcox Test',
    qualityRating: 'GREEN',
    messagingLimitTier: 'TIER_1K',
    throughputLevel: 'STANDARD',
  });
  const harness: GraphClientHarness = {
    client: fake,
    target: createGraphTarget({ phoneNumberId, accessToken }),
    wabaId,
    scriptFailure: (failure) => fake.failNext(fakeFailure(failure)),
    seedMedia: ({ bytes, mimeType, corruptSha256 }) =>
      fake.seedMedia({
        bytes,
        mimeType,
        ...(corruptSha256 ? { sha256: sha256Hex(Buffer.concat([bytes, Buffer.from('x')])) } : {}),
      }),
    signup: () => {
      const app = { appId: '900000000000042', appSecret: 'fake-app-secret-42' };
      fake.addApp(app.appId, app.appSecret);
      signups += 1;
      const signupWaba = `20000000000${signups}`;
      const signupNumber = `30000000000${signups}`;
      fake.addWaba(signupWaba, `Signup ${signups}`);
      fake.addPhoneNumber(signupWaba, {
        id: signupNumber,
        displayPhoneNumber: `+1 555-0199-00${signups}`,
        verifiedName: `Signup ${signups}`,
        qualityRating: 'GREEN',
        messagingLimitTier: 'TIER_250',
        throughputLevel: 'STANDARD',
        status: 'PENDING',
      });
      const code = fake.issueSignupCode(`EAAG-fake-signup-token-${signups}`, { wabaIds: [signupWaba] });
      return { app, code, wabaId: signupWaba, phoneNumberId: signupNumber };
    },
    close: async () => {},
  };
  return harness;
});

runGraphClientContract('UndiciGraphClient against a local Graph API', async (setup) => {
  const server = await startGraphTestServer({ accessToken, graphApiVersion: 'v23.0', phoneNumberId, wabaId });
  const client = new UndiciGraphClient({
    sendTimeoutMs: setup.timeoutMs,
    requestTimeoutMs: setup.timeoutMs,
    mediaTimeoutMs: setup.timeoutMs,
    // The test server listens on loopback.
    targetPolicy: { allowPrivateNetworkTargets: true },
  });
  return {
    client,
    target: createGraphTarget({
      phoneNumberId,
      accessToken,
      graphApiUrl: server.url,
      graphApiVersion: 'v23.0',
    }),
    wabaId,
    scriptFailure: (failure) => server.fail(failure),
    seedMedia: (media) => server.seedMedia(media),
    close: async () => {
      await client.close();
      await server.close();
    },
  };
});

/** The fake has no wire: it raises the GraphError the wire would have produced. */
function fakeFailure(failure: ScriptedFailure): FakeFailure {
  switch (failure.kind) {
    case 'meta-error':
      return {
        httpStatus: failure.httpStatus,
        code: failure.code,
        subcode: failure.subcode ?? null,
        type: failure.type ?? 'OAuthException',
        message: failure.message ?? `(#${failure.code}) scripted failure`,
        details: failure.details ?? null,
        fbtraceId: 'fake-trace',
      };
    case 'http-status':
      return GraphError.fromHttpStatus(failure.httpStatus, { operation: 'fake' });
    case 'invalid-response':
      return GraphError.invalidResponse('fake: unexpected success body', { httpStatus: 200 });
    case 'hang':
      return GraphError.transport('timeout', 'unknown', 'fake: no answer in time');
    case 'reset':
      return GraphError.transport('connection-lost', 'unknown', 'fake: connection reset');
  }
}
