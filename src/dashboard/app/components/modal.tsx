import { type ReactNode, useEffect, useRef } from 'react';
import { Icon } from './icon.tsx';

/** A dialog on the native <dialog> element: focus trapping, Escape and the backdrop come with it. */
export function Modal({
  title,
  onClose,
  children,
  footer,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  // No close() on cleanup: removing the element closes it, and a close() would fire onClose (React's
  // development double-run of effects would then shut the dialog it just opened).
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);
  return (
    <dialog ref={dialog} className="modal" onClose={onClose} aria-label={title}>
      <div className="modal-head">
        <h2>{title}</h2>
        <button type="button" className="icon-button" onClick={onClose}>
          <Icon name="close" label="Close" />
        </button>
      </div>
      <div className="modal-body">{children}</div>
      {footer ? <div className="modal-foot">{footer}</div> : null}
    </dialog>
  );
}
