/** Message templates: mirrored from each WABA, their review status, quality and parameters. */
export {
  applyTemplateCategory,
  applyTemplateComponents,
  applyTemplateQuality,
  applyTemplateStatus,
  MessageTemplates,
  shapeOf,
} from './message-templates.ts';
export {
  buildComponents,
  checkMapping,
  type ParameterMapping,
  type TemplateShape,
} from './template-parameters.ts';
export { parameterMapping, templateRoutes } from './template-routes.ts';
