/**
 * Blur kernels of BasicSR `degradations.py`: bivariate Gaussian, generalized Gaussian and plateau kernels (isotropic or
 * rotated anisotropic) and the circular low-pass (2-D sinc) kernel, square, odd-sized, normalized to sum 1, row-major.
 */

export type KernelKind = 'iso' | 'aniso' | 'generalized_iso' | 'generalized_aniso' | 'plateau_iso' | 'plateau_aniso';
export const KERNEL_KINDS: readonly KernelKind[] = ['iso', 'aniso', 'generalized_iso', 'generalized_aniso', 'plateau_iso', 'plateau_aniso'];

export interface KernelParams {
  kind: KernelKind;
  size: number;
  sigmaX: number;
  sigmaY: number;
  theta: number;
  /** Shape exponent of generalized / plateau kernels (unused by iso/aniso). */
  beta: number;
}

export interface Kernel {
  size: number;
  data: Float64Array;
}

function normalized(size: number, f: (x: number, y: number) => number): Kernel {
  const data = new Float64Array(size * size);
  const c = (size - 1) / 2;
  let sum = 0;
  for (let r = 0; r < size; r++)
    for (let col = 0; col < size; col++) {
      const v = f(col - c, r - c);
      data[r * size + col] = v;
      sum += v;
    }
  for (let i = 0; i < data.length; i++) data[i] /= sum;
  return { size, data };
}

/** The kernel of BasicSR's bivariate_Gaussian / bivariate_generalized_Gaussian / bivariate_plateau. */
export function blurKernel(p: KernelParams): Kernel {
  const iso = !p.kind.endsWith('aniso');
  const sy = iso ? p.sigmaX : p.sigmaY;
  const theta = iso ? 0 : p.theta;
  // Σ = U diag(σx², σy²) Uᵀ (sigma_matrix2); the exponent is the quadratic form [x y] Σ⁻¹ [x y]ᵀ.
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const a = p.sigmaX ** 2 * cos * cos + sy ** 2 * sin * sin;
  const b = (p.sigmaX ** 2 - sy ** 2) * cos * sin;
  const d = p.sigmaX ** 2 * sin * sin + sy ** 2 * cos * cos;
  const det = a * d - b * b;
  const q = (x: number, y: number) => (d * x * x - 2 * b * x * y + a * y * y) / det;
  if (p.kind === 'iso' || p.kind === 'aniso') return normalized(p.size, (x, y) => Math.exp(-0.5 * q(x, y)));
  if (p.kind.startsWith('generalized')) return normalized(p.size, (x, y) => Math.exp(-0.5 * q(x, y) ** p.beta));
  return normalized(p.size, (x, y) => 1 / (q(x, y) ** p.beta + 1));
}

/** Bessel function of the first kind J1 (Numerical Recipes `bessj1` rational approximations, |error| < 1e-8). */
export function besselJ1(x: number): number {
  const ax = Math.abs(x);
  if (ax < 8) {
    const y = x * x;
    const n = x * (72362614232.0 + y * (-7895059235.0 + y * (242396853.1 + y * (-2972611.439 + y * (15704.4826 + y * -30.16036606)))));
    const m = 144725228442.0 + y * (2300535178.0 + y * (18583304.74 + y * (99447.43394 + y * (376.9991397 + y))));
    return n / m;
  }
  const z = 8 / ax;
  const y = z * z;
  const xx = ax - 2.356194491;
  const p = 1 + y * (0.183105e-2 + y * (-0.3516396496e-4 + y * (0.2457520174e-5 + y * -0.240337019e-6)));
  const q = 0.04687499995 + y * (-0.2002690873e-3 + y * (0.8449199096e-5 + y * (-0.88228987e-6 + y * 0.105787412e-6)));
  const r = Math.sqrt(0.636619772 / ax) * (Math.cos(xx) * p - z * Math.sin(xx) * q);
  return x < 0 ? -r : r;
}

/** BasicSR circular_lowpass_kernel: the 2-D sinc ωc·J1(ωc·r)/(2πr), centre ωc²/(4π). */
export function sincKernel(omega: number, size: number): Kernel {
  return normalized(size, (x, y) => {
    const r = Math.hypot(x, y);
    return r === 0 ? (omega * omega) / (4 * Math.PI) : (omega * besselJ1(omega * r)) / (2 * Math.PI * r);
  });
}

/** Zero-pads a kernel to `size` (Real-ESRGAN pads every kernel to blur_kernel_size 21). */
export function padKernel(k: Kernel, size: number): Kernel {
  if (k.size >= size) return k;
  const p = (size - k.size) / 2;
  const data = new Float64Array(size * size);
  for (let r = 0; r < k.size; r++) data.set(k.data.subarray(r * k.size, (r + 1) * k.size), (r + p) * size + p);
  return { size, data };
}
