/**
 * Size-bucketed pool of storage buffers. Freed buffers go back to their bucket and are handed out
 * again to a request of the same bucket, so a forward pass that runs twice allocates nothing the
 * second time. Buckets are 2^k and 1.5·2^k bytes (at most a third wasted), 256 bytes at least.
 *
 * Reuse inside one command encoder is safe: commands execute in encoding order, so a kernel that
 * writes a recycled buffer runs after every kernel that read it. (Uploads are the exception, and
 * Device.upload handles them by submitting pending work first.)
 */
export interface PoolStats {
  /** Bytes held by live tensors (bucket sizes). */
  bytesInUse: number;
  /** Bytes sitting free in the pool, ready for reuse. */
  bytesFree: number;
  /** The largest bytesInUse ever seen. */
  highWater: number;
  /** GPU buffers created so far. */
  buffersCreated: number;
}

export function bucketSize(bytes: number): number {
  const n = Math.max(256, bytes);
  const p = 2 ** Math.ceil(Math.log2(n));
  return n <= p * 0.75 ? p * 0.75 : p;
}

export class BufferPool {
  private free = new Map<number, GPUBuffer[]>();
  private stats_: PoolStats = { bytesInUse: 0, bytesFree: 0, highWater: 0, buffersCreated: 0 };

  constructor(
    private gpu: GPUDevice,
    private usage: GPUBufferUsageFlags,
  ) {}

  acquire(bytes: number): GPUBuffer {
    const size = bucketSize(bytes);
    const list = this.free.get(size);
    let buf = list?.pop();
    if (buf) {
      this.stats_.bytesFree -= size;
    } else {
      buf = this.gpu.createBuffer({ size, usage: this.usage, label: `pool-${size}` });
      this.stats_.buffersCreated++;
    }
    this.stats_.bytesInUse += size;
    this.stats_.highWater = Math.max(this.stats_.highWater, this.stats_.bytesInUse);
    return buf;
  }

  release(buf: GPUBuffer): void {
    const size = buf.size;
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push(buf);
    this.stats_.bytesInUse -= size;
    this.stats_.bytesFree += size;
  }

  /** Destroys every free buffer (live tensors keep theirs). */
  trim(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.stats_.bytesFree = 0;
  }

  stats(): PoolStats {
    return { ...this.stats_ };
  }
}
