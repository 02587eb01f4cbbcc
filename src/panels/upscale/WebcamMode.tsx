/** Webcam mode: the camera stream upscaled live, with FPS, latency and backend; a clear message without a camera. */
import { useEffect, useRef, useState } from 'react';
import { useLab } from '../../store';
import { GPU_RESIDENT_FRAMES } from '../../engine/upscale/gpuFrames';
import { WEBCAM_SIZES, type WebcamSize } from '../../store/upscaleSlice';
import { backendLabel } from './ImageMode';
import { WebcamLoop, type WebcamStats } from './webcamLoop';

function sizeOf(s: WebcamSize): { width: number; height: number } {
  const [width, height] = s.split('x').map(Number);
  return { width, height };
}

export function WebcamMode() {
  const size = useLab((s) => s.upWebcamSize);
  const status = useLab((s) => s.upStatus);
  const info = useLab((s) => s.upInfo);
  const setWebcamSize = useLab((s) => s.setWebcamSize);
  const gpuFrames = useLab((s) => s.upGpuFrames);
  const setGpuFrames = useLab((s) => s.setGpuFrames);
  const [running, setRunning] = useState(false);
  const [stats, setStats] = useState<WebcamStats | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const video = useRef<HTMLVideoElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const gpuHost = useRef<HTMLDivElement>(null);
  const ready = status === 'ready';
  const onGpu = info?.backend.name === 'webgpu';

  useEffect(() => {
    if (!running || !ready || !video.current || !canvas.current || !gpuHost.current) return;
    // Frames stay on the GPU only on WebGPU, and where a canvas can be moved to the worker.
    const gpu = onGpu && gpuFrames && 'transferControlToOffscreen' in canvas.current ? { host: gpuHost.current, attach: useLab.getState().attachFrameCanvas } : null;
    const onError = (message: string) => {
      setProblem(message);
      setRunning(false);
    };
    const loop = new WebcamLoop(video.current, canvas.current, sizeOf(size), useLab.getState().upscaleFrame, setStats, onError, gpu);
    setProblem(null);
    setStats(null);
    loop.start().catch((err: unknown) => {
      setProblem(err instanceof Error ? err.message : String(err));
      setRunning(false);
    });
    // Stops the camera when the size, the upscaler or the panel changes.
    return () => loop.stop();
  }, [running, ready, size, info, onGpu, gpuFrames]);

  const scale = info?.scale ?? 3;
  const { width, height } = sizeOf(size);
  return (
    <div className="up-webcam">
      <div className="up-controls">
        <label>
          Input{' '}
          <select value={size} data-testid="webcam-size" onChange={(e) => setWebcamSize(e.target.value as WebcamSize)}>
            {WEBCAM_SIZES.map((s) => {
              const d = sizeOf(s);
              return (
                <option key={s} value={s}>
                  {d.width}×{d.height} → {d.width * scale}×{d.height * scale}
                </option>
              );
            })}
          </select>
        </label>
        {onGpu && GPU_RESIDENT_FRAMES && (
          <label title="Off: every frame is read back from the GPU and drawn from the CPU (to compare)">
            <input type="checkbox" data-testid="webcam-gpu-frames" checked={gpuFrames} onChange={(e) => setGpuFrames(e.target.checked)} /> Keep frames on the GPU
          </label>
        )}
        <button type="button" data-testid="webcam-toggle" disabled={!ready && !running} onClick={() => setRunning((r) => !r)}>
          {running ? 'Stop camera' : 'Start camera'}
        </button>
        {stats && (
          <span className="up-stats mono" data-testid="webcam-stats">
            <span data-testid="webcam-fps">{stats.fps.toFixed(1)}</span> fps · latency <span data-testid="webcam-latency">{stats.latencyMs.toFixed(0)}</span> ms (worker{' '}
            {stats.workerMs.toFixed(0)} ms) · <span data-testid="webcam-frames">{stats.frames}</span> frames, {stats.dropped} dropped ·{' '}
            <span data-testid="webcam-out-size">
              {stats.width}×{stats.height}
            </span>{' '}
            · <span data-testid="webcam-backend">{info ? backendLabel(info.backend.name) : '?'}</span> ·{' '}
            <span data-testid="webcam-path" title={stats.gpuProblem ?? undefined}>
              {stats.path === 'gpu' ? 'GPU-resident' : 'CPU copy'}
            </span>
          </span>
        )}
      </div>
      {problem && (
        <div className="notice warning" data-testid="webcam-problem">
          <div className="notice-body">
            <strong>{problem}</strong>
            <div className="notice-hint">The image mode works without a camera.</div>
          </div>
        </div>
      )}
      {!running && !problem && (
        <p className="muted">
          Upscales the camera live: each frame is taken at {width}×{height} and shown at {width * scale}×{height * scale}. Frames that arrive while one is
          being upscaled are skipped. WASM is slow at 640×360; WebGPU is much faster on a real GPU.
        </p>
      )}
      {running && stats?.gpuProblem && (
        <p className="muted" data-testid="webcam-gpu-problem">
          Frames are read back to the CPU: {stats.gpuProblem}
        </p>
      )}
      <video ref={video} playsInline muted hidden />
      <canvas ref={canvas} className="up-webcam-canvas" data-testid="webcam-canvas" hidden={!running || stats?.path === 'gpu'} />
      {/* The GPU-resident canvas: made by the loop, moved to the worker (React keeps no children here). */}
      <div ref={gpuHost} />
    </div>
  );
}
