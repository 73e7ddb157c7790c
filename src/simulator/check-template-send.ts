import type { TemplateRequest } from './check-send-body.ts';
import { SimulatedGraphError } from './graph-error.ts';
import type { TemplateRecord, TemplateRegistry } from './template-registry.ts';

/** Which request `sub_type` fits which template button type (an OTP button is sent as `url` or `copy_code`). */
const buttonSubTypes: Record<string, readonly string[]> = {
  QUICK_REPLY: ['quick_reply'],
  URL: ['url'],
  OTP: ['url', 'copy_code', 'one_tap', 'zero_tap'],
  COPY_CODE: ['copy_code', 'url'],
  FLOW: ['flow'],
  CATALOG: ['catalog'],
  MPM: ['mpm'],
  PHONE_NUMBER: ['phone_number', 'voice_call'],
  VOICE_CALL: ['voice_call'],
};

function countMismatch(where: string, given: number, expected: number): SimulatedGraphError {
  return new SimulatedGraphError(
    132000,
    `${where}: number of localizable_params (${given}) does not match the expected number of params (${expected})`,
  );
}

/**
 * Checks a template send against the WABA's templates: it must exist in that language (132001), be
 * approved (132001; paused 132015, disabled 132016), and carry the parameter counts its components
 * declare (132000) in the formats they declare (132012).
 *
 * The body is always counted, as Meta does. A header or button component is checked when the request
 * includes it: Meta's own published examples send one template both with and without its image
 * header, and every one of those examples must be accepted.
 */
export function checkTemplateSend(
  request: TemplateRequest,
  wabaId: string,
  registry: TemplateRegistry,
): TemplateRecord {
  const record = registry.find(wabaId, request.name, request.languageCode);
  if (!record) {
    throw new SimulatedGraphError(
      132001,
      `template name (${request.name}) does not exist in ${request.languageCode}`,
    );
  }
  if (record.status === 'PAUSED') throw new SimulatedGraphError(132015, `template ${record.name} is paused`);
  if (record.status === 'DISABLED')
    throw new SimulatedGraphError(132016, `template ${record.name} is disabled`);
  if (record.status !== 'APPROVED') {
    throw new SimulatedGraphError(
      132001,
      `template ${record.name} (${record.language}) is ${record.status}, not APPROVED`,
    );
  }

  const bodyParameters = request.components
    .filter((component) => component.type === 'body')
    .flatMap((component) => component.parameters);
  if (bodyParameters.length !== record.bodyParameterCount) {
    throw countMismatch('body', bodyParameters.length, record.bodyParameterCount);
  }
  if (record.parameterFormat === 'named') {
    for (const parameter of bodyParameters) {
      if (parameter.type !== 'text') continue;
      if (typeof parameter.parameter_name !== 'string') {
        throw new SimulatedGraphError(
          131008,
          'The parameter parameter_name is required for a named template.',
        );
      }
      if (!record.bodyParameterNames.includes(parameter.parameter_name)) {
        throw new SimulatedGraphError(
          132000,
          `body: parameter_name ${parameter.parameter_name} is not in the template`,
        );
      }
    }
  }

  for (const component of request.components) {
    if (component.type === 'header') {
      if (component.parameters.length !== record.headerParameterCount) {
        throw countMismatch('header', component.parameters.length, record.headerParameterCount);
      }
      const expectedType = (record.headerFormat ?? 'TEXT').toLowerCase();
      for (const parameter of component.parameters) {
        if (parameter.type !== expectedType) {
          throw new SimulatedGraphError(
            132012,
            `header: parameter type ${String(parameter.type)} does not match format ${expectedType}`,
          );
        }
      }
    } else if (component.type === 'button') {
      const index = component.index ?? 0;
      const button = record.buttons[index];
      if (!button) throw new SimulatedGraphError(131009, `Param template has no button at index ${index}.`);
      const allowed = buttonSubTypes[button.type] ?? [button.type.toLowerCase()];
      if (component.subType !== null && !allowed.includes(component.subType)) {
        throw new SimulatedGraphError(131009, `Button at index ${index} must be of type ${button.type}.`);
      }
      // A quick reply's payload parameter is optional; other buttons take exactly what they declare.
      if (
        button.type !== 'QUICK_REPLY' &&
        component.parameters.length !== button.parameterCount &&
        button.parameterCount > 0
      ) {
        throw countMismatch(`button ${index}`, component.parameters.length, button.parameterCount);
      }
    }
  }
  return record;
}
