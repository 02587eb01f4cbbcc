/** The CLI's outputs: stable JSON documents (schemas in docs/cli.md) and human-readable text. */
import type { Layer, ModelSummary } from '../engine/types';
import type { Prediction } from '../worker/protocol';

export interface RunRecord {
  file: string;
  prediction: Prediction;
  stats: Array<{ layer: Layer; max: number[]; mean: number[] }>;
}

export function inspectJson(s: ModelSummary) {
  return {
    schema: 'lab.inspect/1',
    model: { name: s.name, sha256: s.sha256, bytes: s.bytes, producer: s.producer, opset: s.opset, parameters: s.parameters },
    inputs: s.inputs,
    outputs: s.outputs,
    imageInput: s.imageInput,
    preprocess: s.preprocess,
    labels: s.labels,
    ops: s.ops,
    layers: s.layers.map(({ tensor, label, op, channels, shape, tokens }) => ({ tensor, label, op, channels, shape, ...(tokens ? { tokens } : {}) })),
  };
}

export function runJson(s: ModelSummary, records: RunRecord[]) {
  return {
    schema: 'lab.run/1',
    model: { name: s.name, sha256: s.sha256 },
    preprocess: s.preprocess,
    images: records.map((r) => ({
      file: r.file,
      logits: r.prediction.logits,
      top: r.prediction.top,
      layers: Object.fromEntries(r.stats.map((st) => [st.layer.label, { tensor: st.layer.tensor, max: st.max, mean: st.mean }])),
    })),
  };
}

const fmtInt = (n: number) => n.toLocaleString('en-US');

export function formatInspect(s: ModelSummary): string {
  const lines = [
    `${s.name}  sha256 ${s.sha256.slice(0, 16)}…  ${fmtInt(s.bytes)} bytes`,
    `producer ${s.producer || '?'}, opset ${s.opset}, ${fmtInt(s.parameters)} parameters`,
    `image input ${s.imageInput.name} [N,3,${s.imageInput.height ?? '?'},${s.imageInput.width ?? '?'}]`,
    `preprocess size ${s.preprocess.size.join('×')} mean ${s.preprocess.mean.join(',')} std ${s.preprocess.std.join(',')} (${s.preprocess.source})`,
    `ops ${Object.entries(s.ops).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}×${v}`).join(' ')}`,
    `${s.layers.length} layers:`,
    ...s.layers.map((l) => `  ${l.label.padEnd(40)} ${l.op.padEnd(18)} ${String(l.channels).padStart(5)} ch  [${l.shape.join(',')}]`),
  ];
  return lines.join('\n');
}

export function formatRun(s: ModelSummary, records: RunRecord[]): string {
  return records
    .map((r) => {
      const top = r.prediction.top.map((t) => `${t.label} ${(t.probability * 100).toFixed(1)}%`).join(', ');
      const layers = r.stats.map((st) => {
        const best = st.max.reduce((bi, v, i, a) => (v > a[bi] ? i : bi), 0);
        return `  ${st.layer.label}: strongest unit ${best} (max ${st.max[best].toFixed(3)})`;
      });
      return [`${r.file}: ${top}`, ...layers].join('\n');
    })
    .join('\n');
}
