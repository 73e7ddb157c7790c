import type { RandomSource } from './seeded-random.ts';

const TRACE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

/**
 * Issues the ids Meta hands out, in Meta's shapes. Each is unique within a simulator: a counter makes
 * the tail, and a random prefix (from the seed) keeps two runs from agreeing by chance.
 */
export class ObjectIds {
  readonly #random: RandomSource;
  readonly #prefix: string;
  #counter = 0;

  constructor(random: RandomSource) {
    this.#random = random;
    this.#prefix = Math.floor(random() * 0xffffffff)
      .toString(16)
      .toUpperCase()
      .padStart(8, '0');
  }

  /** How many ids were issued: the state file keeps it, so that ids after a restart are new ones. */
  get issued(): number {
    return this.#counter;
  }

  /** Continues after `issued` ids (a restored state), never going back. */
  continueAfter(issued: number): void {
    this.#counter = Math.max(this.#counter, issued);
  }

  /**
   * `wamid.` + base64 of Meta's framing: the customer's number, then a 20-character hex id. Outbound ids
   * carry 0x11 and inbound ones 0x12, as in Meta's samples (`wamid.HBgLMTY1…VAgARGBJ…` and `…VAgASGBQ…`).
   */
  wamid(customerWaId: string, direction: 'outbound' | 'inbound'): string {
    this.#counter += 1;
    const id = this.#prefix + this.#counter.toString(16).toUpperCase().padStart(12, '0');
    const phone = Buffer.from(customerWaId.slice(0, 255), 'latin1');
    const idBytes = Buffer.from(id, 'latin1');
    const framed = Buffer.concat([
      Buffer.from([0x1c, 0x18, phone.length]),
      phone,
      Buffer.from([0x15, 0x02, 0x00, direction === 'outbound' ? 0x11 : 0x12, 0x18, idBytes.length]),
      idBytes,
      Buffer.from([0x00]),
    ]);
    return `wamid.${framed.toString('base64')}`;
  }

  /** A Graph object id: 16 digits, like `4490709327384033`. */
  numeric(): string {
    this.#counter += 1;
    const high = 1 + Math.floor(this.#random() * 8);
    return `${high}${this.#counter.toString().padStart(15, '0')}`;
  }

  /** A 32-character hex id, the shape of `conversation.id`. */
  hex32(): string {
    this.#counter += 1;
    let head = '';
    for (let index = 0; index < 4; index += 1) {
      head += Math.floor(this.#random() * 0xffffffff)
        .toString(16)
        .padStart(8, '0');
    }
    return head.slice(0, 20) + this.#counter.toString(16).padStart(12, '0');
  }

  /** `fbtrace_id`: 23 characters, like `AXsgnV2Cm3ZMGF3dF_cfYIn`. */
  fbtraceId(): string {
    let trace = 'A';
    for (let index = 0; index < 22; index += 1) {
      trace += TRACE_ALPHABET[Math.floor(this.#random() * TRACE_ALPHABET.length)];
    }
    return trace;
  }
}
