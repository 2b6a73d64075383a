/**
 * Just enough linear algebra for a truncated SVD of a sparse term matrix (Halko, Martinsson &
 * Tropp's randomized range finder with power iterations). Dense blocks are row-major Float64Array.
 */

/** Compressed sparse rows. */
export interface Csr {
  rows: number;
  cols: number;
  ptr: Int32Array;
  idx: Int32Array;
  val: Float32Array;
}

/** Y (rows × l) = A X, X is cols × l. */
function mulAX(A: Csr, X: Float64Array, l: number): Float64Array {
  const Y = new Float64Array(A.rows * l);
  for (let r = 0; r < A.rows; r++) {
    const yo = r * l;
    for (let p = A.ptr[r]; p < A.ptr[r + 1]; p++) {
      const v = A.val[p];
      const xo = A.idx[p] * l;
      for (let j = 0; j < l; j++) Y[yo + j] += v * X[xo + j];
    }
  }
  return Y;
}

/** Z (cols × l) = Aᵀ Y, Y is rows × l. */
function mulATY(A: Csr, Y: Float64Array, l: number): Float64Array {
  const Z = new Float64Array(A.cols * l);
  for (let r = 0; r < A.rows; r++) {
    const yo = r * l;
    for (let p = A.ptr[r]; p < A.ptr[r + 1]; p++) {
      const v = A.val[p];
      const zo = A.idx[p] * l;
      for (let j = 0; j < l; j++) Z[zo + j] += v * Y[yo + j];
    }
  }
  return Z;
}

/** Gram matrix Mᵀ M (l × l) of an n × l block. */
function gram(M: Float64Array, n: number, l: number): Float64Array {
  const G = new Float64Array(l * l);
  for (let r = 0; r < n; r++) {
    const o = r * l;
    for (let i = 0; i < l; i++) {
      const a = M[o + i];
      if (a === 0) continue;
      const gi = i * l;
      for (let j = i; j < l; j++) G[gi + j] += a * M[o + j];
    }
  }
  for (let i = 0; i < l; i++) for (let j = 0; j < i; j++) G[i * l + j] = G[j * l + i];
  return G;
}

/**
 * Orthonormalises the columns of M in place by Cholesky-QR, twice ("CholQR2") for stability; a
 * tiny diagonal shift keeps it defined when columns are nearly dependent. O(n·l²), far cheaper
 * in JavaScript than Gram-Schmidt's column-by-column passes.
 */
function orthonormalise(M: Float64Array, n: number, l: number): void {
  for (let pass = 0; pass < 2; pass++) {
    const G = gram(M, n, l);
    let trace = 0;
    for (let i = 0; i < l; i++) trace += G[i * l + i];
    const shift = 1e-12 * (trace / l || 1);
    const L = new Float64Array(l * l);
    for (let i = 0; i < l; i++) {
      for (let j = 0; j <= i; j++) {
        let s = G[i * l + j] + (i === j ? shift : 0);
        for (let k = 0; k < j; k++) s -= L[i * l + k] * L[j * l + k];
        L[i * l + j] = i === j ? Math.sqrt(Math.max(s, 1e-300)) : s / L[j * l + j];
      }
    }
    // M ← M L⁻ᵀ, row by row (forward substitution).
    const row = new Float64Array(l);
    for (let r = 0; r < n; r++) {
      const o = r * l;
      for (let i = 0; i < l; i++) {
        let s = M[o + i];
        for (let k = 0; k < i; k++) s -= L[i * l + k] * row[k];
        row[i] = s / L[i * l + i];
      }
      M.set(row, o);
    }
  }
}

/** Eigen-decomposition of a small symmetric matrix by cyclic Jacobi; eigenvalues descending. */
function eigSym(S: Float64Array, l: number): { vals: Float64Array; vecs: Float64Array } {
  const a = Float64Array.from(S);
  const v = new Float64Array(l * l);
  for (let i = 0; i < l; i++) v[i * l + i] = 1;
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < l; i++) {
      diag += a[i * l + i] ** 2;
      for (let j = i + 1; j < l; j++) off += a[i * l + j] ** 2;
    }
    if (off <= 1e-22 * diag) break;
    for (let p = 0; p < l; p++) {
      for (let q = p + 1; q < l; q++) {
        const apq = a[p * l + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * l + q] - a[p * l + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < l; k++) {
          const akp = a[k * l + p];
          const akq = a[k * l + q];
          a[k * l + p] = c * akp - s * akq;
          a[k * l + q] = s * akp + c * akq;
        }
        for (let k = 0; k < l; k++) {
          const apk = a[p * l + k];
          const aqk = a[q * l + k];
          a[p * l + k] = c * apk - s * aqk;
          a[q * l + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < l; k++) {
          const vkp = v[k * l + p];
          const vkq = v[k * l + q];
          v[k * l + p] = c * vkp - s * vkq;
          v[k * l + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = [...Array(l).keys()].sort((x, y) => a[y * l + y] - a[x * l + x]);
  const vals = new Float64Array(l);
  const vecs = new Float64Array(l * l);
  order.forEach((o, i) => {
    vals[i] = a[o * l + o];
    for (let k = 0; k < l; k++) vecs[k * l + i] = v[k * l + o];
  });
  return { vals, vecs };
}

/** Deterministic PRNG so that the same corpus always yields the same model. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296 - 0.5;
  };
}

/** Top-k right singular vectors V (cols × k, row-major) and singular values of A. */
export function truncatedSvd(A: Csr, k: number, opts: { oversample?: number; powerIters?: number; seed?: number } = {}): { V: Float32Array; sv: Float64Array } {
  const l = Math.min(k + (opts.oversample ?? 16), A.cols, A.rows);
  const rand = rng(opts.seed ?? 42);
  const omega = new Float64Array(A.cols * l);
  for (let i = 0; i < omega.length; i++) omega[i] = rand();
  let Y = mulAX(A, omega, l);
  orthonormalise(Y, A.rows, l);
  for (let i = 0; i < (opts.powerIters ?? 2); i++) {
    const Z = mulATY(A, Y, l);
    orthonormalise(Z, A.cols, l);
    Y = mulAX(A, Z, l);
    orthonormalise(Y, A.rows, l);
  }
  const Bt = mulATY(A, Y, l); // (Qᵀ A)ᵀ, cols × l
  const { vals, vecs } = eigSym(gram(Bt, A.cols, l), l);
  const kk = Math.min(k, l);
  const sv = new Float64Array(kk);
  for (let i = 0; i < kk; i++) sv[i] = Math.sqrt(Math.max(vals[i], 0));
  // V = Bᵀ U Σ⁻¹
  const V = new Float32Array(A.cols * kk);
  for (let c = 0; c < A.cols; c++) {
    const bo = c * l;
    for (let i = 0; i < kk; i++) {
      let d = 0;
      for (let j = 0; j < l; j++) d += Bt[bo + j] * vecs[j * l + i];
      V[c * kk + i] = sv[i] > 0 ? d / sv[i] : 0;
    }
  }
  return { V, sv };
}
