type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A synced template's text parts (Meta's component JSON, as in `message_templates.components`). */
export interface TemplateText {
  header: string | null;
  body: string;
  footer: string | null;
}

export function templateText(componentsJson: string): TemplateText {
  let components: unknown;
  try {
    components = JSON.parse(componentsJson);
  } catch {
    components = [];
  }
  const list = Array.isArray(components) ? components.filter(isObject) : [];
  const textOf = (type: string) => {
    const component = list.find((item) => String(item.type).toUpperCase() === type);
    return component && typeof component.text === 'string' ? component.text : null;
  };
  return { header: textOf('HEADER'), body: textOf('BODY') ?? '', footer: textOf('FOOTER') };
}

/**
 * The words a customer read for a template message we sent: the template's text with the message's
 * parameters in place (`{{1}}` by position, `{{name}}` by parameterName). Our outbound messages are
 * camelCase (`parameterName`); Meta's snake_case is read too.
 */
export function renderTemplateText(template: TemplateText, message: unknown): string {
  const part = isObject(message) && isObject(message.template) ? message.template : {};
  const components = Array.isArray(part.components) ? part.components.filter(isObject) : [];
  const fill = (text: string | null, type: string) => {
    if (!text) return null;
    const parameters = components.find((component) => component.type === type)?.parameters;
    const values = Array.isArray(parameters) ? parameters.filter(isObject) : [];
    return text.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (placeholder, key: string) => {
      const byName = values.find((value) => value.parameterName === key || value.parameter_name === key);
      const value = byName ?? (/^\d+$/.test(key) ? values[Number(key) - 1] : undefined);
      return typeof value?.text === 'string' ? value.text : placeholder;
    });
  };
  return [fill(template.header, 'header'), fill(template.body, 'body'), template.footer]
    .filter(Boolean)
    .join('\n\n');
}
