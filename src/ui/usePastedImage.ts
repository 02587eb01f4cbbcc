/** While the calling component is mounted, an image pasted anywhere on the page goes to `onImage`. */
import { useEffect } from 'react';

export function usePastedImage(onImage: (file: File) => void): void {
  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const item = Array.from(e.clipboardData?.items ?? []).find((i) => i.type.startsWith('image/'));
      const file = item?.getAsFile();
      if (!file) return;
      e.preventDefault();
      onImage(file);
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
    // The handler is a module-level action in both callers: registering once is enough.
  }, []);
}
