import { request } from 'undici';
import { z } from 'zod';
import { AppError } from '../http/app-error.ts';

/** What the signup window gives the page: a code for the server, and the session's account and number. */
export interface SandboxSignupResult {
  code: string;
  wabaId: string;
  phoneNumberId: string;
  displayPhoneNumber: string | null;
}

/** Plays the customer's pass through Meta's signup window, in sandbox mode. */
export type SandboxSignup = (input: { businessName: string }) => Promise<SandboxSignupResult>;

const answerSchema = z.object({
  code: z.string().min(1),
  display_phone_number: z.string().optional(),
  session: z.object({ data: z.object({ waba_id: z.string(), phone_number_id: z.string() }) }),
});

/**
 * The sandbox's Embedded Signup: the simulator's `POST /_simulator/embedded-signup` control route creates
 * a test WABA with a number and templates, as Meta does for a new business, and returns the code and the
 * session info. Over HTTP, so that Coxcox shares no code with the simulator.
 */
export function simulatorSignup(simulatorUrl: string): SandboxSignup {
  const url = `${simulatorUrl.replace(/\/+$/, '')}/_simulator/embedded-signup`;
  return async ({ businessName }) => {
    let statusCode: number;
    let text: string;
    try {
      const response = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ businessName }),
        headersTimeout: 10_000, // 10 s: a local simulator answers in milliseconds
        bodyTimeout: 10_000,
      });
      statusCode = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      throw new AppError(
        'unavailable',
        `the sandbox simulator did not answer at ${simulatorUrl}: ${(error as Error).message}`,
      );
    }
    const parsed = statusCode === 200 ? answerSchema.safeParse(JSON.parse(text)) : null;
    if (!parsed?.success)
      throw new AppError('unavailable', `the sandbox simulator refused the signup (HTTP ${statusCode})`);
    return {
      code: parsed.data.code,
      wabaId: parsed.data.session.data.waba_id,
      phoneNumberId: parsed.data.session.data.phone_number_id,
      displayPhoneNumber: parsed.data.display_phone_number ?? null,
    };
  };
}
