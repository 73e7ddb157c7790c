import { parseArgs } from 'node:util';
import { ConfigError, parseConfig } from './config.ts';
import { createCoxcox } from './coxcox.ts';
import { createLogger } from './http/create-logger.ts';
import { replayDeliveries } from './whatsapp/index.ts';

const HELP = `coxcox <command> [options]

Commands:
  start                         run Coxcox (same as npm start)
  replay [--all | --id N … | --from N | --state S | --unrouted | --refused]
                                re-process stored webhook deliveries (idempotent: replaying
                                everything changes nothing; events for numbers added since apply;
                                refused events apply only if their app is now entitled)
  tenants create --name NAME [--id ID]
                                create a tenant and print an API key for it
  users create --tenant ID --email E --password-stdin [--role admin|agent] [--name N]
                                add a dashboard user (the first admin, say); the password is read
                                from standard input: echo "$PASSWORD" | npx coxcox users create …
  import FILE --tenant ID [--country BR] [--kind contacts|do_not_contact] [--errors report.csv]
                                import contacts (or a do-not-contact list) from CSV, JSON or NDJSON,
                                streaming, with progress; rejected rows go to --errors
  campaign launch ID            launch a draft campaign (the server plans and sends it)
  campaign watch ID [--interval SECONDS]
                                print a campaign's progress until it completes
  simulator --port P --webhook-url URL --app-secret S [--access-token T] [--state FILE]
                                run the WhatsApp Cloud API simulator on its own
  eval [--provider P --model M --api-key-env NAME …] [--filter TEXT] [--min-pass-rate P]
                                run the agent evaluation (evals/README.md); the offline
                                playbook by default; coxcox eval --help for the options
  help                          this text

Configuration comes from the environment (see the README): DATABASE_URL, DATA_DIR, SECRET_KEY …`;

type Command = (argv: string[]) => Promise<number>;

/** Every command that needs the store builds Coxcox the way main.ts does, from the environment. */
async function withCoxcox<T>(
  work: (coxcox: Awaited<ReturnType<typeof createCoxcox>>) => Promise<T>,
): Promise<T> {
  const config = parseConfig(process.env);
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const coxcox = await createCoxcox(config, { logger });
  try {
    return await work(coxcox);
  } finally {
    await coxcox.close();
  }
}

const commands: Record<string, Command> = {
  async start() {
    // As `npm start` (its prestart script): build the dashboard first when it is missing or stale.
    const { buildDashboard } = await import('./dashboard/build-dashboard.ts');
    await buildDashboard();
    await import('./main.ts');
    return new Promise<number>(() => {}); // main.ts owns the process from here
  },

  async replay(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        all: { type: 'boolean' },
        id: { type: 'string', multiple: true },
        from: { type: 'string' },
        state: { type: 'string', multiple: true },
        unrouted: { type: 'boolean' },
        refused: { type: 'boolean' },
      },
    });
    const selection = {
      all: values.all ?? false,
      ids: (values.id ?? []).map(Number),
      ...(values.from !== undefined ? { fromId: Number(values.from) } : {}),
      states: values.state ?? [],
      isUnrouted: values.unrouted ?? false,
      isRefused: values.refused ?? false,
    };
    if (
      selection.ids.some((id) => !Number.isInteger(id)) ||
      (selection.fromId !== undefined && !Number.isInteger(selection.fromId))
    ) {
      process.stderr.write('replay: --id and --from take delivery ids (whole numbers)\n');
      return 2;
    }
    return withCoxcox(async (coxcox) => {
      const queued = await replayDeliveries(coxcox.store.db, selection);
      const processed = await coxcox.processor.drain();
      process.stdout.write(`replayed ${queued} deliveries (${processed} processed)\n`);
      return 0;
    });
  },

  async tenants(argv) {
    const [action, ...rest] = argv;
    if (action !== 'create') {
      process.stderr.write('tenants: the only action is `create --name NAME [--id ID]`\n');
      return 2;
    }
    const { values } = parseArgs({
      args: rest,
      options: { name: { type: 'string' }, id: { type: 'string' } },
    });
    if (!values.name) {
      process.stderr.write('tenants create: --name is required\n');
      return 2;
    }
    return withCoxcox(async (coxcox) => {
      const tenant = await coxcox.directory.createTenant({
        name: values.name!,
        ...(values.id ? { id: values.id } : {}),
      });
      const key = await coxcox.directory.createApiKey(tenant.id, 'cli');
      process.stdout.write(`${JSON.stringify({ tenant, apiKey: key.key }, null, 2)}\n`);
      return 0;
    });
  },

  async simulator(argv) {
    const { runSimulatorCli } = await import('./simulator/cli.ts');
    const simulator = await runSimulatorCli(argv);
    // Runs until stopped; a stop closes it, which saves its --state file.
    return new Promise<number>((resolve) => {
      const stop = () => void simulator.close().then(() => resolve(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
  },

  async help() {
    process.stdout.write(`${HELP}\n`);
    return 0;
  },
};

export function registerCommand(name: string, command: Command): void {
  commands[name] = command;
}

registerCommand('users', async (argv) => {
  const { readAllStdin, runUsersCli } = await import('./users/users-cli.ts');
  return runUsersCli(argv, {
    readStdin: readAllStdin,
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    withCoxcox,
  });
});

const campaignIo = {
  out: (text: string) => process.stdout.write(text),
  err: (text: string) => process.stderr.write(text),
  withCoxcox,
};

registerCommand('import', async (argv) => {
  const { runImportCli } = await import('./campaigns/campaign-cli.ts');
  return runImportCli(argv, campaignIo);
});

// Needs no database: the scenarios play on an in-memory conversation.
registerCommand('eval', async (argv) => {
  const { runEvalCli } = await import('./agent/eval/eval-cli.ts');
  return runEvalCli(argv);
});

registerCommand('campaign', async (argv) => {
  const { runCampaignCli } = await import('./campaigns/campaign-cli.ts');
  return runCampaignCli(argv, campaignIo);
});

export async function runCli(argv: string[]): Promise<number> {
  const [name = 'help', ...rest] = argv;
  const command = commands[name === '--help' || name === '-h' ? 'help' : name];
  if (!command) {
    process.stderr.write(`coxcox: unknown command "${name}"\n\n${HELP}\n`);
    return 2;
  }
  try {
    return await command(rest);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`coxcox: configuration error: ${error.message}\n`);
      return 78;
    }
    process.stderr.write(`coxcox ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
