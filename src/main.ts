import { ConfigError, parseConfig } from './config.ts';
import { createCoxcox } from './coxcox.ts';
import { createLogger } from './http/create-logger.ts';

/** The composition root: the one place that reads process.env. */
async function main(): Promise<void> {
  let config: ReturnType<typeof parseConfig>;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`coxcox: configuration error: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  for (const notice of config.notices) logger.warn(notice);

  const coxcox = await createCoxcox(config, { logger });
  if (config.workers === 'all') coxcox.startWorkers();
  else
    logger.info('WORKERS=none: this instance stores webhooks and answers HTTP; other instances do the work');
  const address = await coxcox.app.listen({ port: config.port, host: config.host });
  if (coxcox.simulator) {
    // The simulator signs its webhooks with the sandbox app's secret and posts them to our own route.
    coxcox.simulator.setWebhookUrl(`http://127.0.0.1:${new URL(address).port}/webhooks/whatsapp`);
    logger.info(
      { simulator: coxcox.simulator.url },
      'sandbox mode: the built-in WhatsApp Cloud API simulator plays Meta',
    );
  }
  // Where people open it: PUBLIC_URL (http://localhost:PORT unless set), not the bound address (0.0.0.0 …).
  logger.info(
    { address, database: config.databaseKind, mode: config.isSandbox ? 'sandbox' : 'whatsapp' },
    `Coxcox is ready: dashboard ${config.publicUrl}, API docs ${config.publicUrl}/docs`,
  );

  let isStopping = false;
  const stop = async (signal: string) => {
    if (isStopping) return;
    isStopping = true;
    logger.info({ signal }, 'stopping: finishing in-flight work');
    const forced = setTimeout(() => {
      logger.error('in-flight work did not finish within 20 s; exiting');
      process.exit(1);
    }, 20_000);
    forced.unref();
    await coxcox.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `coxcox: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
