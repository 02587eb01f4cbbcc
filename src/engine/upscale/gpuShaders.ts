/**
 * WGSL for GPU-resident webcam frames (see gpuFrames.ts): the upscaler's planar float output
 * [3,H,W] drawn on a canvas, clamped (the model's output is not): planarToRgba (planar.ts) on the GPU.
 */

/** Render: a full-screen triangle whose fragments read planar float at their pixel, clamped to [0,1]. */
export const PLANAR_TO_CANVAS_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> planar: array<f32>;
@group(0) @binding(1) var<uniform> size: vec4u;

@vertex
fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4f {
  let xy = vec2f(f32((i << 1u) & 2u), f32(i & 2u));
  return vec4f(xy * 2.0 - 1.0, 0.0, 1.0);
}

@fragment
fn fs(@builtin(position) pos: vec4f) -> @location(0) vec4f {
  let p = vec2u(pos.xy);
  let plane = size.x * size.y;
  let i = p.y * size.x + p.x;
  let rgb = vec3f(planar[i], planar[i + plane], planar[i + 2u * plane]);
  return vec4f(clamp(rgb, vec3f(0.0), vec3f(1.0)), 1.0);
}
`;
