/** The notices area: each notice with its level, detail, hint and a dismiss button. */
import { useLab } from '../store';

export function Notices() {
  const notices = useLab((s) => s.notices);
  const dismiss = useLab((s) => s.dismissNotice);
  if (notices.length === 0) return null;
  return (
    <section className="notices" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className={`notice ${n.level}`} data-testid="notice" data-level={n.level} role={n.level === 'error' ? 'alert' : 'status'}>
          <div className="notice-body">
            <strong className="notice-title">{n.title}</strong>
            {n.detail && <div className="notice-detail">{n.detail}</div>}
            {n.hint && <div className="notice-hint">{n.hint}</div>}
          </div>
          <button type="button" className="notice-dismiss" aria-label="Dismiss" onClick={() => dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </section>
  );
}
