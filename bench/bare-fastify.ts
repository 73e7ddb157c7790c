// The baseline for the ingest benchmark: bare Fastify answering 200 on the same route, reading the body
// as a buffer like Coxcox does, and doing nothing else. Run as a child process by bench/ingest.ts.
import Fastify from 'fastify';

const app = Fastify({ logger: false, bodyLimit: 3 * 1024 * 1024 });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
app.post('/webhooks/whatsapp', async (_request, reply) =>
  reply.code(200).type('text/plain').send('EVENT_RECEIVED'),
);
const address = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.stdout.write(`listening ${address}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
