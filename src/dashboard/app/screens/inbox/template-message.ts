import type { Template } from '../../lib/types.ts';

/** The template's body with `{{1}}` or `{{name}}` filled in (an empty value shows the placeholder). */
export function fillTemplateText(text: string, values: Record<string, string>): string {
  return text.replace(
    /\{\{\s*([\w.]+)\s*\}\}/g,
    (placeholder, key: string) => values[key]?.trim() || placeholder,
  );
}

export function templateBodyText(template: Template): string {
  return template.components.find((component) => component.type.toUpperCase() === 'BODY')?.text ?? '';
}

/** The send request's template: body parameters in order (positional) or by name (named). */
export function templateToSend(template: Template, values: Record<string, string>) {
  const keys = template.parameters.body;
  return {
    name: template.name,
    languageCode: template.language,
    ...(keys.length > 0
      ? {
          components: [
            {
              type: 'body',
              parameters: keys.map((key) => ({
                type: 'text',
                text: values[key]?.trim() ?? '',
                ...(template.parameterFormat === 'named' ? { parameterName: key } : {}),
              })),
            },
          ],
        }
      : {}),
  };
}

/** Templates that may be sent now: approved (Meta's other states refuse sends). */
export function isSendable(template: Template): boolean {
  return template.status === 'APPROVED';
}
