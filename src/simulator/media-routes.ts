import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticate, visibleNumber } from './graph-access.ts';
import { SimulatedGraphError } from './graph-error.ts';
import { MAX_MEDIA_BYTES, MEDIA_URL_LIFETIME_MS, type StoredMedia } from './media-store.ts';
import type { SimulatorContext } from './simulator-context.ts';

/** Meta's download host path: `https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=…`. */
export const MEDIA_DOWNLOAD_PATH = '/whatsapp_business/attachments/';

function urlSignature(context: SimulatorContext, mediaId: string, expiresAt: number): string {
  return createHmac('sha256', context.config.appSecret)
    .update(`${mediaId}:${expiresAt}`)
    .digest('hex')
    .slice(0, 32);
}

/** `GET /{media-id}`: a download URL good for 5 minutes of the simulator's clock. */
export function mediaJson(
  context: SimulatorContext,
  request: FastifyRequest,
  media: StoredMedia,
): Record<string, unknown> {
  const expiresAt = Math.floor((context.clock.now() + MEDIA_URL_LIFETIME_MS) / 1000);
  const query = new URLSearchParams({
    mid: media.id,
    ext: String(expiresAt),
    hash: urlSignature(context, media.id, expiresAt),
  });
  return {
    url: `${request.protocol}://${request.host}${MEDIA_DOWNLOAD_PATH}?${query}`,
    mime_type: media.mimeType,
    sha256: media.sha256Hex,
    file_size: media.bytes.length,
    id: media.id,
    messaging_product: 'whatsapp',
  };
}

function isSignatureValid(
  context: SimulatorContext,
  mediaId: string,
  expiresAt: number,
  hash: string,
): boolean {
  const expected = Buffer.from(urlSignature(context, mediaId, expiresAt));
  const given = Buffer.from(hash);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function mediaRoutes(graph: FastifyInstance, context: SimulatorContext): Promise<void> {
  graph.post<{ Params: { version: string; phoneNumberId: string } }>(
    '/:version/:phoneNumberId/media',
    { bodyLimit: MAX_MEDIA_BYTES + 1024 * 1024 },
    async (request) => {
      const number = visibleNumber(context, request, request.params.phoneNumberId);
      const contentType = request.headers['content-type'] ?? '';
      if (!contentType.toLowerCase().startsWith('multipart/form-data') || !Buffer.isBuffer(request.body)) {
        throw new SimulatedGraphError(
          100,
          'Upload media as multipart/form-data with the fields messaging_product, file and type.',
        );
      }
      let form: FormData;
      try {
        form = await new Response(new Uint8Array(request.body), {
          headers: { 'content-type': contentType },
        }).formData();
      } catch {
        throw new SimulatedGraphError(100, 'The multipart body could not be read.');
      }
      if (form.get('messaging_product') !== 'whatsapp') {
        throw new SimulatedGraphError(
          100,
          'The parameter messaging_product is required and must be whatsapp.',
        );
      }
      const file = form.get('file');
      if (!(file instanceof Blob)) throw new SimulatedGraphError(100, 'The parameter file is required.');
      const typeField = form.get('type');
      const mimeType = typeof typeField === 'string' && typeField !== '' ? typeField : file.type;
      if (mimeType === '') throw new SimulatedGraphError(100, 'The parameter type is required.');
      const filename = file instanceof File && file.name !== '' && file.name !== 'blob' ? file.name : null;
      const bytes = Buffer.from(await file.arrayBuffer());
      const media = context.media.add(context.ids.numeric(), number.id, mimeType, bytes, filename);
      context.state.counts.mediaUploaded += 1;
      return { id: media.id };
    },
  );

  // Downloads need the same bearer token as the Graph calls; an expired or altered URL is a 404.
  graph.get<{ Querystring: { mid?: string; ext?: string; hash?: string } }>(
    MEDIA_DOWNLOAD_PATH,
    async (request, reply) => {
      authenticate(context, request);
      const { mid, ext, hash } = request.query;
      const expiresAt = Number(ext);
      const media = mid === undefined ? undefined : context.media.get(mid);
      const isUsable =
        media !== undefined &&
        Number.isInteger(expiresAt) &&
        typeof hash === 'string' &&
        isSignatureValid(context, media.id, expiresAt, hash) &&
        context.clock.now() < expiresAt * 1000;
      if (!isUsable) return reply.code(404).type('text/plain').send('Not Found');
      const headers: Record<string, string> = { 'content-type': media.mimeType };
      if (media.filename !== null)
        headers['content-disposition'] = `attachment; filename="${media.filename.replace(/"/g, '')}"`;
      return reply.code(200).headers(headers).send(media.bytes);
    },
  );
}
