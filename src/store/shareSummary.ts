/** What a link to the current view holds and what it leaves out (shown beside Share, and tested). */
import type { LabState } from './types';
import { isFolderDataset } from './imageDatasetActions';

export interface ShareSummary {
  holds: string[];
  leavesOut: string[];
}

export function shareSummary(s: LabState): ShareSummary {
  const holds: string[] = [`the ${s.panel} panel`];
  const leavesOut: string[] = [];
  const source = s.pendingSource ?? s.source;
  if (source?.kind === 'builtin') holds.push(`the built-in model ${source.id}`);
  else if (source?.kind === 'url') holds.push('the model’s address');
  else if (source?.kind === 'file') leavesOut.push(`the model file “${source.name}” (a colleague must open it; an experiment file names it by sha256)`);
  if (s.layer !== null) holds.push(s.unit !== null ? `layer ${s.layer}, unit ${s.unit}` : `layer ${s.layer}`);
  if (isFolderDataset(s.datasetId)) leavesOut.push('the local image folder');
  else if (s.datasetId) holds.push(`the dataset ${s.datasetId}${Object.keys(s.datasetFilter).length ? ' with its filters' : ''}`);
  if (s.fvSeed !== null) holds.push(`feature-visualisation seed ${s.fvSeed}`);
  if (s.panel === 'upscale') {
    holds.push(s.upChoice.startsWith('file:') ? 'the upscale mode' : `the upscaler ${s.upChoice}`);
    if (s.upChoice.startsWith('file:')) leavesOut.push('your upscaler file');
    if (s.upInput) leavesOut.push(`the image “${s.upInput.name}”${s.upInput.truth ? ' and its ground truth' : ''}`);
  }
  if (s.panel === 'exemplars' && s.exTry) leavesOut.push(`the try-it image “${s.exTry.name}”`);
  // Never in a link, a file or an embed.
  leavesOut.push('any API key');
  return { holds, leavesOut };
}
