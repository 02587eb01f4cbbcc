/**
 * Image handles to what a backend sends: the PNG (base64) for models that see images, a caption
 * line for those that do not. Every image goes with a text line naming its handle, so the model
 * can pass the handle to the next tool call either way.
 */
import type { ImageRef, ImageResolver } from '../types';

export type ResolvedImage =
  | { kind: 'png'; label: string; base64: string }
  | { kind: 'caption'; label: string };

/** The handle line: "[image img-3]" or, without pixels, "[image img-3: red bag on grass]". */
export function imageLabel(ref: ImageRef, withCaption: boolean, missing = false): string {
  if (missing) return `[image ${ref.id}: not available]`;
  const caption = ref.caption?.trim();
  return withCaption && caption ? `[image ${ref.id}: ${caption}]` : `[image ${ref.id}]`;
}

export function resolveImage(ref: ImageRef, images: ImageResolver, seesImages: boolean): ResolvedImage {
  const stored = images.get(ref.id);
  if (!seesImages || !stored) return { kind: 'caption', label: imageLabel(ref, true, seesImages && !stored) };
  return { kind: 'png', label: imageLabel(ref, false), base64: stored.png };
}

/** The text a tool result carries; for models without pixels its images' captions are appended. */
export function toolResultText(text: string, refs: ImageRef[], seesImages: boolean): string {
  if (seesImages || refs.length === 0) return text;
  return [text, ...refs.map((r) => imageLabel(r, true))].join('\n');
}
