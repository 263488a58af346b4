import { BufferPool, type PoolStats } from './pool.ts';
import { BYTES_PER_ELEMENT, checkShape, numel, Tensor, type DType, type TypedArrayFor } from './tensor.ts';
import { fmtShape, formatBytes, GpuError, GpuUnavailableError, LimitError, ShapeError } from './errors.ts';
import { awaitGpu } from './poll.ts';

/** What one dispatch is, for profilers: layer label, kernel, variant, shape, work. */
export interface DispatchRecord {
  label: string;
  kernel: string;
  variant: string;
  shape: string;
  flops: number;
  bytes: number;
}

/**
 * A profiler plugs in here. With none attached, dispatching does no extra work at all.
 * onDispatch may return timestamp writes for the dispatch's compute pass.
 */
export interface DispatchObserver {
  onDispatch(rec: DispatchRecord): GPUComputePassTimestampWrites | undefined;
  /** Last chance to record commands (e.g. resolve queries) before the encoder is finished. */
  beforeSubmit(encoder: GPUCommandEncoder): void;
  afterSubmit(): void;
}

export interface DeviceOptions {
  /** Optional features to request; default: every one of timestamp-query, shader-f16, subgroups the adapter offers. */
  features?: GPUFeatureName[];
  powerPreference?: GPUPowerPreference;
}

export interface DeviceInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  features: string[];
  limits: Record<string, number>;
  /** Lanes per subgroup where the device has 'subgroups' and the size is fixed (8 on lavapipe); else 0. */
  subgroupSize: number;
}

const OPTIONAL_FEATURES: GPUFeatureName[] = ['timestamp-query', 'shader-f16', 'subgroups' as GPUFeatureName];

function fixedSubgroupSize(gpu: GPUDevice, ai: GPUAdapterInfo): number {
  const { subgroupMinSize: min, subgroupMaxSize: max } = ai as { subgroupMinSize?: number; subgroupMaxSize?: number };
  return gpu.features.has('subgroups' as GPUFeatureName) && min && min === max ? min : 0;
}

/** Limits requested at the adapter's maximum: the WebGPU defaults are far below what DeepLab needs. */
const WANTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;

const NO_ADAPTER_REMEDY =
  'On Linux without a GPU, install Mesa\'s software Vulkan driver (lavapipe) 25.x: on Debian 12 add ' +
  '"bookworm-backports" to the Suites line of /etc/apt/sources.list.d/debian.sources, then ' +
  '"apt-get update && apt-get install -t bookworm-backports mesa-vulkan-drivers libvulkan1" ' +
  '(bash scripts/setup.sh does exactly this). Bookworm\'s own Mesa 22.3 is too old for Dawn.';

const UNIFORM_CHUNK = 64 * 1024;

async function acquireGpu(): Promise<{ gpu: GPU; dawn: unknown }> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return { gpu: nav.gpu, dawn: null };
  if (typeof process === 'undefined') throw new GpuUnavailableError('WebGPU is not available in this browser (navigator.gpu is missing). Use a browser with WebGPU enabled.');
  // Mesa's Vulkan loader wants a runtime dir; a headless shell often has none.
  if (!process.env.XDG_RUNTIME_DIR) {
    const { tmpdir } = await import('node:os');
    const { mkdirSync } = await import('node:fs');
    const dir = `${tmpdir()}/atrous-xdg-${process.getuid?.() ?? 0}`;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    process.env.XDG_RUNTIME_DIR = dir;
  }
  let mod: typeof import('webgpu');
  try {
    mod = await import('webgpu');
  } catch (e) {
    throw new GpuUnavailableError(`Could not load Dawn (npm package "webgpu"): ${(e as Error).message}. Run "npm ci" in the project folder.`);
  }
  Object.assign(globalThis, mod.globals);
  // Timestamp quantization would round short kernels to 0 in profiles.
  return { gpu: mod.create(['disable-dawn-features=timestamp_quantization']), dawn: mod };
}

/**
 * The GPU: adapter, device, buffer pool, pipeline cache and the one open command encoder that
 * every kernel of a forward pass records into. Work is submitted by flush() (or implicitly by a
 * download); errors the GPU reports surface as thrown GpuErrors at the next sync() or download.
 */
export class Device {
  readonly pool: BufferPool;
  /** Compiled pipelines by (shader, entry point, override constants): see kernels/runner.ts. */
  readonly pipelines = new Map<string, GPUComputePipeline>();
  readonly shaderModules = new Map<string, GPUShaderModule>();
  observer: DispatchObserver | null = null;
  /** Layer names for dispatch labels; see withLabel(). */
  readonly labels: string[] = [];

  private encoder_: GPUCommandEncoder | null = null;
  private pass_: GPUComputePassEncoder | null = null;
  private uniformChunks: GPUBuffer[] = [];
  private uniformOffset = UNIFORM_CHUNK;
  private errors: string[] = [];
  private lostMessage: string | null = null;
  private scopes: Set<Tensor>[] = [];
  private live = 0;
  readonly uniformAlign: number;

  private constructor(
    readonly gpu: GPUDevice,
    readonly adapter: GPUAdapter,
    readonly info: DeviceInfo,
    // Dawn's GPU object must outlive the device, or the process aborts (dawn-notes pitfall 1).
    readonly keepAlive: { gpu: GPU; dawn: unknown },
  ) {
    this.pool = new BufferPool(gpu, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
    this.uniformAlign = gpu.limits.minUniformBufferOffsetAlignment;
    gpu.onuncapturederror = (ev: GPUUncapturedErrorEvent) => {
      ev.preventDefault?.(); // we report it ourselves, as a thrown GpuError
      this.errors.push(ev.error.message);
    };
    gpu.lost.then((info) => {
      if (info.reason !== 'destroyed') this.lostMessage = info.message || String(info.reason);
    });
  }

  static async create(opts: DeviceOptions = {}): Promise<Device> {
    const keep = await acquireGpu();
    const adapter = await keep.gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
    if (!adapter) throw new GpuUnavailableError(`No WebGPU adapter was found. ${NO_ADAPTER_REMEDY}`);
    const wanted = opts.features ?? OPTIONAL_FEATURES;
    const requiredFeatures = wanted.filter((f) => adapter.features.has(f));
    const requiredLimits: Record<string, number> = {};
    for (const k of WANTED_LIMITS) requiredLimits[k] = (adapter.limits as unknown as Record<string, number>)[k];
    let gpu: GPUDevice;
    try {
      gpu = await adapter.requestDevice({ requiredFeatures, requiredLimits, label: 'atrous' });
    } catch (e) {
      throw new GpuUnavailableError(`The WebGPU adapter refused a device: ${(e as Error).message}`);
    }
    const ai = adapter.info ?? ({} as GPUAdapterInfo);
    const limits: Record<string, number> = {};
    for (const k in gpu.limits) {
      const v = (gpu.limits as unknown as Record<string, unknown>)[k];
      if (typeof v === 'number') limits[k] = v;
    }
    const info: DeviceInfo = {
      vendor: ai.vendor ?? '',
      architecture: ai.architecture ?? '',
      device: ai.device ?? '',
      description: ai.description ?? '',
      isFallbackAdapter: (ai as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false,
      features: [...gpu.features].sort(),
      limits,
      subgroupSize: fixedSubgroupSize(gpu, ai),
    };
    return new Device(gpu, adapter, info, keep);
  }

  /** A short human name for the adapter, e.g. "llvmpipe (LLVM 15.0.7, 256 bits) (mesa)". */
  get name(): string {
    const i = this.info;
    return [i.description || i.device || i.architecture, i.vendor && `(${i.vendor})`].filter(Boolean).join(' ') || 'unknown adapter';
  }

  get limits(): GPUSupportedLimits {
    return this.gpu.limits;
  }

  hasFeature(f: string): boolean {
    return this.gpu.features.has(f);
  }

  // ---------------------------------------------------------------- tensors

  private checkAlloc(shape: readonly number[], op: string): number {
    checkShape(shape, op);
    const bytes = numel(shape) * BYTES_PER_ELEMENT;
    const max = this.gpu.limits.maxStorageBufferBindingSize;
    if (bytes > max) {
      throw new LimitError(
        `${op}: a tensor of shape ${fmtShape(shape)} needs ${formatBytes(bytes)}, over this device's ` +
          `maxStorageBufferBindingSize of ${formatBytes(max)}. Use a smaller input (or tile it), or a device with a larger limit.`,
      );
    }
    return bytes;
  }

  /** An uninitialised tensor (contents are whatever the pooled buffer held). */
  empty<D extends DType = 'f32'>(shape: readonly number[], dtype: D = 'f32' as D): Tensor<D> {
    const bytes = this.checkAlloc(shape, 'empty');
    return new Tensor(this, [...shape], dtype, this.pool.acquire(bytes));
  }

  zeros<D extends DType = 'f32'>(shape: readonly number[], dtype: D = 'f32' as D): Tensor<D> {
    const t = this.empty(shape, dtype);
    if (t.size > 0) this.encoder.clearBuffer(t.buffer, 0, t.byteLength);
    return t;
  }

  /** Uploads data as a new tensor. */
  tensor<D extends DType = 'f32'>(data: ArrayLike<number>, shape: readonly number[], dtype: D = 'f32' as D): Tensor<D> {
    const bytes = this.checkAlloc(shape, 'tensor');
    if (data.length !== numel(shape)) {
      throw new ShapeError(`tensor: ${data.length} values given for shape ${fmtShape(shape)}, which holds ${numel(shape)}`);
    }
    const t = new Tensor(this, [...shape], dtype, this.pool.acquire(bytes));
    this.write(t, data);
    return t;
  }

  /** Overwrites a tensor's contents from the CPU. */
  write(t: Tensor, data: ArrayLike<number>): void {
    if (data.length !== t.size) throw new ShapeError(`write: ${data.length} values given for ${t}`);
    const buf = t.bufferFor('write', this);
    const Ctor = t.dtype === 'f32' ? Float32Array : t.dtype === 'u32' ? Uint32Array : Int32Array;
    const arr = data instanceof Ctor ? data : Ctor.from(data as ArrayLike<number>);
    // queue.writeBuffer runs before the commands still in the open encoder, which may read this
    // (recycled) buffer's old contents: submit them first.
    this.flush();
    if (arr.length) this.gpu.queue.writeBuffer(buf, 0, arr.buffer, arr.byteOffset, arr.byteLength);
  }

  async download<D extends DType>(t: Tensor<D>): Promise<TypedArrayFor<D>> {
    const src = t.bufferFor('download', this);
    const bytes = t.byteLength;
    const staging = this.gpu.createBuffer({ size: Math.max(4, bytes), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    try {
      if (bytes) this.encoder.copyBufferToBuffer(src, 0, staging, 0, bytes);
      this.flush();
      await this.awaitGpu(() => staging.mapAsync(GPUMapMode.READ));
      this.throwIfFailed('download');
      const copy = staging.getMappedRange(0, Math.max(4, bytes)).slice(0, bytes);
      staging.unmap();
      const Ctor = t.dtype === 'f32' ? Float32Array : t.dtype === 'u32' ? Uint32Array : Int32Array;
      return new Ctor(copy) as TypedArrayFor<D>;
    } catch (e) {
      this.throwIfFailed('download');
      throw e;
    } finally {
      staging.destroy();
    }
  }

  // ---------------------------------------------------------------- scopes

  /** @internal */
  track(t: Tensor): void {
    this.live++;
    this.scopes[this.scopes.length - 1]?.add(t);
  }

  /** @internal */
  untrack(t: Tensor): void {
    this.live--;
    for (let i = this.scopes.length - 1; i >= 0; i--) if (this.scopes[i].delete(t)) return;
  }

  /** Tensors created and not yet disposed. */
  get liveTensors(): number {
    return this.live;
  }

  /**
   * Runs fn and disposes every tensor created inside it, except those in its result (a tensor,
   * or arrays / plain objects of them), which move to the enclosing scope. An async fn is awaited
   * first; do not interleave two async scopes.
   */
  scope<T>(fn: () => T): T {
    const set = new Set<Tensor>();
    this.scopes.push(set);
    const end = (result: unknown) => {
      this.scopes.splice(this.scopes.lastIndexOf(set), 1);
      const keep = new Set<Tensor>();
      collectTensors(result, keep);
      for (const t of set) if (!keep.has(t)) t.dispose();
      const parent = this.scopes[this.scopes.length - 1];
      if (parent) for (const t of keep) if (set.has(t)) parent.add(t);
    };
    let result: T;
    try {
      result = fn();
    } catch (e) {
      end(undefined);
      throw e;
    }
    if (result instanceof Promise) {
      return result.then(
        (r) => (end(r), r),
        (e) => {
          end(undefined);
          throw e;
        },
      ) as T;
    }
    end(result);
    return result;
  }

  /**
   * Exempts t from every enclosing scope(), so it lives until its own dispose(): for long-lived
   * state such as layer weights created inside a scope.
   */
  keep<T extends Tensor>(t: T): T {
    for (const s of this.scopes) s.delete(t);
    return t;
  }

  /** Runs fn with `name` on the label stack, so its dispatches are labelled e.g. "conv1_1". */
  withLabel<T>(name: string, fn: () => T): T {
    this.labels.push(name);
    try {
      return fn();
    } finally {
      this.labels.pop();
    }
  }

  // ---------------------------------------------------------------- encoding and submission

  /**
   * The open command encoder; every kernel of a forward pass records into it. Asking for it ends
   * the open compute pass (copies and clears are recorded between passes).
   */
  get encoder(): GPUCommandEncoder {
    this.throwIfLost();
    this.endPass();
    return (this.encoder_ ??= this.gpu.createCommandEncoder({ label: 'atrous-forward' }));
  }

  /**
   * The compute pass to record a dispatch into: the open one, so that consecutive dispatches share
   * a pass (WebGPU orders each dispatch's storage writes before the next's reads within a pass as
   * between passes, and fewer passes cost less host time), or, with timestamp writes (the
   * profiler times each dispatch), one of its own.
   */
  computePass(timestampWrites?: GPUComputePassTimestampWrites): GPUComputePassEncoder {
    if (!timestampWrites && this.pass_) return this.pass_;
    const pass = this.encoder.beginComputePass(timestampWrites ? { timestampWrites } : undefined);
    if (timestampWrites) return pass;
    return (this.pass_ = pass);
  }

  /** Ends the shared compute pass, if one is open. */
  private endPass(): void {
    this.pass_?.end();
    this.pass_ = null;
  }

  /** True when commands are recorded but not submitted. */
  get pending(): boolean {
    return this.encoder_ !== null;
  }

  /**
   * Writes uniform data for one dispatch into a mapped-at-creation chunk and returns its binding.
   * Chunks are unmapped at submit and destroyed after, so no dispatch sees another's parameters.
   */
  uniform(data: ArrayBuffer): GPUBufferBinding {
    const size = Math.ceil(data.byteLength / 16) * 16;
    if (this.uniformOffset + size > UNIFORM_CHUNK) {
      this.uniformChunks.push(
        this.gpu.createBuffer({ size: UNIFORM_CHUNK, usage: GPUBufferUsage.UNIFORM, mappedAtCreation: true, label: 'uniforms' }),
      );
      this.uniformOffset = 0;
    }
    const chunk = this.uniformChunks[this.uniformChunks.length - 1];
    new Uint8Array(chunk.getMappedRange(this.uniformOffset, size)).set(new Uint8Array(data));
    const binding = { buffer: chunk, offset: this.uniformOffset, size };
    this.uniformOffset += Math.ceil(size / this.uniformAlign) * this.uniformAlign;
    return binding;
  }

  /** Submits everything recorded so far (no wait). */
  flush(): void {
    this.endPass();
    const enc = this.encoder_;
    if (!enc) return;
    this.encoder_ = null;
    this.observer?.beforeSubmit(enc);
    for (const c of this.uniformChunks) c.unmap();
    this.gpu.queue.submit([enc.finish()]);
    for (const c of this.uniformChunks) c.destroy();
    this.uniformChunks = [];
    this.uniformOffset = UNIFORM_CHUNK;
    this.observer?.afterSubmit();
  }

  /** Submits pending work, waits for the GPU, and throws any error it reported. */
  async sync(): Promise<void> {
    this.flush();
    await this.awaitGpu(() => this.gpu.queue.onSubmittedWorkDone());
    this.throwIfFailed('sync');
  }

  /**
   * Awaits a Dawn promise made by `start`; on CPU adapters without letting the binding's polling
   * take a core from the GPU's worker threads (see poll.ts). Await every GPU promise through this.
   */
  awaitGpu<T>(start: () => Promise<T>): Promise<T> {
    return awaitGpu(this.info.isFallbackAdapter, start);
  }

  private throwIfLost(): void {
    if (this.lostMessage !== null) throw new GpuError(`The GPU device was lost: ${this.lostMessage}. Create a new Device.`);
  }

  /** Throws the GPU's pending error reports, if any, as one GpuError. */
  throwIfFailed(op: string): void {
    this.throwIfLost();
    if (!this.errors.length) return;
    const msgs = this.errors.splice(0);
    throw new GpuError(`${op}: the GPU reported ${msgs.length} error(s); results of this submission are invalid:\n- ${msgs.join('\n- ')}`);
  }

  stats(): PoolStats & { liveTensors: number } {
    return { ...this.pool.stats(), liveTensors: this.live };
  }

  destroy(): void {
    this.pass_ = null;
    this.encoder_ = null;
    this.pool.trim();
    this.gpu.destroy();
  }
}

function collectTensors(v: unknown, out: Set<Tensor>): void {
  if (v instanceof Tensor) out.add(v);
  else if (Array.isArray(v)) for (const x of v) collectTensors(x, out);
  else if (v instanceof Map) for (const x of v.values()) collectTensors(x, out);
  else if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) for (const x of Object.values(v)) collectTensors(x, out);
}
