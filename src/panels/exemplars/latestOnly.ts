/**
 * Runs the latest state of something that changes fast (a drawing under the pointer) through a slow
 * consumer (the model): at most one run in flight; changes meanwhile are coalesced into one
 * follow-up that reads the state as it is then — intermediate states are dropped, never queued.
 * Mid-stroke changes start a run at most once per `intervalMs`; the end of a stroke runs as soon as
 * nothing is in flight, so the last drawing is always the one shown.
 */
export class LatestOnly {
  private busy = false;
  private dirty = false;
  private urgent = false;
  private lastStart = Number.NEGATIVE_INFINITY;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  /** Runs started (for tests and the curious). */
  runs = 0;

  constructor(
    /** Reads the current state and runs it; resolves when the result is in. */
    private readonly run: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A change mid-stroke: runs now when idle and the interval has passed, else once, later. */
  change(): void {
    this.dirty = true;
    this.pump();
  }

  /** The end of a stroke (or an edit: clear, undo): runs as soon as nothing is in flight. */
  flush(): void {
    this.dirty = true;
    this.urgent = true;
    this.pump();
  }

  /** Forgets pending changes; a run in flight finishes, nothing starts after it. */
  stop(): void {
    this.stopped = true;
    this.dirty = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private pump(): void {
    if (this.stopped || this.busy || !this.dirty) return;
    const wait = this.urgent ? 0 : this.lastStart + this.intervalMs - this.now();
    if (wait > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = null;
        this.pump();
      }, wait);
      return;
    }
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.dirty = false;
    this.urgent = false;
    this.busy = true;
    this.lastStart = this.now();
    this.runs++;
    // The consumer reports its own failures; a rejection must not stop the loop.
    void this.run()
      .catch(() => undefined)
      .finally(() => {
        this.busy = false;
        this.pump();
      });
  }
}
