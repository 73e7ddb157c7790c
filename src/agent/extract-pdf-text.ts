import { extractText, getDocumentProxy, getMeta } from 'unpdf';
import { AppError } from '../http/app-error.ts';

export interface PdfText {
  /** The document's own title (its Info dictionary), when it has one. */
  title: string | null;
  /** Every page's text, pages separated by a blank line. */
  text: string;
  pages: number;
}

/**
 * The text of a PDF, for the knowledge base. A PDF that cannot be read, or has no text layer (a scan),
 * is refused with a reason: storing bytes the agent cannot search would only look like knowledge.
 */
export async function extractPdfText(bytes: Uint8Array): Promise<PdfText> {
  let document: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    // A copy: pdf.js takes the buffer over, and the caller's (Fastify's) must stay usable.
    document = await getDocumentProxy(new Uint8Array(bytes));
  } catch (error) {
    throw new AppError(
      'validation_failed',
      `the PDF could not be read (${error instanceof Error ? error.message : String(error)}): send a valid PDF, or its text as text/markdown`,
    );
  }
  try {
    const { totalPages, text } = await extractText(document, { mergePages: false });
    const pages = (text as string[]).map((page) => page.trim()).filter((page) => page.length > 0);
    if (pages.length === 0)
      throw new AppError(
        'validation_failed',
        'the PDF has no text layer (a scan?): run it through OCR first, or send its text as text/markdown',
      );
    const info = (await getMeta(document)).info as { Title?: unknown } | undefined;
    const title =
      typeof info?.Title === 'string' && info.Title.trim() ? info.Title.trim().slice(0, 300) : null;
    return { title, text: pages.join('\n\n'), pages: totalPages };
  } finally {
    await document.loadingTask.destroy();
  }
}
