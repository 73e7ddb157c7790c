import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where `npm run build` (Vite) writes the React app. */
export const DASHBOARD_DIST = fileURLToPath(new URL('./dist/', import.meta.url));

/** The app's own paths (client-side routes): each answers with index.html, and the router takes over. */
export const APP_SECTIONS = [
  'sign-in',
  'welcome',
  'inbox',
  'campaigns',
  'contacts',
  'agent',
  'whatsapp',
  'sandbox',
  'team',
  'analytics',
];

/**
 * The page may load only our own scripts and styles and talk only to us. Images and video may come from
 * https links (outbound media is sent by link), and from blob: and data: for previews.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: https:",
  "media-src 'self' blob: https:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

const NOT_BUILT_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Coxcox</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1.5rem;color:#1f2a37}code{background:#eef2f6;padding:.1rem .35rem;border-radius:4px}</style></head>
<body><h1>The dashboard is not built yet</h1><p>Coxcox is running: the API is at <a href="/docs">/docs</a>. To build the dashboard, run <code>npm run build</code> (or start with <code>bash bin/run start</code>, which builds it when needed), then reload this page.</p></body></html>`;

/**
 * Serves the built dashboard at `/`: hashed assets with a year's caching, and index.html (never cached,
 * so a new build is picked up) for the app's paths. The API, webhooks and docs keep their own prefixes.
 */
export async function serveDashboard(
  app: FastifyInstance,
  options: { distDir?: string } = {},
): Promise<void> {
  const distDir = options.distDir ?? DASHBOARD_DIST;
  const indexFile = join(distDir, 'index.html');
  const isBuilt = existsSync(indexFile);
  // Read once: the build does not change under a running server (bin/run builds before starting).
  const indexHtml = isBuilt ? readFileSync(indexFile, 'utf8') : NOT_BUILT_PAGE;

  if (isBuilt && existsSync(join(distDir, 'assets'))) {
    await app.register(fastifyStatic, {
      root: join(distDir, 'assets'),
      prefix: '/assets/',
      // Vite puts a content hash in every asset name: a changed file is a new name.
      immutable: true,
      maxAge: '365d',
      index: false,
      wildcard: true,
    });
  }
  if (isBuilt && existsSync(join(distDir, 'favicon.svg'))) {
    const favicon = readFileSync(join(distDir, 'favicon.svg'));
    app.get('/favicon.svg', { schema: { hide: true } }, (_request, reply) =>
      reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(favicon),
    );
  }

  const sendIndex = (_request: unknown, reply: FastifyReply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin')
      .header('x-frame-options', 'DENY')
      .send(indexHtml);
  app.get('/', { schema: { hide: true } }, sendIndex);
  for (const section of APP_SECTIONS) {
    app.get(`/${section}`, { schema: { hide: true } }, sendIndex);
    app.get(`/${section}/*`, { schema: { hide: true } }, sendIndex);
  }
}
