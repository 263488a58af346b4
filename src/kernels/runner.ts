import type { Device, DispatchRecord } from '../tensor/device.ts';
import { fmtShape, LimitError } from '../tensor/errors.ts';
import type { Tensor } from '../tensor/tensor.ts';

/**
 * Everything one dispatch needs. Binding layout convention for every shader in shaders/:
 * `@group(0) @binding(0) var<uniform> p: Params;` when `uniforms` is given, then the tensors
 * in order (inputs, then outputs) at the following bindings.
 */
export interface KernelCall {
  /** Kernel family, e.g. "conv2d"; with `variant`, the profiler's grouping. */
  kernel: string;
  variant?: string;
  shader: string;
  entryPoint?: string;
  /** WGSL `override` constants: specialisation without string templating. Part of the cache key. */
  constants?: Record<string, number>;
  uniforms?: ArrayBuffer;
  tensors: Tensor[];
  /** Workgroup counts; use grid1d() for a flat grid that may exceed the per-dimension limit. */
  workgroups: readonly [number, number?, number?];
  /** Shape string and work for profiles; label defaults to the device's label stack. */
  shape?: string;
  flops?: number;
  bytes?: number;
}

/**
 * Builds a uniform block field by field: every WGSL scalar is 4 bytes, so a struct of scalars packs
 * with no gaps. vec4 members must start at a multiple of 4 fields (pad() gets there).
 */
export class Params {
  private data: number[] = [];
  private types: ('u' | 'i' | 'f')[] = [];
  u32(...v: number[]): this {
    for (const x of v) (this.data.push(x), this.types.push('u'));
    return this;
  }
  i32(...v: number[]): this {
    for (const x of v) (this.data.push(x), this.types.push('i'));
    return this;
  }
  f32(...v: number[]): this {
    for (const x of v) (this.data.push(x), this.types.push('f'));
    return this;
  }
  /** Pads with zeros to a multiple of n fields. */
  pad(n = 4): this {
    while (this.data.length % n) this.u32(0);
    return this;
  }
  build(): ArrayBuffer {
    const n = Math.max(4, Math.ceil(this.data.length / 4) * 4);
    const view = new DataView(new ArrayBuffer(n * 4));
    this.data.forEach((x, i) => {
      const t = this.types[i];
      if (t === 'f') view.setFloat32(i * 4, x, true);
      else if (t === 'i') view.setInt32(i * 4, x, true);
      else view.setUint32(i * 4, x, true);
    });
    return view.buffer;
  }
}

/**
 * A flat grid of `count` workgroups, split into x·y when count exceeds the per-dimension limit.
 * Shaders recover the flat index as `wid.x + wid.y * nwg.x` and return when it is ≥ count.
 */
export function grid1d(dev: Device, count: number): [number, number, number] {
  const max = dev.limits.maxComputeWorkgroupsPerDimension;
  if (count <= max) return [count, 1, 1];
  const y = Math.ceil(count / max);
  if (y > max) throw new LimitError(`grid1d: ${count} workgroups exceed the device's ${max}×${max} grid`);
  return [Math.ceil(count / y), y, 1];
}

let moduleIds = 0;
const moduleIdOf = new Map<string, number>();

/** What names a pipeline: its shader, entry point and override constants. */
type PipelineSpec = Pick<KernelCall, 'kernel' | 'variant' | 'shader' | 'entryPoint' | 'constants'>;

/** The pipeline cache key: shader (by id), entry point, constants. */
function pipelineKey(call: PipelineSpec): string {
  let id = moduleIdOf.get(call.shader);
  if (id === undefined) moduleIdOf.set(call.shader, (id = moduleIds++));
  const consts = call.constants ? Object.entries(call.constants).sort(([a], [b]) => (a < b ? -1 : 1)) : [];
  return `${id}|${call.entryPoint ?? 'main'}|${consts.map(([k, v]) => `${k}=${v}`).join(',')}`;
}

function pipelineDescriptor(dev: Device, call: PipelineSpec): GPUComputePipelineDescriptor {
  const id = String(moduleIdOf.get(call.shader));
  let module = dev.shaderModules.get(id);
  if (!module) dev.shaderModules.set(id, (module = dev.gpu.createShaderModule({ code: call.shader, label: call.kernel })));
  const label = `${call.kernel}${call.variant ? `/${call.variant}` : ''}`;
  return { layout: 'auto', label, compute: { module, entryPoint: call.entryPoint ?? 'main', constants: call.constants } };
}

function pipelineFor(dev: Device, call: KernelCall): GPUComputePipeline {
  const key = pipelineKey(call);
  let p = dev.pipelines.get(key);
  if (!p) dev.pipelines.set(key, (p = dev.gpu.createComputePipeline(pipelineDescriptor(dev, call))));
  return p;
}

/**
 * Compiles the pipelines of `calls` in the background (Dawn compiles createComputePipelineAsync's
 * on a thread of its own) into the cache, where runKernel finds them: start it before host work
 * the GPU waits for (the CRF's lattice build), await it after. A pipeline that fails is left out
 * of the cache; its shader's errors surface at the next sync, as every GPU error does.
 */
export async function prewarmPipelines(dev: Device, calls: PipelineSpec[]): Promise<void> {
  const keys = new Set<string>();
  await Promise.all(
    calls.map(async (call) => {
      const key = pipelineKey(call);
      if (dev.pipelines.has(key) || keys.has(key)) return;
      keys.add(key);
      const descriptor = pipelineDescriptor(dev, call);
      const p = await dev.awaitGpu(() => dev.gpu.createComputePipelineAsync(descriptor)).catch(() => null);
      if (p && !dev.pipelines.has(key)) dev.pipelines.set(key, p);
    }),
  );
}

// Each getBindGroupLayout() call makes a new wrapper object in the binding: one per pipeline.
const layouts = new WeakMap<GPUComputePipeline, GPUBindGroupLayout>();
function layoutOf(p: GPUComputePipeline): GPUBindGroupLayout {
  let l = layouts.get(p);
  if (!l) layouts.set(p, (l = p.getBindGroupLayout(0)));
  return l;
}

/** Records one dispatch into the device's open encoder. Nothing is submitted. */
export function runKernel(dev: Device, call: KernelCall): void {
  const [x, y = 1, z = 1] = call.workgroups;
  if (x === 0 || y === 0 || z === 0) return;
  const max = dev.limits.maxComputeWorkgroupsPerDimension;
  if (x > max || y > max || z > max) {
    throw new LimitError(`${call.kernel}: grid [${x}, ${y}, ${z}] exceeds ${max} workgroups per dimension (use grid1d)`);
  }
  const maxBuffers = dev.limits.maxStorageBuffersPerShaderStage;
  if (call.tensors.length > maxBuffers) {
    throw new LimitError(`${call.kernel}: ${call.tensors.length} tensors bound, over the device's ${maxBuffers} storage buffers per stage`);
  }
  const entries: GPUBindGroupEntry[] = [];
  let binding = 0;
  if (call.uniforms) entries.push({ binding: binding++, resource: dev.uniform(call.uniforms) });
  for (const t of call.tensors) {
    // A zero-sized tensor still owns a (minimum-size) buffer, so binding it is valid.
    entries.push({ binding: binding++, resource: { buffer: t.bufferFor(call.kernel, dev) } });
  }
  const pipeline = pipelineFor(dev, call);
  const bindGroup = dev.gpu.createBindGroup({ layout: layoutOf(pipeline), entries });
  const rec: DispatchRecord | null = dev.observer
    ? {
        label: dev.labels.join('/') || call.kernel,
        kernel: call.kernel,
        variant: call.variant ?? 'default',
        shape: call.shape ?? call.tensors.map((t) => fmtShape(t.shape)).join(' '),
        flops: call.flops ?? 0,
        bytes: call.bytes ?? call.tensors.reduce((s, t) => s + t.byteLength, 0),
      }
    : null;
  const timestampWrites = rec ? dev.observer!.onDispatch(rec) : undefined;
  const pass = dev.computePass(timestampWrites);
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(x, y, z);
  if (timestampWrites) pass.end();
}
