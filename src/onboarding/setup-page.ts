/** How the page obtains a signup code. */
export type SignupMode =
  | { kind: 'embedded'; appId: string; configId: string; graphApiVersion: string }
  | { kind: 'sandbox' }
  | { kind: 'unconfigured' };

export interface SetupPageInput {
  tenantName: string;
  /** `/setup/<token>`: the page posts to `<base>/complete` (and `<base>/sandbox-signup`). */
  basePath: string;
  mode: SignupMode;
  /** A fresh random value per response: the page's own inline script and style carry it (see setupPageCsp). */
  nonce: string;
}

/**
 * The setup page's Content-Security-Policy. Its URL is a credential, so nothing loads that the page does
 * not need: its own inline script and style by nonce, and, with Embedded Signup, Facebook's JS SDK from
 * connect.facebook.net with the frames, calls and images it makes to facebook.com (Meta's Embedded
 * Signup guide). `frame-ancestors 'none'`: no other site may frame the page (clickjacking).
 */
export function setupPageCsp(mode: SignupMode | null, nonce: string | null): string {
  const facebook = mode?.kind === 'embedded';
  const own = nonce === null ? [] : [`'nonce-${nonce}'`];
  const directives = [
    "default-src 'none'",
    `script-src ${[...own, ...(facebook ? ['https://connect.facebook.net'] : [])].join(' ') || "'none'"}`,
    `style-src ${own.join(' ') || "'none'"}`,
    `connect-src 'self'${facebook ? ' https://*.facebook.com https://connect.facebook.net' : ''}`,
    `img-src 'self' data:${facebook ? ' https://*.facebook.com https://*.fbcdn.net' : ''}`,
    ...(facebook ? ['frame-src https://*.facebook.com'] : []),
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ];
  return directives.join('; ');
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!,
  );

/** JSON inside a <script>: `<` escaped so that no value can close the tag. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/**
 * The page a setup link opens. With a Meta app and an Embedded Signup configuration it runs Meta's
 * signup through the Facebook JS SDK (FB.login with config_id and response_type code, plus the
 * WA_EMBEDDED_SIGNUP session message: cloud-api-details.md §3.7); in sandbox mode a button plays Meta's
 * part with the simulator. Either way the code goes to `complete` at once, since it lives about 30 s.
 */
export function renderSetupPage(input: SetupPageInput): string {
  const { mode } = input;
  const config = scriptJson({ basePath: input.basePath, mode });
  const action =
    mode.kind === 'embedded'
      ? '<button id="signup">Connect WhatsApp with Facebook</button>'
      : mode.kind === 'sandbox'
        ? '<button id="signup">Simulate Meta’s signup (sandbox)</button><p class="note">Sandbox mode: the built-in simulator plays Meta and creates a test account, number and templates.</p>'
        : '<p class="problem">Embedded Signup is not configured on this server: the operator must set SIGNUP_CONFIG_ID (and WHATSAPP_APP_ID or SIGNUP_APP_ID).</p>';
  const sdk =
    mode.kind === 'embedded'
      ? `<script nonce="${input.nonce}" async defer crossorigin="anonymous" src="https://connect.facebook.net/en_US/sdk.js"></script>`
      : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Connect WhatsApp · ${escapeHtml(input.tenantName)}</title>
<style nonce="${input.nonce}">
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; color: #1c1e21; }
  button { font: inherit; padding: .6rem 1.2rem; border: 0; border-radius: .4rem; background: #1877f2; color: #fff; cursor: pointer; }
  button[disabled] { opacity: .5; cursor: default; }
  .note { color: #65676b; font-size: .9rem; }
  .problem { color: #b3261e; }
  ol#steps { padding-left: 1.2rem; }
  li.done::marker, li.skipped::marker { color: #1b873f; }
  li.failed::marker { color: #b3261e; }
</style>
${sdk}
</head>
<body>
<h1>Connect WhatsApp</h1>
<p>for <strong>${escapeHtml(input.tenantName)}</strong></p>
${action}
<p id="status" role="status"></p>
<ol id="steps"></ol>
<p><button id="retry" hidden>Try again</button></p>
<script nonce="${input.nonce}">
const config = ${config};
const statusLine = document.getElementById('status');
const stepList = document.getElementById('steps');
const retryButton = document.getElementById('retry');
const signupButton = document.getElementById('signup');
let session = {};

function show(onboarding) {
  stepList.replaceChildren(...onboarding.steps.map((step) => {
    const item = document.createElement('li');
    item.className = step.state;
    item.textContent = step.name + ': ' + step.state;
    return item;
  }));
  if (onboarding.state === 'completed') {
    statusLine.className = '';
    // The phone number as people know it; the save-connection step recorded it (the id is Meta's).
    const saved = onboarding.steps.find((step) => step.name === 'save-connection');
    const phone = (saved && saved.detail && saved.detail.displayPhoneNumber) || onboarding.phoneNumberId;
    statusLine.textContent = 'Connected: ' + phone + ' can send now.';
    retryButton.hidden = true;
  } else if (onboarding.failure) {
    statusLine.className = 'problem';
    statusLine.textContent = onboarding.failure.message;
    retryButton.hidden = false;
  }
}

async function post(path, body) {
  const response = await fetch(config.basePath + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(json.error ? json.error.message : 'HTTP ' + response.status);
  return json;
}

async function complete(body) {
  statusLine.className = '';
  statusLine.textContent = 'Connecting…';
  try {
    show(await post('/complete', body));
  } catch (error) {
    statusLine.className = 'problem';
    statusLine.textContent = error.message;
    retryButton.hidden = false;
  }
}

retryButton.addEventListener('click', () => complete({}));

if (config.mode.kind === 'sandbox') {
  signupButton.addEventListener('click', async () => {
    signupButton.disabled = true;
    try {
      const signup = await post('/sandbox-signup', {});
      await complete({ code: signup.code, wabaId: signup.wabaId, phoneNumberId: signup.phoneNumberId });
    } catch (error) {
      statusLine.className = 'problem';
      statusLine.textContent = error.message;
    } finally {
      signupButton.disabled = false;
    }
  });
}

if (config.mode.kind === 'embedded') {
  window.fbAsyncInit = () => {
    FB.init({ appId: config.mode.appId, autoLogAppEvents: true, xfbml: true, version: config.mode.graphApiVersion });
  };
  // Meta posts the account and number the customer chose (or created) as a WA_EMBEDDED_SIGNUP message.
  window.addEventListener('message', (event) => {
    if (!/(^|\\.)facebook\\.com$/.test(new URL(event.origin).hostname)) return;
    try {
      const data = JSON.parse(event.data);
      if (data.type !== 'WA_EMBEDDED_SIGNUP') return;
      if (data.event === 'CANCEL') {
        statusLine.className = 'problem';
        statusLine.textContent = 'The signup was closed before it finished' + (data.data && data.data.current_step ? ' (at ' + data.data.current_step + ')' : '') + '. Start it again when ready.';
        return;
      }
      session = { wabaId: data.data.waba_id, phoneNumberId: data.data.phone_number_id };
    } catch {
      // Other messages from Facebook's frames are not ours.
    }
  });
  signupButton.addEventListener('click', () => {
    FB.login((response) => {
      if (!response.authResponse || !response.authResponse.code) {
        statusLine.className = 'problem';
        statusLine.textContent = 'The signup did not finish; nothing was connected.';
        return;
      }
      const code = response.authResponse.code;
      // The session message usually comes first; wait a moment for it, well inside the code's 30 s.
      setTimeout(() => complete({ code, ...session }), session.wabaId ? 0 : 1500);
    }, {
      config_id: config.mode.configId,
      response_type: 'code',
      override_default_response_type: true,
      extras: { setup: {}, sessionInfoVersion: '3' },
    });
  });
}

fetch(config.basePath + '/status').then((response) => response.json()).then((json) => {
  if (json.onboarding) show(json.onboarding);
}).catch(() => {});
</script>
</body>
</html>
`;
}
