import ort from 'onnxruntime-node';
const files = process.argv.slice(2);
const H = 360, W = 640;
const data = new Float32Array(3 * H * W);
for (let i = 0; i < data.length; i++) data[i] = ((i * 2654435761) % 1000) / 1000;
const sessions = [];
for (const f of files) sessions.push([f, await ort.InferenceSession.create(f, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' })]);
const outs = {};
for (const [f, s] of sessions) { const r = await s.run({ lr: new ort.Tensor('float32', data, [1, 3, H, W]) }); outs[f] = r.sr.data; }
const times = Object.fromEntries(files.map((f) => [f, []]));
for (let rep = 0; rep < 5; rep++) for (const [f, s] of sessions) {
  const t0 = performance.now();
  await s.run({ lr: new ort.Tensor('float32', data, [1, 3, H, W]) });
  times[f].push(performance.now() - t0);
}
for (const f of files) { const t = times[f].sort((a, b) => a - b); console.log(f, 'median ms', t[2].toFixed(0), 'all', t.map((x) => x.toFixed(0)).join(',')); }
if (files.length === 2) { const a = outs[files[0]], b = outs[files[1]]; let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i])); console.log('max |diff| between graphs', m); }
