import { startTestCoxcox } from './coxcox-harness.ts';
import type { TestDatabase } from './databases.ts';

/**
 * Coxcox in sandbox mode, as `npm start` runs it with no WhatsApp credentials: the built-in simulator
 * plays Meta on loopback and signs its webhooks to our real port. For tests that need the whole product
 * (the dashboard, its sandbox phone and live events), not a hand-built simulator.
 */
export async function startSandboxCoxcox(database: TestDatabase, env: Record<string, string> = {}) {
  const coxcox = await startTestCoxcox(database, { AGENT_DEBOUNCE_MS: '200', ...env });
  const url = await coxcox.app.listen({ port: 0, host: '127.0.0.1' });
  if (!coxcox.simulator) throw new Error('sandbox mode should have started the built-in simulator');
  coxcox.simulator.setWebhookUrl(`${url}/webhooks/whatsapp`);
  coxcox.startWorkers();
  return Object.assign(coxcox, { url, simulator: coxcox.simulator });
}

/** Reads a Server-Sent Events stream into a list, until `close()`. */
export async function openEventStream(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  if (!response.ok || !response.body) throw new Error(`event stream answered ${response.status}`);
  const events: Array<{ type: string } & Record<string, unknown>> = [];
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          for (const line of block.split('\n')) {
            if (line.startsWith('data: ')) events.push(JSON.parse(line.slice(6)));
          }
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // Aborted by close().
    }
  })();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    events,
    async close() {
      controller.abort();
      await reading;
    },
  };
}
