/**
 * Background policies: how a scene's background kind relates to its class. `independent`
 * draws the kind uniformly over the 10 kinds; `spurious` pairs each class with one kind at a
 * given rate (else uniform over the other 9); `fixed` always uses one kind.
 */
import { Rng } from './rng';
import { BACKGROUND_KINDS, CLASSES, type BackgroundKind, type ClassName } from './vocabulary';

export type BackgroundPolicy =
  | { mode: 'independent' }
  | { mode: 'spurious'; map: Record<ClassName, BackgroundKind>; rate: number }
  | { mode: 'fixed'; kind: BackgroundKind };

/**
 * The class → background-kind pairing of the spurious variant: 5 photo kinds and 5 procedural
 * kinds, one per class. The four upper-body garments (t-shirt, pullover, coat, shirt), which
 * models confuse most, get four different kinds, so the shortcut is most tempting there.
 */
export const SPURIOUS_MAP: Record<ClassName, BackgroundKind> = {
  't-shirt': 'gradient',
  trouser: 'stripes',
  pullover: 'noise',
  dress: 'flowers',
  coat: 'earth',
  sandal: 'water-sky',
  shirt: 'solid',
  sneaker: 'foliage',
  bag: 'man-made',
  'ankle-boot': 'dots',
};

export const SPURIOUS_RATE = 0.95;

export function spuriousPolicy(rate = SPURIOUS_RATE): BackgroundPolicy {
  return { mode: 'spurious', map: SPURIOUS_MAP, rate };
}

/** Draws a background kind for a scene of class `cls`; always consumes exactly two numbers. */
export function drawBackgroundKind(policy: BackgroundPolicy, cls: ClassName, rng: Rng): BackgroundKind {
  const u = rng.next();
  const v = rng.next();
  switch (policy.mode) {
    case 'fixed':
      return policy.kind;
    case 'independent':
      return BACKGROUND_KINDS[Math.floor(u * BACKGROUND_KINDS.length)];
    case 'spurious': {
      const paired = policy.map[cls];
      if (v < policy.rate) return paired;
      const others = BACKGROUND_KINDS.filter((k) => k !== paired);
      return others[Math.floor(u * others.length)];
    }
  }
}

/** True when every class maps to a distinct kind (a bijection onto the 10 kinds). */
export function isBijective(map: Record<ClassName, BackgroundKind>): boolean {
  return new Set(CLASSES.map((c) => map[c])).size === CLASSES.length;
}
