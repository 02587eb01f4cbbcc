/** A load that failed for a reason we can explain: carries the notice to show. */
import type { NoticeInput } from './noticeSlice';

export class LoadProblem extends Error {
  constructor(readonly notice: NoticeInput) {
    super(notice.detail ? `${notice.title}: ${notice.detail}` : notice.title);
    this.name = 'LoadProblem';
  }
}
