import { createHash } from 'node:crypto';
import { SimulatedGraphError } from './graph-error.ts';

const MB = 1024 * 1024;

/** Supported types and their size limits (cloud-api-details.md §3.3); anything else fails with 131053. */
const mediaLimits: Record<string, number> = {
  'audio/aac': 16 * MB,
  'audio/amr': 16 * MB,
  'audio/mpeg': 16 * MB,
  'audio/mp4': 16 * MB,
  'audio/ogg': 16 * MB,
  'text/plain': 100 * MB,
  'application/pdf': 100 * MB,
  'application/msword': 100 * MB,
  'application/vnd.ms-excel': 100 * MB,
  'application/vnd.ms-powerpoint': 100 * MB,
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 100 * MB,
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 100 * MB,
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 100 * MB,
  'image/jpeg': 5 * MB,
  'image/png': 5 * MB,
  'image/webp': 500 * 1024, // stickers: 100 KB static, 500 KB animated
  'video/mp4': 16 * MB,
  'video/3gpp': 16 * MB,
};

/** The largest upload the simulator reads: Meta's document limit. */
export const MAX_MEDIA_BYTES = 100 * MB;
/** A media URL works for about 5 minutes (cloud-api-details.md §3.3). */
export const MEDIA_URL_LIFETIME_MS = 5 * 60 * 1000;

export interface StoredMedia {
  id: string;
  /** The number that uploaded it, or the one a customer sent it to. */
  phoneNumberId: string;
  mimeType: string;
  bytes: Buffer;
  sha256Hex: string;
  sha256Base64: string;
  filename: string | null;
}

/** Uploaded media and media from simulated customers, by media id. */
export class MediaStore {
  readonly #media = new Map<string, StoredMedia>();

  /** Checks the type and size as Meta does, then keeps the bytes. */
  add(
    id: string,
    phoneNumberId: string,
    mimeType: string,
    bytes: Buffer,
    filename: string | null,
  ): StoredMedia {
    const baseType = (mimeType.split(';')[0] ?? '').trim().toLowerCase();
    const limit = mediaLimits[baseType];
    if (limit === undefined) throw new SimulatedGraphError(131053, `Unsupported media type ${mimeType}`);
    if (bytes.length === 0) throw new SimulatedGraphError(131053, 'The uploaded file is empty');
    if (bytes.length > limit) {
      throw new SimulatedGraphError(131053, `The file is ${bytes.length} bytes; ${baseType} allows ${limit}`);
    }
    const hash = createHash('sha256').update(bytes).digest();
    const media: StoredMedia = {
      id,
      phoneNumberId,
      mimeType,
      bytes,
      sha256Hex: hash.toString('hex'),
      sha256Base64: hash.toString('base64'),
      filename,
    };
    this.#media.set(id, media);
    return media;
  }

  get(id: string): StoredMedia | undefined {
    return this.#media.get(id);
  }

  delete(id: string): boolean {
    return this.#media.delete(id);
  }

  reset(): void {
    this.#media.clear();
  }
}
