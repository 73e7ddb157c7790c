import type { TemplatePreview } from '../../lib/types.ts';

/** A template message as the customer's phone shows it. */
export function TemplatePreviewBubble({ preview }: { preview: TemplatePreview }) {
  return (
    <div className="phone-preview" data-testid="template-preview">
      <div className="bubble in" style={{ maxWidth: '92%' }}>
        {preview.header ? (
          <strong style={{ display: 'block', marginBottom: 4 }}>{preview.header}</strong>
        ) : null}
        {preview.body}
        {preview.footer ? (
          <div className="small muted" style={{ marginTop: 6 }}>
            {preview.footer}
          </div>
        ) : null}
        {preview.buttons.length > 0 ? (
          <div className="template-card" style={{ borderLeft: 0, paddingLeft: 0 }}>
            <div className="template-buttons">
              {preview.buttons.map((button, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: buttons are in the template's order.
                <span key={index}>{button.text}</span>
              ))}
            </div>
          </div>
        ) : null}
      </div>
    </div>
  );
}
