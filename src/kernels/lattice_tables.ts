import keyWgsl from '../../shaders/crf_lattice_key.wgsl';
import tablesWgsl from '../../shaders/crf_lattice_tables.wgsl';
import scanWgsl from '../../shaders/workgroup_scan.wgsl';
import type { Device } from '../tensor/device.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { keyLayoutParams, type KeyLayout } from './lattice_coords.ts';
import { grid1d, Params, runKernel } from './runner.ts';

// The GPU lattice build's steps after the sort (shaders/crf_lattice_tables.wgsl): vertex ids from
// runs of equal keys, the CRF plan's tables, blur neighbours. src/deeplab/crf_plan_gpu.ts runs them.

const SHADER = keyWgsl + scanWgsl + tablesWgsl;
const TILE = 2048;

interface TableParams {
  n?: number;
  tiles?: number;
  firstRow?: number;
  entryBase?: number;
  k?: number;
  j0?: number;
  alpha?: number;
  m?: number;
  passes?: number;
  rows?: number;
  zero?: number;
  total?: number;
  layout?: KeyLayout;
}

function uniforms(q: TableParams): ArrayBuffer {
  const p = new Params().u32(q.n ?? 0, q.tiles ?? 0, q.firstRow ?? 0, q.entryBase ?? 0, q.k ?? 0, q.j0 ?? 0);
  p.f32(q.alpha ?? 0).u32(q.m ?? 0, q.passes ?? 0, q.rows ?? 0, q.zero ?? 0, q.total ?? 0);
  return keyLayoutParams(p, q.layout).build();
}

/** One lattice's n sorted (key, entry) pairs, its entries' barycentric weights and feature dimension. */
export interface SortedLattice {
  keys: Tensor<'u32'>;
  entries: Tensor<'u32'>;
  weights: Tensor;
  n: number;
  d: number;
}

/**
 * Records the vertex count of a sorted lattice into totals[slot]; returns, per tile of sorted
 * entries, the vertices started before it (latticeTables' input; the caller disposes it).
 */
export function countVertices(dev: Device, s: SortedLattice, totals: Tensor<'u32'>, slot: number): Tensor<'u32'> {
  const tiles = Math.max(1, Math.ceil(s.n / TILE));
  const tileBase = dev.empty([tiles], 'u32');
  const common = { kernel: 'lattice_tables', shader: SHADER, constants: { D: s.d } };
  runKernel(dev, {
    ...common,
    entryPoint: 'count_vertices',
    variant: 'count_vertices',
    uniforms: uniforms({ n: s.n, tiles }),
    tensors: [s.keys, tileBase],
    workgroups: grid1d(dev, tiles),
  });
  runKernel(dev, { ...common, entryPoint: 'scan_tiles', variant: 'scan_tiles', uniforms: uniforms({ tiles, total: slot }), tensors: [tileBase, totals], workgroups: [1] });
  return tileBase;
}

/** Where one lattice goes in the CRF plan (src/kernels/crf.ts CrfPlan) and the plan's tables. */
export interface PlanPlace {
  firstRow: number;
  /** The plan's zero row (the lattice placed last also ends its CSR starts). */
  zero: number;
  entryBase: number;
  /** Slices per pixel, both lattices; this lattice's come from j0. */
  k: number;
  j0: number;
  alpha: number;
  csr: Tensor<'u32'>;
  slices: Tensor<'u32'>;
  start: Tensor<'u32'>;
}

/**
 * Records the lattice's CSR rows, slices and row starts into the plan (and the zero row's, for the
 * lattice placed last), and its m sorted vertex keys.
 */
export function latticeTables(dev: Device, s: SortedLattice, tileBase: Tensor<'u32'>, at: PlanPlace, vertexKeys: Tensor<'u32'>): void {
  const tiles = tileBase.size;
  runKernel(dev, {
    kernel: 'lattice_tables',
    shader: SHADER,
    entryPoint: 'tables',
    variant: 'tables',
    constants: { D: s.d },
    uniforms: uniforms({ n: s.n, tiles, ...at }),
    tensors: [s.keys, s.entries, s.weights, tileBase, at.csr, at.slices, at.start, vertexKeys],
    workgroups: grid1d(dev, tiles),
  });
}

/**
 * Records both blur neighbours of each of the lattice's m vertices along each of the plan's
 * passes (the zero row where none exists, and in passes past the lattice's d + 1 directions).
 */
export function latticeNeighbours(dev: Device, vertexKeys: Tensor<'u32'>, m: number, d: number, layout: KeyLayout, at: { firstRow: number; passes: number; rows: number; zero: number; neighbours: Tensor<'u32'> }): void {
  // The lattice placed last also writes the zero row's (its own row, in every pass).
  const threads = (m + (at.firstRow + m === at.zero ? 1 : 0)) * at.passes;
  runKernel(dev, {
    kernel: 'lattice_tables',
    shader: SHADER,
    entryPoint: 'neighbours_of',
    variant: 'neighbours',
    constants: { D: d },
    uniforms: uniforms({ m, layout, ...at }),
    tensors: [vertexKeys, at.neighbours],
    workgroups: grid1d(dev, Math.ceil(threads / 64)),
  });
}
