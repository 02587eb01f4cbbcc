/** The Node runtime: onnxruntime-node on the CPU, for tests, the CLI and benchmarks. */
import * as ort from 'onnxruntime-node';
import { QueuedSession, type OrtTensorCtor } from './session';
import type { Runtime, Session, SessionOptions } from './types';

export function nodeRuntime(): Runtime {
  return {
    externalData: true,
    async createSession(model: Uint8Array, options: SessionOptions = {}): Promise<Session> {
      const threads = options.threads ?? 0; // 0: onnxruntime picks (all cores)
      const session = await ort.InferenceSession.create(model, {
        executionProviders: ['cpu'],
        intraOpNumThreads: threads,
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3,
        ...(options.externalData?.length ? { externalData: options.externalData } : {}),
      });
      return new QueuedSession(session, ort.Tensor as unknown as OrtTensorCtor, {
        name: 'cpu',
        threads,
        fallbackReason: null,
      });
    },
  };
}
