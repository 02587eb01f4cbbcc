/**
 * A built-in scene dataset as an ImageSource for indexing: scenes are rendered on demand, batch
 * by batch (about 0.5 ms each), so a pass over 10,000 scenes never holds more than one batch.
 */
import type { SceneDataset } from '../data/datasets';
import type { RawImage } from '../types';
import type { ImageSource } from './indexer';

export function sceneSource(ds: SceneDataset): ImageSource {
  return {
    id: `scenes:${ds.info.id}:${ds.info.sha256}`,
    count: ds.count,
    async load(start: number, end: number): Promise<Array<RawImage | null>> {
      const out: RawImage[] = [];
      for (let i = start; i < end; i++) {
        const { pixels } = ds.renderScene(i);
        out.push({ width: ds.info.width, height: ds.info.height, channels: 3, data: pixels });
      }
      return out;
    },
  };
}
