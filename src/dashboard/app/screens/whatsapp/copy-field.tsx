import { useState } from 'react';
import { Icon } from '../../components/icon.tsx';

/** A read-only value with a copy button; a secret stays hidden until asked for. */
export function CopyField({
  value,
  label,
  isSecret = false,
}: {
  value: string;
  label: string;
  isSecret?: boolean;
}) {
  const [isShown, setIsShown] = useState(!isSecret);
  const [isCopied, setIsCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard?.writeText(value);
    setIsCopied(true);
    setTimeout(() => setIsCopied(false), 1500);
  };
  return (
    <span className="copy-field">
      <input
        className="input"
        readOnly
        aria-label={label}
        type={isShown ? 'text' : 'password'}
        value={value}
        onFocus={(event) => event.target.select()}
      />
      {isSecret ? (
        <button type="button" className="button" onClick={() => setIsShown((shown) => !shown)}>
          {isShown ? 'Hide' : 'Show'}
        </button>
      ) : null}
      <button type="button" className="button" onClick={() => void copy()}>
        <Icon name={isCopied ? 'check' : 'copy'} size={16} /> {isCopied ? 'Copied' : 'Copy'}
      </button>
    </span>
  );
}
