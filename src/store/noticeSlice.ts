/** Notices: messages to the researcher (info, warnings, errors with a hint of what to do). */
import type { SliceCreator } from './types';

export type NoticeLevel = 'info' | 'warning' | 'error';

export interface Notice {
  id: number;
  level: NoticeLevel;
  title: string;
  detail?: string;
  hint?: string;
}

export type NoticeInput = Omit<Notice, 'id'>;

export interface NoticeSlice {
  notices: Notice[];
  /** Adds a notice and returns its id. An identical notice already shown is moved to the end instead. */
  pushNotice: (notice: NoticeInput) => number;
  dismissNotice: (id: number) => void;
  clearNotices: () => void;
}

/** The oldest notices go once there are more than this many. */
export const MAX_NOTICES = 8;

let nextNoticeId = 1;

function sameNotice(a: NoticeInput, b: NoticeInput): boolean {
  return a.level === b.level && a.title === b.title && a.detail === b.detail && a.hint === b.hint;
}

export const createNoticeSlice: SliceCreator<NoticeSlice> = (set) => ({
  notices: [],
  pushNotice: (input) => {
    const notice: Notice = { ...input, id: nextNoticeId++ };
    set((s) => {
      const rest = s.notices.filter((n) => !sameNotice(n, input));
      return { notices: [...rest, notice].slice(-MAX_NOTICES) };
    });
    return notice.id;
  },
  dismissNotice: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
  clearNotices: () => set({ notices: [] }),
});
