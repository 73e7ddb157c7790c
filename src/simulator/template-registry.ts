import { SimulatedGraphError } from './graph-error.ts';
import { isRecord } from './is-record.ts';
import type { ObjectIds } from './object-ids.ts';
import type {
  TemplateButtonDefinition,
  TemplateCategory,
  TemplateComponentDefinition,
  TemplateDefinition,
  TemplateStatus,
} from './simulator-options.ts';

export interface TemplateButton {
  type: string;
  text: string;
  parameterCount: number;
}

/** A template as the simulator holds it: Meta's fields plus the parameter counts a send must match. */
export interface TemplateRecord {
  id: string;
  wabaId: string;
  name: string;
  language: string;
  category: TemplateCategory;
  status: TemplateStatus;
  parameterFormat: 'positional' | 'named';
  components: TemplateComponentDefinition[];
  messageStatus: 'accepted' | 'held_for_quality_assessment' | 'paused';
  headerFormat: string | null;
  headerParameterCount: number;
  bodyParameterCount: number;
  bodyParameterNames: string[];
  buttons: TemplateButton[];
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;
const categories = new Set<TemplateCategory>(['MARKETING', 'UTILITY', 'AUTHENTICATION']);
/** Meta: lowercase letters, digits and underscores, up to 512 characters (cloud-api-details.md §3.4). */
const TEMPLATE_NAME = /^[a-z0-9_]{1,512}$/;

function placeholders(text: string | undefined): string[] {
  if (text === undefined) return [];
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((match) => match[1] as string))];
}

function buttonParameterCount(button: TemplateButtonDefinition): number {
  return button.parameterCount ?? placeholders(button.url).length;
}

function toRecord(wabaId: string, id: string, definition: TemplateDefinition): TemplateRecord {
  const components = definition.components ?? [];
  const header = components.find((component) => component.type === 'HEADER');
  const body = components.find((component) => component.type === 'BODY');
  const buttons = components.find((component) => component.type === 'BUTTONS')?.buttons ?? [];
  const headerFormat = header ? (header.format ?? 'TEXT') : null;
  const isMediaHeader = headerFormat !== null && headerFormat !== 'TEXT';
  const bodyParameterNames = placeholders(body?.text);
  return {
    id,
    wabaId,
    name: definition.name,
    language: definition.language,
    category: definition.category,
    status: definition.status ?? 'APPROVED',
    parameterFormat: definition.parameterFormat ?? 'positional',
    components,
    messageStatus: definition.messageStatus ?? 'accepted',
    headerFormat,
    headerParameterCount: header?.parameterCount ?? (isMediaHeader ? 1 : placeholders(header?.text).length),
    bodyParameterCount: body?.parameterCount ?? bodyParameterNames.length,
    bodyParameterNames,
    buttons: buttons.map((button) => ({
      type: button.type.toUpperCase(),
      text: button.text,
      parameterCount: buttonParameterCount(button),
    })),
  };
}

/** The message templates of every hosted WABA, keyed by WABA, name and language. */
export class TemplateRegistry {
  readonly #ids: ObjectIds;
  readonly #byKey = new Map<string, TemplateRecord>();
  readonly #byId = new Map<string, TemplateRecord>();

  constructor(ids: ObjectIds) {
    this.#ids = ids;
  }

  static #key(wabaId: string, name: string, language: string): string {
    return `${wabaId}\u0000${name}\u0000${language}`;
  }

  add(wabaId: string, definition: TemplateDefinition): TemplateRecord {
    const key = TemplateRegistry.#key(wabaId, definition.name, definition.language);
    if (this.#byKey.has(key)) {
      throw new SimulatedGraphError(100, `Content in this language already exists for ${definition.name}`, {
        subcode: 2388024,
        message: 'Message template already exists',
      });
    }
    const record = toRecord(wabaId, definition.id ?? this.#ids.numeric(), definition);
    this.#byKey.set(key, record);
    this.#byId.set(record.id, record);
    return record;
  }

  find(wabaId: string, name: string, language: string): TemplateRecord | undefined {
    return this.#byKey.get(TemplateRegistry.#key(wabaId, name, language));
  }

  byId(id: string): TemplateRecord | undefined {
    return this.#byId.get(id);
  }

  list(wabaId: string): TemplateRecord[] {
    return [...this.#byKey.values()].filter((record) => record.wabaId === wabaId);
  }

  /** `POST /{template-id} {components}`: an edit keeps the id, name and language. */
  replaceComponents(id: string, components: TemplateComponentDefinition[]): TemplateRecord | undefined {
    const record = this.#byId.get(id);
    if (!record) return undefined;
    const edited = toRecord(record.wabaId, record.id, {
      name: record.name,
      language: record.language,
      category: record.category,
      status: record.status,
      parameterFormat: record.parameterFormat,
      messageStatus: record.messageStatus,
      components,
    });
    this.#byKey.set(TemplateRegistry.#key(record.wabaId, record.name, record.language), edited);
    this.#byId.set(id, edited);
    return edited;
  }

  setStatus(id: string, status: TemplateStatus): TemplateRecord | undefined {
    const record = this.#byId.get(id);
    if (record) record.status = status;
    return record;
  }

  /** Deletes every language of a name, or one template when `templateId` is given. Returns how many went. */
  delete(wabaId: string, name: string, templateId?: string): number {
    let deleted = 0;
    for (const [key, record] of this.#byKey) {
      if (record.wabaId !== wabaId || record.name !== name) continue;
      if (templateId !== undefined && record.id !== templateId) continue;
      this.#byKey.delete(key);
      this.#byId.delete(record.id);
      deleted += 1;
    }
    return deleted;
  }

  /** Every template of every WABA, for the state file. */
  all(): TemplateRecord[] {
    return [...this.#byKey.values()].map((record) => structuredClone(record));
  }

  /** The templates of these WABAs become exactly `records` (deletions and edits included). */
  restore(wabaIds: readonly string[], records: readonly TemplateRecord[]): void {
    const restored = new Set(wabaIds);
    for (const [key, record] of this.#byKey) {
      if (!restored.has(record.wabaId)) continue;
      this.#byKey.delete(key);
      this.#byId.delete(record.id);
    }
    for (const record of records) {
      const copy = structuredClone(record);
      this.#byKey.set(TemplateRegistry.#key(copy.wabaId, copy.name, copy.language), copy);
      this.#byId.set(copy.id, copy);
    }
  }

  clear(): void {
    this.#byKey.clear();
    this.#byId.clear();
  }

  /** Checks a `POST /{waba-id}/message_templates` body (Meta's creation format) into a definition. */
  static parseCreation(body: unknown): TemplateDefinition {
    if (!isRecord(body)) throw new SimulatedGraphError(100, 'The request body must be a JSON object.');
    const { name, category, language, components } = body;
    if (typeof name !== 'string' || !TEMPLATE_NAME.test(name)) {
      throw new SimulatedGraphError(100, 'Param name must be lowercase letters, digits and underscores.');
    }
    const upperCategory = typeof category === 'string' ? category.toUpperCase() : '';
    if (!categories.has(upperCategory as TemplateCategory)) {
      throw new SimulatedGraphError(
        100,
        'Param category must be one of {AUTHENTICATION, MARKETING, UTILITY}.',
      );
    }
    if (typeof language !== 'string' || language === '') {
      throw new SimulatedGraphError(100, 'The parameter language is required.');
    }
    if (
      !Array.isArray(components) ||
      !components.some((component) => isRecord(component) && String(component.type).toUpperCase() === 'BODY')
    ) {
      throw new SimulatedGraphError(100, 'Param components must include a BODY component.');
    }
    const parameterFormat =
      String(body.parameter_format ?? '').toLowerCase() === 'named' ? 'named' : 'positional';
    return {
      name,
      language,
      category: upperCategory as TemplateCategory,
      parameterFormat,
      components: TemplateRegistry.parseComponents(components),
    };
  }

  static parseComponents(components: unknown): TemplateComponentDefinition[] {
    if (!Array.isArray(components)) throw new SimulatedGraphError(100, 'Param components must be an array.');
    return components.filter(isRecord).map((component) => ({
      ...component,
      type: String(component.type).toUpperCase(),
    })) as unknown as TemplateComponentDefinition[];
  }
}

/** Meta's JSON for a template in `GET /{waba-id}/message_templates`. */
export function templateJson(record: TemplateRecord): Record<string, unknown> {
  return {
    name: record.name,
    parameter_format: record.parameterFormat.toUpperCase(),
    components: record.components,
    language: record.language,
    status: record.status,
    category: record.category,
    id: record.id,
  };
}
