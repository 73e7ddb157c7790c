import type { Template } from '../../lib/types.ts';

/** Where one template parameter comes from: a contact field (with a fallback), or the same text for all. */
export interface ParameterSource {
  kind: 'field' | 'text';
  value: string;
  fallback: string;
}

export type MappingDraft = { header: Record<string, ParameterSource>; body: Record<string, ParameterSource> };

/** Fields every contact has; custom fields from imports are added to these. */
export const STANDARD_FIELDS = ['firstName', 'name', 'phone', 'waId'];

/** A sensible start: the first body parameter is the contact's first name, the rest are to be filled. */
export function initialMapping(template: Template): MappingDraft {
  const draft: MappingDraft = { header: {}, body: {} };
  template.parameters.header.forEach((key) => {
    draft.header[key] = { kind: 'text', value: '', fallback: '' };
  });
  template.parameters.body.forEach((key, index) => {
    draft.body[key] =
      index === 0
        ? { kind: 'field', value: 'firstName', fallback: 'there' }
        : { kind: 'text', value: '', fallback: '' };
  });
  return draft;
}

function toSource(source: ParameterSource) {
  if (source.kind === 'text') return { text: source.value };
  return source.fallback.trim() ? { field: source.value, fallback: source.fallback } : source.value;
}

/** The API's parameter mapping: arrays in order for positional templates, objects by name for named ones. */
export function toParameterMapping(template: Template, draft: MappingDraft) {
  const isNamed = template.parameterFormat === 'named';
  const section = (keys: string[], sources: Record<string, ParameterSource>) =>
    isNamed
      ? Object.fromEntries(
          keys.map((key) => [key, toSource(sources[key] ?? { kind: 'text', value: '', fallback: '' })]),
        )
      : keys.map((key) => toSource(sources[key] ?? { kind: 'text', value: '', fallback: '' }));
  return {
    ...(template.parameters.header.length > 0
      ? { header: section(template.parameters.header, draft.header) }
      : {}),
    ...(template.parameters.body.length > 0 ? { body: section(template.parameters.body, draft.body) } : {}),
  };
}

/** What is still missing before the mapping can be sent (the server checks the rest). */
export function mappingProblems(template: Template, draft: MappingDraft): string[] {
  const problems: string[] = [];
  for (const [part, keys] of [
    ['header', template.parameters.header],
    ['body', template.parameters.body],
  ] as const) {
    for (const key of keys) {
      const source = draft[part][key];
      if (!source?.value.trim())
        problems.push(`{{${key}}} in the ${part} needs a ${source?.kind === 'field' ? 'field' : 'text'}`);
    }
  }
  return problems;
}
