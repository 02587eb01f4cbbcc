/** A button that opens the file picker (a hidden input) and hands over the chosen file; the same file can be chosen again. */
import { useRef, type ReactNode } from 'react';

export function FilePickButton(props: {
  children: ReactNode;
  accept: string;
  onFile: (file: File) => void;
  testid?: string;
  inputTestid?: string;
  className?: string;
  disabled?: boolean;
  title?: string;
}) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" className={props.className} data-testid={props.testid} disabled={props.disabled} title={props.title} onClick={() => input.current?.click()}>
        {props.children}
      </button>
      <input
        ref={input}
        type="file"
        accept={props.accept}
        hidden
        data-testid={props.inputTestid}
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) props.onFile(file);
        }}
      />
    </>
  );
}
