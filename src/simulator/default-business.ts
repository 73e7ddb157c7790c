import type { TemplateDefinition, WabaDefinition } from './simulator-options.ts';

/** The ids Coxcox's sandbox mode also uses, so that the two line up with no configuration. */
export const DEFAULT_WABA_ID = '100000000000001';
export const DEFAULT_PHONE_NUMBER_ID = '100000000000002';
export const DEFAULT_DISPLAY_PHONE_NUMBER = '+1 555-000-0001';
/** Only for the local simulator; never a real credential. */
export const DEFAULT_ACCESS_TOKEN = 'simulator-access-token';

const offerButtons = (yes: string, no: string, stop: string) => ({
  type: 'BUTTONS' as const,
  buttons: [
    { type: 'QUICK_REPLY', text: yes },
    { type: 'QUICK_REPLY', text: no },
    { type: 'QUICK_REPLY', text: stop },
  ],
});

/** Meta's own test template, plus a marketing offer with two body parameters in three languages. */
export function defaultTemplates(): TemplateDefinition[] {
  return [
    {
      name: 'hello_world',
      language: 'en_US',
      category: 'UTILITY',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Hello World' },
        {
          type: 'BODY',
          text: 'Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by Meta. Thank you for taking the time to test with us.',
        },
        { type: 'FOOTER', text: 'WhatsApp Business Platform sample message' },
      ],
    },
    {
      name: 'coxcox_offer',
      language: 'en_US',
      category: 'MARKETING',
      components: [
        { type: 'BODY', text: 'Hi {{1}}! {{2}} Would you like to know more?' },
        offerButtons('Yes, tell me more', 'Not interested', 'Stop promotions'),
      ],
    },
    {
      name: 'coxcox_offer',
      language: 'es',
      category: 'MARKETING',
      components: [
        { type: 'BODY', text: '¡Hola {{1}}! {{2}} ¿Quieres saber más?' },
        offerButtons('Sí, cuéntame más', 'No me interesa', 'Detener promociones'),
      ],
    },
    {
      name: 'coxcox_offer',
      language: 'pt_BR',
      category: 'MARKETING',
      components: [
        { type: 'BODY', text: 'Olá {{1}}! {{2}} Quer saber mais?' },
        offerButtons('Sim, quero saber mais', 'Não tenho interesse', 'Parar promoções'),
      ],
    },
    {
      name: 'coxcox_follow_up',
      language: 'en_US',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'Hi {{1}}, following up on your request. Reply here any time.' }],
    },
  ];
}

export function defaultWabas(): WabaDefinition[] {
  return [
    {
      id: DEFAULT_WABA_ID,
      name: 'Coxcox Simulator',
      phoneNumbers: [
        {
          id: DEFAULT_PHONE_NUMBER_ID,
          displayPhoneNumber: DEFAULT_DISPLAY_PHONE_NUMBER,
          verifiedName: 'Coxcox Simulator',
          qualityRating: 'GREEN',
          messagingLimitTier: 'TIER_UNLIMITED',
          throughputLevel: 'STANDARD',
        },
      ],
      templates: defaultTemplates(),
    },
  ];
}
