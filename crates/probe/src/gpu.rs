//! The GPU backend: device facts from NVML and benchmarks through CUDA
//! (cuBLAS GEMM, device-memory and host↔device copies, and the GPU-work
//! challenge's int8 product as an NVRTC kernel).
//!
//! Both libraries are loaded at run time, so the probe builds and runs on
//! machines without NVIDIA's libraries: [`detect`] then says why no GPU
//! was found and the caller falls back to the CPU backend.

use std::sync::Arc;

use alloy_primitives::B256;
use anyhow::{anyhow, Context, Result};
use cudarc::{
    cublas::{sys::cublasOperation_t, CudaBlas, Gemm, GemmConfig},
    driver::{
        sys::CUevent_flags, CudaContext, CudaFunction, CudaSlice, CudaStream, DeviceRepr,
        LaunchConfig, PushKernelArg, ValidAsZeroBits,
    },
};
use half::{bf16, f16};
use serde::{Deserialize, Serialize};

/// Facts of one GPU as NVML reports them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GpuFacts {
    /// NVML index.
    pub index: u32,
    /// Model name, e.g. "NVIDIA H100 80GB HBM3".
    pub name: String,
    /// The GPU's UUID.
    pub uuid: String,
    /// PCI bus id.
    pub pci_bus_id: String,
    /// PCI device and vendor id (`device << 16 | vendor`).
    pub pci_device_id: u32,
    /// Total memory, MiB.
    pub vram_mib: u64,
    /// Highest SM clock, MHz.
    pub sm_clock_max_mhz: u32,
    /// Highest memory clock, MHz.
    pub mem_clock_max_mhz: u32,
    /// CUDA compute capability, "major.minor".
    pub compute_capability: String,
}

/// What NVML found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Found {
    /// The driver's version string.
    pub driver: String,
    /// The CUDA version the driver supports, e.g. 12040 for 12.4.
    pub cuda_driver: i32,
    /// Every GPU.
    pub gpus: Vec<GpuFacts>,
}

/// The GPUs of this machine, or why none was found (no NVML library, no
/// device, an NVML error).
pub fn detect() -> Result<Found, String> {
    use nvml_wrapper::{enum_wrappers::device::Clock, Nvml};
    let nvml = Nvml::init().map_err(|e| format!("NVML unavailable ({e})"))?;
    let count = nvml
        .device_count()
        .map_err(|e| format!("NVML cannot count devices ({e})"))?;
    if count == 0 {
        return Err("NVML found no GPU".into());
    }
    let mut gpus = Vec::new();
    for index in 0..count {
        let fail =
            |what: &str, e: nvml_wrapper::error::NvmlError| format!("GPU {index}: {what} ({e})");
        let d = nvml
            .device_by_index(index)
            .map_err(|e| fail("no handle", e))?;
        let pci = d.pci_info().map_err(|e| fail("PCI info", e))?;
        let cc = d
            .cuda_compute_capability()
            .map_err(|e| fail("compute capability", e))?;
        gpus.push(GpuFacts {
            index,
            name: d.name().map_err(|e| fail("name", e))?,
            uuid: d.uuid().map_err(|e| fail("UUID", e))?,
            pci_bus_id: pci.bus_id,
            pci_device_id: pci.pci_device_id,
            vram_mib: d.memory_info().map_err(|e| fail("memory", e))?.total >> 20,
            sm_clock_max_mhz: d
                .max_clock_info(Clock::SM)
                .map_err(|e| fail("SM clock", e))?,
            mem_clock_max_mhz: d
                .max_clock_info(Clock::Memory)
                .map_err(|e| fail("memory clock", e))?,
            compute_capability: format!("{}.{}", cc.major, cc.minor),
        });
    }
    Ok(Found {
        driver: nvml
            .sys_driver_version()
            .map_err(|e| format!("driver version ({e})"))?,
        cuda_driver: nvml
            .sys_cuda_driver_version()
            .map_err(|e| format!("CUDA driver version ({e})"))?,
        gpus,
    })
}

/// The first of NVIDIA's libraries the CUDA backend needs that cannot be
/// loaded (by the names the bindings look for), if any. Checked before
/// the bindings are touched, because they abort when a library is absent.
pub fn missing_library() -> Option<&'static str> {
    const LIBS: [(&str, &str); 3] = [
        ("cuda", "CUDA driver"),
        ("cublas", "cuBLAS"),
        ("nvrtc", "NVRTC"),
    ];
    LIBS.into_iter().find_map(|(lib, what)| {
        let found = ["", ".1", ".10", ".11", ".12", ".13"].iter().any(|suffix| {
            // SAFETY: loading NVIDIA's own libraries runs only their
            // initialisers, as the bindings would.
            unsafe { libloading::Library::new(format!("lib{lib}.so{suffix}")) }.is_ok()
        });
        (!found).then_some(what)
    })
}

/// GEMM element types the probe measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// IEEE single precision (no TF32).
    Fp32,
    /// IEEE half precision, FP32 accumulation.
    Fp16,
    /// bfloat16, FP32 accumulation.
    Bf16,
}

/// CUDA C source of the GPU-work challenge: A and B generated entry by
/// entry exactly as `spon_gpu_work::Generator::int8` (the low byte of the
/// counter-based word), C = A·B exact in int32 in 16 × 16 shared-memory
/// tiles, launched in bands of [`GEMM_BAND`] rows so that no launch runs
/// long enough for a display GPU's watchdog. Rows are generated in a
/// grid-stride loop (a grid's y dimension stops at 65,535) and indices are
/// 64-bit (n² reaches 2^32).
const GPU_WORK_KERNELS: &str = r#"
#define TILE 16
__device__ unsigned long long mix(unsigned long long z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
extern "C" __global__ void spon_generate(unsigned long long k0, unsigned long long k1,
                                         unsigned int matrix, unsigned int n, signed char *out) {
    unsigned int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= n) return;
    for (unsigned int i = blockIdx.y; i < n; i += gridDim.y) {
        unsigned long long ctr = ((unsigned long long)matrix << 48) | ((unsigned long long)i << 24) | j;
        unsigned long long z = mix(k0 + ctr * 0x9e3779b97f4a7c15ULL);
        out[(unsigned long long)i * n + j] = (signed char)(mix(z ^ k1) & 0xff);
    }
}
extern "C" __global__ void spon_gemm_s8(const signed char *a, const signed char *b,
                                        int *c, unsigned int n, unsigned int row0) {
    __shared__ int ta[TILE][TILE];
    __shared__ int tb[TILE][TILE];
    unsigned long long row = row0 + (unsigned long long)blockIdx.y * TILE + threadIdx.y;
    unsigned long long col = (unsigned long long)blockIdx.x * TILE + threadIdx.x;
    int acc = 0;
    for (unsigned int t = 0; t < n; t += TILE) {
        ta[threadIdx.y][threadIdx.x] = (row < n && t + threadIdx.x < n) ? a[row * n + t + threadIdx.x] : 0;
        tb[threadIdx.y][threadIdx.x] = (col < n && t + threadIdx.y < n) ? b[(unsigned long long)(t + threadIdx.y) * n + col] : 0;
        __syncthreads();
        for (int l = 0; l < TILE; ++l) {
            acc += ta[threadIdx.y][l] * tb[l][threadIdx.x];
        }
        __syncthreads();
    }
    if (row < n && col < n) c[row * n + col] = acc;
}
"#;

/// Rows of C per launch of the GPU-work GEMM kernel.
const GEMM_BAND: u32 = 2_048;

/// One GPU opened for benchmarks.
pub struct Cuda {
    stream: Arc<CudaStream>,
    blas: CudaBlas,
    generate: CudaFunction,
    gemm_s8: CudaFunction,
}

impl Cuda {
    /// Opens GPU `ordinal` (its CUDA context, a cuBLAS handle and the
    /// GPU-work kernels compiled by NVRTC).
    ///
    /// # Errors
    /// A library is missing ([`missing_library`]), no such device, or a
    /// CUDA, cuBLAS or NVRTC error.
    pub fn open(ordinal: usize) -> Result<Self> {
        if let Some(lib) = missing_library() {
            return Err(anyhow!("the {lib} library is not installed"));
        }
        let ctx = CudaContext::new(ordinal).with_context(|| format!("no CUDA device {ordinal}"))?;
        let stream = ctx.default_stream();
        let blas = CudaBlas::new(stream.clone()).context("cuBLAS")?;
        let ptx = cudarc::nvrtc::compile_ptx(GPU_WORK_KERNELS)
            .context("NVRTC compiling the GPU-work kernels")?;
        let module = ctx
            .load_module(ptx)
            .context("loading the GPU-work kernels")?;
        Ok(Self {
            generate: module.load_function("spon_generate")?,
            gemm_s8: module.load_function("spon_gemm_s8")?,
            stream,
            blas,
        })
    }

    /// Milliseconds `work` takes on the stream (timed with CUDA events).
    fn timed(&self, work: impl FnOnce() -> Result<()>) -> Result<f64> {
        let start = self
            .stream
            .record_event(Some(CUevent_flags::CU_EVENT_DEFAULT))?;
        work()?;
        let end = self
            .stream
            .record_event(Some(CUevent_flags::CU_EVENT_DEFAULT))?;
        Ok(f64::from(start.elapsed_ms(&end)?))
    }

    fn gemm_of<T>(&self, n: usize, iters: u32, one: T, zero: T) -> Result<f64>
    where
        T: DeviceRepr + ValidAsZeroBits + Copy,
        CudaBlas: Gemm<T>,
    {
        let dim = i32::try_from(n).context("matrix too large")?;
        let a = self.stream.alloc_zeros::<T>(n * n)?;
        let b = self.stream.alloc_zeros::<T>(n * n)?;
        let mut c = self.stream.alloc_zeros::<T>(n * n)?;
        let cfg = GemmConfig {
            transa: cublasOperation_t::CUBLAS_OP_N,
            transb: cublasOperation_t::CUBLAS_OP_N,
            m: dim,
            n: dim,
            k: dim,
            alpha: one,
            lda: dim,
            ldb: dim,
            beta: zero,
            ldc: dim,
        };
        // SAFETY: a, b and c are n × n device buffers of T, as cfg says.
        let mut run = || unsafe { self.blas.gemm(cfg, &a, &b, &mut c) }.context("cuBLAS GEMM");
        run()?; // warm-up: picks the kernel, loads it
        let ms = self.timed(|| (0..iters).try_for_each(|_| run()))?;
        Ok(2.0 * (n as f64).powi(3) * f64::from(iters) / (ms / 1e3) / 1e12)
    }

    /// Dense `n × n` GEMM throughput in `precision`, TFLOP/s, over `iters`
    /// back-to-back products after one warm-up.
    ///
    /// # Errors
    /// Out of device memory or a cuBLAS error.
    pub fn gemm_tflops(&self, precision: Precision, n: usize, iters: u32) -> Result<f64> {
        match precision {
            Precision::Fp32 => self.gemm_of(n, iters, 1f32, 0f32),
            Precision::Fp16 => self.gemm_of(n, iters, f16::ONE, f16::ZERO),
            Precision::Bf16 => self.gemm_of(n, iters, bf16::ONE, bf16::ZERO),
        }
    }

    /// Device-memory bandwidth of a device-to-device copy of `bytes`,
    /// GB/s counting the read and the write.
    ///
    /// # Errors
    /// Out of device memory or a CUDA error.
    pub fn device_gbps(&self, bytes: usize) -> Result<f64> {
        let src = self.stream.alloc_zeros::<u8>(bytes)?;
        let mut dst = self.stream.alloc_zeros::<u8>(bytes)?;
        self.stream.memcpy_dtod(&src, &mut dst)?;
        let ms = self.timed(|| Ok(self.stream.memcpy_dtod(&src, &mut dst)?))?;
        Ok(2.0 * bytes as f64 / (ms / 1e3) / 1e9)
    }

    /// Host-to-device and device-to-host bandwidth of `bytes` from pinned
    /// host memory, GB/s each.
    ///
    /// # Errors
    /// Out of memory or a CUDA error.
    pub fn host_gbps(&self, bytes: usize) -> Result<(f64, f64)> {
        // SAFETY: the buffer is written by the first copy before it is read.
        let mut host = unsafe { self.stream.context().alloc_pinned::<u8>(bytes) }?;
        let mut dev: CudaSlice<u8> = self.stream.alloc_zeros(bytes)?;
        self.stream.memcpy_dtoh(&dev, &mut host)?;
        let down = self.timed(|| Ok(self.stream.memcpy_dtoh(&dev, &mut host)?))?;
        let up = self.timed(|| Ok(self.stream.memcpy_htod(&host, &mut dev)?))?;
        let gbps = |ms: f64| bytes as f64 / (ms / 1e3) / 1e9;
        Ok((gbps(up), gbps(down)))
    }

    /// C = A·B of the GPU-work challenge with `seed` and size `n`,
    /// row-major, computed on the GPU.
    ///
    /// # Errors
    /// Out of device memory, or a CUDA error.
    pub fn gpu_work_product(&self, seed: &B256, n: u32) -> Result<Vec<i32>> {
        let (k0, k1) = spon_gpu_work::Generator::new(seed).keys();
        let len = (n as usize) * (n as usize);
        let mut a = self.stream.alloc_zeros::<i8>(len)?;
        let mut b = self.stream.alloc_zeros::<i8>(len)?;
        let mut c = self.stream.alloc_zeros::<i32>(len)?;
        let rows = LaunchConfig {
            grid_dim: (n.div_ceil(256), n.min(65_535), 1),
            block_dim: (256, 1, 1),
            shared_mem_bytes: 0,
        };
        for (matrix, out) in [
            (spon_gpu_work::MATRIX_A, &mut a),
            (spon_gpu_work::MATRIX_B, &mut b),
        ] {
            let matrix = u32::from(matrix);
            let mut launch = self.stream.launch_builder(&self.generate);
            launch.arg(&k0).arg(&k1).arg(&matrix).arg(&n).arg(out);
            // SAFETY: the arguments match spon_generate's parameters and
            // `out` holds n·n entries.
            unsafe { launch.launch(rows) }?;
        }
        for row0 in (0..n).step_by(GEMM_BAND as usize) {
            let rows = GEMM_BAND.min(n - row0);
            let cfg = LaunchConfig {
                grid_dim: (n.div_ceil(16), rows.div_ceil(16), 1),
                block_dim: (16, 16, 1),
                shared_mem_bytes: 0,
            };
            let mut launch = self.stream.launch_builder(&self.gemm_s8);
            launch.arg(&a).arg(&b).arg(&mut c).arg(&n).arg(&row0);
            // SAFETY: the arguments match spon_gemm_s8's; a, b, c hold n·n
            // entries and the band's rows are below n.
            unsafe { launch.launch(cfg) }?;
        }
        Ok(self.stream.memcpy_dtov(&c)?)
    }
}
