/**
 * Windowing for long lists of fixed-height rows (a model's layer list runs to hundreds): only the
 * rows in view, plus some above and below, are rendered; spacers keep the scroll height true.
 */
import { useCallback, useLayoutEffect, useRef, useState, type RefObject } from 'react';

export interface RowWindow {
  /** First row to render, and one past the last. */
  start: number;
  end: number;
  /** Heights of the spacers before and after the rendered rows, in px. */
  before: number;
  after: number;
}

/** The rows a viewport shows, `scrollTop` px into a list starting `listTop` px below the viewport's top. */
export function rowWindow(count: number, rowHeight: number, scrollTop: number, viewport: number, listTop = 0, overscan = 10): RowWindow {
  const top = Math.max(0, scrollTop - listTop);
  const start = Math.max(0, Math.min(count, Math.floor(top / rowHeight) - overscan));
  const end = Math.min(count, Math.ceil((top + viewport) / rowHeight) + overscan);
  return { start, end: Math.max(start, end), before: start * rowHeight, after: (count - Math.max(start, end)) * rowHeight };
}

/**
 * Tracks a scrolling container and the element the rows start in; returns the window to render.
 * Before the first layout it renders the first screenful (`fallbackViewport`).
 */
export function useRowWindow(
  count: number,
  rowHeight: number,
  scroller: RefObject<HTMLElement | null>,
  list: RefObject<HTMLElement | null>,
  fallbackViewport = 600,
): RowWindow {
  const [view, setView] = useState({ scrollTop: 0, viewport: fallbackViewport, listTop: 0 });
  const frame = useRef(0);
  const measure = useCallback(() => {
    const s = scroller.current;
    const l = list.current;
    if (!s) return;
    const listTop = l ? l.getBoundingClientRect().top - s.getBoundingClientRect().top + s.scrollTop : 0;
    setView({ scrollTop: s.scrollTop, viewport: s.clientHeight || fallbackViewport, listTop });
  }, [scroller, list, fallbackViewport]);
  useLayoutEffect(() => {
    const s = scroller.current;
    if (!s) return;
    measure();
    const onScroll = () => {
      cancelAnimationFrame(frame.current);
      frame.current = requestAnimationFrame(measure);
    };
    s.addEventListener('scroll', onScroll, { passive: true });
    const resize = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(onScroll);
    resize?.observe(s);
    return () => {
      s.removeEventListener('scroll', onScroll);
      resize?.disconnect();
      cancelAnimationFrame(frame.current);
    };
  }, [scroller, measure, count]);
  return rowWindow(count, rowHeight, view.scrollTop, view.viewport, view.listTop);
}
