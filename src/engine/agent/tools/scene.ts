/** Scene facts for stored images and the captions models without vision read. */
import type { SceneAttributes } from '../../synth/spec';
import type { StoredImage } from '../types';
import { fmt } from './measure';

export type SceneFacts = NonNullable<StoredImage['scene']>;

/** `background` is the background's kind (foliage, stripes, …); `backgroundKind` whether it is a photo or procedural. */
export function sceneFacts(a: SceneAttributes): SceneFacts {
  return { class: a.class, color: a.color, texture: a.texture, background: a.background.kind, backgroundKind: a.background.type };
}

const TEXTURE_WORDS: Record<string, string> = { plain: 'plain', stripes: 'striped', dots: 'dotted', checks: 'checked' };

/** "red striped sneaker on foliage (photo)". */
export function sceneText(s: SceneFacts): string {
  return `${s.color} ${TEXTURE_WORDS[s.texture] ?? s.texture} ${s.class} on ${s.background} (${s.backgroundKind})`;
}

/** The caption of an image: what it shows (when known) and the unit's activation. */
export function caption(img: StoredImage): string {
  const what = img.scene ? `scene: ${sceneText(img.scene)}` : img.origin?.kind === 'upload' ? 'uploaded image' : 'image';
  const masked = img.origin?.kind === 'mask' ? 'masked ' : '';
  return `${masked}${what}${img.activation !== undefined ? `; activation ${fmt(img.activation)}` : ''}`;
}
