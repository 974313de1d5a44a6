using LongMemory.Kernel.Benchmarks;

return await BenchmarkProgram.RunAsync(args).ConfigureAwait(false);
