import { parseArgs } from 'node:util';
import { createSimulator, type Simulator } from './create-simulator.ts';
import { DEFAULT_ACCESS_TOKEN, DEFAULT_DISPLAY_PHONE_NUMBER, defaultTemplates } from './default-business.ts';
import type { Persona, PersonaProfile, WabaDefinition } from './simulator-options.ts';

export interface SimulatorCliIo {
  log(line: string): void;
}

export class SimulatorCliError extends Error {
  readonly flag: string;
  constructor(flag: string, problem: string) {
    super(`--${flag}: ${problem}`);
    this.name = 'SimulatorCliError';
    this.flag = flag;
  }
}

const USAGE =
  'Usage: coxcox simulator --port P --webhook-url URL --app-secret S [--host H] [--access-token T] ' +
  '[--phone-number-id ID --waba-id ID] [--display-phone-number N] [--seed N] [--persona WA_ID:PROFILE[:LANG]] ' +
  '[--state FILE]';

const profiles = new Set(['interested', 'not-interested', 'opt-out', 'silent', 'random', 'scripted']);

function parsePersona(value: string): Persona {
  const [waId = '', profile = '', language = 'en'] = value.split(':');
  if (!/^\d{8,15}$/.test(waId))
    throw new SimulatorCliError('persona', `"${value}": the wa_id must be 8 to 15 digits`);
  if (!profiles.has(profile))
    throw new SimulatorCliError(
      'persona',
      `"${value}": the profile must be one of ${[...profiles].join(', ')}`,
    );
  if (language !== 'en' && language !== 'es' && language !== 'pt') {
    throw new SimulatorCliError('persona', `"${value}": the language must be en, es or pt`);
  }
  return {
    waId,
    name: `Customer ${waId.slice(-4)}`,
    profile: profile as PersonaProfile,
    language,
    replyDelayMs: 1_500,
  };
}

function digitsId(flag: string, value: string | undefined): string | undefined {
  if (value !== undefined && !/^\d+$/.test(value))
    throw new SimulatorCliError(flag, `"${value}" must be digits`);
  return value;
}

/**
 * `coxcox simulator`: parses the flags, starts the simulator and prints where it listens. Resolves to
 * the running simulator; the caller closes it (or lets the process run until it is stopped).
 */
export async function runSimulatorCli(
  argv: string[],
  io: SimulatorCliIo = { log: (line) => console.log(line) },
): Promise<Simulator> {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new SimulatorCliError('help', `${(error as Error).message}\n${USAGE}`);
  }
  const webhookUrl = values['webhook-url'];
  const appSecret = values['app-secret'];
  if (webhookUrl === undefined || !URL.canParse(webhookUrl)) {
    throw new SimulatorCliError(
      'webhook-url',
      `a URL is required, e.g. http://127.0.0.1:3000/webhooks/whatsapp\n${USAGE}`,
    );
  }
  if (appSecret === undefined || appSecret === '')
    throw new SimulatorCliError('app-secret', `is required\n${USAGE}`);
  const port = Number(values.port ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new SimulatorCliError('port', 'must be a TCP port from 0 to 65535');
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isInteger(seed))
    throw new SimulatorCliError('seed', 'must be a whole number');

  const phoneNumberId = digitsId('phone-number-id', values['phone-number-id']);
  const wabaId = digitsId('waba-id', values['waba-id']);
  const accessToken = values['access-token'] ?? DEFAULT_ACCESS_TOKEN;
  let wabas: WabaDefinition[] | undefined;
  if (phoneNumberId !== undefined || wabaId !== undefined || values['display-phone-number'] !== undefined) {
    wabas = [
      {
        id: wabaId ?? '100000000000001',
        name: 'Coxcox Simulator',
        phoneNumbers: [
          {
            id: phoneNumberId ?? '100000000000002',
            displayPhoneNumber: values['display-phone-number'] ?? DEFAULT_DISPLAY_PHONE_NUMBER,
            verifiedName: 'Coxcox Simulator',
          },
        ],
        templates: defaultTemplates(),
      },
    ];
  }
  const stateFile = values.state;
  if (stateFile === '') throw new SimulatorCliError('state', 'needs a file path');
  const simulator = createSimulator({
    webhookUrl,
    appSecret,
    accessTokens: [accessToken],
    personas: (values.persona ?? []).map(parsePersona),
    ...(wabas === undefined ? {} : { wabas }),
    ...(seed === undefined ? {} : { seed }),
    ...(stateFile === undefined ? {} : { stateFile }),
    // People watch this one: statuses at human pace.
    statusDelaysMs: { sentMs: 300, deliveredMs: 1_000, readMs: 3_000 },
  });
  const url = await simulator.listen(port, values.host ?? '127.0.0.1');
  const [numberId, waba] = [
    wabas?.[0]?.phoneNumbers[0]?.id ?? '100000000000002',
    wabas?.[0]?.id ?? '100000000000001',
  ];
  io.log(`WhatsApp Cloud API simulator listening on ${url}`);
  io.log(`  GRAPH_API_URL=${url}  (any version, e.g. ${url}/v23.0/${numberId}/messages)`);
  io.log(`  phone number id ${numberId}, WABA ${waba}, access token ${accessToken}`);
  io.log(`  webhooks to ${webhookUrl}, signed with the app secret`);
  if (stateFile !== undefined)
    io.log(`  state kept in ${stateFile} (WABAs, numbers, tokens, templates), saved on change and on exit`);
  io.log(
    `  make a customer write: curl -X POST ${url}/_simulator/customers/15550001234/messages -H 'content-type: application/json' -d '{"text":"Hi"}'`,
  );
  return simulator;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'webhook-url': { type: 'string' },
      'app-secret': { type: 'string' },
      'access-token': { type: 'string' },
      'phone-number-id': { type: 'string' },
      'waba-id': { type: 'string' },
      'display-phone-number': { type: 'string' },
      seed: { type: 'string' },
      persona: { type: 'string', multiple: true },
      state: { type: 'string' },
    },
  });
}
