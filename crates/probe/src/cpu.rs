//! The CPU backend: what the probe measures where no GPU is found — a
//! blocked single-precision GEMM over every core and the memory bandwidth
//! of a large copy. Its figures are reported as CPU figures, never as a
//! GPU's.

use std::{hint::black_box, thread, time::Instant};

/// Columns of B and C kept hot while a block of A's columns is applied.
const BLOCK: usize = 64;

/// The cores the benchmarks use.
pub fn threads() -> usize {
    thread::available_parallelism().map_or(1, usize::from)
}

/// C = A·B for row-major `n × n` matrices, rows of C split between
/// `threads` threads; each thread walks A's columns in blocks so that the
/// rows of B it reads stay in cache.
pub fn gemm(a: &[f32], b: &[f32], c: &mut [f32], n: usize, threads: usize) {
    assert!(
        a.len() == n * n && b.len() == n * n && c.len() == n * n,
        "n × n matrices"
    );
    c.fill(0.0);
    let rows_each = n.div_ceil(threads.max(1)).max(1);
    thread::scope(|s| {
        for (chunk, rows) in c.chunks_mut(rows_each * n).enumerate() {
            s.spawn(move || {
                let first = chunk * rows_each;
                for kb in (0..n).step_by(BLOCK) {
                    let kend = (kb + BLOCK).min(n);
                    for (r, c_row) in rows.chunks_mut(n).enumerate() {
                        let a_row = &a[(first + r) * n..(first + r + 1) * n];
                        for (k, &x) in a_row.iter().enumerate().take(kend).skip(kb) {
                            let b_row = &b[k * n..(k + 1) * n];
                            for (cij, &bkj) in c_row.iter_mut().zip(b_row) {
                                *cij += x * bkj;
                            }
                        }
                    }
                }
            });
        }
    });
}

/// One GEMM of size `n` timed: GFLOP/s (2·n³ operations).
pub fn gemm_gflops(n: usize, threads: usize) -> f64 {
    let a: Vec<f32> = (0..n * n).map(|i| (i % 7) as f32 * 0.25).collect();
    let b: Vec<f32> = (0..n * n).map(|i| (i % 5) as f32 * 0.5).collect();
    let mut c = vec![0f32; n * n];
    let start = Instant::now();
    gemm(&a, &b, &mut c, n, threads);
    let secs = start.elapsed().as_secs_f64();
    black_box(&c);
    2.0 * (n as f64).powi(3) / secs / 1e9
}

/// One copy of `bytes` bytes between two buffers timed: GB/s counting the
/// read and the write (2 × `bytes`).
pub fn memory_gbps(bytes: usize) -> f64 {
    let src = vec![1u8; bytes];
    let mut dst = vec![0u8; bytes];
    let start = Instant::now();
    dst.copy_from_slice(black_box(&src));
    let secs = start.elapsed().as_secs_f64();
    black_box(&dst);
    2.0 * bytes as f64 / secs / 1e9
}

#[cfg(test)]
mod tests {
    use super::gemm;

    fn naive(a: &[f32], b: &[f32], n: usize) -> Vec<f32> {
        let mut c = vec![0f32; n * n];
        for i in 0..n {
            for j in 0..n {
                c[i * n + j] = (0..n).map(|k| a[i * n + k] * b[k * n + j]).sum();
            }
        }
        c
    }

    #[test]
    fn blocked_gemm_equals_the_textbook_product() {
        // Small integers: every sum is exact in f32, so equality is exact.
        for (n, threads) in [(1, 1), (5, 2), (70, 3), (130, 4)] {
            let a: Vec<f32> = (0..n * n).map(|i| (i % 11) as f32 - 5.0).collect();
            let b: Vec<f32> = (0..n * n).map(|i| (i % 13) as f32 - 6.0).collect();
            let mut c = vec![f32::NAN; n * n];
            gemm(&a, &b, &mut c, n, threads);
            assert_eq!(c, naive(&a, &b, n), "n = {n}, threads = {threads}");
        }
    }
}
