/** Helpers for the images of an agent run (handles into the run's store). */
import type { StoredImage, ToolResult } from '../../engine/agent/types';

export const imageSrc = (img: StoredImage) => `data:image/png;base64,${img.png}`;

/** The activation a tool result reports for an image handle (rows of its data), else the one stored with the image. */
export function activationOf(result: ToolResult, id: string, image: StoredImage | undefined): number | undefined {
  const data = result.data as Record<string, unknown> | undefined;
  for (const rows of Object.values(data ?? {})) {
    if (!Array.isArray(rows)) continue;
    for (const row of rows as Array<Record<string, unknown>>) {
      if (row && (row.masked === id || row.image === id) && typeof row.activation === 'number') return row.activation;
    }
  }
  return image?.activation;
}
