import { z } from 'zod';
import { defineTool, ToolError } from './agent-tool.ts';

export const sendMedia = defineTool({
  name: 'send_media',
  description:
    'Send the customer a media asset from the knowledge base (a brochure, a price list, a photo), by its document id.',
  arguments: z.object({
    documentId: z.string().min(1).max(100),
    caption: z.string().max(1024).optional(),
  }),
  async run(environment, args) {
    const asset = await environment.findMedia(args.documentId);
    if (!asset) throw new ToolError(`there is no media asset ${args.documentId} in the knowledge base`);
    environment.queueMedia(asset, args.caption ?? null);
    return { queued: { documentId: asset.id, title: asset.title, kind: asset.mediaKind } };
  },
});
