import type { TemplateComponent, TemplateParameter } from '../whatsapp/graph/index.ts';

/**
 * What a template's parameters are, read from its components as Meta returns them: `{{1}}`, `{{2}}`
 * (positional) or `{{first_name}}` (named) in a text header and the body, one media parameter for an
 * image, video or document header, and one parameter for a URL button with `{{1}}` in its URL or a
 * copy-code/OTP button. A send that does not match is refused by Meta with 132000; we check first.
 */
export interface TemplateShape {
  parameterFormat: 'positional' | 'named';
  headerFormat: string | null;
  /** Placeholder names in order: '1', '2' … or 'first_name' …; a media header has one, 'media'. */
  header: string[];
  body: string[];
  buttons: Array<{ index: number; type: string; parameters: string[] }>;
  /** The text parts, for previews. */
  headerText: string | null;
  bodyText: string;
  footerText: string | null;
  buttonTexts: Array<{ type: string; text: string; url: string | null }>;
  /** Meta's sample values, when the template carries them, keyed like the mapping. */
  examples: { header: string[]; body: string[] };
}

/** Where a parameter's value comes from: a contact field (with a fallback), a fixed text, or media. */
export type ParameterSource =
  | string
  | { field: string; fallback?: string }
  | { text: string }
  | { image: { link: string } }
  | { video: { link: string } }
  | { document: { link: string; filename?: string } };

export interface ParameterMapping {
  header?: ParameterSource[];
  /** An array for positional templates, an object by placeholder name for named ones. */
  body?: ParameterSource[] | Record<string, ParameterSource>;
  /** By button index ("0", "1" …). */
  buttons?: Record<string, ParameterSource[]>;
}

/** The contact a message is for: `name`, `firstName`, `phone`, `waId`, and custom fields by key. */
export interface ParameterContact {
  waId: string;
  name: string | null;
  fields: Record<string, string>;
}

type Component = { type: string } & Record<string, unknown>;

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

function placeholders(text: unknown): string[] {
  if (typeof text !== 'string') return [];
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((match) => match[1]!))];
}

function sortPositional(names: string[], format: 'positional' | 'named'): string[] {
  return format === 'positional' ? [...names].sort((a, b) => Number(a) - Number(b)) : names;
}

function examplesOf(component: Component | undefined, key: 'header_text' | 'body_text'): string[] {
  const example = component?.example as Record<string, unknown> | undefined;
  const value = example?.[key];
  if (!Array.isArray(value)) return [];
  const first = Array.isArray(value[0]) ? value[0] : value;
  return first.map((item: unknown) => String(item));
}

export function templateShape(components: Component[], parameterFormat: string | null): TemplateShape {
  const upper = (component: Component) => String(component.type).toUpperCase();
  const header = components.find((component) => upper(component) === 'HEADER');
  const body = components.find((component) => upper(component) === 'BODY');
  const footer = components.find((component) => upper(component) === 'FOOTER');
  const buttons = (components.find((component) => upper(component) === 'BUTTONS')?.buttons ?? []) as Array<
    Record<string, unknown>
  >;
  const bodyNames = placeholders(body?.text);
  const format: 'positional' | 'named' =
    parameterFormat === 'named' || (parameterFormat === null && bodyNames.some((name) => !/^\d+$/.test(name)))
      ? 'named'
      : 'positional';
  const headerFormat = header ? String(header.format ?? 'TEXT').toUpperCase() : null;
  const isMediaHeader = headerFormat !== null && headerFormat !== 'TEXT' && headerFormat !== 'LOCATION';
  return {
    parameterFormat: format,
    headerFormat,
    header: isMediaHeader ? ['media'] : sortPositional(placeholders(header?.text), format),
    body: sortPositional(bodyNames, format),
    buttons: buttons.flatMap((button, index) => {
      const type = String(button.type ?? '').toUpperCase();
      const count = type === 'OTP' || type === 'COPY_CODE' ? 1 : placeholders(button.url).length;
      return count > 0
        ? [{ index, type, parameters: Array.from({ length: count }, (_, n) => String(n + 1)) }]
        : [];
    }),
    headerText: typeof header?.text === 'string' ? header.text : null,
    bodyText: typeof body?.text === 'string' ? body.text : '',
    footerText: typeof footer?.text === 'string' ? footer.text : null,
    buttonTexts: buttons.map((button) => ({
      type: String(button.type ?? '').toUpperCase(),
      text: String(button.text ?? ''),
      url: typeof button.url === 'string' ? button.url : null,
    })),
    examples: { header: examplesOf(header, 'header_text'), body: examplesOf(body, 'body_text') },
  };
}

const isMedia = (source: ParameterSource) =>
  typeof source === 'object' && ('image' in source || 'video' in source || 'document' in source);

/**
 * Every way a mapping does not fit a template, as `where: problem` lines; empty when it fits. This is
 * Meta's 132000 (parameter count) and 132012 (parameter format), asked before anything is sent.
 */
export function checkMapping(shape: TemplateShape, mapping: ParameterMapping, where: string): string[] {
  const problems: string[] = [];
  const header = mapping.header ?? [];
  if (header.length !== shape.header.length) {
    problems.push(
      `${where}.header: the template's header takes ${shape.header.length} parameter(s), the mapping gives ${header.length}`,
    );
  } else if (shape.header[0] === 'media') {
    const kind = shape.headerFormat!.toLowerCase();
    if (!(typeof header[0] === 'object' && kind in header[0])) {
      problems.push(
        `${where}.header: the template's header is ${shape.headerFormat}; map it to { ${kind}: { link } }`,
      );
    }
  } else if (header.some(isMedia)) {
    problems.push(`${where}.header: a text header takes text, not media`);
  }

  const body = mapping.body ?? (shape.parameterFormat === 'named' ? {} : []);
  if (shape.parameterFormat === 'named') {
    if (Array.isArray(body)) {
      problems.push(
        `${where}.body: the template uses named parameters (${shape.body.join(', ')}); map them by name`,
      );
    } else {
      const given = Object.keys(body);
      const missing = shape.body.filter((name) => !given.includes(name));
      const extra = given.filter((name) => !shape.body.includes(name));
      if (missing.length > 0) problems.push(`${where}.body: no value for {{${missing.join('}}, {{')}}}`);
      if (extra.length > 0) problems.push(`${where}.body: the template has no {{${extra.join('}}, {{')}}}`);
    }
  } else if (!Array.isArray(body)) {
    problems.push(`${where}.body: the template uses positional parameters {{1}} …; map them as an array`);
  } else if (body.length !== shape.body.length) {
    problems.push(
      `${where}.body: the template's body takes ${shape.body.length} parameter(s), the mapping gives ${body.length}`,
    );
  }
  const bodySources = Array.isArray(body) ? body : Object.values(body);
  if (bodySources.some(isMedia)) problems.push(`${where}.body: body parameters are text, not media`);

  const buttons = mapping.buttons ?? {};
  for (const button of shape.buttons) {
    const given = buttons[String(button.index)] ?? [];
    if (given.length !== button.parameters.length) {
      problems.push(
        `${where}.buttons.${button.index}: the ${button.type} button takes ${button.parameters.length} parameter(s), the mapping gives ${given.length}`,
      );
    }
  }
  for (const index of Object.keys(buttons)) {
    if (!shape.buttons.some((button) => String(button.index) === index)) {
      problems.push(`${where}.buttons.${index}: that button takes no parameters`);
    }
  }
  return problems;
}

/** The text a source gives for a contact; null when a field is missing and has no fallback. */
export function resolveText(source: ParameterSource, contact: ParameterContact): string | null {
  if (typeof source === 'string') return fieldValue(source, contact);
  if ('text' in source) return source.text;
  if ('field' in source) {
    const value = fieldValue(source.field, contact);
    return value ?? source.fallback ?? null;
  }
  return null;
}

function fieldValue(field: string, contact: ParameterContact): string | null {
  const key = field.startsWith('fields.') ? field.slice('fields.'.length) : field;
  let value: string | null | undefined;
  if (field === 'name') value = contact.name;
  else if (field === 'firstName') value = contact.name?.trim().split(/\s+/)[0] ?? null;
  else if (field === 'phone') value = `+${contact.waId}`;
  else if (field === 'waId') value = contact.waId;
  else value = contact.fields[key];
  return value === undefined || value === null || value.trim() === '' ? null : value;
}

function toParameter(
  source: ParameterSource,
  contact: ParameterContact,
  name: string | null,
): TemplateParameter | string {
  if (typeof source === 'object' && 'image' in source)
    return { type: 'image', image: { link: source.image.link } };
  if (typeof source === 'object' && 'video' in source)
    return { type: 'video', video: { link: source.video.link } };
  if (typeof source === 'object' && 'document' in source) {
    return {
      type: 'document',
      document: {
        link: source.document.link,
        ...(source.document.filename ? { filename: source.document.filename } : {}),
      },
    };
  }
  const text = resolveText(source, contact);
  if (text === null) {
    const field = typeof source === 'string' ? source : 'field' in source ? source.field : '?';
    return `the contact has no "${field}" and the mapping gives no fallback`;
  }
  // Meta refuses line breaks, tabs and more than four spaces in a row in a body parameter (132012).
  const clean = text
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/ {5,}/g, '    ')
    .slice(0, 1024);
  return name === null ? { type: 'text', text: clean } : { type: 'text', text: clean, parameterName: name };
}

/**
 * The send components for one contact, or the reason a value is missing (such a contact is not sent,
 * rather than sent a template Meta would refuse with 131008).
 */
export function buildComponents(
  shape: TemplateShape,
  mapping: ParameterMapping,
  contact: ParameterContact,
): { components: TemplateComponent[] } | { missing: string } {
  const components: TemplateComponent[] = [];
  const collect = (sources: Array<[ParameterSource, string | null]>): TemplateParameter[] | string => {
    const parameters: TemplateParameter[] = [];
    for (const [source, name] of sources) {
      const parameter = toParameter(source, contact, name);
      if (typeof parameter === 'string') return parameter;
      parameters.push(parameter);
    }
    return parameters;
  };
  const named = shape.parameterFormat === 'named';
  if (shape.header.length > 0) {
    const header = collect(
      (mapping.header ?? []).map((source, index) => [
        source,
        named && shape.header[0] !== 'media' ? shape.header[index]! : null,
      ]),
    );
    if (typeof header === 'string') return { missing: header };
    components.push({ type: 'header', parameters: header });
  }
  if (shape.body.length > 0) {
    const body = mapping.body ?? [];
    const sources: Array<[ParameterSource, string | null]> = Array.isArray(body)
      ? body.map((source) => [source, null])
      : shape.body.map((name) => [body[name]!, name]);
    const parameters = collect(sources);
    if (typeof parameters === 'string') return { missing: parameters };
    components.push({ type: 'body', parameters });
  }
  for (const button of shape.buttons) {
    const parameters = collect(
      (mapping.buttons?.[String(button.index)] ?? []).map((source) => [source, null]),
    );
    if (typeof parameters === 'string') return { missing: parameters };
    // OTP and copy-code buttons are sent as `url` too (see outbound-message.ts).
    components.push({ type: 'button', subType: 'url', index: button.index, parameters });
  }
  return { components };
}

export interface TemplatePreview {
  header: string | null;
  body: string;
  footer: string | null;
  buttons: Array<{ type: string; text: string; url: string | null }>;
}

/** The message as the customer would read it, with the given values (or Meta's samples, or the placeholders). */
export function renderPreview(
  shape: TemplateShape,
  values: { header?: string[]; body?: string[] | Record<string, string>; buttons?: Record<string, string[]> },
): TemplatePreview {
  const fill = (
    text: string,
    names: string[],
    given: string[] | Record<string, string> | undefined,
    samples: string[],
  ) =>
    text.replace(PLACEHOLDER, (whole, name: string) => {
      const index = names.indexOf(name);
      const value = Array.isArray(given) ? given[index] : given?.[name];
      return value ?? samples[index] ?? whole;
    });
  return {
    header:
      shape.headerText === null
        ? shape.headerFormat && shape.headerFormat !== 'TEXT'
          ? `[${shape.headerFormat.toLowerCase()}]`
          : null
        : fill(shape.headerText, shape.header, values.header, shape.examples.header),
    body: fill(shape.bodyText, shape.body, values.body, shape.examples.body),
    footer: shape.footerText,
    buttons: shape.buttonTexts.map((button, index) => ({
      ...button,
      url: button.url === null ? null : fill(button.url, ['1'], values.buttons?.[String(index)], []),
    })),
  };
}
