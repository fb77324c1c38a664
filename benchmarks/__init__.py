"""Reference implementations of the kernel (validation and speed baselines) and benchmarks."""
