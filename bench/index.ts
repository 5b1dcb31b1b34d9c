// Placeholder: the benchmark harness replaces this file.
console.log('no benchmarks yet');
